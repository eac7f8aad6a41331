"""Reading the catalogue admin's HTML forms: exact money and volume parsing, and the product
form turned into a ``ProductIn`` plus tags and typed attributes, with every problem collected
per field so the form can show them all at once with the values kept."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from mercato.catalog.schemas import CategoryIn, ProductIn
from mercato.kit.money import minor_digits
from mercato.models.catalog import AttributeDefinition, AttributeType, Product

# Plain digits, or digits grouped by commas in threes; an optional fraction after a dot.
_AMOUNT = re.compile(r"^(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.(\d+))?$")
MAX_MINOR = 10**15  # far above any real price, far below BIGINT: no overflow in sums
VOLUME_DIGITS = 3  # microlitres: millilitres with three decimals are exact


class FormError(ValueError):
    pass


def parse_amount(raw: str, currency: str) -> int:
    """ "42.00" USD → 4200, exactly: Decimal, never float; more decimals than the currency
    has are refused rather than rounded (a typo should not change a price silently)."""
    text = raw.strip()
    if text.startswith(("$", "€", "£")):
        text = text[1:].strip()
    match = _AMOUNT.match(text)
    if not match:
        raise FormError("Enter an amount such as 42.00, with a dot for decimals.")
    digits = minor_digits(currency)
    fraction = match.group(1) or ""
    if len(fraction) > digits:
        if digits == 0:
            raise FormError(f"{currency} amounts have no decimals.")
        raise FormError(f"{currency} amounts have at most {digits} decimals.")
    value = Decimal(text.replace(",", "")).scaleb(digits)
    if value >= MAX_MINOR:
        raise FormError("That amount is too large.")
    return int(value)


def format_amount(minor: int | None, currency: str) -> str:
    """4200 USD → "42.00": what the form shows, and what ``parse_amount`` reads back."""
    if minor is None:
        return ""
    digits = minor_digits(currency)
    return f"{Decimal(minor).scaleb(-digits):.{digits}f}"


def parse_volume_ul(raw: str) -> int | None:
    """Millilitres as typed ("5", "12.5") → microlitres; empty → no volume."""
    text = raw.strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise FormError("Enter the volume in millilitres, such as 5 or 12.5.") from None
    if not value.is_finite() or value <= 0:
        raise FormError("The volume must be more than zero.")
    scaled = value.scaleb(VOLUME_DIGITS)
    if scaled != scaled.to_integral_value():
        raise FormError("At most three decimals of a millilitre.")
    if scaled >= 2**31:
        raise FormError("That volume is too large.")
    return int(scaled)


def format_volume(volume_ul: int | None) -> str:
    if volume_ul is None:
        return ""
    return format(Decimal(volume_ul).scaleb(-VOLUME_DIGITS).normalize(), "f")


def parse_whole(raw: str, *, minimum: int = 0, label: str = "Enter") -> int:
    text = raw.strip()
    if not re.fullmatch(r"-?\d{1,9}", text):
        raise FormError(f"{label} a whole number.")
    value = int(text)
    if value < minimum:
        raise FormError(f"Enter {minimum} or more.")
    return value


def _text(form: Any, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


def _flag(form: Any, key: str) -> bool:
    return _text(form, key) in {"on", "1", "true", "yes"}


@dataclass
class ProductForm:
    """The product form as typed (``values``, redisplayed on error) and as understood."""

    values: dict[str, Any]
    data: ProductIn | None = None
    tag_ids: list[int] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


TEXT_FIELDS = (
    "name",
    "slug",
    "sku",
    "latin_name",
    "short_description",
    "description",
    "usage_guidance",
    "rarity",
    "season",
    "extraction_method",
    "botanical_family",
    "origin",
    "harvest_season",
    "folio_number",
    "meta_title",
    "meta_description",
)
MONEY_FIELDS = ("price", "compare_at_price", "cost_price")


def product_values(product: Product, currency: str) -> dict[str, Any]:
    """A stored product as the form shows it."""
    values: dict[str, Any] = {k: getattr(product, k) or "" for k in TEXT_FIELDS}
    for key in MONEY_FIELDS:
        values[key] = format_amount(getattr(product, key), currency)
    values.update(
        category_id=str(product.category_id or ""),
        scent_notes=", ".join(product.scent_notes or []),
        volume_ml=format_volume(product.volume_ul),
        max_per_customer=str(product.max_per_customer or ""),
        is_active=product.is_active,
        is_featured=product.is_featured,
    )
    return values


def attribute_value_text(definition: AttributeDefinition, value: Any, currency: str) -> str:
    if value is None:
        return ""
    if definition.type == AttributeType.BOOL:
        return "yes" if value else "no"
    if definition.type == AttributeType.MONEY:
        return format_amount(int(value), currency)
    return str(value)


def _attribute(definition: AttributeDefinition, raw: str, currency: str) -> Any:
    """The typed value the attributes service expects; empty clears it."""
    raw = raw.strip()
    if not raw:
        return None
    kind = definition.type
    if kind == AttributeType.BOOL:
        if raw not in {"yes", "no"}:
            raise FormError("Choose yes or no.")
        return raw == "yes"
    if kind == AttributeType.INT:
        return parse_whole(raw, minimum=-(10**9), label="Enter")
    if kind == AttributeType.MONEY:
        return parse_amount(raw, currency)
    return raw  # text, choice and decimal (as text: exact) are checked by the service


def parse_product_form(
    form: Any, *, currency: str, definitions: list[AttributeDefinition]
) -> ProductForm:
    values: dict[str, Any] = {k: _text(form, k).strip() for k in TEXT_FIELDS}
    for key in ("description", "usage_guidance", "meta_description"):
        values[key] = _text(form, key).strip()
    for key in (*MONEY_FIELDS, "category_id", "scent_notes", "volume_ml", "max_per_customer"):
        values[key] = _text(form, key).strip()
    values["is_active"] = _flag(form, "is_active")
    values["is_featured"] = _flag(form, "is_featured")
    values["tag_ids"] = [t for t in form.getlist("tag_ids") if isinstance(t, str)]
    result = ProductForm(values=values)
    errors = result.errors

    money: dict[str, int | None] = {}
    for key in MONEY_FIELDS:
        if not values[key]:
            money[key] = None
            if key == "price":
                errors[key] = "The price is required."
            continue
        try:
            money[key] = parse_amount(values[key], currency)
        except FormError as exc:
            errors[key] = str(exc)
    try:
        volume = parse_volume_ul(values["volume_ml"])
    except FormError as exc:
        errors["volume_ul"] = str(exc)
        volume = None
    limit: int | None = None
    if values["max_per_customer"]:
        try:
            limit = parse_whole(values["max_per_customer"], minimum=1)
        except FormError as exc:
            errors["max_per_customer"] = str(exc)
    category_id: int | None = None
    if values["category_id"]:
        if values["category_id"].isdigit():
            category_id = int(values["category_id"])
        else:
            errors["category_id"] = "Choose an existing category."
    try:
        result.tag_ids = sorted({int(t) for t in values["tag_ids"]})
    except ValueError:
        errors["tag_ids"] = "Choose existing tags."
    for definition in definitions:
        raw = _text(form, f"attr_{definition.code}")
        values[f"attr_{definition.code}"] = raw.strip()
        try:
            result.attributes[definition.code] = _attribute(definition, raw, currency)
        except FormError as exc:
            errors[f"attributes.{definition.code}"] = f"{definition.label}: {exc}"
    if errors:
        return result
    try:
        result.data = ProductIn(
            **{k: values[k] for k in TEXT_FIELDS},
            price=money["price"] or 0,
            compare_at_price=money["compare_at_price"],
            cost_price=money["cost_price"],
            category_id=category_id,
            scent_notes=[n for n in values["scent_notes"].split(",")],
            volume_ul=volume,
            max_per_customer=limit,
            is_active=values["is_active"],
            is_featured=values["is_featured"],
        )
    except ValidationError as exc:
        errors.update(pydantic_errors(exc))
    return result


def pydantic_errors(exc: ValidationError) -> dict[str, str]:
    """Pydantic's messages per field, in words a shop assistant understands."""
    found: dict[str, str] = {}
    for error in exc.errors():
        key = ".".join(str(p) for p in error.get("loc", ())) or "form"
        if error.get("type") == "string_too_long":
            limit = (error.get("ctx") or {}).get("max_length")
            found.setdefault(key, f"Keep this under {limit} characters.")
        else:
            found.setdefault(key, str(error.get("msg", "Check this field.")))
    return found


def parse_category_form(form: Any) -> tuple[dict[str, str], CategoryIn | None, dict[str, str]]:
    keys = ("name", "slug", "description", "humour_symbol", "colour", "meta_title")
    values = {k: _text(form, k).strip() for k in (*keys, "meta_description", "sort_order")}
    errors: dict[str, str] = {}
    sort_order = 0
    if values["sort_order"]:
        try:
            sort_order = parse_whole(values["sort_order"], minimum=-(10**6))
        except FormError as exc:
            errors["sort_order"] = str(exc)
    if values["colour"] and not values["colour"].startswith("#"):
        values["colour"] = "#" + values["colour"]
    if errors:
        return values, None, errors
    try:
        data = CategoryIn(
            **{k: values[k] for k in keys},
            meta_description=values["meta_description"],
            sort_order=sort_order,
        )
    except ValidationError as exc:
        return values, None, pydantic_errors(exc)
    return values, data, {}
