"""Booking rules: availability from hours, days off, skills, notice and existing bookings;
booking with auto-assignment or a chosen technician; districts and travel fees; every
status transition; reminders; customers and technicians see only their own bookings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from mercato.bookings import jobs, service, slots
from mercato.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mercato.models import EmailMessage, OutboxEvent
from mercato.models.bookings import BookingSlotClaim
from tests.bookings.support import (
    NOW,
    TOMORROW,
    at,
    calendar,
    make_district,
    make_service,
    make_technician,
    make_user,
    request,
)


async def _starts(db, svc, day=TOMORROW, now=NOW):
    return [s.starts_at for s in await service.availability(db, svc, day, calendar(now))]


async def test_slots_follow_working_hours_and_duration(db):
    # Given a technician working 08:00–17:00 and a 60-minute service
    svc = await make_service(db, duration=60, buffer=30)
    await make_technician(db, [svc])
    # When tomorrow's availability is asked
    starts = await _starts(db, svc)
    # Then starts run every 30 minutes from 08:00 to 16:00 (the job ends by 17:00)
    assert starts[0] == at("08:00") and starts[-1] == at("16:00")
    assert len(starts) == 17


async def test_minimum_notice_applies_today(db):
    svc = await make_service(db)
    await make_technician(db, [svc])
    # It is 08:00 now: the first start offered today is two hours later
    starts = await _starts(db, svc, day=NOW.date())
    assert starts[0] == at("10:00", NOW.date())


async def test_days_off_missing_hours_and_missing_skills_offer_nothing(db):
    svc = await make_service(db)
    other = await make_service(db)
    await make_technician(db, [svc], days_off=[TOMORROW])
    await make_technician(db, [svc], weekdays=[0, 1])  # no Wednesday hours
    await make_technician(db, [other])  # not qualified
    assert await _starts(db, svc) == []


async def test_past_days_and_days_past_the_horizon_offer_nothing(db):
    svc = await make_service(db)
    await make_technician(db, [svc])
    assert await _starts(db, svc, day=NOW.date() - timedelta(days=1)) == []
    assert await _starts(db, svc, day=NOW.date() + timedelta(days=slots.HORIZON_DAYS + 1)) == []


async def test_a_booking_blocks_its_duration_and_buffer(db):
    # Given one technician and a 60-minute job with 30 minutes of buffer booked at 10:00
    svc = await make_service(db, duration=60, buffer=30)
    district = await make_district(db)
    await make_technician(db, [svc])
    customer = await make_user(db)
    await service.create_booking(db, customer, request(svc, at("10:00"), district), calendar())
    starts = await _starts(db, svc)
    # Then 08:30 still fits before it, 09:00 to 11:00 overlap it, 11:30 is free again
    assert at("08:30") in starts
    for blocked in ("09:00", "09:30", "10:00", "10:30", "11:00"):
        assert at(blocked) not in starts
    assert at("11:30") in starts


async def test_booking_totals_the_price_and_the_district_travel_fee(db):
    svc = await make_service(db, price=800_000)
    district = await make_district(db, fee=60_000)
    await make_technician(db, [svc])
    booking = await service.create_booking(
        db, await make_user(db), request(svc, at("09:00"), district), calendar()
    )
    assert (booking.price, booking.travel_fee, booking.total) == (800_000, 60_000, 860_000)
    assert booking.status == "pending" and booking.number.startswith("DV-")
    event = await db.scalar(select(OutboxEvent).where(OutboxEvent.event_type == "booking.created"))
    assert event is not None and event.payload["number"] == booking.number


async def test_in_store_services_need_no_address_and_charge_no_travel(db):
    svc = await make_service(db, on_site=False, price=300_000)
    await make_technician(db, [svc])
    booking = await service.create_booking(
        db, await make_user(db), request(svc, at("09:00"), address=""), calendar()
    )
    assert booking.total == 300_000 and booking.address == ""


@pytest.mark.parametrize("case", ["unknown", "inactive"])
async def test_a_district_not_served_is_refused_on_its_field(db, case):
    svc = await make_service(db)
    await make_technician(db, [svc])
    inactive = await make_district(db, active=False)
    req = request(svc, at("09:00"), inactive)
    if case == "unknown":
        req.district_code = "quan-99"
    with pytest.raises(ValidationFailed) as refused:
        await service.create_booking(db, await make_user(db), req, calendar())
    assert refused.value.field == "district"


async def test_an_on_site_booking_needs_an_address(db):
    svc = await make_service(db)
    await make_technician(db, [svc])
    with pytest.raises(ValidationFailed) as refused:
        await service.create_booking(
            db,
            await make_user(db),
            request(svc, at("09:00"), await make_district(db), address=" "),
            calendar(),
        )
    assert refused.value.field == "address"


async def test_a_time_not_offered_is_refused(db):
    svc = await make_service(db)
    district = await make_district(db)
    await make_technician(db, [svc])
    for start in (at("09:10"), at("16:30"), at("07:00"), NOW + timedelta(minutes=30)):
        with pytest.raises(Conflict):
            await service.create_booking(
                db, await make_user(db), request(svc, start, district), calendar()
            )


async def test_auto_assign_takes_the_free_technician_with_fewest_bookings(db):
    svc = await make_service(db)
    district = await make_district(db)
    first = await make_technician(db, [svc])
    second = await make_technician(db, [svc])
    a = await service.create_booking(
        db, await make_user(db), request(svc, at("09:00"), district), calendar()
    )
    b = await service.create_booking(
        db, await make_user(db), request(svc, at("09:00"), district), calendar()
    )
    c = await service.create_booking(
        db, await make_user(db), request(svc, at("13:00"), district), calendar()
    )
    assert {a.technician_id, b.technician_id} == {first.id, second.id}
    assert c.technician_id == first.id  # both have one; ties go to the lower id
    with pytest.raises(Conflict):  # both busy at 09:00 now
        await service.create_booking(
            db, await make_user(db), request(svc, at("09:00"), district), calendar()
        )


async def test_the_customer_may_pick_a_technician_but_not_a_busy_one(db):
    svc = await make_service(db)
    district = await make_district(db)
    await make_technician(db, [svc])
    chosen = await make_technician(db, [svc])
    booking = await service.create_booking(
        db,
        await make_user(db),
        request(svc, at("09:00"), district, technician_id=chosen.id),
        calendar(),
    )
    assert booking.technician_id == chosen.id and booking.technician_chosen
    with pytest.raises(Conflict) as refused:
        await service.create_booking(
            db,
            await make_user(db),
            request(svc, at("09:30"), district, technician_id=chosen.id),
            calendar(),
        )
    assert refused.value.field == "technician"


# --- status machine ------------------------------------------------------------------


async def _booked(db, start="09:00"):
    svc = await make_service(db)
    tech = await make_technician(db, [svc])
    customer = await make_user(db)
    booking = await service.create_booking(
        db, customer, request(svc, at(start), await make_district(db)), calendar()
    )
    return booking, svc, tech, customer


ALLOWED = [
    ("pending", "confirmed", "staff"),
    ("pending", "cancelled", "staff"),
    ("pending", "cancelled", "customer"),
    ("confirmed", "in_progress", "staff"),
    ("confirmed", "in_progress", "technician"),
    ("confirmed", "cancelled", "staff"),
    ("confirmed", "cancelled", "customer"),
    ("in_progress", "completed", "technician"),
    ("in_progress", "completed", "staff"),
]
PATH_TO = {
    "pending": [],
    "confirmed": ["confirmed"],
    "in_progress": ["confirmed", "in_progress"],
    "completed": ["confirmed", "in_progress", "completed"],
    "cancelled": ["cancelled"],
}


async def _walk(db, booking, to: str, now=NOW):
    for step in PATH_TO[to]:
        await service.change_status(db, booking, step, role="staff", cal=calendar(now))


@pytest.mark.parametrize(("start", "target", "role"), ALLOWED)
async def test_every_allowed_transition(db, start, target, role):
    booking, *_ = await _booked(db)
    # two days ahead so the customer is before the cut-off
    await _walk(db, booking, start)
    await service.change_status(db, booking, target, role=role, cal=calendar())
    assert booking.status == target
    stamp = service.TIMESTAMP_OF[target]
    assert getattr(booking, stamp) == NOW


REFUSED_ROLE = [
    ("pending", "confirmed", "customer"),
    ("pending", "confirmed", "technician"),
    ("pending", "cancelled", "technician"),
    ("confirmed", "in_progress", "customer"),
    ("confirmed", "cancelled", "technician"),
    ("in_progress", "completed", "customer"),
]


@pytest.mark.parametrize(("start", "target", "role"), REFUSED_ROLE)
async def test_roles_that_may_not_make_a_transition(db, start, target, role):
    booking, *_ = await _booked(db)
    await _walk(db, booking, start)
    with pytest.raises(PermissionDenied):
        await service.change_status(db, booking, target, role=role, cal=calendar())
    assert booking.status == start


IMPOSSIBLE = [
    ("pending", "in_progress"),
    ("pending", "completed"),
    ("confirmed", "completed"),
    ("confirmed", "confirmed"),
    ("in_progress", "cancelled"),
    ("in_progress", "confirmed"),
    ("completed", "cancelled"),
    ("completed", "in_progress"),
    ("cancelled", "confirmed"),
    ("cancelled", "pending"),
]


@pytest.mark.parametrize(("start", "target"), IMPOSSIBLE)
async def test_transitions_that_do_not_exist(db, start, target):
    booking, *_ = await _booked(db)
    await _walk(db, booking, start)
    with pytest.raises((Conflict, ValidationFailed)):
        await service.change_status(db, booking, target, role="staff", cal=calendar())
    assert booking.status == start


async def test_customer_cancellation_has_a_cut_off_and_frees_the_slot(db):
    booking, svc, *_ = await _booked(db, "09:00")  # tomorrow 09:00, 24 h from now at 09:00 today
    late = at("09:30", NOW.date())  # 23.5 hours before
    assert service.allowed_next(booking, "customer", late) == []
    with pytest.raises(Conflict):
        await service.change_status(db, booking, "cancelled", role="customer", cal=calendar(late))
    # Before the cut-off the customer may cancel, and the technician's time is free again
    assert at("09:00") not in await _starts(db, svc)
    await service.change_status(
        db, booking, "cancelled", role="customer", cal=calendar(), reason="Bận"
    )
    assert booking.cancelled_by == "customer" and booking.cancel_reason == "Bận"
    assert (
        await db.scalar(
            select(func.count())
            .select_from(BookingSlotClaim)
            .where(BookingSlotClaim.booking_id == booking.id)
        )
        == 0
    )
    assert at("09:00") in await _starts(db, svc)


async def test_a_stale_status_change_is_refused(db):
    from sqlalchemy import update

    from mercato.models.bookings import Booking

    booking, *_ = await _booked(db)
    # Another request cancels it after this one read it as pending
    await db.execute(
        update(Booking)
        .where(Booking.id == booking.id)
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    )
    assert booking.status == "pending"
    with pytest.raises(Conflict):
        await service.change_status(db, booking, "confirmed", role="staff", cal=calendar())


async def test_staff_changes_notify_the_customer(db):
    from mercato.models import Notification

    booking, _, _, customer = await _booked(db)
    await service.change_status(db, booking, "confirmed", role="staff", cal=calendar())
    note = await db.scalar(select(Notification).where(Notification.user_id == customer.id))
    assert note is not None and booking.number in note.title


# --- object rules ------------------------------------------------------------------


async def test_customers_and_technicians_read_only_their_own(db):
    booking, svc, tech, customer = await _booked(db)
    stranger = await make_user(db)
    other_tech = await make_technician(db, [svc])
    assert (await service.get_for_customer(db, customer.id, booking.number)).id == booking.id
    with pytest.raises(NotFound):
        await service.get_for_customer(db, stranger.id, booking.number)
    assert (await service.get_for_technician(db, tech.id, booking.number)).id == booking.id
    with pytest.raises(NotFound):
        await service.get_for_technician(db, other_tech.id, booking.number)
    assert await service.list_for_customer(db, stranger.id) == []
    assert await service.list_for_technician(db, other_tech.id) == []


# --- reminders ------------------------------------------------------------------


async def test_the_day_before_reminder_goes_once_to_confirmed_bookings(db, runtime):
    confirmed, *_ = await _booked(db, "09:00")
    pending, *_ = await _booked(db, "13:00")
    await service.change_status(db, confirmed, "confirmed", role="staff", cal=calendar())
    before = await db.scalar(select(func.count()).select_from(EmailMessage))
    # When the job runs today (the bookings are tomorrow), twice
    assert await jobs.send_reminders(db, runtime, calendar()) == 1
    assert await jobs.send_reminders(db, runtime, calendar()) == 0
    # Then one email went, to the confirmed booking's customer, in Vietnamese
    assert await db.scalar(select(func.count()).select_from(EmailMessage)) == before + 1
    mail = await db.scalar(select(EmailMessage).order_by(EmailMessage.id.desc()))
    assert confirmed.number in mail.subject and "Nhắc lịch hẹn" in mail.subject
    assert pending.reminder_sent_at is None


# --- slot arithmetic for all inputs ---------------------------------------------------------

quarter = st.integers(min_value=0, max_value=96 * 2).map(lambda q: NOW + timedelta(minutes=15 * q))
length = st.integers(min_value=1, max_value=16).map(lambda q: 15 * q)


@given(
    quarter,
    length,
    st.sampled_from([0, 15, 30, 60]),
    quarter,
    length,
    st.sampled_from([0, 15, 30, 60]),
)
def test_claims_intersect_exactly_when_occupied_times_overlap(s1, d1, b1, s2, d2, b2):
    units1 = set(slots.occupied_units(s1, d1, b1))
    units2 = set(slots.occupied_units(s2, d2, b2))
    overlap = s1 < s2 + timedelta(minutes=d2 + b2) and s2 < s1 + timedelta(minutes=d1 + b1)
    assert bool(units1 & units2) == overlap
