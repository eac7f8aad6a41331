"""Admin pages for bookings (filter by status, confirm, start, complete, cancel) and the
technicians (skills, weekly hours, days off). Every change writes an audit row."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from mercato.admin.pages import admin_render
from mercato.bookings import admin_services, service, slots
from mercato.bookings.jobs import calendar_of
from mercato.identity.deps import require_permission
from mercato.kit.errors import DomainError, NotFound
from mercato.kit.i18n import N_, Labels, _
from mercato.models import User
from mercato.models.bookings import BOOKING_STATUSES, Technician
from mercato.platform import audit
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect

router = APIRouter()
Manager = Annotated[User, Depends(require_permission("bookings.manage"))]
Number = Annotated[str, Path(max_length=20)]
TechId = Annotated[int, Path(ge=1, le=2**63 - 1)]
router.include_router(admin_services.router)
# English msgids read in the request's language (kit.i18n.Labels translates on reading).
ACTION_LABELS = Labels(
    {
        "confirmed": N_("Confirm"),
        "in_progress": N_("Start"),
        "completed": N_("Complete"),
        "cancelled": N_("Cancel"),
    }
)
STATUS_LABELS = Labels(
    {
        "pending": N_("Awaiting confirmation"),
        "confirmed": N_("Confirmed"),
        "in_progress": N_("In progress"),
        "completed": N_("Completed"),
        "cancelled": N_("Cancelled"),
    }
)
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


@router.get("/bookings")
async def bookings_page(request: Request, db: Db, runtime: Runtime, _: Manager) -> Response:
    status = request.query_params.get("status", "")
    status = status if status in BOOKING_STATUSES else ""
    rows = await service.list_all(db, status=status)
    cal = calendar_of(runtime)
    return admin_render(
        request,
        "admin/bookings.html",
        {
            "rows": rows,
            "status": status,
            "statuses": BOOKING_STATUSES,
            "labels": STATUS_LABELS,
            "actions": ACTION_LABELS,
            "next_of": {b.id: service.allowed_next(b, "staff", cal.now) for b, _, _ in rows},
        },
        section="bookings",
    )


@router.post("/bookings/{number}/status")
async def booking_status(
    request: Request, number: Number, db: Db, runtime: Runtime, user: Manager
) -> Response:
    booking = await service.get_by_number(db, number)
    form = await request.form()
    before = {"status": booking.status}
    back = "admin/bookings" + (
        f"?status={form.get('back')}" if form.get("back") in BOOKING_STATUSES else ""
    )
    try:
        await service.change_status(
            db,
            booking,
            str(form.get("status") or ""),
            role="staff",
            cal=calendar_of(runtime),
            reason=str(form.get("reason") or ""),
            link=runtime.path(f"bookings/{booking.number}"),
        )
    except DomainError as exc:
        return redirect(request, back, exc.message, "error")
    await audit.record(
        db,
        actor=user,
        action="booking.status",
        entity_type="booking",
        entity_id=booking.number,
        before=before,
        after={"status": booking.status},
        request=request,
    )
    return redirect(
        request,
        back,
        _(
            "%(number)s: %(status)s.",
            number=booking.number,
            status=STATUS_LABELS[booking.status],
        ),
    )


@router.get("/technicians")
async def technicians_page(request: Request, db: Db, runtime: Runtime, _: Manager) -> Response:
    technicians = await service.list_technicians(db, active_only=False)
    today = slots.local_day(calendar_of(runtime).now, runtime.config.timezone)
    services = {s.id: s for s in await service.list_service_types(db, active_only=False)}
    return admin_render(
        request,
        "admin/technicians.html",
        {
            "technicians": technicians,
            "skills": await service.skills_by_technician(db),
            "hours": await service.hours_by_technician(db),
            "services": services,
            "weekdays": WEEKDAYS,
            "fmt": slots.format_minutes,
            "days_off": {t.id: await service.days_off_of(db, t.id, today) for t in technicians},
            "today": today,
        },
        section="technicians",
    )


async def _technician(db: Db, technician_id: int) -> Technician:
    technician = await db.get(Technician, technician_id)
    if technician is None:
        raise NotFound(N_("No such technician."))
    return technician


@router.post("/technicians/{technician_id}")
async def save_technician(
    request: Request, technician_id: TechId, db: Db, user: Manager
) -> Response:
    technician = await _technician(db, technician_id)
    form = await request.form()
    try:
        hours = {
            wd: service.parse_hours(str(form.get(f"h{wd}") or "")[:20], f"h{wd}") for wd in range(7)
        }
        skills = {
            int(str(v)) for v in form.getlist("skills") if str(v).isdigit() and len(str(v)) < 12
        }
        await service.set_schedule(
            db, technician, hours=hours, service_ids=skills, active=bool(form.get("is_active"))
        )
    except DomainError as exc:
        return redirect(request, f"admin/technicians#tech-{technician.id}", exc.message, "error")
    await audit.record(
        db,
        actor=user,
        action="technician.schedule",
        entity_type="technician",
        entity_id=technician.id,
        after={"hours": {k: v for k, v in hours.items() if v}, "skills": sorted(skills)},
        request=request,
    )
    return redirect(
        request,
        f"admin/technicians#tech-{technician.id}",
        _("Schedule of %(name)s saved.", name=technician.display_name),
    )


@router.post("/technicians/{technician_id}/days-off")
async def add_day_off(request: Request, technician_id: TechId, db: Db, user: Manager) -> Response:
    technician = await _technician(db, technician_id)
    form = await request.form()
    try:
        day = date.fromisoformat(str(form.get("day") or "")[:10])
    except ValueError:
        return redirect(
            request, f"admin/technicians#tech-{technician.id}", _("Choose a valid date."), "error"
        )
    try:
        await service.add_day_off(db, technician, day, str(form.get("reason") or ""))
    except DomainError as exc:
        return redirect(request, f"admin/technicians#tech-{technician.id}", exc.message, "error")
    await audit.record(
        db,
        actor=user,
        action="technician.day_off",
        entity_type="technician",
        entity_id=technician.id,
        after={"day": day.isoformat()},
        request=request,
    )
    return redirect(request, f"admin/technicians#tech-{technician.id}", _("Day off added."))


@router.post("/technicians/{technician_id}/days-off/{day_off_id}/delete")
async def remove_day_off(
    request: Request, technician_id: TechId, day_off_id: TechId, db: Db, user: Manager
) -> Response:
    technician = await _technician(db, technician_id)
    await service.remove_day_off(db, technician, day_off_id)
    await audit.record(
        db,
        actor=user,
        action="technician.day_off.delete",
        entity_type="technician",
        entity_id=technician.id,
        before={"day_off_id": day_off_id},
        request=request,
    )
    return redirect(request, f"admin/technicians#tech-{technician.id}", _("Day off removed."))
