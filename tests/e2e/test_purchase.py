"""Browser journeys across the whole shop (issue 3's "must hold"): a guest buys two essences
with a gift message and the sandbox card, the worker confirms the payment from the signed
webhook, the confirmation email is in the outbox, staff ship it with tracking and the
guest's order page shows the parcel link; a customer shops and pays in euros."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible, screenshot

STORE = "/atelier-arome"
ADMIN = ("admin@atelier-arome.test", "Lavender-Distillery-42")
SHOPPER = ("shopper@atelier-arome.test", "Neroli-Morning-Walk-7")
# Essences that no other journey changes or sells out.
FIRST, SECOND = "tasmanian-eucalyptus", "himalayan-cedarwood"


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto(f"{STORE}/account/signin")
    page.locator("main #email").fill(email)
    page.locator("main #password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def add_to_cart(page: Page, slug: str) -> None:
    page.goto(f"{STORE}/essences/{slug}")
    page.get_by_role("button", name="Add to cart").click()
    page.locator("[data-cart-drawer]").wait_for(state="visible")


def pay_with_sandbox_card(page: Page) -> None:
    expect(page.get_by_role("heading", name=re.compile(r"^Pay "))).to_be_visible()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()


def test_guest_buys_two_essences_as_a_gift_and_follows_the_parcel(page: Page, new_context):
    add_to_cart(page, FIRST)
    add_to_cart(page, SECOND)
    expect(page.locator("[data-cart-count]").first).to_have_text("2")

    page.goto(f"{STORE}/checkout")
    page.get_by_label("Email for order updates").fill("gift.buyer@example.test")
    page.get_by_label("First name").fill("Amélie")
    page.get_by_label("Last name").fill("Durand")
    page.get_by_label("Address", exact=True).fill("48 Marylebone High Street")
    page.get_by_label("City").fill("London")
    page.get_by_label("Postal code").fill("W1U 5HL")
    page.get_by_label("Country").select_option("GB")
    page.get_by_role("button", name="Continue to delivery").click()
    page.get_by_role("button", name="Continue to gift options").click()
    page.get_by_label(re.compile("Gift message")).fill("Happy birthday, Maman. Breathe deeply.")
    page.get_by_role("button", name="Review your order").click()
    expect(page.get_by_text("Happy birthday, Maman. Breathe deeply.")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    pay_with_sandbox_card(page)

    # Paid only once the outbox worker has delivered the sandbox's signed webhook.
    expect(page.get_by_text("Confirmed", exact=True).first).to_be_visible(timeout=20_000)
    number = page.get_by_role("heading", level=1).inner_text().strip()
    assert re.fullmatch(r"AA-\d{6}", number), number
    order_url = page.url  # the guest's link, with its access key
    expect(page.get_by_text("Tasmanian Eucalyptus")).to_be_visible()
    expect(page.get_by_text("Himalayan Cedarwood")).to_be_visible()
    expect(page.get_by_text("Happy birthday, Maman. Breathe deeply.")).to_be_visible()

    # Staff: the confirmation email is in the outbox, then ship with tracking.
    admin = new_context().new_page()
    sign_in(admin, *ADMIN)
    admin.goto(f"{STORE}/admin/emails?to=gift.buyer@example.test")
    expect(admin.get_by_role("link", name=f"Your order {number} is confirmed")).to_be_visible()
    admin.goto(f"{STORE}/admin/orders/{number}")
    admin.get_by_role("button", name="Start preparing").click()
    admin.get_by_label("Tracking number").fill("RM123456789GB")
    admin.get_by_label("Tracking link").fill("https://track.example.test/RM123456789GB")
    admin.get_by_role("button", name="Mark shipped").click()
    expect(admin.locator(".order-status").first).to_have_text("Shipped")
    admin.goto(f"{STORE}/admin/emails?to=gift.buyer@example.test")
    expect(admin.get_by_role("link", name=f"Your order {number} is on its way")).to_be_visible()

    # The guest's order page shows the parcel.
    page.goto(order_url)
    expect(page.get_by_text("Shipped", exact=True).first).to_be_visible()
    expect(page.get_by_role("link", name="RM123456789GB")).to_have_attribute(
        "href", "https://track.example.test/RM123456789GB"
    )
    assert_accessible(page)
    screenshot(page, "order-shipped-guest")
    assert not page.console_errors, page.console_errors


def test_customer_switches_to_euros_and_pays_in_euros(page: Page):
    sign_in(page, *SHOPPER)
    page.goto(f"{STORE}/essences/{FIRST}")
    page.locator("#currency-select").select_option("EUR")
    page.get_by_role("button", name="Change currency").click()
    expect(page.locator(".price-now").first).to_contain_text("€")
    page.get_by_role("button", name="Add to cart").click()
    page.locator("[data-cart-drawer]").wait_for(state="visible")

    page.goto(f"{STORE}/checkout")
    page.wait_for_url(re.compile(r"/checkout/address$"))
    if page.locator("input[name=address_id]").count():
        page.locator("input[name=address_id]").first.check()
    page.get_by_role("button", name="Continue to delivery").click()
    page.get_by_role("button", name="Continue to gift options").click()
    page.get_by_role("button", name="Review your order").click()
    pay = page.get_by_role("button", name=re.compile(r"^Pay "))
    expect(pay).to_contain_text("€")
    screenshot(page, "checkout-review-eur")
    pay.click()
    expect(page.get_by_role("heading", name=re.compile(r"^Pay .*€"))).to_be_visible()
    pay_with_sandbox_card(page)

    expect(page.get_by_text("Confirmed", exact=True).first).to_be_visible(timeout=20_000)
    expect(page.locator("main")).to_contain_text("€")  # charged and shown in euros
    assert_accessible(page)
    screenshot(page, "order-confirmed-eur")
    assert not page.console_errors, page.console_errors
