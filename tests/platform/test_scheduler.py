"""Scheduled jobs: one run per slot across instances, in the store's timezone, no backlog."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from mercato.kit.time import utcnow
from mercato.models import AuditEntry, EmailToken, RefreshToken, ScheduledRun, User, WebSession
from mercato.platform import scheduler
from mercato.platform.housekeeping import housekeeping_module, prune_identity_tokens
from mercato.platform.modules import Schedule
from mercato.platform.scheduler import JobContext, latest_slot

WINTER_NOON = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)


def test_latest_slot_is_in_the_store_timezone():
    # Given "every day at 03:00" for a store in Paris (UTC+1 in winter, UTC+2 in summer)
    # Then the slot is 02:00 UTC in winter and 01:00 UTC in summer
    assert latest_slot("0 3 * * *", WINTER_NOON, "Europe/Paris") == datetime(
        2027, 1, 15, 2, 0, tzinfo=UTC
    )
    summer = datetime(2027, 7, 15, 12, 0, tzinfo=UTC)
    assert latest_slot("0 3 * * *", summer, "Europe/Paris") == datetime(
        2027, 7, 15, 1, 0, tzinfo=UTC
    )
    # And Ho Chi Minh City (UTC+7) at 01:00 UTC is already 08:00 local: today's slot
    assert latest_slot(
        "0 3 * * *", datetime(2027, 1, 15, 1, 0, tzinfo=UTC), "Asia/Ho_Chi_Minh"
    ) == (datetime(2027, 1, 14, 20, 0, tzinfo=UTC))


def test_a_tick_exactly_on_the_slot_counts_it():
    on_the_dot = datetime(2027, 1, 15, 2, 0, tzinfo=UTC)  # 03:00 in Paris
    assert latest_slot("0 3 * * *", on_the_dot, "Europe/Paris") == on_the_dot
    just_before = on_the_dot - timedelta(seconds=1)
    assert latest_slot("0 3 * * *", just_before, "Europe/Paris") == on_the_dot - timedelta(days=1)


async def runs(db, name: str) -> list[ScheduledRun]:
    db.expire_all()
    rows = await db.scalars(
        select(ScheduledRun).where(ScheduledRun.name == name).order_by(ScheduledRun.slot)
    )
    return list(rows)


async def test_a_slot_runs_once_even_when_ticked_twice_or_by_two_instances(
    db, schedules, fresh_runtime
):
    # Given an hourly job and two app instances sharing the store's database
    calls = []

    async def job(ctx: JobContext):
        calls.append(ctx.slot)

    schedules.append(Schedule("test.hourly", "0 * * * *", job))
    first, second = fresh_runtime(), fresh_runtime()
    # When both tick twice within the same hour
    results = [
        await scheduler.tick(first, WINTER_NOON),
        await scheduler.tick(first, WINTER_NOON + timedelta(minutes=5)),
        await scheduler.tick(second, WINTER_NOON + timedelta(minutes=10)),
        await scheduler.tick(second, WINTER_NOON + timedelta(minutes=59)),
    ]
    # Then the job ran once, for the 12:00 slot, and the run is recorded as done
    assert results == [["test.hourly"], [], [], []]
    assert calls == [WINTER_NOON]
    [run] = await runs(db, "test.hourly")
    assert (run.slot, run.status, run.error) == (WINTER_NOON, "done", "")
    assert run.finished_at is not None
    # And the next hour's slot runs again
    assert await scheduler.tick(second, WINTER_NOON + timedelta(hours=1)) == ["test.hourly"]
    assert len(calls) == 2


async def test_after_downtime_only_the_latest_slot_runs(db, schedules, fresh_runtime):
    # Given an hourly job that last ran at noon
    calls = []

    async def job(ctx):
        calls.append(ctx.slot)

    schedules.append(Schedule("test.catch-up", "0 * * * *", job))
    runtime = fresh_runtime()
    await scheduler.tick(runtime, WINTER_NOON)
    # When the instances come back two days later
    await scheduler.tick(runtime, WINTER_NOON + timedelta(days=2, minutes=30))
    # Then one run catches up, not 48
    assert calls == [WINTER_NOON, WINTER_NOON + timedelta(days=2)]
    assert len(await runs(db, "test.catch-up")) == 2


async def test_a_failing_job_is_recorded_as_failed_and_its_writes_rolled_back(
    db, schedules, fresh_runtime
):
    # Given a job that writes, then fails
    async def job(ctx):
        ctx.db.add(AuditEntry(action="test.job-half-done", entity_type="test"))
        await ctx.db.flush()
        raise RuntimeError("disk full")

    schedules.append(Schedule("test.failing", "*/15 * * * *", job))
    runtime = fresh_runtime()
    # When its slot comes
    await scheduler.tick(runtime, WINTER_NOON)
    # Then the run says failed with the reason, and the half-done write is gone
    [run] = await runs(db, "test.failing")
    assert run.status == "failed"
    assert run.error == "RuntimeError: disk full"
    half_done = await db.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "test.job-half-done")
    )
    assert half_done == 0
    # And a failed slot is not retried by another instance (at most once per slot)
    assert await scheduler.tick(fresh_runtime(), WINTER_NOON + timedelta(minutes=1)) == []


async def test_one_failing_job_does_not_stop_the_others(db, schedules, fresh_runtime):
    done = []

    async def bad(ctx):
        raise ValueError("bad")

    async def good(ctx):
        done.append("good")

    schedules.extend(
        [Schedule("test.bad", "0 * * * *", bad), Schedule("test.good", "0 * * * *", good)]
    )
    ran = await scheduler.tick(fresh_runtime(), WINTER_NOON)
    assert ran == ["test.bad", "test.good"]
    assert done == ["good"]


def test_housekeeping_is_a_core_module_with_a_daily_schedule(runtime):
    assert "housekeeping" in runtime.modules
    [schedule] = housekeeping_module.schedules
    assert schedule in runtime.modules.schedules()
    assert schedule.cron == "15 3 * * *"


async def test_housekeeping_deletes_credentials_that_ended_over_30_days_ago(db, runtime):
    # Given a user with old and recent sessions, refresh tokens and email tokens
    now = utcnow()
    user = User(email="housekeeping@example.com")
    db.add(user)
    await db.flush()
    long_ago, recently = now - timedelta(days=45), now - timedelta(days=5)
    db.add_all(
        [
            WebSession(user_id=user.id, token_hash="a" * 64, expires_at=long_ago),
            WebSession(
                user_id=user.id,
                token_hash="b" * 64,
                expires_at=now + timedelta(days=3),
                revoked_at=long_ago,
            ),
            WebSession(user_id=user.id, token_hash="c" * 64, expires_at=recently),
            WebSession(user_id=user.id, token_hash="d" * 64, expires_at=now + timedelta(days=9)),
            RefreshToken(user_id=user.id, family_id="f", token_hash="e" * 64, expires_at=long_ago),
            RefreshToken(user_id=user.id, family_id="f", token_hash="f" * 64, expires_at=recently),
            EmailToken(
                user_id=user.id, purpose="reset_password", token_hash="g" * 64, expires_at=long_ago
            ),
            EmailToken(
                user_id=user.id, purpose="verify_email", token_hash="h" * 64, expires_at=recently
            ),
        ]
    )
    await db.flush()
    # When the job runs
    await prune_identity_tokens(JobContext(runtime=runtime, db=db, slot=now))
    # Then only what ended over 30 days ago is gone
    db.expire_all()
    assert set(await db.scalars(select(WebSession.token_hash))) >= {"c" * 64, "d" * 64}
    assert not {"a" * 64, "b" * 64} & set(await db.scalars(select(WebSession.token_hash)))
    assert set(await db.scalars(select(RefreshToken.token_hash))) == {"f" * 64}
    assert set(await db.scalars(select(EmailToken.token_hash))) == {"h" * 64}
