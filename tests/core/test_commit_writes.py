"""UnitOfWork.commit_writes: on SQLite a request that has done its writes lets the database's
write lock go before it builds its answer (add to cart), and what it wrote stays written."""

from __future__ import annotations

import sqlite3

import httpx
from fastapi import APIRouter
from sqlalchemy import event, select
from tests.core.support import one_store_app

from mercato.kit.errors import ValidationFailed
from mercato.models import StoreSetting
from mercato.platform.modules import Module, registry
from mercato.web.deps import Uow

probe = APIRouter()


def _another_writer_gets_the_lock(path: str) -> bool:
    """Whether a second connection (as another worker would) can take the write lock now."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


@probe.post("/early/{key}")
async def write_commit_then_read(key: str, uow: Uow, early: bool = True, fail: bool = False):
    db = uow.session
    db.add(StoreSetting(key=key, value="written"))
    await db.flush()
    if early:
        await uow.commit_writes()
    # The answer's reads, as add to cart reads the cart's lines after its upsert.
    count = len(list(await db.scalars(select(StoreSetting.key))))
    free = _another_writer_gets_the_lock(uow.runtime.db.engine.url.database)
    if fail:
        raise ValidationFailed("failed while building the answer", field="key")
    return {"free": free, "count": count}


if "uow-early-probe" not in registry.names():
    registry.register(Module(name="uow-early-probe", api=[probe]))


async def test_the_write_lock_is_free_while_the_answer_is_built_and_the_write_is_kept(tmp_path):
    app = await one_store_app(tmp_path, "early", "Early", ["uow-early-probe"])
    runtime = app.state.runtimes["early"]
    begins: list[str] = []

    def seen(statement: str) -> None:
        if statement.startswith("BEGIN"):
            begins.append(statement)

    def trace(dbapi_conn, _record) -> None:
        # Transactions begin on the driver's cursor (mercato.db), so SQLite's own trace of
        # each new connection sees them.
        dbapi_conn.driver_connection._conn.set_trace_callback(seen)

    event.listen(runtime.db.engine.sync_engine, "connect", trace)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            # Given a request that holds SQLite's write lock to its end (the default)
            held = await client.post("/early/api/v1/early/held", params={"early": "false"})
            # When requests commit their writes before building their answers
            early = await client.post("/early/api/v1/early/early")
            failed = await client.post("/early/api/v1/early/failed", params={"fail": "true"})
    finally:
        event.remove(runtime.db.engine.sync_engine, "connect", trace)
    # Then another writer could not write during the first answer, but could during the others
    assert held.json() == {"free": False, "count": 1}
    assert early.json() == {"free": True, "count": 2}
    # and the answer's reads ran in a plain transaction, after an immediate one
    assert begins == ["BEGIN IMMEDIATE", "BEGIN IMMEDIATE", "BEGIN", "BEGIN IMMEDIATE", "BEGIN"]
    # and a failure after the commit keeps what was written (the documented departure)
    assert failed.status_code == 422
    async with runtime.db.transaction(write=False) as db:
        keys = set(await db.scalars(select(StoreSetting.key)))
    assert keys == {"held", "early", "failed"}
    await runtime.db.dispose()
