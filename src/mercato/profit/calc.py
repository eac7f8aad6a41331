"""Profit arithmetic of the wholesale seed (pure functions, integer minor units).

The seed's flow for one line: revenue = unit price × quantity, cost = unit cost × quantity,
gross = revenue − cost, platform = gross × platform %, remaining = gross − platform,
seller = remaining × seller %, final platform = gross − seller.

Rounding rule (DESIGN.md §4): percentages are ``Decimal``; the two shares that need a
percentage (platform, seller) are rounded half-up **once per line**, and the other figures are
differences, so ``platform + remaining == gross`` and ``seller + final_platform == gross``
hold exactly on every line and therefore on every order (order figures are sums of lines).
A line sold at or below cost shares nothing: the seller's share is 0 and the platform
carries the loss (a seller is a profit partner, not a loss partner).

Also ``calculate_suggested_wholesale_price`` (price for a target margin on the price).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from mercato.kit.money import half_up

HUNDRED = Decimal(100)


def _percent(value: Decimal | int | str, name: str) -> Decimal:
    rate = Decimal(value)
    if not rate.is_finite() or rate < 0 or rate > HUNDRED:
        raise ValueError(f"{name} must be between 0 and 100, got {value!r}")
    return rate


@dataclass(frozen=True)
class LineProfit:
    quantity: int
    unit_price: int
    unit_cost: int
    revenue: int
    cost: int
    gross_profit: int
    platform_share: int  # gross × platform %
    remaining: int  # gross − platform share
    seller_share: int  # remaining × seller %
    final_platform: int  # gross − seller share
    platform_percentage: Decimal
    seller_percentage: Decimal

    @property
    def profit_per_unit(self) -> int:
        """The seed's ``profitPerUnit``: what one unit earns before sharing."""
        return self.unit_price - self.unit_cost

    @property
    def margin_bp(self) -> int:
        return margin_bp(self.gross_profit, self.revenue)


def calculate_product_profit(
    *,
    quantity: int,
    unit_price: int,
    unit_cost: int,
    platform_percentage: Decimal | int | str,
    seller_percentage: Decimal | int | str,
) -> LineProfit:
    """One order line's breakdown (the seed's ``calculateProductProfit``)."""
    for name, value in (("quantity", quantity), ("unit_price", unit_price)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{name} must be a non-negative int")
    if not isinstance(unit_cost, int) or isinstance(unit_cost, bool) or unit_cost < 0:
        raise ValueError("unit_cost must be a non-negative int")
    platform_rate = _percent(platform_percentage, "platform_percentage")
    seller_rate = _percent(seller_percentage, "seller_percentage")
    revenue = unit_price * quantity
    cost = unit_cost * quantity
    gross = revenue - cost
    if gross > 0:
        platform = half_up(Decimal(gross) * platform_rate / HUNDRED)
        remaining = gross - platform
        seller = half_up(Decimal(remaining) * seller_rate / HUNDRED)
    else:
        platform, remaining, seller = gross, 0, 0
    return LineProfit(
        quantity=quantity,
        unit_price=unit_price,
        unit_cost=unit_cost,
        revenue=revenue,
        cost=cost,
        gross_profit=gross,
        platform_share=platform,
        remaining=remaining,
        seller_share=seller,
        final_platform=gross - seller,
        platform_percentage=platform_rate,
        seller_percentage=seller_rate,
    )


@dataclass(frozen=True)
class OrderProfit:
    lines: tuple[LineProfit, ...]
    revenue: int = 0
    cost: int = 0
    gross_profit: int = 0
    platform_share: int = 0
    remaining: int = 0
    seller_share: int = 0
    final_platform: int = 0

    @property
    def margin_bp(self) -> int:
        return margin_bp(self.gross_profit, self.revenue)


def calculate_order_profit(lines: Iterable[LineProfit]) -> OrderProfit:
    """The order's figures are the sums of its lines (the seed's ``calculateOrderProfit``)."""
    items = tuple(lines)
    return OrderProfit(
        lines=items,
        revenue=sum(i.revenue for i in items),
        cost=sum(i.cost for i in items),
        gross_profit=sum(i.gross_profit for i in items),
        platform_share=sum(i.platform_share for i in items),
        remaining=sum(i.remaining for i in items),
        seller_share=sum(i.seller_share for i in items),
        final_platform=sum(i.final_platform for i in items),
    )


def margin_bp(profit: int, revenue: int) -> int:
    """Margin on revenue in basis points, half-up (5,500 of 13,500 → 4074 = 40.74 %)."""
    if revenue == 0:
        return 0
    return half_up(Decimal(profit) * 10_000 / Decimal(revenue))


def format_bp(bp: int) -> str:
    """Basis points as a percentage with two decimals: 4074 → "40.74 %"."""
    return f"{Decimal(bp) / 100:.2f} %"


def calculate_suggested_wholesale_price(unit_cost: int, target_margin: Decimal | int | str) -> int:
    """The lowest price (minor units) whose margin on price reaches ``target_margin`` %:
    price = cost / (1 − margin), rounded up so the margin is never below the target."""
    margin = _percent(target_margin, "target_margin")
    if margin >= HUNDRED:
        raise ValueError("a margin of 100 % needs a cost of zero")
    if unit_cost < 0:
        raise ValueError("unit_cost must not be negative")
    price = Decimal(unit_cost) * HUNDRED / (HUNDRED - margin)
    return int(price.to_integral_value(rounding=ROUND_CEILING))


@dataclass(frozen=True)
class Reversal:
    """Amounts to take back from a line (all non-negative; the ledger stores them negated)."""

    quantity: int
    revenue: int
    cost: int
    gross_profit: int
    platform_share: int
    seller_share: int
    final_platform: int


def reverse_fraction(line: Reversal, amount: int, order_total: int) -> Reversal:
    """The share ``amount / order_total`` of one line's net figures, for a partial refund.

    Revenue, cost, platform and seller shares are each rounded half-up once; gross and
    final platform are differences, so the reversed line adds up like a sale line does.
    A money refund returns no units by itself (restocking is a separate stock movement).
    """
    if order_total <= 0 or amount <= 0:
        return Reversal(0, 0, 0, 0, 0, 0, 0)
    share = min(Decimal(amount) / Decimal(order_total), Decimal(1))

    def part(value: int) -> int:
        return half_up(Decimal(value) * share)

    revenue, cost, seller = part(line.revenue), part(line.cost), part(line.seller_share)
    gross = revenue - cost
    return Reversal(
        quantity=0,
        revenue=revenue,
        cost=cost,
        gross_profit=gross,
        platform_share=part(line.platform_share),
        seller_share=seller,
        final_platform=gross - seller,
    )
