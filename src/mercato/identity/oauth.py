"""Sign in with Google (OpenID Connect, authorization-code flow with PKCE).

Offered only when ``google_client_id`` and ``google_client_secret`` are set. Authlib's
``AsyncOAuth2Client`` builds the authorization URL and exchanges the code; the ID token is
checked with PyJWT against the provider's published keys (issuer, audience, expiry, nonce,
and ``email_verified``). Authlib's Starlette integration would need SessionMiddleware for
its state, so the state, nonce and PKCE verifier live instead in a short-lived, signed,
HttpOnly cookie scoped to these two routes (docs/decisions.md).

An existing account with the same (verified) address is linked; otherwise a customer account
is created. The browser session starts exactly as after a password sign-in; nothing else
(cart, wishlist) is merged here.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from mercato.identity import pages as identity_pages
from mercato.identity import service
from mercato.identity.service import CUSTOMER_ROLE, assign_roles, end_all_access
from mercato.kit.errors import NotFound
from mercato.kit.security import constant_time_equal, new_token, sign
from mercato.kit.time import utcnow
from mercato.models import OAuthAccount, User
from mercato.platform.runtime import StoreRuntime
from mercato.web.deps import Db, Runtime
from mercato.web.flash import flash
from mercato.web.templating import render

if TYPE_CHECKING:
    from authlib.integrations.httpx_client import AsyncOAuth2Client

log = logging.getLogger("mercato.identity.oauth")
router = APIRouter(prefix="/account/google")
PROVIDER = "google"
STATE_COOKIE = "mercato_oauth"
STATE_SECONDS = 600
HTTP_TIMEOUT = 10.0
CACHE_SECONDS = 3600
_cache: dict[str, tuple[float, dict[str, Any]]] = {}  # metadata and JWKS by URL


class SignInRefused(Exception):
    """Any reason the provider's answer is not accepted; the message is shown."""


def is_configured(runtime: StoreRuntime) -> bool:
    settings = runtime.settings
    return bool(settings.google_client_id and settings.google_client_secret.get_secret_value())


def _redirect_uri(runtime: StoreRuntime) -> str:
    return runtime.absolute_url("account/google/callback")


async def _get_json(url: str, *, fresh: bool = False) -> dict[str, Any]:
    cached = _cache.get(url)
    if cached and not fresh and cached[0] > time.monotonic():
        return cached[1]
    # Imported here: httpx pulls in rich and pygments (its command line), ~7 MiB per worker
    # for Google sign-in, which most stores never configure.
    import httpx

    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
        response = await client.get(url)
        response.raise_for_status()
        data = response.json()
    _cache[url] = (time.monotonic() + CACHE_SECONDS, data)
    return data


def clear_cache() -> None:
    _cache.clear()


# ---------------------------------------------------------------- the signed state cookie


def _encode_state(runtime: StoreRuntime, data: dict[str, Any]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()
    return f"{body}.{sign(runtime.secret, runtime.slug, 'google-oauth-state', body)}"


def _decode_state(runtime: StoreRuntime, raw: str) -> dict[str, Any] | None:
    body, _, signature = raw.partition(".")
    expected = sign(runtime.secret, runtime.slug, "google-oauth-state", body)
    if not body or not constant_time_equal(signature, expected):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(body.encode()))
    except ValueError:
        return None
    if not isinstance(data, dict) or int(data.get("exp", 0)) < time.time():
        return None
    return data


def _cookie_path(runtime: StoreRuntime) -> str:
    return runtime.path("account/google")


# ---------------------------------------------------------------- routes


def _client(runtime: StoreRuntime, **extra: Any) -> AsyncOAuth2Client:
    # Imported here: Authlib costs ~40 MiB in every worker, and most stores never use it.
    from authlib.integrations.httpx_client import AsyncOAuth2Client

    settings = runtime.settings
    return AsyncOAuth2Client(
        client_id=settings.google_client_id,
        client_secret=settings.google_client_secret.get_secret_value(),
        redirect_uri=_redirect_uri(runtime),
        scope="openid email profile",
        code_challenge_method="S256",
        timeout=HTTP_TIMEOUT,
        **extra,
    )


@router.get("/start")
async def start(request: Request, runtime: Runtime, next: str = "") -> Response:
    if not is_configured(runtime):
        raise NotFound("We could not find that page.")
    import httpx  # lazy, see _get_json

    try:
        metadata = await _get_json(runtime.settings.google_metadata_url)
    except (httpx.HTTPError, ValueError):
        log.warning("Google sign-in: the provider's metadata could not be read")
        return _refused(request, "Google sign-in is unavailable right now. Please try again.")
    state, nonce, verifier = new_token(24), new_token(24), new_token(48)
    async with _client(runtime) as client:
        url, _ = client.create_authorization_url(
            metadata["authorization_endpoint"],
            state=state,
            nonce=nonce,
            code_verifier=verifier,
            prompt="select_account",
        )
    cookie = _encode_state(
        runtime,
        {
            "state": state,
            "nonce": nonce,
            "verifier": verifier,
            "next": identity_pages.safe_next(runtime, next) or "",
            "exp": int(time.time()) + STATE_SECONDS,
        },
    )
    response = RedirectResponse(url, status_code=303)
    # SameSite=Lax: sent on the provider's top-level GET redirect back to the callback.
    response.set_cookie(
        STATE_COOKIE,
        cookie,
        max_age=STATE_SECONDS,
        path=_cookie_path(runtime),
        httponly=True,
        samesite="lax",
        secure=not runtime.settings.is_development,
    )
    return response


