"""The transactional outbox (DESIGN.md §4): write events in the same transaction as the
change that caused them; the worker delivers them after commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.models import OutboxEvent

if TYPE_CHECKING:
    from mercato.platform.runtime import StoreRuntime


async def emit(db: AsyncSession, event_type: str, payload: dict[str, Any]) -> OutboxEvent:
    """Queue ``event_type`` for delivery; nothing leaves the process until the commit."""
    event = OutboxEvent(event_type=event_type, payload=payload)
    db.add(event)
    await db.flush()
    return event


AfterCommit = Callable[[], Awaitable[None]]


def dead_letter_type(event_type: str) -> str:
    """Handlers registered under this name run once when ``event_type`` is dead-lettered, in
    the same transaction, so the thing the event was for can be marked as failed."""
    return f"{event_type}.dead"


@dataclass
class HandlerContext:
    """What an event handler gets: the store, a session in the delivery transaction, the
    event, and callbacks to run only once that transaction has committed.

    Handlers are idempotent: delivery is at least once (a crash between a handler's work and
    the commit, or a lock that expired during a slow handler, delivers the event again).
    Side effects outside the database (realtime pushes) go in ``after_commit`` so they never
    announce a change that was rolled back.
    """

    runtime: StoreRuntime
    db: AsyncSession
    event: OutboxEvent
    after_commit: list[AfterCommit] = field(default_factory=list)
