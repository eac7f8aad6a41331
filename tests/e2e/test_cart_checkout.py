"""Browser journey: add to cart through the drawer without a reload, then check out as a
guest up to the payment provider's page; screenshots of each step at desktop and 390 px."""

from __future__ import annotations

import json
import re

from tests.e2e.conftest import screenshot

STORE = "/atelier-arome"


def _first_product(page) -> dict:
    response = page.request.get(f"{STORE}/api/v1/products?per_page=50")
    assert response.ok, response.text()
    items = json.loads(response.text())["items"]
    return next(i for i in items if i.get("in_stock", True))


def test_guest_adds_to_cart_in_the_drawer_and_checks_out(page, server):
    product = _first_product(page)
    page.goto(f"{STORE}/essences/{product['slug']}")
    marker = page.evaluate("() => (window.__noReload = Math.random())")
    page.get_by_role("button", name="Add to cart").click()
    drawer = page.locator("[data-cart-drawer]")
    drawer.wait_for(state="visible")
    assert product["name"] in drawer.inner_text()
    assert page.locator("[data-cart-count]").first.inner_text() == "1"
    assert page.evaluate("() => window.__noReload") == marker  # no reload happened
    screenshot(page, "cart-drawer")
    # A modal dialog: Tab cycles inside it, Escape closes it and gives focus back.
    assert drawer.get_attribute("role") == "dialog"
    inside = "() => document.querySelector('[data-cart-drawer]').contains(document.activeElement)"
    for key in ["Tab"] * 8 + ["Shift+Tab"] * 8:
        page.keyboard.press(key)
        assert page.evaluate(inside), f"focus left the cart drawer after {key}"
    page.keyboard.press("Escape")
    drawer.wait_for(state="hidden")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Add to cart"
    page.locator("[data-cart-open]").first.click()
    drawer.wait_for(state="visible")
    page.locator("[data-cart-drawer] a", has_text="View cart").click()
    page.wait_for_url(re.compile(r"/cart$"))
    screenshot(page, "cart-page")

    page.goto(f"{STORE}/checkout")
    page.wait_for_url(re.compile(r"/checkout/address$"))
    page.get_by_label("Email for order updates").fill("guest.journey@example.test")
    page.get_by_label("First name").fill("Clara")
    page.get_by_label("Last name").fill("Whitfield")
    page.get_by_label("Address", exact=True).fill("12 Hudson Street")
    page.get_by_label("City").fill("New York")
    page.get_by_label("State, county or region").fill("NY")
    page.get_by_label("Postal code").fill("10013")
    page.get_by_label("Country").select_option("US")
    screenshot(page, "checkout-address")
    page.get_by_role("button", name="Continue to delivery").click()
    page.wait_for_url(re.compile(r"/checkout/shipping$"))
    screenshot(page, "checkout-shipping")
    page.get_by_role("button", name="Continue to gift options").click()
    page.wait_for_url(re.compile(r"/checkout/gift$"))
    page.get_by_label(re.compile("Gift wrapping")).check()
    page.get_by_label(re.compile("Gift message")).fill("With love, from Grasse.")
    screenshot(page, "checkout-gift")
    page.get_by_role("button", name="Review your order").click()
    page.wait_for_url(re.compile(r"/checkout/review$"))
    assert "Sales tax (New York)" in page.content()
    screenshot(page, "checkout-review")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    page.wait_for_load_state()
    assert "/checkout" not in page.url, page.url
    screenshot(page, "checkout-payment")
    assert not page.console_errors, page.console_errors
