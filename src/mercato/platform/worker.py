"""The outbox worker (DESIGN.md §4): delivers events after the transaction that wrote them.

Delivery is at least once, so every handler is idempotent: it checks whether its work is
already done (an email already sent, a row already there) before doing it.

One batch: claim due events (PostgreSQL: ``FOR UPDATE SKIP LOCKED`` so any number of workers
share the queue; SQLite: a ``BEGIN IMMEDIATE`` write transaction), stamp them with a short
lease (``locked_until``) and commit the claim; then deliver each event in its own transaction.
A failing event is rolled back alone, retried with exponential backoff and, after
``MAX_ATTEMPTS``, dead-lettered for an admin to look at and retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.config import Settings
from mercato.kit.time import utcnow
from mercato.models import OutboxEvent
from mercato.platform import outbox, scheduler
from mercato.platform.outbox import AfterCommit, HandlerContext, dead_letter_type
from mercato.platform.runtime import StoreRuntime

log = logging.getLogger("mercato.worker")

MAX_ATTEMPTS = 8
LEASE = timedelta(seconds=60)  # a crashed worker's claim frees itself after this
MAX_BACKOFF_SECONDS = 3600
ERROR_LIMIT = 2000
HOT_SECONDS = 2.0  # after finding work, poll often for this long (other processes' events)
HOT_POLL_SECONDS = 0.05
BATCH_SECONDS = 0.1  # a batch takes no new event after this long: the write lock is shared

__all__ = [
    "MAX_ATTEMPTS",
    "HandlerContext",
    "backoff_seconds",
    "process_batch",
    "retry_dead",
    "run_standalone",
    "run_worker_loop",
]


def backoff_seconds(attempts: int) -> float:
    """2, 4, 8 … seconds after the 1st, 2nd, 3rd failure, capped at an hour, plus up to 10 %
    jitter so events that failed together (an SMTP outage) do not all retry together."""
    base = min(2**attempts, MAX_BACKOFF_SECONDS)
    return base * (1 + random.uniform(0, 0.1))


async def _claim(runtime: StoreRuntime, limit: int) -> list[int]:
    """The one-event-per-transaction path (after a failed batch): lease the events, commit
    the lease, then deliver each alone."""
    now = utcnow()
    async with runtime.db.transaction(write=True) as db:
        due = (
            select(OutboxEvent.id)
            .where(*_due(now))
            .order_by(OutboxEvent.next_attempt_at, OutboxEvent.id)
            .limit(limit)
            # PostgreSQL skips rows another worker holds; SQLite renders no clause and
            # relies on BEGIN IMMEDIATE, which serialises writers anyway.
            .with_for_update(skip_locked=True)
        )
        ids = list(await db.scalars(due))
        if ids:
            await db.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id.in_(ids))
                .values(locked_until=now + LEASE)
                .execution_options(synchronize_session=False)
            )
    return ids


async def _deliver(runtime: StoreRuntime, event_id: int) -> bool:
    """Run the handlers of one event in one transaction; True when it was delivered."""
    ctx: HandlerContext | None = None
    try:
        async with runtime.db.transaction(write=True) as db:
            # Lock the row for the delivery: if a lease expired during a slow handler, a
            # second worker waits here and then sees the event done, instead of repeating it.
            event = await db.scalar(
                select(OutboxEvent).where(OutboxEvent.id == event_id).with_for_update()
            )
            if event is None or event.status != "pending":
                return False
            ctx = HandlerContext(runtime=runtime, db=db, event=event)
            await _handle(runtime, ctx, event)
    except Exception as exc:
        await _record_failure(runtime, event_id, exc)
        return False
    for callback in ctx.after_commit:
        try:
            await callback()
        except Exception:
            # The event is delivered; a lost realtime push is not worth a redelivery.
            log.exception("after-commit callback failed", extra={"event_id": event_id})
    return True


async def _handle(runtime: StoreRuntime, ctx: HandlerContext, event: OutboxEvent) -> None:
    """Run the event's handlers and mark it delivered, in the caller's transaction."""
    for handler in runtime.modules.handlers_for(event.event_type):
        await handler(ctx, event)
    event.status = "done"
    event.processed_at = utcnow()
    event.locked_until = None


async def _record_failure(runtime: StoreRuntime, event_id: int, exc: Exception) -> None:
    async with runtime.db.transaction(write=True) as db:
        event = await db.scalar(
            select(OutboxEvent).where(OutboxEvent.id == event_id).with_for_update()
        )
        if event is None:
            return
        await _count_failure(runtime, db, event, exc)


async def _count_failure(
    runtime: StoreRuntime, db: AsyncSession, event: OutboxEvent, exc: Exception
) -> None:
    """One more failed attempt: retry later with backoff, or dead-letter the event."""
    event.attempts += 1
    event.last_error = f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT]
    event.locked_until = None
    if event.attempts >= MAX_ATTEMPTS:
        event.status = "dead"
        await _run_dead_letter_handlers(runtime, db, event)
        log.error(
            "event dead-lettered",
            extra={"event_id": event.id, "event_type": event.event_type, "store": runtime.slug},
        )
    else:
        event.next_attempt_at = utcnow() + timedelta(seconds=backoff_seconds(event.attempts))
        log.warning(
            "event failed; will retry",
            extra={
                "event_id": event.id,
                "event_type": event.event_type,
                "attempts": event.attempts,
                "error": event.last_error,
                "store": runtime.slug,
            },
        )
    await db.flush()


async def _run_dead_letter_handlers(
    runtime: StoreRuntime, db: AsyncSession, event: OutboxEvent
) -> None:
    """Let the module mark what the event was for as failed (an email, a webhook). Inside a
    savepoint: a failing dead-letter handler is logged and must not keep the event alive."""
    ctx = HandlerContext(runtime=runtime, db=db, event=event)
    for handler in runtime.modules.handlers_for(dead_letter_type(event.event_type)):
        try:
            async with db.begin_nested():
                await handler(ctx, event)
        except Exception:
            log.exception("dead-letter handler failed", extra={"event_id": event.id})


async def _anything_due(runtime: StoreRuntime) -> bool:
    """A read-only look first: an idle store's poll then never takes the write lock (on
    SQLite that lock is shared with every shopper's request)."""
    now = utcnow()
    async with runtime.db.transaction(write=False) as db:
        found = await db.scalar(select(OutboxEvent.id).where(*_due(now)).limit(1))
    return found is not None


