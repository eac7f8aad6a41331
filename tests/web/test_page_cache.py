"""The anonymous page cache: served from memory with the visitor's own CSRF token, never
for personal requests, and dropped as soon as a storefront table changes."""

from __future__ import annotations

import gzip

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from mercato.kit.security import sign
from mercato.models import OutboxEvent, StoreSetting
from mercato.platform import storefront_version
from mercato.web import page_cache
from mercato.web.csrf import expected_token
from mercato.web.middleware import StoreMiddleware
from mercato.web.page_cache import PageCacheMiddleware, cacheable


@pytest.fixture
def rendered(runtime, monkeypatch):
    """A store app with one cacheable page and one that is not; counts real renders."""
    monkeypatch.setattr(runtime.settings, "page_cache_seconds", 300)
    monkeypatch.setattr(runtime, "page_cache", runtime.page_cache)
    calls = {"page": 0}

    async def page(request: Request) -> HTMLResponse:
        calls["page"] += 1
        token = expected_token(request)
        html = f'<form><input name="csrf_token" value="{token}"></form> render {calls["page"]}'
        return cacheable(HTMLResponse(html))

    async def private(request: Request) -> HTMLResponse:
        calls["page"] += 1
        return HTMLResponse("not for the cache")

    # Under the store's path, where its CSRF cookie is sent back.
    routes = [Route(runtime.path("page"), page), Route(runtime.path("private"), private)]
    app = StoreMiddleware(PageCacheMiddleware(Starlette(routes=routes), runtime), runtime)
    return app, calls


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver/atelier-arome/"
    )


async def test_second_anonymous_visit_is_served_from_memory_with_its_own_token(rendered):
    app, calls = rendered
    async with _client(app) as ann, _client(app) as bob:
        first = await ann.get("page")
        second = await bob.get("page")
        assert calls["page"] == 1
        assert "render 1" in second.text
        # Each visitor's form carries the token that matches their own CSRF cookie.
        ann_token = first.text.split('value="')[1].split('"')[0]
        bob_token = second.text.split('value="')[1].split('"')[0]
        assert ann_token != bob_token
        assert second.cookies.get("mercato_csrf") or bob.cookies.get("mercato_csrf")
        assert second.headers["content-security-policy"]
        assert "x-mercato-cache" not in second.headers


async def test_a_repeat_visit_with_the_etag_gets_304(rendered):
    app, _ = rendered
    async with _client(app) as ann:
        await ann.get("page")
        again = await ann.get("page")
        etag = again.headers["etag"]
        not_modified = await ann.get("page", headers={"if-none-match": etag})
        assert not_modified.status_code == 304
        assert not_modified.content == b""


@pytest.mark.parametrize("cookie", ["mercato_session=abc", "mercato_cart=xyz", "mercato_flash=m"])
async def test_personal_requests_are_always_rendered(rendered, cookie):
    app, calls = rendered
    async with _client(app) as ann:
        await ann.get("page")
        await ann.get("page", headers={"cookie": cookie})
        await ann.get("page", headers={"authorization": "Bearer t"})
        assert calls["page"] == 3


async def test_pages_that_do_not_opt_in_are_not_kept(rendered):
    app, calls = rendered
    async with _client(app) as ann:
        await ann.get("private")
        await ann.get("private")
        assert calls["page"] == 2


async def test_currency_choice_is_part_of_the_key(rendered):
    app, calls = rendered
    async with _client(app) as ann:
        await ann.get("page")
        await ann.get("page", headers={"cookie": "mercato_currency=EUR"})
        await ann.get("page", headers={"cookie": "mercato_currency=EUR"})
        assert calls["page"] == 2


