"""The outbox worker: delivery once, rollback of failed handlers, backoff, dead letters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from mercato.kit.time import utcnow
from mercato.models import AuditEntry, OutboxEvent
from mercato.platform import outbox
from mercato.platform.worker import (
    MAX_ATTEMPTS,
    MAX_BACKOFF_SECONDS,
    backoff_seconds,
    dead_events,
    process_batch,
    retry_dead,
)


async def reload(db, event_id: int) -> OutboxEvent:
    db.expire_all()
    event = await db.get(OutboxEvent, event_id)
    assert event is not None
    return event


async def make_due(db, event_id: int) -> None:
    """Skip the backoff wait, as if its time had come."""
    await db.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id == event_id)
        .values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    await db.flush()


async def test_an_event_is_delivered_once_and_marked_done(runtime, db, handlers):
    # Given an event with a handler
    seen = []

    async def handler(ctx, event):
        seen.append((event.id, event.payload, ctx.event is event, ctx.runtime is runtime))

    handlers["test.ping"].append(handler)
    event = await outbox.emit(db, "test.ping", {"n": 1})
    # When the worker runs twice
    first = await process_batch(runtime)
    second = await process_batch(runtime)
    # Then the handler ran once with the event, and the event is done
    assert seen == [(event.id, {"n": 1}, True, True)]
    assert (first, second) == (1, 0)
    stored = await reload(db, event.id)
    assert stored.status == "done"
    assert stored.processed_at is not None
    assert stored.locked_until is None


async def test_events_without_handlers_are_marked_done(runtime, db):
    # Given an event nobody listens to
    event = await outbox.emit(db, "test.nobody-listens", {})
    # When the worker runs
    await process_batch(runtime)
    # Then it does not stay in the queue for ever
    assert (await reload(db, event.id)).status == "done"


async def test_a_failing_handler_is_rolled_back_and_retried_with_backoff(runtime, db, handlers):
    # Given a handler that writes a row and then fails
    async def handler(ctx, event):
        ctx.db.add(AuditEntry(action="test.half-done", entity_type="test"))
        await ctx.db.flush()
        raise RuntimeError("SMTP said no")

    handlers["test.flaky"].append(handler)
    event = await outbox.emit(db, "test.flaky", {})
    before = utcnow()
    # When the worker runs
    await process_batch(runtime)
    # Then the handler's write is gone, and the event waits about 2 s for its next try
    half_done = await db.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "test.half-done")
    )
    assert half_done == 0
    stored = await reload(db, event.id)
    assert stored.status == "pending"
    assert stored.attempts == 1
    assert stored.last_error == "RuntimeError: SMTP said no"
    assert stored.locked_until is None
    wait = (stored.next_attempt_at - before).total_seconds()
    assert 2 <= wait <= 2 * 1.1 + 1
    # And it is not picked up again before that time
    assert await process_batch(runtime) == 0


async def test_after_commit_callbacks_run_only_when_delivery_succeeds(runtime, db, handlers):
    # Given one handler that succeeds and one that fails, both with after-commit work
    pushed = []

    def with_push(name: str, fail: bool):
        async def handler(ctx, event):
            async def push():
                pushed.append(name)

            ctx.after_commit.append(push)
            if fail:
                raise ValueError("nope")

        return handler

    handlers["test.ok"].append(with_push("ok", fail=False))
    handlers["test.bad"].append(with_push("bad", fail=True))
    await outbox.emit(db, "test.ok", {})
    await outbox.emit(db, "test.bad", {})
    # When the worker runs
    await process_batch(runtime)
    # Then only the committed delivery announced itself
    assert pushed == ["ok"]


async def test_an_event_is_dead_lettered_after_max_attempts(runtime, db, handlers):
    # Given an event whose handler always fails
    calls = []

    async def handler(ctx, event):
        calls.append(event.attempts)
        raise RuntimeError(f"failure {len(calls)}")

    handlers["test.doomed"].append(handler)
    event = await outbox.emit(db, "test.doomed", {})
    # When every retry comes due and fails
    for _ in range(MAX_ATTEMPTS):
        await make_due(db, event.id)
        assert await process_batch(runtime) == 1
    # Then it was tried MAX_ATTEMPTS times and now waits in the dead-letter list
    stored = await reload(db, event.id)
    assert calls == list(range(MAX_ATTEMPTS))
    assert stored.status == "dead"
    assert stored.attempts == MAX_ATTEMPTS
    assert stored.last_error == f"RuntimeError: failure {MAX_ATTEMPTS}"
    assert [e.id for e in await dead_events(db)] == [event.id]
    # And the worker leaves it alone, even when due
    await make_due(db, event.id)
    assert await process_batch(runtime) == 0
    assert len(calls) == MAX_ATTEMPTS


async def test_retry_dead_puts_the_event_back_with_fresh_attempts(runtime, db, handlers):
    # Given a dead event whose cause has been fixed
    delivered = []

    async def handler(ctx, event):
        delivered.append(event.id)

    handlers["test.revived"].append(handler)
    event = await outbox.emit(db, "test.revived", {})
    event.status, event.attempts, event.last_error = "dead", MAX_ATTEMPTS, "Boom: old"
    await db.flush()
    # When an admin retries it (twice, as a double click would)
    assert await retry_dead(db, event.id) is True
    assert await retry_dead(db, event.id) is False
    await db.flush()
    await process_batch(runtime)
    # Then it is delivered
    stored = await reload(db, event.id)
    assert delivered == [event.id]
    assert stored.status == "done"
    assert stored.attempts == 0


async def test_retry_dead_does_not_touch_a_live_event(db):
    # Given a delivered event
    event = await outbox.emit(db, "test.done", {})
    event.status = "done"
    await db.flush()
    # When someone asks to retry it
    changed = await retry_dead(db, event.id)
    # Then nothing changes
    assert changed is False
    assert (await reload(db, event.id)).status == "done"


async def test_an_event_leased_by_another_worker_is_not_claimed(runtime, db, handlers):
    # Given an event another worker claimed a moment ago
    delivered = []

    async def handler(ctx, event):
        delivered.append(event.id)

    handlers["test.leased"].append(handler)
    event = await outbox.emit(db, "test.leased", {})
    event.locked_until = utcnow() + timedelta(seconds=30)
    await db.flush()
    # When this worker runs, then it leaves the event to its owner
    assert await process_batch(runtime) == 0
    # And when the lease has expired (the other worker died), it takes it over
    event.locked_until = utcnow() - timedelta(seconds=1)
    await db.flush()
    assert await process_batch(runtime) == 1
    assert delivered == [event.id]


async def test_batches_respect_the_limit_and_go_oldest_first(runtime, db, handlers):
    # Given five due events
    order = []

    async def handler(ctx, event):
        order.append(event.payload["n"])

    handlers["test.many"].append(handler)
    for n in range(5):
        await outbox.emit(db, "test.many", {"n": n})
    # When the worker takes batches of two
    sizes = [await process_batch(runtime, limit=2) for _ in range(4)]
    # Then all are delivered, in order, in three batches
    assert sizes == [2, 2, 1, 0]
    assert order == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("attempts", [1, 2, 5, 11, 12, 40])
def test_backoff_doubles_with_a_little_jitter_and_is_capped_at_an_hour(attempts):
    base = min(2**attempts, MAX_BACKOFF_SECONDS)
    for _ in range(50):
        delay = backoff_seconds(attempts)
        assert base <= delay <= base * 1.1
    assert backoff_seconds(40) <= 3600 * 1.1
