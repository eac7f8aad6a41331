"""The base layout, host page and store homes: accessible markup, CSP-safe, themed."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import STORES

STATIC = Path(__file__).resolve().parents[2] / "src" / "mercato" / "web" / "static"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
# Classes other modules' templates rely on; removing one from base.css breaks their pages.
LAYOUT_CLASSES = [
    "wrap",
    "site-header",
    "header-row",
    "brand",
    "site-nav",
    "nav-link",
    "badge",
    "button",
    "button-quiet",
    "button-small",
    "button-danger",
    "link-button",
    "inline-form",
    "flash",
    "flash-success",
    "flash-info",
    "flash-warning",
    "flash-error",
    "card",
    "cards",
    "stat",
    "form",
    "form-grid",
    "field",
    "field-error",
    "hint",
    "muted",
    "stack",
    "table",
    "table-wrap",
    "pill",
    "pill-ok",
    "pill-warn",
    "pill-bad",
    "pagination",
    "hero",
    "lead",
    "error-page",
    "error-code",
    "error-list",
    "skip-link",
    "visually-hidden",
    "admin-layout",
    "admin-nav",
]


def assert_csp_safe(html: str) -> None:
    assert not INLINE_SCRIPT.search(html), "inline <script> (blocked by the CSP)"
    assert not re.search(r"\sstyle=", html), "style= attribute (blocked by the CSP)"
    assert "<style" not in html, "inline <style> (blocked by the CSP)"


def test_base_css_defines_every_layout_class():
    css = (STATIC / "base.css").read_text(encoding="utf-8")
    missing = [c for c in LAYOUT_CLASSES if not re.search(rf"\.{re.escape(c)}(?![\w-])", css)]
    assert not missing, f"base.css lacks {missing}"


def test_base_css_uses_theme_tokens_and_no_web_fonts():
    css = (STATIC / "base.css").read_text(encoding="utf-8")
    for token in (
        "--primary",
        "--on-primary",
        "--bg",
        "--surface",
        "--text",
        "--muted",
        "--font-heading",
        "--font-body",
        "--radius",
        "--heading-case",
    ):
        assert f"var({token})" in css, token
    assert "@font-face" not in css and "@import" not in css
    assert "prefers-reduced-motion" in css and ":focus-visible" in css


async def test_host_page_lists_every_store(client):
    # When the host page is requested
    response = await client.get("/")
    # Then every store is listed with a link, logo and tagline
    assert response.status_code == 200
    html = response.text
    for slug in STORES:
        assert f'href="/{slug}/"' in html
        assert f'src="/{slug}/logo.svg"' in html
    assert "Audio Tài Lộc" in html and "Paikari Wholesale" in html
    assert_csp_safe(html)
    assert (await client.get("/static/host.css")).status_code == 200


@pytest.mark.parametrize("slug", STORES)
async def test_store_home_is_themed_and_invites_sign_up(client, slug):
    # When a visitor opens a store's home page
    response = await client.get(f"/{slug}/")
    # Then it is that store's page with its stylesheet, logo and sign-up / sign-in links
    assert response.status_code == 200
    html = response.text
    assert f'href="/{slug}/theme.css"' in html
    assert f'href="/{slug}/static/base.css"' in html
    assert f'<meta name="mercato-store-path" content="/{slug}/">' in html
    assert html.count('name="mercato-store-path"') == 1
    assert f'href="/{slug}/account/signup"' in html
    assert f'href="/{slug}/account/signin"' in html
    assert 'class="skip-link" href="#main"' in html and 'id="main"' in html
    assert_csp_safe(html)


@pytest.mark.parametrize("slug", STORES)
async def test_theme_css_carries_the_store_tokens(client, slug):
    response = await client.get(f"/{slug}/theme.css")
    assert response.status_code == 200
    assert "--primary:" in response.text and "--heading-case:" in response.text


async def test_store_html_lang_follows_the_store_locale(client):
    html = (await client.get("/audio-tai-loc/")).text
    assert '<html lang="vi-VN">' in html


# Templates read the request's path (the footer's "next" field); a stand-in is enough here.
PAGE_REQUEST = SimpleNamespace(url=SimpleNamespace(path="/atelier-arome/"))


def test_announcement_is_shown_above_the_header(runtime):
    # Given a page rendered with an announcement in its context
    html = runtime.templates.get_template("site/home.html").render(
        announcement="Closed on Sunday for inventory.",
        current_user=None,
        csrf_token="",
        flash=None,
        request=PAGE_REQUEST,
    )
    # Then the banner appears before the site header
    assert "Closed on Sunday for inventory." in html
    assert html.index('class="announcement"') < html.index('class="site-header"')


def test_no_announcement_banner_by_default(runtime):
    html = runtime.templates.get_template("site/home.html").render(
        current_user=None, flash=None, request=PAGE_REQUEST
    )
    assert 'class="announcement"' not in html
