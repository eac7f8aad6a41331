"""What the Audio Tài Lộc browser journeys share: the demo logins, signing in, and
screenshots at desktop and phone width (looked at by hand after a change to a page)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

STORE = "/audio-tai-loc"
CUSTOMER = ("khach@audio-tai-loc.test", "Tai-Nghe-Hi-Fi-Ban-Dem-2")
ADMIN = ("admin@audio-tai-loc.test", "Loa-Karaoke-Phong-Khach-6")


def shoot(page: Page, folder: Path, name: str) -> None:
    folder.mkdir(exist_ok=True)
    original = page.viewport_size
    for label, size in (("desktop", {"width": 1280, "height": 800}),
                        ("mobile", {"width": 390, "height": 844})):  # fmt: skip
        page.set_viewport_size(size)
        page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
    if original:
        page.set_viewport_size(original)


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto(f"{STORE}/account/signin")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form[action*='account/signin'] button[type=submit]").click()
    page.wait_for_load_state()
    assert "/account/signin" not in page.url, page.content()[:500]
