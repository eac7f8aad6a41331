"""API tokens: short-lived JWT access tokens and rotating opaque refresh tokens.

A sign-in starts a refresh-token *family*. Each refresh marks the presented token used and
issues the next one in the same family. Presenting a used token again means it was copied,
so the whole family is revoked; access tokens carry the family id (``fam``) and stop
working with it (DESIGN.md §5).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.errors import DomainError
from mercato.kit.security import hash_token, new_token
from mercato.kit.time import utcnow
from mercato.models import RefreshToken, User
from mercato.platform.runtime import StoreRuntime

ALGORITHM = "HS256"
AUDIENCE = "mercato-api"


class InvalidToken(DomainError):
    status_code = 401


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    family_id: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret


def _signing_key(runtime: StoreRuntime) -> str:
    # A key per store, so a token minted for one store never verifies in another even if
    # the claim check were skipped.
    return f"{runtime.secret}\x1fjwt\x1f{runtime.slug}"


def encode_access_token(runtime: StoreRuntime, user: User, family_id: str) -> tuple[str, int]:
    # PyJWT is imported by the two functions that use it: with it comes cryptography's
    # compiled core (about 8 MiB in every server worker), which only token requests need.
    import jwt

    now = utcnow()
    lifetime = timedelta(minutes=runtime.settings.access_token_minutes)
    claims = {
        "sub": str(user.id),
        "store": runtime.slug,
        "fam": family_id,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, _signing_key(runtime), algorithm=ALGORITHM), int(
        lifetime.total_seconds()
    )


def decode_access_token(runtime: StoreRuntime, token: str) -> dict[str, Any] | None:
    """The verified claims of an access token for this store, or None."""
    if not token or len(token) > 4096:
        return None
    import jwt  # see encode_access_token

    try:
        claims = jwt.decode(
            token,
            _signing_key(runtime),
            algorithms=[ALGORITHM],  # fixed list: no "none", no key confusion
            audience=AUDIENCE,
            options={"require": ["sub", "store", "fam", "exp", "iat", "jti"]},
        )
    except jwt.PyJWTError:
        return None
    if claims.get("store") != runtime.slug or not str(claims.get("sub", "")).isdigit():
        return None
    return claims


async def _new_refresh_token(
    db: AsyncSession, runtime: StoreRuntime, user_id: int, family_id: str
) -> str:
    raw = new_token()
    now = utcnow()
    db.add(
        RefreshToken(
            user_id=user_id,
            family_id=family_id,
            token_hash=hash_token(raw),
            created_at=now,
            expires_at=now + timedelta(days=runtime.settings.refresh_token_days),
        )
    )
    await db.flush()
    return raw


async def issue_token_pair(db: AsyncSession, runtime: StoreRuntime, user: User) -> TokenPair:
    """Start a new refresh family for a fresh sign-in."""
    family_id = uuid.uuid4().hex
    refresh = await _new_refresh_token(db, runtime, user.id, family_id)
    access, expires_in = encode_access_token(runtime, user, family_id)
    return TokenPair(access, refresh, expires_in, family_id)


async def _revoke_where(db: AsyncSession, *criteria: Any) -> int:
    result = await db.execute(
        update(RefreshToken)
        .where(*criteria, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


async def revoke_family(db: AsyncSession, family_id: str) -> int:
    """End one API sign-in: its refresh tokens, and so its access tokens."""
    return await _revoke_where(db, RefreshToken.family_id == family_id)


async def revoke_user_families(db: AsyncSession, user_id: int) -> int:
    """End every API sign-in of a user (blocking, password reset)."""
    return await _revoke_where(db, RefreshToken.user_id == user_id)


async def rotate_refresh_token(db: AsyncSession, runtime: StoreRuntime, raw: str) -> TokenPair:
    """Exchange a refresh token for a new pair; a reused token revokes its whole family."""
    refused = InvalidToken(
        "This refresh token is not valid; sign in again.",
        field="refresh_token",
        code="invalid_token",
    )
    if not raw or len(raw) > 100:
        raise refused
    now = utcnow()
    token = await db.scalar(select(RefreshToken).where(RefreshToken.token_hash == hash_token(raw)))
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise refused
    # Claim the token with a conditional update, so two concurrent refreshes cannot both win.
    claimed = await db.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token.id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if not claimed.rowcount:
        await revoke_family(db, token.family_id)
        raise ReuseDetected(token.family_id)
    user = await db.scalar(
        select(User).where(
            User.id == token.user_id, User.blocked_at.is_(None), User.deleted_at.is_(None)
        )
    )
    if user is None:
        await revoke_family(db, token.family_id)
        raise refused
    refresh = await _new_refresh_token(db, runtime, user.id, token.family_id)
    access, expires_in = encode_access_token(runtime, user, token.family_id)
    return TokenPair(access, refresh, expires_in, token.family_id)


class ReuseDetected(InvalidToken):
    """A used refresh token came back: the family is revoked and must be committed as such."""

    def __init__(self, family_id: str) -> None:
        super().__init__(
            "This refresh token was already used; every token of this sign-in is revoked. "
            "Sign in again.",
            field="refresh_token",
            code="refresh_token_reused",
        )
        self.family_id = family_id


# Built once: every bearer request runs it. The user is active and the token's sign-in
# (refresh family) is not revoked.
ACTIVE_USER_OF_FAMILY = select(User).where(
    User.id == bindparam("user_id"),
    User.blocked_at.is_(None),
    User.deleted_at.is_(None),
    ~exists().where(
        RefreshToken.family_id == bindparam("family_id"), RefreshToken.revoked_at.is_not(None)
    ),
)


async def user_for_access_token(
    db: AsyncSession, runtime: StoreRuntime, token: str
) -> tuple[User, dict[str, Any]] | None:
    """The active user of a valid access token whose family is not revoked: one query."""
    claims = decode_access_token(runtime, token)
    if claims is None:
        return None
    user = await db.scalar(
        ACTIVE_USER_OF_FAMILY, {"user_id": int(claims["sub"]), "family_id": claims["fam"]}
    )
    return (user, claims) if user else None
