"""Outbound webhooks: subscriptions per event type, signed deliveries, retries with
exponential backoff through the outbox, a delivery log and manual redelivery.

Flow: a domain event (``order.placed``, ``booking.confirmed``…) is an outbox row. Its
webhook handler (``fan_out``) writes one ``WebhookDelivery`` per matching active
subscription, with an id derived from the outbox event and subscription (a redelivered
domain event creates nothing twice), and queues ``webhooks.deliver`` for each. The
delivery handler POSTs the signed body and records the attempt. A failure does not raise:
the attempt row must survive, so the handler queues the next try itself with
``next_attempt_at`` = now + backoff, and marks the delivery failed after MAX_ATTEMPTS.

Signature (Stripe's scheme, so receivers reuse known code): header
``Mercato-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``.
Receivers should refuse timestamps older than five minutes (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import select

from mercato.kit.errors import NotFound, ValidationFailed
from mercato.kit.i18n import _
from mercato.kit.security import FieldCipher
from mercato.kit.time import utcnow
from mercato.models import OutboxEvent
from mercato.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookSubscription
from mercato.platform import outbox

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from mercato.platform.outbox import HandlerContext

DELIVER = "webhooks.deliver"
MAX_ATTEMPTS = 6
BASE_BACKOFF_SECONDS = 30  # 30 s, 1 min, 2 min, 4 min, 8 min between the six tries
TIMEOUT_SECONDS = 10
SIGNATURE_HEADER = "Mercato-Signature"
TRANSPORT_KEY = "webhooks.transport"  # runtime.extras: an httpx transport (tests, proxies)
# Public event name → the internal outbox event it comes from.
EVENT_SOURCES = {
    "order.created": "order.placed",
    "order.paid": "order.paid",
    "booking.created": "booking.created",
    "booking.confirmed": "booking.confirmed",
    "booking.in_progress": "booking.in_progress",
    "booking.completed": "booking.completed",
    "booking.cancelled": "booking.cancelled",
    "ticket.created": "ticket.created",
}
PUBLIC_NAME = {source: public for public, source in EVENT_SOURCES.items()}


def cipher_for(secret_key: str) -> FieldCipher:
    return FieldCipher("webhooks\x00" + secret_key)


def backoff_seconds(attempts: int) -> int:
    """Wait after the ``attempts``-th failure: 30 s doubling each time."""
    return BASE_BACKOFF_SECONDS * 2 ** max(0, attempts - 1)


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(
    secret: str, body: bytes, header: str, *, now: int | None = None, tolerance: int = 300
) -> bool:
    """What a receiver does (used by the tests, and documented for integrators)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs((int(time.time()) if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def _clean_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(url) > 500:
        raise ValidationFailed(_("The address must be a full http(s) URL."), field="url")
    if parts.username or parts.password:
        raise ValidationFailed(
            _("Keep passwords out of the URL; the HMAC signature proves the sender."), field="url"
        )
    return url


def _clean_events(events: list[str]) -> list[str]:
    chosen = sorted({e for e in events if e in EVENT_SOURCES})
    if not chosen or len(chosen) != len(set(events)):
        raise ValidationFailed(_("Choose at least one valid event type."), field="event_types")
    return chosen


async def create_subscription(
    db: AsyncSession,
    cipher: FieldCipher,
    *,
    url: str,
    event_types: list[str],
    description: str = "",
    created_by: int | None = None,
) -> tuple[WebhookSubscription, str]:
    """Returns the subscription and its signing secret, shown once to the admin."""
    secret = "whsec_" + secrets.token_urlsafe(32)
    row = WebhookSubscription(
        url=_clean_url(url),
        event_types=_clean_events(event_types),
        description=description.strip()[:200],
        secret_cipher=cipher.encrypt(secret),
        secret_hint=f"whsec_…{secret[-4:]}",
        created_by=created_by,
    )
    db.add(row)
    await db.flush()
    return row, secret


async def list_subscriptions(db: AsyncSession) -> list[WebhookSubscription]:
    return list(await db.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id)))


async def get_subscription(db: AsyncSession, subscription_id: int) -> WebhookSubscription:
    row = await db.get(WebhookSubscription, subscription_id)
    if row is None:
        raise NotFound(_("There is no such webhook."))
    return row


async def list_deliveries(
    db: AsyncSession, *, subscription_id: int | None = None, limit: int = 100
) -> list[WebhookDelivery]:
    stmt = select(WebhookDelivery)
    if subscription_id:
        stmt = stmt.where(WebhookDelivery.subscription_id == subscription_id)
    return list(await db.scalars(stmt.order_by(WebhookDelivery.id.desc()).limit(limit)))


