"""Webhook subscriptions and their delivery log in the JSON API, under
/<store>/api/v1/webhooks. Needs ``webhooks.manage`` (an admin's token or a scoped API key)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from mercato.identity.api_deps import ApiPrincipal, require_api_permission
from mercato.platform import audit
from mercato.web.deps import Db, Runtime
from mercato.webhooks import service

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
Manager = Annotated[ApiPrincipal, Depends(require_api_permission("webhooks.manage"))]
IdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]


class SubscriptionIn(BaseModel):
    url: str = Field(max_length=500, examples=["https://erp.example.vn/hooks/mercato"])
    event_types: list[str] = Field(max_length=20, examples=[["order.created", "booking.confirmed"]])
    description: str = Field("", max_length=200)


@router.get("/event-types")
async def event_types(_: Manager) -> list[str]:
    return sorted(service.EVENT_SOURCES)


@router.get("/subscriptions")
async def subscriptions(_: Manager, db: Db) -> list[dict[str, Any]]:
    return [service.describe(s) for s in await service.list_subscriptions(db)]


@router.post("/subscriptions", status_code=201)
async def create(
    body: SubscriptionIn, principal: Manager, db: Db, runtime: Runtime
) -> dict[str, Any]:
    """The signing secret is in this answer only; it is stored encrypted."""
    sub, secret = await service.create_subscription(
        db,
        service.cipher_for(runtime.secret),
        url=body.url,
        event_types=body.event_types,
        description=body.description,
        created_by=principal.user.id,
    )
    await audit.record(
        db,
        actor=principal.user,
        action="webhook.create",
        entity_type="webhook",
        entity_id=sub.id,
        after=service.describe(sub),
    )
    return {**service.describe(sub), "secret": secret}


class SubscriptionPatch(BaseModel):
    is_active: bool


@router.patch("/subscriptions/{subscription_id}")
async def update(
    subscription_id: IdPath, body: SubscriptionPatch, principal: Manager, db: Db
) -> dict[str, Any]:
    sub = await service.get_subscription(db, subscription_id)
    before = {"is_active": sub.is_active}
    sub.is_active = body.is_active
    await db.flush()
    await audit.record(
        db,
        actor=principal.user,
        action="webhook.update",
        entity_type="webhook",
        entity_id=sub.id,
        before=before,
        after={"is_active": sub.is_active},
    )
    return service.describe(sub)


@router.get("/deliveries")
async def deliveries(
    _: Manager, db: Db, subscription_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None
) -> list[dict[str, Any]]:
    return [
        service.describe_delivery(d)
        for d in await service.list_deliveries(db, subscription_id=subscription_id)
    ]


@router.post("/deliveries/{delivery_id}/redeliver", status_code=202)
async def redeliver(delivery_id: IdPath, principal: Manager, db: Db) -> dict[str, Any]:
    delivery = await service.redeliver(db, delivery_id)
    await audit.record(
        db,
        actor=principal.user,
        action="webhook.redeliver",
        entity_type="webhook_delivery",
        entity_id=delivery.id,
    )
    return service.describe_delivery(delivery)
