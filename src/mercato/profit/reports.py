"""Profit reports from the ledger: totals, margin, and breakdowns per period, product, seller
and order, for everyone (admins) or one seller's part.

A seller's part is the rows of their own products, and of those figures they see revenue,
cost, gross profit and their own share; the platform's percentages and shares are left out
(the seed's matrix: "View Profit %" is admin only).

Rows are read once per report (only the columns needed, through the occurred_at and
seller/product indexes) and grouped in Python, because periods are store-local days, weeks
and months, which neither engine groups the same way.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.errors import ValidationFailed
from mercato.models.profit import ProfitEntry
from mercato.profit.calc import format_bp, margin_bp

GROUPS = ("day", "week", "month")
FIGURES = (
    "revenue",
    "cost",
    "gross_profit",
    "platform_share",
    "seller_share",
    "final_platform",
)
SELLER_FIGURES = ("revenue", "cost", "gross_profit", "seller_share")
MAX_DAYS = 3 * 366


@dataclass
class Totals:
    label: str = ""
    key: str = ""
    quantity: int = 0
    revenue: int = 0
    cost: int = 0
    gross_profit: int = 0
    platform_share: int = 0
    seller_share: int = 0
    final_platform: int = 0
    orders: set[int] = field(default_factory=set)
    first_at: datetime | None = None  # the first row's time: an order's sale

    def add(self, row: ProfitRow) -> None:
        if self.first_at is None or row.occurred_at < self.first_at:
            self.first_at = row.occurred_at
        self.quantity += row.quantity
        self.revenue += row.revenue
        self.cost += row.cost
        self.gross_profit += row.gross_profit
        self.platform_share += row.platform_share
        self.seller_share += row.seller_share
        self.final_platform += row.final_platform
        self.orders.add(row.order_id)

    @property
    def margin_bp(self) -> int:
        return margin_bp(self.gross_profit, self.revenue)

    @property
    def margin(self) -> str:
        return format_bp(self.margin_bp)

    def as_dict(self, figures: tuple[str, ...]) -> dict[str, object]:
        out: dict[str, object] = {"key": self.key, "label": self.label, "quantity": self.quantity}
        out.update({f: getattr(self, f) for f in figures})
        out["margin_percent"] = f"{self.margin_bp / 100:.2f}"
        out["orders"] = len(self.orders)
        return out


@dataclass(frozen=True)
class ProfitRow:
    order_id: int
    order_number: str
    product_id: int | None
    seller_id: int | None
    sku: str
    name: str
    quantity: int
    revenue: int
    cost: int
    gross_profit: int
    platform_share: int
    seller_share: int
    final_platform: int
    occurred_at: datetime


@dataclass
class Report:
    start: date
    end: date  # inclusive, store-local
    group: str
    currency: str
    seller_id: int | None
    totals: Totals
    periods: list[Totals]
    products: list[Totals]
    sellers: list[Totals]
    orders: list[Totals]

    @property
    def figures(self) -> tuple[str, ...]:
        return SELLER_FIGURES if self.seller_id is not None else FIGURES

    def as_dict(self) -> dict[str, object]:
        f = self.figures
        data: dict[str, object] = {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "group": self.group,
            "currency": self.currency,
            "scope": "seller" if self.seller_id is not None else "all",
            "totals": self.totals.as_dict(f),
            "periods": [p.as_dict(f) for p in self.periods],
            "products": [p.as_dict(f) for p in self.products],
            "orders": [o.as_dict(f) for o in self.orders],
        }
        if self.seller_id is None:
            data["sellers"] = [s.as_dict(f) for s in self.sellers]
        return data


def parse_range(
    start: str | None, end: str | None, *, today: date, default_days: int = 90
) -> tuple[date, date]:
    try:
        last = date.fromisoformat(end) if end else today
        first = date.fromisoformat(start) if start else last - timedelta(days=default_days - 1)
    except ValueError:
        raise ValidationFailed(
            "Dates look like 2026-11-30.", field="from" if start else "to"
        ) from None
    if first > last:
        raise ValidationFailed("The start is after the end.", field="from")
    if (last - first).days > MAX_DAYS:
        raise ValidationFailed("Ask for at most three years at a time.", field="from")
    return first, last


def _bucket(moment: date, group: str) -> tuple[str, str]:
    if group == "month":
        return moment.strftime("%Y-%m"), moment.strftime("%b %Y")
    if group == "week":
        monday = moment - timedelta(days=moment.weekday())
        return monday.isoformat(), f"Week of {monday.strftime('%d %b')}"
    return moment.isoformat(), moment.strftime("%d %b")


def _buckets(first: date, last: date, group: str) -> list[tuple[str, str]]:
    """Every period of the range, so a chart shows quiet periods as zero, not as gaps."""
    seen: dict[str, str] = {}
    day = first
    while day <= last:
        key, label = _bucket(day, group)
        seen.setdefault(key, label)
        day += timedelta(days=1)
    return list(seen.items())


async def load_rows(
    db: AsyncSession, start: datetime, end: datetime, *, seller_id: int | None
) -> list[ProfitRow]:
    stmt = (
        select(
            ProfitEntry.order_id,
            ProfitEntry.order_number,
            ProfitEntry.product_id,
            ProfitEntry.seller_id,
            ProfitEntry.sku,
            ProfitEntry.name,
            ProfitEntry.quantity,
            ProfitEntry.revenue,
            ProfitEntry.cost,
            ProfitEntry.gross_profit,
            ProfitEntry.platform_share,
            ProfitEntry.seller_share,
            ProfitEntry.final_platform,
            ProfitEntry.occurred_at,
        )
        .where(ProfitEntry.occurred_at >= start, ProfitEntry.occurred_at < end)
        .order_by(ProfitEntry.occurred_at, ProfitEntry.id)
    )
    if seller_id is not None:
        stmt = stmt.where(ProfitEntry.seller_id == seller_id)
    return [ProfitRow(*r) for r in (await db.execute(stmt)).all()]


async def build(
    db: AsyncSession,
    *,
    start: date,
    end: date,
    timezone: str,
    currency: str,
    group: str = "week",
    seller_id: int | None = None,
    seller_names: dict[int, str] | None = None,
    top: int = 10,
) -> Report:
    if group not in GROUPS:
        raise ValidationFailed("Group by day, week or month.", field="group")
    zone = ZoneInfo(timezone)
    lower = datetime.combine(start, time.min, zone).astimezone(UTC)
    upper = datetime.combine(end + timedelta(days=1), time.min, zone).astimezone(UTC)
    rows = await load_rows(db, lower, upper, seller_id=seller_id)
    totals = Totals(label="Total", key="total")
    periods = {key: Totals(label=label, key=key) for key, label in _buckets(start, end, group)}
    products: dict[str, Totals] = {}
    sellers: dict[str, Totals] = {}
    orders: dict[str, Totals] = {}
    names = seller_names or {}
    for row in rows:
        totals.add(row)
        local = row.occurred_at.astimezone(zone).date()
        key, label = _bucket(local, group)
        periods.setdefault(key, Totals(label=label, key=key)).add(row)
        pkey = str(row.product_id or row.sku)
        products.setdefault(pkey, Totals(label=f"{row.name} ({row.sku})", key=pkey)).add(row)
        skey = str(row.seller_id) if row.seller_id is not None else "platform"
        slabel = (
            names.get(row.seller_id, f"Seller {row.seller_id}") if row.seller_id else "Platform"
        )
        sellers.setdefault(skey, Totals(label=slabel, key=skey)).add(row)
        orders.setdefault(
            row.order_number, Totals(label=row.order_number, key=row.order_number)
        ).add(row)
    by_profit = sorted(products.values(), key=lambda t: (-t.gross_profit, t.label))
    return Report(
        start=start,
        end=end,
        group=group,
        currency=currency,
        seller_id=seller_id,
        totals=totals,
        periods=sorted(periods.values(), key=lambda t: t.key),
        products=by_profit[:top] if top else by_profit,
        sellers=sorted(sellers.values(), key=lambda t: (-t.gross_profit, t.label)),
        # Newest first by the sale's time (reversals come later but keep the order in place).
        orders=sorted(
            orders.values(),
            key=lambda t: (min_time(t), t.key),
            reverse=True,
        ),
    )


def min_time(totals: Totals) -> datetime:
    return totals.first_at or datetime.min.replace(tzinfo=UTC)


def to_csv(report: Report) -> str:
    """One line per order, then the total: the same figures as the page, in minor units."""
    out = io.StringIO()
    writer = csv.writer(out)
    figures = list(report.figures)
    writer.writerow(["order", "quantity", *figures, "margin_percent", "currency"])
    for row in [*report.orders, report.totals]:
        data = row.as_dict(report.figures)
        writer.writerow(
            [
                row.label,
                data["quantity"],
                *(data[f] for f in figures),
                data["margin_percent"],
                report.currency,
            ]
        )
    return out.getvalue()


def default_range(today: date) -> tuple[date, date]:
    return today - timedelta(days=89), today


def store_today(timezone: str, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(timezone)).date()


def group_totals(rows: list[Totals]) -> dict[str, int]:
    sums: dict[str, int] = defaultdict(int)
    for row in rows:
        for f in FIGURES:
            sums[f] += getattr(row, f)
    return dict(sums)
