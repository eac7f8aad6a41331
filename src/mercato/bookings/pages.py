"""Booking pages: services → date → free slot → address and note → confirm; the customer's
bookings with cancellation before the cut-off; the technician's own schedule. Plain forms
with the CSRF token; the date picker is a GET form, so it all works without JavaScript."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mercato.bookings import service, slots
from mercato.bookings.jobs import calendar_of
from mercato.identity.deps import CurrentUser, OptionalUser
from mercato.kit.errors import DomainError, NotFound, PermissionDenied
from mercato.kit.i18n import _
from mercato.models.bookings import ServiceType, Technician
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect
from mercato.web.templating import render

router = APIRouter()
FORM_FIELDS = ("slot", "technician", "district", "address", "phone", "note")


def parse_day(text: str, default: date) -> date:
    try:
        return date.fromisoformat(text[:10]) if text else default
    except ValueError:
        return default


def parse_slot(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text.strip()[:40])
    except ValueError:
        return None
    return value if value.tzinfo else None


async def _booking_form(
    request: Request,
    db: Db,
    runtime: Runtime,
    service_type: ServiceType,
    day: date,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    cal = calendar_of(runtime)
    today = slots.local_day(cal.now, cal.timezone)
    free = await service.availability(db, service_type, day, cal)
    technicians = {t.id: t for t in await service.list_technicians(db)}
    return render(
        request,
        "bookings/book.html",
        {
            "service": service_type,
            "day": day,
            "today": today,
            "last_day": today + timedelta(days=slots.HORIZON_DAYS),
            "slots": free,
            "technicians": technicians,
            "slot_technicians": sorted(
                {t for s in free for t in s.technician_ids},
                key=lambda t: technicians[t].display_name,
            ),
            "districts": await service.list_districts(db) if service_type.on_site else [],
            "values": values,
            "errors": errors,
            "tz": cal.timezone,
        },
        status_code=status_code,
    )


@router.get("/services")
async def services_page(request: Request, db: Db) -> Response:
    return render(
        request,
        "bookings/services.html",
        {
            "services": await service.list_service_types(db),
            "districts": await service.list_districts(db),
        },
    )


@router.get("/services/{code}")
async def book_form(
    request: Request, code: str, db: Db, runtime: Runtime, user: OptionalUser
) -> Response:
    service_type = await service.service_by_code(db, code)
    cal = calendar_of(runtime)
    default = slots.local_day(cal.now + slots.MIN_NOTICE, cal.timezone)
    day = parse_day(request.query_params.get("date", ""), default)
    return await _booking_form(request, db, runtime, service_type, day, {}, {})


@router.post("/services/{code}/book")
async def book(
    request: Request, code: str, db: Db, runtime: Runtime, user: CurrentUser
) -> Response:
    service_type = await service.service_by_code(db, code)
    form = await request.form()
    values = {k: str(form.get(k) or "").strip()[:1000] for k in FORM_FIELDS}
    cal = calendar_of(runtime)
    starts_at = parse_slot(values["slot"])
    day = (
        slots.local_day(starts_at, cal.timezone)
        if starts_at
        else parse_day(str(form.get("date") or ""), slots.local_day(cal.now, cal.timezone))
    )
    try:
        if starts_at is None:
            raise DomainError(_("Please choose a time."), field="slot")
        technician_id = int(values["technician"]) if values["technician"].isdigit() else None
        booking = await service.create_booking(
            db,
            user,
            service.BookingRequest(
                service_code=service_type.code,
                starts_at=starts_at,
                technician_id=technician_id,
                district_code=values["district"],
                address=values["address"],
                phone=values["phone"],
                note=values["note"],
            ),
            cal,
        )
    except DomainError as exc:
        return await _booking_form(
            request, db, runtime, service_type, day, values, {exc.field or "form": exc.message}, 422
        )
    return redirect(
        request,
        f"bookings/{booking.number}",
        _("Booked %(number)s. The shop will confirm soon.", number=booking.number),
    )


@router.get("/bookings")
async def my_bookings(request: Request, db: Db, user: CurrentUser) -> Response:
    return render(
        request,
        "bookings/my_bookings.html",
        {"bookings": await service.list_for_customer(db, user.id), "labels": service.STATUS_LABELS},
    )


@router.get("/bookings/{number}")
async def booking_page(
    request: Request, number: str, db: Db, runtime: Runtime, user: CurrentUser
) -> Response:
    booking = await service.get_for_customer(db, user.id, number)
    cal = calendar_of(runtime)
    technician = await db.get(Technician, booking.technician_id)
    return render(
        request,
        "bookings/booking.html",
        {
            "booking": booking,
            "technician": technician,
            "labels": service.STATUS_LABELS,
            "can_cancel": "cancelled" in service.allowed_next(booking, "customer", cal.now),
            "cutoff_hours": int(slots.CUSTOMER_CANCEL_CUTOFF.total_seconds() // 3600),
        },
    )


@router.post("/bookings/{number}/cancel")
async def cancel(
    request: Request, number: str, db: Db, runtime: Runtime, user: CurrentUser
) -> Response:
    booking = await service.get_for_customer(db, user.id, number)
    form = await request.form()
    try:
        await service.change_status(
            db,
            booking,
            "cancelled",
            role="customer",
            cal=calendar_of(runtime),
            reason=str(form.get("reason") or ""),
        )
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return redirect(request, f"bookings/{booking.number}", exc.message, "error")
    return redirect(request, f"bookings/{booking.number}", _("Booking cancelled."))


# --- the technician's own schedule ---------------------------------------------------------


async def _own_technician(db: Db, user_id: int) -> Technician:
    technician = await service.technician_for_user(db, user_id)
    if technician is None:
        raise PermissionDenied(_("This page is for technicians."))
    return technician


@router.get("/technician/schedule")
async def schedule(request: Request, db: Db, runtime: Runtime, user: CurrentUser) -> Response:
    technician = await _own_technician(db, user.id)
    cal = calendar_of(runtime)
    since = slots.local_midnight(
        slots.local_day(cal.now, cal.timezone) - timedelta(days=7), cal.timezone
    )
    bookings = await service.list_for_technician(db, technician.id, since=since)
    return render(
        request,
        "bookings/schedule.html",
        {
            "technician": technician,
            "bookings": bookings,
            "labels": service.STATUS_LABELS,
            "next_of": {b.id: service.allowed_next(b, "technician", cal.now) for b in bookings},
            "now": datetime.now(UTC),
        },
    )


@router.post("/technician/bookings/{number}/status")
async def technician_status(
    request: Request, number: str, db: Db, runtime: Runtime, user: CurrentUser
) -> Response:
    technician = await _own_technician(db, user.id)
    booking = await service.get_for_technician(db, technician.id, number)
    form = await request.form()
    try:
        await service.change_status(
            db,
            booking,
            str(form.get("status") or ""),
            role="technician",
            cal=calendar_of(runtime),
            link=runtime.path(f"bookings/{booking.number}"),
        )
    except NotFound:
        raise
    except DomainError as exc:
        return redirect(request, "technician/schedule", exc.message, "error")
    return redirect(
        request,
        "technician/schedule",
        f"{booking.number}: {service.STATUS_LABELS[booking.status]}.",
    )
