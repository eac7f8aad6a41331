"""The worker wakes when an outbox row is committed, and delivers a batch in one transaction
where each event still succeeds or fails on its own."""

from __future__ import annotations

import asyncio
import dataclasses

from sqlalchemy import select

from mercato.db import STORE_INFO_KEY
from mercato.models import OutboxEvent, StoreSetting, User
from mercato.platform import outbox, worker
from mercato.platform.modules import Schedule
from mercato.platform.worker import process_batch


async def wait_until(condition, seconds: float = 10.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - polls a plain list the handlers fill
            await asyncio.sleep(0.01)


async def test_a_committed_event_wakes_a_sleeping_worker(
    runtime, db, handlers, schedules, monkeypatch
):
    # Given a worker whose poll interval is an hour, that has gone round once and sleeps
    monkeypatch.setattr(worker, "HOT_SECONDS", 0.0)  # no short polls after recent work
    sleepy = dataclasses.replace(
        runtime,
        settings=runtime.settings.model_copy(update={"worker_poll_seconds": 3600}),
        extras={},
    )
    passes, delivered = [], []

    async def job(ctx):
        passes.append(ctx.slot)  # the schedule runs at the end of the loop's first pass

    async def handler(ctx, event):
        delivered.append(event.id)

    real_take, looked = worker._take, []

    def take(woken, every):  # called once a pass is over, right before the loop sleeps
        looked.append(set(woken))
        return real_take(woken, every)

    monkeypatch.setattr(worker, "_take", take)
    schedules.append(Schedule("test.wake-minutely", "* * * * *", job))
    handlers["test.wake"].append(handler)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run_worker_loop([sleepy], stop))
    try:
        await wait_until(lambda: passes and looked)
        # When a unit of work commits an event
        event = await outbox.emit(db, "test.wake", {})
        await db.commit()
        # Then the worker delivers it long before its hour is up
        await wait_until(lambda: delivered)
        assert delivered == [event.id]
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


async def test_a_rolled_back_unit_of_work_wakes_nobody(db):
    # Given a waker listening for commits
    calls = []
    outbox.add_waker(calls.append)
    try:
        # When a unit of work writes an event and rolls back, and another commits none
        await outbox.emit(db, "test.wake-rollback", {})
        await db.rollback()
        db.add(User(email="wake-none@example.com", name="No Event"))
        await db.commit()
        # Then nobody was woken
        assert calls == []
        # And a commit with an event names its store
        await outbox.emit(db, "test.wake-commit", {})
        await db.commit()
        assert calls == [runtime_slug(db)]
    finally:
        outbox.remove_waker(calls.append)


def runtime_slug(db) -> str:
    return db.sync_session.info[STORE_INFO_KEY]


async def test_in_one_batch_a_failing_event_is_undone_alone(runtime, db, handlers):
    # Given three events in one batch, the middle one's handler writing and then failing
    async def write(ctx, event):
        ctx.db.add(StoreSetting(key=f"test.batch-{event.payload['n']}", value="x"))
        await ctx.db.flush()
        if event.payload["n"] == 2:
            raise RuntimeError("the mail server is down")

    handlers["test.batch"].append(write)
    ids = [(await outbox.emit(db, "test.batch", {"n": n})).id for n in (1, 2, 3)]
    # When the worker runs one batch
    assert await process_batch(runtime) == 3
    # Then the first and third are done with their writes kept
    db.expire_all()
    rows = {e.id: e for e in await db.scalars(select(OutboxEvent).where(OutboxEvent.id.in_(ids)))}
    assert [rows[i].status for i in ids] == ["done", "pending", "done"]
    keys = set(
        await db.scalars(select(StoreSetting.key).where(StoreSetting.key.like("test.batch-%")))
    )
    assert keys == {"test.batch-1", "test.batch-3"}
    # And the second's failure is counted, for a retry after its backoff
    assert rows[ids[1]].attempts == 1
    assert "mail server" in rows[ids[1]].last_error
