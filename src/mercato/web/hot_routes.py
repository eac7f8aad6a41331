"""Hot routes: the busiest API endpoints answered before FastAPI's routing and dependencies.

Add to cart is the write a shop does most (issue 3 asks for 1,000 a second on two cores).
Through FastAPI, matching the route, solving its dependency tree (body, unit of work, store,
owner, currency) and its exception middleware cost about as much CPU as the endpoint's own
work. A hot route is a plain ``handler(request, body) -> Response | None`` that a module
registers for one method and path (``Module.hot_routes``) beside its ordinary FastAPI route,
which stays the documented one (OpenAPI) and the fallback.

This middleware is the innermost of the store app's own (inside StoreMiddleware, the page
cache and LanguageMiddleware), so a hot answer gets the same unit of work, commit, security
headers and language as any other. A handler answers only what it fully understands: for
anything else (another content type, a body that does not validate, no credentials) it
returns None *before it changes anything*, and the request goes the ordinary way with its
body replayed, so every error a client can cause keeps FastAPI's exact answer. A domain
refusal (out of stock, a limit) is answered here, as the store's exception handler would.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercato.kit.errors import DomainError
from mercato.web.errors import domain_error_response

HotHandler = Callable[[Request, bytes], Awaitable[Response | None]]

# A larger body is not read here: the ordinary route applies FastAPI's own limits to it.
MAX_BODY = 16 * 1024


class HotRoutes:
    def __init__(self, app: ASGIApp, routes: dict[tuple[str, str], HotHandler]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = None
        if scope["type"] == "http":
            # The path inside the store app (a mounted store's root_path removed).
            path = scope["path"][len(scope.get("root_path", "")) :]
            handler = self.routes.get((scope["method"], path))
        if handler is None:
            await self.app(scope, receive, send)
            return
        body, finished = await _read_body(receive)
        if finished and len(body) <= MAX_BODY:
            request = Request(scope)
            try:
                response = await handler(request, body)
            except DomainError as exc:
                response = domain_error_response(request, exc)
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, _replay(body, finished, receive), send)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """What the client sent, up to a little over MAX_BODY, and whether that was all of it."""
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_BODY:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            break
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True
    return b"".join(chunks), False


def _replay(body: bytes, finished: bool, receive: Receive) -> Receive:
    """A receive that first gives back what was read, then carries on with the client's."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": not finished}
        return await receive()

    return replay
