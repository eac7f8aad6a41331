"""The demo seed: 4 services, districts with fees, 4 technicians with hours, bookings for the
demo customer; a second run adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from mercato.bookings.seed import seed_bookings
from mercato.config import PROJECT_ROOT
from mercato.models.bookings import (
    Booking,
    ServiceDistrict,
    ServiceType,
    Technician,
    TechnicianHours,
)
from mercato.platform.seeding import SeedContext, ensure_user, sync_roles


async def _count(db, model) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def test_seed_is_complete_and_idempotent(db, runtime):
    roles = await sync_roles(db, runtime.modules)
    users = {}
    for demo in runtime.config.demo_users:
        user, _ = await ensure_user(
            db,
            roles,
            email=demo.email,
            password=demo.password,
            name=demo.name,
            role_names=demo.roles,
        )
        users[demo.email] = user
    ctx = SeedContext(
        config=runtime.config,
        settings=runtime.settings,
        seed_dir=PROJECT_ROOT / "stores" / "audio-tai-loc" / "seed",
        storage=runtime.storage,
        users=users,
    )
    await seed_bookings(db, ctx)
    assert await _count(db, ServiceType) == 4
    assert await _count(db, ServiceDistrict) >= 10
    assert await _count(db, Technician) == 4
    assert await _count(db, TechnicianHours) >= 20
    customer = users["khach@audio-tai-loc.test"]
    statuses = sorted(
        await db.scalars(select(Booking.status).where(Booking.customer_id == customer.id))
    )
    assert statuses == ["completed", "confirmed", "pending"]
    await seed_bookings(db, ctx)
    assert await _count(db, Booking) == 3 and await _count(db, Technician) == 4
