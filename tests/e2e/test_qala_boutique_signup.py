"""Qala one-step boutique sign-up in Chromium: from the home page's "Open a boutique account",
a form with mistakes comes back with each message next to its field and the input kept;
corrected, the buyer lands signed in on the boutique page, waiting for approval. axe on the
form; screenshots at 1280 and 390 px wide (tests/e2e/screenshots)."""

from __future__ import annotations

import secrets

from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible, screenshot

STORE = "/qala"


def test_a_boutique_opens_its_account_in_one_step(page: Page):
    page.goto(f"{STORE}/")
    page.get_by_role("link", name="Open a boutique account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open a boutique account")
    assert_accessible(page)
    screenshot(page, "qala-boutique-signup")

    # Mistakes: every one is shown at once, next to its field, and the input is kept
    page.get_by_label("Your name").fill("Layla Haddad")
    page.get_by_label("Email").fill("not-an-address")
    page.get_by_label("Password").fill("short")
    page.get_by_label("Boutique name").fill("Casa Alma")
    page.get_by_label("City").fill("Dubai")
    page.get_by_label("Website (optional)").fill("casa")
    page.get_by_role("button", name="Create account and apply").click()
    expect(page.locator("#email-error .field-error")).to_be_visible()
    expect(page.locator("#password-error .field-error")).to_be_visible()
    expect(page.locator("#country-error .field-error")).to_have_text("Choose a country.")
    expect(page.locator("#website-error .field-error")).to_be_visible()
    expect(page.get_by_label("Boutique name")).to_have_value("Casa Alma")
    expect(page.get_by_label("Password")).to_have_value("")
    assert_accessible(page)
    screenshot(page, "qala-boutique-signup-errors")

    # Corrected: signed in, on the boutique page, waiting for approval
    page.get_by_label("Email").fill(f"layla-{secrets.token_hex(3)}@casa-alma.example")
    page.get_by_label("Password").fill("Courtyard-Linen-Harbour-42")
    page.get_by_label("Website (optional)").fill("https://casa-alma.example")
    page.get_by_label("Country").select_option("AE")
    page.get_by_role("button", name="Create account and apply").click()
    expect(page.get_by_role("heading", name="Status: Waiting for approval")).to_be_visible()
    expect(page.locator("header")).to_contain_text("Layla Haddad")
