"""HTTP caching of storefront pages (DESIGN.md §6): an ETag and revalidation for anonymous
visitors, never storing pages of signed-in people.

``private, no-cache``: the browser keeps the page but asks each time, and gets a 304 when
nothing changed. Private, because forms on the page hold the visitor's CSRF token.
"""

from __future__ import annotations

import hashlib

from fastapi import Request
from fastapi.responses import Response

from mercato.web.page_cache import cacheable

LONG_CACHE = "public, max-age=31536000, immutable"


def revalidated(request: Request, response: Response) -> Response:
    if getattr(request.state, "user", None) is not None or response.status_code != 200:
        response.headers["cache-control"] = "private, no-store"
        return response
    etag = 'W/"' + hashlib.sha256(bytes(response.body)).hexdigest()[:20] + '"'
    headers = {"etag": etag, "cache-control": "private, no-cache", "vary": "Cookie"}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return cacheable(response)
