"""Server-side web sessions: random cookie token, hashed in the table, revocable."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.security import hash_token, new_token
from mercato.kit.time import utcnow
from mercato.models import User, WebSession

SESSION_COOKIE = "mercato_session"
# Refresh last_seen_at at most this often, so reads do not all become writes.
TOUCH_EVERY = timedelta(minutes=5)


async def start_session(
    db: AsyncSession, user: User, *, days: int, ip: str = "", user_agent: str = ""
) -> str:
    """Create a session and return the cookie token (the only time it exists in clear)."""
    token = new_token()
    now = utcnow()
    db.add(
        WebSession(
            user_id=user.id,
            token_hash=hash_token(token),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=days),
            ip=ip[:64],
            user_agent=user_agent[:300],
        )
    )
    user.last_login_at = now
    await db.flush()
    return token


async def resolve_session(db: AsyncSession, token: str) -> tuple[WebSession, User] | None:
    """The live session and its active user for a cookie token, in one query."""
    if not token or len(token) > 100:
        return None
    now = utcnow()
    row = (
        await db.execute(
            select(WebSession, User)
            .join(User, User.id == WebSession.user_id)
            .where(
                WebSession.token_hash == hash_token(token),
                WebSession.revoked_at.is_(None),
                WebSession.expires_at > now,
                User.blocked_at.is_(None),
                User.deleted_at.is_(None),
            )
        )
    ).first()
    if row is None:
        return None
    session, user = row
    return session, user


async def revoke_session(db: AsyncSession, session_id: int, *, user_id: int | None = None) -> int:
    stmt = update(WebSession).where(WebSession.id == session_id, WebSession.revoked_at.is_(None))
    if user_id is not None:  # a user may only end their own sessions
        stmt = stmt.where(WebSession.user_id == user_id)
    result = await db.execute(stmt.values(revoked_at=utcnow()))
    return result.rowcount or 0


async def revoke_all_sessions(
    db: AsyncSession, user_id: int, *, except_id: int | None = None
) -> int:
    stmt = update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
    if except_id is not None:
        stmt = stmt.where(WebSession.id != except_id)
    result = await db.execute(stmt.values(revoked_at=utcnow()))
    return result.rowcount or 0


async def list_sessions(db: AsyncSession, user_id: int) -> list[WebSession]:
    now = utcnow()
    result = await db.scalars(
        select(WebSession)
        .where(
            WebSession.user_id == user_id,
            WebSession.revoked_at.is_(None),
            WebSession.expires_at > now,
        )
        .order_by(WebSession.last_seen_at.desc())
    )
    return list(result)
