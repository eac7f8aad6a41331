"""The currency switch: a form in the header, remembered in a cookie (works without JS)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from mercato.identity.pages import safe_next
from mercato.pricing import service as pricing_service
from mercato.pricing.deps import CURRENCY_COOKIE
from mercato.web.deps import Db, Runtime
from mercato.web.flash import flash

router = APIRouter()
COOKIE_DAYS = 365


@router.post("/currency")
async def choose_currency(request: Request, db: Db, runtime: Runtime) -> Response:
    form = await request.form()
    wanted = str(form.get("currency", "")).strip().upper()[:3]
    back = safe_next(runtime, str(form.get("next", ""))) or runtime.path("")
    response = RedirectResponse(back, status_code=303)
    choice = await pricing_service.conversion_for(db, runtime.config, wanted)
    if choice.notice:
        flash(request, response, choice.notice, "warning")
    response.set_cookie(
        CURRENCY_COOKIE,
        choice.conversion.currency,
        max_age=COOKIE_DAYS * 86400,
        path=runtime.path(""),
        httponly=True,
        samesite="lax",
        secure=not runtime.settings.is_development,
    )
    return response
