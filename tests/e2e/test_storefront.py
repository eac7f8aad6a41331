"""Storefront journey in Chromium: home → filter the catalogue → search → product page,
with axe checks on each page and screenshots at desktop and phone widths."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible, screenshot

STORE = "/atelier-arome"


def test_browse_filter_search_and_open_an_essence(page: Page):
    # The home: folio hero, featured essences, the four humours, the letter, the alchemy
    page.goto(f"{STORE}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Atelier Arôme")
    expect(page.locator(".humour-card")).to_have_count(4)
    expect(page.locator(".testimonial-illuminated")).to_contain_text("Isabelle Moreau")
    expect(page.locator(".alchemy-step")).to_have_count(4)
    assert_accessible(page)
    screenshot(page, "storefront-home")

    # A humour from the home, then the filter form (a plain GET form)
    page.locator(".humour-card", has_text="Grounding").get_by_role("link").click()
    expect(page).to_have_url(f"{page.url.split(STORE)[0]}{STORE}/humours/grounding")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Grounding")
    page.get_by_label("In stock only").check()
    page.get_by_label("Order").select_option("price_asc")
    page.get_by_role("button", name="Show essences").click()
    expect(page.locator(".product-card")).not_to_have_count(0)
    expect(page.locator(".product-card", has_text="Mysore Sandalwood")).to_have_count(0)
    prices = page.locator(".product-card .price-now").all_inner_texts()
    assert prices == sorted(prices, key=lambda p: float(p.strip("$").replace(",", "")))
    assert_accessible(page)
    screenshot(page, "storefront-catalogue-filtered")

    # Search by latin name, then a search with query syntax that finds nothing
    page.goto(f"{STORE}/essences")
    page.get_by_label("Search the folio").fill("Citrus bergamia")
    page.get_by_role("button", name="Show essences").click()
    expect(page.locator(".product-card").first).to_contain_text("Calabrian Bergamot")
    page.get_by_label("Search the folio").fill('NEAR("mandrake"')
    page.get_by_role("button", name="Show essences").click()
    expect(page.get_by_text("No essences found")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "storefront-search-empty")

    # The product page: botanical record, folio numeral, stock, kindred essences
    page.goto(f"{STORE}/essences")
    page.get_by_role("link", name="Provence Lavender").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Provence Lavender")
    expect(page.locator(".latin-large")).to_have_text("Lavandula × intermedia")
    expect(page.locator(".folio-line")).to_contain_text("Folio I")
    expect(page.locator(".stock-line")).to_contain_text("In stock")
    expect(page.locator(".related .product-card")).not_to_have_count(0)
    image = page.locator(".product-image")
    assert image.get_attribute("width") and image.get_attribute("height")
    assert "webp" in (image.get_attribute("srcset") or "")
    assert_accessible(page)
    screenshot(page, "storefront-product")
    assert page.console_errors == []


def test_sold_out_essence_and_a_content_page(page: Page):
    page.goto(f"{STORE}/essences/mysore-sandalwood")
    expect(page.locator(".stock-line")).to_contain_text("Sold out")
    assert_accessible(page)
    screenshot(page, "storefront-product-sold-out")
    page.goto(f"{STORE}/")
    page.locator(".footer-links").get_by_role("link", name="Shipping").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Shipping")
    expect(page.locator(".prose table")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "storefront-page-shipping")
    assert page.console_errors == []
