"""Browser journey of the catalogue admin: an admin edits an essence's name and price, sees
the form's errors first, and the storefront product page shows the change. Screenshots of
the product list, the edit page with errors, the dashboard (empty, then with sales) and the
customers list, at desktop and phone widths, each checked by axe."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible, screenshot
from tests.e2e.test_journeys import ADMIN, STORE

# An essence no other journey uses, so the journeys pass in any order on one database.
SLUG = "corsican-myrtle"

# Paid orders written straight into the e2e store database (the checkout journey belongs to
# other tests): one in dollars, one in euros at a recorded rate, yesterday and a week ago.
ADD_ORDERS = """
import asyncio, sys
from datetime import timedelta
from sqlalchemy import select
from mercato.config import get_settings
from mercato.db import Database
from mercato.kit.time import utcnow
from mercato.models.catalog import Product
from mercato.models.orders import Order, OrderLine

async def main():
    database = Database(get_settings().database_url_for("atelier-arome"), pool=False)
    try:
        async with database.transaction() as db:
            products = list(await db.scalars(select(Product).order_by(Product.id).limit(3)))
            for n, (days, currency, rate, qty) in enumerate(
                [(1, "USD", 1_000_000, 2), (6, "EUR", 920_000, 1), (12, "USD", 1_000_000, 3)]
            ):
                p = products[n % len(products)]
                unit = p.price * rate // 1_000_000
                when = utcnow() - timedelta(days=days)
                order = Order(number=f"AA-E2E-{n}", email="buyer@example.com",
                    customer_name="Ada Buyer", status="confirmed", payment_status="paid",
                    currency=currency, store_currency="USD", exchange_rate_micros=rate,
                    subtotal=unit * qty, total=unit * qty, paid_at=when, created_at=when,
                    updated_at=when)
                db.add(order)
                await db.flush()
                db.add(OrderLine(order_id=order.id, product_id=p.id, sku=p.sku, name=p.name,
                    quantity=qty, unit_price=unit, line_total=unit * qty))
    finally:
        await database.dispose()

asyncio.run(main())
"""


def _sign_in_admin(page: Page) -> None:
    # By field id: the footer's newsletter form has an "Email" field of its own.
    page.goto(f"{STORE}/account/signin")
    page.locator("#email").fill(ADMIN[0])
    page.locator("#password").fill(ADMIN[1])
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_admin_edits_an_essence_and_the_shop_shows_it(page: Page, server) -> None:
    _sign_in_admin(page)
    page.goto(f"{STORE}/admin/products")
    expect(page.get_by_role("heading", name="Products", level=1)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "admin-products")

    page.get_by_label("Search").fill("MYR-147")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Corsican Myrtle").click()
    expect(page.get_by_role("heading", name="Corsican Myrtle", level=1)).to_be_visible()

    # A price with three decimals is refused, the typed values stay, nothing is saved
    page.get_by_label("Name", exact=False).first.fill("Corsican Myrtle Extra")
    page.get_by_label(re.compile(r"^Price \(USD\)")).fill("44.999")
    page.get_by_role("button", name="Save product").click()
    expect(page.get_by_text("USD amounts have at most 2 decimals.").first).to_be_visible()
    expect(page.get_by_label(re.compile(r"^Price \(USD\)"))).to_have_value("44.999")
    assert_accessible(page)
    screenshot(page, "admin-product-edit-errors")

    page.get_by_label(re.compile(r"^Price \(USD\)")).fill("44.50")
    page.get_by_role("button", name="Save product").click()
    expect(page.get_by_text("Corsican Myrtle Extra was saved.")).to_be_visible()

    page.goto(f"{STORE}/essences/{SLUG}")
    expect(page.get_by_role("heading", name="Corsican Myrtle Extra")).to_be_visible()
    expect(page.get_by_text("$44.50").first).to_be_visible()
    # The refused form answered 422 on purpose; Chromium logs any 4xx document as an error.
    unexpected = [e for e in page.console_errors if "status of 422" not in e]
    assert not unexpected, unexpected


def test_dashboard_empty_then_with_sales_and_customers(page: Page, server) -> None:
    _sign_in_admin(page)
    page.goto(f"{STORE}/admin?period=7")
    expect(page.get_by_role("heading", name="Sales, last 7 days")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "admin-dashboard-empty")

    server.run_python("-c", ADD_ORDERS)
    page.goto(f"{STORE}/admin?period=30")
    expect(page.get_by_role("img", name="Revenue per day, last 30 days")).to_be_visible()
    expect(page.get_by_text("AA-E2E-0").first).to_be_visible()
    page.get_by_text("Show the figures as a table").click()
    assert_accessible(page)
    screenshot(page, "admin-dashboard")

    page.goto(f"{STORE}/admin/customers")
    expect(page.get_by_role("heading", name="Customers", level=1)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "admin-customers")
    assert not page.console_errors, page.console_errors
