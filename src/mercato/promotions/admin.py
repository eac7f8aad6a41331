"""Admin: promotions and vouchers with their usage, and switching one on or off (audited).
Vouchers are created from the seed or the API of a later change; this page is the
operator's view of what runs and how often each code was used."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select

from mercato.admin.pages import admin_render
from mercato.identity.deps import require_permission
from mercato.kit.errors import NotFound
from mercato.kit.time import utcnow
from mercato.models import User
from mercato.models.promotions import Promotion, Voucher
from mercato.platform import audit
from mercato.web.deps import Db
from mercato.web.flash import redirect

READ = "promotions.read"
WRITE = "promotions.write"
router = APIRouter(prefix="/promotions")
Reader = Annotated[User, Depends(require_permission(READ))]
Writer = Annotated[User, Depends(require_permission(WRITE))]
MODELS: dict[str, type[Voucher] | type[Promotion]] = {"voucher": Voucher, "promotion": Promotion}


@router.get("")
async def overview(request: Request, db: Db, _: Reader) -> Response:
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


@router.post("/{kind}/{item_id:int}/toggle")
async def toggle(request: Request, kind: str, item_id: int, db: Db, actor: Writer) -> Response:
    model = MODELS.get(kind)
    row: Voucher | Promotion | None = await db.get(model, item_id) if model else None
    if row is None:
        raise NotFound("No such promotion or voucher.")
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
    return redirect(request, "admin/promotions", "Đã bật." if row.is_active else "Đã tắt.")
