"""Several workers on one store's real database (committed rows, cleaned up afterwards).

The usual fixtures bind everything to one rolled-back connection, which cannot show two
workers racing; these tests use real engines on the migrated test databases instead.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import delete, select, text

from mercato.db import Database
from mercato.models import OutboxEvent
from mercato.platform import outbox
from mercato.platform.ratelimit import RateLimiter
from mercato.platform.realtime import MemoryHub
from mercato.platform.runtime import build_runtime
from mercato.platform.stores import discover_stores
from mercato.platform.worker import process_batch

STORE = "qala"  # a store the other platform tests do not write to
EVENT = "test.concurrency"


@pytest.fixture
async def workers(settings, database_urls):
    """Two independent worker runtimes (own engines, own pools) on the same database."""
    config = next(c for c in discover_stores(settings.stores_dir) if c.slug == STORE)
    local = settings.model_copy(update={"database_url": database_urls[STORE]})
    made = [
        build_runtime(config, local, MemoryHub(), RateLimiter(), mount_path=f"/{STORE}")
        for _ in range(2)
    ]
    try:
        yield made
    finally:
        async with made[0].db.transaction() as db:
            await db.execute(delete(OutboxEvent).where(OutboxEvent.event_type == EVENT))
        for runtime in made:
            await runtime.db.dispose()


def listen(runtimes, handler) -> None:
    for runtime in runtimes:
        real = runtime.modules.handlers_for
        runtime.modules.handlers_for = lambda t, real=real: [
            *real(t),
            *([handler] if t == EVENT else []),
        ]


async def test_two_workers_never_deliver_the_same_event_twice(workers):
    # Given 30 committed events and two workers whose handler takes a little time
    async with workers[0].db.transaction() as db:
        for n in range(30):
            await outbox.emit(db, EVENT, {"n": n})
    deliveries: Counter[int] = Counter()

    async def slow_handler(ctx, event):
        deliveries[event.payload["n"]] += 1
        await asyncio.sleep(0.005)

    listen(workers, slow_handler)

    async def drain(runtime):
        while await process_batch(runtime, limit=3):
            pass

    # When both drain the queue at the same time
    await asyncio.wait_for(asyncio.gather(*(drain(w) for w in workers)), timeout=60)
    # Then every event was delivered exactly once and all are done
    assert sorted(deliveries) == list(range(30))
    assert set(deliveries.values()) == {1}
    async with workers[0].db.transaction(write=False) as db:
        statuses = set(
            await db.scalars(select(OutboxEvent.status).where(OutboxEvent.event_type == EVENT))
        )
    assert statuses == {"done"}


async def test_postgres_workers_skip_rows_another_worker_has_locked(workers, database_urls):
    if workers[0].db.sqlite:
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite serialises writers instead")
    # Given two due events, the first locked by another worker's open claim transaction
    async with workers[0].db.transaction() as db:
        first = await outbox.emit(db, EVENT, {"n": 1})
        second = await outbox.emit(db, EVENT, {"n": 2})
    delivered = []

    async def handler(ctx, event):
        delivered.append(event.id)

    listen(workers[1:], handler)
    other = Database(database_urls[STORE], pool=False)
    try:
        async with other.transaction() as holder:
            await holder.execute(
                select(OutboxEvent.id).where(OutboxEvent.id == first.id).with_for_update()
            )
            # When this worker runs meanwhile
            claimed = await asyncio.wait_for(process_batch(workers[1]), timeout=10)
            # Then it did not wait for the lock: it took the other event and moved on
            assert claimed == 1
            assert delivered == [second.id]
    finally:
        await other.dispose()
    # And once the lock is gone, the first event is delivered too
    assert await process_batch(workers[1]) == 1
    assert delivered == [second.id, first.id]


async def test_postgres_delivers_each_event_in_a_transaction_of_its_own(workers):
    if workers[0].db.sqlite:
        pytest.skip("SQLite delivers a batch in one transaction (its write lock is the cost)")
    # Given three due events
    async with workers[0].db.transaction() as db:
        for n in range(3):
            await outbox.emit(db, EVENT, {"n": n})
    transactions: list[int] = []

    async def handler(ctx, event):
        transactions.append(await ctx.db.scalar(text("SELECT txid_current()")))

    listen(workers[:1], handler)
    # When one worker delivers them
    assert await process_batch(workers[0]) == 3
    # Then each ran in its own transaction: a batch holding the rows of several events'
    # handlers deadlocked with another worker's batch taking them in another order
    assert len(transactions) == 3
    assert len(set(transactions)) == 3


async def test_postgres_two_first_storefront_versions_at_once_both_succeed(workers):
    if workers[0].db.sqlite:
        pytest.skip("SQLite's write lock serialises the two transactions")
    from types import SimpleNamespace

    from mercato.models import StoreSetting
    from mercato.platform import storefront_version

    async def drop_row() -> None:
        async with workers[0].db.transaction() as db:
            await db.execute(
                delete(StoreSetting).where(StoreSetting.key == storefront_version.VERSION_KEY)
            )

    async def second() -> None:
        async with workers[1].db.transaction() as db:
            await storefront_version.handle_changed(SimpleNamespace(db=db), None)

    # Given a store whose version row does not exist yet
    await drop_row()
    try:
        # When two workers write the first version at the same time (the second waits on
        # the first's uncommitted row)
        async with workers[0].db.transaction() as db:
            await storefront_version.handle_changed(SimpleNamespace(db=db), None)
            waiting = asyncio.create_task(second())
            await asyncio.sleep(0.3)
        # Then the second does not fail on the key the first inserted: it writes its value
        await asyncio.wait_for(waiting, timeout=10)
        value = await storefront_version.read(workers[0].db)
        assert value
    finally:
        await drop_row()
