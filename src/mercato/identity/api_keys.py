"""API keys for integrations: hashed, scoped, expiring and revocable (DESIGN.md §5).

A key looks like ``mk_<prefix>_<secret>``. Only its SHA-256 is stored; the prefix is kept
in clear so people can tell their keys apart in lists. A key acts for the user who made it,
limited to its scopes and to what that user may still do today.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.identity.permissions import SUPERUSER, permissions_of
from mercato.kit.errors import NotFound, ValidationFailed
from mercato.kit.security import hash_token
from mercato.kit.time import utcnow
from mercato.models import ApiKey, User
from mercato.platform.modules import registry

KEY_PREFIX = "mk_"
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often


def known_permissions() -> set[str]:
    """Every permission string any registered module declares."""
    return {p for name in registry.names() for p in registry.get(name).permissions}


async def create_api_key(
    db: AsyncSession,
    user: User,
    *,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with the plain key, which is never shown again."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed("Give the key a name of 1 to 100 characters.", field="name")
    wanted = sorted({s.strip() for s in scopes if s and s.strip()})
    if not wanted:
        raise ValidationFailed("Choose at least one permission for the key.", field="scopes")
    if SUPERUSER in wanted:
        raise ValidationFailed(
            "A key gets named permissions, never every permission.", field="scopes"
        )
    held = await permissions_of(db, user.id)
    allowed = known_permissions() if SUPERUSER in held else set(held)
    beyond = [s for s in wanted if s not in allowed]
    if beyond:
        raise ValidationFailed(
            "A key cannot hold permissions you do not have: " + ", ".join(beyond) + ".",
            field="scopes",
        )
    if expires_at is not None and expires_at <= utcnow():
        raise ValidationFailed("The expiry date must be in the future.", field="expires_at")
    prefix = secrets.token_hex(4)  # 8 characters, shown in lists
    raw = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        user_id=user.id,
        name=name,
        prefix=prefix,
        key_hash=hash_token(raw),
        scopes=wanted,
        created_at=utcnow(),
        expires_at=expires_at,
    )
    db.add(key)
    await db.flush()
    return key, raw


async def revoke_api_key(db: AsyncSession, key_id: int) -> ApiKey:
    key = await db.get(ApiKey, key_id)
    if key is None:
        raise NotFound("There is no such API key.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        await db.flush()
    return key


async def list_api_keys(db: AsyncSession, *, user_id: int | None = None) -> list[ApiKey]:
    stmt = select(ApiKey).order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
    if user_id is not None:
        stmt = stmt.where(ApiKey.user_id == user_id)
    return list(await db.scalars(stmt))


async def authenticate_api_key(db: AsyncSession, raw: str) -> tuple[ApiKey, User] | None:
    """The live key and its active owner for a presented key, or None."""
    if not raw or not raw.startswith(KEY_PREFIX) or len(raw) > 200:
        return None
    now = utcnow()
    row = (
        await db.execute(
            select(ApiKey, User)
            .join(User, User.id == ApiKey.user_id)
            .where(
                ApiKey.key_hash == hash_token(raw),
                ApiKey.revoked_at.is_(None),
                (ApiKey.expires_at.is_(None)) | (ApiKey.expires_at > now),
                User.blocked_at.is_(None),
                User.deleted_at.is_(None),
            )
        )
    ).first()
    if row is None:
        return None
    key, user = row
    if key.last_used_at is None or now - key.last_used_at >= TOUCH_EVERY:
        key.last_used_at = now
        await db.flush()
    return key, user
