"""Pooled PostgreSQL connections are checked before use only after sitting idle (db.py)."""

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection
from tests.conftest import PG_URL, _pg_admin

from mercato import db as db_module
from mercato.db import create_engine

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL only (SQLite has no pool ping)")


@pytest.fixture
def pings(monkeypatch) -> list[int]:
    """Counts the driver connection's liveness checks."""
    seen: list[int] = []
    original = AsyncAdapt_asyncpg_connection.ping

    def counting(self) -> None:
        seen.append(1)
        original(self)

    monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "ping", counting)
    return seen


async def _backend_pid(engine) -> int:
    async with engine.connect() as conn:
        return await conn.scalar(text("SELECT pg_backend_pid()"))


@pytest.fixture
def url(database_urls: dict[str, str]) -> str:
    return next(iter(database_urls.values()))


async def test_a_connection_used_a_moment_ago_is_not_checked(pings, url):
    engine = create_engine(url)
    try:
        first = await _backend_pid(engine)
        # The same pooled connection, back in the pool a moment ago: no check before use
        # (SQLAlchemy's pool_pre_ping cost three round trips on every checkout).
        assert await _backend_pid(engine) == first
        assert pings == []
    finally:
        await engine.dispose()


async def test_a_connection_dropped_while_idle_is_checked_and_replaced(pings, monkeypatch, url):
    engine = create_engine(url)
    try:
        first = await _backend_pid(engine)
        # The server drops the pooled connection (a restart, an idle timeout) …
        await _pg_admin(PG_URL, f"SELECT pg_terminate_backend({first})")
        # … and it has sat idle longer than the window: the next checkout checks it, finds
        # it dead and connects again instead of failing the request.
        monkeypatch.setattr(db_module, "PING_AFTER_IDLE_S", 0.05)
        await asyncio.sleep(0.1)
        second = await _backend_pid(engine)
        assert second != first
        assert pings == [1]  # the new connection, just made, is not checked again
    finally:
        await engine.dispose()


async def test_the_pool_is_fixed_at_the_configured_size(url):
    from mercato.config import Settings
    from mercato.platform.runtime import build_runtime
    from mercato.platform.stores import discover_stores

    settings = Settings(env="test", secret_key="x" * 40, db_pool_size=3, database_url=url)
    config = discover_stores(settings.stores_dir)[0]
    runtime = build_runtime(config, settings, hub=None, limiter=None, mount_path="")  # type: ignore[arg-type]
    try:
        pool = runtime.db.engine.sync_engine.pool
        assert (pool.size(), pool._max_overflow) == (3, 0)
    finally:
        await runtime.db.dispose()
