"""Browser journeys through the real server in Chromium (DESIGN.md §8).

Run in Atelier Arôme unless noted. Emails are read from the admin's email outbox in a
separate browser context, the way a support person would, never from the database.
"""

from __future__ import annotations

import re
import time
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import STORES
from tests.e2e.conftest import assert_accessible, screenshot

STORE = "/atelier-arome"
ADMIN = ("admin@atelier-arome.test", "Lavender-Distillery-42")
PASSWORD = "Copper-Still-Rosemary-77"


def unique_email(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}@example.com"


def nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto(f"{STORE}/account/signin")
    page.locator("main").get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(nav(page).get_by_role("link", name="Sign in", exact=True)).to_be_visible()


def sign_up(page: Page, email: str, name: str = "Journey Tester") -> None:
    page.goto(f"{STORE}/account/signup")
    page.get_by_label("Your name").fill(name)
    page.locator("main").get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def newest_email_link(admin: Page, to: str, path_part: str, timeout: float = 20) -> str:
    """Open the newest email to ``to`` in the admin outbox and return the link in its text."""
    deadline = time.monotonic() + timeout
    while True:
        admin.goto(f"{STORE}/admin/emails?to={to}")
        rows = admin.locator("table tbody tr")
        if rows.count():  # the worker renders emails from the outbox a moment after commit
            break
        assert time.monotonic() < deadline, f"no email to {to} in the outbox"
        admin.wait_for_timeout(300)
    rows.first.get_by_role("link").click()
    text = admin.locator("[data-email-text]").inner_text()
    match = re.search(rf"https?://\S+{re.escape(path_part)}\S*", text)
    assert match, f"no {path_part} link in the email:\n{text}"
    return match.group(0)


@pytest.fixture
def admin(new_context) -> Page:
    page = new_context().new_page()
    sign_in(page, *ADMIN)
    return page


def test_sign_up_verify_sign_in_sign_out(page: Page, admin: Page):
    # Given a visitor who creates an account
    email = unique_email("signup")
    sign_up(page, email)
    assert_accessible(page)
    sign_out(page)
    # When they open the verification link from the email the store sent
    link = newest_email_link(admin, email, "/account/verify")
    page.goto(link)
    # Then the address is confirmed
    expect(page.get_by_text(re.compile("email address is confirmed", re.I))).to_be_visible()
    # And they can sign in and out
    sign_in(page, email, PASSWORD)
    expect(page.get_by_role("link", name="Journey Tester")).to_be_visible()
    sign_out(page)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_reset_password(page: Page, admin: Page):
    # Given a customer who forgot their password
    email = unique_email("reset")
    sign_up(page, email)
    sign_out(page)
    page.goto(f"{STORE}/account/forgot")
    page.locator("main").get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_text("we have sent it a link")).to_be_visible()
    # When they follow the emailed link and choose a new password
    link = newest_email_link(admin, email, "/account/reset")
    page.goto(link)
    new_password = "Bergamot-Harvest-Lantern-31"
    page.get_by_label("New password").fill(new_password)
    page.get_by_role("button", name="Save the new password").click()
    # Then the new password signs them in and the old one no longer does
    if page.get_by_role("button", name="Sign out").count():
        sign_out(page)
    sign_in(page, email, new_password)
    sign_out(page)
    page.goto(f"{STORE}/account/signin")
    page.locator("main").get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_blocked_user_is_signed_out(page: Page, admin: Page):
    # Given a signed-in customer
    email = unique_email("blocked")
    sign_up(page, email, name="Soon Blocked")
    page.goto(f"{STORE}/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    # When an admin blocks the account
    admin.goto(f"{STORE}/admin/users?q={email}")
    admin.get_by_role("link", name="Soon Blocked").click()
    admin.get_by_label("Reason").fill("Chargeback fraud (e2e test)")
    admin.get_by_role("button", name="Block account").click()
    expect(admin.get_by_text("blocked", exact=True).first).to_be_visible()
    # Then the customer's next page load is signed out, and they cannot sign in again
    page.reload()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(nav(page).get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    page.goto(f"{STORE}/account/signin")
    page.locator("main").get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_live_notification_badge(page: Page, server):
    # Given a signed-in customer with a page open and its live socket connected
    email = unique_email("live")
    sign_up(page, email)
    with page.expect_websocket(predicate=lambda ws: ws.url.endswith("/ws")) as socket_info:
        page.goto(f"{STORE}/")
    socket = socket_info.value
    assert not socket.is_closed()
    badge = page.locator("[data-unread-count]")
    expect(badge).to_be_hidden()
    # When a notification is created for them by another process
    server.run_python("tests/e2e/notify_user.py", "atelier-arome", email, "Your sample is ready")
    # Then the badge shows it without a reload
    expect(badge).to_have_text("1", timeout=15_000)
    expect(badge).to_be_visible()
    assert page.console_errors == [], page.console_errors
    screenshot(page, "home-signed-in-atelier-arome")


def test_host_page_and_every_store_home(page: Page, server):
    # Given the host page
    page.goto("/")
    # Then it lists all five stores, each with a working link
    links = page.locator(".store-list .store-name a")
    expect(links).to_have_count(len(STORES))
    assert_accessible(page)
    screenshot(page, "host")
    for slug in STORES:
        # When each store's home page is opened
        response = page.goto(f"/{slug}/")
        # Then it loads in its own theme, is accessible and has no CSP or script errors
        assert response is not None and response.status == 200
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
        screenshot(page, f"home-{slug}")
    assert page.console_errors == [], page.console_errors


def test_sign_in_page_and_404_look_right(page: Page):
    page.goto(f"{STORE}/account/signin")
    assert_accessible(page)
    screenshot(page, "signin-atelier-arome")
    response = page.goto(f"{STORE}/no-such-page")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "404-atelier-arome")
    page.goto("/qala/no-such-page")
    screenshot(page, "404-qala")


def test_api_docs_render_under_the_csp(page: Page):
    page.goto(f"{STORE}/api/docs")
    expect(page.get_by_text("Atelier Arôme API").first).to_be_visible()
    csp_errors = [e for e in page.console_errors if "Content Security Policy" in e]
    assert csp_errors == [], csp_errors
