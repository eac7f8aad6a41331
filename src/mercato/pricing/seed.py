"""Demo pricing from stores/<slug>/seed/pricing.yaml. Idempotent: rows are found by their
natural key (currency, zone name, rate name within its zone, country + region) and only
missing ones are created, so an admin's later edits survive a re-seed."""

from __future__ import annotations

from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from mercato.models import StoreSetting
from mercato.models.commerce import CurrencyRate, ShippingRate, ShippingZone, TaxRule
from mercato.pricing import service as pricing_service
from mercato.pricing.currency import parse_rate


async def seed_pricing(db: AsyncSession, ctx: Any) -> str:
    path = ctx.seed_dir / "pricing.yaml"
    if not path.is_file():
        return "no pricing.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    created = 0

    existing_rates = {r.currency for r in await db.scalars(select(CurrencyRate))}
    for item in data.get("currency_rates", []):
        if item["currency"] not in existing_rates:
            db.add(
                CurrencyRate(
                    currency=item["currency"],
                    rate_micros=parse_rate(str(item["rate"])),
                    rounding_minor=int(item.get("rounding_minor", 1)),
                )
            )
            created += 1

    zones = {
        z.name: z
        for z in await db.scalars(select(ShippingZone).options(selectinload(ShippingZone.rates)))
    }
    for z in data.get("shipping_zones", []):
        zone = zones.get(z["name"])
        names: set[str] = set()
        if zone is None:
            zone = ShippingZone(
                name=z["name"],
                countries=list(z.get("countries", [])),
                position=z.get("position", 0),
            )
            db.add(zone)
            await db.flush()
            created += 1
        else:
            names = {r.name for r in zone.rates}
        for position, r in enumerate(z.get("rates", [])):
            if r["name"] in names:
                continue
            lead = r.get("lead_days", [2, 5])
            db.add(
                ShippingRate(
                    zone_id=zone.id,
                    name=r["name"],
                    kind=r.get("kind", "flat"),
                    amount=int(r.get("amount", 0)),
                    min_subtotal=r.get("min_subtotal"),
                    max_subtotal=r.get("max_subtotal"),
                    free_above=r.get("free_above"),
                    lead_days_min=int(lead[0]),
                    lead_days_max=int(lead[1]),
                    allows_scheduled_date=bool(r.get("allows_scheduled_date", True)),
                    position=position,
                )
            )
            created += 1

    rules = {(t.country, t.region) for t in await db.scalars(select(TaxRule))}
    for t in data.get("tax_rules", []):
        key = (t["country"], t.get("region", ""))
        if key in rules:
            continue
        db.add(
            TaxRule(
                name=t["name"],
                country=t["country"],
                region=t.get("region", ""),
                rate_bp=int(t["rate_bp"]),
                is_inclusive=bool(t.get("inclusive", False)),
                applies_to_shipping=bool(t.get("applies_to_shipping", True)),
            )
        )
        created += 1

    for key, value in (
        (pricing_service.GIFT_WRAP_KEY, data.get("gift_wrap_price")),
        (pricing_service.CUTOFF_KEY, data.get("dispatch_cutoff_hour")),
    ):
        if value is not None and await db.get(StoreSetting, key) is None:
            await pricing_service.save_setting(db, key, int(value))
            created += 1
    await db.flush()
    return f"{created} pricing rows created"
