"""The realtime hub (memory and Redis) and rate limits on Redis storage."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from mercato.kit.errors import RateLimited
from mercato.platform.ratelimit import RateLimiter
from mercato.platform.realtime import QUEUE_SIZE, MemoryHub, RedisHub, channel_for_store


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
