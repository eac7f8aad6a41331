"""The transactional outbox (DESIGN.md §4): write events in the same transaction as the
change that caused them; the worker delivers them after commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.models import OutboxEvent


async def emit(db: AsyncSession, event_type: str, payload: dict[str, Any]) -> OutboxEvent:
    """Queue ``event_type`` for delivery; nothing leaves the process until the commit."""
    event = OutboxEvent(event_type=event_type, payload=payload)
    db.add(event)
    await db.flush()
    return event
