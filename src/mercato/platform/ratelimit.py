"""Rate limits with the `limits` library: memory storage, or Redis when configured."""

from __future__ import annotations

import time

from limits import parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from mercato.kit.errors import RateLimited


class RateLimiter:
    def __init__(self, redis_url: str = "") -> None:
        self.storage: Storage = (
            # redis-py (already a dependency for the hub), not limits' default coredis.
            RedisStorage(
                redis_url if redis_url.startswith("async+") else "async+" + redis_url,
                implementation="redispy",
            )
            if redis_url
            else MemoryStorage()
        )
        self._limiter = MovingWindowRateLimiter(self.storage)

    async def hit(self, rule: str, *keys: str) -> None:
        """Count one attempt against ``rule`` for every key; raise RateLimited when over.

        Every key is counted even when one is already over, so an attacker cycling accounts
        from one address still fills the per-address bucket.
        """
        item = parse(rule)
        refused_until = 0.0
        for key in keys:
            if not await self._limiter.hit(item, key):
                stats = await self._limiter.get_window_stats(item, key)
                refused_until = max(refused_until, stats.reset_time)
        if refused_until:
            raise RateLimited(retry_after=int(refused_until - time.time()) + 1)

    async def reset(self) -> None:
        await self.storage.reset()
