"""Account pages: sign up, verify, sign in/out, forgot/reset/change password, profile,
sessions. Forms re-render with the message next to the field and the input kept (never
passwords); the store app adds CSRF protection to every POST here."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from mercato.identity import service, sessions
from mercato.identity.deps import CurrentUser, SignInRequired, client_ip, limit_attempts
from mercato.kit.errors import DomainError, NotFound, RateLimited
from mercato.kit.i18n import _, ngettext
from mercato.kit.security import password_problems
from mercato.platform.runtime import StoreRuntime
from mercato.web.deps import Db, Runtime
from mercato.web.flash import flash, redirect
from mercato.web.templating import render

router = APIRouter(prefix="/account")

Errors = dict[str, list[str]]


# ---------------------------------------------------------------- helpers


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()  # already parsed (and cached) by the CSRF check
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _errors_of(exc: DomainError) -> Errors:
    return {exc.field or "__all__": [exc.message]}


def _form_page(
    request: Request, template: str, values: dict[str, Any], errors: Errors, status: int = 200
) -> Response:
    shown = {k: v for k, v in values.items() if "password" not in k}  # never echo passwords
    return render(request, template, {"values": shown, "errors": errors}, status_code=status)


def _rate_limited(
    request: Request, template: str, values: dict[str, Any], exc: RateLimited
) -> Response:
    minutes = max(1, round(exc.retry_after / 60))
    message = ngettext(
        "Too many attempts. Please wait about %(num)d minute and try again.",
        "Too many attempts. Please wait about %(num)d minutes and try again.",
        minutes,
    )
    response = _form_page(request, template, values, {"__all__": [message]}, 429)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def safe_next(runtime: StoreRuntime, value: str | None) -> str | None:
    """``value`` if it is a path inside this store, else None (no open redirects)."""
    if not value or len(value) > 500:
        return None
    parts = urlsplit(value)
    root = runtime.path("")
    if (
        parts.scheme
        or parts.netloc
        or not value.startswith(root)
        or value.startswith("//")
        or "\\" in value
        or any(ord(c) < 32 or ord(c) == 127 for c in value)
        or ".." in parts.path.split("/")
    ):
        return None
    return value


def _set_session_cookie(runtime: StoreRuntime, response: Response, token: str) -> None:
    settings = runtime.settings
    response.set_cookie(
        sessions.SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        path=runtime.path(""),  # scoped to this store: a cookie never reaches another store
        httponly=True,
        samesite="lax",
        secure=not settings.is_development,
    )


def _clear_session_cookie(runtime: StoreRuntime, response: Response) -> None:
    response.delete_cookie(
        sessions.SESSION_COOKIE,
        path=runtime.path(""),
        httponly=True,
        samesite="lax",
        secure=not runtime.settings.is_development,
    )


def _current_session_id(request: Request) -> int | None:
    current = getattr(request.state, "web_session", None)
    return current.id if current else None


async def sign_in_required_handler(request: Request, exc: SignInRequired) -> Response:
    """Pages send the visitor to the sign-in form and back; the API answers 401."""
    from mercato.web.errors import error_response, wants_json

    if wants_json(request):
        response = error_response(request, 401, exc.message)
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    runtime: StoreRuntime = request.state.runtime
    target = runtime.path("account/signin")
    if request.method == "GET":
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if safe_next(runtime, here):
            target += "?next=" + quote(here, safe="/")
    return RedirectResponse(target, status_code=303)


# ---------------------------------------------------------------- sign up and verification


@router.get("", include_in_schema=False)
async def account_home(request: Request) -> Response:
    # The customers module, when enabled, has a landing page linking every account page.
    landing = "account/overview" if "customers" in request.state.runtime.modules else None
    return redirect(request, landing or "account/profile")


@router.get("/signup")
async def signup_form(request: Request) -> Response:
    if getattr(request.state, "user", None):
        return redirect(request, "account/profile")
    return _form_page(request, "account/signup.html", {}, {})


@router.post("/signup")
async def signup(request: Request, db: Db, runtime: Runtime) -> Response:
    values = await _form(request)
    email, password, name = (
        values.get("email", ""),
        values.get("password", ""),
        values.get("name", ""),
    )
    try:
        await limit_attempts(
            request, (runtime.settings.rate_limit_signup, f"signup-ip:{client_ip(request)}")
        )
    except RateLimited as exc:
        return _rate_limited(request, "account/signup.html", values, exc)
    # Show every reason the password is weak, each on its own line under the field.
    problems = password_problems(password, [email, email.split("@")[0], name])
    try:
        if problems:
            service.normalize_email(email)  # report a bad email at the same time
            return _form_page(request, "account/signup.html", values, {"password": problems}, 422)
        user = await service.register_user(db, runtime, email=email, password=password, name=name)
    except DomainError as exc:
        errors = _errors_of(exc)
        if problems:
            errors["password"] = problems
        return _form_page(request, "account/signup.html", values, errors, 422)
    await _start_browser_session(request, db, runtime, user)
    response = redirect(
        request,
        "account/profile",
        _(
            "Welcome! We sent a confirmation link to %(email)s: please check your inbox.",
            email=user.email,
        ),
    )
    _set_session_cookie(runtime, response, request.state.new_session_token)
    return response


@router.get("/verify")
async def verify(request: Request, db: Db, token: str = "") -> Response:
    try:
        await service.verify_email(db, token)
    except DomainError as exc:
        return render(
            request, "account/verify.html", {"ok": False, "message": exc.message}, status_code=400
        )
    if getattr(request.state, "user", None):
        return redirect(
            request, "account/profile", _("Thank you — your email address is confirmed.")
        )
    return render(request, "account/verify.html", {"ok": True})


@router.post("/verify/resend")
async def resend_verification(
    request: Request, user: CurrentUser, db: Db, runtime: Runtime
) -> Response:
    if user.email_verified_at is not None:
        return redirect(
            request, "account/profile", _("Your email address is already confirmed."), "info"
        )
    try:
        await limit_attempts(request, (runtime.settings.rate_limit_reset, f"verify-acct:{user.id}"))
    except RateLimited:
        return redirect(
            request,
            "account/profile",
            _("We sent several links already; please wait a few minutes."),
            "warning",
        )
    await service.send_verification_email(db, runtime, user)
    return redirect(
        request,
        "account/profile",
        _("We sent a new confirmation link to %(email)s.", email=user.email),
    )


# ---------------------------------------------------------------- sign in and out


async def _start_browser_session(request: Request, db: Db, runtime: StoreRuntime, user) -> None:
    # Never keep a session id the browser arrived with (session fixation): end it, start anew.
    previous = _current_session_id(request)
    if previous is not None:
        await sessions.revoke_session(db, previous)
    request.state.new_session_token = await sessions.start_session(
        db,
        user,
        days=runtime.settings.session_days,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent", ""),
    )
    # Modules adopt what the visitor did before signing in (the guest cart joins theirs).
    request.state.signin_notes = [
        note
        for module in runtime.modules.modules
        if module.on_signin is not None
        for note in await module.on_signin(request, db, user)
    ]


@router.get("/signin")
async def signin_form(request: Request, runtime: Runtime, next: str = "") -> Response:
    # Shown even to a signed-in visitor, who may want to switch accounts.
    target = safe_next(runtime, next)
    return render(request, "account/signin.html", {"values": {}, "errors": {}, "next": target})


@router.post("/signin")
async def signin(request: Request, db: Db, runtime: Runtime, next: str = "") -> Response:
    values = await _form(request)
    target = safe_next(runtime, values.get("next") or next)
    email = values.get("email", "").strip().lower()
    settings = runtime.settings

    def again(errors: Errors, status: int) -> Response:
        return render(
            request,
            "account/signin.html",
            {"values": {"email": values.get("email", "")}, "errors": errors, "next": target},
            status_code=status,
        )

    try:
        await limit_attempts(
            request,
            (settings.rate_limit_signin, f"signin-ip:{client_ip(request)}"),
            (settings.rate_limit_signin_account, f"signin-acct:{email}"),
        )
        user = await service.authenticate(db, email, values.get("password", ""))
    except RateLimited as exc:
        response = _rate_limited(request, "account/signin.html", {"email": email}, exc)
        return response
    except service.AccountBlocked as exc:
        return again({"__all__": [exc.message]}, 403)
    except DomainError as exc:
        return again({"__all__": [exc.message]}, 422)
    await _start_browser_session(request, db, runtime, user)
    response = RedirectResponse(target or runtime.path("account/profile"), status_code=303)
    _set_session_cookie(runtime, response, request.state.new_session_token)
    welcome = _("Welcome back, %(name)s.", name=user.name) if user.name else _("Welcome back.")
    flash(request, response, " ".join([welcome, *request.state.signin_notes]))
    return response


@router.post("/signout")
async def signout(request: Request, db: Db, runtime: Runtime) -> Response:
    current = _current_session_id(request)
    if current is not None:
        await sessions.revoke_session(db, current)
    response = redirect(request, "", _("You are signed out."), "info")
    _clear_session_cookie(runtime, response)
    return response


# ---------------------------------------------------------------- forgotten and changed passwords


@router.get("/forgot")
async def forgot_form(request: Request) -> Response:
    return render(request, "account/forgot.html", {"values": {}, "errors": {}, "sent": False})


@router.post("/forgot")
async def forgot(request: Request, db: Db, runtime: Runtime) -> Response:
    values = await _form(request)
    raw_email = values.get("email", "")
    try:
        email = service.normalize_email(raw_email)
    except DomainError as exc:
        return _form_page(request, "account/forgot.html", values, _errors_of(exc), 422)
    rule = runtime.settings.rate_limit_reset
    try:
        await limit_attempts(
            request, (rule, f"reset-ip:{client_ip(request)}"), (rule, f"reset-acct:{email}")
        )
    except RateLimited as exc:
        return _rate_limited(request, "account/forgot.html", values, exc)
    # The same answer whether or not the account exists, so the form reveals no accounts.
    await service.request_password_reset(db, runtime, email)
    return render(
        request, "account/forgot.html", {"values": {"email": email}, "errors": {}, "sent": True}
    )


@router.get("/reset")
async def reset_form(request: Request, db: Db, token: str = "") -> Response:
    valid = await service.reset_token_is_valid(db, token)
    response = render(
        request,
        "account/reset.html",
        {"values": {}, "errors": {}, "token": token, "valid": valid},
        status_code=200 if valid else 400,
    )
    response.headers["Referrer-Policy"] = "no-referrer"  # keep the token out of Referer
    return response


@router.post("/reset")
async def reset(request: Request, db: Db, runtime: Runtime) -> Response:
    values = await _form(request)
    token = values.get("token", "")
    try:
        await service.reset_password(db, token, values.get("password", ""))
    except DomainError as exc:
        valid = exc.field != "token"
        errors = _errors_of(exc) if valid else {}
        return render(
            request,
            "account/reset.html",
            {"values": {}, "errors": errors, "token": token, "valid": valid},
            status_code=422 if valid else 400,
        )
    response = redirect(
        request,
        "account/signin",
        _(
            "Your password is changed and every device was signed out. "
            "Sign in with the new password."
        ),
    )
    _clear_session_cookie(runtime, response)
    return response


@router.get("/password")
async def password_form(request: Request, user: CurrentUser) -> Response:
    return _form_page(request, "account/password.html", {}, {})


@router.post("/password")
async def change_password(request: Request, user: CurrentUser, db: Db) -> Response:
    values = await _form(request)
    try:
        await service.change_password(
            db,
            user,
            current=values.get("current_password", ""),
            new=values.get("new_password", ""),
            keep_session_id=_current_session_id(request),
        )
    except DomainError as exc:
        return _form_page(request, "account/password.html", {}, _errors_of(exc), 422)
    return redirect(
        request, "account/profile", _("Password changed. Your other devices were signed out.")
    )


# ---------------------------------------------------------------- profile and sessions


@router.get("/profile")
async def profile_form(request: Request, user: CurrentUser) -> Response:
    return _form_page(request, "account/profile.html", {"name": user.name, "phone": user.phone}, {})


@router.post("/profile")
async def profile(request: Request, user: CurrentUser, db: Db) -> Response:
    values = await _form(request)
    try:
        await service.update_profile(
            db, user, name=values.get("name", ""), phone=values.get("phone", "")
        )
    except DomainError as exc:
        return _form_page(request, "account/profile.html", values, _errors_of(exc), 422)
    return redirect(request, "account/profile", _("Your details are saved."))


@router.get("/sessions")
async def session_list(request: Request, user: CurrentUser, db: Db) -> Response:
    return render(
        request,
        "account/sessions.html",
        {
            "sessions": await sessions.list_sessions(db, user.id),
            "current_id": _current_session_id(request),
        },
    )


@router.post("/sessions/revoke-others")
async def revoke_other_sessions(request: Request, user: CurrentUser, db: Db) -> Response:
    ended = await sessions.revoke_all_sessions(db, user.id, except_id=_current_session_id(request))
    message = (
        ngettext(
            "Signed out of %(num)d other device.", "Signed out of %(num)d other devices.", ended
        )
        if ended
        else _("No other device was signed in.")
    )
    return redirect(request, "account/sessions", message)


@router.post("/sessions/{session_id}/revoke")
async def revoke_one_session(
    request: Request, session_id: int, user: CurrentUser, db: Db, runtime: Runtime
) -> Response:
    # The user id in the WHERE clause is the access check: another user's session is "not found".
    if not await sessions.revoke_session(db, session_id, user_id=user.id):
        raise NotFound(_("There is no such session among yours."))
    if session_id == _current_session_id(request):
        response = redirect(request, "account/signin", _("You are signed out."), "info")
        _clear_session_cookie(runtime, response)
        return response
    return redirect(request, "account/sessions", _("That device is signed out."))