async def attempts_of(db: AsyncSession, delivery_id: int) -> list[WebhookAttempt]:
    return list(
        await db.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.id)
        )
    )


async def redeliver(db: AsyncSession, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again now (the admin's button), whatever its state."""
    delivery = await db.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound(_("There is no such delivery."))
    delivery.status = "pending"
    delivery.next_attempt_at = utcnow()
    await db.flush()
    await outbox.emit(db, DELIVER, {"delivery_id": delivery.id, "manual": True})
    return delivery


# --- handlers ------------------------------------------------------------------------------------


async def fan_out(ctx: HandlerContext, event: OutboxEvent) -> None:
    public = PUBLIC_NAME.get(event.event_type)
    if public is None:
        return
    subscriptions = await ctx.db.scalars(
        select(WebhookSubscription).where(WebhookSubscription.is_active.is_(True))
    )
    for sub in subscriptions:
        if public not in (sub.event_types or []):
            continue
        event_id = f"evt_{event.id}_{sub.id}"
        exists = await ctx.db.scalar(
            select(WebhookDelivery.id).where(WebhookDelivery.event_id == event_id)
        )
        if exists is not None:
            continue  # this domain event was delivered to the handler before
        delivery = WebhookDelivery(
            subscription_id=sub.id,
            event_id=event_id,
            event_type=public,
            payload=dict(event.payload),
            created_at=event.created_at,
            next_attempt_at=utcnow(),
        )
        ctx.db.add(delivery)
        await ctx.db.flush()
        await outbox.emit(ctx.db, DELIVER, {"delivery_id": delivery.id})


def body_of(delivery: WebhookDelivery) -> bytes:
    document = {
        "id": delivery.event_id,
        "type": delivery.event_type,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


async def deliver(ctx: HandlerContext, event: OutboxEvent) -> None:
    db = ctx.db
    delivery = await db.get(WebhookDelivery, int(event.payload["delivery_id"]))
    if delivery is None or (delivery.status != "pending"):
        return  # delivered, given up, or removed: a stale retry does nothing
    sub = await db.get(WebhookSubscription, delivery.subscription_id)
    if sub is None or not sub.is_active:
        delivery.status = "failed"
        delivery.last_error = "subscription disabled"
        return
    secret = cipher_for(ctx.runtime.secret).decrypt(sub.secret_cipher)
    body = body_of(delivery)
    headers = {
        "content-type": "application/json",
        "user-agent": "Mercato-Webhooks/1",
        "mercato-event": delivery.event_type,
        "mercato-delivery": delivery.event_id,
        SIGNATURE_HEADER: sign(secret, body, int(time.time())),
    }
    started = time.monotonic()
    status_code: int | None = None
    error = ""
    transport = ctx.runtime.extras.get(TRANSPORT_KEY)
    import httpx  # here, not at the top: only the worker delivers (about 1.5 MiB per web worker)

    try:
        async with httpx.AsyncClient(
            transport=transport, timeout=TIMEOUT_SECONDS, follow_redirects=False
        ) as client:
            response = await client.post(sub.url, content=body, headers=headers)
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    now = utcnow()
    db.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            status_code=status_code,
            error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
            attempted_at=now,
        )
    )
    delivery.attempts += 1
    delivery.last_status_code = status_code
    delivery.last_error = error
    if not error:
        delivery.status = "delivered"
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS and not event.payload.get("manual"):
        delivery.status = "failed"
        delivery.next_attempt_at = None
    elif event.payload.get("manual"):
        delivery.status = "failed"  # a manual try is one try; the admin may press again
        delivery.next_attempt_at = None
    else:
        await _schedule_retry(
            db, delivery, now + timedelta(seconds=backoff_seconds(delivery.attempts))
        )
    await db.flush()


async def _schedule_retry(db: AsyncSession, delivery: WebhookDelivery, when: datetime) -> None:
    delivery.next_attempt_at = when
    retry = await outbox.emit(db, DELIVER, {"delivery_id": delivery.id})
    retry.next_attempt_at = when
    await db.flush()


def describe(sub: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": sub.id,
        "url": sub.url,
        "description": sub.description,
        "event_types": sub.event_types,
        "is_active": sub.is_active,
        "secret_hint": sub.secret_hint,
        "created_at": sub.created_at.isoformat(),
    }


def describe_delivery(d: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": d.id,
        "subscription_id": d.subscription_id,
        "event_id": d.event_id,
        "event_type": d.event_type,
        "status": d.status,
        "attempts": d.attempts,
        "last_status_code": d.last_status_code,
        "last_error": d.last_error,
        "next_attempt_at": d.next_attempt_at.isoformat() if d.next_attempt_at else None,
        "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
        "created_at": d.created_at.isoformat(),
    }
