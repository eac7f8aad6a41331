"""The "notify me" form of a sold-out product (works without JavaScript)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from mercato.identity.deps import client_ip, limit_attempts
from mercato.identity.pages import safe_next
from mercato.kit.errors import DomainError, RateLimited
from mercato.waitlist import service
from mercato.web.deps import Db, Runtime
from mercato.web.flash import flash

router = APIRouter()
DONE = "Thank you. We will email you when it is back (one email, no newsletter)."


@router.post("/waitlist/{product_id:int}")
async def notify_me(request: Request, product_id: int, db: Db, runtime: Runtime) -> Response:
    form = await request.form()
    email = str(form.get("email") or "")
    back = safe_next(runtime, str(form.get("next") or "")) or runtime.path("essences")
    user = getattr(request.state, "user", None)
    response = RedirectResponse(back + "#notify-me", status_code=303)
    try:
        await limit_attempts(
            request, (runtime.settings.rate_limit_newsletter, f"waitlist-ip:{client_ip(request)}")
        )
        await service.request_alert(
            db,
            product_id,
            email,
            user_id=user.id if user and user.email == email.strip().lower() else None,
        )
    except RateLimited:
        flash(request, response, "Too many requests. Please try again in a minute.", "warning")
        return response
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        flash(request, response, exc.message, "error")
        return response
    # The same message for a new and a repeated request.
    flash(request, response, DONE)
    return response
