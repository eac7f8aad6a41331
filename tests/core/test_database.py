"""Concurrent writers queue instead of failing (DESIGN.md §4)."""

import asyncio

from sqlalchemy import select

from mercato.db import Database
from mercato.models import StoreSetting
from mercato.platform.migrate import upgrade


async def test_concurrent_read_then_write_transactions_both_commit(tmp_path):
    # Given a real SQLite file (PostgreSQL needs no special BEGIN)
    url = f"sqlite+aiosqlite:///{tmp_path / 'race.db'}"
    await asyncio.to_thread(upgrade, url)
    database = Database(url)
    gate = asyncio.Event()

    async def read_then_write(key: str) -> None:
        async with database.transaction(write=True) as db:
            # Both read first, then write: with a deferred BEGIN on SQLite the second
            # writer would fail with "database is locked" when upgrading its lock.
            await db.scalar(select(StoreSetting).where(StoreSetting.key == key))
            await gate.wait()
            db.add(StoreSetting(key=key, value=1))

    # When two write transactions overlap
    tasks = [asyncio.create_task(read_then_write(k)) for k in ("a", "b")]
    await asyncio.sleep(0.05)
    gate.set()
    await asyncio.gather(*tasks)
    # Then both changes are stored
    async with database.transaction(write=False) as db:
        assert set(await db.scalars(select(StoreSetting.key))) == {"a", "b"}
    await database.dispose()
