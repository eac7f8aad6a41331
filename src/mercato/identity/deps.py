"""FastAPI dependencies for who is asking: web session user, staff, permissions."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.identity import sessions
from mercato.identity.permissions import has_permission, permissions_of
from mercato.kit.errors import PermissionDenied
from mercato.models import User
from mercato.web.deps import get_db


class SignInRequired(PermissionDenied):
    """Pages answer this with a redirect to the sign-in form; the API with 401."""

    status_code = 401


async def load_web_user(
    request: Request, db: Annotated[AsyncSession, Depends(get_db)]
) -> User | None:
    request.state.user = None
    request.state.web_session = None
    token = request.cookies.get(sessions.SESSION_COOKIE, "")
    if token:
        found = await sessions.resolve_session(db, token)
        if found:
            request.state.web_session, request.state.user = found
            _touch(request, found[0])
    return request.state.user


def _touch(request: Request, web_session) -> None:
    # Only on writing requests: a GET stays a pure read (no lock upgrade on SQLite), and a
    # signed-in visitor posts often enough for "last seen" to be useful.
    from mercato.kit.time import utcnow
    from mercato.web.middleware import UNSAFE_METHODS

    now = utcnow()
    if request.method in UNSAFE_METHODS and now - web_session.last_seen_at >= sessions.TOUCH_EVERY:
        web_session.last_seen_at = now
        web_session.ip = client_ip(request)[:64]


async def require_user(request: Request) -> User:
    user = getattr(request.state, "user", None)
    if user is None:
        raise SignInRequired("Please sign in to continue.")
    return user


async def current_permissions(
    request: Request, db: Annotated[AsyncSession, Depends(get_db)]
) -> frozenset[str]:
    cached = getattr(request.state, "permissions", None)
    if cached is not None:
        return cached
    user = getattr(request.state, "user", None)
    perms = await permissions_of(db, user.id) if user else frozenset()
    request.state.permissions = perms
    return perms


async def require_staff(
    user: Annotated[User, Depends(require_user)],
    perms: Annotated[frozenset[str], Depends(current_permissions)],
) -> User:
    if not has_permission(perms, "admin.access"):
        raise PermissionDenied("This area is for the store's staff.")
    return user


def require_permission(permission: str):
    async def check(
        user: Annotated[User, Depends(require_user)],
        perms: Annotated[frozenset[str], Depends(current_permissions)],
    ) -> User:
        if not has_permission(perms, permission):
            raise PermissionDenied("You do not have permission to do that.")
        return user

    return check


CurrentUser = Annotated[User, Depends(require_user)]
OptionalUser = Annotated[User | None, Depends(load_web_user)]
StaffUser = Annotated[User, Depends(require_staff)]


def client_ip(request: Request) -> str:
    """The caller's address as the server sees it (a trusted proxy rewrites it upstream)."""
    return request.client.host if request.client else "unknown"


async def limit_attempts(request: Request, *checks: tuple[str, str]) -> None:
    """Count one attempt for each (rule, key) pair; raise RateLimited if any is over.

    Every pair is counted even when an earlier one is already over, so cycling accounts from
    one address still fills the address's bucket. Keys are prefixed with the store, which
    shares the limiter with the other stores of the process.
    """
    from mercato.kit.errors import RateLimited

    runtime = request.state.runtime
    refused: RateLimited | None = None
    for rule, key in checks:
        try:
            await runtime.limiter.hit(rule, f"{runtime.slug}:{key}")
        except RateLimited as exc:
            if refused is None or exc.retry_after > refused.retry_after:
                refused = exc
    if refused is not None:
        raise refused
