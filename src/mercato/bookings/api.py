"""Services and bookings in the JSON API, under /<store>/api/v1/.

Public: services, technicians, districts and availability. A customer's access token reads
and books only the caller's bookings; a technician's reads the bookings assigned to them;
``bookings.manage`` (staff, or a scoped API key) reads all and moves any status.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import AwareDatetime, BaseModel, Field

from mercato.bookings import service
from mercato.bookings.jobs import calendar_of
from mercato.identity.api_deps import ApiPrincipal, Principal, require_api_permission
from mercato.kit.errors import NotFound
from mercato.kit.i18n import gettext
from mercato.models.bookings import Booking, ServiceType, Technician
from mercato.web.deps import Db, Runtime

router = APIRouter(tags=["bookings"])
MANAGE = "bookings.manage"
WORK = "bookings.work"
Number = Annotated[str, Path(max_length=20)]
Manager = Annotated[ApiPrincipal, Depends(require_api_permission(MANAGE))]


def service_out(s: ServiceType) -> dict[str, Any]:
    return {
        "code": s.code,
        "name": s.name,
        "summary": s.summary,
        "duration_minutes": s.duration_minutes,
        "buffer_minutes": s.buffer_minutes,
        "price": s.price,
        "currency": s.currency,
        "on_site": s.on_site,
    }


def booking_out(b: Booking) -> dict[str, Any]:
    return {
        "number": b.number,
        "status": b.status,
        "service": b.service_name,
        "technician_id": b.technician_id,
        "starts_at": b.starts_at.isoformat(),
        "ends_at": b.ends_at.isoformat(),
        "price": b.price,
        "travel_fee": b.travel_fee,
        "total": b.total,
        "currency": b.currency,
        "address": b.address,
        "note": b.note,
        "cancel_reason": b.cancel_reason,
    }


@router.get("/services")
async def services(db: Db) -> list[dict[str, Any]]:
    return [service_out(s) for s in await service.list_service_types(db)]


@router.get("/service-districts")
async def districts(db: Db) -> list[dict[str, Any]]:
    return [
        {"code": d.code, "name": d.name, "travel_fee": d.travel_fee}
        for d in await service.list_districts(db)
    ]


@router.get("/technicians")
async def technicians(db: Db) -> list[dict[str, Any]]:
    skills = await service.skills_by_technician(db)
    codes = {s.id: s.code for s in await service.list_service_types(db, active_only=False)}
    return [
        {
            "id": t.id,
            "name": t.display_name,
            "bio": t.bio,
            "skills": sorted(codes[i] for i in skills.get(t.id, []) if i in codes),
        }
        for t in await service.list_technicians(db)
    ]


@router.get("/bookings/availability")
async def availability(
    db: Db,
    runtime: Runtime,
    service_code: Annotated[str, Query(alias="service", max_length=40)],
    day: Annotated[date, Query(alias="date")],
) -> dict[str, Any]:
    """Free start times on ``date`` (store time) with the technicians free at each."""
    service_type = await service.service_by_code(db, service_code)
    found = await service.availability(db, service_type, day, calendar_of(runtime))
    return {
        "service": service_type.code,
        "date": day.isoformat(),
        "timezone": runtime.config.timezone,
        "slots": [
            {"starts_at": s.starts_at.isoformat(), "technician_ids": list(s.technician_ids)}
            for s in found
        ],
    }


class BookingIn(BaseModel):
    service: str = Field(max_length=40, examples=["lap-dat"])
    starts_at: AwareDatetime
    technician_id: int | None = Field(None, ge=1, le=2**63 - 1)
    district: str = Field("", max_length=40)
    address: str = Field("", max_length=300)
    phone: str = Field("", max_length=32)
    note: str = Field("", max_length=1000)


@router.post("/bookings", status_code=201)
async def create(body: BookingIn, principal: Principal, db: Db, runtime: Runtime) -> dict[str, Any]:
    booking = await service.create_booking(
        db,
        principal.user,
        service.BookingRequest(
            service_code=body.service,
            starts_at=body.starts_at,
            technician_id=body.technician_id,
            district_code=body.district,
            address=body.address,
            phone=body.phone,
            note=body.note,
        ),
        calendar_of(runtime),
    )
    return booking_out(booking)


@router.get("/bookings")
async def mine(principal: Principal, db: Db) -> list[dict[str, Any]]:
    """The caller's bookings as a customer."""
    return [booking_out(b) for b in await service.list_for_customer(db, principal.user.id)]


@router.get("/bookings/assigned")
async def assigned(principal: Principal, db: Db) -> list[dict[str, Any]]:
    """The caller's schedule as a technician."""
    technician = await _technician(db, principal)
    return [booking_out(b) for b in await service.list_for_technician(db, technician.id)]


@router.get("/admin/bookings")
async def all_bookings(
    _: Manager, db: Db, status: Annotated[str, Query(max_length=12)] = ""
) -> list[dict[str, Any]]:
    return [
        {**booking_out(b), "customer_email": u.email, "technician": t.display_name}
        for b, u, t in await service.list_all(db, status=status)
    ]


async def _technician(db: Db, principal: ApiPrincipal) -> Technician:
    technician = await service.technician_for_user(db, principal.user.id)
    if technician is None or not principal.can(WORK):
        raise NotFound("You have no technician schedule.")
    return technician


async def _visible(db: Db, principal: ApiPrincipal, number: str) -> tuple[Booking, str]:
    """The booking and the caller's role towards it; NotFound when it is not theirs."""
    if principal.can(MANAGE):
        return await service.get_by_number(db, number), "staff"
    booking = await service.get_by_number(db, number)
    if booking.customer_id == principal.user.id:
        return booking, "customer"
    technician = await service.technician_for_user(db, principal.user.id)
    if technician is not None and booking.technician_id == technician.id and principal.can(WORK):
        return booking, "technician"
    raise NotFound(gettext("There is no such booking."))


@router.get("/bookings/{number}")
async def read(number: Number, principal: Principal, db: Db) -> dict[str, Any]:
    booking, _ = await _visible(db, principal, number)
    return booking_out(booking)


class StatusIn(BaseModel):
    status: str = Field(max_length=12, examples=["confirmed"])
    reason: str = Field("", max_length=300)


@router.post("/bookings/{number}/status")
async def change(
    number: Number, body: StatusIn, principal: Principal, db: Db, runtime: Runtime
) -> dict[str, Any]:
    """Move a booking along pending → confirmed → in_progress → completed, or cancel it
    (customers before the cut-off only)."""
    booking, role = await _visible(db, principal, number)
    await service.change_status(
        db,
        booking,
        body.status,
        role=role,
        cal=calendar_of(runtime),
        reason=body.reason,
        link=runtime.path(f"bookings/{booking.number}"),
    )
    return booking_out(booking)
