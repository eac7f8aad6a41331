"""Whole-page cache for anonymous storefront visitors (DESIGN.md §7).

A catalogue or product page is the same for every visitor who is not signed in and has no
cart, apart from the CSRF token in its forms. So a page handler that opts in (a response
header ``x-mercato-cache: <seconds>``, see :func:`cacheable`) is stored once with the
token replaced by a marker, and later anonymous requests get it from memory with their own
token put back: no routing, dependencies, queries or templates.

Compressing a page took two thirds of a hit's CPU, so each kept page is also kept deflated,
in pieces cut at the token: a hit sends the pieces with only the token deflated anew
(:func:`gzip_with_token`) and the gzip middleware lets an encoded answer through untouched.

Invalidation is by events, not timers alone: any write to a table the storefront shows
marks the session (see :mod:`mercato.platform.storefront_version`); after the commit this
process drops its pages at once and an outbox event bumps the store's version row, which
every other process reads at most once per second. The time limit is only a backstop.
"""

from __future__ import annotations

import hashlib
import struct
import time
import zlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercato.kit.security import sign
from mercato.platform import storefront_version
from mercato.web.csp import policy_for
from mercato.web.middleware import added_headers, csrf_cookie, csrf_seed_of

if TYPE_CHECKING:
    from mercato.platform.runtime import StoreRuntime

OPT_IN_HEADER = "x-mercato-cache"
# Cookies that make a page personal: signed in, a cart, a one-time message.
PERSONAL_COOKIES = ("mercato_session=", "mercato_cart=", "mercato_flash=")
CURRENCY_COOKIE = "mercato_currency"
LANGUAGE_COOKIE = "mercato_lang"  # web/i18n.py: the shopper's language choice
TOKEN_MARKER = b"\x00mercato-csrf\x00"
MAX_BODY = 512 * 1024
MAX_ENTRIES = 2000  # random query strings cannot grow memory without bound
GZIP_MIN_BYTES = 800  # as the app's GZipMiddleware: smaller pages are sent as they are
GZIP_LEVEL = 4  # as the app's GZipMiddleware (app.py gives the reason)
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no mtime
_LAST_BLOCK = b"\x03\x00"  # an empty final block ends the deflate stream
VERSION_CHECK_SECONDS = 1.0


def cacheable(response: Response, seconds: int = 300) -> Response:
    """Let the page cache keep this response for anonymous visitors."""
    response.headers[OPT_IN_HEADER] = str(seconds)
    return response


@dataclass
class _Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    digest: str
    pieces: list[bytes]  # the body cut where the visitor's CSRF token goes
    deflated: list[bytes] | None  # each piece deflated on its own; None when too small
    expires: float
    version: tuple[int, str]
    # ``headers`` plus what StoreMiddleware adds (security headers, HSTS): what the host's
    # front sends on a hit, with the visitor's cookie, ETag and length.
    front_headers: list[tuple[bytes, bytes]] = field(default_factory=list)


def _deflate(data: bytes) -> bytes:
    """``data`` as deflate blocks that stand alone (no back-references outside them) and end
    on a byte boundary without closing the stream, so such runs can be joined."""
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


def deflate_pieces(pieces: list[bytes]) -> list[bytes] | None:
    if sum(map(len, pieces)) < GZIP_MIN_BYTES:
        return None
    return [_deflate(piece) for piece in pieces]


def gzip_with_token(pieces: list[bytes], deflated: list[bytes], token: bytes) -> bytes:
    """The gzip member of the pieces joined by ``token``: the kept deflated pieces with the
    deflated token between them, an empty last block, then the CRC-32 and length of the
    whole text (RFC 1952), which are all that is computed over the page per request."""
    packed_token = _deflate(token)
    crc = 0
    out = [_GZIP_HEADER]
    for index, (piece, packed) in enumerate(zip(pieces, deflated, strict=True)):
        if index:
            crc = zlib.crc32(token, crc)
            out.append(packed_token)
        crc = zlib.crc32(piece, crc)
        out.append(packed)
    size = sum(map(len, pieces)) + len(token) * (len(pieces) - 1)
    out += [_LAST_BLOCK, struct.pack("<II", crc, size & 0xFFFFFFFF)]
    return b"".join(out)


def _accepts_gzip(scope: Scope) -> bool:
    return any(n == b"accept-encoding" and b"gzip" in v for n, v in scope["headers"])


