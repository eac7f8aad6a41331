"""Wholesale pricing rules as pure functions (seed 002: wholesalePricing.ts and
calculateSuggestedWholesalePrice).

Money is integer minor units (poisha for BDT). Nothing here touches the database: the
service loads a product's terms into a ``Terms`` and asks these functions, so pages, the
cart, checkout, quotes and the API all price a line the same way.

The tier rule: a line's quantity picks ONE unit price, the tier with the highest minimum
the quantity reaches, and that price applies to every unit of the line (100 units at a
50+ tier of ৳135 pay 100 × ৳135). It is not a graduated (per-band) price.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

# Largest quantity one cart line may hold in a wholesale store; beyond it buyers ask for a
# quote. A bound keeps totals far from integer overflow and typos (10000000 units) out.
MAX_WHOLESALE_LINE_QUANTITY = 100_000


@dataclass(frozen=True, slots=True)
class Tier:
    min_qty: int
    unit_price: int  # minor units


@dataclass(frozen=True, slots=True)
class Terms:
    """A product's wholesale terms. ``tiers`` are kept sorted by ``min_qty``."""

    wholesale_price: int  # unit price when the quantity reaches no tier
    moq: int = 1
    order_multiple: int = 1  # case pack: quantities are whole cases
    tiers: tuple[Tier, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "tiers", tuple(sorted(self.tiers, key=lambda t: t.min_qty)))


@dataclass(frozen=True, slots=True)
class LinePrice:
    quantity: int
    unit_price: int
    line_total: int
    tier: Tier | None  # the tier applied; None = the plain wholesale price
    full_price_total: int  # quantity × the price at the MOQ, to show the saving
    saving: int  # full_price_total - line_total (never negative)


@dataclass(frozen=True, slots=True)
class NextTier:
    """What the buyer gains by reaching the next tier (getNextTierBenefit)."""

    add_quantity: int  # units to add ("add 10 more")
    target_quantity: int  # quantity after adding
    unit_price: int  # the next tier's unit price ("to pay ৳135/unit")
    saving: int  # (current unit price − next unit price) × target quantity ("save ৳500")


@dataclass(frozen=True, slots=True)
class QuantityProblem:
    """Why a quantity cannot be ordered, and the one-click fix."""

    code: str  # "below_moq" | "not_multiple" | "too_many"
    message: str
    fix_quantity: int | None  # the nearest quantity that can be ordered, None if none


# ---------------------------------------------------------------- terms


def check_terms(terms: Terms) -> list[tuple[str, str]]:
    """Problems with terms an admin typed, as (field, message); empty when sound."""
    problems: list[tuple[str, str]] = []
    if terms.wholesale_price <= 0:
        problems.append(("wholesale_price", "The wholesale price must be above zero."))
    if terms.moq < 1:
        problems.append(("moq", "The minimum order quantity is at least 1."))
    if terms.order_multiple < 1:
        problems.append(("order_multiple", "The order multiple (case pack) is at least 1."))
    previous: Tier | None = None
    for index, tier in enumerate(terms.tiers):
        field = f"tiers.{index}"
        if tier.min_qty < 1:
            problems.append((f"{field}.min_qty", "A tier starts at 1 unit or more."))
        elif tier.min_qty < terms.moq:
            problems.append(
                (f"{field}.min_qty", f"A tier below the MOQ ({terms.moq}) would never apply.")
            )
        if tier.unit_price <= 0:
            problems.append((f"{field}.unit_price", "A tier's unit price must be above zero."))
        if previous is not None:
            if tier.min_qty == previous.min_qty:
                problems.append((f"{field}.min_qty", "Two tiers start at the same quantity."))
            elif tier.unit_price > previous.unit_price:
                problems.append(
                    (
                        f"{field}.unit_price",
                        "A larger tier must not cost more per unit than a smaller one.",
                    )
                )
        elif tier.unit_price > terms.wholesale_price > 0:
            problems.append(
                (f"{field}.unit_price", "A tier must not cost more than the wholesale price.")
            )
        previous = tier
    return problems


def tier_for(terms: Terms, quantity: int) -> Tier | None:
    """The tier whose minimum ``quantity`` reaches with the highest minimum, or None."""
    chosen = None
    for tier in terms.tiers:
        if quantity >= tier.min_qty:
            chosen = tier
        else:
            break
    return chosen


def unit_price_for(terms: Terms, quantity: int) -> int:
    tier = tier_for(terms, quantity)
    return tier.unit_price if tier is not None else terms.wholesale_price


def headline_price(terms: Terms) -> int:
    """The price a buyer pays per unit at the minimum order: the card's "wholesale price"."""
    return unit_price_for(terms, valid_quantity_at_least(terms, terms.moq))


def price_line(terms: Terms, quantity: int) -> LinePrice:
    """calculateWholesalePrice: the tier price applied to all units of the line."""
    if quantity < 0:
        raise ValueError("quantity must not be negative")
    tier = tier_for(terms, quantity)
    unit = tier.unit_price if tier is not None else terms.wholesale_price
    total = unit * quantity
    full = headline_price(terms) * quantity
    return LinePrice(quantity, unit, total, tier, full, max(0, full - total))


