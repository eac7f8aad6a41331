"""Who is calling the JSON API: a bearer access token or an API key (DESIGN.md §5).

Browser session cookies are deliberately not accepted here: the API has no CSRF token, so
a cookie-authenticated API would let any site act for a signed-in shopper.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.identity import api_keys, tokens
from mercato.identity.permissions import has_permission
from mercato.models import ApiKey, Role, User, UserRole
from mercato.platform.runtime import StoreRuntime
from mercato.web.deps import get_db, get_runtime

bearer_scheme = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    description="An access token from POST /api/v1/auth/token.",
)
api_key_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An API key made in the admin."
)


@dataclass
class ApiPrincipal:
    user: User
    permissions: frozenset[str]  # for an API key: its scopes the owner still holds
    via: str  # "token" | "api_key"
    family_id: str | None = None
    api_key: ApiKey | None = None
    roles: tuple[str, ...] = ()  # the user's role names, sorted

    def can(self, permission: str) -> bool:
        return has_permission(self.permissions, permission)


# Built once: every API request with a bearer token runs it.
ROLES_AND_PERMISSIONS = (
    select(Role.name, Role.permissions)
    .join(UserRole, UserRole.role_id == Role.id)
    .where(UserRole.user_id == bindparam("user_id"))
    .order_by(Role.name)
)


async def roles_and_permissions(
    db: AsyncSession, user_id: int
) -> tuple[tuple[str, ...], frozenset[str]]:
    """The user's role names and the permissions they grant, in one query."""
    names: list[str] = []
    perms: set[str] = set()
    for name, role_perms in await db.execute(ROLES_AND_PERMISSIONS, {"user_id": user_id}):
        names.append(name)
        perms.update(role_perms or [])
    return tuple(names), frozenset(perms)


def unauthorized(message: str = "Sign in to use this endpoint.") -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


async def get_principal(
    request: Request,
    db: Annotated[AsyncSession, Depends(get_db)],
    runtime: Annotated[StoreRuntime, Depends(get_runtime)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    key: Annotated[str | None, Depends(api_key_scheme)],
) -> ApiPrincipal:
    cached = getattr(request.state, "api_principal", None)
    if cached is not None:
        return cached
    if bearer is not None:
        found = await tokens.user_for_access_token(db, runtime, bearer.credentials)
        if found is None:
            raise unauthorized("The access token is invalid, expired or revoked.")
        user, claims = found
        roles, perms = await roles_and_permissions(db, user.id)
        principal = ApiPrincipal(user, perms, "token", family_id=claims["fam"], roles=roles)
    elif key:
        found_key = await api_keys.authenticate_api_key(db, key)
        if found_key is None:
            raise unauthorized("The API key is invalid, expired or revoked.")
        api_key, user = found_key
        roles, held = await roles_and_permissions(db, user.id)
        # A key never exceeds its owner: losing a role also narrows the owner's keys.
        scopes = frozenset(s for s in api_key.scopes if has_permission(held, s))
        principal = ApiPrincipal(user, scopes, "api_key", api_key=api_key, roles=roles)
    else:
        raise unauthorized()
    request.state.api_principal = principal
    request.state.user = principal.user
    return principal


def require_api_permission(permission: str):
    """A dependency answering 403 unless the caller holds ``permission``."""

    async def check(
        principal: Annotated[ApiPrincipal, Depends(get_principal)],
    ) -> ApiPrincipal:
        if not principal.can(permission):
            raise HTTPException(403, f"This needs the {permission!r} permission.")
        return principal

    return check


Principal = Annotated[ApiPrincipal, Depends(get_principal)]