class PageCache:
    """The pages of one store in one process, least recently used dropped first."""

    def __init__(self, runtime: StoreRuntime) -> None:
        self.runtime = runtime
        self.entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self.db_version = ""
        self.checked_at = 0.0
        self.hits = 0
        self.misses = 0
        self.derived: dict[str, tuple[tuple[int, str], Any]] = {}

    def version(self) -> tuple[int, str]:
        return (storefront_version.local_version(self.runtime.slug), self.db_version)

    async def refresh_version(self) -> None:
        """Read the shared version row, at most once a second per process."""
        now = time.monotonic()
        if now - self.checked_at < VERSION_CHECK_SECONDS:
            return
        self.checked_at = now
        self.db_version = await storefront_version.read(self.runtime.db)

    async def remember(self, name: str, compute: Callable[[], Awaitable[Any]]) -> Any:
        """A value derived from the catalogue (a filter's choices, the humour counts), kept
        until the storefront version changes: the same freshness rule as the pages, also
        for signed-in visitors, whose pages are never cached. Callers must not mutate it."""
        await self.refresh_version()
        version = self.version()
        kept = self.derived.get(name)
        if kept is not None and kept[0] == version:
            return kept[1]
        value = await compute()
        self.derived[name] = (version, value)
        return value

    def get(self, key: bytes) -> _Entry | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        if entry.expires < time.monotonic() or entry.version != self.version():
            del self.entries[key]
            return None
        self.entries.move_to_end(key)
        return entry

    def put(self, key: bytes, entry: _Entry) -> None:
        self.entries[key] = entry
        self.entries.move_to_end(key)
        while len(self.entries) > MAX_ENTRIES:
            self.entries.popitem(last=False)


def _cache_key(scope: Scope, path: str) -> bytes | None:
    """None when the request must not be served from or stored in the cache. ``path`` is
    the path the visitor asked for (before a store's catalogue renaming)."""
    if scope["method"] not in ("GET", "HEAD"):
        return None
    currency = language = b""
    for name, value in scope["headers"]:
        if name == b"authorization":
            return None
        if name == b"cookie":
            text = value.decode("latin-1")
            if any(c in text for c in PERSONAL_COOKIES):
                return None
            if CURRENCY_COOKIE in text or LANGUAGE_COOKIE in text:
                jar: SimpleCookie = SimpleCookie()
                try:
                    jar.load(text)
                except Exception:  # noqa: S112 - unreadable cookies: render normally
                    return None
                if CURRENCY_COOKIE in jar:
                    currency = jar[CURRENCY_COOKIE].value.encode("latin-1")[:8]
                if LANGUAGE_COOKIE in jar:
                    language = jar[LANGUAGE_COOKIE].value.encode("latin-1")[:8]
    return b"%s?%s#%s#%s" % (path.encode(), scope["query_string"], currency, language)


