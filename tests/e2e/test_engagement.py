"""Browser journeys for accounts and engagement: newsletter double opt-in, notify-me on a
sold-out limited edition then a restock, and screenshots of the account pages, wishlist,
newsletter pages and the reviews section (flag switched on by the admin for the shot)."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.test_journeys import ADMIN, STORE, newest_email_link, sign_in, sign_up, unique_email

SOLD_OUT = "mysore-sandalwood"  # seeded with stock 0, max 1 per collector
IN_STOCK_PAGE = f"{STORE}/essences"


@pytest.fixture
def staff(new_context) -> Page:
    page = new_context().new_page()
    sign_in(page, *ADMIN)
    return page


def test_newsletter_double_opt_in_and_unsubscribe(page: Page, staff: Page):
    email = unique_email("letters")
    page.goto(f"{STORE}/")
    footer = page.locator("footer")
    footer.get_by_label("Email", exact=True).fill(email)
    footer.get_by_label("Name (optional)").fill("Inès")
    footer.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("status").first).to_contain_text("check your inbox")
    # Pending is not subscribed: the admin does not see it among the active subscribers.
    staff.goto(f"{STORE}/admin/newsletter?status=active")
    expect(staff.locator("main")).not_to_contain_text(email)
    link = newest_email_link(staff, email, "/newsletter/confirm")
    page.goto(link)
    expect(page.get_by_role("heading", name="Your subscription is confirmed")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "newsletter-confirmed-atelier-arome")
    staff.goto(f"{STORE}/admin/newsletter?status=active")
    expect(staff.locator("main")).to_contain_text(email)
    screenshot(staff, "admin-newsletter-atelier-arome")
    unsubscribe = newest_email_link(staff, email, "/newsletter/unsubscribe")
    page.goto(unsubscribe)
    expect(page.get_by_role("heading", name="Unsubscribe from our letters?")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "newsletter-unsubscribe-atelier-arome")
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    screenshot(page, "newsletter-unsubscribed-atelier-arome")
    assert not page.console_errors, page.console_errors


def _stock_change(staff: Page, product_id: str, kind: str, units: str) -> None:
    staff.goto(f"{STORE}/admin/products/{product_id}/stock")
    staff.locator(f"#kind-{kind}").check()
    staff.get_by_label("Units").fill(units)
    staff.get_by_label("Reason").fill("E2E journey: waiting list")
    staff.get_by_role("button", name="Record change").click()


def test_notify_me_then_restock_queues_the_alert_email(page: Page, staff: Page):
    email = unique_email("collector")
    sign_up(page, email)
    page.goto(f"{STORE}/essences/{SOLD_OUT}")
    form = page.locator("#notify-me")
    expect(form).to_be_visible()
    expect(form.get_by_label("Email")).to_have_value(email)  # prefilled for the customer
    expect(page.locator("main")).to_contain_text("at most 1 per collector")
    assert_accessible(page)
    screenshot(page, "notify-me-atelier-arome")
    action = form.locator("form").get_attribute("action") or ""
    product_id = re.search(r"/waitlist/(\d+)", action).group(1)
    form.get_by_role("button", name="Notify me").click()
    expect(page.locator("#notify-me")).to_contain_text("You are on the waiting list")
    _stock_change(staff, product_id, "restock", "1")
    try:
        # The worker delivers the restock event, then the email: wait for it in the outbox.
        deadline = time.monotonic() + 30
        while True:
            staff.goto(f"{STORE}/admin/emails?to={email}")
            alert = staff.locator("table tbody tr").filter(has_text="is back")
            if alert.count():
                break
            assert time.monotonic() < deadline, "no back-in-stock email in the outbox"
            staff.wait_for_timeout(300)
        alert.first.get_by_role("link").first.click()
        text = staff.locator("[data-email-text]").inner_text()
        assert f"/essences/{SOLD_OUT}" in text and "at most 1 per collector" in text
    finally:
        _stock_change(staff, product_id, "adjustment", "-1")  # sold out again for others
    assert not page.console_errors, page.console_errors


def test_account_pages_wishlist_and_reviews_look_right(page: Page, staff: Page):
    email = unique_email("account")
    sign_up(page, email, name="Clara Journey")
    page.goto(f"{STORE}/account")
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "account-overview-atelier-arome")
    # Address book: add one.
    page.goto(f"{STORE}/account/addresses/new")
    main = page.locator("main")
    main.get_by_label("First name").fill("Clara")
    main.get_by_label("Last name").fill("Whitfield")
    main.get_by_label("Street address").fill("12 Rue des Lilas")
    main.get_by_label("City").fill("Grasse")
    main.get_by_label("Postal code").fill("06130")
    main.get_by_label("Country code (e.g. US, FR, GB)").fill("FR")
    main.get_by_role("button", name="Save the address").click()
    expect(page.locator("main")).to_contain_text("12 Rue des Lilas")
    assert_accessible(page)
    screenshot(page, "account-addresses-atelier-arome")
    page.goto(f"{STORE}/account/addresses/new")
    main.get_by_role("button", name="Save the address").click()  # empty: errors shown
    expect(page.locator(".field-error").first).to_be_visible()
    screenshot(page, "account-address-errors-atelier-arome")
    page.console_errors.clear()  # the 422 of the empty form above was intended
    # Wishlist: save from the product page (ES module toggles in place), then the list.
    page.goto(IN_STOCK_PAGE)
    first = page.locator("main a[href*='/essences/']").first
    first.click()
    save = page.get_by_role("button", name="Save to wishlist")
    save.click()
    expect(page.get_by_role("button", name="Saved in your wishlist")).to_be_visible()
    page.goto(f"{STORE}/account/wishlist")
    expect(page.locator(".wishlist-card")).to_have_count(1)
    assert_accessible(page)
    screenshot(page, "wishlist-atelier-arome")
    # Reviews: the admin switches them on for the shot, then off again.
    staff.goto(f"{STORE}/admin/reviews")
    staff.get_by_label("Show reviews in the shop").check()
    staff.get_by_role("button", name="Save").click()
    try:
        page.goto(f"{STORE}/essences/{SOLD_OUT}")
        section = page.locator("#reviews")
        expect(section).to_be_visible()
        section.get_by_label("4 stars").check()
        section.get_by_label("Title (optional)").fill("A quiet marvel")
        section.get_by_label("Your review").fill("Creamy and patient; <b>lasts</b> all day.")
        section.get_by_role("button", name="Send the review").click()
        expect(page.locator("#reviews")).to_contain_text("waiting for approval")
        staff.goto(f"{STORE}/admin/reviews")
        screenshot(staff, "admin-reviews-atelier-arome")
        staff.get_by_role("button", name="Approve").first.click()
        page.goto(f"{STORE}/essences/{SOLD_OUT}")
        expect(page.locator("#reviews")).to_contain_text("A quiet marvel")
        page.locator("#reviews").scroll_into_view_if_needed()
        assert_accessible(page)
        screenshot(page, "reviews-section-atelier-arome")
    finally:
        staff.goto(f"{STORE}/admin/reviews")
        staff.get_by_label("Show reviews in the shop").uncheck()
        staff.get_by_role("button", name="Save").click()
    page.goto(f"{STORE}/essences/{SOLD_OUT}")
    expect(page.locator("#reviews")).to_have_count(0)
    assert not page.console_errors, page.console_errors
