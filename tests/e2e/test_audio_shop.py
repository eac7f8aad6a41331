"""Browser journey of Audio Tài Lộc (Vietnamese UI): a customer searches "loa", opens a
speaker, adds it to the cart, applies the voucher LOA10 and places a cash-on-delivery
order, while the admin dashboard, open in a second browser context, shows order:created
live. Screenshots at 1280 and 390 px go to /tmp/shots-audioshop; axe-free checks stay lean."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e import audio_support
from tests.e2e.audio_support import ADMIN, CUSTOMER, STORE, sign_in

SHOTS = Path("/tmp/shots-audioshop")


def shoot(page: Page, name: str) -> None:
    audio_support.shoot(page, SHOTS, name)


def test_search_voucher_cod_order_shows_live_on_the_dashboard(new_context, server):
    # The admin's dashboard is open in its own browser context, its socket connected
    admin = new_context().new_page()
    sign_in(admin, *ADMIN)
    with admin.expect_websocket(lambda ws: ws.url.endswith(f"{STORE}/ws")):
        admin.goto(f"{STORE}/admin")
    panel = admin.locator("[data-live-orders]")
    expect(panel).to_be_visible()

    shopper = new_context().new_page()
    errors: list[str] = []
    shopper.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(shopper, *CUSTOMER)

    # Search "loa" (no diacritics needed) and open a karaoke speaker
    shopper.goto(f"{STORE}/tim-kiem")
    shopper.locator("#audio-q").fill("loa")
    shopper.locator("form.audio-search button[type=submit]").click()
    shopper.wait_for_url(re.compile(r"/tim-kiem\?q=loa"))
    expect(shopper.locator("#results-title")).to_contain_text("sản phẩm")
    shoot(shopper, "search-loa")
    shopper.locator("a.card-link", has_text="Loa karaoke JBL Pasion 10").click()
    shopper.wait_for_url(re.compile(r"/san-pham/loa-karaoke-jbl-pasion-10$"))
    expect(shopper.locator(".spec-table")).to_contain_text("Công suất")
    expect(shopper.locator(".price-now").first).to_contain_text("12.500.000")
    shoot(shopper, "product")

    # Add to cart, apply the voucher on the cart page
    shopper.locator("form[action$='/cart/items'] button[type=submit]").first.click()
    # cart.js adds without a reload: wait for the header count before leaving the page
    expect(shopper.locator("[data-cart-count]").first).to_have_text("1")
    shopper.goto(f"{STORE}/cart")
    shopper.locator("#voucher-code").fill("loa10")
    shopper.locator("form.voucher-form button[type=submit]").click()
    shopper.wait_for_url(re.compile(r"/cart$"))
    expect(shopper.locator(".voucher-applied")).to_contain_text("LOA10")
    expect(shopper.locator(".voucher-applied")).to_contain_text("1.250.000")
    expect(shopper.locator(".voucher-box")).to_contain_text("tối đa một mã giảm giá")
    shoot(shopper, "cart-voucher")

    # Checkout with the saved address, standard delivery, cash on delivery
    shopper.goto(f"{STORE}/checkout")
    shopper.wait_for_url(re.compile(r"/checkout/address$"))
    shopper.locator("input[name=address_id]").first.check()
    shopper.locator("form[action$='/checkout/address'] button[type=submit]").click()
    shopper.wait_for_url(re.compile(r"/checkout/shipping$"))
    shopper.locator("form[action$='/checkout/shipping'] button[type=submit]").click()
    shopper.wait_for_url(re.compile(r"/checkout/gift$"))
    shopper.locator("form[action$='/checkout/gift'] button[type=submit]").click()
    shopper.wait_for_url(re.compile(r"/checkout/review$"))
    expect(shopper.locator("main")).to_contain_text("1.250.000")
    shopper.locator("input[name=provider][value=cash_on_delivery]").check()
    shoot(shopper, "checkout-review")
    shopper.locator("form[action$='/checkout/place'] button[type=submit]").click()
    shopper.wait_for_url(re.compile(r"/orders/ATL-\d+"))
    number = re.search(r"/orders/(ATL-\d+)", shopper.url).group(1)
    expect(shopper.locator("main")).to_contain_text(number)
    shoot(shopper, "order-placed")

    # The dashboard shows it without a reload
    expect(panel.locator(f"[data-number='{number}']")).to_be_visible(timeout=15_000)
    shoot(admin, "admin-live-panel")
    assert not [e for e in errors if "Content Security Policy" in e], errors
