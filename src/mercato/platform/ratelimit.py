"""Rate limits with the `limits` library: memory storage, or Redis when configured."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from mercato.kit.errors import RateLimited

if TYPE_CHECKING:
    from limits.aio.storage import Storage


class RateLimiter:
    """Built with the app, but `limits` (with deprecated and wrapt, about 1.5 MiB in every
    server worker) is imported by the first attempt counted: most workers serve many pages
    before anyone signs in, and some never count one (issue 3)."""

    def __init__(self, redis_url: str = "") -> None:
        self._redis_url = redis_url
        self._storage: Storage | None = None
        self._limiter: Any = None

    @property
    def storage(self) -> Storage:
        return self._ready()[0]

    def _ready(self) -> tuple[Storage, Any]:
        """The storage and the moving-window limiter, built on first use."""
        if self._storage is None:
            from limits.aio.storage import MemoryStorage, RedisStorage
            from limits.aio.strategies import MovingWindowRateLimiter

            url = self._redis_url
            self._storage = (
                # redis-py (already a dependency for the hub), not limits' default coredis.
                RedisStorage(
                    url if url.startswith("async+") else "async+" + url, implementation="redispy"
                )
                if url
                else MemoryStorage()
            )
            self._limiter = MovingWindowRateLimiter(self._storage)
        return self._storage, self._limiter

    async def hit(self, rule: str, *keys: str) -> None:
        """Count one attempt against ``rule`` for every key; raise RateLimited when over.

        Every key is counted even when one is already over, so an attacker cycling accounts
        from one address still fills the per-address bucket.
        """
        from limits import parse

        _, limiter = self._ready()
        item = parse(rule)
        refused_until = 0.0
        for key in keys:
            if not await limiter.hit(item, key):
                stats = await limiter.get_window_stats(item, key)
                refused_until = max(refused_until, stats.reset_time)
        if refused_until:
            raise RateLimited(retry_after=int(refused_until - time.time()) + 1)

    async def reset(self) -> None:
        await self.storage.reset()
