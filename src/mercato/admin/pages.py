"""The admin shell: shared page rendering (navigation by permission). The dashboard lives in
mercato.admin.dashboard.

Every admin router is mounted by the store app under /<slug>/admin with the page
dependencies (session user, CSRF) and ``require_staff`` already applied; a route only adds
the finer permission it needs.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from starlette.responses import HTMLResponse

from mercato.identity.permissions import has_permission
from mercato.web.templating import render


def permissions(request: Request) -> frozenset[str]:
    # Computed once per request by require_staff (identity.deps.current_permissions).
    return getattr(request.state, "permissions", None) or frozenset()


def admin_render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    section: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """Render an admin page with the side navigation the user is allowed to see."""
    perms = permissions(request)
    runtime = request.state.runtime
    nav = [item for item in runtime.modules.admin_nav() if has_permission(perms, item.permission)]
    ctx: dict[str, Any] = {
        "admin_nav_items": nav,
        "section": section,
        "can": lambda permission: has_permission(perms, permission),
        "page_href": lambda number: query_href(request, page=number),
        "sort_href": lambda sort: query_href(request, sort=sort, page=None),
    }
    ctx.update(context or {})
    response = render(request, template, ctx, status_code=status_code)
    # Admin pages show personal data: never keep them in a shared or browser cache.
    response.headers["cache-control"] = "no-store"
    return response


def query_href(request: Request, **changes: Any) -> str:
    """This page's URL with some query parameters changed (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return request.url.path + ("?" + urlencode(params) if params else "")
