"""Error answers of a store: JSON with field paths for the API, the error page for pages.

The store app's exception handlers (mercato.web.store_app) and the hot routes
(mercato.web.hot_routes), which answer before FastAPI's handlers, give the same answers.
"""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from mercato.kit.errors import DomainError, RateLimited, validation_message
from mercato.kit.i18n import N_, translate
from mercato.web.templating import render

log = logging.getLogger("mercato.web")


def wants_json(request: Request) -> bool:
    return request.url.path.startswith(request.scope.get("root_path", "") + "/api/") or (
        "application/json" in request.headers.get("accept", "")
        and "text/html" not in request.headers.get("accept", "")
    )


def error_response(
    request: Request, status: int, message: str, errors: list | None = None
) -> Response:
    headers = {}
    # Messages composed in English by services are shown in the request's language when the
    # catalogue knows them (a translated or unknown message comes back unchanged).
    message = translate(message)
    if errors:
        errors = [
            {**e, "message": translate(str(e.get("message", "")))} if isinstance(e, dict) else e
            for e in errors
        ]
    if wants_json(request):
        body: dict = {"detail": message}
        if errors is not None:
            body["errors"] = errors
        return JSONResponse(body, status_code=status, headers=headers)
    try:
        return render(
            request,
            "errors/error.html",
            {"status": status, "message": message, "errors": errors or []},
            status_code=status,
        )
    except Exception:  # the error page itself must never fail
        log.exception("error page failed to render")
        return Response(message, status_code=status, media_type="text/plain")


def _field_path(loc: tuple | list) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


def domain_error_response(request: Request, exc: DomainError) -> Response:
    errors = [{"field": exc.field, "message": exc.message, "code": exc.code}] if exc.field else None
    response = error_response(request, exc.status_code, exc.message, errors)
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def validation_error_response(request: Request, errors: list) -> Response:
    """422 for pydantic's errors of a request (FastAPI's RequestValidationError.errors())."""
    fields = [
        {
            # A body that is not JSON at all has no field; name the body itself.
            "field": "body" if e.get("type") == "json_invalid" else _field_path(e.get("loc", ())),
            "message": validation_message(e),
            "code": e.get("type", ""),
        }
        for e in errors
    ]
    return error_response(request, 422, N_("Some fields need attention."), fields)


def http_error_response(request: Request, exc: StarletteHTTPException) -> Response:
    messages = {
        404: N_("We could not find that page."),
        405: N_("That action is not allowed here."),
    }
    message = (
        exc.detail
        if isinstance(exc.detail, str) and exc.status_code != 404
        else (messages.get(exc.status_code, N_("Something went wrong.")))
    )
    response = error_response(request, exc.status_code, message)
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return response