def _due(now: datetime) -> tuple[Any, ...]:
    return (
        OutboxEvent.status == "pending",
        OutboxEvent.next_attempt_at <= now,
        or_(OutboxEvent.locked_until.is_(None), OutboxEvent.locked_until < now),
    )


async def _deliver_batch(runtime: StoreRuntime, limit: int) -> int:
    """Claim and deliver up to ``limit`` due events in one transaction, each in a savepoint.

    One write transaction per batch instead of two per event: under load the lock (SQLite's
    single writer) and the commit are what an event costs, not its handler. The rows stay
    locked (PostgreSQL ``FOR UPDATE SKIP LOCKED``; SQLite ``BEGIN IMMEDIATE``) until the
    commit, so no other worker can take them meanwhile, and a crash rolls everything back to
    pending. A failing handler rolls back its own savepoint only and its failure is recorded
    in the same transaction. The batch stops taking events after ``BATCH_SECONDS`` so the
    write lock is never held long; the rest stay pending for the next batch.
    """
    now = utcnow()
    handled = 0
    callbacks: list[AfterCommit] = []
    async with runtime.db.transaction(write=True) as db:
        events = list(
            await db.scalars(
                select(OutboxEvent)
                .where(*_due(now))
                .order_by(OutboxEvent.next_attempt_at, OutboxEvent.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        # Counted from here, not from BEGIN: under load the wait for the lock can be long,
        # and a batch that then took one event would pay that wait for every event.
        started = time.monotonic()
        for event in events:
            if handled and time.monotonic() - started > BATCH_SECONDS:
                break
            handled += 1
            ctx = HandlerContext(runtime=runtime, db=db, event=event)
            try:
                async with db.begin_nested():
                    await _handle(runtime, ctx, event)
            except Exception as exc:
                # The savepoint's rollback expired the row: read it again before counting.
                failed = await db.scalar(
                    select(OutboxEvent)
                    .where(OutboxEvent.id == event.id)
                    .execution_options(populate_existing=True)
                )
                if failed is not None:
                    await _count_failure(runtime, db, failed, exc)
                continue
            callbacks.extend(ctx.after_commit)
    for callback in callbacks:
        try:
            await callback()
        except Exception:
            # The event is delivered; a lost realtime push is not worth a redelivery.
            log.exception("after-commit callback failed", extra={"store": runtime.slug})
    return handled


async def process_batch(runtime: StoreRuntime, limit: int = 50) -> int:
    """Claim up to ``limit`` due events of one store and deliver them; returns how many
    were claimed (delivered or failed), 0 when the queue is idle."""
    if not await _anything_due(runtime):
        return 0
    # Batches are for SQLite, whose one write lock is what an event costs there. PostgreSQL
    # locks rows: two workers' batches, each holding the rows its handlers had touched
    # (the product's inventory row, the storefront version), took them in different orders
    # and deadlocked (7 times in a 10 s checkout run, each a 1 s wait and a retry), so
    # there every event keeps a transaction of its own.
    if runtime.db.sqlite:
        try:
            return await _deliver_batch(runtime, limit)
        except Exception:
            # The batch's own transaction failed (a failed commit): nothing of it was kept.
            # Go one event per transaction, which records each failure, so a poisonous
            # event cannot keep the others from being delivered.
            log.exception(
                "outbox batch failed; delivering one by one", extra={"store": runtime.slug}
            )
    ids = await _claim(runtime, limit)
    for event_id in ids:
        await _deliver(runtime, event_id)
    return len(ids)


async def retry_dead(db: AsyncSession, event_id: int) -> bool:
    """Send a dead-lettered event back to the queue with a fresh set of attempts.

    The caller's unit of work commits. Returns False when the event is not dead (already
    retried, or never failed), so a double click does nothing.
    """
    result: CursorResult[Any] = await db.execute(  # type: ignore[assignment]
        update(OutboxEvent)
        .where(OutboxEvent.id == event_id, OutboxEvent.status == "dead")
        .values(status="pending", attempts=0, next_attempt_at=utcnow(), locked_until=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def dead_events(db: AsyncSession, *, limit: int = 100) -> list[OutboxEvent]:
    """Dead-lettered events, newest first, for the admin."""
    rows = await db.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.status == "dead")
        .order_by(OutboxEvent.id.desc())
        .limit(limit)
    )
    return list(rows)


async def run_worker_loop(runtimes: list[StoreRuntime], stop: asyncio.Event | None = None) -> None:
    """Deliver events and run schedules for every store until ``stop`` is set (or the task
    is cancelled). A failure in one store is logged and never stops the others.

    The loop sleeps until a commit of this process writes an outbox row (outbox.add_waker)
    or the poll interval passes; for ``HOT_SECONDS`` after it last found work it polls
    every ``HOT_POLL_SECONDS`` instead, so events committed by another process (a separate
    ``mercato worker``, a second server) wait tens of milliseconds under load, not a second.
    Schedules are looked at once per poll interval, however often the loop wakes.
    """
    stop = stop or asyncio.Event()
    poll = min(r.settings.worker_poll_seconds for r in runtimes) if runtimes else 1.0
    every = {r.slug for r in runtimes}
    woken = asyncio.Event()
    woken_stores: set[str] = set()
    loop = asyncio.get_running_loop()

    def on_commit(store: str) -> None:
        woken_stores.add(store if store in every else "*")
        loop.call_soon_threadsafe(woken.set)

    outbox.add_waker(on_commit)
    log.info("worker started", extra={"stores": sorted(every)})
    look = set(every)  # the stores the next pass asks for due events
    last_work = last_tick = -float("inf")
    try:
        while not stop.is_set():
            woken.clear()
            busy: set[str] = set()
            for runtime in runtimes:
                if runtime.slug not in look:
                    continue
                try:
                    if await process_batch(runtime) > 0:
                        busy.add(runtime.slug)
                except Exception:
                    log.exception("outbox batch failed", extra={"store": runtime.slug})
            now = time.monotonic()
            if now - last_tick >= poll:
                last_tick = now
                for runtime in runtimes:
                    try:
                        await scheduler.tick(runtime)
                    except Exception:
                        log.exception("scheduler tick failed", extra={"store": runtime.slug})
            if busy:
                last_work = now
            look = busy | _take(woken_stores, every)
            if look:  # work found or announced: go again at once
                continue
            hot = time.monotonic() - last_work < HOT_SECONDS
            timeout = min(poll, HOT_POLL_SECONDS) if hot else poll
            waiting = asyncio.ensure_future(woken.wait())
            stopping = asyncio.ensure_future(stop.wait())
            try:
                await asyncio.wait(
                    {waiting, stopping}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                waiting.cancel()
                stopping.cancel()
            look = _take(woken_stores, every) or set(every)
    finally:
        outbox.remove_waker(on_commit)
    log.info("worker stopped")


def _take(woken: set[str], every: set[str]) -> set[str]:
    """The stores announced since the last look ("*": a session that named no store)."""
    taken = set(woken)
    woken.clear()
    return set(every) if "*" in taken else taken & every


async def run_standalone(settings: Settings, slugs: list[str]) -> None:
    """``mercato worker``: the loop for the named stores, until SIGTERM or SIGINT.

    Realtime pushes from a separate worker process reach browsers only through Redis
    (``MERCATO_REDIS_URL``); with the in-memory hub they stay in this process.
    """
    from mercato import modules as _modules  # noqa: F401 - registers the built-in modules
    from mercato.platform.ratelimit import RateLimiter
    from mercato.platform.realtime import make_hub
    from mercato.platform.runtime import build_runtime
    from mercato.platform.stores import discover_stores

    configs = [c for c in discover_stores(settings.stores_dir) if c.slug in set(slugs)]
    if not settings.redis_url:
        log.warning("no MERCATO_REDIS_URL: realtime pushes from this worker reach no browser")
    hub = make_hub(settings.redis_url)
    limiter = RateLimiter(settings.redis_url)
    runtimes = [build_runtime(c, settings, hub, limiter, mount_path=f"/{c.slug}") for c in configs]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # Windows has no signal handlers
            loop.add_signal_handler(sig, stop.set)
    try:
        await run_worker_loop(runtimes, stop)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(sig)
        for runtime in runtimes:
            await runtime.db.dispose()
        await hub.close()