async def test_a_committed_catalogue_change_drops_the_pages_at_once(rendered, runtime):
    app, calls = rendered
    async with _client(app) as ann:
        await ann.get("page")
        # Given a write to a storefront table, committed in a session of this store
        before = storefront_version.local_version(runtime.slug)
        async with runtime.db.session(write=True) as session:
            session.add(StoreSetting(key="announcement", value="Winter harvest is in"))
            await session.commit()
            # the same transaction queued the event that tells the other processes
            events = await session.scalars(
                select(OutboxEvent).where(OutboxEvent.event_type == storefront_version.EVENT_TYPE)
            )
            assert events.first() is not None
        assert storefront_version.local_version(runtime.slug) == before + 1
        # Then the next visit renders afresh
        again = await ann.get("page")
        assert calls["page"] == 2
        assert "render 2" in again.text


async def test_a_rolled_back_change_keeps_the_pages(rendered, runtime):
    app, calls = rendered
    async with _client(app) as ann:
        await ann.get("page")
        before = storefront_version.local_version(runtime.slug)
        async with runtime.db.session(write=True) as session:
            session.add(StoreSetting(key="announcement", value="never saved"))
            await session.flush()
            await session.rollback()
        assert storefront_version.local_version(runtime.slug) == before
        await ann.get("page")
        assert calls["page"] == 1


async def test_the_worker_bumps_the_shared_version_without_looping(runtime):
    from mercato.platform.worker import process_batch

    # Given a committed storefront change (its event is waiting in the outbox)
    async with runtime.db.session(write=True) as session:
        session.add(StoreSetting(key="tagline", value="Distilled at dawn"))
        await session.commit()
    before = await storefront_version.read(runtime.db)
    # When the worker delivers it
    await process_batch(runtime)
    # Then the shared version changed, and writing it queued no new event
    assert await storefront_version.read(runtime.db) not in ("", before)
    async with runtime.db.session(write=False) as session:
        pending = await session.scalars(
            select(OutboxEvent).where(
                OutboxEvent.event_type == storefront_version.EVENT_TYPE,
                OutboxEvent.status == "pending",
            )
        )
        assert pending.first() is None


@pytest.fixture
def large_page(runtime, monkeypatch):
    """A cacheable page big enough to be compressed, with the token in two forms."""
    monkeypatch.setattr(runtime.settings, "page_cache_seconds", 300)
    monkeypatch.setattr(runtime, "page_cache", runtime.page_cache)

    async def page(request: Request) -> HTMLResponse:
        token = expected_token(request)
        form = f'<form><input name="csrf_token" value="{token}"></form>'
        return cacheable(HTMLResponse(form + "<p>Lavender from Provence.</p>" * 60 + form))

    routes = [Route(runtime.path("page"), page)]
    return StoreMiddleware(PageCacheMiddleware(Starlette(routes=routes), runtime), runtime)


async def test_a_kept_page_is_sent_gzipped_with_the_visitors_own_token(large_page, runtime):
    def tokens(html: str) -> set[str]:
        return {part.split('"')[0] for part in html.split('value="')[1:]}

    async with _client(large_page) as ann, _client(large_page) as bob:
        rendered = await ann.get("page")
        hit = await bob.get("page")  # httpx asks for gzip and decodes the answer
        assert hit.headers["content-encoding"] == "gzip"
        assert "Accept-Encoding" in hit.headers["vary"]
        assert int(hit.headers["content-length"]) < len(hit.text) / 4
        assert hit.text.count("Lavender from Provence.") == 60
        # Both forms carry Bob's token, not Ann's, and it is the one Bob's cookie expects.
        seed = bob.cookies.get("mercato_csrf")
        assert tokens(hit.text) == {sign(runtime.secret, runtime.slug, "csrf", seed)}
        assert tokens(hit.text) != tokens(rendered.text)
        plain = await bob.get("page", headers={"accept-encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert plain.text == hit.text


@given(
    pieces=st.lists(st.binary(max_size=3000), min_size=1, max_size=6),
    token=st.binary(min_size=1, max_size=80),
)
@settings(max_examples=60, deadline=None)
def test_joined_deflate_pieces_are_one_valid_gzip_member(pieces: list[bytes], token: bytes):
    deflated = [page_cache._deflate(piece) for piece in pieces]
    packed = page_cache.gzip_with_token(pieces, deflated, token)
    assert gzip.decompress(packed) == token.join(pieces)
