"""Audit log of staff and admin mutations (DESIGN.md §4): who, what, before, after, where."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from mercato.models import AuditEntry, User


async def record(
    db: AsyncSession,
    *,
    actor: User | None,
    action: str,
    entity_type: str,
    entity_id: str | int = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    request: Request | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        actor_email=actor.email if actor else "",
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=before,
        after=after,
        ip=(request.client.host if request and request.client else "")[:64],
        user_agent=(request.headers.get("user-agent", "") if request else "")[:300],
    )
    db.add(entry)
    await db.flush()
    return entry
