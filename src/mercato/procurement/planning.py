"""Inventory planning of the wholesale seed (pure functions, whole units).

``calculate_reorder_quantity``: how much to buy so that, with what is already on order, the
shelf gets back to its target (twice the reorder level plus the demand expected during the
supplier's lead time), at least the supplier's minimum order and in whole packs.

``generate_stock_alerts``: CRITICAL below the reorder level (the seed: 15 on the shelf, reorder
level 20), LOW within the warning margin above it; each with its deficit and suggested order.

``forecast_stock_requirements``: demand per day by simple exponential smoothing of the daily
sales, days of cover, the stock-out date and a recommended order for the planning horizon.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum

DEFAULT_LOW_MARGIN = Decimal(50)  # LOW while stock is under reorder level × 1.5
DEFAULT_ALPHA = Decimal("0.3")


def _ceil(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def round_to_pack(quantity: int, pack_size: int) -> int:
    """Up to a whole number of packs (a case of 12 is bought as 12, 24, …)."""
    pack = max(1, pack_size)
    return -(-quantity // pack) * pack


def calculate_reorder_quantity(
    *,
    available: int,
    reorder_level: int,
    moq: int = 1,
    pack_size: int = 1,
    on_order: int = 0,
    daily_demand: Decimal | int = 0,
    lead_time_days: int = 0,
) -> int:
    """Units to order now; 0 when what is on hand and on order already reaches the target.

    target = 2 × reorder level + demand over the lead time; need = target − (available +
    on order); the order is at least ``moq`` and rounded up to whole packs (the minimum
    itself rounded up too, so the result always meets both).
    """
    if reorder_level < 0 or moq < 0 or pack_size < 0 or on_order < 0 or lead_time_days < 0:
        raise ValueError("planning figures must not be negative")
    lead_demand = _ceil(Decimal(daily_demand) * lead_time_days)
    target = 2 * reorder_level + lead_demand
    need = target - (available + on_order)
    if need <= 0:
        return 0
    return round_to_pack(max(need, moq, 1), pack_size)


class Severity(StrEnum):
    CRITICAL = "critical"
    LOW = "low"


@dataclass(frozen=True)
class StockItem:
    """What the planner needs of one product (``available`` = on hand − reserved)."""

    product_id: int
    name: str
    sku: str
    available: int
    reorder_level: int
    moq: int = 1
    pack_size: int = 1
    on_order: int = 0
    daily_demand: Decimal = Decimal(0)
    lead_time_days: int = 0
    unit_cost: int = 0


@dataclass(frozen=True)
class StockAlert:
    product_id: int
    name: str
    sku: str
    severity: Severity
    available: int
    reorder_level: int
    deficit: int  # units below the reorder level (0 for LOW)
    on_order: int
    reorder_quantity: int
    meets_moq: bool
    estimated_cost: int  # reorder quantity × unit cost, minor units
    message: str
    action: str


def classify(
    available: int, reorder_level: int, low_margin: Decimal = DEFAULT_LOW_MARGIN
) -> Severity | None:
    """CRITICAL below the reorder level, LOW under level × (1 + margin %), else None. A
    product without a reorder level (0) is not planned, so it never alerts."""
    if reorder_level <= 0:
        return None
    if available < reorder_level:
        return Severity.CRITICAL
    warning = _ceil(Decimal(reorder_level) * (1 + Decimal(low_margin) / 100))
    if available < warning:
        return Severity.LOW
    return None


def generate_stock_alerts(
    items: Iterable[StockItem], *, low_margin: Decimal = DEFAULT_LOW_MARGIN
) -> list[StockAlert]:
    """Alerts for the products that need attention: critical first, then low, each group by
    how far below its level it is (the worst first), then by name."""
    alerts: list[StockAlert] = []
    for item in items:
        severity = classify(item.available, item.reorder_level, low_margin)
        if severity is None:
            continue
        deficit = max(0, item.reorder_level - item.available)
        qty = calculate_reorder_quantity(
            available=item.available,
            reorder_level=item.reorder_level,
            moq=item.moq,
            pack_size=item.pack_size,
            on_order=item.on_order,
            daily_demand=item.daily_demand,
            lead_time_days=item.lead_time_days,
        )
        if severity is Severity.CRITICAL:
            message = "OUT OF STOCK" if item.available <= 0 else "CRITICAL LOW STOCK"
        else:
            message = "Low stock"
        if qty:
            action = (
                f"Reorder {qty} units now"
                if severity is Severity.CRITICAL
                else f"Plan a reorder of {qty} units"
            )
        else:
            action = f"{item.on_order} units already on order"
        alerts.append(
            StockAlert(
                product_id=item.product_id,
                name=item.name,
                sku=item.sku,
                severity=severity,
                available=item.available,
                reorder_level=item.reorder_level,
                deficit=deficit,
                on_order=item.on_order,
                reorder_quantity=qty,
                meets_moq=qty == 0 or qty >= item.moq,
                estimated_cost=qty * item.unit_cost,
                message=message,
                action=action,
            )
        )
    rank = {Severity.CRITICAL: 0, Severity.LOW: 1}
    alerts.sort(
        key=lambda a: (rank[a.severity], a.available - a.reorder_level, a.name, a.product_id)
    )
    return alerts


@dataclass(frozen=True)
class Forecast:
    daily_demand: Decimal  # smoothed units per day, 2 decimals
    smoothed: tuple[Decimal, ...]  # the level after each day of history (for the chart)
    days_of_cover: Decimal | None  # None when there is no demand
    stockout_date: date | None
    horizon_days: int
    demand_over_horizon: int
    recommended_order: int


def smooth(series: Sequence[int], alpha: Decimal = DEFAULT_ALPHA) -> list[Decimal]:
    """Simple exponential smoothing, started at the mean of the first week so one odd
    first day does not dominate: level = α × today + (1 − α) × level."""
    if not series:
        return []
    a = Decimal(alpha)
    if not 0 < a <= 1:
        raise ValueError("alpha must be in (0, 1]")
    head = series[:7]
    level = Decimal(sum(head)) / len(head)
    out = []
    for units in series:
        level = a * Decimal(units) + (1 - a) * level
        out.append(level)
    return out


def daily_series(sales: Iterable[tuple[date, int]], start: date, end: date) -> list[int]:
    """Units sold per day from ``start`` to ``end`` inclusive, with the days without sales
    as zeros (they are demand information too)."""
    days = (end - start).days + 1
    if days <= 0:
        return []
    series = [0] * days
    for day, units in sales:
        index = (day - start).days
        if 0 <= index < days:
            series[index] += units
    return series


def forecast_stock_requirements(
    series: Sequence[int],
    *,
    available: int,
    today: date,
    on_order: int = 0,
    horizon_days: int = 30,
    lead_time_days: int = 0,
    moq: int = 1,
    pack_size: int = 1,
    alpha: Decimal = DEFAULT_ALPHA,
) -> Forecast:
    """Forecast from the daily sales ``series`` (oldest first, ending yesterday or today).

    The recommended order covers the lead time plus the horizon: need = demand × (lead time
    + horizon) − (available + on order), at least the MOQ, in whole packs; 0 if covered.
    """
    if horizon_days <= 0:
        raise ValueError("horizon_days must be positive")
    levels = smooth(series, alpha)
    demand = (levels[-1] if levels else Decimal(0)).quantize(Decimal("0.01"))
    if demand > 0:
        cover = (Decimal(max(available, 0)) / demand).quantize(Decimal("0.1"))
        whole_days = int((Decimal(max(available, 0)) / demand).to_integral_value(ROUND_FLOOR))
        stockout: date | None = today + timedelta(days=whole_days)
    else:
        cover, stockout = None, None
    over_horizon = _ceil(demand * horizon_days)
    need = _ceil(demand * (horizon_days + lead_time_days)) - (available + on_order)
    recommended = round_to_pack(max(need, moq), pack_size) if need > 0 else 0
    return Forecast(
        daily_demand=demand,
        smoothed=tuple(v.quantize(Decimal("0.01")) for v in levels),
        days_of_cover=cover,
        stockout_date=stockout,
        horizon_days=horizon_days,
        demand_over_horizon=over_horizon,
        recommended_order=recommended,
    )
