"""Audio Tài Lộc in Vietnamese, then switched to English from the header: home, sign-in and
cart in both languages at desktop and phone widths (screenshots in /tmp/shots-i18n)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import DESKTOP, MOBILE, assert_accessible

STORE = "/audio-tai-loc"
PRODUCT = f"{STORE}/san-pham/loa-karaoke-jbl-pasion-10"
SHOTS = Path("/tmp/shots-i18n")


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for label, size in (("desktop", DESKTOP), ("mobile", MOBILE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_vietnamese_by_default_and_english_from_the_header(page: Page):
    page.goto(f"{STORE}/")
    expect(page.locator("html")).to_have_attribute("lang", "vi-VN")
    header = page.locator(".site-header")
    expect(header.get_by_role("link", name="Đăng nhập")).to_be_visible()
    expect(header.get_by_role("link", name="Tiếng Việt")).to_have_attribute("aria-current", "true")
    assert_accessible(page)
    shoot(page, "home-vi")

    page.goto(f"{STORE}/account/signin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    expect(page.get_by_label("Mật khẩu")).to_be_visible()
    assert_accessible(page)
    shoot(page, "signin-vi")

    page.goto(PRODUCT)
    page.locator("form[action$='/cart/items'] button[type=submit]").first.click()
    expect(page.locator("[data-cart-count]").first).to_have_text("1")
    page.goto(f"{STORE}/cart")
    expect(page.get_by_role("heading", level=1)).to_have_text("Giỏ hàng của bạn")
    expect(page.locator(".cart-summary")).to_contain_text("12.500.000")
    expect(page.locator(".cart-summary")).to_contain_text("Thanh toán")
    assert_accessible(page)
    shoot(page, "cart-vi")

    # The header switch: English is remembered for the next pages (cookie on the store path).
    page.locator(".site-header").get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"/cart\?lang=en$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your cart")
    expect(page.locator(".cart-summary")).to_contain_text("₫12,500,000")
    assert_accessible(page)
    shoot(page, "cart-en")

    page.goto(f"{STORE}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".site-header").get_by_role("link", name="Sign in")).to_be_visible()
    shoot(page, "home-en")
    page.goto(f"{STORE}/account/signin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    shoot(page, "signin-en")
    assert page.console_errors == []
