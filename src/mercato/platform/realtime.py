"""The realtime hub: channels per user, conversation, order or role (DESIGN.md §6).

In-memory by default (one process); Redis pub/sub when ``MERCATO_REDIS_URL`` is set, so
several app instances and a separate worker share events.

Both hubs fan out locally: a channel's subscribers in this process are a set of queues, and a
message is offered to each. The Redis hub holds ONE pub/sub connection per process, whatever
the number of sockets, subscribed to the union of the local channels (reference counted: the
channel is subscribed in Redis when its first local subscriber arrives and unsubscribed when the
last one leaves). One message to a user with 50 open tabs is then one delivery from Redis and
one JSON decode, not 50 of each.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any, Protocol

log = logging.getLogger("mercato.realtime")
QUEUE_SIZE = 100
SUBSCRIBE_WAIT_SECONDS = 2.0  # how long subscribe() waits for Redis to confirm a channel
RECONNECT_FIRST_SECONDS = 0.2
RECONNECT_MAX_SECONDS = 10.0

Queue = asyncio.Queue[dict[str, Any]]


class Hub(Protocol):
    async def publish(self, channel: str, message: dict[str, Any]) -> None: ...
    def subscribe(self, channels: list[str]) -> contextlib.AbstractAsyncContextManager[Queue]: ...
    async def close(self) -> None: ...


class LocalFanOut:
    """Which queues of this process listen to which channel."""

    def __init__(self) -> None:
        self.subscribers: dict[str, set[Queue]] = {}

    def add(self, queue: Queue, channels: list[str]) -> list[str]:
        """Register ``queue``; returns the channels that had no local subscriber before."""
        first = []
        for channel in dict.fromkeys(channels):
            queues = self.subscribers.setdefault(channel, set())
            if not queues:
                first.append(channel)
            queues.add(queue)
        return first

    def remove(self, queue: Queue, channels: list[str]) -> list[str]:
        """Unregister ``queue``; returns the channels left without a local subscriber."""
        emptied = []
        for channel in dict.fromkeys(channels):
            queues = self.subscribers.get(channel)
            if queues is None:
                continue
            queues.discard(queue)
            if not queues:
                del self.subscribers[channel]
                emptied.append(channel)
        return emptied

    def deliver(self, channel: str, message: dict[str, Any]) -> None:
        # The same dict goes to every queue: consumers only serialise it, never change it.
        for queue in list(self.subscribers.get(channel, ())):
            _offer(queue, message)


class MemoryHub:
    def __init__(self) -> None:
        self._local = LocalFanOut()

    @property
    def _subscribers(self) -> dict[str, set[Queue]]:
        return self._local.subscribers

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        self._local.deliver(channel, message)

    @contextlib.asynccontextmanager
    async def subscribe(self, channels: list[str]) -> AsyncIterator[Queue]:
        queue: Queue = asyncio.Queue(QUEUE_SIZE)
        self._local.add(queue, channels)
        try:
            yield queue
        finally:
            self._local.remove(queue, channels)

    async def close(self) -> None:
        self._local.subscribers.clear()


class RedisHub:
    """Redis pub/sub with one shared subscriber connection per process.

    A reader task (started by the first subscribe) owns the pub/sub connection: it reads
    messages and hands them to the local queues, and when Redis goes away it logs, waits
    (0.2 s doubling to 10 s) and reconnects, subscribing again to every local channel. Sockets
    keep their queues meanwhile; what was published while Redis was down is lost, as it is for
    any pub/sub. SUBSCRIBE/UNSUBSCRIBE are sent under one lock, with the reconnect, so a
    channel added during a reconnect is never forgotten.
    """

    def __init__(self, url: str, prefix: str = "mercato:rt:", name: str = "mercato-realtime"):
        from redis.asyncio import Redis

        # client_name shows the hub's connections in CLIENT LIST (and lets a test find them).
        # A connect timeout, so a reconnect to an unreachable host does not hold the lock
        # (and every socket's handshake) for the operating system's minutes.
        self._redis = Redis.from_url(url, client_name=name, socket_connect_timeout=5)
        self._prefix = prefix
        self._local = LocalFanOut()
        self._lock = asyncio.Lock()
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._confirmed: set[str] = set()  # channels Redis acknowledged on this connection
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}
        self._closed = False

    @property
    def _subscribers(self) -> dict[str, set[Queue]]:
        return self._local.subscribers

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        await self._redis.publish(self._prefix + channel, json.dumps(message))

    @contextlib.asynccontextmanager
    async def subscribe(self, channels: list[str]) -> AsyncIterator[Queue]:
        queue: Queue = asyncio.Queue(QUEUE_SIZE)
        self._start_reader()
        async with self._lock:
            first = self._local.add(queue, channels)
            await self._send("SUBSCRIBE", first)
        try:
            # Redis confirms a SUBSCRIBE before it delivers anything published after it, so
            # once confirmed, nothing published after the caller goes on is missed.
            await self._confirmation(channels)
            yield queue
        finally:
            async with self._lock:
                emptied = self._local.remove(queue, channels)
                self._confirmed.difference_update(emptied)
                await self._send("UNSUBSCRIBE", emptied)

    async def close(self) -> None:
        self._closed = True
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        await self._drop_connection()
        await self._redis.aclose()

    # -- the shared connection ---------------------------------------------------------------

    def _start_reader(self) -> None:
        if not self._closed and (self._reader is None or self._reader.done()):
            self._reader = asyncio.create_task(self._read_forever(), name="realtime-redis")

    async def _send(self, command: str, channels: list[str]) -> None:
        """SUBSCRIBE or UNSUBSCRIBE on the shared connection, if there is one. A failure is
        left to the reader: it reconnects and subscribes to whatever is local then."""
        if not channels or self._pubsub is None:
            return
        names = [self._prefix + c for c in channels]
        try:
            if command == "SUBSCRIBE":
                await self._pubsub.subscribe(*names)
            else:
                await self._pubsub.unsubscribe(*names)
        except Exception as error:  # noqa: BLE001 - Redis or socket errors alike
            log.warning("realtime: %s failed (%s); the reader reconnects", command, error)

    async def _confirmation(self, channels: list[str]) -> None:
        loop = asyncio.get_running_loop()
        futures = []
        for channel in channels:
            if channel not in self._confirmed:
                future: asyncio.Future[None] = loop.create_future()
                self._waiters.setdefault(channel, []).append(future)
                futures.append(future)
        if not futures:
            return
        try:
            _, pending = await asyncio.wait(futures, timeout=SUBSCRIBE_WAIT_SECONDS)
            if pending:
                # Redis is slow or down: go on; the reader subscribes when it is back.
                log.warning("realtime: Redis did not confirm a subscription in time")
        finally:
            for channel in channels:
                waiting = [f for f in self._waiters.get(channel, ()) if f not in futures]
                if waiting:
                    self._waiters[channel] = waiting
                else:
                    self._waiters.pop(channel, None)

    async def _connect(self) -> None:
        async with self._lock:
            pubsub = self._redis.pubsub()
            await pubsub.connect()
            self._pubsub = pubsub
            self._confirmed.clear()
            await self._send("SUBSCRIBE", list(self._local.subscribers))

    async def _drop_connection(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        self._confirmed.clear()
        if pubsub is not None:
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    async def _read_forever(self) -> None:
        delay = RECONNECT_FIRST_SECONDS
        while not self._closed:
            try:
                await self._connect()
                if delay > RECONNECT_FIRST_SECONDS:
                    log.warning("realtime: Redis pub/sub reconnected")
                delay = RECONNECT_FIRST_SECONDS
                while True:
                    item = await self._pubsub.get_message(timeout=None)
                    if item is not None:
                        self._handle(item)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - any failure: reconnect, never die
                log.warning(
                    "realtime: Redis pub/sub connection lost (%s); reconnecting in %.1f s",
                    error or type(error).__name__,
                    delay,
                )
                await self._drop_connection()
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)

    def _handle(self, item: dict[str, Any]) -> None:
        kind = item.get("type")
        raw_channel = item.get("channel")
        if not isinstance(raw_channel, bytes | str):
            return
        name = raw_channel.decode() if isinstance(raw_channel, bytes) else raw_channel
        channel = name.removeprefix(self._prefix)
        if kind == "message":
            try:
                message = json.loads(item["data"])
            except ValueError:
                log.warning("dropped a realtime message that is not JSON")
                return
            self._local.deliver(channel, message)
        elif kind == "subscribe":
            if channel in self._local.subscribers:
                self._confirmed.add(channel)
            for future in self._waiters.pop(channel, ()):
                if not future.done():
                    future.set_result(None)


def _offer(queue: Queue, message: dict[str, Any]) -> None:
    # A slow socket must not hold up the others: drop its oldest message instead.
    if queue.full():
        with contextlib.suppress(asyncio.QueueEmpty):
            queue.get_nowait()
    queue.put_nowait(message)


def make_hub(redis_url: str) -> Hub:
    return RedisHub(redis_url) if redis_url else MemoryHub()


def channel_for_store(slug: str, channel: str) -> str:
    """Channels are namespaced by store so stores never see each other's events."""
    return f"{slug}:{channel}"
