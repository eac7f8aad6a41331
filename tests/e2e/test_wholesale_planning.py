"""Browser journey of inventory planning in the wholesale store (issue 4, "must hold"): the
seeded product below its reorder level (TX-JAN-14, 15 on hand, level 20) shows as a critical
alert, becomes a purchase order, is sent and received, and the inventory log shows the
purchase with the previous and new stock under the PO number. The profit report and the
forecast render with their charts. Screenshots at desktop and phone widths, checked by axe."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible, screenshot

STORE = "/wholesale"
ADMIN = ("admin@wholesale.test", "Dhaka-Warehouse-Ledger-9")
LOW_SKU = "TX-JAN-14"


def _sign_in_admin(page: Page) -> None:
    page.goto(f"{STORE}/account/signin")
    page.locator("main input[name=email]").fill(ADMIN[0])
    page.locator("main input[name=password]").fill(ADMIN[1])
    page.locator("main button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/account/signin"))


def test_low_stock_alert_to_purchase_order_to_inventory_log(page: Page) -> None:
    _sign_in_admin(page)
    # The seeded product is a critical alert: deficit 5, suggested order 100 (the seed's box)
    page.goto(f"{STORE}/admin/procurement/alerts")
    row = page.locator("tr", has_text=LOW_SKU)
    expect(row).to_contain_text("CRITICAL LOW STOCK")
    expect(row.locator("td.num").nth(0)).to_have_text("15")
    expect(row.locator("td.num").nth(2)).to_have_text("5")
    expect(row).to_contain_text("Reorder 100 units now")
    assert_accessible(page)
    screenshot(page, "wholesale-alerts")
    # Create the purchase order from the alert, send it, receive the delivery
    row.locator("input[type=checkbox]").check()
    page.get_by_role("button", name="Create purchase order from the ticked alerts").click()
    expect(page.locator("h1")).to_contain_text(re.compile(r"PO-\d{4}-\d{3}"))
    number = re.search(r"PO-\d{4}-\d{3}", page.locator("h1").inner_text()).group(0)
    page.get_by_role("button", name="Mark as sent").click()
    expect(page.locator("header.admin-header")).to_contain_text("sent")
    page.get_by_label(re.compile("Units of .* that arrived")).fill("100")
    page.get_by_role("button", name="Book the delivery into stock").click()
    expect(page.locator("header.admin-header")).to_contain_text("received")
    assert_accessible(page)
    screenshot(page, "wholesale-purchase-order")
    # The inventory log shows the purchase: +100, previous 15, new 115, the PO number
    page.get_by_role("link", name="See these in the inventory log").click()
    entry = page.locator("tbody tr", has_text=number).first
    expect(entry).to_contain_text("PURCHASE")
    expect(entry.locator("td.num")).to_have_text(["+100", "15", "115"])
    assert_accessible(page)
    # The alert is gone
    page.goto(f"{STORE}/admin/procurement/alerts")
    expect(page.locator("tr", has_text=LOW_SKU)).to_have_count(0)
    assert page.console_errors == []


# The seed's order, written as the core writes a paid order: 100 × TX-JAM-01 at the tier
# price ৳135 (cost ৳80) for the verified buyer, with the order.paid event in the same
# transaction. The server's worker delivers the event and the profit module records it.
PAID_ORDER = """
import asyncio
from sqlalchemy import select
from mercato.config import get_settings
from mercato.db import Database
from mercato.kit.time import utcnow
from mercato.models import User
from mercato.models.catalog import Product
from mercato.models.orders import Order, OrderLine
from mercato.platform.outbox import emit

async def main():
    database = Database(get_settings().database_url_for("wholesale"), pool=False)
    try:
        async with database.transaction() as db:
            buyer = await db.scalar(select(User).where(User.email == "buyer@wholesale.test"))
            product = await db.scalar(select(Product).where(Product.sku == "TX-JAM-01"))
            now = utcnow()
            order = Order(number="WS-E2E-SEED", user_id=buyer.id, email=buyer.email,
                customer_name=buyer.name, status="confirmed", payment_status="paid",
                currency="BDT", store_currency="BDT", subtotal=1350000, total=1350000,
                paid_at=now, created_at=now, updated_at=now)
            db.add(order)
            await db.flush()
            db.add(OrderLine(order_id=order.id, product_id=product.id, sku=product.sku,
                name=product.name, quantity=100, unit_price=13500, line_total=1350000,
                snapshot={"store_unit_price": 13500}))
            await emit(db, "order.paid", {"order_id": order.id, "number": order.number})
    finally:
        await database.dispose()

asyncio.run(main())
"""


def test_admin_profit_report_shows_the_seed_order(page: Page, server) -> None:
    server.run_python("-c", PAID_ORDER)
    _sign_in_admin(page)
    row = page.locator("tbody tr", has_text="WS-E2E-SEED")
    for _ in range(40):  # the worker delivers the event within a few polls
        page.goto(f"{STORE}/admin/profit/reports?group=day")
        if row.count():
            break
        page.wait_for_timeout(500)
    # Units, revenue, cost, gross, platform 15 %, seller 20 % of the rest, final platform
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    amounts = [re.sub(r"[^0-9.,]", "", c) for c in cells]
    assert amounts == [
        "100",
        "13,500.00",
        "8,000.00",
        "5,500.00",
        "825.00",
        "935.00",
        "4,565.00",
        "40.74",
    ], cells


def test_profit_report_and_forecast_pages(page: Page) -> None:
    _sign_in_admin(page)
    page.goto(f"{STORE}/admin/profit/reports?group=month")
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.locator("#orders-title")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "wholesale-profit-report")
    page.goto(f"{STORE}/admin/profit")
    expect(page.get_by_label("Platform profit %", exact=True)).to_have_value("15.00")
    assert_accessible(page)
    assert page.console_errors == []
