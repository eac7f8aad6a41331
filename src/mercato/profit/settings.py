"""The profit configuration (seed: ``POST /api/admin/profit-config``): typed settings in
categories, each change a new row, so the table is also the history.

Only known keys are accepted, each with its type and range; a value equal to the one in
force writes nothing (the history shows changes, not clicks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.errors import NotFound, ValidationFailed
from mercato.models import User
from mercato.models.catalog import Product
from mercato.models.profit import ProductProfitRate, ProfitSetting

PLATFORM = "platform_profit_percentage"
SELLER = "seller_profit_percentage"
LOW_MARGIN = "low_stock_margin_percentage"
HORIZON = "forecast_horizon_days"
ALPHA = "forecast_smoothing_alpha"
LEAD_TIME = "default_lead_time_days"
WEEKLY_REPORT = "weekly_report_enabled"


def _percent(raw: str) -> str:
    value = Decimal(raw)
    if not value.is_finite() or not 0 <= value <= 100:
        raise ValueError("Enter a percentage from 0 to 100.")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("Use at most two decimals.")
    return f"{value:.2f}"


def _days(raw: str) -> str:
    value = Decimal(raw)
    if value != value.to_integral_value() or not 0 <= value <= 365:
        raise ValueError("Enter a whole number of days from 0 to 365.")
    return str(int(value))


def _horizon(raw: str) -> str:
    text = _days(raw)
    if int(text) < 1:
        raise ValueError("The horizon is at least one day.")
    return text


def _alpha(raw: str) -> str:
    value = Decimal(raw)
    if not value.is_finite() or not Decimal("0.01") <= value <= 1:
        raise ValueError("Enter a smoothing factor from 0.01 to 1.")
    return f"{value.quantize(Decimal('0.01'))}"


def _flag(raw: str) -> str:
    text = raw.strip().lower()
    if text in ("true", "1", "yes", "on"):
        return "true"
    if text in ("false", "0", "no", "off"):
        return "false"
    raise ValueError("Enter true or false.")


@dataclass(frozen=True)
class Spec:
    key: str
    category: str
    label: str
    default: str
    parse: Callable[[str], str]
    kind: str  # percent, days, decimal, bool: how forms show it


SPECS: dict[str, Spec] = {
    s.key: s
    for s in (
        Spec(PLATFORM, "profit", "Platform profit %", "15.00", _percent, "percent"),
        Spec(SELLER, "profit", "Seller profit % (of what remains)", "20.00", _percent, "percent"),
        Spec(
            LOW_MARGIN,
            "inventory",
            "Low-stock warning above reorder level %",
            "50.00",
            _percent,
            "percent",
        ),
        Spec(LEAD_TIME, "inventory", "Default supplier lead time (days)", "5", _days, "days"),
        Spec(HORIZON, "inventory", "Forecast horizon (days)", "30", _horizon, "days"),
        Spec(ALPHA, "inventory", "Forecast smoothing factor", "0.30", _alpha, "decimal"),
        Spec(WEEKLY_REPORT, "reports", "Email the weekly profit report", "true", _flag, "bool"),
    )
}
CATEGORIES = ("profit", "inventory", "reports")


async def current(db: AsyncSession) -> dict[str, str]:
    """Every setting in force (newest row per key, else the default), as canonical text."""
    newest = (
        select(ProfitSetting.key, func.max(ProfitSetting.id).label("id"))
        .group_by(ProfitSetting.key)
        .subquery()
    )
    rows = await db.execute(
        select(ProfitSetting.key, ProfitSetting.value).join(newest, newest.c.id == ProfitSetting.id)
    )
    values = {key: spec.default for key, spec in SPECS.items()}
    values.update({k: v for k, v in rows.all() if k in SPECS})
    return values


def decimal(values: dict[str, str], key: str) -> Decimal:
    return Decimal(values[key])


def as_typed(key: str, value: str) -> Any:
    kind = SPECS[key].kind
    if kind == "bool":
        return value == "true"
    if kind == "days":
        return int(value)
    return Decimal(value)


async def set_value(
    db: AsyncSession,
    key: str,
    value: Any,
    *,
    category: str | None = None,
    actor: User | None = None,
    note: str = "",
) -> tuple[ProfitSetting | None, str]:
    """Validate and record a new value; returns (the new row or None if unchanged, value)."""
    spec = SPECS.get(key)
    if spec is None:
        raise ValidationFailed(f"Unknown setting {key!r}.", field="key")
    if category is not None and category != spec.category:
        raise ValidationFailed(
            f"{key} belongs to the {spec.category!r} category.", field="category"
        )
    raw = str(value).strip() if not isinstance(value, bool) else str(value).lower()
    try:
        canonical = spec.parse(raw)
    except (ValueError, InvalidOperation) as exc:
        message = str(exc) if isinstance(exc, ValueError) and str(exc) else "Enter a number."
        if isinstance(exc, InvalidOperation) or "decimal" in message.lower():
            message = "Enter a number."
        raise ValidationFailed(message, field="value") from None
    values = await current(db)
    if values[key] == canonical:
        return None, canonical
    row = ProfitSetting(
        key=key,
        category=spec.category,
        value=canonical,
        note=" ".join(note.split())[:300],
        changed_by=actor.id if actor else None,
    )
    db.add(row)
    await db.flush()
    return row, canonical


async def history(
    db: AsyncSession, *, key: str | None = None, limit: int = 100
) -> list[ProfitSetting]:
    stmt = select(ProfitSetting).order_by(ProfitSetting.id.desc()).limit(limit)
    if key:
        stmt = stmt.where(ProfitSetting.key == key)
    return list(await db.scalars(stmt))


# Per-product platform %


async def product_rates(db: AsyncSession, product_ids: Iterable[int]) -> dict[int, Decimal]:
    ids = list({int(i) for i in product_ids})
    if not ids:
        return {}
    rows = await db.execute(
        select(ProductProfitRate.product_id, ProductProfitRate.platform_bp).where(
            ProductProfitRate.product_id.in_(ids)
        )
    )
    return {pid: Decimal(bp) / 100 for pid, bp in rows.all()}


async def all_product_rates(db: AsyncSession) -> list[tuple[ProductProfitRate, Product]]:
    rows = await db.execute(
        select(ProductProfitRate, Product)
        .join(Product, Product.id == ProductProfitRate.product_id)
        .order_by(Product.name, Product.id)
    )
    return [(r, p) for r, p in rows.all()]


async def set_product_rate(
    db: AsyncSession, product_id: int, percentage: Any, *, actor: User | None = None
) -> Decimal | None:
    """Set (or with None / "" clear) a product's own platform %; returns what is in force."""
    product = await db.get(Product, product_id)
    if product is None or product.deleted_at is not None:
        raise NotFound("We could not find that product.", field="product_id")
    existing = await db.get(ProductProfitRate, product_id)
    if percentage is None or str(percentage).strip() == "":
        if existing is not None:
            await db.execute(
                delete(ProductProfitRate).where(ProductProfitRate.product_id == product_id)
            )
            await db.flush()
        return None
    try:
        canonical = Decimal(_percent(str(percentage).strip()))
    except (ValueError, InvalidOperation) as exc:
        message = (
            str(exc) if isinstance(exc, ValueError) and "decimal" not in str(exc).lower() else ""
        )
        raise ValidationFailed(message or "Enter a number.", field="platform_percentage") from None
    bp = int(canonical * 100)
    if existing is None:
        db.add(
            ProductProfitRate(
                product_id=product_id, platform_bp=bp, updated_by=actor.id if actor else None
            )
        )
    else:
        existing.platform_bp = bp
        existing.updated_by = actor.id if actor else None
    await db.flush()
    return canonical
