"""Shipping and tax set-up for checkout tests."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.models.commerce import CurrencyRate, ShippingRate, ShippingZone, TaxRule

ADDRESS = {
    "first_name": "Clara",
    "last_name": "Whitfield",
    "line1": "12 Hudson Street",
    "city": "New York",
    "region": "NY",
    "postal_code": "10013",
    "country": "US",
}


async def make_pricing(db: AsyncSession) -> dict[str, int]:
    us = ShippingZone(name="United States (test)", countries=["US"], position=1)
    eu = ShippingZone(name="European Union (test)", countries=["FR", "DE"], position=2)
    world = ShippingZone(name="Rest of the world (test)", countries=[], position=9)
    db.add_all([us, eu, world])
    await db.flush()
    signed = ShippingRate(
        zone_id=us.id,
        name="Signed courier",
        kind="free_above",
        amount=1500,
        free_above=15000,
        lead_days_min=3,
        lead_days_max=5,
    )
    express = ShippingRate(
        zone_id=us.id, name="Express", kind="flat", amount=3500, lead_days_min=1, lead_days_max=2
    )
    eu_rate = ShippingRate(
        zone_id=eu.id, name="Tracked", kind="flat", amount=1800, lead_days_min=2, lead_days_max=4
    )
    world_rate = ShippingRate(
        zone_id=world.id,
        name="International",
        kind="flat",
        amount=4500,
        lead_days_min=5,
        lead_days_max=10,
        allows_scheduled_date=False,
    )
    db.add_all([signed, express, eu_rate, world_rate])
    db.add_all(
        [
            TaxRule(name="Sales tax (NY)", country="US", region="NY", rate_bp=888),
            TaxRule(name="VAT (France)", country="FR", rate_bp=2000, is_inclusive=True),
        ]
    )
    for code, micros in (("EUR", 920_000), ("GBP", 790_000)):
        existing = await db.scalar(
            __import__("sqlalchemy").select(CurrencyRate).where(CurrencyRate.currency == code)
        )
        if existing is None:
            db.add(CurrencyRate(currency=code, rate_micros=micros, rounding_minor=1))
    await db.flush()
    return {"signed": signed.id, "express": express.id, "eu": eu_rate.id, "world": world_rate.id}
