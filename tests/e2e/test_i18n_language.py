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


CUSTOMER = ("khach@audio-tai-loc.test", "Tai-Nghe-Hi-Fi-Ban-Dem-2")
# (path, what a Vietnamese reader sees, what an English reader sees): the store's own
# pages, whose words used to be written in Vietnamese in the templates.
AUDIO_PAGES = (
    (
        "home",
        "/",
        ("Sản phẩm nổi bật", "Lắp đặt và sửa chữa tận nơi"),
        ("Featured products", "Installation and repair at your place"),
    ),
    (
        "search",
        "/tim-kiem?q=loa",
        ("sản phẩm cho “loa”", "Sắp xếp", "Khoảng giá (₫)"),
        ("products for “loa”", "Sort by", "Price range (₫)"),
    ),
    (
        "product",
        "/san-pham/loa-karaoke-jbl-pasion-10",
        ("Thông số kỹ thuật", "Công suất", "Mô tả sản phẩm"),
        ("Specifications", "Power", "Product description"),
    ),
    (
        "services",
        "/services",
        ("Dịch vụ lắp đặt và bảo trì", "Thời lượng"),
        ("Installation and maintenance services", "Duration"),
    ),
    (
        "booking",
        "/services/tu-van-am-hoc",
        ("Đặt lịch: ", "1. Chọn ngày", "Xem giờ trống"),
        ("Booking: ", "1. Choose a day", "See free times"),
    ),
    (
        "support",
        "/support",
        ("Hỗ trợ khách hàng", "Gửi yêu cầu mới", "Mức ưu tiên"),
        ("Customer support", "Send a new request", "Priority"),
    ),
)


def test_audio_store_pages_in_vietnamese_by_default_and_in_english(page: Page):
    page.goto(f"{STORE}/account/signin")
    page.locator("main input[name=email]").fill(CUSTOMER[0])
    page.locator("main input[name=password]").fill(CUSTOMER[1])
    page.locator("main button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/account/signin"))
    # The signed-in page's socket says `connection:ready` first (live.js marks the page)
    expect(page.locator("html")).to_have_attribute("data-live-state", "ready")

    for name, path, vietnamese, english in AUDIO_PAGES:
        page.goto(f"{STORE}{path}")
        expect(page.locator("html")).to_have_attribute("lang", "vi-VN")
        main = page.locator("main")
        for text in vietnamese:
            expect(main).to_contain_text(text)
        for text in english:
            expect(main).not_to_contain_text(text)
        assert_accessible(page)
        shoot(page, f"audio-{name}-vi")

    page.goto(f"{STORE}/?lang=en")  # the header's switch, remembered by the cookie
    for name, path, vietnamese, english in AUDIO_PAGES:
        page.goto(f"{STORE}{path}")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        main = page.locator("main")
        for text in english:
            expect(main).to_contain_text(text)
        for text in vietnamese:
            expect(main).not_to_contain_text(text)
        assert_accessible(page)
        shoot(page, f"audio-{name}-en")

    assert page.console_errors == []

    # Messages composed in Python follow too: a refused form speaks English (its 422
    # answer is the only console line the browser writes).
    page.goto(f"{STORE}/support")
    page.locator("#subject").fill("ab")
    page.locator("#body").fill("The subwoofer hums at high volume.")
    page.locator("button[name=channel][value=ticket]").click()
    expect(page.locator("#subject-error")).to_have_text(
        "Please enter a subject (at least 3 characters)."
    )
