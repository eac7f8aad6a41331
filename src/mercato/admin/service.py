"""Read models and small rules behind the admin shell.

Every list here runs a fixed number of queries whatever the page size (DESIGN.md §7):
one for the total, one for the page, and one grouped query for anything attached to
the rows (roles of the listed users), never one query per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.errors import NotFound
from mercato.kit.pagination import Page, paginate
from mercato.kit.time import utcnow
from mercato.models import (
    AuditEntry,
    EmailMessage,
    Notification,
    OutboxEvent,
    Role,
    ScheduledRun,
    User,
    UserRole,
    WebSession,
)
from mercato.platform import worker

USERS_PER_PAGE = 25
AUDIT_PER_PAGE = 50
EMAILS_PER_PAGE = 50
EMAIL_STATUSES = ("queued", "kept", "sent", "failed")


def _like(term: str) -> str:
    """A LIKE pattern matching ``term`` anywhere, with the wildcards in it escaped."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# --- dashboard ---------------------------------------------------------------------------


def start_of_today(timezone: str) -> datetime:
    """Midnight in the store's own time zone, as UTC: "today" is the store's day."""
    tz = ZoneInfo(timezone)
    local_midnight = datetime.combine(utcnow().astimezone(tz).date(), time(0), tzinfo=tz)
    return local_midnight.astimezone(ZoneInfo("UTC"))


async def dashboard_counts(db: AsyncSession, *, timezone: str) -> dict[str, int]:
    """Every dashboard figure in ONE statement of scalar subqueries."""
    now = utcnow()

    def count(model: Any, *where: Any) -> Any:
        return select(func.count()).select_from(model).where(*where).scalar_subquery()

    figures = {
        "users_total": count(User, User.deleted_at.is_(None)),
        "users_new_7d": count(
            User, User.deleted_at.is_(None), User.created_at >= now - timedelta(days=7)
        ),
        "users_blocked": count(User, User.deleted_at.is_(None), User.blocked_at.is_not(None)),
        "sessions_active": count(
            WebSession, WebSession.revoked_at.is_(None), WebSession.expires_at > now
        ),
        "notifications_unread": count(Notification, Notification.read_at.is_(None)),
        "outbox_pending": count(OutboxEvent, OutboxEvent.status == "pending"),
        "outbox_dead": count(OutboxEvent, OutboxEvent.status == "dead"),
        "audit_today": count(AuditEntry, AuditEntry.created_at >= start_of_today(timezone)),
    }
    for status in EMAIL_STATUSES:
        figures[f"emails_{status}"] = count(EmailMessage, EmailMessage.status == status)
    row = (await db.execute(select(*(v.label(k) for k, v in figures.items())))).one()
    return {k: int(v or 0) for k, v in row._mapping.items()}


# --- users ---------------------------------------------------------------------------------


@dataclass
class UserFilters:
    q: str = ""
    role: str = ""
    blocked: str = ""  # "" any | "yes" | "no"
    sort: str = "-created"  # "created" oldest first | "-created" newest first

    @classmethod
    def from_query(cls, params: Any) -> UserFilters:
        blocked = params.get("blocked", "")
        sort = params.get("sort", "-created")
        return cls(
            q=(params.get("q") or "").strip()[:100],
            role=(params.get("role") or "").strip()[:50],
            blocked=blocked if blocked in ("yes", "no") else "",
            sort=sort if sort in ("created", "-created") else "-created",
        )


@dataclass
class UserRow:
    user: User
    roles: list[str] = field(default_factory=list)


async def list_users(db: AsyncSession, filters: UserFilters, page: int) -> Page[Any]:
    stmt = select(User).where(User.deleted_at.is_(None))
    if filters.q:
        pattern = _like(filters.q)
        stmt = stmt.where(
            User.email.ilike(pattern, escape="\\") | User.name.ilike(pattern, escape="\\")
        )
    if filters.role:
        holders = (
            select(UserRole.user_id)
            .join(Role, Role.id == UserRole.role_id)
            .where(Role.name == filters.role)
        )
        stmt = stmt.where(User.id.in_(holders))
    if filters.blocked == "yes":
        stmt = stmt.where(User.blocked_at.is_not(None))
    elif filters.blocked == "no":
        stmt = stmt.where(User.blocked_at.is_(None))
    order = User.created_at.asc() if filters.sort == "created" else User.created_at.desc()
    stmt = stmt.order_by(order, User.id.desc() if filters.sort == "-created" else User.id)
    result = await paginate(db, stmt, page, USERS_PER_PAGE)
    names = await role_names_by_user(db, [u.id for u in result.items])
    result.items = [UserRow(u, names.get(u.id, [])) for u in result.items]
    return result


