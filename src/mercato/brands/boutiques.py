"""Boutique buyers: sign-up with the boutique's details, the admin's approval queue, and the
decision told by in-app notification and by email (both written in the request's
transaction; the outbox delivers them after commit).

A rejected boutique may correct its details and apply again (back to pending); an approved
one that edits its details stays approved: the details are a profile, the approval is of the
business.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.brands.schemas import BoutiqueIn
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.time import utcnow
from mercato.models import Role, User, UserRole
from mercato.models.brands import BOUTIQUE_STATUSES, Boutique
from mercato.platform import notifications
from mercato.platform.email import queue_email

STATUS_LABELS = {"pending": "Waiting for approval", "approved": "Approved", "rejected": "Declined"}


async def boutique_of(db: AsyncSession, user_id: int) -> Boutique | None:
    return await db.scalar(select(Boutique).where(Boutique.user_id == user_id))


async def apply(db: AsyncSession, user: User, data: BoutiqueIn) -> Boutique:
    """Create the user's boutique (pending) or update its details."""
    boutique = await boutique_of(db, user.id)
    if boutique is None:
        boutique = Boutique(user_id=user.id, status="pending", **data.model_dump())
        db.add(boutique)
    else:
        for key, value in data.model_dump().items():
            setattr(boutique, key, value)
        if boutique.status == "rejected":
            boutique.status, boutique.reason = "pending", ""
            boutique.reviewed_at, boutique.reviewed_by = None, None
    await db.flush()
    return boutique


async def queue(db: AsyncSession, status: str) -> list[tuple[Boutique, User]]:
    if status not in BOUTIQUE_STATUSES:
        status = "pending"
    stmt = (
        select(Boutique, User)
        .join(User, User.id == Boutique.user_id)
        .where(Boutique.status == status)
        .order_by(Boutique.created_at, Boutique.id)
        .limit(500)
    )
    return [(b, u) for b, u in (await db.execute(stmt)).all()]


async def get(db: AsyncSession, boutique_id: int) -> tuple[Boutique, User]:
    row = (
        await db.execute(
            select(Boutique, User)
            .join(User, User.id == Boutique.user_id)
            .where(Boutique.id == boutique_id)
        )
    ).first()
    if row is None:
        raise NotFound("We could not find that boutique.")
    return row[0], row[1]


async def _tell(db: AsyncSession, runtime: Any, boutique: Boutique, user: User) -> None:
    approved = boutique.status == "approved"
    title = "Your boutique is approved" if approved else "Your boutique application was declined"
    body = "You can now send inquiries and messages to brands." if approved else boutique.reason
    await notifications.notify(
        db, user_id=user.id, title=title, body=body, link=runtime.path("boutique")
    )
    await queue_email(
        db,
        runtime,
        to=user.email,
        subject=f"{runtime.config.name}: {title.lower()}",
        template="emails/boutique_decision",
        context={"boutique": boutique, "user": user, "approved": approved},
    )


async def _buyer_role(db: AsyncSession, user: User) -> None:
    role = await db.scalar(select(Role).where(Role.name == "buyer"))
    if role is None:
        return
    held = await db.scalar(
        select(UserRole.user_id).where(UserRole.user_id == user.id, UserRole.role_id == role.id)
    )
    if held is None:
        db.add(UserRole(user_id=user.id, role_id=role.id))


async def approve(db: AsyncSession, runtime: Any, boutique_id: int, actor: User) -> Boutique:
    boutique, user = await get(db, boutique_id)
    if boutique.status == "approved":
        raise Conflict("This boutique is already approved.")
    boutique.status, boutique.reason = "approved", ""
    boutique.reviewed_at, boutique.reviewed_by = utcnow(), actor.id
    await _buyer_role(db, user)
    await db.flush()
    await _tell(db, runtime, boutique, user)
    return boutique


async def reject(
    db: AsyncSession, runtime: Any, boutique_id: int, actor: User, reason: str
) -> Boutique:
    reason = " ".join(reason.split())
    if len(reason) < 5:
        raise ValidationFailed("Say why, so the boutique can correct it.", field="reason")
    boutique, user = await get(db, boutique_id)
    boutique.status, boutique.reason = "rejected", reason[:2000]
    boutique.reviewed_at, boutique.reviewed_by = utcnow(), actor.id
    await db.flush()
    await _tell(db, runtime, boutique, user)
    return boutique


async def reviewers(db: AsyncSession) -> list[int]:
    """Users whose roles may review boutiques (``brands.boutiques.review`` or "*")."""
    from mercato.brands.access import BOUTIQUES_REVIEW
    from mercato.identity.permissions import has_permission

    rows = await db.execute(
        select(UserRole.user_id, Role.permissions).join(Role, Role.id == UserRole.role_id)
    )
    return sorted(
        {uid for uid, perms in rows.all() if has_permission(frozenset(perms), BOUTIQUES_REVIEW)}
    )


async def tell_reviewers(db: AsyncSession, runtime: Any, boutique: Boutique) -> None:
    for user_id in await reviewers(db):
        await notifications.notify(
            db,
            user_id=user_id,
            title=f"{boutique.name} asks to buy on {runtime.config.name}",
            body=f"{boutique.city}, {boutique.country}",
            link=runtime.path(f"admin/brands/boutiques/{boutique.id}"),
        )
