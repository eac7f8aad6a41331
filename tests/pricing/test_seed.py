"""The Atelier Arôme pricing seed loads and is idempotent."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import func, select

from mercato.config import PROJECT_ROOT
from mercato.models.commerce import ShippingRate, ShippingZone, TaxRule
from mercato.pricing import service as pricing_service
from mercato.pricing.seed import seed_pricing


async def test_seed_twice_gives_the_same_rows(db):
    ctx = SimpleNamespace(seed_dir=PROJECT_ROOT / "stores" / "atelier-arome" / "seed")
    await seed_pricing(db, ctx)
    counts = [await db.scalar(select(func.count()).select_from(m)) for m in
              (ShippingZone, ShippingRate, TaxRule)]  # fmt: skip
    await seed_pricing(db, ctx)
    again = [await db.scalar(select(func.count()).select_from(m)) for m in
             (ShippingZone, ShippingRate, TaxRule)]  # fmt: skip
    assert counts == again and counts[0] >= 4
    us = await pricing_service.shipping_options(db, "US", 16000)
    assert us[0].amount == 0  # free signed delivery from $150
    assert (await pricing_service.checkout_options(db)).gift_wrap_price == 1200
    assert (await pricing_service.shipping_options(db, "JP", 1000))[0].amount == 4500
