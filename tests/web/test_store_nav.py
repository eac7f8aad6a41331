"""Header links come from store.toml ([[nav]]), labelled in the request's language."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mercato.platform.stores import NavLink


async def test_header_links_follow_the_language(client):
    vi = await client.get("/audio-tai-loc/account/signin")
    assert '<a class="nav-link" href="/audio-tai-loc/services">Dịch vụ</a>' in vi.text
    assert '<a class="nav-link" href="/audio-tai-loc/tim-kiem">Sản phẩm</a>' in vi.text
    en = await client.get("/audio-tai-loc/account/signin?lang=en")
    assert '<a class="nav-link" href="/audio-tai-loc/services">Services</a>' in en.text
    assert '<a class="nav-link" href="/audio-tai-loc/blog">Blog</a>' in en.text


async def test_a_store_without_links_has_none(client):
    page = await client.get("/atelier-arome/account/signin")
    assert 'href="/audio-tai-loc/' not in page.text
    assert 'href="/wholesale/wholesale/quotes"' not in page.text


@pytest.mark.parametrize("path", ["https://evil.example/", "/admin", "//evil.example"])
def test_a_header_link_stays_inside_the_store(path: str) -> None:
    with pytest.raises(ValidationError):
        NavLink(path=path, label="x")


def test_a_label_falls_back_to_the_first_language() -> None:
    link = NavLink(path="services", label={"vi": "Dịch vụ", "en": "Services"})
    assert link.label_in("en") == "Services"
    assert link.label_in("fr") == "Dịch vụ"
    assert NavLink(path="blog", label="Blog").label_in("vi") == "Blog"