def _refused(request: Request, message: str) -> Response:
    response = render(
        request,
        "account/google_refused.html",
        {"message": message},
        status_code=400,
    )
    response.headers["cache-control"] = "no-store"
    return response


async def _exchange(runtime: StoreRuntime, code: str, state: dict[str, Any]) -> dict[str, Any]:
    metadata = await _get_json(runtime.settings.google_metadata_url)
    async with _client(runtime) as client:
        try:
            token = await client.fetch_token(
                metadata["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=state["verifier"],
            )
        except Exception as exc:  # an OAuth error answer or a network failure
            raise SignInRefused("Google did not accept the sign-in. Please try again.") from exc
    id_token = token.get("id_token")
    if not id_token:
        raise SignInRefused("Google sent no identity. Please try again.")
    return await validate_id_token(runtime, metadata, id_token, nonce=state["nonce"])


async def validate_id_token(
    runtime: StoreRuntime, metadata: dict[str, Any], id_token: str, *, nonce: str
) -> dict[str, Any]:
    """The ID token's claims, if signed by the provider's key and meant for us."""
    # Imported with the first Google sign-in: PyJWT brings cryptography's compiled core
    # (about 8 MiB in every server worker).
    import jwt

    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError as exc:
        raise SignInRefused("The identity from Google could not be read.") from exc
    if header.get("alg") != "RS256":
        raise SignInRefused("The identity from Google is not signed as expected.")
    key = None
    for fresh in (False, True):  # keys rotate: one refetch on an unknown key id
        jwks = jwt.PyJWKSet.from_dict(await _get_json(metadata["jwks_uri"], fresh=fresh))
        key = next((k for k in jwks.keys if k.key_id == header.get("kid")), None)
        if key is not None:
            break
    if key is None:
        raise SignInRefused("The identity from Google is signed with an unknown key.")
    try:
        claims = jwt.decode(
            id_token,
            key.key,
            algorithms=["RS256"],
            audience=runtime.settings.google_client_id,
            issuer=metadata["issuer"],
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            leeway=60,
        )
    except jwt.PyJWTError as exc:
        raise SignInRefused("The identity from Google is not valid for this store.") from exc
    if not constant_time_equal(str(claims.get("nonce", "")), nonce):
        raise SignInRefused("The sign-in answer does not match this browser's request.")
    if claims.get("email_verified") is not True or not claims.get("email"):
        raise SignInRefused("Your Google address is not verified; verify it with Google first.")
    return claims


async def link_or_create(db: Db, claims: dict[str, Any]) -> User:
    """The user for these claims: linked before, same email, or a new customer."""
    subject = str(claims["sub"])[:255]
    email = service.normalize_email(str(claims["email"]))
    account = await db.scalar(
        select(OAuthAccount).where(
            OAuthAccount.provider == PROVIDER, OAuthAccount.subject == subject
        )
    )
    now = utcnow()
    if account is not None:
        user = await db.get(User, account.user_id)
    else:
        user = await db.scalar(select(User).where(User.email == email))
    # Refuse before writing anything: a closed or blocked account gets no new link.
    if user is not None and user.deleted_at is not None:
        raise SignInRefused("This account is closed.")
    if user is not None and user.blocked_at is not None:
        raise SignInRefused(service.BLOCKED)
    if account is not None:
        assert user is not None
        account.last_used_at = now
        account.email = email
    else:
        if user is None:
            user = User(
                email=email, name=str(claims.get("name") or "")[:120], email_verified_at=now
            )
            db.add(user)
            await db.flush()
            await assign_roles(db, user, [CUSTOMER_ROLE], create_missing=True, replace=False)
        elif user.email_verified_at is None:
            # Someone may have registered this address without owning it; Google proves who
            # does. Their password and sessions go, the owner continues with Google.
            user.password_hash = None
            user.email_verified_at = now
            await end_all_access(db, user.id)
        db.add(
            OAuthAccount(
                user_id=user.id, provider=PROVIDER, subject=subject, email=email, last_used_at=now
            )
        )
    await db.flush()
    return user


@router.get("/callback")
async def callback(
    request: Request,
    db: Db,
    runtime: Runtime,
    state: str = "",
    code: str = "",
    error: str = "",
) -> Response:
    if not is_configured(runtime):
        raise NotFound("We could not find that page.")
    saved = _decode_state(runtime, request.cookies.get(STATE_COOKIE, ""))
    if error:
        response = _refused(request, "The Google sign-in was cancelled.")
    elif saved is None or not state or not constant_time_equal(state, str(saved["state"])):
        response = _refused(request, "This sign-in link has expired or was not started here.")
    elif not code:
        response = _refused(request, "Google sent no sign-in code. Please try again.")
    else:
        import httpx  # lazy, see _get_json

        try:
            claims = await _exchange(runtime, code, saved)
            user = await link_or_create(db, claims)
        except SignInRefused as exc:
            response = _refused(request, str(exc))
        except (httpx.HTTPError, ValueError, KeyError):
            log.warning("Google sign-in: the provider could not be reached", exc_info=True)
            response = _refused(request, "Google sign-in is unavailable right now.")
        else:
            await identity_pages._start_browser_session(request, db, runtime, user)
            target = saved.get("next") or runtime.path("account")
            response = RedirectResponse(target, status_code=303)
            identity_pages._set_session_cookie(runtime, response, request.state.new_session_token)
            flash(request, response, f"Welcome{', ' + user.name if user.name else ''}.")
    # The state is single-use whatever happened.
    response.delete_cookie(
        STATE_COOKIE,
        path=_cookie_path(runtime),
        httponly=True,
        samesite="lax",
        secure=not runtime.settings.is_development,
    )
    return response
