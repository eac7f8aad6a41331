"""Who is calling the JSON API: a bearer access token or an API key (DESIGN.md §5).

Browser session cookies are deliberately not accepted here: the API has no CSRF token, so
a cookie-authenticated API would let any site act for a signed-in shopper.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.identity import api_keys, tokens
from mercato.identity.permissions import has_permission, permissions_of
from mercato.models import ApiKey, User
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

    def can(self, permission: str) -> bool:
        return has_permission(self.permissions, permission)


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
        perms = await permissions_of(db, user.id)
        principal = ApiPrincipal(user, perms, "token", family_id=claims["fam"])
    elif key:
        found_key = await api_keys.authenticate_api_key(db, key)
        if found_key is None:
            raise unauthorized("The API key is invalid, expired or revoked.")
        api_key, user = found_key
        held = await permissions_of(db, user.id)
        # A key never exceeds its owner: losing a role also narrows the owner's keys.
        scopes = frozenset(s for s in api_key.scopes if has_permission(held, s))
        principal = ApiPrincipal(user, scopes, "api_key", api_key=api_key)
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
