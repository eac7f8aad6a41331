"""Admin edits of the pricing tables: every field checked (with its name) before a write,
and an audit row for each change. Services flush, never commit."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.money import Money
from mercato.models.commerce import CurrencyRate, ShippingRate, ShippingZone, TaxRule
from mercato.platform import audit
from mercato.pricing import service as pricing_service
from mercato.pricing.currency import format_rate, parse_rate

COUNTRY = re.compile(r"^[A-Z]{2}$")
KINDS = ("flat", "by_subtotal", "free_above")


def _text(values: dict[str, str], key: str, label: str, max_length: int, required=True) -> str:
    value = (values.get(key) or "").strip()
    if required and not value:
        raise ValidationFailed(f"{label} is required.", field=key)
    if len(value) > max_length:
        raise ValidationFailed(f"{label} has at most {max_length} characters.", field=key)
    return value


def _int(values: dict[str, str], key: str, label: str, low: int, high: int) -> int:
    try:
        value = int((values.get(key) or "").strip())
    except ValueError:
        raise ValidationFailed(f"{label} must be a whole number.", field=key) from None
    if not low <= value <= high:
        raise ValidationFailed(f"{label} must be between {low} and {high}.", field=key)
    return value


def _money(
    values: dict[str, str], key: str, label: str, currency: str, required=True
) -> int | None:
    raw = (values.get(key) or "").strip().replace(",", "")
    if not raw:
        if required:
            raise ValidationFailed(f"{label} is required.", field=key)
        return None
    try:
        amount = Money.from_decimal(Decimal(raw), currency).amount
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{label} must be an amount such as 12.50.", field=key) from None
    if amount < 0 or amount > 10**12:
        raise ValidationFailed(f"{label} cannot be negative.", field=key)
    return amount


def _country(value: str, field: str) -> str:
    value = value.strip().upper()
    if not COUNTRY.match(value):
        raise ValidationFailed("Use two-letter ISO country codes (FR, US…).", field=field)
    return value


# ---------------------------------------------------------------- currencies and options


async def save_rate(
    db: AsyncSession, request: Request, actor: Any, code: str, values: dict[str, str]
) -> CurrencyRate:
    config = request.state.runtime.config
    if code not in config.display_currencies:
        raise NotFound("This store does not offer that currency.", field="currency")
    try:
        micros = parse_rate(values.get("rate", ""))
    except (ValueError, InvalidOperation, ArithmeticError):
        raise ValidationFailed(
            "Enter a positive rate with at most six decimals, e.g. 0.9234.", field="rate"
        ) from None
    rounding = _int(values, "rounding_minor", "Rounding", 1, 1_000_000)
    active = values.get("is_active") == "yes"
    rate = await db.scalar(select(CurrencyRate).where(CurrencyRate.currency == code))
    before = None
    if rate is None:
        rate = CurrencyRate(currency=code, rate_micros=micros, rounding_minor=rounding)
        db.add(rate)
    else:
        before = {"rate": format_rate(rate.rate_micros), "rounding_minor": rate.rounding_minor,
                  "is_active": rate.is_active}  # fmt: skip
    rate.rate_micros, rate.rounding_minor, rate.is_active = micros, rounding, active
    rate.updated_by = actor.id
    await db.flush()
    await audit.record(
        db, actor=actor, action="pricing.rate.update", entity_type="currency_rate",
        entity_id=code, before=before, request=request,
        after={"rate": format_rate(micros), "rounding_minor": rounding, "is_active": active},
    )  # fmt: skip
    return rate


async def save_options(
    db: AsyncSession, request: Request, actor: Any, values: dict[str, str]
) -> None:
    currency = request.state.runtime.config.currency
    wrap = _money(values, "gift_wrap_price", "Gift wrap price", currency)
    cutoff = _int(values, "cutoff_hour", "Cut-off hour", 0, 23)
    before = await pricing_service.checkout_options(db)
    await pricing_service.save_setting(db, pricing_service.GIFT_WRAP_KEY, wrap or 0)
    await pricing_service.save_setting(db, pricing_service.CUTOFF_KEY, cutoff)
    await audit.record(
        db, actor=actor, action="pricing.options.update", entity_type="store_setting",
        entity_id="pricing", request=request,
        before={"gift_wrap_price": before.gift_wrap_price, "cutoff_hour": before.cutoff_hour},
        after={"gift_wrap_price": wrap, "cutoff_hour": cutoff},
    )  # fmt: skip


# ---------------------------------------------------------------- shipping


def clean_zone(values: dict[str, str]) -> dict[str, Any]:
    name = _text(values, "name", "Name", 120)
    raw = [c for c in re.split(r"[\s,]+", values.get("countries", "")) if c]
    countries = sorted({_country(c, "countries") for c in raw})
    position = _int(values, "position", "Position", 0, 10_000) if values.get("position") else 0
    return {"name": name, "countries": countries, "position": position,
            "is_active": values.get("is_active") == "yes"}  # fmt: skip


async def save_zone(
    db: AsyncSession, request: Request, actor: Any, zone_id: int | None, values: dict[str, str]
) -> ShippingZone:
    data = clean_zone(values)
    clash = await db.scalar(
        select(ShippingZone.id).where(
            ShippingZone.name == data["name"], ShippingZone.id != (zone_id or 0)
        )
    )
    if clash:
        raise Conflict("Another zone has this name.", field="name")
    before = None
    if zone_id is None:
        zone = ShippingZone(**data)
        db.add(zone)
    else:
        zone = await _get(db, ShippingZone, zone_id)
        before = {"name": zone.name, "countries": zone.countries, "is_active": zone.is_active}
        for key, value in data.items():
            setattr(zone, key, value)
    await db.flush()
    await audit.record(
        db, actor=actor, action="pricing.zone." + ("create" if before is None else "update"),
        entity_type="shipping_zone", entity_id=zone.id, before=before, after=data,
        request=request,
    )  # fmt: skip
    return zone


def clean_rate(values: dict[str, str], currency: str) -> dict[str, Any]:
    kind = values.get("kind", "")
    if kind not in KINDS:
        raise ValidationFailed("Choose how the rate is priced.", field="kind")
    data: dict[str, Any] = {
        "name": _text(values, "name", "Name", 120),
        "kind": kind,
        "amount": _money(values, "amount", "Price", currency),
        "min_subtotal": _money(values, "min_subtotal", "From subtotal", currency, False),
        "max_subtotal": _money(values, "max_subtotal", "Below subtotal", currency, False),
        "free_above": _money(values, "free_above", "Free from", currency, kind == "free_above"),
        "lead_days_min": _int(values, "lead_days_min", "Fastest delivery", 0, 90),
        "lead_days_max": _int(values, "lead_days_max", "Slowest delivery", 0, 90),
        "allows_scheduled_date": values.get("allows_scheduled_date") == "yes",
        "is_active": values.get("is_active") == "yes",
    }
    if data["lead_days_max"] < data["lead_days_min"]:
        raise ValidationFailed("The slowest delivery cannot be faster than the fastest.",
                               field="lead_days_max")  # fmt: skip
    lo, hi = data["min_subtotal"], data["max_subtotal"]
    if kind == "by_subtotal" and lo is not None and hi is not None and hi <= lo:
        raise ValidationFailed("The band must end above where it starts.", field="max_subtotal")
    return data


async def save_rate_row(
    db: AsyncSession,
    request: Request,
    actor: Any,
    *,
    zone_id: int | None = None,
    rate_id: int | None = None,
    values: dict[str, str],
) -> ShippingRate:
    data = clean_rate(values, request.state.runtime.config.currency)
    before = None
    if rate_id is None:
        zone = await _get(db, ShippingZone, zone_id or 0)
        rate = ShippingRate(zone_id=zone.id, **data)
        db.add(rate)
    else:
        rate = await _get(db, ShippingRate, rate_id)
        before = {k: getattr(rate, k) for k in data}
        for key, value in data.items():
            setattr(rate, key, value)
    await db.flush()
    await audit.record(
        db, actor=actor, action=f"pricing.shipping_rate.{'create' if before is None else 'update'}",
        entity_type="shipping_rate", entity_id=rate.id, before=before, after=data, request=request,
    )  # fmt: skip
    return rate


# ---------------------------------------------------------------- tax


def clean_tax(values: dict[str, str]) -> dict[str, Any]:
    try:
        percent = Decimal((values.get("rate") or "").strip())
    except InvalidOperation:
        raise ValidationFailed(
            "Enter the rate in percent, e.g. 20 or 8.875.", field="rate"
        ) from None
    if not percent.is_finite() or not 0 <= percent <= 100 or percent * 100 != int(percent * 100):
        raise ValidationFailed("Enter a rate between 0 and 100 with at most two decimals.",
                               field="rate")  # fmt: skip
    return {
        "name": _text(values, "name", "Name", 120),
        "country": _country(values.get("country", ""), "country"),
        "region": _text(values, "region", "Region", 120, required=False).upper(),
        "rate_bp": int(percent * 100),
        "is_inclusive": values.get("is_inclusive") == "yes",
        "applies_to_shipping": values.get("applies_to_shipping") == "yes",
        "is_active": values.get("is_active") == "yes",
    }


async def save_tax(
    db: AsyncSession, request: Request, actor: Any, rule_id: int | None, values: dict[str, str]
) -> TaxRule:
    data = clean_tax(values)
    clash = await db.scalar(
        select(TaxRule.id).where(
            TaxRule.country == data["country"], TaxRule.region == data["region"],
            TaxRule.id != (rule_id or 0),
        )
    )  # fmt: skip
    if clash:
        raise Conflict("A rule for this country and region exists already.", field="region")
    before = None
    if rule_id is None:
        rule = TaxRule(**data)
        db.add(rule)
    else:
        rule = await _get(db, TaxRule, rule_id)
        before = {k: getattr(rule, k) for k in data}
        for key, value in data.items():
            setattr(rule, key, value)
    await db.flush()
    await audit.record(
        db, actor=actor, action="pricing.tax." + ("create" if before is None else "update"),
        entity_type="tax_rule", entity_id=rule.id, before=before, after=data, request=request,
    )  # fmt: skip
    return rule


async def delete_row(
    db: AsyncSession, request: Request, actor: Any, model: type, row_id: int
) -> None:
    row = await _get(db, model, row_id)
    name = getattr(row, "name", "")
    await db.delete(row)
    await db.flush()
    await audit.record(
        db, actor=actor, action=f"pricing.{model.__tablename__}.delete",
        entity_type=model.__tablename__, entity_id=row_id, before={"name": name},
        request=request,
    )  # fmt: skip


async def _get(db: AsyncSession, model: type, row_id: int) -> Any:
    row = await db.get(model, row_id)
    if row is None:
        raise NotFound("That row no longer exists.", field="id")
    return row
