"""One-shot messages shown on the next page ("Your password was changed")."""

from __future__ import annotations

import json
from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

FLASH_COOKIE = "mercato_flash"
KINDS = {"success", "info", "warning", "error"}


def redirect(
    request: Request, to: str, message: str = "", kind: str = "success"
) -> RedirectResponse:
    """A 303 redirect to a store path ("account/profile"), carrying an optional message."""
    runtime = request.state.runtime
    response = RedirectResponse(runtime.path(to), status_code=303)
    if message:
        flash(request, response, message, kind)
    return response


def flash(request: Request, response: Response, message: str, kind: str = "success") -> None:
    runtime = request.state.runtime
    value = quote(json.dumps({"m": message[:300], "k": kind if kind in KINDS else "info"}))
    response.set_cookie(
        FLASH_COOKIE,
        value,
        max_age=60,
        path=runtime.path(""),
        httponly=True,
        samesite="lax",
        secure=not runtime.settings.is_development,
    )


def pop_flash(request: Request) -> dict[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        data = json.loads(unquote(raw))
        return {"message": str(data["m"]), "kind": str(data["k"])}
    except (ValueError, KeyError, TypeError):
        return None
