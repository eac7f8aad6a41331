"""The worker loop: keeps delivering across stores, survives failures, stops on request."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal

from sqlalchemy import delete, select

from mercato.db import Database
from mercato.models import OutboxEvent, ScheduledRun
from mercato.platform import outbox, worker
from mercato.platform.modules import Schedule


async def wait_until(condition, seconds: float = 5.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - polls a plain list the handlers fill
            await asyncio.sleep(0.01)


async def test_the_loop_delivers_runs_schedules_and_stops(runtime, db, handlers, schedules):
    # Given a pending event and an every-minute schedule
    delivered, jobs = [], []

    async def handler(ctx, event):
        delivered.append(event.id)

    async def job(ctx):
        jobs.append(ctx.slot)

    handlers["test.loop"].append(handler)
    schedules.append(Schedule("test.loop-minutely", "* * * * *", job))
    runtime.extras.pop("scheduler.seen", None)
    event = await outbox.emit(db, "test.loop", {})
    stop = asyncio.Event()
    # When the loop runs
    task = asyncio.create_task(worker.run_worker_loop([runtime], stop))
    await wait_until(lambda: delivered and jobs)
    stop.set()
    await asyncio.wait_for(task, 5)
    # Then it delivered the event, ran the job, and returned when asked
    assert delivered == [event.id]
    assert len(jobs) == 1


async def test_a_failing_store_does_not_stop_the_others(runtime, db, handlers, monkeypatch):
    # Given a first store whose database is down, and a healthy one with an event
    delivered = []

    async def handler(ctx, event):
        delivered.append(event.id)

    handlers["test.loop-survives"].append(handler)
    await outbox.emit(db, "test.loop-survives", {})
    real_batch = worker.process_batch

    async def batch(rt, limit=50):
        if rt is broken:
            raise ConnectionError("database unreachable")
        return await real_batch(rt, limit)

    broken = dataclasses.replace(runtime, extras={})
    monkeypatch.setattr(worker, "process_batch", batch)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run_worker_loop([broken, runtime], stop))
    # When the loop goes round, then the healthy store's event is still delivered
    await wait_until(lambda: delivered)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert len(delivered) == 1


async def test_standalone_worker_delivers_and_stops_on_sigterm(settings, database_urls):
    # Given a committed event in one store's real database (as `mercato worker` would see)
    url = database_urls["qala"]
    database = Database(url, pool=False)
    async with database.transaction() as session:
        event = await outbox.emit(session, "test.standalone", {})
    local = settings.model_copy(update={"database_url": url, "worker_poll_seconds": 0.05})
    try:
        # When the standalone worker runs and then receives SIGTERM
        loop = asyncio.get_running_loop()
        loop.call_later(0.5, os.kill, os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(worker.run_standalone(local, ["qala"]), 10)
        # Then it stopped cleanly, having delivered the event (no handler: marked done)
        async with database.transaction(write=False) as session:
            status = await session.scalar(
                select(OutboxEvent.status).where(OutboxEvent.id == event.id)
            )
        assert status == "done"
    finally:
        async with database.transaction() as session:
            await session.execute(delete(OutboxEvent).where(OutboxEvent.id == event.id))
            # the loop also ran this store's schedules (housekeeping) for real
            await session.execute(delete(ScheduledRun))
        await database.dispose()
