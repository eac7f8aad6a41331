"""ASGI middleware: request ids and access logs (host), unit of work and headers (store)."""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from prometheus_client import Counter, Histogram
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercato.kit.security import new_token
from mercato.web.csp import CSP, policy_for

if TYPE_CHECKING:
    from mercato.platform.runtime import StoreRuntime

log = logging.getLogger("mercato.http")
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

REQUESTS = Counter("mercato_http_requests_total", "HTTP requests", ["store", "method", "status"])
LATENCY = Histogram("mercato_http_request_seconds", "HTTP request latency", ["store"])

CSRF_COOKIE = "mercato_csrf"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class RequestContextMiddleware:
    """Gives each request an id (echoed as X-Request-ID), logs it and counts it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # The metric children by label values: prometheus_client's labels() validates and
        # joins them on every call, a tenth of a cached page's CPU.
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._latencies: dict[str, Any] = {}

    def _counter(self, store: str, method: str, status: int) -> Any:
        key = (store, method, status)
        child = self._counters.get(key)
        if child is None:
            child = self._counters[key] = REQUESTS.labels(store, method, str(status))
        return child

    def _latency(self, store: str) -> Any:
        child = self._latencies.get(store)
        if child is None:
            child = self._latencies[store] = LATENCY.labels(store)
        return child

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v for n, v in scope["headers"] if n == b"x-request-id"), b"")
        rid = incoming.decode("latin-1")
        if not (0 < len(rid) <= 64 and rid.isprintable()):
            rid = uuid.uuid4().hex
        token = request_id_var.set(rid)
        started = time.perf_counter()
        status = 500
        rid_header = (b"x-request-id", rid.encode("latin-1"))

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.setdefault("headers", [])
                if not isinstance(headers, list):
                    message["headers"] = headers = list(headers)
                headers.append(rid_header)
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            store = scope.get("state", {}).get("store_slug", "-")
            self._counter(store, scope["method"], status).inc()
            self._latency(store).observe(elapsed)
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "ms": round(elapsed * 1000, 2),
                    "store": store,
                },
            )
            request_id_var.reset(token)


class UnitOfWork:
    """One database session per request, opened on first use (DESIGN.md §4).

    GET requests read in a deferred transaction; unsafe methods take the write lock at
    BEGIN on SQLite. The session is committed before the response starts, so a client
    never sees success for a change that was not stored.
    """

    def __init__(self, runtime: StoreRuntime, *, write: bool) -> None:
        self.runtime = runtime
        self.write = write
        self._session: AsyncSession | None = None
        self.after_commit: list[Any] = []  # async callables run once the commit succeeded

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            self._session = self.runtime.db.session(write=self.write)
        return self._session

    @property
    def opened(self) -> bool:
        return self._session is not None

    async def commit_writes(self) -> None:
        """Commit what the request has written so far, before it builds its answer, and read
        the rest of the request in a plain (deferred) transaction.

        Only on SQLite, where the write lock is the whole database's: holding it while the
        answer is read, validated and serialised made every writer of every worker wait for
        that work too (add to cart under load). On PostgreSQL a write locks only its rows,
        so the request keeps its single transaction and saves the round trips.

        The one departure from "the request owns the transaction": if building the answer
        fails after this, the change stays stored although the client sees an error (as when
        the connection drops after a commit). A route calls it only after its last write and
        its last check that may refuse (docs/decisions.md)."""
        session = self._session
        if session is None or not self.write or not self.runtime.db.sqlite:
            return
        await session.commit()
        # What the request may read next begins a plain transaction, when it begins (the
        # session's engine is the write one, which begins IMMEDIATE; the store's engine is
        # the same pool without that option). A test's session bound to one connection
        # stays on it.
        if isinstance(session.sync_session.bind, Engine):
            session.sync_session.bind = self.runtime.db.engine.sync_engine

    async def finish(self, *, success: bool) -> None:
        if self._session is None:
            return
        session, self._session = self._session, None
        try:
            if success:
                await session.commit()
            else:
                await session.rollback()
        finally:
            await session.close()
        if success:
            callbacks, self.after_commit = self.after_commit, []
            for callback in callbacks:
                try:
                    await callback()
                except Exception:
                    log.exception("after-commit callback failed")


def _route_renamed_catalogue(scope: Scope, routes: dict[str, str]) -> None:
    """A store that renamed the catalogue's URL segments (store.toml [catalog]) is answered
    by the catalogue's own routes: /wholesale/products/x is routed as /wholesale/essences/x.
    Only the routing path changes; links are written with the store's names (runtime.path)."""
    from mercato.platform.runtime import rename_first_segment

    root = scope.get("root_path", "")
    path = scope["path"]
    prefix = root if root and path.startswith(root + "/") else ""
    route = path[len(prefix) :].lstrip("/")
    renamed = rename_first_segment(route, routes)
    if renamed != route:
        scope["path"] = f"{prefix}/{renamed}"
        if "raw_path" in scope:
            scope["raw_path"] = quote(scope["path"]).encode()