async def role_names_by_user(db: AsyncSession, user_ids: list[int]) -> dict[int, list[str]]:
    """Role names of many users in one query (no N+1 on the users list)."""
    if not user_ids:
        return {}
    rows = await db.execute(
        select(UserRole.user_id, Role.name)
        .join(Role, Role.id == UserRole.role_id)
        .where(UserRole.user_id.in_(user_ids))
        .order_by(Role.name)
    )
    found: dict[int, list[str]] = {}
    for user_id, name in rows:
        found.setdefault(user_id, []).append(name)
    return found


async def all_roles(db: AsyncSession) -> list[Role]:
    return list(await db.scalars(select(Role).order_by(Role.name)))


async def get_user(db: AsyncSession, user_id: int) -> User:
    user = await db.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("No such user.")
    return user


def user_snapshot(user: User, roles: list[str] | None = None) -> dict[str, Any]:
    """What the audit log keeps of a user: state an admin can change, never secrets."""
    snap: dict[str, Any] = {
        "blocked": user.blocked_at is not None,
        "blocked_reason": user.blocked_reason or "",
    }
    if roles is not None:
        snap["roles"] = sorted(roles)
    return snap


# --- audit log -----------------------------------------------------------------------------


@dataclass
class AuditFilters:
    action: str = ""
    entity: str = ""  # "user" or "user:42"
    actor: str = ""  # part of the actor's email

    @classmethod
    def from_query(cls, params: Any) -> AuditFilters:
        return cls(
            action=(params.get("action") or "").strip()[:100],
            entity=(params.get("entity") or "").strip()[:120],
            actor=(params.get("actor") or "").strip()[:254],
        )


@dataclass
class Change:
    key: str
    before: Any
    after: Any


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """The keys whose values differ between two snapshots, in a stable order."""
    before, after = before or {}, after or {}
    keys = sorted(set(before) | set(after))
    return [Change(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


async def list_audit(db: AsyncSession, filters: AuditFilters, page: int) -> Page[Any]:
    stmt = select(AuditEntry)
    if filters.action:
        # "user" finds user.block, user.unblock...; "user.block" finds exactly that.
        stmt = stmt.where(
            (AuditEntry.action == filters.action)
            | AuditEntry.action.like(_like(filters.action)[1:], escape="\\")
        )
    if filters.entity:
        entity_type, _, entity_id = filters.entity.partition(":")
        stmt = stmt.where(AuditEntry.entity_type == entity_type.strip())
        if entity_id.strip():
            stmt = stmt.where(AuditEntry.entity_id == entity_id.strip())
    if filters.actor:
        stmt = stmt.where(AuditEntry.actor_email.ilike(_like(filters.actor), escape="\\"))
    stmt = stmt.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    return await paginate(db, stmt, page, AUDIT_PER_PAGE)


# --- email outbox --------------------------------------------------------------------------


async def list_emails(db: AsyncSession, *, status: str, to: str, page: int) -> Page[Any]:
    # The list never loads bodies: they can be large and the list does not show them.
    stmt = select(EmailMessage)
    if status in EMAIL_STATUSES:
        stmt = stmt.where(EmailMessage.status == status)
    if to:
        stmt = stmt.where(EmailMessage.to_address.ilike(_like(to), escape="\\"))
    stmt = stmt.order_by(EmailMessage.created_at.desc(), EmailMessage.id.desc())
    return await paginate(db, stmt, page, EMAILS_PER_PAGE)


async def get_email(db: AsyncSession, email_id: int) -> EmailMessage:
    message = await db.get(EmailMessage, email_id)
    if message is None:
        raise NotFound("No such email.")
    return message


# --- jobs ----------------------------------------------------------------------------------


async def dead_events(db: AsyncSession, limit: int = 100) -> list[OutboxEvent]:
    return list(
        await db.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.status == "dead")
            .order_by(OutboxEvent.created_at.desc(), OutboxEvent.id.desc())
            .limit(limit)
        )
    )


async def pending_count(db: AsyncSession) -> int:
    return int(
        await db.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.status == "pending")
        )
        or 0
    )


async def recent_runs(db: AsyncSession, limit: int = 20) -> list[ScheduledRun]:
    return list(
        await db.scalars(
            select(ScheduledRun)
            .order_by(ScheduledRun.started_at.desc(), ScheduledRun.id.desc())
            .limit(limit)
        )
    )


async def retry_dead_event(db: AsyncSession, event_id: int) -> OutboxEvent:
    """Send a dead-lettered event back to the queue (the worker owns the rule)."""
    if not await worker.retry_dead(db, event_id):
        raise NotFound("No such dead-lettered job; it may have been retried already.")
    event = await db.get(OutboxEvent, event_id)
    assert event is not None
    await db.refresh(event)  # the worker's UPDATE does not touch loaded objects
    return event
