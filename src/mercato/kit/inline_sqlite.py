"""SQLite for SQLAlchemy's asyncio engine without a thread per connection.

aiosqlite runs every statement on a helper thread: a queue put, a future, a wake-up of the
event loop through its self-pipe and two context switches per call. A cart request issues a
dozen such calls (begin, statements, fetches, commit) and spent more CPU on the hops than in
SQLite. The statements of a web request take microseconds on a local file, so this driver
runs them inline, on the event loop's thread, behind the interface SQLAlchemy's aiosqlite
dialect expects (``async_creator``): the dialect, its types and its SQL stay the same.

What must not block the loop is waiting for a lock, so writers never sleep in SQLite's busy
handler: ``BEGIN IMMEDIATE`` first takes a per-process asyncio lock per database (writers of
this process queue there, in order, without spinning), then tries SQLite's write lock with a
zero busy timeout and, while another process holds it, retries after ``asyncio.sleep``
backoff until ``busy_timeout`` has passed. Readers never wait for writers in WAL mode; the
short ``READ_BUSY_MS`` only covers a checkpoint or WAL recovery in progress.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import weakref
from collections.abc import Iterable
from typing import Any

READ_BUSY_MS = 50  # blocking wait of a plain statement (rare: WAL recovery, checkpoint)
RETRY_FIRST_S, RETRY_MAX_S = 0.0002, 0.001  # polls of another process's write lock

# asyncio locks belong to their event loop: one lock per database file per loop.
_write_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _write_lock(database: str) -> asyncio.Lock:
    locks = _write_locks.setdefault(asyncio.get_running_loop(), {})
    lock = locks.get(database)
    if lock is None:
        lock = locks[database] = asyncio.Lock()
    return lock


class InlineCursor:
    __slots__ = ("_cursor", "_owner")

    def __init__(self, owner: InlineConnection) -> None:
        self._owner = owner
        self._cursor = owner._conn.cursor()

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        if sql == "BEGIN IMMEDIATE":
            await self._owner.begin_immediate()
        else:
            self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, seq: Iterable[Any]) -> InlineCursor:
        self._cursor.executemany(sql, seq)
        return self

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size or self._cursor.arraysize)

    async def close(self) -> None:
        self._cursor.close()


class _ImmediateQueue:
    """Stands in for aiosqlite's request queue, which the dialect's isolation-level setter
    uses directly: the function runs at once and its future is resolved."""

    def put_nowait(self, item: tuple[asyncio.Future, Any]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:  # handed to the awaiting dialect
            future.set_exception(error)


class InlineConnection:
    """The part of ``aiosqlite.Connection`` that SQLAlchemy's aiosqlite dialect uses."""

    def __init__(self, conn: sqlite3.Connection, database: str, busy_timeout_s: float) -> None:
        self._conn = self._connection = conn
        self._tx = _ImmediateQueue()
        self._database = database
        self._busy_timeout_s = busy_timeout_s
        self._holding: asyncio.Lock | None = None

    # -- aiosqlite surface
    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self)

    async def commit(self) -> None:
        try:
            self._conn.commit()
        finally:
            self._release()

    async def rollback(self) -> None:
        try:
            self._conn.rollback()
        finally:
            self._release()

    async def close(self) -> None:
        try:
            self._conn.close()
        finally:
            self._release()

    def stop(self) -> None:
        self._release()
        self._conn.close()

    async def create_function(self, *args: Any, **kw: Any) -> None:
        self._conn.create_function(*args, **kw)

    # -- write transactions
    async def begin_immediate(self) -> None:
        """Queue behind this process's writers, then take SQLite's write lock, within the
        busy timeout either way (as SQLite's own "database is locked" would)."""
        deadline = time.monotonic() + self._busy_timeout_s
        lock = _write_lock(self._database)
        if lock.locked():  # wait_for costs a task and a timer: only when there is a queue
            try:
                await asyncio.wait_for(lock.acquire(), self._busy_timeout_s)
            except TimeoutError:
                raise sqlite3.OperationalError("database is locked") from None
        else:
            await lock.acquire()
        self._holding = lock
        try:
            await self._take_sqlite_write_lock(deadline)
        except BaseException:
            self._release()
            raise

    async def _take_sqlite_write_lock(self, deadline: float) -> None:
        pause = RETRY_FIRST_S
        self._conn.execute("PRAGMA busy_timeout=0")
        try:
            while True:
                try:
                    self._conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as error:
                    if "locked" not in str(error) or time.monotonic() >= deadline:
                        raise
                await asyncio.sleep(pause)  # another process writes: serve others meanwhile
                pause = min(pause * 2, RETRY_MAX_S)
        finally:
            self._conn.execute(f"PRAGMA busy_timeout={READ_BUSY_MS}")

    def _release(self) -> None:
        lock, self._holding = self._holding, None
        if lock is not None and lock.locked():
            lock.release()
