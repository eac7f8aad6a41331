"""Browser journey of the Audio Tài Lộc admin: staff create a voucher in the admin form
(with a refused attempt first: the errors show on their fields and nothing is saved), and a
customer uses it at checkout (cash on delivery). The new admin forms (voucher, promotion,
service, district, project) are opened, checked with axe and shot at 1280 and 390 px into
/tmp/shots-audioadmin."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e import audio_support
from tests.e2e.audio_support import ADMIN, CUSTOMER, STORE, sign_in
from tests.e2e.conftest import assert_accessible

SHOTS = Path("/tmp/shots-audioadmin")


def shoot(page: Page, name: str) -> None:
    audio_support.shoot(page, SHOTS, name)


def test_staff_create_a_voucher_that_a_customer_uses_at_checkout(new_context):
    admin = new_context().new_page()
    errors: list[str] = []
    admin.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(admin, *ADMIN)
    admin.goto(f"{STORE}/admin/promotions")
    admin.locator(f"a[href='{STORE}/admin/promotions/voucher/new']").click()
    admin.wait_for_url(re.compile(r"/admin/promotions/voucher/new$"))
    form = admin.locator("form[action$='/admin/promotions/voucher/new']")

    # A first attempt with a taken code and a percentage above 100 is refused on its fields
    admin.locator("#f-code").fill("LOA10")
    admin.locator("#f-kind").select_option("percent")
    admin.locator("#f-value").fill("150")
    form.locator("button[type=submit]").click()
    expect(admin.locator("#code-error")).to_be_visible()
    expect(admin.locator("#value-error")).to_be_visible()
    expect(admin.locator("#f-code")).to_have_attribute("aria-invalid", "true")
    shoot(admin, "voucher-form-errors")

    # Then a valid one: 500.000 ₫ off orders from 1.000.000 ₫, once per customer
    admin.locator("#f-code").fill("tet-am-ly")
    admin.locator("#f-description").fill("Giảm Tết cho dàn âm ly")
    admin.locator("#f-kind").select_option("fixed")
    admin.locator("#f-value").fill("500.000")
    admin.locator("#f-min_order").fill("1.000.000")
    admin.locator("#f-usage_limit").fill("5")
    admin.locator("#f-per_customer_limit").fill("1")
    admin.locator("#f-is_active").check()
    assert_accessible(admin)
    shoot(admin, "voucher-form")
    form.locator("button[type=submit]").click()
    admin.wait_for_url(re.compile(r"/admin/promotions$"))
    row = admin.locator("tr", has_text="TET-AM-LY")
    expect(row).to_contain_text("500.000")
    expect(row).to_contain_text("0 / 5")
    shoot(admin, "promotions-list")

    # The other new forms open, pass axe and are shot for review
    for path, name in (
        ("admin/promotions/promotion/new", "promotion-form"),
        ("admin/services/new", "service-form"),
        ("admin/districts/new", "district-form"),
        ("admin/services", "services-list"),
        ("admin/projects/new", "project-form"),
    ):
        admin.goto(f"{STORE}/{path}")
        expect(admin.locator("h1")).to_be_visible()
        assert_accessible(admin)
        shoot(admin, name)

    # A customer uses the code at the cart and places a cash-on-delivery order
    shopper = new_context().new_page()
    sign_in(shopper, *CUSTOMER)
    shopper.goto(f"{STORE}/san-pham/loa-karaoke-jbl-pasion-10")
    shopper.locator("form[action$='/cart/items'] button[type=submit]").first.click()
    expect(shopper.locator("[data-cart-count]").first).to_have_text("1")
    shopper.goto(f"{STORE}/cart")
    shopper.locator("#voucher-code").fill("tet-am-ly")
    shopper.locator("form.voucher-form button[type=submit]").click()
    shopper.wait_for_url(re.compile(r"/cart$"))
    expect(shopper.locator(".voucher-applied")).to_contain_text("TET-AM-LY")
    expect(shopper.locator(".voucher-applied")).to_contain_text("500.000")
    shopper.goto(f"{STORE}/checkout")
    shopper.wait_for_url(re.compile(r"/checkout/address$"))
    shopper.locator("input[name=address_id]").first.check()
    shopper.locator("form[action$='/checkout/address'] button[type=submit]").click()
    shopper.wait_for_url(re.compile(r"/checkout/shipping$"))
    shopper.locator("form[action$='/checkout/shipping'] button[type=submit]").click()
    shopper.wait_for_url(re.compile(r"/checkout/gift$"))
    shopper.locator("form[action$='/checkout/gift'] button[type=submit]").click()
    shopper.wait_for_url(re.compile(r"/checkout/review$"))
    expect(shopper.locator("main")).to_contain_text("500.000")
    shopper.locator("input[name=provider][value=cash_on_delivery]").check()
    shopper.locator("form[action$='/checkout/place'] button[type=submit]").click()
    shopper.wait_for_url(re.compile(r"/orders/ATL-\d+"))

    # The admin sees the use counted
    admin.goto(f"{STORE}/admin/promotions")
    expect(admin.locator("tr", has_text="TET-AM-LY")).to_contain_text("1 / 5")
    assert not [e for e in errors if "Content Security Policy" in e], errors
