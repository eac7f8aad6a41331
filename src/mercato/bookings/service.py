"""Booking rules: availability, booking with auto-assignment, the status machine, reminders.

Double booking is prevented by the database, not by the availability check: a booking
inserts one ``BookingSlotClaim`` per technician and 15-minute unit it occupies (duration plus
buffer) inside a savepoint; the primary key lets exactly one of two racing transactions
have a unit. The availability computed first only decides what to offer and whom to try.

Object rules: a customer reads only their own bookings, a technician only the bookings
assigned to them (``NotFound`` for anything else, so ids reveal nothing).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from mercato.bookings import slots
from mercato.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mercato.kit.i18n import N_, Labels, _
from mercato.kit.time import utcnow
from mercato.models import User
from mercato.models.bookings import (
    Booking,
    BookingSlotClaim,
    ServiceDistrict,
    ServiceType,
    Technician,
    TechnicianDayOff,
    TechnicianHours,
    TechnicianSkill,
)
from mercato.platform import outbox
from mercato.platform.notifications import notify

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

# Who may move a booking from one status to another. Customers only cancel (before the
# cut-off); the assigned technician starts and completes; staff do everything allowed.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    "pending": {"confirmed": frozenset({"staff"}), "cancelled": frozenset({"staff", "customer"})},
    "confirmed": {
        "in_progress": frozenset({"staff", "technician"}),
        "cancelled": frozenset({"staff", "customer"}),
    },
    "in_progress": {"completed": frozenset({"staff", "technician"})},
    "completed": {},
    "cancelled": {},
}
TIMESTAMP_OF = {
    "confirmed": "confirmed_at",
    "in_progress": "started_at",
    "completed": "completed_at",
    "cancelled": "cancelled_at",
}
# English msgids, read in the language of the request.
STATUS_LABELS = Labels(
    {
        "pending": N_("Awaiting confirmation"),
        "confirmed": N_("Confirmed"),
        "in_progress": N_("In progress"),
        "completed": N_("Completed"),
        "cancelled": N_("Cancelled"),
    }
)
OPEN_STATUSES = ("pending", "confirmed", "in_progress")


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # aware UTC
    technician_ids: tuple[int, ...]


@dataclass
class BookingRequest:
    service_code: str
    starts_at: datetime  # aware
    technician_id: int | None = None
    district_code: str = ""
    address: str = ""
    phone: str = ""
    note: str = ""


@dataclass
class Calendar:
    """Store facts the rules need, so tests can fix the clock."""

    timezone: str
    currency: str
    now: datetime = field(default_factory=utcnow)


# --- catalogue of services, technicians, districts ----------------------------------------


async def list_service_types(db: AsyncSession, *, active_only: bool = True) -> list[ServiceType]:
    stmt = select(ServiceType).order_by(ServiceType.sort_order, ServiceType.id)
    if active_only:
        stmt = stmt.where(ServiceType.is_active.is_(True))
    return list(await db.scalars(stmt))


async def service_by_code(db: AsyncSession, code: str) -> ServiceType:
    service = await db.scalar(
        select(ServiceType).where(ServiceType.code == code[:40], ServiceType.is_active.is_(True))
    )
    if service is None:
        raise NotFound(_("There is no such service."), field="service")
    return service


async def list_districts(db: AsyncSession) -> list[ServiceDistrict]:
    return list(
        await db.scalars(
            select(ServiceDistrict)
            .where(ServiceDistrict.is_active.is_(True))
            .order_by(ServiceDistrict.sort_order, ServiceDistrict.name)
        )
    )


async def list_technicians(db: AsyncSession, *, active_only: bool = True) -> list[Technician]:
    stmt = select(Technician).order_by(Technician.display_name, Technician.id)
    if active_only:
        stmt = stmt.where(Technician.is_active.is_(True))
    return list(await db.scalars(stmt))


async def skills_by_technician(db: AsyncSession) -> dict[int, list[int]]:
    rows = await db.execute(select(TechnicianSkill.technician_id, TechnicianSkill.service_type_id))
    skills: dict[int, list[int]] = {}
    for tech_id, service_id in rows:
        skills.setdefault(tech_id, []).append(service_id)
    return skills


async def hours_by_technician(db: AsyncSession) -> dict[int, list[TechnicianHours]]:
    hours: dict[int, list[TechnicianHours]] = {}
    for row in await db.scalars(select(TechnicianHours).order_by(TechnicianHours.weekday)):
        hours.setdefault(row.technician_id, []).append(row)
    return hours


async def technician_for_user(db: AsyncSession, user_id: int) -> Technician | None:
    return await db.scalar(select(Technician).where(Technician.user_id == user_id))


# --- availability ---------------------------------------------------------------------------


async def availability(
    db: AsyncSession, service: ServiceType, day: date, cal: Calendar
) -> list[Slot]:
    """Start times on ``day`` (store time) with the qualified technicians free for the whole
    job and its buffer; three queries whatever the number of technicians."""
    today = slots.local_day(cal.now, cal.timezone)
    if day < today or day > today + timedelta(days=slots.HORIZON_DAYS):
        return []
    weekday = day.weekday()
    rows = (
        await db.execute(
            select(
                TechnicianHours.technician_id,
                TechnicianHours.start_minute,
                TechnicianHours.end_minute,
            )
            .join(Technician, Technician.id == TechnicianHours.technician_id)
            .join(
                TechnicianSkill,
                (TechnicianSkill.technician_id == Technician.id)
                & (TechnicianSkill.service_type_id == service.id),
            )
            .outerjoin(
                TechnicianDayOff,
                (TechnicianDayOff.technician_id == Technician.id) & (TechnicianDayOff.day == day),
            )
            .where(
                Technician.is_active.is_(True),
                TechnicianHours.weekday == weekday,
                TechnicianDayOff.id.is_(None),
            )
            .order_by(TechnicianHours.technician_id)
        )
    ).all()
    if not rows:
        return []
    window_start = slots.local_midnight(day, cal.timezone)
    window_end = window_start + timedelta(days=1, minutes=service.buffer_minutes)
    claimed = set(
        (
            await db.execute(
                select(BookingSlotClaim.technician_id, BookingSlotClaim.unit_start).where(
                    BookingSlotClaim.technician_id.in_([r[0] for r in rows]),
                    BookingSlotClaim.unit_start >= window_start,
                    BookingSlotClaim.unit_start < window_end,
                )
            )
        ).all()
    )
    earliest = cal.now + slots.MIN_NOTICE
    free: dict[datetime, list[int]] = {}
    for tech_id, start_minute, end_minute in rows:
        for start in slots.candidate_starts(
            day, cal.timezone, start_minute, end_minute, service.duration_minutes
        ):
            if start < earliest:
                continue
            units = slots.occupied_units(start, service.duration_minutes, service.buffer_minutes)
            if not any((tech_id, u) in claimed for u in units):
                free.setdefault(start, []).append(tech_id)
    return [Slot(start, tuple(ids)) for start, ids in sorted(free.items())]


# --- booking ---------------------------------------------------------------------------------


def _clean_text(value: str, limit: int) -> str:
    return " ".join(value.split())[:limit] if limit <= 300 else value.strip()[:limit]


async def _new_number(db: AsyncSession) -> str:
    # Random, not sequential: a customer cannot guess a neighbour's booking number.
    for _attempt in range(10):
        number = f"DV-{secrets.randbelow(900000) + 100000}"
        if await db.scalar(select(Booking.id).where(Booking.number == number)) is None:
            return number
    raise Conflict(_("Could not number the booking; please try again."))


async def _day_load(
    db: AsyncSession, tech_ids: tuple[int, ...], day_start: datetime
) -> dict[int, int]:
    rows = await db.execute(
        select(Booking.technician_id, func.count())
        .where(
            Booking.technician_id.in_(tech_ids),
            Booking.starts_at >= day_start,
            Booking.starts_at < day_start + timedelta(days=1),
            Booking.status.in_(OPEN_STATUSES),
        )
        .group_by(Booking.technician_id)
    )
    return {tech: count for tech, count in rows}


async def create_booking(
    db: AsyncSession, customer: User, req: BookingRequest, cal: Calendar
) -> Booking:
    """Book ``req`` for ``customer`` (status pending). Raises ValidationFailed with a field
    for bad input and Conflict when the slot was taken meanwhile."""
    service = await service_by_code(db, req.service_code)
    if req.starts_at.tzinfo is None:
        raise ValidationFailed(_("That time is not valid."), field="slot")
    district: ServiceDistrict | None = None
    address = _clean_text(req.address, 300)
    if service.on_site:
        district = await db.scalar(
            select(ServiceDistrict).where(
                ServiceDistrict.code == req.district_code[:40], ServiceDistrict.is_active.is_(True)
            )
        )
        if district is None:
            raise ValidationFailed(
                _("We do not serve this area yet; please choose a district from the list."),
                field="district",
            )
        if len(address) < 5:
            raise ValidationFailed(
                _("Please enter the address of the installation."), field="address"
            )
    day = slots.local_day(req.starts_at, cal.timezone)
    offered = {s.starts_at: s for s in await availability(db, service, day, cal)}
    slot = offered.get(req.starts_at.astimezone(slots.UTC))
    if slot is None:
        raise Conflict(_("This time is no longer free; please choose another time."), field="slot")
    if req.technician_id is not None:
        if req.technician_id not in slot.technician_ids:
            raise Conflict(_("This technician is not free at the chosen time."), field="technician")
        candidates = [req.technician_id]
    else:
        # Auto-assign: the qualified free technician with the fewest bookings that day.
        load = await _day_load(db, slot.technician_ids, slots.local_midnight(day, cal.timezone))
        candidates = sorted(slot.technician_ids, key=lambda t: (load.get(t, 0), t))
    travel_fee = district.travel_fee if district else 0
    number = await _new_number(db)
    units = slots.occupied_units(slot.starts_at, service.duration_minutes, service.buffer_minutes)
    for tech_id in candidates:
        booking = Booking(
            number=number,
            customer_id=customer.id,
            service_type_id=service.id,
            technician_id=tech_id,
            district_id=district.id if district else None,
            service_name=service.name,
            starts_at=slot.starts_at,
            ends_at=slot.starts_at + timedelta(minutes=service.duration_minutes),
            status="pending",
            price=service.price,
            travel_fee=travel_fee,
            total=service.price + travel_fee,
            currency=service.currency,
            address=address if service.on_site else "",
            phone=_clean_text(req.phone, 32),
            note=req.note.strip()[:1000],
            technician_chosen=req.technician_id is not None,
        )
        try:
            async with db.begin_nested():
                db.add(booking)
                await db.flush()
                await db.execute(
                    insert(BookingSlotClaim),
                    [
                        {"technician_id": tech_id, "unit_start": u, "booking_id": booking.id}
                        for u in units
                    ],
                )
        except IntegrityError:
            # Another booking claimed one of these units after we looked: try the next
            # technician; the savepoint took this attempt's rows away.
            continue
        await outbox.emit(db, "booking.created", _event_payload(booking))
        return booking
    raise Conflict(
        _("Someone has just booked this time; please choose another time."), field="slot"
    )


def _event_payload(booking: Booking) -> dict[str, Any]:
    return {
        "booking_id": booking.id,
        "number": booking.number,
        "status": booking.status,
        "service": booking.service_name,
        "technician_id": booking.technician_id,
        "customer_id": booking.customer_id,
        "starts_at": booking.starts_at.isoformat(),
        "total": booking.total,
        "currency": booking.currency,
    }


# --- reading, with object rules -------------------------------------------------------------


async def get_for_customer(db: AsyncSession, customer_id: int, number: str) -> Booking:
    booking = await db.scalar(
        select(Booking).where(Booking.number == number[:20], Booking.customer_id == customer_id)
    )
    if booking is None:
        raise NotFound(_("There is no such booking."))
    return booking


async def get_for_technician(db: AsyncSession, technician_id: int, number: str) -> Booking:
    booking = await db.scalar(
        select(Booking).where(Booking.number == number[:20], Booking.technician_id == technician_id)
    )
    if booking is None:
        raise NotFound(_("There is no such booking."))
    return booking


async def get_by_number(db: AsyncSession, number: str) -> Booking:
    booking = await db.scalar(select(Booking).where(Booking.number == number[:20]))
    if booking is None:
        raise NotFound(_("There is no such booking."))
    return booking


async def list_for_customer(db: AsyncSession, customer_id: int, limit: int = 100) -> list[Booking]:
    return list(
        await db.scalars(
            select(Booking)
            .where(Booking.customer_id == customer_id)
            .order_by(Booking.starts_at.desc(), Booking.id.desc())
            .limit(limit)
        )
    )


async def list_for_technician(
    db: AsyncSession, technician_id: int, *, since: datetime | None = None, limit: int = 200
) -> list[Booking]:
    stmt = select(Booking).where(Booking.technician_id == technician_id)
    if since is not None:
        stmt = stmt.where(Booking.starts_at >= since)
    return list(await db.scalars(stmt.order_by(Booking.starts_at, Booking.id).limit(limit)))


async def list_all(
    db: AsyncSession, *, status: str = "", technician_id: int | None = None, limit: int = 200
) -> list[tuple[Booking, User, Technician]]:
    stmt = (
        select(Booking, User, Technician)
        .join(User, User.id == Booking.customer_id)
        .join(Technician, Technician.id == Booking.technician_id)
    )
    if status:
        stmt = stmt.where(Booking.status == status)
    if technician_id:
        stmt = stmt.where(Booking.technician_id == technician_id)
    rows = await db.execute(stmt.order_by(Booking.starts_at.desc(), Booking.id.desc()).limit(limit))
    return [(b, u, t) for b, u, t in rows]


# --- the status machine ------------------------------------------------------------------------


def allowed_next(booking: Booking, role: str, now: datetime) -> list[str]:
    """The statuses ``role`` may move ``booking`` to now (the cut-off applies to customers)."""
    allowed = []
    for target, roles in TRANSITIONS.get(booking.status, {}).items():
        if role not in roles:
            continue
        if role == "customer" and booking.starts_at - now < slots.CUSTOMER_CANCEL_CUTOFF:
            continue
        allowed.append(target)
    return allowed


async def change_status(
    db: AsyncSession,
    booking: Booking,
    target: str,
    *,
    role: str,
    cal: Calendar,
    reason: str = "",
    link: str = "",
) -> Booking:
    """Move ``booking`` to ``target`` if ``role`` may, with a conditional UPDATE on the
    status it was read in, so two concurrent changes cannot both apply."""
    if target not in TIMESTAMP_OF:
        raise ValidationFailed(_("That status is not valid."), field="status")
    roles = TRANSITIONS.get(booking.status, {}).get(target)
    if roles is None:
        raise Conflict(
            _(
                "A booking cannot go from “%(current)s” to “%(target)s”.",
                current=STATUS_LABELS[booking.status],
                target=STATUS_LABELS[target],
            ),
            field="status",
        )
    if role not in roles:
        raise PermissionDenied(_("You are not allowed to do this."))
    if (
        role == "customer"
        and target == "cancelled"
        and booking.starts_at - cal.now < slots.CUSTOMER_CANCEL_CUTOFF
    ):
        hours = int(slots.CUSTOMER_CANCEL_CUTOFF.total_seconds() // 3600)
        raise Conflict(
            _(
                "You can cancel up to %(hours)s hours before the booking; please call the shop.",
                hours=hours,
            ),
            field="status",
        )
    values: dict[str, Any] = {
        "status": target,
        TIMESTAMP_OF[target]: cal.now,
        "updated_at": cal.now,
    }
    if target == "cancelled":
        values["cancel_reason"] = reason.strip()[:300]
        values["cancelled_by"] = role
    result = await db.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == booking.status)
        .values(**values)
        .returning(Booking.id)
        .execution_options(synchronize_session=False)
    )
    if result.scalar_one_or_none() is None:
        raise Conflict(_("The booking was just changed elsewhere; please reload."), field="status")
    for key, value in values.items():
        setattr(booking, key, value)
    if target == "cancelled":
        # The technician's time is free again.
        await db.execute(delete(BookingSlotClaim).where(BookingSlotClaim.booking_id == booking.id))
    await outbox.emit(db, f"booking.{target}", _event_payload(booking))
    if role != "customer":
        await notify(
            db,
            user_id=booking.customer_id,
            title=_(
                "Booking %(number)s: %(status)s",
                number=booking.number,
                status=STATUS_LABELS[target],
            ),
            body=booking.service_name,
            link=link,
            kind="success" if target in ("confirmed", "completed") else "info",
        )
    return booking


# --- reminders -----------------------------------------------------------------------------------


async def due_reminders(db: AsyncSession, cal: Calendar) -> list[tuple[Booking, User]]:
    """Confirmed bookings on tomorrow's date (store time) not yet reminded."""
    tomorrow = slots.local_day(cal.now, cal.timezone) + timedelta(days=1)
    start = slots.local_midnight(tomorrow, cal.timezone)
    rows = await db.execute(
        select(Booking, User)
        .join(User, User.id == Booking.customer_id)
        .where(
            Booking.status == "confirmed",
            Booking.reminder_sent_at.is_(None),
            Booking.starts_at >= start,
            Booking.starts_at < slots.local_midnight(tomorrow + timedelta(days=1), cal.timezone),
        )
        .order_by(Booking.id)
    )
    return [(b, u) for b, u in rows]


