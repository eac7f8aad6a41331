"""In-app notifications: stored per user, counted for the badge, pushed live after commit.

Every query filters by ``user_id``: a user reads and marks only their own notifications,
whatever ids they send (object-level rule, DESIGN.md §5).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import CursorResult, func, select, update

from mercato.kit.errors import ValidationFailed
from mercato.kit.pagination import Page, page_number, paginate
from mercato.kit.time import utcnow
from mercato.models import Notification, OutboxEvent
from mercato.platform import outbox
from mercato.platform.realtime import channel_for_store

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from mercato.platform.outbox import HandlerContext

NOTIFICATION_CREATED = "notification.created"
# What the store's WebSocket sends a page for a new notification (the seed's event name).
LIVE_EVENT = "notification:new"
PAGE_SIZE = 20
KINDS = frozenset({"info", "success", "warning", "error"})


def user_channel(slug: str, user_id: int) -> str:
    return channel_for_store(slug, f"user:{user_id}")


async def notify(
    db: AsyncSession,
    *,
    user_id: int,
    title: str,
    body: str = "",
    link: str = "",
    kind: str = "info",
) -> Notification:
    """Store a notification for ``user_id``; the worker pushes it to their open pages.

    ``link`` is a path inside the store ("/atelier-arome/orders/12"); anything else is
    dropped, so a notification can never send someone to another site.
    """
    title = title.strip()
    if not title:
        raise ValidationFailed("A notification needs a title.", field="title")
    row = Notification(
        user_id=user_id,
        title=title[:200],
        body=body,
        link=link if is_local_link(link) else "",
        kind=kind if kind in KINDS else "info",
    )
    db.add(row)
    await db.flush()
    await outbox.emit(db, NOTIFICATION_CREATED, {"notification_id": row.id, "user_id": user_id})
    return row


def is_local_link(link: str) -> bool:
    """A path on this site: starts with one "/" (not "//evil.example" or "/\\evil")."""
    return (
        link.startswith("/")
        and not link.startswith(("//", "/\\"))
        and not any(c in link for c in "\r\n\t")
        and len(link) <= 500
    )


async def unread_count(db: AsyncSession, user_id: int) -> int:
    """One COUNT on the (user_id, read_at) index; cheap enough for every page."""
    count = await db.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return int(count or 0)


async def list_for_user(
    db: AsyncSession, user_id: int, page: int = 1, *, per_page: int = PAGE_SIZE
) -> Page[Notification]:
    """Newest first. A page past the end is clamped to the last one."""
    stmt = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return await paginate(db, stmt, page_number(page), per_page, clamp=True)


async def get_for_user(db: AsyncSession, user_id: int, notification_id: int) -> Notification | None:
    return await db.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user_id
        )
    )


async def mark_read(db: AsyncSession, user_id: int, ids: Iterable[int] | Literal["all"]) -> int:
    """Mark the user's own notifications read; ids of other users' rows change nothing.

    Returns how many changed. Already-read rows keep their first read time.
    """
    stmt = update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if ids != "all":
        wanted = {int(i) for i in ids}
        if not wanted:
            return 0
        stmt = stmt.where(Notification.id.in_(wanted))
    result: CursorResult[Any] = await db.execute(  # type: ignore[assignment]
        stmt.values(read_at=utcnow()).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


async def push_notification(ctx: HandlerContext, event: OutboxEvent) -> None:
    """Handler for ``notification.created``: tell the user's open pages, after commit.

    Idempotent: a repeated push carries the current unread count, so the badge is right.
    """
    user_id = int(event.payload["user_id"])
    row = await ctx.db.get(Notification, int(event.payload["notification_id"]))
    if row is None:  # deleted before delivery: nothing to announce
        return
    message = {
        "type": LIVE_EVENT,
        "unread": await unread_count(ctx.db, user_id),
        "title": row.title,
        "link": row.link,
    }
    channel = user_channel(ctx.runtime.slug, user_id)
    hub = ctx.runtime.hub

    async def publish() -> None:
        await hub.publish(channel, message)

    ctx.after_commit.append(publish)


async def delete_for_user(db: AsyncSession, user_id: int, notification_id: int) -> bool:
    """Remove one of the user's own notifications; another user's id deletes nothing."""
    row = await get_for_user(db, user_id, notification_id)
    if row is None:
        return False
    await db.delete(row)
    await db.flush()
    return True


async def broadcast(
    db: AsyncSession, *, title: str, body: str = "", link: str = "", role: str | None = None
) -> int:
    """Notify every user not blocked or deleted (or only the holders of ``role``): one row
    and one live push each, written in two flushes whatever the audience. Returns how many."""
    from mercato.models import Role, User, UserRole

    title = title.strip()
    if not title:
        raise ValidationFailed("A notification needs a title.", field="title")
    audience = select(User.id).where(User.blocked_at.is_(None), User.deleted_at.is_(None))
    if role:
        audience = audience.where(
            User.id.in_(
                select(UserRole.user_id)
                .join(Role, Role.id == UserRole.role_id)
                .where(Role.name == role)
            )
        )
    user_ids = list(await db.scalars(audience.order_by(User.id)))
    rows = [
        Notification(
            user_id=user_id,
            title=title[:200],
            body=body,
            link=link if is_local_link(link) else "",
            kind="info",
        )
        for user_id in user_ids
    ]
    db.add_all(rows)
    await db.flush()
    db.add_all(
        OutboxEvent(
            event_type=NOTIFICATION_CREATED,
            payload={"notification_id": row.id, "user_id": row.user_id},
        )
        for row in rows
    )
    await db.flush()
    return len(rows)
