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
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercato.kit.security import sign
from mercato.platform import storefront_version

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


def _cache_key(scope: Scope) -> bytes | None:
    """None when the request must not be served from or stored in the cache."""
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
    return b"%s?%s#%s#%s" % (scope["path"].encode(), scope["query_string"], currency, language)


class PageCacheMiddleware:
    """Runs inside StoreMiddleware, so the CSRF seed is known and security headers and the
    CSRF cookie are added to cached answers exactly as to rendered ones."""

    def __init__(self, app: ASGIApp, runtime: StoreRuntime) -> None:
        self.app = app
        self.runtime = runtime
        self.cache = PageCache(runtime)
        runtime.page_cache = self.cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.runtime.settings.page_cache_seconds <= 0:
            await self.app(scope, receive, send)
            return
        key = _cache_key(scope)
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
        token = self._token(scope)
        # The ETag covers the page and this visitor's token, so a 304 is always right.
        etag = f'W/"{entry.digest}-{hashlib.sha256(token).hexdigest()[:10]}"'.encode()
        headers = [*entry.headers, (b"etag", etag)]
        if_none_match = next((v for n, v in scope["headers"] if n == b"if-none-match"), None)
        if if_none_match == etag:
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        if entry.deflated is not None and _accepts_gzip(scope):
            body = gzip_with_token(entry.pieces, entry.deflated, token)
            headers += [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]
        else:
            body = token.join(entry.pieces)
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": entry.status, "headers": headers})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )

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
            ),
        )
