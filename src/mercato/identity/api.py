"""The auth endpoints of the JSON API: register, token, refresh, me, logout, profile, and
changed, forgotten and reset passwords (the pages' flows, for apps)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from mercato.identity import service, tokens
from mercato.identity.api_deps import Principal, unauthorized
from mercato.identity.deps import client_ip, limit_attempts
from mercato.identity.schemas import (
    ChangePasswordIn,
    ForgotPasswordIn,
    MeOut,
    ProfileIn,
    RefreshIn,
    RegisterIn,
    ResetPasswordIn,
    TokenIn,
    TokenOut,
    UserOut,
    user_out,
)
from mercato.kit.errors import ValidationFailed
from mercato.web.deps import Db, Runtime, Uow

router = APIRouter(prefix="/auth", tags=["auth"])

ERRORS = {
    401: {"description": "Not signed in, or the credentials or token are not valid."},
    422: {"description": "Some fields need attention (each error names its field)."},
    429: {"description": "Too many attempts; the Retry-After header says when to retry."},
}


def _pair_out(pair: tokens.TokenPair) -> TokenOut:
    return TokenOut(
        access_token=pair.access_token,
        token_type=pair.token_type,
        expires_in=pair.expires_in,
        refresh_token=pair.refresh_token,
    )


@router.post("/register", status_code=201, response_model=UserOut, responses=ERRORS)
async def register(body: RegisterIn, request: Request, db: Db, runtime: Runtime) -> dict:
    """Create a customer account; a confirmation link is emailed to the address."""
    settings = runtime.settings
    await limit_attempts(request, (settings.rate_limit_signup, f"signup-ip:{client_ip(request)}"))
    user = await service.register_user(
        db, runtime, email=body.email, password=body.password, name=body.name
    )
    return user_out(user)


@router.post("/token", response_model=TokenOut, responses=ERRORS)
async def token(body: TokenIn, request: Request, db: Db, runtime: Runtime) -> TokenOut:
    """Exchange email and password for an access token and a refresh token."""
    rule = runtime.settings.rate_limit_token
    await limit_attempts(
        request,
        (rule, f"token-ip:{client_ip(request)}"),
        (rule, f"token-acct:{body.email.strip().lower()}"),
    )
    try:
        user = await service.authenticate(db, body.email, body.password)
    except ValidationFailed as exc:
        raise tokens.InvalidToken(exc.message, field="password", code=exc.code) from None
    return _pair_out(await tokens.issue_token_pair(db, runtime, user))


@router.post("/refresh", response_model=TokenOut, responses=ERRORS)
async def refresh(
    body: RefreshIn, request: Request, db: Db, runtime: Runtime, uow: Uow
) -> TokenOut:
    """Rotate a refresh token. Each refresh token works once; reusing one revokes them all."""
    await limit_attempts(
        request, (runtime.settings.rate_limit_token, f"refresh-ip:{client_ip(request)}")
    )
    try:
        pair = await tokens.rotate_refresh_token(db, runtime, body.refresh_token)
    except tokens.ReuseDetected:
        # The answer is an error, but the family's revocation must be stored all the same.
        await uow.finish(success=True)
        raise
    return _pair_out(pair)


@router.get("/me", response_model=MeOut, responses={401: ERRORS[401]})
async def me(principal: Principal) -> dict:
    """The caller's account, roles and effective permissions."""
    # Roles and permissions were read with the caller (api_deps): no query here.
    user = principal.user
    return {
        **user_out(user),
        "roles": list(principal.roles),
        "permissions": sorted(principal.permissions),
        "via": principal.via,
    }


@router.post("/logout", status_code=204, responses={401: ERRORS[401]})
async def logout(principal: Principal, db: Db) -> Response:
    """Revoke this sign-in: its refresh token and every access token issued with it."""
    if principal.family_id is None:
        raise unauthorized("Log out with a bearer access token; revoke API keys in the admin.")
    await tokens.revoke_family(db, principal.family_id)
    return Response(status_code=204)


def _person(principal: Principal):  # noqa: ANN202 - the signed-in User
    """A person's own account: API keys act for the store, not as a person."""
    if principal.family_id is None:
        raise unauthorized("Use a bearer access token: API keys have no profile or password.")
    return principal.user


@router.put("/profile", response_model=UserOut, responses=ERRORS)
async def update_profile(body: ProfileIn, principal: Principal, db: Db) -> dict:
    """Change your name and phone number."""
    user = await service.update_profile(db, _person(principal), name=body.name, phone=body.phone)
    return user_out(user)


@router.put("/change-password", status_code=204, responses=ERRORS)
async def change_password(body: ChangePasswordIn, principal: Principal, db: Db) -> Response:
    """Change your password. Every sign-in ends, this one too: get a new token."""
    await service.change_password(
        db,
        _person(principal),
        current=body.current_password,
        new=body.new_password,
        keep_session_id=None,
    )
    return Response(status_code=204)


@router.post("/forgot-password", status_code=202, responses=ERRORS)
async def forgot_password(
    body: ForgotPasswordIn, request: Request, db: Db, runtime: Runtime
) -> dict:
    """Email a reset link if the account exists. The answer is the same either way, so it
    reveals no accounts."""
    email = service.normalize_email(body.email)
    rule = runtime.settings.rate_limit_reset
    await limit_attempts(
        request, (rule, f"reset-ip:{client_ip(request)}"), (rule, f"reset-acct:{email}")
    )
    await service.request_password_reset(db, runtime, email)
    return {"detail": "If an account has this address, a reset link is on its way."}


@router.post("/reset-password/{token}", status_code=204, responses=ERRORS)
async def reset_password(
    token: str, body: ResetPasswordIn, request: Request, db: Db, runtime: Runtime
) -> Response:
    """Set a new password with the token of a reset email; every sign-in of the account ends."""
    rule = runtime.settings.rate_limit_reset
    await limit_attempts(request, (rule, f"reset-ip:{client_ip(request)}"))
    await service.reset_password(db, token, body.password)
    return Response(status_code=204)
