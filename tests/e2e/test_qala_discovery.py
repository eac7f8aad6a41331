"""Qala discovery journey in Chromium: home → /discover (the brand timeline scrolled by
keyboard and by its arrow button) → Maison Solène's brand page → the product carousel (arrow
buttons, keys, dots) → the 2D try-on, where keys, a drag and the sliders move the garment and
"Save image" downloads a PNG without any upload. axe on each page; screenshots at 1280 and
390 px wide (tests/e2e/screenshots and /tmp/shots-qalacat)."""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible, screenshot

STORE = "/qala"
SHOTS = Path("/tmp/shots-qalacat")


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for saved in screenshot(page, f"qala-{name}"):
        shutil.copy(saved, SHOTS / saved.name)


def _scroll_left(page: Page, selector: str) -> float:
    return page.eval_on_selector(selector, "el => el.scrollLeft")


def _wait_scrolled_past(page: Page, selector: str, position: float) -> float:
    """Smooth scrolling takes a moment; poll from Python (the page's CSP forbids the string
    evaluation wait_for_function would use)."""
    for _ in range(50):
        now = _scroll_left(page, selector)
        if now > position:
            return now
        page.wait_for_timeout(100)
    raise AssertionError(f"{selector} did not scroll past {position}")


def test_home_discover_brand_carousel_and_try_on(page: Page):
    uploads: list[str] = []
    page.on("request", lambda r: uploads.append(r.url) if r.method != "GET" else None)

    # Home: featured brands on a timeline and the new collections
    page.goto(f"{STORE}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Designer brands, direct")
    expect(page.locator(".home-featured .brand-card")).not_to_have_count(0)
    expect(page.locator(".home-collections .collection-card")).not_to_have_count(0)
    assert_accessible(page)
    shoot(page, "home")

    # Discover: the timeline scrolls with → on the focused track and with its arrow button
    page.get_by_role("link", name="Discover brands").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Independent designer brands")
    track = ".discover-timeline [data-timeline-track]"
    expect(page.locator(".discover-timeline .timeline-item")).to_have_count(8)
    assert _scroll_left(page, track) == 0
    page.focus(track)
    page.keyboard.press("ArrowRight")
    _wait_scrolled_past(page, track, 0)
    page.wait_for_timeout(600)  # let the key's smooth scroll settle before the button's
    after_key = _scroll_left(page, track)
    page.get_by_role("button", name="Scroll the timeline forward").first.click()
    _wait_scrolled_past(page, track, after_key)
    assert_accessible(page)
    shoot(page, "discover")

    # Filters: Paris-based brands only
    page.get_by_label("Location").select_option("FR")
    page.get_by_role("button", name="Show brands").click()
    expect(page.locator(".timeline-item")).to_have_count(1)
    page.get_by_role("link", name="Maison Solène").click()

    # Brand page: story, press with publication and date, collections with lookbooks
    expect(page.get_by_role("heading", level=1)).to_have_text("Maison Solène")
    expect(page.locator(".press-list")).to_contain_text("Vogue")
    expect(page.locator(".lookbook")).to_have_count(2)
    assert_accessible(page)
    shoot(page, "brand")

    # Product page: the carousel moves with the arrows, the keys and the dots
    page.get_by_role("link", name="Silk Maxi Dress").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Silk Maxi Dress")
    expect(page.locator(".size-run")).to_contain_text("M")
    carousel = page.locator("[data-carousel]")
    expect(carousel).to_have_attribute("data-current", "0")
    page.get_by_role("button", name="Next picture").click()
    expect(carousel).to_have_attribute("data-current", "1")
    page.focus("[data-carousel-track]")
    page.keyboard.press("ArrowRight")
    expect(carousel).to_have_attribute("data-current", "2")
    page.keyboard.press("ArrowLeft")
    expect(carousel).to_have_attribute("data-current", "1")
    page.get_by_role("button", name="Show picture 1").click()
    expect(carousel).to_have_attribute("data-current", "0")
    assert_accessible(page)
    shoot(page, "product")

    # 2D try-on: keys, a drag and a slider move the garment; nothing is uploaded
    page.get_by_role("link", name="Open the 2D try-on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2D try-on")
    canvas = page.locator("[data-tryon-canvas]")
    expect(canvas).to_have_attribute("data-x", "300")
    canvas.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(canvas).to_have_attribute("data-x", "330")
    page.keyboard.press("+")
    expect(canvas).to_have_attribute("data-scale", "105")
    page.keyboard.press("]")
    expect(canvas).to_have_attribute("data-rotate", "5")
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 - 60, box["y"] + box["height"] / 2 + 30, steps=4)
    page.mouse.up()
    dragged_x = int(canvas.get_attribute("data-x") or 0)
    assert dragged_x < 330
    page.get_by_label("Size").fill("150")
    expect(canvas).to_have_attribute("data-scale", "150")
    with page.expect_download() as download:
        page.get_by_role("button", name="Save image").click()
    assert download.value.suggested_filename == "maison-solene-silk-maxi-dress-try-on.png"
    assert_accessible(page)
    shoot(page, "try-on")
    assert uploads == [], uploads
    assert page.console_errors == []