class StoreMiddleware:
    """Per store: runtime on the request, the unit of work, CSRF cookie, security headers."""

    def __init__(self, app: ASGIApp, runtime: StoreRuntime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        if self.runtime.catalog_routes:
            # The page cache keys on the path the visitor asked for: the host's front answers
            # hits before any renaming (web/page_cache.PageCacheFront).
            state["request_path"] = scope["path"]
            _route_renamed_catalogue(scope, self.runtime.catalog_routes)
        state["runtime"] = self.runtime
        state["store_slug"] = self.runtime.slug
        csrf_seed, new_csrf = csrf_seed_of(scope)
        state["csrf_seed"] = csrf_seed
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        uow = UnitOfWork(self.runtime, write=scope["method"] in UNSAFE_METHODS)
        state["uow"] = uow
        finished = False
        swallow = False  # after a failed commit, the app's own response is discarded

        async def send_wrapper(message: Message) -> None:
            nonlocal finished, swallow
            if swallow:
                return
            if message["type"] == "http.response.start" and not finished:
                finished = True
                try:
                    await uow.finish(success=message["status"] < 400)
                except Exception:
                    log.exception("commit failed")
                    swallow = True
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 503,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                        }
                    )
                    body = b"The change could not be saved; please try again."
                    await send({"type": "http.response.body", "body": body})
                    return
                headers = MutableHeaders(scope=message)
                headers.raw.extend(added_headers(self.runtime, headers.raw, state))
                if new_csrf:
                    headers.append("set-cookie", self.csrf_cookie(csrf_seed))
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if not finished:
                await uow.finish(success=False)

    def csrf_cookie(self, value: str) -> str:
        return csrf_cookie(self.runtime, value)


def added_headers(
    runtime: StoreRuntime, raw: list[tuple[bytes, bytes]], state: dict[str, Any] | None
) -> list[tuple[bytes, bytes]]:
    """The headers StoreMiddleware adds to a response that has ``raw`` (the CSRF cookie
    aside). The page cache's front adds the same to the hits it answers by itself."""
    present = {name.lower() for name, _ in raw}
    added = []
    if b"content-security-policy" not in present:
        # The strict policy, widened only where this request's route asked.
        added.append((b"content-security-policy", policy_for(state).encode()))
        present.add(b"content-security-policy")  # SECURITY_HEADERS holds the strict one too
    added += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
    if not runtime.settings.is_development:
        added.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
    return added


def csrf_cookie(runtime: StoreRuntime, value: str) -> str:
    """The Set-Cookie value for a CSRF seed. A fresh seed is URL-safe base64, which needs no
    quoting, so the attributes SimpleCookie writes are kept per store and the value put in
    front of them (SimpleCookie took a tenth of a cached page's CPU); other values go
    through SimpleCookie."""
    key = (runtime.path(""), runtime.settings.is_development)
    suffix = _COOKIE_ATTRIBUTES.get(key)
    if suffix is None or not _PLAIN_COOKIE_VALUE.fullmatch(value):
        cookie: SimpleCookie = SimpleCookie()
        cookie[CSRF_COOKIE] = value
        morsel = cookie[CSRF_COOKIE]
        morsel["path"] = runtime.path("")
        morsel["httponly"] = True
        morsel["samesite"] = "Lax"
        if not runtime.settings.is_development:
            morsel["secure"] = True
        written = morsel.OutputString()
        if suffix is None and _PLAIN_COOKIE_VALUE.fullmatch(value):
            _COOKIE_ATTRIBUTES[key] = written[len(CSRF_COOKIE) + 1 + len(value) :]
        return written
    return f"{CSRF_COOKIE}={value}{suffix}"


_PLAIN_COOKIE_VALUE = re.compile(r"[A-Za-z0-9_-]+")
# (cookie path, development?) -> "; HttpOnly; Path=/…; SameSite=Lax[; Secure]"
_COOKIE_ATTRIBUTES: dict[tuple[str, bool], str] = {}


def csrf_seed_of(scope: Scope) -> tuple[str, bool]:
    for name, value in scope["headers"]:
        if name == b"cookie":
            cookie: SimpleCookie = SimpleCookie()
            try:
                cookie.load(value.decode("latin-1"))
            except Exception:  # noqa: S112 - a malformed cookie header is treated as absent
                continue
            if CSRF_COOKIE in cookie and 20 <= len(cookie[CSRF_COOKIE].value) <= 100:
                return cookie[CSRF_COOKIE].value, False
    return new_token(24), True
