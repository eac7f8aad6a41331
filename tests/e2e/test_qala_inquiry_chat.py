"""Qala inquiries and live chat with two browser contexts, a boutique buyer and a brand user:

1. the buyer adds "size M, quantity 10, add longer sleeves" from a product page and sends the
   inquiry → the brand's open dashboard shows it without reload → the brand quotes → the
   buyer's open inquiry turns "Quoted" without reload → the buyer accepts;
2. the buyer writes "Do you ship to Dubai?" → it appears in the brand's open inbox without
   reload → the brand opens it (the buyer sees "Read") and answers → the buyer sees the
   answer live.

axe on every page; screenshots at 1280 and 390 px (tests/e2e/screenshots, /tmp/shots-qalatalk).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible, screenshot

STORE = "/qala"
SHOTS = Path("/tmp/shots-qalatalk")
BUYER = ("buyer@qala.test", "Boutique-Window-Season-8")
BRAND = ("brand@qala.test", "Atelier-Silk-Courtyard-12")
PRODUCT = "maison-solene-bias-slip-dress"
LIVE = 15_000  # ms: the worker polls every 0.2 s in the journeys' server


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for saved in screenshot(page, f"qala-talk-{name}"):
        shutil.copy(saved, SHOTS / saved.name)


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto(f"{STORE}/account/signin")
    page.locator("main input[name=email]").fill(email)
    page.locator("main input[name=password]").fill(password)
    page.locator("main form button[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/account/signin"))


def watch_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_inquiry_and_chat_between_a_buyer_and_a_brand_live(new_context):
    buyer = new_context().new_page()
    brand = new_context().new_page()
    buyer_errors, brand_errors = watch_errors(buyer), watch_errors(brand)
    sign_in(buyer, *BUYER)
    sign_in(brand, *BRAND)

    # The brand keeps its inquiries dashboard open
    brand.goto(f"{STORE}/brand/inquiries")
    expect(brand.get_by_role("heading", name="Inquiries", exact=True)).to_be_visible()
    brand.wait_for_timeout(500)  # the live socket opens

    # 1. The buyer adds size M, quantity 10, "Add longer sleeves" from the product page
    buyer.goto(f"{STORE}/products/{PRODUCT}")
    form = buyer.locator("form.inquiry-add")
    form.get_by_label("Size").select_option("M")
    form.get_by_label("Quantity").fill("10")
    form.get_by_label("Customisation request").fill("Add longer sleeves")
    assert_accessible(buyer)
    shoot(buyer, "product-add-to-inquiry")
    form.get_by_role("button", name="Add to inquiry").click()
    expect(buyer).to_have_url(re.compile(r"/inquiry-list$"))
    expect(buyer.get_by_role("cell", name="Add longer sleeves")).to_be_visible()
    assert_accessible(buyer)
    shoot(buyer, "inquiry-list")
    buyer.get_by_label("A note for the brands").fill("For our spring window in Stockholm.")
    buyer.get_by_role("button", name="Send inquiry").click()
    expect(buyer.get_by_role("heading", name="Your inquiry was sent")).to_be_visible()
    number = buyer.locator("main a strong").first.inner_text()
    assert re.fullmatch(r"INQ-\d{6,8}", number), number
    assert_accessible(buyer)
    shoot(buyer, "inquiry-sent")

    # The brand's open dashboard shows it without a reload
    row = brand.locator(f'tr[data-inquiry="{number}"]')
    expect(row).to_be_visible(timeout=LIVE)
    expect(row).to_contain_text("Pending")
    assert_accessible(brand)
    shoot(brand, "brand-inquiries")

    # The buyer opens the inquiry and keeps it open
    buyer.goto(f"{STORE}/inquiries/{number}")
    expect(buyer.locator("[data-inquiry-status]")).to_have_text("Awaiting the brand's answer")
    buyer.wait_for_timeout(500)

    # The brand quotes: available, $310.00 a piece, 35 days
    row.get_by_role("link", name=number).click()
    expect(brand.get_by_role("heading", name=f"Inquiry {number}")).to_be_visible()
    brand.locator("input[name^=price_]").fill("310.00")
    brand.locator("input[name^=lead_]").fill("35")
    brand.locator("input[name^=note_]").fill("Longer sleeves add ten days.")
    assert_accessible(brand)
    shoot(brand, "brand-quote-form")
    brand.get_by_role("button", name="Send quote").click()
    expect(brand.locator(".flash")).to_contain_text("Quote sent")

    # The buyer's open inquiry turns "Quoted" without a reload, and the buyer accepts
    expect(buyer.locator("[data-inquiry-status]")).to_have_text("Quoted", timeout=LIVE)
    expect(buyer.get_by_text("$3,100.00")).to_be_visible()
    buyer.get_by_role("button", name="Accept quote").click()
    expect(buyer.locator("[data-inquiry-status]")).to_have_text("Accepted")
    expect(buyer.locator(".timeline li")).to_have_count(3)
    expect(buyer.get_by_role("link", name=re.compile("order confirmation"))).to_be_visible()
    assert_accessible(buyer)
    shoot(buyer, "inquiry-accepted")

    # 2. The brand keeps its inbox open; the buyer writes from the brand page
    brand.goto(f"{STORE}/brand/inbox")
    expect(brand.get_by_role("heading", name="Inbox")).to_be_visible()
    brand.wait_for_timeout(500)
    buyer.goto(f"{STORE}/brands/maison-solene")
    buyer.get_by_role("button", name="Message Maison Solène").first.click()
    expect(buyer.get_by_role("heading", name="Maison Solène", level=1)).to_be_visible()
    buyer.get_by_role("textbox", name="Message", exact=True).fill("Do you ship to Dubai?")
    buyer.get_by_role("button", name="Send").click()
    mine = buyer.locator(".message.is-mine").last
    expect(mine).to_contain_text("Do you ship to Dubai?")
    expect(mine.locator("[data-receipt]")).to_have_text("Sent")

    # It appears in the brand's open inbox without a reload
    entry = brand.locator(".inbox-row", has_text="Do you ship to Dubai?")
    expect(entry).to_be_visible(timeout=LIVE)
    expect(entry.locator(".badge")).to_be_visible()
    assert_accessible(brand)
    shoot(brand, "brand-inbox")

    # The brand opens it: the buyer sees "Read"; the brand answers and the buyer sees it live
    entry.locator("a").click()
    expect(brand.get_by_text("Do you ship to Dubai?")).to_be_visible()
    expect(mine.locator("[data-receipt]")).to_have_text("Read", timeout=LIVE)
    brand.get_by_role("textbox", name="Message", exact=True).fill(
        "Yes, DHL Express to Dubai in 4 working days."
    )
    brand.get_by_role("button", name="Send").click()
    expect(brand.locator(".message.is-mine").last).to_contain_text("DHL Express")
    answer = buyer.locator(".message:not(.is-mine)").last
    expect(answer).to_contain_text("DHL Express to Dubai", timeout=LIVE)
    # The buyer's page was visible, so the answer is marked read and the brand sees "Read"
    expect(brand.locator(".message.is-mine [data-receipt]").last).to_have_text("Read", timeout=LIVE)
    assert_accessible(buyer)
    shoot(buyer, "conversation")
    assert_accessible(brand)
    shoot(brand, "brand-conversation")

    assert buyer_errors == [] and brand_errors == [], (buyer_errors, brand_errors)
