"""Admin customers: list with paid orders and spending (store currency, net of refunds),
search, pagination, detail with orders, addresses and newsletter; read-only and gated."""

from __future__ import annotations

from sqlalchemy import func, select
from tests.admin.conftest import ADMIN, make_user, sign_in_as
from tests.admin.test_dashboard import _order

from mercato.models import AuditEntry
from mercato.models.commerce import Address
from mercato.models.engagement import NewsletterSubscriber


async def test_list_shows_orders_and_spending_and_searches(admin_client, db, roles):
    ada = await make_user(db, roles, "ada@example.test", ["customer"], "Ada Lovelace")
    await make_user(db, roles, "bob@example.test", ["customer"], "Bob Stone")
    await make_user(db, roles, "clerk@example.test", ["staff"], "Clerk")  # not a customer
    await _order(db, "C-1", 10000, user_id=ada.id)
    await _order(db, "C-2", 4600, currency="EUR", rate=920_000, user_id=ada.id)
    await _order(db, "C-3", 9999, payment="unpaid", user_id=ada.id)
    page = await admin_client.get(f"{ADMIN}/customers")
    assert page.status_code == 200
    assert "Ada Lovelace" in page.text and "Bob Stone" in page.text
    assert "clerk@example.test" not in page.text
    assert "$150.00" in page.text  # 100 USD + 46 EUR at 0.92
    found = await admin_client.get(f"{ADMIN}/customers", params={"q": "LOVE"})
    assert "Ada Lovelace" in found.text and "Bob Stone" not in found.text
    none = await admin_client.get(f"{ADMIN}/customers", params={"q": "zzz%"})
    assert "No customers match" in none.text


async def test_detail_shows_orders_addresses_and_newsletter(admin_client, db, roles):
    ada = await make_user(db, roles, "ada@example.test", ["customer"], "Ada Lovelace")
    await _order(db, "D-1", 10000, user_id=ada.id)
    db.add(
        Address(
            user_id=ada.id,
            first_name="Ada",
            last_name="L",
            line1="1 Rue des Roses",
            city="Grasse",
            postal_code="06130",
            country="FR",
            is_default=True,
        )
    )
    db.add(NewsletterSubscriber(email="ada@example.test", status="active", user_id=ada.id))
    await db.flush()
    page = await admin_client.get(f"{ADMIN}/customers/{ada.id}")
    assert page.status_code == 200
    assert 'href="/atelier-arome/admin/orders/D-1"' in page.text
    assert "1 Rue des Roses" in page.text and "Grasse" in page.text
    assert "active" in page.text
    assert f'href="/atelier-arome/admin/users/{ada.id}"' in page.text
    assert (await admin_client.get(f"{ADMIN}/customers/999999")).status_code == 404


async def test_customers_pages_are_read_only_and_gated(client, db, roles):
    shopper = await make_user(db, roles, "shop@example.test", ["customer"])
    await sign_in_as(client, db, shopper)
    assert (await client.get(f"{ADMIN}/customers")).status_code == 403
    assert (await client.get(f"{ADMIN}/customers/{shopper.id}")).status_code == 403
    response = await client.post(f"{ADMIN}/customers/{shopper.id}", data={})
    assert response.status_code in (403, 405)
    assert await db.scalar(select(func.count()).select_from(AuditEntry)) == 0


async def test_staff_can_read_customers(client, db, roles):
    staff = await make_user(db, roles, "clerk@example.test", ["staff"])
    await sign_in_as(client, db, staff)
    assert (await client.get(f"{ADMIN}/customers")).status_code == 200


async def test_pagination(admin_client, db, roles):
    for n in range(27):
        await make_user(db, roles, f"c{n:02d}@example.test", ["customer"], f"Customer {n:02d}")
    first = await admin_client.get(f"{ADMIN}/customers", params={"sort": "name"})
    assert "1–25 of 27" in first.text and "Customer 26" not in first.text
    second = await admin_client.get(f"{ADMIN}/customers", params={"sort": "name", "page": "2"})
    assert "Customer 26" in second.text
