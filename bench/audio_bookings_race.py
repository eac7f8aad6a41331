"""Booking contention: many customers booking the same day at once, each in its own
transaction and connection, against a migrated database of its own.

    flock /tmp/mercato-bench.lock uv run python bench/audio_bookings_race.py [--customers 50]
        [--technicians 4] [--url postgresql+asyncpg://postgres@127.0.0.1:5432/bench_bookings]

Reports how many bookings were made (never more than the slots × technicians offered), how
many were refused, the median and 95th percentile time per attempt, and the queries an
availability lookup costs. Without --url it uses a SQLite file in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, func, select  # noqa: E402
from tests.bookings.support import (  # noqa: E402
    make_district,
    make_service,
    make_technician,
    make_user,
    request,
)

from mercato.bookings import service, slots  # noqa: E402
from mercato.db import Database  # noqa: E402
from mercato.kit.errors import Conflict  # noqa: E402
from mercato.models.bookings import Booking  # noqa: E402
from mercato.platform.migrate import upgrade  # noqa: E402

TZ = "Asia/Ho_Chi_Minh"


async def run(url: str, customers: int, technicians: int) -> None:
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    now = datetime.now(UTC)
    cal = service.Calendar(timezone=TZ, currency="VND", now=now)
    day = slots.local_day(now + timedelta(days=2), TZ)
    async with db.transaction() as session:
        svc = await make_service(session, duration=60, buffer=30)
        district = await make_district(session)
        for _ in range(technicians):
            await make_technician(session, [svc])
        users = [(await make_user(session)).id for _ in range(customers)]
        offered = await service.availability(session, svc, day, cal)
    # Everybody wants one of four times far enough apart not to overlap one another, so the
    # capacity is exactly 4 × technicians.
    gap = timedelta(minutes=svc.duration_minutes + svc.buffer_minutes)
    starts: list[datetime] = []
    for slot in offered:
        if len(starts) < 4 and (not starts or slot.starts_at >= starts[-1] + gap):
            starts.append(slot.starts_at)

    # Queries per availability lookup (independent of the number of technicians).
    statements = 0

    def count(*_args) -> None:
        nonlocal statements
        statements += 1

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    async with db.transaction(write=False) as session:
        await service.availability(session, svc, day, cal)
    event.remove(db.engine.sync_engine, "before_cursor_execute", count)

    timings: list[float] = []

    async def attempt(n: int, user_id: int) -> str:
        from mercato.models import User

        started = time.perf_counter()
        try:
            async with db.transaction() as session:
                user = await session.get(User, user_id)
                await service.create_booking(
                    session, user, request(svc, starts[n % len(starts)], district), cal
                )
            return "booked"
        except Conflict:
            return "refused"
        finally:
            timings.append(time.perf_counter() - started)

    wall = time.perf_counter()
    outcomes = await asyncio.gather(*(attempt(n, u) for n, u in enumerate(users)))
    wall = time.perf_counter() - wall
    async with db.transaction(write=False) as session:
        made = await session.scalar(select(func.count()).select_from(Booking))
    await db.dispose()
    capacity = len(starts) * technicians
    print(f"engine: {url.split(':')[0]}  customers: {customers}  technicians: {technicians}")
    print(
        f"booked {outcomes.count('booked')} (rows {made}, capacity {capacity}), "
        f"refused {outcomes.count('refused')}"
    )
    ordered = sorted(timings)
    print(
        f"per attempt: median {statistics.median(ordered) * 1000:.1f} ms, "
        f"p95 {ordered[int(len(ordered) * 0.95) - 1] * 1000:.1f} ms; all {wall * 1000:.0f} ms"
    )
    print(f"availability lookup: {statements} SQL statements")
    assert made == outcomes.count("booked") <= capacity, "double booking!"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--technicians", type=int, default=4)
    parser.add_argument("--url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite+aiosqlite:///{folder}/bookings.db"
        asyncio.run(run(url, args.customers, args.technicians))


if __name__ == "__main__":
    main()
