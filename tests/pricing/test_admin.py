"""Pricing admin: permission, validation errors in the form (no 500s), audit rows."""

from __future__ import annotations

from sqlalchemy import select

from mercato.models import AuditEntry
from mercato.models.commerce import CurrencyRate, TaxRule
from tests.cart.support import STORE
from tests.helpers import csrf_in

ADMIN = ("admin@atelier-arome.test", "Lavender-Distillery-42")


async def _admin(client, db):
    from mercato.kit.security import hash_password
    from mercato.kit.time import utcnow
    from mercato.models import Role, User, UserRole

    role = await db.scalar(select(Role).where(Role.name == "admin"))
    if role is None:
        role = Role(name="admin", permissions=["*"], is_staff=True)
        db.add(role)
        await db.flush()
    user = User(email="pricing-admin@example.test", name="Élise",
                password_hash=hash_password(ADMIN[1]), email_verified_at=utcnow())  # fmt: skip
    db.add(user)
    await db.flush()
    db.add(UserRole(user_id=user.id, role_id=role.id))
    await db.flush()
    from tests.helpers import signin

    await signin(client, "atelier-arome", user.email, ADMIN[1])


async def test_rate_edit_is_validated_and_audited(client, db):
    await _admin(client, db)
    page = await client.get(f"{STORE}/admin/pricing")
    assert page.status_code == 200 and "EUR" in page.text
    token = csrf_in(page.text)
    bad = await client.post(
        f"{STORE}/admin/pricing/currencies/EUR",
        data={"csrf_token": token, "rate": "-1", "rounding_minor": "1", "is_active": "yes"},
    )
    assert bad.status_code == 422 and "positive rate" in bad.text
    ok = await client.post(
        f"{STORE}/admin/pricing/currencies/EUR",
        data={"csrf_token": token, "rate": "0.9150", "rounding_minor": "1", "is_active": "yes"},
    )
    assert ok.status_code == 303
    rate = await db.scalar(select(CurrencyRate).where(CurrencyRate.currency == "EUR"))
    assert rate.rate_micros == 915_000
    entry = await db.scalar(
        select(AuditEntry)
        .where(AuditEntry.action == "pricing.rate.update")
        .order_by(AuditEntry.id.desc())
    )
    assert entry.after["rate"] == "0.915"


async def test_tax_and_shipping_crud_with_errors_in_the_form(client, db):
    await _admin(client, db)
    page = await client.get(f"{STORE}/admin/pricing/tax")
    token = csrf_in(page.text)
    bad = await client.post(
        f"{STORE}/admin/pricing/tax",
        data={"csrf_token": token, "name": "Sales tax", "country": "USA", "rate": "8.88"},
    )
    assert bad.status_code == 422 and "two-letter" in bad.text
    ok = await client.post(
        f"{STORE}/admin/pricing/tax",
        data={"csrf_token": token, "name": "Sales tax (TX)", "country": "us", "region": "tx",
              "rate": "6.25", "applies_to_shipping": "yes", "is_active": "yes"},
    )  # fmt: skip
    assert ok.status_code == 303
    rule = await db.scalar(select(TaxRule).where(TaxRule.region == "TX"))
    assert rule.rate_bp == 625 and not rule.is_inclusive
    shipping = await client.get(f"{STORE}/admin/pricing/shipping")
    token = csrf_in(shipping.text)
    zone = await client.post(
        f"{STORE}/admin/pricing/shipping/zones",
        data={"csrf_token": token, "name": "Nordics", "countries": "se no dk", "is_active": "yes"},
    )
    assert zone.status_code == 303
    page = await client.get(f"{STORE}/admin/pricing/shipping")
    assert "Nordics" in page.text


async def test_customers_cannot_reach_pricing_admin(client):
    response = await client.get(f"{STORE}/admin/pricing")
    assert response.status_code in (303, 401, 403)
