"""The realtime hub: channels per user, conversation, order or role (DESIGN.md §6).

In-memory by default (one process); Redis pub/sub when ``MERCATO_REDIS_URL`` is set, so
several app instances and a separate worker share events.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, Protocol

log = logging.getLogger("mercato.realtime")
QUEUE_SIZE = 100
MAX_REDIS_CONNECTIONS = 5000  # per process: sockets of this instance + publishers


class Hub(Protocol):
    async def publish(self, channel: str, message: dict[str, Any]) -> None: ...
    def subscribe(
        self, channels: list[str]
    ) -> contextlib.AbstractAsyncContextManager[asyncio.Queue[dict[str, Any]]]: ...
    async def close(self) -> None: ...


class MemoryHub:
    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        for queue in list(self._subscribers.get(channel, ())):
            _offer(queue, message)

    @contextlib.asynccontextmanager
    async def subscribe(self, channels: list[str]) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        for channel in channels:
            self._subscribers[channel].add(queue)
        try:
            yield queue
        finally:
            for channel in channels:
                self._subscribers[channel].discard(queue)
                if not self._subscribers[channel]:
                    del self._subscribers[channel]

    async def close(self) -> None:
        self._subscribers.clear()


class RedisHub:
    def __init__(self, url: str, prefix: str = "mercato:rt:") -> None:
        from redis.asyncio import Redis

        # Each open socket holds one pub/sub connection; redis-py caps a pool at 100 by
        # default, which refused the 101st socket of an instance (bench/qala_chat_latency.py).
        # Redis itself allows 10,000 clients. (A shared pub/sub per process would need one.)
        self._redis = Redis.from_url(url, max_connections=MAX_REDIS_CONNECTIONS)
        self._prefix = prefix

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        await self._redis.publish(self._prefix + channel, json.dumps(message))

    @contextlib.asynccontextmanager
    async def subscribe(self, channels: list[str]) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(*[self._prefix + c for c in channels])

        async def pump() -> None:
            async for item in pubsub.listen():
                if item.get("type") == "message":
                    try:
                        _offer(queue, json.loads(item["data"]))
                    except ValueError:
                        log.warning("dropped a realtime message that is not JSON")

        task = asyncio.create_task(pump())
        try:
            yield queue
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            await pubsub.aclose()

    async def close(self) -> None:
        await self._redis.aclose()


def _offer(queue: asyncio.Queue[dict[str, Any]], message: dict[str, Any]) -> None:
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
