"""Newsletter with double opt-in.

A request creates (or re-opens) a *pending* subscriber and emails a signed, expiring
confirmation link; only a confirmed subscriber is *active*, and only active ones are counted,
listed as subscribed or exported. Unsubscribing is one click from any newsletter email; a
later subscription goes through the opt-in again. Callers answer the same way whether or not
the address was known, so the form reveals nothing about who subscribes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.identity.service import normalize_email
from mercato.kit.errors import ValidationFailed
from mercato.kit.i18n import _
from mercato.kit.pagination import Page, paginate
from mercato.kit.security import constant_time_equal, hash_token, sign
from mercato.kit.time import as_utc, utcnow
from mercato.models import NewsletterSubscriber
from mercato.models.engagement import SubscriberStatus
from mercato.platform.email import queue_email

CONFIRM_HOURS = 48
TOPICS = {
    "essences": "New essences",
    "limited": "Limited editions",
    "journal": "The journal",
}
SOURCES = frozenset({"footer", "account", "api", "checkout"})
STATUSES = ("pending", "active", "unsubscribed", "bounced")


class InvalidLink(ValidationFailed):
    def __init__(self, message: str = "This link is not valid or has expired.") -> None:
        super().__init__(message, field="token")


def clean_preferences(raw: Any) -> dict[str, bool]:
    """Known topics only; nothing chosen means every topic."""
    chosen = (
        {k for k in (raw or []) if k in TOPICS}
        if not isinstance(raw, dict)
        else {k for k, v in raw.items() if k in TOPICS and v}
    )
    chosen = chosen or set(TOPICS)
    return {k: k in chosen for k in TOPICS}


# ---------------------------------------------------------------- signed links


def _confirm_signature(runtime: Any, sub: NewsletterSubscriber, expires: int) -> str:
    # The request time is signed too: a new request (after unsubscribing) voids older links.
    requested = str(int(as_utc(sub.requested_at).timestamp()))
    return sign(
        runtime.secret,
        runtime.slug,
        "newsletter-confirm",
        str(sub.id),
        sub.email,
        requested,
        str(expires),
    )


def confirm_token(runtime: Any, sub: NewsletterSubscriber, *, now: float | None = None) -> str:
    expires = int((now or time.time()) + CONFIRM_HOURS * 3600)
    return f"{sub.id}.{expires}.{_confirm_signature(runtime, sub, expires)}"


def unsubscribe_token(runtime: Any, sub: NewsletterSubscriber) -> str:
    """Stable per address (a link in an old email keeps working); its hash is stored."""
    signature = sign(runtime.secret, runtime.slug, "newsletter-unsubscribe", str(sub.id), sub.email)
    return f"{sub.id}.{signature}"


def unsubscribe_url(runtime: Any, sub: NewsletterSubscriber) -> str:
    return runtime.absolute_url(f"newsletter/unsubscribe?token={unsubscribe_token(runtime, sub)}")


async def _subscriber_of(db: AsyncSession, raw_id: str) -> NewsletterSubscriber | None:
    if not raw_id.isdigit() or len(raw_id) > 18:
        return None
    return await db.get(NewsletterSubscriber, int(raw_id))


# ---------------------------------------------------------------- subscribing


async def subscribe(
    db: AsyncSession,
    runtime: Any,
    *,
    email: str,
    name: str = "",
    source: str = "footer",
    preferences: Any = None,
    user_id: int | None = None,
) -> None:
    """Ask for a subscription. Returns nothing on purpose: the caller must not be able to
    tell a new address from a known one."""
    address = normalize_email(email)
    name = name.strip()[:120]
    if any(ord(c) < 32 for c in name):
        raise ValidationFailed("Please write your name without control characters.", field="name")
    prefs = clean_preferences(preferences)
    sub = await db.scalar(select(NewsletterSubscriber).where(NewsletterSubscriber.email == address))
    if sub is not None and sub.status == SubscriberStatus.ACTIVE:
        return  # already subscribed: nothing to do, nothing to say
    if sub is None:
        sub = NewsletterSubscriber(email=address, status=SubscriberStatus.PENDING)
        db.add(sub)
    # Pending again (new, unsubscribed or bounced): the opt-in starts over.
    sub.status = SubscriberStatus.PENDING
    sub.name = name or sub.name
    sub.source = source if source in SOURCES else "footer"
    sub.preferences = prefs
    sub.user_id = user_id or sub.user_id
    sub.requested_at = utcnow().replace(microsecond=0)
    sub.confirmed_at = None
    await db.flush()
    sub.unsubscribe_token_hash = hash_token(unsubscribe_token(runtime, sub))
    await queue_email(
        db,
        runtime,
        to=sub.email,
        subject=_("Please confirm your subscription to %(store)s", store=runtime.config.name),
        template="newsletter/emails/confirm",
        context={
            "name": sub.name,
            "link": runtime.absolute_url(f"newsletter/confirm?token={confirm_token(runtime, sub)}"),
            "hours": CONFIRM_HOURS,
            "topics": [TOPICS[k] for k, v in prefs.items() if v],
        },
    )


async def confirm(db: AsyncSession, runtime: Any, token: str, *, now: float | None = None):
    """Activate the subscriber of a valid confirmation link (again: harmless)."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        raise InvalidLink()
    sub = await _subscriber_of(db, parts[0])
    expires = int(parts[1])
    if sub is None or expires < (now or time.time()):
        raise InvalidLink()
    if not constant_time_equal(parts[2], _confirm_signature(runtime, sub, expires)):
        raise InvalidLink()
    if sub.status == SubscriberStatus.ACTIVE:
        return sub
    if sub.status != SubscriberStatus.PENDING:
        # Unsubscribed after asking: the old link must not sign them up again.
        raise InvalidLink()
    sub.status = SubscriberStatus.ACTIVE
    sub.confirmed_at = utcnow()
    sub.unsubscribed_at = None
    await db.flush()
    await send_to_subscriber(
        db,
        runtime,
        sub,
        subject=_("Welcome to the %(store)s letters", store=runtime.config.name),
        template="newsletter/emails/welcome",
        context={"topics": [TOPICS[k] for k, v in sub.preferences.items() if v]},
    )
    return sub


