"""Admin: the review moderation queue (reviews.moderate) and the store's reviews switch
(platform.settings.write). Every decision writes an audit row."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from mercato.admin.pages import admin_render
from mercato.customers import features
from mercato.identity.deps import require_permission
from mercato.kit.errors import ValidationFailed
from mercato.kit.pagination import page_number
from mercato.models import User
from mercato.platform import audit
from mercato.reviews import service
from mercato.web.deps import Db
from mercato.web.flash import redirect

router = APIRouter(prefix="/reviews")
Moderator = Annotated[User, Depends(require_permission("reviews.moderate"))]
SettingsWriter = Annotated[User, Depends(require_permission("platform.settings.write"))]


@router.get("")
async def queue(request: Request, db: Db, _: Moderator) -> Response:
    status = request.query_params.get("status", "pending")
    status = status if status in service.STATUSES else "pending"
    page = await service.moderation_queue(db, status, page_number(request.query_params.get("page")))
    return admin_render(
        request,
        "admin/reviews.html",
        {
            "page": page,
            "status": status,
            "counts": await service.status_counts(db),
            "enabled": await features.is_enabled(db, request.state.runtime, "reviews"),
        },
        section="reviews",
    )


@router.post("/{review_id:int}/reply")
async def reply(request: Request, review_id: int, db: Db, actor: Moderator) -> Response:
    """The shop's public answer under a review (empty removes it); audited."""
    form = await request.form()
    status = str(form.get("status") or "pending")
    back = "admin/reviews?status=" + (status if status in service.STATUSES else "pending")
    try:
        before, review = await service.reply(db, actor, review_id, str(form.get("reply") or ""))
    except ValidationFailed as exc:
        return redirect(request, back, exc.message, "error")
    await audit.record(
        db,
        actor=actor,
        action="review.reply",
        entity_type="review",
        entity_id=review.id,
        before={"reply": before},
        after={"reply": review.reply},
        request=request,
    )
    return redirect(request, back, "Reply saved." if review.reply else "Reply removed.")


@router.post("/{review_id:int}/{decision}")
async def decide(
    request: Request, review_id: int, decision: str, db: Db, actor: Moderator
) -> Response:
    wanted = {"approve": "approved", "reject": "rejected"}.get(decision, "")
    before, review = await service.moderate(db, actor, review_id, wanted)
    await audit.record(
        db,
        actor=actor,
        action=f"review.{decision}",
        entity_type="review",
        entity_id=review.id,
        before={"status": before},
        after={"status": review.status},
        request=request,
    )
    form = await request.form()
    status = str(form.get("status") or "pending")
    back = "admin/reviews?status=" + (status if status in service.STATUSES else "pending")
    return redirect(request, back, f"Review {wanted}.")


@router.post("/feature")
async def switch(request: Request, db: Db, actor: SettingsWriter) -> Response:
    form = await request.form()
    wanted = form.get("enabled") == "on"
    before = await features.is_enabled(db, request.state.runtime, "reviews")
    await features.set_enabled(db, "reviews", wanted)
    await audit.record(
        db,
        actor=actor,
        action="feature.reviews",
        entity_type="store_setting",
        entity_id=features.setting_key("reviews"),
        before={"enabled": before},
        after={"enabled": wanted},
        request=request,
    )
    message = "Reviews are on in the shop." if wanted else "Reviews are hidden from the shop."
    return redirect(request, "admin/reviews", message)
