"""Two more admin pages the issue lists: every premium payment (with its provider ids and
refunds), and a broadcast of one notification to every customer, agent or user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from starlette.responses import Response

from mercato.admin.pages import admin_render
from mercato.identity.deps import require_permission
from mercato.kit.errors import ValidationFailed
from mercato.kit.pagination import page_number, paginate
from mercato.models import User
from mercato.models.insurance import PolicyPayment
from mercato.platform import audit, notifications
from mercato.web.deps import Db
from mercato.web.flash import redirect

router = APIRouter(prefix="/insurance")
Reader = Annotated[User, Depends(require_permission("insurance.read"))]
Broadcaster = Annotated[User, Depends(require_permission("notifications.broadcast"))]
PAYMENT_STATES = {
    "created": "Started",
    "succeeded": "Paid",
    "failed": "Failed",
    "refunded": "Refunded",
}
AUDIENCES = {"customer": "Customers", "agent": "Agents", "": "Everyone with an account"}


@router.get("/payments")
async def payment_list(request: Request, db: Db, _: Reader) -> Response:
    status = request.query_params.get("status", "")
    status = status if status in PAYMENT_STATES else ""
    stmt = select(PolicyPayment).order_by(PolicyPayment.created_at.desc(), PolicyPayment.id.desc())
    if status:
        stmt = stmt.where(PolicyPayment.status == status)
    page = await paginate(db, stmt, page_number(request.query_params.get("page")), 25, clamp=True)
    return admin_render(
        request,
        "admin/insurance_payments.html",
        {"page": page, "status": status, "states": PAYMENT_STATES},
        section="insurance/payments",
    )


def _broadcast_page(request: Request, form: dict[str, str], errors: dict[str, str], status=200):
    return admin_render(
        request,
        "admin/insurance_broadcast.html",
        {"form": form, "errors": errors, "audiences": AUDIENCES},
        section="insurance/broadcast",
        status_code=status,
    )


@router.get("/broadcast")
async def broadcast_form(request: Request, _: Broadcaster) -> Response:
    return _broadcast_page(request, {"audience": "customer"}, {})


@router.post("/broadcast")
async def broadcast_send(request: Request, db: Db, user: Broadcaster) -> Response:
    raw = await request.form()
    form = {k: str(raw.get(k) or "").strip() for k in ("title", "body", "audience")}
    errors: dict[str, str] = {}
    if form["audience"] not in AUDIENCES:
        errors["audience"] = "Choose who receives it."
    if not form["title"] or len(form["title"]) > 200:
        errors["title"] = "Write a title of at most 200 characters."
    if len(form["body"]) > 2000:
        errors["body"] = "Keep the message under 2,000 characters."
    if errors:
        return _broadcast_page(request, form, errors, 422)
    try:
        sent = await notifications.broadcast(
            db, title=form["title"], body=form["body"], role=form["audience"] or None
        )
    except ValidationFailed as exc:
        return _broadcast_page(request, form, {exc.field or "title": exc.message}, 422)
    await audit.record(
        db,
        actor=user,
        action="notifications.broadcast",
        entity_type="notification",
        after={"title": form["title"], "audience": form["audience"] or "all", "sent": sent},
        request=request,
    )
    return redirect(request, "admin/insurance/broadcast", f"Sent to {sent} people.")
