"""CSRF protection for every form POST (DESIGN.md §5).

A signed double-submit token: the ``mercato_csrf`` cookie holds a random seed and each form
carries ``HMAC(secret, store, seed)``. A forged cross-site form cannot read the cookie, so it
cannot produce the token. Applied to every page and admin router by the store app, so a
new form route cannot forget it.
"""

from __future__ import annotations

from fastapi import Request

from mercato.kit.errors import PermissionDenied
from mercato.kit.security import constant_time_equal, sign
from mercato.web.middleware import UNSAFE_METHODS

FIELD = "csrf_token"
HEADER = "x-csrf-token"
# Routes that other servers POST to, authenticated by their own signature instead of a
# cookie (payment providers' webhooks). Matched on the route pattern, nothing broader.
EXEMPT_ROUTES = frozenset({"/payments/webhooks/{provider}"})


class CsrfFailed(PermissionDenied):
    pass


def expected_token(request: Request) -> str:
    runtime = request.state.runtime
    return sign(runtime.secret, runtime.slug, "csrf", request.state.csrf_seed)


async def csrf_protect(request: Request) -> None:
    request.state.csrf_token = expected_token(request)
    if request.method not in UNSAFE_METHODS:
        return
    if getattr(request.scope.get("route"), "path", None) in EXEMPT_ROUTES:
        return
    supplied = request.headers.get(HEADER, "")
    if not supplied:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()  # cached by Starlette; the endpoint reuses it
            value = form.get(FIELD)
            supplied = value if isinstance(value, str) else ""
    if not supplied or not constant_time_equal(supplied, request.state.csrf_token):
        raise CsrfFailed(
            "This form has expired or did not come from this site. Reload the page and try again.",
            code="csrf_failed",
        )
