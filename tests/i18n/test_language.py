"""Which language a request gets: the store default, ?lang= remembered in a cookie scoped to
the store path, Accept-Language for the API, and English-only stores left as they were."""

from __future__ import annotations

import pytest

from mercato.kit import i18n as kit_i18n
from mercato.web.i18n import LANGUAGE_COOKIE, parse_accept_language, store_languages

VI = "/audio-tai-loc"
AA = "/atelier-arome"


async def test_vietnamese_store_speaks_vietnamese_by_default(client):
    page = await client.get(f"{VI}/account/signin")
    assert page.status_code == 200
    assert '<html lang="vi-VN">' in page.text
    assert "Đăng nhập" in page.text and "Tạo tài khoản" in page.text
    assert ">Sign out<" not in page.text and ">Create account<" not in page.text
    assert page.headers["content-language"] == "vi"
    assert LANGUAGE_COOKIE not in page.headers.get("set-cookie", "")


async def test_lang_query_switches_and_the_cookie_sticks(client):
    page = await client.get(f"{VI}/account/signin?lang=en")
    assert '<html lang="en">' in page.text
    assert ">Create account<" in page.text and "Tạo tài khoản" not in page.text
    cookie = next(c for c in page.headers.get_list("set-cookie") if c.startswith(LANGUAGE_COOKIE))
    assert "Path=/audio-tai-loc/" in cookie and "HttpOnly" in cookie
    # No query string now: the cookie keeps English.
    again = await client.get(f"{VI}/account/signin")
    assert '<html lang="en">' in again.text and ">Create account<" in again.text
    # Switching back is remembered as well.
    back = await client.get(f"{VI}/account/signin?lang=vi")
    assert "Tạo tài khoản" in back.text
    assert "Tạo tài khoản" in (await client.get(f"{VI}/account/signin")).text


async def test_header_switch_links_keep_the_query_and_mark_the_current_language(client):
    page = await client.get(f"{VI}/account/signin?next=/audio-tai-loc/account/profile")
    assert 'hreflang="en" lang="en"' in page.text
    assert "Tiếng Việt" in page.text and ">English<" in page.text
    assert "next=%2Faudio-tai-loc%2Faccount%2Fprofile&amp;lang=en" in page.text
    assert 'lang="vi" aria-current="true"' in page.text


@pytest.mark.parametrize("value", ["fr", "xx", "", "'><script>"])
async def test_unknown_languages_fall_back_to_the_default(client, value):
    page = await client.get(f"{VI}/account/signin", params={"lang": value})
    assert page.status_code == 200
    assert '<html lang="vi-VN">' in page.text
    assert LANGUAGE_COOKIE not in page.headers.get("set-cookie", "")


async def test_a_forged_cookie_is_ignored(client):
    client.cookies.set(LANGUAGE_COOKIE, "de", domain="testserver", path="/audio-tai-loc/")
    page = await client.get(f"{VI}/account/signin")
    assert '<html lang="vi-VN">' in page.text


async def test_english_only_store_is_unchanged(client):
    page = await client.get(f"{AA}/account/signin?lang=vi")
    assert '<html lang="en">' in page.text
    assert ">Create account<" in page.text and "Tạo tài khoản" not in page.text
    assert "language-switch" not in page.text
    assert LANGUAGE_COOKIE not in page.headers.get("set-cookie", "")


async def test_api_messages_follow_accept_language(client):
    vi = await client.get(f"{VI}/api/v1/no-such-thing")
    assert vi.status_code == 404 and vi.json()["detail"] == "Không tìm thấy trang này."
    en = await client.get(
        f"{VI}/api/v1/no-such-thing", headers={"Accept-Language": "en-US,en;q=0.9,vi;q=0.5"}
    )
    assert en.json()["detail"] == "We could not find that page."
    assert en.headers["content-language"] == "en"
    assert "Accept-Language" in en.headers["vary"]
    # English-only stores answer in English whatever the header says.
    aa = await client.get(f"{AA}/api/v1/no-such-thing", headers={"Accept-Language": "vi"})
    assert aa.json()["detail"] == "We could not find that page."


def test_accept_language_parsing():
    offered = ["vi", "en"]
    assert parse_accept_language("en-GB,en;q=0.8,vi;q=0.9", offered) == "en"
    assert parse_accept_language("fr, vi;q=0.5, en;q=0.4", offered) == "vi"
    assert parse_accept_language("fr, de", offered) is None
    assert parse_accept_language("en;q=0, vi;q=0.1", offered) == "vi"
    assert parse_accept_language("en;q=abc", offered) is None
    assert parse_accept_language("", offered) is None


def test_store_languages_put_the_default_first(runtime):
    assert store_languages(runtime.config) == ["en"]


def test_python_messages_follow_the_current_language():
    assert kit_i18n.gettext("Sign in") == "Sign in"
    with kit_i18n.use_language("vi", "vi-VN"):
        assert kit_i18n.gettext("Sign in") == "Đăng nhập"
        assert kit_i18n.gettext("A sentence nobody translated.") == "A sentence nobody translated."
    assert kit_i18n.gettext("Sign in") == "Sign in"
