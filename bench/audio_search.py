"""Audio Tài Lộc search: median time of the search service for a few Vietnamese queries,
uncached (every call runs the SQL: match, count, page, facets) and through the per-store
result cache, on the demo database. Run with a seeded demo database:

    flock /tmp/mercato-bench.lock uv run python bench/audio_search.py /tmp/var-x/audio_tai_loc.db

It reads only. Numbers depend on the machine; they go to docs as medians and ratios.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

from mercato.audio import search
from mercato.audio.search import ResultCache, SearchQuery
from mercato.db import create_engine

QUERIES = [
    SearchQuery(q="loa"),
    SearchQuery(q="tai loc"),
    SearchQuery(q="khong day"),
    SearchQuery(q="loa", category="loa-karaoke", filters={"brand": "JBL"}),
    SearchQuery(min_price=3_000_000, sort="price_asc"),
]
ROUNDS = 30


async def main(path: str) -> None:
    from sqlalchemy.ext.asyncio import AsyncSession

    engine = create_engine(f"sqlite+aiosqlite:///{path}", pool=False)
    cache = ResultCache()
    async with AsyncSession(engine) as db:
        for query in QUERIES:
            uncached, cached = [], []
            for _ in range(ROUNDS):
                start = time.perf_counter()
                result = await search.run(db, query)
                uncached.append(time.perf_counter() - start)
            cache.put(1, query.key(), result)
            for _ in range(ROUNDS):
                start = time.perf_counter()
                assert cache.get(1, query.key()) is not None
                cached.append(time.perf_counter() - start)
            u, c = statistics.median(uncached) * 1000, statistics.median(cached) * 1000
            print(
                f"{query.key()!s:70.70} total={result.total:3d} sql {u:7.2f} ms  cached {c:.4f} ms"
            )
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
