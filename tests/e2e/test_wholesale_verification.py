"""Browser journey of business verification in the wholesale store (issue 4): a new
business signs up, sees no prices, registers with its TIN and trade licence upload and
submits; the admin asks for more information; the buyer reads the request and re-submits;
the admin approves; the buyer now sees the wholesale price on the product page. Screenshots
at desktop and phone widths, checked by axe."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible, screenshot

STORE = "/wholesale"
ADMIN = ("admin@wholesale.test", "Dhaka-Warehouse-Ledger-9")
BUYER = ("purchase@meghna-traders.com.bd", "Meghna-River-Cargo-73", "Rafiq Islam")
PRODUCT = f"{STORE}/products/jamdani-cotton-orna"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _sign_in(page: Page, email: str, password: str) -> None:
    page.goto(f"{STORE}/account/signin")
    page.locator("main input[name=email]").fill(email)
    page.locator("main input[name=password]").fill(password)
    page.locator("main button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/account/signin"))


def _admin_decides(new_context, company: str, button: str, reason: str = "") -> None:
    admin = new_context().new_page()
    _sign_in(admin, *ADMIN)
    admin.goto(f"{STORE}/admin/b2b/verifications")
    admin.get_by_role("link", name=company).click()
    if reason:
        admin.get_by_label("What do you need from them?", exact=True).fill(reason)
    admin.get_by_role("button", name=button).click()
    expect(admin.locator(".flash")).to_contain_text(company)
    assert_accessible(admin)
    admin.context.close()


def test_a_business_registers_is_asked_for_more_and_is_approved(page: Page, new_context) -> None:
    # A new account sees the catalogue without prices and is pointed to verification
    page.goto(f"{STORE}/account/signup")
    page.locator("main input[name=name]").fill(BUYER[2])
    page.locator("main input[name=email]").fill(BUYER[0])
    page.locator("main input[name=password]").fill(BUYER[1])
    page.locator("main button[type=submit]").click()
    page.goto(PRODUCT)
    expect(page.locator(".product-summary .price")).to_contain_text(
        "Wholesale price for verified businesses"
    )
    expect(page.locator("main")).not_to_contain_text("145.00")
    page.get_by_role("link", name="Verify your business").first.click()

    # Details, then the trade licence, then submit
    page.get_by_label("Company name", exact=True).fill("Meghna Traders")
    page.get_by_label("Contact person", exact=True).fill(BUYER[2])
    page.get_by_label("Phone", exact=True).fill("+8801712345678")
    page.get_by_label("Email", exact=True).fill(BUYER[0])
    page.get_by_label("Address", exact=True).fill("12 Sadarghat Road")
    page.get_by_label("City", exact=True).fill("Dhaka")
    page.get_by_label("TIN (12 digits)", exact=True).fill("734512908876")
    page.get_by_label("Trade licence number", exact=True).fill("TRAD/DSCC/073311/2025")
    page.get_by_role("button", name="Save details").click()
    expect(page.locator(".flash")).to_contain_text("Saved")
    page.get_by_label("Document", exact=True).select_option("trade_license")
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "trade-licence.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("link", name="trade-licence.pdf")).to_be_visible()
    page.get_by_role("button", name="Submit for verification").click()
    expect(page.locator(".b2b-status")).to_contain_text("Waiting for review")
    assert_accessible(page)
    screenshot(page, "wholesale-verify-pending")

    # The admin asks for more; the buyer reads the request and re-submits
    _admin_decides(
        new_context, "Meghna Traders", "Ask for more information", "Please add the TIN certificate."
    )
    page.goto(f"{STORE}/verify")
    expect(page.locator(".b2b-reason")).to_have_text("Please add the TIN certificate.")
    page.get_by_label("Document", exact=True).select_option("tin_certificate")
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "tin.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Upload").click()
    page.get_by_role("button", name="Submit for verification").click()
    expect(page.locator(".b2b-status")).to_contain_text("Waiting for review")

    # Approved: the wholesale price appears
    _admin_decides(new_context, "Meghna Traders", "Approve")
    page.goto(f"{STORE}/verify")
    expect(page.locator(".b2b-status")).to_contain_text("Verified")
    page.goto(PRODUCT)
    expect(page.locator(".product-summary .price")).to_contain_text("145.00")
    assert_accessible(page)
    screenshot(page, "wholesale-product-verified")
    assert page.console_errors == []
