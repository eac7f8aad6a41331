"""No double booking under real concurrency: customers racing for the same technician and
slot, each in its own transaction on its own connection, on a migrated SQLite file and on
PostgreSQL when MERCATO_TEST_DATABASE_URL is set (as in tests/inventory/test_concurrency.py).
The slot-claim primary key decides; nothing in Python holds a lock."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from mercato.bookings import service
from mercato.kit.errors import Conflict
from mercato.models.bookings import Booking, BookingSlotClaim
from tests.bookings.support import (
    at,
    calendar,
    make_district,
    make_service,
    make_technician,
    make_user,
    request,
)
from tests.inventory.test_concurrency import database  # noqa: F401 - the fixture


async def _attempt(database, customer_id: int, req) -> str:  # noqa: F811
    try:
        async with database.transaction(write=True) as session:
            from mercato.models import User

            customer = await session.get(User, customer_id)
            await service.create_booking(session, customer, req, calendar())
    except Conflict:
        return "taken"
    return "booked"


async def test_ten_customers_race_for_one_technician_and_slot(database):  # noqa: F811
    # Given one technician free at 10:00 tomorrow
    async with database.transaction() as session:
        svc = await make_service(session)
        district = await make_district(session)
        tech = await make_technician(session, [svc])
        customers = [(await make_user(session)).id for _ in range(10)]
        req = request(svc, at("10:00"), district, technician_id=tech.id)
    # When ten customers book that technician at 10:00 at the same moment
    outcomes = await asyncio.gather(*(_attempt(database, c, req) for c in customers))
    # Then exactly one booking exists and the other nine were told the slot is taken
    assert outcomes.count("booked") == 1 and outcomes.count("taken") == 9
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Booking)) == 1
        booking = await session.scalar(select(Booking))
        claims = await session.scalar(
            select(func.count())
            .select_from(BookingSlotClaim)
            .where(BookingSlotClaim.booking_id == booking.id)
        )
    assert claims == 6  # 60 minutes + 30 minutes of buffer = six quarter hours


async def test_auto_assigned_racers_fill_each_technician_once(database):  # noqa: F811
    # Given two qualified technicians and six customers wanting 14:00, none choosing
    async with database.transaction() as session:
        svc = await make_service(session)
        district = await make_district(session)
        techs = [(await make_technician(session, [svc])).id for _ in range(2)]
        customers = [(await make_user(session)).id for _ in range(6)]
        req = request(svc, at("14:00"), district)
    outcomes = await asyncio.gather(*(_attempt(database, c, req) for c in customers))
    # Then two bookings, one per technician, and four refusals
    assert outcomes.count("booked") == 2
    async with database.transaction() as session:
        assigned = list(
            await session.scalars(select(Booking.technician_id).order_by(Booking.technician_id))
        )
    assert assigned == sorted(techs)


async def test_overlapping_times_race_too(database):  # noqa: F811
    # 10:00 and 10:30 overlap (60 minutes + buffer): only one of the two may win
    async with database.transaction() as session:
        svc = await make_service(session)
        district = await make_district(session)
        tech = await make_technician(session, [svc])
        a, b = (await make_user(session)).id, (await make_user(session)).id
    outcomes = await asyncio.gather(
        _attempt(database, a, request(svc, at("10:00"), district, technician_id=tech.id)),
        _attempt(database, b, request(svc, at("10:30"), district, technician_id=tech.id)),
    )
    assert sorted(outcomes) == ["booked", "taken"]
