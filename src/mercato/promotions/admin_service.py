"""Reading and saving the admin's voucher and catalogue-promotion forms.

Every problem of a form is collected per field (so the page shows them all at once, with
what was typed kept) before anything is written: a form with an error changes nothing.
Money is typed in major units and stored in minor units; percentages are typed as "15" or
"12.5" and stored in basis points; dates are typed in the store's time zone and stored UTC.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog.admin_forms import FormError, format_amount, parse_amount
from mercato.kit.i18n import _
from mercato.kit.money import minor_digits
from mercato.models.catalog import Category, Product
from mercato.models.promotions import Promotion, PromotionKind, Voucher, VoucherKind

CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,39}$")
# "12.500.000" or "12 500 000" for a currency without decimals (how Vietnamese write đồng)
_GROUPED_WHOLE = re.compile(r"^\d{1,3}(?:[.\s]\d{3})+$")
MAX_LIMIT = 10_000_000
VOUCHER_FIELDS = (
    "code",
    "description",
    "kind",
    "value",
    "max_discount",
    "min_order",
    "products",
    "starts_at",
    "ends_at",
    "usage_limit",
    "per_customer_limit",
    "is_active",
)
PROMOTION_FIELDS = ("name", "kind", "value", "products", "starts_at", "ends_at", "is_active")


@dataclass
class Parsed:
    """What a form gave: the model's values, or the messages per field."""

    data: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def form_values(form: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The typed values, trimmed and bounded, plus the chosen category ids."""
    values: dict[str, Any] = {name: str(form.get(name) or "").strip()[:2000] for name in names}
    values["categories"] = [
        str(v) for v in form.getlist("categories") if str(v).isdigit() and len(str(v)) < 12
    ]
    return values


def money(raw: str, currency: str) -> int:
    text = raw.replace("₫", "").strip()
    if minor_digits(currency) == 0 and _GROUPED_WHOLE.match(text):
        text = re.sub(r"[.\s]", "", text)
    try:
        return parse_amount(text, currency)
    except FormError as exc:
        raise FormError(_("Enter an amount such as 150000.")) from exc


def basis_points(raw: str) -> int:
    try:
        value = Decimal(raw.replace(",", ".").replace("%", "").strip()) * 100
    except InvalidOperation as exc:
        raise FormError(_("Enter a percentage such as 10 or 12.5.")) from exc
    if value != value.to_integral_value() or not 0 < value <= 10_000:
        raise FormError(_("Enter a percentage above 0 and at most 100, two decimals at most."))
    return int(value)


def percent_text(bp: int) -> str:
    return f"{Decimal(bp) / 100:f}".rstrip("0").rstrip(".")


def local_datetime(raw: str, timezone: str) -> datetime | None:
    """The value of a datetime-local input, read in the store's zone, as UTC."""
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw[:19])
    except ValueError as exc:
        raise FormError(_("Enter a date and time such as 2026-12-24 08:00.")) from exc
    return value.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def local_input(value: datetime | None, timezone: str) -> str:
    return value.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%dT%H:%M") if value else ""


def count(raw: str) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) <= MAX_LIMIT:
        raise FormError(_("Enter a whole number of at least 1, or leave it empty."))
    return int(raw)


async def _scope(db: AsyncSession, values: Mapping[str, Any], parsed: Parsed) -> None:
    """Product SKUs typed with commas and categories ticked, checked against the catalogue."""
    skus = [s.strip() for s in re.split(r"[,\s]+", values.get("products", "")) if s.strip()]
    products: list[int] = []
    if skus:
        found = dict(
            (await db.execute(select(Product.sku, Product.id).where(Product.sku.in_(skus)))).all()
        )
        unknown = [s for s in skus if s not in found]
        if unknown:
            parsed.errors["products"] = _(
                "No product has the SKU %(skus)s.", skus=", ".join(unknown)
            )
        products = sorted({found[s] for s in skus if s in found})
    wanted = {int(c) for c in values.get("categories", [])}
    categories: list[int] = []
    if wanted:
        categories = sorted(await db.scalars(select(Category.id).where(Category.id.in_(wanted))))
        if len(categories) != len(wanted):
            parsed.errors["categories"] = _("Choose categories from the list.")
    parsed.data["product_ids"] = products
    parsed.data["category_ids"] = categories


def _period(values: Mapping[str, Any], timezone: str, parsed: Parsed) -> None:
    for name in ("starts_at", "ends_at"):
        try:
            parsed.data[name] = local_datetime(values.get(name, ""), timezone)
        except FormError as exc:
            parsed.errors[name] = str(exc)
    starts, ends = parsed.data.get("starts_at"), parsed.data.get("ends_at")
    if starts and ends and ends <= starts and "ends_at" not in parsed.errors:
        parsed.errors["ends_at"] = _("The end must come after the start.")


