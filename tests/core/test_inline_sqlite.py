"""SQLite statements run on the event loop's thread (mercato.kit.inline_sqlite): writers of
one process queue in asyncio, a writer of another process is waited for without blocking the
loop, and the wait ends with "database is locked" after the busy timeout."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from mercato import db as db_module
from mercato.db import Database
from mercato.models import StoreSetting
from mercato.platform.migrate import upgrade


@pytest.fixture
async def database(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}"
    await asyncio.to_thread(upgrade, url)
    database = Database(url)
    yield database
    await database.dispose()


async def _counter(database: Database) -> int:
    async with database.transaction(write=False) as db:
        return await db.scalar(select(StoreSetting.value).where(StoreSetting.key == "n"))


async def test_the_engine_runs_sqlite_inline(database):
    if not db_module.inline_sqlite_enabled():
        pytest.skip("MERCATO_SQLITE_THREAD asks for aiosqlite")
    async with database.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert type(raw.driver_connection).__name__ == "InlineConnection"


async def test_writers_of_one_process_queue_and_none_is_lost(database):
    async with database.transaction() as db:
        db.add(StoreSetting(key="n", value=0))

    async def increment() -> None:
        async with database.transaction() as db:
            value = await db.scalar(select(StoreSetting.value).where(StoreSetting.key == "n"))
            await asyncio.sleep(0)  # other writers get the loop while this one holds the lock
            await db.execute(
                text("UPDATE store_settings SET value = :v WHERE key = 'n'"), {"v": value + 1}
            )

    await asyncio.gather(*(increment() for _ in range(40)))
    assert await _counter(database) == 40


async def test_a_writer_of_another_process_is_awaited_without_blocking_reads(database):
    path = database.engine.url.database
    async with database.transaction() as db:
        db.add(StoreSetting(key="n", value=0))
    other = sqlite3.connect(path, isolation_level=None)  # stands for the second worker
    other.execute("BEGIN IMMEDIATE")
    released = asyncio.Event()

    def release() -> None:
        other.commit()
        released.set()

    asyncio.get_running_loop().call_later(0.3, release)
    reads = 0

    async def write() -> None:
        async with database.transaction() as db:
            await db.execute(text("UPDATE store_settings SET value = 7 WHERE key = 'n'"))

    async def read_meanwhile() -> None:
        nonlocal reads
        while not released.is_set():
            assert await _counter(database) == 0  # WAL: the committed value, no waiting
            reads += 1
            await asyncio.sleep(0.01)

    writer = asyncio.create_task(write())
    await asyncio.gather(writer, read_meanwhile())
    other.close()
    assert reads >= 5  # the loop kept serving while the write waited for the lock
    assert await _counter(database) == 7


async def test_a_lock_held_too_long_fails_as_database_is_locked(tmp_path, monkeypatch):
    monkeypatch.setattr(db_module, "SQLITE_BUSY_TIMEOUT_MS", 200)
    url = f"sqlite+aiosqlite:///{tmp_path / 'held.db'}"
    await asyncio.to_thread(upgrade, url)
    database = Database(url)
    other = sqlite3.connect(tmp_path / "held.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError, match="locked"):
            async with database.transaction() as db:
                await db.execute(text("UPDATE store_settings SET value = 1"))
    finally:
        other.rollback()
        other.close()
    # The process's queue is free again: the next writer goes through.
    async with database.transaction() as db:
        db.add(StoreSetting(key="after", value=1))
    await database.dispose()
