"""Engines and units of work, one database per store (DESIGN.md §3, §4).

The request owns the transaction: services ``flush()``; the unit of work commits once at the
end, or rolls back. On SQLite, writing transactions start with ``BEGIN IMMEDIATE`` so that
concurrent writers wait on the busy timeout instead of failing with "database is locked"
when a deferred transaction tries to upgrade its lock.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from mercato.kit.inline_sqlite import READ_BUSY_MS, InlineConnection

SQLITE_BUSY_TIMEOUT_MS = 15_000
# A pooled server connection is checked before use only when it has sat idle this long.
PING_AFTER_IDLE_S = 1.0
DEFAULT_POOL_SIZE = 10  # server connections per process and store (MERCATO_DB_POOL_SIZE)
WRITE_OPTION = "mercato_write"
STORE_INFO_KEY = "mercato_store"  # in every session's info: whose database it is


def insert_for(dialect_name: str) -> Any:
    """The dialect's ``insert`` construct, which has ``on_conflict_do_…`` (an upsert): the
    two engines spell the clause the same way but SQLAlchemy keeps one construct each."""
    return pg_insert if dialect_name == "postgresql" else sqlite_insert


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def inline_sqlite_enabled() -> bool:
    """SQLite statements run on the event loop's thread (mercato.kit.inline_sqlite) unless
    ``MERCATO_SQLITE_THREAD=1`` asks for aiosqlite's thread per connection (to compare)."""
    return os.environ.get("MERCATO_SQLITE_THREAD", "") not in ("1", "true")


def _inline_creator(database: str):
    async def connect() -> InlineConnection:
        conn = sqlite3.connect(
            database, timeout=READ_BUSY_MS / 1000, check_same_thread=False, isolation_level=None
        )
        return InlineConnection(conn, database, SQLITE_BUSY_TIMEOUT_MS / 1000)

    return connect


def _install_sqlite_pragmas(engine: AsyncEngine, *, inline: bool) -> None:
    sync_engine = engine.sync_engine
    # Inline connections wait for the write lock in asyncio, not in SQLite's busy handler.
    busy_ms = READ_BUSY_MS if inline else SQLITE_BUSY_TIMEOUT_MS

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        # On the driver's cursor, not through conn.exec_driver_sql: SQLAlchemy's execution
        # context and result for a statement that returns nothing were about 7 % of an add
        # to cart's CPU in-process, and every SQLite transaction begins here. Its errors
        # ("database is locked") are still raised as SQLAlchemy's.
        statement = "BEGIN IMMEDIATE" if write else "BEGIN"
        dbapi = conn.dialect.loaded_dbapi
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute(statement)
        except dbapi.Error as error:
            raise DBAPIError.instance(statement, None, error, dbapi.Error) from error
        finally:
            cursor.close()


def create_engine(
    url: str, *, pool: bool = True, pool_size: int = DEFAULT_POOL_SIZE
) -> AsyncEngine:
    kwargs: dict[str, Any] = {}
    inline = False
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            inline = inline_sqlite_enabled()
        if inline:
            kwargs["async_creator"] = _inline_creator(database)
        else:
            kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    else:
        # A fixed pool: requests beyond ten at once per worker and store wait for a connection
        # instead of opening one more. Overflow connections were closed as soon as the pool
        # was full again, so a busy worker kept connecting (27 new server sessions in an 8 s
        # add-to-cart run), and each new one costs a server process, its start-up queries
        # and every statement prepared anew; a request holds a connection for about 1 ms.
        kwargs.update(pool_size=pool_size, max_overflow=0)
    if not pool:
        kwargs = {k: v for k, v in kwargs.items() if k in ("connect_args", "async_creator")}
        kwargs["poolclass"] = NullPool
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):
        _install_sqlite_pragmas(engine, inline=inline)
    elif pool:
        _ping_idle_connections(engine)
    return engine


def _ping_idle_connections(engine: AsyncEngine) -> None:
    """Check a pooled connection before use only if it sat idle for PING_AFTER_IDLE_S.

    SQLAlchemy's ``pool_pre_ping`` checks every checkout, and on asyncpg its check is three
    round trips (BEGIN, an empty statement, ROLLBACK): a third of an add to cart's round trips
    and of its server CPU (issue 3). A connection that was returned to the pool a moment ago
    was working a moment ago; the same bypass window as HikariCP's (500 ms there). One that
    fails its check is replaced: DisconnectionError in a checkout listener makes the pool
    discard it and connect again. A server that drops connections within the window costs
    the request that meets it an error, as without any check."""
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _connected(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(sync_engine, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(sync_engine, "checkout")
    def _checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("idle_since", 0.0) < PING_AFTER_IDLE_S:
            return
        try:
            dbapi_conn.ping()
        except Exception as error:  # whatever the check met, the connection is not usable
            raise DisconnectionError(f"connection failed its check: {error}") from error


class Database:
    """The engine of one store and the session factories for reading and writing."""

    def __init__(
        self,
        url: str,
        *,
        pool: bool = True,
        store: str = "",
        pool_size: int = DEFAULT_POOL_SIZE,
    ) -> None:
        self.url = url
        self.engine = create_engine(url, pool=pool, pool_size=pool_size)
        self.sqlite = is_sqlite(url)
        # Sessions know their store, so commit hooks (the page cache) know whom to tell.
        info = {STORE_INFO_KEY: store} if store else None
        self._read = async_sessionmaker(self.engine, expire_on_commit=False, info=info)
        self._write = async_sessionmaker(
            self.engine.execution_options(**{WRITE_OPTION: True}),
            expire_on_commit=False,
            info=info,
        )

    def session(self, *, write: bool) -> AsyncSession:
        return (self._write if write else self._read)()

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[AsyncSession]:
        """A unit of work for jobs and commands: commit on success, roll back on error."""
        async with self.session(write=write) as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        await self.engine.dispose()