async def find_by_unsubscribe_token(
    db: AsyncSession, runtime: Any, token: str
) -> NewsletterSubscriber:
    raw_id, _, signature = token.partition(".")
    sub = await _subscriber_of(db, raw_id)
    if sub is None or not constant_time_equal(token, unsubscribe_token(runtime, sub)):
        raise InvalidLink("This unsubscribe link is not valid.")
    return sub


async def unsubscribe(db: AsyncSession, runtime: Any, token: str) -> NewsletterSubscriber:
    sub = await find_by_unsubscribe_token(db, runtime, token)
    if sub.status != SubscriberStatus.UNSUBSCRIBED:
        sub.status = SubscriberStatus.UNSUBSCRIBED
        sub.unsubscribed_at = utcnow()
        await db.flush()
    return sub


async def send_to_subscriber(
    db: AsyncSession,
    runtime: Any,
    sub: NewsletterSubscriber,
    *,
    subject: str,
    template: str,
    context: dict[str, Any],
) -> None:
    """Queue a newsletter email; refuses anyone not active, and every one carries the
    one-click unsubscribe link (templates extend newsletter/emails/_letter.html)."""
    if sub.status != SubscriberStatus.ACTIVE:
        raise ValidationFailed("Only confirmed subscribers receive newsletters.", field="email")
    await queue_email(
        db,
        runtime,
        to=sub.email,
        subject=subject,
        template=template,
        context={**context, "name": sub.name, "unsubscribe_url": unsubscribe_url(runtime, sub)},
    )


# ---------------------------------------------------------------- account and admin


async def for_email(db: AsyncSession, email: str) -> NewsletterSubscriber | None:
    return await db.scalar(
        select(NewsletterSubscriber).where(NewsletterSubscriber.email == email.strip().lower())
    )


async def update_preferences(
    db: AsyncSession, sub: NewsletterSubscriber, preferences: Any
) -> NewsletterSubscriber:
    sub.preferences = clean_preferences(preferences)
    await db.flush()
    return sub


async def unsubscribe_subscriber(db: AsyncSession, sub: NewsletterSubscriber) -> None:
    if sub.status != SubscriberStatus.UNSUBSCRIBED:
        sub.status = SubscriberStatus.UNSUBSCRIBED
        sub.unsubscribed_at = utcnow()
        await db.flush()


@dataclass
class Counts:
    by_status: dict[str, int]

    @property
    def active(self) -> int:
        return self.by_status.get("active", 0)


async def counts(db: AsyncSession) -> Counts:
    rows = await db.execute(
        select(NewsletterSubscriber.status, func.count()).group_by(NewsletterSubscriber.status)
    )
    found = {status: int(n) for status, n in rows.all()}
    return Counts({s: found.get(s, 0) for s in STATUSES})


async def list_subscribers(
    db: AsyncSession, status: str | None, page: int, per_page: int = 50
) -> Page[NewsletterSubscriber]:
    query = select(NewsletterSubscriber)
    if status:
        if status not in STATUSES:
            raise ValidationFailed("Choose a known status.", field="status")
        query = query.where(NewsletterSubscriber.status == status)
    query = query.order_by(NewsletterSubscriber.requested_at.desc(), NewsletterSubscriber.id.desc())
    return await paginate(db, query, page, per_page, clamp=True)


async def active_subscribers(db: AsyncSession) -> list[NewsletterSubscriber]:
    """Confirmed and still subscribed: the only people ever exported or mailed."""
    return list(
        await db.scalars(
            select(NewsletterSubscriber)
            .where(
                NewsletterSubscriber.status == SubscriberStatus.ACTIVE,
                NewsletterSubscriber.confirmed_at.is_not(None),
            )
            .order_by(NewsletterSubscriber.id)
        )
    )
