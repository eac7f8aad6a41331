"""One-step boutique sign-up (``/boutique/signup``): the account and the boutique's details in
one form, one transaction. The buyer lands signed in on their boutique page, "waiting for
approval"; the reviewers are told as for an application from an existing account.

Every field is checked before anything is written, and all problems are shown at once. A
refusal after the account was added (the address taken meanwhile) re-renders the form with a
4xx, and a 4xx rolls back the request's transaction: never an account without its boutique.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from mercato.brands import boutiques
from mercato.brands.pages import _countries, errors_of
from mercato.brands.schemas import BoutiqueIn
from mercato.identity import service as identity
from mercato.identity.deps import client_ip, limit_attempts

# The account pages' session helpers: the same session start (fixation-safe) and cookie.
from mercato.identity.pages import _set_session_cookie, _start_browser_session
from mercato.kit.errors import DomainError, RateLimited
from mercato.kit.i18n import ngettext
from mercato.kit.security import password_problems
from mercato.web.deps import Db, Runtime
from mercato.web.flash import redirect
from mercato.web.templating import render

router = APIRouter()
TEMPLATE = "brands/boutique_signup.html"
ACCOUNT_FIELDS = ("name", "email", "password")
# Form name → BoutiqueIn field: the person's name is "name", the boutique's "boutique_name".
BOUTIQUE_FORM = {
    "boutique_name": "name",
    "city": "city",
    "country": "country",
    "website": "website",
    "instagram": "instagram",
    "about": "about",
}
Errors = dict[str, list[str]]


def _page(request: Request, values: dict[str, str], errors: Errors, status: int = 200) -> Response:
    shown = {k: v for k, v in values.items() if k != "password"}  # never echo the password
    context = {"values": shown, "errors": errors, "countries": _countries()}
    return render(request, TEMPLATE, context, status_code=status)


@router.get("/boutique/signup")
async def signup_form(request: Request) -> Response:
    if getattr(request.state, "user", None):
        return redirect(request, "boutique")  # signed in: apply from the account
    return _page(request, {}, {})


def _check(values: dict[str, str]) -> tuple[BoutiqueIn | None, Errors]:
    """The boutique's details and every problem of the form, without writing anything."""
    errors: Errors = {}
    details = None
    try:
        details = BoutiqueIn(**{field: values[name] for name, field in BOUTIQUE_FORM.items()})
    except ValidationError as exc:
        form_name = {field: name for name, field in BOUTIQUE_FORM.items()}
        for field, messages in errors_of(exc).items():
            errors[form_name.get(field, field)] = messages
    email, name = values["email"], values["name"]
    try:
        identity.normalize_email(email)
    except DomainError as exc:
        errors["email"] = [exc.message]
    if not name:
        errors["name"] = ["Tell us your name: brands see it in your messages."]
    problems = password_problems(values["password"], [email, email.split("@")[0], name])
    if problems:
        errors["password"] = problems
    return details, errors


@router.post("/boutique/signup")
async def signup(request: Request, db: Db, runtime: Runtime) -> Response:
    form = await request.form()
    fields = (*ACCOUNT_FIELDS, *BOUTIQUE_FORM)
    values = {f: str(form.get(f) or "").strip() for f in fields}
    values["password"] = str(form.get("password") or "")  # a password is taken as typed
    try:
        await limit_attempts(
            request, (runtime.settings.rate_limit_signup, f"signup-ip:{client_ip(request)}")
        )
    except RateLimited as exc:
        response = _page(request, values, {"__all__": [_rate_message(exc)]}, 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    details, errors = _check(values)
    if errors or details is None:
        return _page(request, values, errors, 422)
    try:
        user = await identity.register_user(
            db, runtime, email=values["email"], password=values["password"], name=values["name"]
        )
        boutique = await boutiques.apply(db, user, details)
    except DomainError as exc:
        # A 4xx: the unit of work rolls back the account added above.
        return _page(request, values, {exc.field or "__all__": [exc.message]}, exc.status_code)
    await boutiques.tell_reviewers(db, runtime, boutique)
    await _start_browser_session(request, db, runtime, user)
    response = redirect(
        request,
        "boutique",
        f"Welcome! We review boutiques within one working day, and we sent a confirmation "
        f"link to {user.email}.",
    )
    _set_session_cookie(runtime, response, request.state.new_session_token)
    return response


def _rate_message(exc: RateLimited) -> str:
    minutes = max(1, round(exc.retry_after / 60))
    return ngettext(  # the account pages' message, already translated
        "Too many attempts. Please wait about %(num)d minute and try again.",
        "Too many attempts. Please wait about %(num)d minutes and try again.",
        minutes,
    )
