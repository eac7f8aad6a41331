"""The host's front answers page-cache hits before the store app: the same page, headers and
rules as a rendered answer, with the visitor's own CSRF cookie and token, and never for a
personal request."""

from __future__ import annotations

import re

import httpx
import pytest

from mercato.kit.security import sign
from mercato.web.middleware import StoreMiddleware
from mercato.web.page_cache import PageCache

CATALOGUE = "/atelier-arome/essences"
# Differ per answer by design (request id, the visitor's cookie and ETag) or per encoding.
PER_ANSWER = {"x-request-id", "set-cookie", "etag", "content-length", "date"}


@pytest.fixture
def cache_on(app, monkeypatch):
    """The page cache on, empty, for every store (the shared test app keeps it off)."""
    monkeypatch.setattr(app.state.settings, "page_cache_seconds", 300)
    for runtime in app.state.runtimes.values():
        monkeypatch.setattr(runtime, "page_cache", PageCache(runtime))


@pytest.fixture
def store_app_entered(monkeypatch):
    """Counts requests that reach any store app (StoreMiddleware is each one's outermost)."""
    calls = {"n": 0}
    original = StoreMiddleware.__call__

    async def counting(self, scope, receive, send):
        calls["n"] += 1
        await original(self, scope, receive, send)

    monkeypatch.setattr(StoreMiddleware, "__call__", counting)
    return calls


def _visitor(app, **headers) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers)


def _token_in(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _comparable(response: httpx.Response) -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in response.headers.multi_items() if k not in PER_ANSWER)


async def test_a_hit_never_enters_the_store_app_and_matches_the_rendered_page(
    app, runtime, cache_on, store_app_entered
):
    async with _visitor(app, **{"accept-encoding": "identity"}) as ann:
        rendered = await ann.get(CATALOGUE)
    assert store_app_entered["n"] == 1
    async with _visitor(app, **{"accept-encoding": "identity"}) as bob:
        hit = await bob.get(CATALOGUE)
    assert store_app_entered["n"] == 1, "the hit went through the store app"
    assert hit.status_code == 200
    assert runtime.page_cache.hits == 1
    # Same headers (security headers, CSP, HSTS when not development, language, caching).
    assert _comparable(hit) == _comparable(rendered)
    # Bob's page carries the token of Bob's own new cookie, not Ann's.
    bob_seed = hit.cookies["mercato_csrf"]
    assert bob_seed != rendered.cookies["mercato_csrf"]
    assert _token_in(hit.text) == sign(runtime.secret, runtime.slug, "csrf", bob_seed)
    assert hit.text.replace(_token_in(hit.text), "T") == rendered.text.replace(
        _token_in(rendered.text), "T"
    )
    # The cookie is written as the store middleware writes it.
    assert _cookie_attributes(hit) == _cookie_attributes(rendered)


def _cookie_attributes(response: httpx.Response) -> str:
    return response.headers["set-cookie"].split(";", 1)[1]


async def test_a_returning_visitor_keeps_their_cookie_and_gets_their_token(
    app, runtime, cache_on, store_app_entered
):
    async with _visitor(app) as ann:
        await ann.get(CATALOGUE)
        seed = ann.cookies["mercato_csrf"]
        again = await ann.get(CATALOGUE)
    assert store_app_entered["n"] == 1
    assert "set-cookie" not in again.headers
    assert _token_in(again.text) == sign(runtime.secret, runtime.slug, "csrf", seed)


async def test_a_gzip_hit_is_the_same_page(app, runtime, cache_on, store_app_entered):
    async with _visitor(app) as ann:
        await ann.get(CATALOGUE)
        raw = await ann.get(CATALOGUE, headers={"accept-encoding": "gzip"})
        plain = await ann.get(CATALOGUE, headers={"accept-encoding": "identity"})
    assert store_app_entered["n"] == 1
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.headers["vary"] == plain.headers["vary"]
    assert raw.text == plain.text  # httpx decompressed it


@pytest.mark.parametrize(
    "personal",
    [
        {"cookie": "mercato_session=abc"},
        {"cookie": "mercato_cart=xyz"},
        {"cookie": "mercato_flash=m"},
        {"authorization": "Bearer t"},
    ],
)
async def test_personal_requests_go_to_the_store_app(app, cache_on, store_app_entered, personal):
    async with _visitor(app) as ann:
        await ann.get(CATALOGUE)
        await ann.get(CATALOGUE, headers=personal)
    assert store_app_entered["n"] == 2


async def test_language_and_currency_are_part_of_the_key(app, cache_on, store_app_entered):
    async with _visitor(app) as ann:
        await ann.get(CATALOGUE)
        eur = await ann.get(CATALOGUE, headers={"cookie": "mercato_currency=EUR"})
        await ann.get(CATALOGUE, headers={"cookie": "mercato_currency=EUR"})
        assert store_app_entered["n"] == 2
        assert eur.status_code == 200


async def test_a_store_with_renamed_catalogue_paths_is_served_by_the_path_asked_for(
    app, cache_on, store_app_entered
):
    wholesale = app.state.runtimes["wholesale"]
    path = wholesale.path("essences")  # written as the store names it: /wholesale/products
    assert path.endswith("/products")
    async with _visitor(app) as ann:
        first = await ann.get(path)
        again = await ann.get(path)
    assert first.status_code == again.status_code == 200
    assert store_app_entered["n"] == 1
    assert wholesale.page_cache.hits == 1


async def test_the_slug_alone_and_other_stores_are_not_confused(app, cache_on, store_app_entered):
    async with _visitor(app) as ann:
        await ann.get(CATALOGUE)
        other = await ann.get("/atelier-aromeX/essences")
    assert other.status_code == 404
    assert store_app_entered["n"] == 1
