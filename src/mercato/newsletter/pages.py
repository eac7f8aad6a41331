"""Newsletter pages: the footer form's target, the confirmation and unsubscribe links, and
the subscription on the account page.

The answer to a subscription is the same whether the address is new, pending, active or
unsubscribed (no enumeration); only a malformed address or the rate limit answer otherwise.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from mercato.identity.deps import CurrentUser, client_ip, limit_attempts
from mercato.identity.pages import safe_next
from mercato.kit.errors import DomainError, RateLimited
from mercato.models.engagement import SubscriberStatus
from mercato.newsletter import service
from mercato.web.deps import Db, Runtime
from mercato.web.flash import flash, redirect
from mercato.web.templating import render

router = APIRouter()
THANKS = "Thank you. Please check your inbox: we sent a link to confirm your subscription."


async def _values(request: Request) -> tuple[dict[str, str], list[str]]:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    return values, [str(v) for v in form.getlist("topics")]


def _no_store(response: Response) -> Response:
    # Pages reached by a personal link: never cached, never leak the token onward.
    response.headers["cache-control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


async def check_rate(request: Request, runtime: Any, email: str) -> None:
    rule = runtime.settings.rate_limit_newsletter
    await limit_attempts(
        request,
        (rule, f"newsletter-ip:{client_ip(request)}"),
        (rule, f"newsletter-email:{email.strip().lower()[:254]}"),
    )


def _form_page(request: Request, values: dict[str, Any], errors: dict, status: int) -> Response:
    return render(
        request,
        "newsletter/subscribe.html",
        {
            "values": values,
            "errors": errors,
            "topics": service.TOPICS,
            "sent": False,
            "hide_newsletter_footer": True,
        },
        status_code=status,
    )


@router.get("/newsletter")
async def subscribe_form(request: Request) -> Response:
    return _form_page(request, {}, {}, 200)


@router.post("/newsletter/subscribe")
async def subscribe(request: Request, db: Db, runtime: Runtime) -> Response:
    values, topics = await _values(request)
    email = values.get("email", "")
    values["topics"] = topics  # type: ignore[assignment]
    try:
        await check_rate(request, runtime, email)
    except RateLimited as exc:
        response = _form_page(
            request, values, {"__all__": ["Too many requests. Please try again in a minute."]}, 429
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    user = getattr(request.state, "user", None)
    source = values.get("source", "footer")
    try:
        await service.subscribe(
            db,
            runtime,
            email=email,
            name=values.get("name", ""),
            source=source if source in ("footer", "account") else "footer",
            preferences=topics,
            user_id=user.id if user and user.email == email.strip().lower() else None,
        )
    except DomainError as exc:
        return _form_page(request, values, {exc.field or "__all__": [exc.message]}, 422)
    back = safe_next(runtime, values.get("next"))
    if back:
        response = RedirectResponse(back, status_code=303)
        flash(request, response, THANKS)
        return response
    return render(
        request,
        "newsletter/subscribe.html",
        {
            "values": {},
            "errors": {},
            "topics": service.TOPICS,
            "sent": True,
            "hide_newsletter_footer": True,
        },
    )


@router.get("/newsletter/confirm")
async def confirm(request: Request, db: Db, runtime: Runtime, token: str = "") -> Response:
    try:
        sub = await service.confirm(db, runtime, token)
    except DomainError as exc:
        return _no_store(
            render(
                request,
                "newsletter/confirmed.html",
                {"ok": False, "message": exc.message},
                status_code=400,
            )
        )
    return _no_store(render(request, "newsletter/confirmed.html", {"ok": True, "sub": sub}))


@router.get("/newsletter/unsubscribe")
async def unsubscribe_form(request: Request, db: Db, runtime: Runtime, token: str = "") -> Response:
    try:
        sub = await service.find_by_unsubscribe_token(db, runtime, token)
    except DomainError as exc:
        return _no_store(
            render(
                request,
                "newsletter/unsubscribe.html",
                {"valid": False, "message": exc.message, "done": False},
                status_code=400,
            )
        )
    return _no_store(
        render(
            request,
            "newsletter/unsubscribe.html",
            {
                "valid": True,
                "token": token,
                "email": sub.email,
                "done": False,
                "already": sub.status == SubscriberStatus.UNSUBSCRIBED,
            },
        )
    )


@router.post("/newsletter/unsubscribe")
async def unsubscribe(request: Request, db: Db, runtime: Runtime) -> Response:
    values, _ = await _values(request)
    try:
        sub = await service.unsubscribe(db, runtime, values.get("token", ""))
    except DomainError as exc:
        return _no_store(
            render(
                request,
                "newsletter/unsubscribe.html",
                {"valid": False, "message": exc.message, "done": False},
                status_code=400,
            )
        )
    return _no_store(
        render(
            request,
            "newsletter/unsubscribe.html",
            {"valid": True, "done": True, "email": sub.email},
        )
    )


@router.get("/account/newsletter")
async def account_newsletter(request: Request, user: CurrentUser, db: Db) -> Response:
    sub = await service.for_email(db, user.email)
    return render(
        request,
        "newsletter/account.html",
        {"sub": sub, "topics": service.TOPICS, "hide_newsletter_footer": True},
    )


@router.post("/account/newsletter")
async def account_newsletter_post(
    request: Request, user: CurrentUser, db: Db, runtime: Runtime
) -> Response:
    values, topics = await _values(request)
    action = values.get("action", "")
    sub = await service.for_email(db, user.email)
    if action == "unsubscribe" and sub is not None:
        await service.unsubscribe_subscriber(db, sub)
        return redirect(request, "account/newsletter", "You are unsubscribed.", "info")
    if action == "preferences" and sub is not None and sub.status == SubscriberStatus.ACTIVE:
        await service.update_preferences(db, sub, topics)
        return redirect(request, "account/newsletter", "Your choices are saved.")
    try:
        await check_rate(request, runtime, user.email)
    except RateLimited:
        return redirect(
            request,
            "account/newsletter",
            "Too many requests. Please try again in a minute.",
            "warning",
        )
    await service.subscribe(
        db,
        runtime,
        email=user.email,
        name=user.name,
        source="account",
        preferences=topics,
        user_id=user.id,
    )
    return redirect(request, "account/newsletter", THANKS)
