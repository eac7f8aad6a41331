"""Housekeeping schedules: tables of short-lived credentials do not grow for ever."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import CursorResult, delete, or_

from mercato.models import EmailToken, RefreshToken, WebSession
from mercato.platform import storefront_version
from mercato.platform.modules import Module, Schedule

if TYPE_CHECKING:
    from mercato.platform.scheduler import JobContext

log = logging.getLogger("mercato.housekeeping")
# Kept this long after they stop working, so "your sessions" history and reuse detection
# of refresh tokens (a replayed old token still revokes its family) keep their evidence.
KEEP_EXPIRED = timedelta(days=30)


async def prune_identity_tokens(ctx: JobContext) -> None:
    """Delete sessions, refresh tokens and email tokens that ended over 30 days ago.

    Idempotent and catch-up safe: it deletes everything old enough, whatever slot it runs for.
    """
    cutoff = ctx.slot - KEEP_EXPIRED
    statements = {
        # revoked long ago is as finished as expired long ago
        "web_sessions": delete(WebSession).where(
            or_(WebSession.expires_at < cutoff, WebSession.revoked_at < cutoff)
        ),
        "refresh_tokens": delete(RefreshToken).where(
            or_(RefreshToken.expires_at < cutoff, RefreshToken.revoked_at < cutoff)
        ),
        "email_tokens": delete(EmailToken).where(EmailToken.expires_at < cutoff),
    }
    removed = {}
    for table, statement in statements.items():
        result: CursorResult[Any] = await ctx.db.execute(  # type: ignore[assignment]
            statement.execution_options(synchronize_session=False)
        )
        removed[table] = result.rowcount or 0
    log.info("pruned expired credentials", extra={"removed": removed, "store": ctx.runtime.slug})


housekeeping_module = Module(
    name="housekeeping",
    title="Housekeeping",
    core=True,
    schedules=[Schedule("housekeeping.prune_identity_tokens", "15 3 * * *", prune_identity_tokens)],
    # The page cache of every process learns of storefront changes through this event.
    event_handlers={storefront_version.EVENT_TYPE: [storefront_version.handle_changed]},
)
