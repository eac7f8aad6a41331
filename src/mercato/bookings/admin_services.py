"""Admin pages for the service catalogue of bookings: service types (duration, buffer,
price, on-site, the technicians qualified) and the districts served with their travel fee.
Included by bookings.admin's router, so the module needs no second registration. Every
change is audited; a form with an error comes back with a 422 and nothing written."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from mercato.admin.pages import admin_render
from mercato.bookings import admin_service, service
from mercato.identity.deps import require_permission
from mercato.kit.errors import NotFound
from mercato.kit.i18n import N_, _
from mercato.models import User
from mercato.models.bookings import ServiceDistrict, ServiceType
from mercato.platform import audit
from mercato.web.deps import Db
from mercato.web.flash import redirect

router = APIRouter()
Manager = Annotated[User, Depends(require_permission("bookings.manage"))]
IdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _currency(request: Request) -> str:
    return request.state.runtime.config.currency


@router.get("/services")
async def services_page(request: Request, db: Db, _user: Manager) -> Response:
    return admin_render(
        request,
        "admin/booking_services.html",
        {
            "services": await service.list_service_types(db, active_only=False),
            "districts": await admin_service.all_districts(db),
        },
        section="services",
    )


async def _service_form(
    request: Request, db: Db, row: Any, values: dict, errors: dict, status: int = 200
) -> Response:
    return admin_render(
        request,
        "admin/booking_service_form.html",
        {
            "row": row,
            "values": values,
            "errors": errors,
            "technicians": await service.list_technicians(db, active_only=False),
        },
        section="services",
        status_code=status,
    )


async def _service(db: Db, service_id: int) -> ServiceType:
    row = await db.get(ServiceType, service_id)
    if row is None:
        raise NotFound(N_("No such service."))
    return row


@router.get("/services/new")
async def new_service(request: Request, db: Db, _user: Manager) -> Response:
    defaults = {"duration_minutes": "60", "buffer_minutes": "30", "on_site": True}
    return await _service_form(request, db, None, defaults | {"is_active": True}, {})


@router.get("/services/{service_id}")
async def edit_service(request: Request, service_id: IdPath, db: Db, _user: Manager) -> Response:
    row = await _service(db, service_id)
    return await _service_form(request, db, row, await admin_service.service_values(db, row), {})


async def _save_service(request: Request, db: Db, row: Any, actor: User) -> Response:
    values = admin_service.form_values(await request.form(), admin_service.SERVICE_FIELDS)
    currency = row.currency if row else _currency(request)
    parsed = await admin_service.read_service(db, values, currency=currency, row=row)
    if parsed.errors:
        return await _service_form(request, db, row, values, parsed.errors, 422)
    before = None
    if row is not None:
        before = admin_service.snapshot(row) | {
            "technicians": sorted(await admin_service.qualified(db, row.id))
        }
    saved = await admin_service.save_service(db, row, parsed, currency=currency)
    await audit.record(
        db,
        actor=actor,
        action="service_type.update" if before else "service_type.create",
        entity_type="service_type",
        entity_id=saved.id,
        before=before,
        after=admin_service.snapshot(saved) | {"technicians": sorted(parsed.technician_ids)},
        request=request,
    )
    return redirect(request, "admin/services", _("Service %(name)s saved.", name=saved.name))


@router.post("/services/new")
async def create_service(request: Request, db: Db, actor: Manager) -> Response:
    return await _save_service(request, db, None, actor)


@router.post("/services/{service_id}")
async def update_service(request: Request, service_id: IdPath, db: Db, actor: Manager) -> Response:
    return await _save_service(request, db, await _service(db, service_id), actor)


async def _district_form(
    request: Request, row: Any, values: dict, errors: dict, status: int = 200
) -> Response:
    return admin_render(
        request,
        "admin/booking_district_form.html",
        {"row": row, "values": values, "errors": errors},
        section="services",
        status_code=status,
    )


async def _district(db: Db, district_id: int) -> ServiceDistrict:
    row = await db.get(ServiceDistrict, district_id)
    if row is None:
        raise NotFound(N_("No such district."))
    return row


@router.get("/districts/new")
async def new_district(request: Request, _user: Manager) -> Response:
    return await _district_form(request, None, {"is_active": True}, {})


@router.get("/districts/{district_id}")
async def edit_district(request: Request, district_id: IdPath, db: Db, _user: Manager) -> Response:
    row = await _district(db, district_id)
    return await _district_form(
        request, row, admin_service.district_values(row, _currency(request)), {}
    )


async def _save_district(request: Request, db: Db, row: Any, actor: User) -> Response:
    values = admin_service.form_values(await request.form(), admin_service.DISTRICT_FIELDS)
    parsed = await admin_service.read_district(db, values, currency=_currency(request), row=row)
    if parsed.errors:
        return await _district_form(request, row, values, parsed.errors, 422)
    before = admin_service.snapshot(row) if row is not None else None
    saved = await admin_service.save_district(db, row, parsed)
    await audit.record(
        db,
        actor=actor,
        action="service_district.update" if before else "service_district.create",
        entity_type="service_district",
        entity_id=saved.id,
        before=before,
        after=admin_service.snapshot(saved),
        request=request,
    )
    return redirect(request, "admin/services", _("District %(name)s saved.", name=saved.name))


@router.post("/districts/new")
async def create_district(request: Request, db: Db, actor: Manager) -> Response:
    return await _save_district(request, db, None, actor)


@router.post("/districts/{district_id}")
async def update_district(
    request: Request, district_id: IdPath, db: Db, actor: Manager
) -> Response:
    return await _save_district(request, db, await _district(db, district_id), actor)
