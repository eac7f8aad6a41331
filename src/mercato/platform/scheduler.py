"""Scheduled jobs (DESIGN.md §4): cron expressions that run once per slot across instances.

Each tick computes, for every schedule of the store, the most recent slot at or before now
(in the store's timezone, so "0 3 * * *" is 03:00 where the store is). Whoever inserts the
``ScheduledRun(name, slot)`` row first runs it; the unique key turns every other instance's
insert into an IntegrityError, which means "someone else has it". Only the latest slot is
ever considered: after downtime a job runs once, not once per missed slot.

A slot is claimed before its job runs, so a process that dies mid-job leaves the slot
"running" and it is not retried: jobs run at most once per slot and are written so the
next slot catches up (delete everything expired, not "what expired in the last day").
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.time import utcnow
from mercato.models import ScheduledRun
from mercato.platform.modules import Schedule
from mercato.platform.runtime import StoreRuntime

log = logging.getLogger("mercato.scheduler")
ERROR_LIMIT = 2000
_SEEN_KEY = "scheduler.seen"  # runtime.extras: (name, slot) already decided in this process


@dataclass
class JobContext:
    """What a scheduled job gets: the store, a session in the job's transaction, the slot it
    runs for (aware UTC) and callbacks run once that transaction committed."""

    runtime: StoreRuntime
    db: AsyncSession
    slot: datetime
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


def latest_slot(cron: str, now: datetime, timezone: str) -> datetime:
    """The most recent time ≤ ``now`` that ``cron`` names, in ``timezone``, as aware UTC."""
    # Imported by the first tick: a server started without the worker loop never schedules,
    # and croniter brings dateutil (issue 3, memory per worker).
    from croniter import croniter  # type: ignore[import-untyped]

    local = now.astimezone(ZoneInfo(timezone)).replace(microsecond=0)
    # croniter's get_prev is strictly before its start; start one second later so a tick
    # landing exactly on the slot still counts it.
    previous = croniter(cron, local + timedelta(seconds=1)).get_prev(datetime)
    return previous.astimezone(UTC)


async def tick(runtime: StoreRuntime, now: datetime | None = None) -> list[str]:
    """Run every schedule whose latest slot nobody has claimed yet; returns what ran here."""
    now = now or utcnow()
    seen: set[tuple[str, datetime]] = runtime.extras.setdefault(_SEEN_KEY, set())
    ran: list[str] = []
    for schedule in runtime.modules.schedules():
        slot = latest_slot(schedule.cron, now, runtime.config.timezone)
        key = (schedule.name, slot)
        if key in seen:  # decided already: spare the database a query every poll
            continue
        claimed = await _claim(runtime, schedule.name, slot)
        seen.add(key)
        if len(seen) > 1000:  # old slots are never asked again
            seen.clear()
            seen.add(key)
        if claimed is None:
            continue
        await _run(runtime, schedule, slot, claimed)
        ran.append(schedule.name)
    return ran


async def _claim(runtime: StoreRuntime, name: str, slot: datetime) -> int | None:
    """Insert the slot's run row; None when another instance (or an earlier tick) has it."""
    try:
        async with runtime.db.transaction(write=True) as db:
            exists = await db.scalar(
                select(ScheduledRun.id).where(ScheduledRun.name == name, ScheduledRun.slot == slot)
            )
            if exists is not None:
                return None
            run = ScheduledRun(name=name, slot=slot, status="running", started_at=utcnow())
            db.add(run)
            await db.flush()
            return run.id
    except IntegrityError:
        return None  # lost the race: the unique (name, slot) key says someone else runs it


async def _run(runtime: StoreRuntime, schedule: Schedule, slot: datetime, run_id: int) -> None:
    ctx: JobContext | None = None
    try:
        async with runtime.db.transaction(write=True) as db:
            ctx = JobContext(runtime=runtime, db=db, slot=slot)
            await schedule.job(ctx)
            run = await db.get(ScheduledRun, run_id)
            assert run is not None
            run.status = "done"
            run.finished_at = utcnow()
    except Exception as exc:
        log.exception("scheduled job failed", extra={"job": schedule.name, "store": runtime.slug})
        async with runtime.db.transaction(write=True) as db:
            run = await db.get(ScheduledRun, run_id)
            if run is not None:
                run.status = "failed"
                run.finished_at = utcnow()
                run.error = f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT]
        return
    log.info("scheduled job done", extra={"job": schedule.name, "store": runtime.slug})
    for callback in ctx.after_commit:
        try:
            await callback()
        except Exception:
            log.exception("after-commit callback failed", extra={"job": schedule.name})
