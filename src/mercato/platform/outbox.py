"""The transactional outbox (DESIGN.md §4): write events in the same transaction as the
change that caused them; the worker delivers them after commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, UOWTransaction

from mercato.db import STORE_INFO_KEY
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


# --- waking the worker when an event is committed ------------------------------------------
#
# A worker that polls every second makes every event wait half a second on average, and a
# payment confirmation waits for several events in a row (the sandbox event, then what it
# causes). Instead, a commit that wrote outbox rows wakes the workers of this process at
# once (``mercato serve --with-worker`` runs one in every server process, so the process
# that took the request delivers its events). A worker in another process still finds them
# by polling, quickly while there has been recent work (worker.run_worker_loop).

_WROTE = "mercato_outbox_wrote"
_wakers: set[Callable[[str], None]] = set()


def add_waker(callback: Callable[[str], None]) -> None:
    """Call ``callback(store)`` after every commit of this process that wrote outbox rows
    (``store`` is the session's store slug, "" when the session does not name one)."""
    _wakers.add(callback)


def remove_waker(callback: Callable[[str], None]) -> None:
    _wakers.discard(callback)


def wake(store: str) -> None:
    for callback in list(_wakers):
        callback(store)


@event.listens_for(Session, "after_flush")
def _noticed_outbox_rows(session: Session, _flush: UOWTransaction) -> None:
    # after_flush still shows what this flush inserted in ``session.new``.
    if (
        _wakers
        and not session.info.get(_WROTE)
        and any(isinstance(obj, OutboxEvent) for obj in session.new)
    ):
        session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(_WROTE, False):
        wake(str(session.info.get(STORE_INFO_KEY, "")))


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_WROTE, None)