def _vary_on_encoding(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``Accept-Encoding`` added to the page's Vary (as the gzip middleware writes it)."""
    for index, (name, value) in enumerate(headers):
        if name == b"vary":
            return [*headers[:index], (name, value + b", Accept-Encoding"), *headers[index + 1 :]]
    return [*headers, (b"vary", b"Accept-Encoding")]


async def send_entry(
    scope: Scope,
    send: Send,
    entry: _Entry,
    headers: list[tuple[bytes, bytes]],
    token: bytes,
    *,
    identity_vary: bool,
) -> None:
    """Answer from a kept page with ``token`` put back. ``identity_vary`` adds the
    ``Vary: Accept-Encoding`` that the app's gzip middleware adds to an uncompressed page of
    its size, for answers that do not pass through it (the host's front)."""
    # The ETag covers the page and this visitor's token, so a 304 is always right.
    etag = f'W/"{entry.digest}-{hashlib.sha256(token).hexdigest()[:10]}"'.encode()
    headers = [*headers, (b"etag", etag)]
    if_none_match = next((v for n, v in scope["headers"] if n == b"if-none-match"), None)
    if if_none_match == etag:
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    if entry.deflated is not None and _accepts_gzip(scope):
        body = gzip_with_token(entry.pieces, entry.deflated, token)
        headers = _vary_on_encoding(headers)
        headers.append((b"content-encoding", b"gzip"))
    else:
        body = token.join(entry.pieces)
        if identity_vary and entry.deflated is not None:
            headers = _vary_on_encoding(headers)
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": entry.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


class PageCacheFront:
    """The host's outermost answer for cache hits (inside only the request id and access
    log): a kept page is sent without crossing the host's gzip and routing, the store app's
    middleware stack and the mount, which cost most of a hit's CPU. The same rules as
    PageCacheMiddleware decide what is a hit (it alone stores pages, inside StoreMiddleware,
    so everything a page needs to render is known there); the headers StoreMiddleware adds
    were kept with the page, and the visitor's CSRF cookie and token are made here.
    Anything else (a miss, a personal request, another path) goes on to the app unchanged.
    """

    def __init__(
        self, app: ASGIApp, runtimes: dict[str, StoreRuntime], only_store: str | None
    ) -> None:
        self.app = app
        self.runtimes = runtimes
        self.only = runtimes[only_store] if only_store else None

    def _runtime_for(self, path: str) -> StoreRuntime | None:
        if self.only is not None:
            return self.only
        slug, _, _ = path[1:].partition("/")
        runtime = self.runtimes.get(slug)
        # "/atelier-arome" alone is redirected by the app, never kept.
        return runtime if runtime is not None and len(path) > len(slug) + 1 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            runtime = self._runtime_for(scope["path"])
            cache = runtime.page_cache if runtime is not None else None
            if (
                cache is not None
                and runtime.settings.page_cache_seconds > 0
                and await self._answer(runtime, cache, scope, send)
            ):
                return
        await self.app(scope, receive, send)

    async def _answer(
        self, runtime: StoreRuntime, cache: PageCache, scope: Scope, send: Send
    ) -> bool:
        key = _cache_key(scope, scope["path"])
        if key is None:
            return False
        await cache.refresh_version()
        entry = cache.get(key)
        if entry is None:
            return False  # the store app renders it and PageCacheMiddleware keeps it
        cache.hits += 1
        scope.setdefault("state", {})["store_slug"] = runtime.slug  # for the access log
        seed, new = csrf_seed_of(scope)
        token = sign(runtime.secret, runtime.slug, "csrf", seed).encode()
        headers = entry.front_headers
        if new:
            headers = [*headers, (b"set-cookie", csrf_cookie(runtime, seed).encode())]
        await send_entry(scope, send, entry, headers, token, identity_vary=True)
        return True


class PageCacheMiddleware:
    """Runs inside StoreMiddleware, so the CSRF seed is known and security headers and the
    CSRF cookie are added to cached answers exactly as to rendered ones."""

    def __init__(self, app: ASGIApp, runtime: StoreRuntime) -> None:
        self.app = app
        self.runtime = runtime
        runtime.page_cache = PageCache(runtime)

    @property
    def cache(self) -> PageCache:
        # The runtime's, which the host's front reads too (tests may put a fresh one there).
        return self.runtime.page_cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.runtime.settings.page_cache_seconds <= 0:
            await self.app(scope, receive, send)
            return
        state = scope["state"]
        key = _cache_key(scope, state.get("request_path") or scope["path"])
        if key is None:
            await self.app(scope, receive, send)
            return
        await self.cache.refresh_version()
        entry = self.cache.get(key)
        if entry is not None:
            self.cache.hits += 1
            await self._answer(scope, send, entry)
            return
        self.cache.misses += 1
        await self._render_and_keep(scope, receive, send, key)

    def _token(self, scope: Scope) -> bytes:
        seed = scope["state"]["csrf_seed"]
        return sign(self.runtime.secret, self.runtime.slug, "csrf", seed).encode()

    async def _answer(self, scope: Scope, send: Send, entry: _Entry) -> None:
        await send_entry(scope, send, entry, entry.headers, self._token(scope), identity_vary=False)

    async def _render_and_keep(
        self, scope: Scope, receive: Receive, send: Send, key: bytes
    ) -> None:
        version = self.cache.version()
        start: Message | None = None
        chunks: list[bytes] = []
        keep = True
        seconds = 0

        async def capture(message: Message) -> None:
            nonlocal start, keep, seconds
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                ttl = headers.get(OPT_IN_HEADER)
                if ttl is not None:
                    del headers[OPT_IN_HEADER]
                keep = (
                    ttl is not None
                    and ttl.isdigit()
                    and message["status"] == 200
                    and "set-cookie" not in headers
                )
                if keep:
                    seconds = min(int(ttl or 0), self.runtime.settings.page_cache_seconds)
                    if "content-security-policy" not in headers:
                        # The policy this route asked for, kept with the page: a hit answered
                        # by the host's front never runs the route.
                        headers.raw.append(
                            (b"content-security-policy", policy_for(scope["state"]).encode())
                        )
                    # A copy: outer middleware (gzip) edits these headers in place as it sends.
                    start = {**message, "headers": list(message["headers"])}
            elif message["type"] == "http.response.body" and keep:
                chunks.append(message.get("body", b""))
                if sum(map(len, chunks)) > MAX_BODY:
                    keep = False
            await send(message)

        await self.app(scope, receive, capture)
        if not keep or start is None or scope["method"] != "GET":
            return
        body = b"".join(chunks).replace(self._token(scope), TOKEN_MARKER)
        pieces = body.split(TOKEN_MARKER)
        headers = [(n, v) for n, v in start["headers"] if n not in (b"content-length", b"etag")]
        self.cache.put(
            key,
            _Entry(
                status=start["status"],
                headers=headers,
                digest=hashlib.sha256(body).hexdigest()[:16],
                pieces=pieces,
                deflated=deflate_pieces(pieces),
                expires=time.monotonic() + seconds,
                version=version,
                front_headers=headers + added_headers(self.runtime, headers, None),
            ),
        )
