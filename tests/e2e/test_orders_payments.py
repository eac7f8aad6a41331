"""Browser journey: a shopper pays a pending order on the sandbox card page, waits on the
return page until the webhook (delivered by the server's worker) confirms it, and staff
open it in the admin. Screenshots at desktop and 390 px; axe on each page.

Run as a script (``python tests/e2e/test_orders_payments.py EMAIL``) with the server's
environment, it creates the pending order the journey pays, the way checkout does: stock
reserved under the order number, a hold expiry, and prints the order number.
"""

from __future__ import annotations

import re
import sys

import pytest

STORE = "/atelier-arome"
SHOPPER = ("shopper@atelier-arome.test", "Neroli-Morning-Walk-7")
ADMIN = ("admin@atelier-arome.test", "Lavender-Distillery-42")


async def _make_pending_order(email: str) -> str:  # runs in a separate process
    from datetime import timedelta

    from sqlalchemy import select

    from mercato.config import get_settings
    from mercato.db import Database
    from mercato.inventory import service as inventory_service
    from mercato.kit.security import new_token
    from mercato.kit.time import utcnow
    from mercato.models import User
    from mercato.models.catalog import Product
    from mercato.models.inventory import Inventory
    from mercato.models.orders import Order, OrderLine

    database = Database(get_settings().database_url_for("atelier-arome"), pool=False)
    try:
        async with database.transaction() as db:
            user = await db.scalar(select(User).where(User.email == email))
            product = await db.scalar(
                select(Product)
                .join(Inventory, Inventory.product_id == Product.id)
                .where(Inventory.quantity - Inventory.reserved >= 2)
                .order_by(Product.id)
                .limit(1)
            )
            number = "AA-E2E-" + new_token(4).upper().replace("-", "X").replace("_", "Y")
            address = {
                "name": user.name,
                "line1": "221 West 79th Street",
                "city": "New York",
                "region": "NY",
                "postal_code": "10024",
                "country": "US",
            }
            order = Order(
                number=number,
                user_id=user.id,
                email=user.email,
                customer_name=user.name,
                currency="USD",
                store_currency="USD",
                subtotal=product.price * 2,
                shipping_total=1500,
                total=product.price * 2 + 1500,
                shipping_method="Signed courier",
                shipping_address=address,
                billing_address=address,
                gift_message="For Maman, with love.",
                reservation_expires_at=utcnow() + timedelta(minutes=30),
            )
            db.add(order)
            await db.flush()
            db.add(
                OrderLine(
                    order_id=order.id,
                    product_id=product.id,
                    sku=product.sku,
                    name=product.name,
                    quantity=2,
                    unit_price=product.price,
                    line_total=product.price * 2,
                    snapshot={"latin_name": product.latin_name},
                )
            )
            await inventory_service.reserve(
                db, [(product.id, 2)], reference=number, ttl=timedelta(minutes=30)
            )
            return number
    finally:
        await database.dispose()


if __name__ == "__main__":
    import asyncio

    print(asyncio.run(_make_pending_order(sys.argv[1])))
    raise SystemExit(0)


from playwright.sync_api import Page, expect  # noqa: E402

from tests.e2e.conftest import assert_accessible, screenshot  # noqa: E402


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto(f"{STORE}/account/signin")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.fixture
def shopper(page: Page) -> Page:
    sign_in(page, *SHOPPER)
    return page


def test_pay_on_the_sandbox_and_see_the_order_confirmed(shopper: Page, new_context, server):
    number = server.run_python(__file__, SHOPPER[0]).splitlines()[-1]
    page = shopper
    page.goto(f"{STORE}/orders/{number}")
    expect(page.get_by_role("heading", name=number)).to_be_visible()
    expect(page.get_by_text("Awaiting payment").first).to_be_visible()
    if page.get_by_label("Pay with").count():
        page.get_by_label("Pay with").select_option("sandbox")
    page.get_by_role("button", name=re.compile(r"^Pay .* now$")).click()

    # The sandbox's hosted card page
    expect(page.get_by_role("heading", name=re.compile(r"^Pay "))).to_be_visible()
    assert_accessible(page)
    screenshot(page, "sandbox-payment-atelier-arome")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()

    # Back on the order: confirmed once the worker has delivered the signed event
    expect(page.get_by_text("Confirmed", exact=True).first).to_be_visible(timeout=20_000)
    expect(page.get_by_text("For Maman, with love.")).to_be_visible()
    expect(page.get_by_role("link", name="Download the invoice (PDF)")).to_be_visible()
    assert_accessible(page)
    assert not page.console_errors, page.console_errors
    screenshot(page, "order-detail-atelier-arome")

    page.goto(f"{STORE}/account/orders")
    expect(page.get_by_role("link", name=number)).to_be_visible()
    assert_accessible(page)

    # Staff see it in the admin with the next step offered
    admin = new_context().new_page()
    sign_in(admin, *ADMIN)
    admin.goto(f"{STORE}/admin/orders")
    admin.get_by_role("link", name=number).click()
    expect(admin.get_by_role("button", name="Start preparing")).to_be_visible()
    assert_accessible(admin)
    screenshot(admin, "admin-order-detail-atelier-arome")


def test_demo_order_from_the_seed(shopper: Page):
    shopper.goto(f"{STORE}/orders/AA-DEMO-1001")
    expect(shopper.get_by_text("Delivered", exact=True).first).to_be_visible()
    assert_accessible(shopper)
    screenshot(shopper, "order-delivered-atelier-arome")