async def mark_reminded(db: AsyncSession, booking: Booking, now: datetime) -> bool:
    """Claim the reminder (conditional UPDATE): a rerun or a second worker sends none."""
    result = await db.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.reminder_sent_at.is_(None))
        .values(reminder_sent_at=now)
        .returning(Booking.id)
        .execution_options(synchronize_session=False)
    )
    return result.scalar_one_or_none() is not None


# --- technicians' schedules (admin) ------------------------------------------------------------


def parse_hours(text: str, field: str) -> tuple[int, int] | None:
    """ "08:00-17:00" → (480, 1020); blank → None (not working that day)."""
    text = text.strip()
    if not text:
        return None
    start, sep, end = text.replace("–", "-").partition("-")
    try:
        if not sep:
            raise ValueError(text)
        span = (slots.parse_hhmm(start), slots.parse_hhmm(end))
    except ValueError as exc:
        raise ValidationFailed(
            _("Enter hours such as 08:00-17:00, or leave empty for a day off."), field=field
        ) from exc
    if span[0] >= span[1]:
        raise ValidationFailed(_("The end must come after the start."), field=field)
    return span


async def set_schedule(
    db: AsyncSession,
    technician: Technician,
    *,
    hours: dict[int, tuple[int, int] | None],
    service_ids: set[int],
    active: bool,
) -> None:
    """Replace a technician's weekly hours and skills. Existing bookings keep their claims:
    changing hours never cancels anything; staff move those bookings by hand."""
    known = set(
        await db.scalars(select(ServiceType.id).where(ServiceType.id.in_(service_ids or {0})))
    )
    if known != service_ids:
        raise ValidationFailed(_("There is no such service."), field="skills")
    await db.execute(delete(TechnicianHours).where(TechnicianHours.technician_id == technician.id))
    await db.execute(delete(TechnicianSkill).where(TechnicianSkill.technician_id == technician.id))
    for weekday, span in sorted(hours.items()):
        if span is not None:
            db.add(
                TechnicianHours(
                    technician_id=technician.id,
                    weekday=weekday,
                    start_minute=span[0],
                    end_minute=span[1],
                )
            )
    for service_id in sorted(service_ids):
        db.add(TechnicianSkill(technician_id=technician.id, service_type_id=service_id))
    technician.is_active = active
    await db.flush()


async def days_off_of(db: AsyncSession, technician_id: int, since: date) -> list[TechnicianDayOff]:
    return list(
        await db.scalars(
            select(TechnicianDayOff)
            .where(TechnicianDayOff.technician_id == technician_id, TechnicianDayOff.day >= since)
            .order_by(TechnicianDayOff.day)
        )
    )


async def add_day_off(
    db: AsyncSession, technician: Technician, day: date, reason: str = ""
) -> TechnicianDayOff:
    exists = await db.scalar(
        select(TechnicianDayOff.id).where(
            TechnicianDayOff.technician_id == technician.id, TechnicianDayOff.day == day
        )
    )
    if exists is not None:
        raise Conflict(_("This day is already a day off."), field="day")
    row = TechnicianDayOff(technician_id=technician.id, day=day, reason=reason.strip()[:200])
    db.add(row)
    await db.flush()
    return row


async def remove_day_off(db: AsyncSession, technician: Technician, day_off_id: int) -> None:
    await db.execute(
        delete(TechnicianDayOff).where(
            TechnicianDayOff.id == day_off_id, TechnicianDayOff.technician_id == technician.id
        )
    )