def next_tier_benefit(terms: Terms, quantity: int) -> NextTier | None:
    """getNextTierBenefit: the next tier above ``quantity`` (the lowest minimum it does not
    reach, counted up to an orderable quantity) and what reaching it saves; None at the top
    tier or when no tier is cheaper."""
    current = unit_price_for(terms, max(quantity, 0))
    for tier in terms.tiers:
        if tier.min_qty <= quantity or tier.unit_price >= current:
            continue
        target = valid_quantity_at_least(terms, tier.min_qty)
        unit = unit_price_for(terms, target)
        return NextTier(target - max(quantity, 0), target, unit, (current - unit) * target)
    return None


def tier_rows(terms: Terms) -> list[tuple[int, int | None, int]]:
    """The tier table: (from, to or None for "and more", unit price). Quantities below the
    first tier (from the MOQ) pay the wholesale price and get their own first row."""
    rows: list[tuple[int, int | None, int]] = []
    tiers = list(terms.tiers)
    if not tiers or tiers[0].min_qty > terms.moq:
        upper = tiers[0].min_qty - 1 if tiers else None
        rows.append((terms.moq, upper, terms.wholesale_price))
    for index, tier in enumerate(tiers):
        upper = tiers[index + 1].min_qty - 1 if index + 1 < len(tiers) else None
        rows.append((tier.min_qty, upper, tier.unit_price))
    return rows


def top_tier_min(terms: Terms) -> int | None:
    return terms.tiers[-1].min_qty if terms.tiers else None


# ---------------------------------------------------------------- quantities


def _round_up(value: int, step: int) -> int:
    return -(-value // step) * step


def valid_quantity_at_least(terms: Terms, quantity: int) -> int:
    """The smallest orderable quantity ≥ ``quantity``: at least the MOQ, in whole cases."""
    step = max(terms.order_multiple, 1)
    return _round_up(max(quantity, terms.moq, 1), step)


def is_valid_quantity(terms: Terms, quantity: int) -> bool:
    return quantity >= max(terms.moq, 1) and quantity % max(terms.order_multiple, 1) == 0


def check_quantity(
    terms: Terms, quantity: int, *, name: str = "this product", limit: int | None = None
) -> QuantityProblem | None:
    """validateWholesaleOrder for one line: None when ``quantity`` can be ordered, else the
    problem with the nearest orderable quantity as the one-click fix (rounded up, so the
    buyer never silently gets less than asked; within ``limit`` when one is given)."""
    limit = MAX_WHOLESALE_LINE_QUANTITY if limit is None else limit
    step = max(terms.order_multiple, 1)
    if quantity > limit:
        largest = (limit // step) * step
        return QuantityProblem(
            "too_many",
            f"At most {limit:,} units of {name} per order line; ask for a quote for more.",
            largest if largest >= terms.moq else None,
        )
    if is_valid_quantity(terms, quantity):
        return None
    fix_quantity: int | None = valid_quantity_at_least(terms, quantity)
    if fix_quantity is not None and fix_quantity > limit:
        fix_quantity = None
    if quantity < terms.moq:
        message = f"The minimum order for {name} is {terms.moq} units."
        if step > 1:
            message += f" It is sold in cases of {step}."
        return QuantityProblem("below_moq", message, fix_quantity)
    return QuantityProblem(
        "not_multiple",
        f"{name[:1].upper()}{name[1:]} is sold in cases of {step}: "
        f"order a multiple of {step} units.",
        fix_quantity,
    )


# ---------------------------------------------------------------- suggested price


def calculate_suggested_wholesale_price(
    cost: int, target_margin: Decimal | int | str, *, step: int = 1
) -> int:
    """The lowest price (minor units, a multiple of ``step``) whose margin on the selling
    price is at least ``target_margin`` percent: price = cost ÷ (1 − margin). Margin is
    profit over revenue, as the seed's reports show it (5,500 ÷ 13,500 = 40.74 %). Rounded
    up, never down, so the margin reached is never below the target."""
    margin = Decimal(str(target_margin))
    if cost < 0:
        raise ValueError("cost must not be negative")
    if not Decimal(0) <= margin < Decimal(100):
        raise ValueError("target margin must be at least 0 % and below 100 %")
    if step < 1:
        raise ValueError("step must be at least 1")
    exact = Decimal(cost) * 100 / (100 - margin)
    units = int((exact / step).to_integral_value(rounding=ROUND_CEILING))
    return units * step


def margin_percent(price: int, cost: int) -> Decimal:
    """(price − cost) ÷ price in percent, two decimals; 0 for a zero price."""
    if price <= 0:
        return Decimal(0)
    return (Decimal(price - cost) * 100 / Decimal(price)).quantize(Decimal("0.01"))
