"""Pricing rules: which conversion a shopper gets, shipping options for a country, the tax
rule for an address, and the store's checkout options (gift wrap price, cut-off hour).

Import as ``from mercato.pricing import service as pricing_service``. Services flush, never
commit; admin edits live in mercato.pricing.admin_service.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from mercato.models import StoreSetting
from mercato.models.commerce import (
    CurrencyRate,
    ShippingRate,
    ShippingRateKind,
    ShippingZone,
    TaxRule,
)
from mercato.platform.stores import StoreConfig
from mercato.pricing.currency import Conversion
from mercato.pricing.totals import TaxPolicy

# Store settings kept in store_settings (key → JSON value), edited on the pricing admin page.
GIFT_WRAP_KEY = "pricing.gift_wrap_price"
CUTOFF_KEY = "pricing.dispatch_cutoff_hour"
DEFAULT_GIFT_WRAP = 0
DEFAULT_CUTOFF_HOUR = 14


def currencies_of(config: StoreConfig) -> list[str]:
    """The store's currency first, then the display currencies it offers."""
    codes = [config.currency]
    codes += [c for c in config.display_currencies if c != config.currency]
    return codes


@dataclass(frozen=True)
class CurrencyChoice:
    conversion: Conversion
    # Why the shopper did not get what they asked for ("" when they did).
    notice: str = ""


async def conversion_for(
    db: AsyncSession, config: StoreConfig, currency: str | None
) -> CurrencyChoice:
    """The conversion for a requested currency; the store's own when it is not offered or
    has no active rate (with a message saying so). No query for the store's currency."""
    store = config.currency
    wanted = (currency or "").strip().upper()
    if not wanted or wanted == store:
        return CurrencyChoice(Conversion.identity(store))
    if wanted not in config.display_currencies:
        return CurrencyChoice(
            Conversion.identity(store), f"Prices are shown in {store}: {wanted[:3]} is not offered."
        )
    rate = await db.scalar(
        select(CurrencyRate).where(CurrencyRate.currency == wanted, CurrencyRate.is_active)
    )
    if rate is None:
        return CurrencyChoice(
            Conversion.identity(store),
            f"Prices are shown in {store}: {wanted} is not available at the moment.",
        )
    return CurrencyChoice(Conversion(store, wanted, rate.rate_micros, rate.rounding_minor))


async def active_rates(db: AsyncSession) -> list[CurrencyRate]:
    return list(
        await db.scalars(
            select(CurrencyRate).where(CurrencyRate.is_active).order_by(CurrencyRate.currency)
        )
    )


# ---------------------------------------------------------------- shipping


@dataclass(frozen=True)
class ShippingOption:
    rate_id: int
    zone: str
    name: str
    amount: int  # store currency, minor units
    lead_days_min: int
    lead_days_max: int
    allows_scheduled_date: bool

    @property
    def lead_time(self) -> str:
        if self.lead_days_min == self.lead_days_max:
            days = self.lead_days_min
            return f"{days} working day{'s' * (days != 1)}"
        return f"{self.lead_days_min}–{self.lead_days_max} working days"


def rate_amount(rate: ShippingRate, subtotal: int) -> int | None:
    """What ``rate`` costs for a cart of ``subtotal`` (store minor units); None when it does
    not apply (a by-subtotal band the cart is outside of)."""
    kind = rate.kind
    if kind == ShippingRateKind.BY_SUBTOTAL:
        if rate.min_subtotal is not None and subtotal < rate.min_subtotal:
            return None
        if rate.max_subtotal is not None and subtotal >= rate.max_subtotal:
            return None
        return rate.amount
    if kind == ShippingRateKind.FREE_ABOVE:
        if rate.free_above is not None and subtotal >= rate.free_above:
            return 0
        return rate.amount
    return rate.amount


async def zone_for(db: AsyncSession, country: str) -> ShippingZone | None:
    """The active zone naming ``country``; else the first "rest of the world" zone (empty
    country list). Zones are few, so they are read whole and matched here: the country list
    is JSON, which the two engines query differently."""
    country = country.strip().upper()
    zones = list(
        await db.scalars(
            select(ShippingZone)
            .where(ShippingZone.is_active)
            .order_by(ShippingZone.position, ShippingZone.id)
            .options(selectinload(ShippingZone.rates))
        )
    )
    named = [z for z in zones if country in [str(c).upper() for c in z.countries or []]]
    if named:
        return named[0]
    rest = [z for z in zones if not z.countries]
    return rest[0] if rest else None


async def shipping_options(db: AsyncSession, country: str, subtotal: int) -> list[ShippingOption]:
    """The rates a cart of ``subtotal`` (store minor units) can ship with to ``country``,
    cheapest first."""
    zone = await zone_for(db, country)
    if zone is None:
        return []
    options = []
    for rate in zone.rates:
        if not rate.is_active:
            continue
        amount = rate_amount(rate, subtotal)
        if amount is None:
            continue
        options.append(
            ShippingOption(
                rate_id=rate.id,
                zone=zone.name,
                name=rate.name,
                amount=amount,
                lead_days_min=rate.lead_days_min,
                lead_days_max=rate.lead_days_max,
                allows_scheduled_date=rate.allows_scheduled_date,
            )
        )
    return sorted(options, key=lambda o: (o.amount, o.lead_days_min, o.rate_id))


async def shipping_option(
    db: AsyncSession, country: str, subtotal: int, rate_id: int | None
) -> ShippingOption | None:
    for option in await shipping_options(db, country, subtotal):
        if option.rate_id == rate_id:
            return option
    return None


# ---------------------------------------------------------------- tax


async def tax_rule_for(db: AsyncSession, country: str, region: str = "") -> TaxRule | None:
    """The most specific active rule: the address's region if a rule names it, else the
    whole country. Regions compare case-insensitively ("ny" is "NY")."""
    country = country.strip().upper()
    region = region.strip().upper()
    rules = list(
        await db.scalars(select(TaxRule).where(TaxRule.country == country, TaxRule.is_active))
    )
    for rule in rules:
        if rule.region and rule.region.strip().upper() == region:
            return rule
    for rule in rules:
        if not rule.region:
            return rule
    return None


def policy_of(rule: TaxRule | None) -> TaxPolicy | None:
    if rule is None:
        return None
    return TaxPolicy(rule.name, rule.rate_bp, rule.is_inclusive, rule.applies_to_shipping)


# ---------------------------------------------------------------- checkout options


@dataclass(frozen=True)
class CheckoutOptions:
    gift_wrap_price: int  # store currency, minor units; 0 = complimentary
    cutoff_hour: int  # orders after this hour (store time) leave a day later


async def checkout_options(db: AsyncSession) -> CheckoutOptions:
    rows = dict(
        (
            await db.execute(
                select(StoreSetting.key, StoreSetting.value).where(
                    StoreSetting.key.in_([GIFT_WRAP_KEY, CUTOFF_KEY])
                )
            )
        ).all()
    )
    wrap = rows.get(GIFT_WRAP_KEY)
    cutoff = rows.get(CUTOFF_KEY)
    return CheckoutOptions(
        gift_wrap_price=wrap if isinstance(wrap, int) and wrap >= 0 else DEFAULT_GIFT_WRAP,
        cutoff_hour=cutoff
        if isinstance(cutoff, int) and 0 <= cutoff <= 23
        else DEFAULT_CUTOFF_HOUR,
    )


async def save_setting(db: AsyncSession, key: str, value: int) -> None:
    row = await db.get(StoreSetting, key)
    if row is None:
        db.add(StoreSetting(key=key, value=value))
    else:
        row.value = value
    await db.flush()