async def read_voucher(
    db: AsyncSession,
    values: Mapping[str, Any],
    *,
    currency: str,
    timezone: str,
    voucher: Voucher | None,
) -> Parsed:
    parsed = Parsed()
    code = values.get("code", "").upper()
    if not CODE.match(code):
        parsed.errors["code"] = _(
            "Use 3 to 40 letters A–Z, digits, dashes or underscores, without spaces."
        )
    elif await db.scalar(
        select(Voucher.id).where(Voucher.code == code, Voucher.id != (voucher.id if voucher else 0))
    ):
        parsed.errors["code"] = _("Another voucher already has this code.")
    parsed.data["code"] = code
    parsed.data["description"] = values.get("description", "")[:300]
    kind = values.get("kind", "")
    if kind not in set(VoucherKind):
        parsed.errors["kind"] = _("Choose the kind of discount.")
    parsed.data["kind"] = kind
    try:
        if kind == VoucherKind.PERCENT:
            parsed.data["value"] = basis_points(values.get("value", ""))
        elif kind == VoucherKind.FIXED:
            parsed.data["value"] = money(values.get("value", ""), currency)
            if parsed.data["value"] <= 0:
                raise FormError(_("Enter an amount above 0."))
        else:
            parsed.data["value"] = 0
    except FormError as exc:
        parsed.errors["value"] = str(exc)
    for name in ("min_order", "max_discount"):
        raw = values.get(name, "")
        try:
            parsed.data[name] = (
                money(raw, currency) if raw else (0 if name == "min_order" else None)
            )
        except FormError as exc:
            parsed.errors[name] = str(exc)
    if kind != VoucherKind.PERCENT:
        parsed.data["max_discount"] = None  # a cap only means something for a percentage
    for name in ("usage_limit", "per_customer_limit"):
        try:
            parsed.data[name] = count(values.get(name, ""))
        except FormError as exc:
            parsed.errors[name] = str(exc)
    limit = parsed.data.get("usage_limit")
    if voucher is not None and limit is not None and limit < voucher.used_count:
        parsed.errors["usage_limit"] = _(
            "This voucher was already used %(used)s times; the limit cannot be lower.",
            used=voucher.used_count,
        )
    _period(values, timezone, parsed)
    await _scope(db, values, parsed)
    parsed.data["is_active"] = bool(values.get("is_active"))
    return parsed


async def read_promotion(
    db: AsyncSession, values: Mapping[str, Any], *, currency: str, timezone: str
) -> Parsed:
    parsed = Parsed()
    name = " ".join(values.get("name", "").split())
    if not 2 <= len(name) <= 200:
        parsed.errors["name"] = _("Give the promotion a name of 2 to 200 characters.")
    parsed.data["name"] = name
    kind = values.get("kind", "")
    try:
        if kind == PromotionKind.PERCENT:
            parsed.data["value"] = basis_points(values.get("value", ""))
        elif kind == PromotionKind.FIXED:
            parsed.data["value"] = money(values.get("value", ""), currency)
            if parsed.data["value"] <= 0:
                raise FormError(_("Enter an amount above 0."))
        else:
            parsed.errors["kind"] = _("Choose the kind of discount.")
    except FormError as exc:
        parsed.errors["value"] = str(exc)
    parsed.data["kind"] = kind
    _period(values, timezone, parsed)
    await _scope(db, values, parsed)
    parsed.data["is_active"] = bool(values.get("is_active"))
    return parsed


def snapshot(row: Voucher | Promotion) -> dict[str, Any]:
    """The audited picture of a voucher or promotion (dates as ISO text)."""
    names = VOUCHER_FIELDS if isinstance(row, Voucher) else PROMOTION_FIELDS
    out: dict[str, Any] = {}
    for name in (*names, "product_ids", "category_ids"):
        if name in ("products",) or not hasattr(row, name):
            continue
        value = getattr(row, name)
        out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out


async def save(
    db: AsyncSession, model: type[Voucher] | type[Promotion], row: Any, data: dict[str, Any]
) -> Any:
    """Create (row None) or update with checked data; flushed, never committed."""
    if row is None:
        row = model(**data)
        db.add(row)
    else:
        for name, value in data.items():
            setattr(row, name, value)
    await db.flush()
    return row


async def skus_of(db: AsyncSession, product_ids: list[Any]) -> str:
    if not product_ids:
        return ""
    ids = [int(p) for p in product_ids]
    return ", ".join(sorted(await db.scalars(select(Product.sku).where(Product.id.in_(ids)))))


async def voucher_values(db: AsyncSession, v: Voucher, currency: str, timezone: str) -> dict:
    """What the edit form shows for a stored voucher (the inverse of read_voucher)."""
    return {
        "code": v.code,
        "description": v.description,
        "kind": v.kind,
        "value": percent_text(v.value)
        if v.kind == VoucherKind.PERCENT
        else (format_amount(v.value, currency) if v.kind == VoucherKind.FIXED else ""),
        "max_discount": format_amount(v.max_discount, currency),
        "min_order": format_amount(v.min_order, currency) if v.min_order else "",
        "products": await skus_of(db, v.product_ids),
        "categories": [str(c) for c in v.category_ids or []],
        "starts_at": local_input(v.starts_at, timezone),
        "ends_at": local_input(v.ends_at, timezone),
        "usage_limit": str(v.usage_limit or ""),
        "per_customer_limit": str(v.per_customer_limit or ""),
        "is_active": v.is_active,
    }


async def promotion_values(db: AsyncSession, p: Promotion, currency: str, timezone: str) -> dict:
    return {
        "name": p.name,
        "kind": p.kind,
        "value": percent_text(p.value)
        if p.kind == PromotionKind.PERCENT
        else format_amount(p.value, currency),
        "products": await skus_of(db, p.product_ids),
        "categories": [str(c) for c in p.category_ids or []],
        "starts_at": local_input(p.starts_at, timezone),
        "ends_at": local_input(p.ends_at, timezone),
        "is_active": p.is_active,
    }


async def categories(db: AsyncSession) -> list[Category]:
    return list(await db.scalars(select(Category).order_by(Category.name)))
