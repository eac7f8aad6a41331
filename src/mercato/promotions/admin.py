"""Admin: promotions and vouchers with their usage; creating and editing them, and switching
one on or off. Every change is audited; a form with an error is shown again with the values
as typed and a 422, and nothing is written (admin_service checks everything first)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from sqlalchemy import select

from mercato.admin.pages import admin_render
from mercato.identity.deps import require_permission
from mercato.kit.errors import NotFound
from mercato.kit.i18n import N_, _
from mercato.kit.time import utcnow
from mercato.models import User
from mercato.models.promotions import Promotion, Voucher
from mercato.platform import audit
from mercato.promotions import admin_service
from mercato.web.deps import Db
from mercato.web.flash import redirect

READ = "promotions.read"
WRITE = "promotions.write"
router = APIRouter(prefix="/promotions")
Reader = Annotated[User, Depends(require_permission(READ))]
Writer = Annotated[User, Depends(require_permission(WRITE))]
IdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]
MODELS: dict[str, type[Voucher] | type[Promotion]] = {"voucher": Voucher, "promotion": Promotion}
FIELDS = {"voucher": admin_service.VOUCHER_FIELDS, "promotion": admin_service.PROMOTION_FIELDS}
TEMPLATES = {"voucher": "admin/voucher_form.html", "promotion": "admin/promotion_form.html"}


@router.get("")
async def overview(request: Request, db: Db, _user: Reader) -> Response:
    return admin_render(
        request,
        "admin/promotions.html",
        {
            "vouchers": list(await db.scalars(select(Voucher).order_by(Voucher.code))),
            "promotions": list(await db.scalars(select(Promotion).order_by(Promotion.id))),
            "now": utcnow(),
        },
        section="promotions",
    )


def _kind(kind: str) -> type[Voucher] | type[Promotion]:
    model = MODELS.get(kind)
    if model is None:
        raise NotFound(N_("No such promotion or voucher."))
    return model


async def _row(db: Db, kind: str, item_id: int) -> Any:
    row = await db.get(_kind(kind), item_id)
    if row is None:
        raise NotFound(N_("No such promotion or voucher."))
    return row


async def _form(
    request: Request, db: Db, kind: str, row: Any, values: dict, errors: dict, status: int = 200
) -> Response:
    return admin_render(
        request,
        TEMPLATES[kind],
        {
            "row": row,
            "values": values,
            "errors": errors,
            "categories": await admin_service.categories(db),
        },
        section="promotions",
        status_code=status,
    )


def _store(request: Request) -> tuple[str, str]:
    config = request.state.runtime.config
    return config.currency, config.timezone


@router.get("/{kind}/new")
async def new_form(request: Request, kind: str, db: Db, _user: Writer) -> Response:
    _kind(kind)
    return await _form(request, db, kind, None, {"is_active": True, "categories": []}, {})


@router.get("/{kind}/{item_id:int}")
async def edit_form(
    request: Request, kind: str, item_id: IdPath, db: Db, _user: Writer
) -> Response:
    row = await _row(db, kind, item_id)
    currency, timezone = _store(request)
    values_of = (
        admin_service.voucher_values if kind == "voucher" else admin_service.promotion_values
    )
    return await _form(request, db, kind, row, await values_of(db, row, currency, timezone), {})


async def _save(request: Request, db: Db, kind: str, row: Any, actor: User) -> Response:
    values = admin_service.form_values(await request.form(), FIELDS[kind])
    currency, timezone = _store(request)
    if kind == "voucher":
        parsed = await admin_service.read_voucher(
            db, values, currency=currency, timezone=timezone, voucher=row
        )
    else:
        parsed = await admin_service.read_promotion(
            db, values, currency=currency, timezone=timezone
        )
    if parsed.errors:
        return await _form(request, db, kind, row, values, parsed.errors, 422)
    before = admin_service.snapshot(row) if row is not None else None
    saved = await admin_service.save(db, _kind(kind), row, parsed.data)
    await audit.record(
        db,
        actor=actor,
        action=f"{kind}.{'update' if before else 'create'}",
        entity_type=kind,
        entity_id=saved.id,
        before=before,
        after=admin_service.snapshot(saved),
        request=request,
    )
    message = _("Voucher saved.") if kind == "voucher" else _("Promotion saved.")
    return redirect(request, "admin/promotions", message)


@router.post("/{kind}/new")
async def create(request: Request, kind: str, db: Db, actor: Writer) -> Response:
    _kind(kind)
    return await _save(request, db, kind, None, actor)


@router.post("/{kind}/{item_id:int}")
async def update(request: Request, kind: str, item_id: IdPath, db: Db, actor: Writer) -> Response:
    return await _save(request, db, kind, await _row(db, kind, item_id), actor)


@router.post("/{kind}/{item_id:int}/toggle")
async def toggle(request: Request, kind: str, item_id: IdPath, db: Db, actor: Writer) -> Response:
    row = await _row(db, kind, item_id)
    before = row.is_active
    row.is_active = not before
    await db.flush()
    await audit.record(
        db,
        actor=actor,
        action=f"{kind}.{'enable' if row.is_active else 'disable'}",
        entity_type=kind,
        entity_id=row.id,
        before={"is_active": before},
        after={"is_active": row.is_active},
        request=request,
    )
    return redirect(
        request, "admin/promotions", _("Switched on.") if row.is_active else _("Switched off.")
    )
