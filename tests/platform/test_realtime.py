"""The realtime hub (memory and Redis) and rate limits on Redis storage."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import pytest

from mercato.kit.errors import RateLimited
from mercato.platform.ratelimit import RateLimiter
from mercato.platform.realtime import QUEUE_SIZE, Hub, MemoryHub, RedisHub, channel_for_store


async def next_message(queue: asyncio.Queue) -> dict:
    return await asyncio.wait_for(queue.get(), 3.0)


async def nothing_arrives(queue: asyncio.Queue, wait: float = 0.2) -> bool:
    try:
        await asyncio.wait_for(queue.get(), wait)
    except TimeoutError:
        return True
    return False


def test_channels_are_namespaced_by_store():
    assert channel_for_store("qala", "user:1") == "qala:user:1"
    assert channel_for_store("qala", "user:1") != channel_for_store("wholesale", "user:1")


async def test_memory_hub_delivers_to_subscribers_of_that_channel_only():
    # Given two subscribers on different channels
    hub = MemoryHub()
    async with hub.subscribe(["a:user:1"]) as mine, hub.subscribe(["b:user:1"]) as theirs:
        # When a message is published to one channel
        await hub.publish("a:user:1", {"type": "notification", "unread": 1})
        # Then only its subscriber gets it
        assert await next_message(mine) == {"type": "notification", "unread": 1}
        assert await nothing_arrives(theirs)
    # And leaving the block unsubscribes (no leak of empty channels)
    assert hub._subscribers == {}


async def test_memory_hub_drops_the_oldest_message_for_a_slow_subscriber():
    # Given a subscriber that never reads
    hub = MemoryHub()
    async with hub.subscribe(["c"]) as queue:
        # When more messages arrive than its queue holds
        for n in range(QUEUE_SIZE + 5):
            await hub.publish("c", {"n": n})
        # Then the newest are kept and publishing never blocked
        assert queue.qsize() == QUEUE_SIZE
        assert (await next_message(queue))["n"] == 5


async def test_redis_hub_fans_out_between_instances(redis_url):
    # Given two app instances, each with its own Redis hub
    publisher, listener = RedisHub(redis_url), RedisHub(redis_url)
    channel = channel_for_store("test", f"user:{uuid.uuid4().hex}")
    try:
        async with listener.subscribe([channel]) as queue, listener.subscribe(["other"]) as other:
            # When one instance publishes
            await publisher.publish(channel, {"type": "notification", "unread": 3, "title": "Hé"})
            # Then a subscriber on the other instance receives it, and only on that channel
            assert await next_message(queue) == {
                "type": "notification",
                "unread": 3,
                "title": "Hé",
            }
            assert await nothing_arrives(other)
    finally:
        await publisher.close()
        await listener.close()


async def test_memory_rate_limiter_refuses_over_the_limit_with_retry_after():
    limiter = RateLimiter()
    key = uuid.uuid4().hex
    for _ in range(3):
        await limiter.hit("3/minute", key)
    with pytest.raises(RateLimited) as refused:
        await limiter.hit("3/minute", key)
    assert 1 <= refused.value.retry_after <= 61


async def test_redis_rate_limiter_is_shared_between_instances(redis_url):
    # Given two app instances using the same Redis
    first, second = RateLimiter(redis_url), RateLimiter(redis_url)
    ip, account = f"ip-{uuid.uuid4().hex}", f"acct-{uuid.uuid4().hex}"
    # When attempts are spread over both
    await first.hit("3/minute", ip, account)
    await second.hit("3/minute", ip, account)
    await first.hit("3/minute", ip, account)
    # Then the fourth is refused wherever it lands
    with pytest.raises(RateLimited) as refused:
        await second.hit("3/minute", ip)
    assert refused.value.retry_after >= 1
    # And a different key is unaffected
    await second.hit("3/minute", f"ip-{uuid.uuid4().hex}")


# -- one fan-out for both hubs: several sockets per channel, one Redis connection per process --


@pytest.fixture(params=["memory", "redis"])
async def hubs(request) -> AsyncIterator[tuple[Hub, Hub]]:
    """(publisher, listener): the same MemoryHub, or two RedisHubs as two app instances
    (a prefix of their own, so tests running at the same time never share channels)."""
    if request.param == "memory":
        hub = MemoryHub()
        yield hub, hub
        await hub.close()
        return
    url = request.getfixturevalue("redis_url")
    prefix = f"test:{uuid.uuid4().hex}:"
    publisher = RedisHub(url, prefix=prefix)
    listener = RedisHub(url, prefix=prefix, name=f"test-{uuid.uuid4().hex}")
    yield publisher, listener
    await publisher.close()
    await listener.close()


async def test_every_subscriber_of_a_channel_gets_each_message_once(hubs):
    publisher, listener = hubs
    # Given three tabs of the same user (one also listens to a role channel)
    async with (
        listener.subscribe(["qala:user:1"]) as first,
        listener.subscribe(["qala:user:1"]) as second,
        listener.subscribe(["qala:user:1", "qala:role:admin"]) as third,
    ):
        # When one message is published to the user and one to the role
        await publisher.publish("qala:user:1", {"type": "message:new", "n": 1})
        await publisher.publish("qala:role:admin", {"type": "order:placed", "n": 2})
        # Then each tab gets the user's message exactly once, and only the third the role's
        for queue in (first, second, third):
            assert await next_message(queue) == {"type": "message:new", "n": 1}
        assert await next_message(third) == {"type": "order:placed", "n": 2}
        for queue in (first, second, third):
            assert await nothing_arrives(queue)


async def test_channels_and_stores_are_isolated(hubs):
    publisher, listener = hubs
    async with (
        listener.subscribe([channel_for_store("qala", "user:1")]) as mine,
        listener.subscribe([channel_for_store("qala", "user:2")]) as other_user,
        listener.subscribe([channel_for_store("wholesale", "user:1")]) as other_store,
    ):
        await publisher.publish(channel_for_store("qala", "user:1"), {"n": 1})
        assert await next_message(mine) == {"n": 1}
        assert await nothing_arrives(other_user)
        assert await nothing_arrives(other_store)


async def test_a_channel_stays_until_its_last_local_subscriber_leaves(hubs):
    publisher, listener = hubs
    # Given two tabs of one user
    async with listener.subscribe(["s:user:7"]) as staying:
        async with listener.subscribe(["s:user:7", "s:user:8"]):
            pass
        # When one closes, the other still receives (the channel is reference counted)
        await publisher.publish("s:user:7", {"n": 1})
        assert await next_message(staying) == {"n": 1}
        assert set(listener._subscribers) == {"s:user:7"}
    # And when the last leaves, nothing is left behind
    assert listener._subscribers == {}


async def test_a_slow_subscriber_does_not_hold_up_the_others(hubs):
    publisher, listener = hubs
    count = QUEUE_SIZE + 30
    async with listener.subscribe(["s:user:1"]) as slow, listener.subscribe(["s:user:1"]) as fast:
        # Given a tab that never reads and one that does
        received = []

        async def read_all() -> None:
            while len(received) < count:
                received.append((await fast.get())["n"])

        reader = asyncio.create_task(read_all())
        # When more messages than a queue holds are published
        for n in range(count):
            await publisher.publish("s:user:1", {"n": n})
            await asyncio.sleep(0)  # publishers are other requests: the reading tab gets turns
        await asyncio.wait_for(reader, 5)
        # Then the reading tab got every one in order, and the slow one keeps the newest
        assert received == list(range(count))
        assert slow.qsize() == QUEUE_SIZE
        assert (await next_message(slow))["n"] == count - QUEUE_SIZE


async def redis_clients(url: str, name: str) -> list[dict]:
    from redis.asyncio import Redis

    admin = Redis.from_url(url)
    try:
        return [c for c in await admin.client_list() if c.get("name") == name]
    finally:
        await admin.aclose()


async def test_redis_hub_uses_one_pubsub_connection_for_all_its_sockets(redis_url):
    name = f"test-{uuid.uuid4().hex}"
    prefix = f"test:{uuid.uuid4().hex}:"
    hub = RedisHub(redis_url, prefix=prefix, name=name)
    try:
        async with contextlib.AsyncExitStack() as stack:
            # Given 30 sockets on three channels
            for n in range(30):
                await stack.enter_async_context(hub.subscribe([f"s:user:{n % 3}"]))
            # Then Redis sees one subscriber connection with the three channels
            subscribers = [c for c in await redis_clients(redis_url, name) if int(c["sub"])]
            assert len(subscribers) == 1
            assert int(subscribers[0]["sub"]) == 3
        # And after the last socket left, the connection holds no subscription
        for _ in range(50):
            clients = await redis_clients(redis_url, name)
            if all(int(c["sub"]) == 0 for c in clients):
                break
            await asyncio.sleep(0.02)
        assert all(int(c["sub"]) == 0 for c in clients)
    finally:
        await hub.close()


async def test_redis_hub_reconnects_and_sockets_keep_their_queues(redis_url, caplog):
    from redis.asyncio import Redis

    name = f"test-{uuid.uuid4().hex}"
    prefix = f"test:{uuid.uuid4().hex}:"
    publisher, listener = (
        RedisHub(redis_url, prefix=prefix),
        RedisHub(redis_url, prefix=prefix, name=name),
    )
    admin = Redis.from_url(redis_url)
    try:
        async with listener.subscribe(["s:user:1"]) as queue:
            # Given the listener's pub/sub connection is cut by the server
            (connection,) = [c for c in await redis_clients(redis_url, name) if int(c["sub"])]
            await admin.client_kill_filter(_id=connection["id"])
            # When messages are published after it (until the reconnect has subscribed again)
            for n in range(100):
                await publisher.publish("s:user:1", {"n": n})
                with contextlib.suppress(TimeoutError):
                    got = await asyncio.wait_for(queue.get(), 0.1)
                    break
            else:
                pytest.fail("nothing arrived after the connection was cut")
            # Then the same socket queue receives them, and the loss was logged
            assert got["n"] >= 0
            assert "Redis pub/sub connection lost" in caplog.text
            await publisher.publish("s:user:1", {"n": "after"})
            while (await next_message(queue))["n"] != "after":
                pass  # messages published before the reconnect completed may trail in
    finally:
        await admin.aclose()
        await publisher.close()
        await listener.close()
