"""Admin pages for outbound webhooks: subscriptions (create, pause, resume), the delivery
log with every attempt, and manual redelivery. Changes are audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from mercato.admin.pages import admin_render
from mercato.identity.deps import require_permission
from mercato.kit.errors import DomainError
from mercato.kit.i18n import N_, _
from mercato.models import User
from mercato.platform import audit
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect
from mercato.webhooks import service

router = APIRouter(prefix="/webhooks")
Manager = Annotated[User, Depends(require_permission("webhooks.manage"))]
IdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]


async def _page(request: Request, db: Db, **extra) -> Response:  # noqa: ANN003
    status_code = extra.pop("status_code", 200)
    return admin_render(
        request,
        "admin/webhooks.html",
        {
            "subscriptions": await service.list_subscriptions(db),
            "deliveries": await service.list_deliveries(db, limit=50),
            "event_types": sorted(service.EVENT_SOURCES),
            "values": {},
            "errors": {},
            "new_secret": "",
            **extra,
        },
        section="webhooks",
        status_code=status_code,
    )


@router.get("")
async def webhooks_page(request: Request, db: Db, _: Manager) -> Response:
    return await _page(request, db)


@router.post("")
async def create(request: Request, db: Db, runtime: Runtime, user: Manager) -> Response:
    form = await request.form()
    values = {
        "url": str(form.get("url") or "")[:500],
        "description": str(form.get("description") or "")[:200],
    }
    chosen = [str(v) for v in form.getlist("event_types")][:20]
    try:
        sub, secret = await service.create_subscription(
            db,
            service.cipher_for(runtime.secret),
            url=values["url"],
            event_types=chosen,
            description=values["description"],
            created_by=user.id,
        )
    except DomainError as exc:
        return await _page(
            request,
            db,
            values={**values, "event_types": chosen},
            errors={exc.field or "form": exc.message},
            status_code=422,
        )
    await audit.record(
        db,
        actor=user,
        action="webhook.create",
        entity_type="webhook",
        entity_id=sub.id,
        after=service.describe(sub),
        request=request,
    )
    # The secret is shown on this answer only (no redirect: it must not travel in a cookie).
    return await _page(request, db, new_secret=secret, created=sub)


@router.post("/{subscription_id}/toggle")
async def toggle(request: Request, subscription_id: IdPath, db: Db, user: Manager) -> Response:
    sub = await service.get_subscription(db, subscription_id)
    sub.is_active = not sub.is_active
    await db.flush()
    await audit.record(
        db,
        actor=user,
        action="webhook.update",
        entity_type="webhook",
        entity_id=sub.id,
        after={"is_active": sub.is_active},
        request=request,
    )
    return redirect(
        request,
        "admin/webhooks",
        _("Webhook switched on.") if sub.is_active else _("Webhook paused."),
    )


@router.get("/deliveries/{delivery_id}")
async def delivery_page(request: Request, delivery_id: IdPath, db: Db, _: Manager) -> Response:
    from mercato.kit.errors import NotFound
    from mercato.models.webhooks import WebhookDelivery

    delivery = await db.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound(N_("No such delivery."))
    return admin_render(
        request,
        "admin/webhook_delivery.html",
        {
            "delivery": delivery,
            "subscription": await service.get_subscription(db, delivery.subscription_id),
            "attempts": await service.attempts_of(db, delivery.id),
            "body": service.body_of(delivery).decode(),
        },
        section="webhooks",
    )


@router.post("/deliveries/{delivery_id}/redeliver")
async def redeliver(request: Request, delivery_id: IdPath, db: Db, user: Manager) -> Response:
    delivery = await service.redeliver(db, delivery_id)
    await audit.record(
        db,
        actor=user,
        action="webhook.redeliver",
        entity_type="webhook_delivery",
        entity_id=delivery.id,
        request=request,
    )
    return redirect(
        request, f"admin/webhooks/deliveries/{delivery.id}", _("Delivery scheduled again.")
    )
