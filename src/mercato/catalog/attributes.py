"""Typed attributes: fields a store adds to its products without a migration (the wholesale
store's case size, a cattle policy's breed...). Values are checked against the definition's
type and stored in typed columns (docs/decisions.md, "typed attributes")."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import repository as repo
from mercato.kit.errors import NotFound, ValidationFailed
from mercato.models.catalog import (
    DECIMAL_SCALE,
    AttributeDefinition,
    AttributeType,
    ProductAttributeValue,
)

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_SCALE = Decimal(10) ** DECIMAL_SCALE
_TEXT_MAX = 500


async def define_attribute(
    db: AsyncSession,
    *,
    code: str,
    label: str,
    type: str,
    choices: list[str] | None = None,
    applies_to: str = "product",
    is_required: bool = False,
    is_filterable: bool = False,
    position: int = 0,
) -> AttributeDefinition:
    code = code.strip()
    if not _CODE.match(code):
        raise ValidationFailed(
            "Use lower-case letters, digits and underscores, starting with a letter.", field="code"
        )
    if not label.strip():
        raise ValidationFailed("Label is required.", field="label")
    if type not in {t.value for t in AttributeType}:
        raise ValidationFailed("Choose a known type.", field="type")
    clean_choices = [c.strip() for c in (choices or []) if c.strip()]
    if type == AttributeType.CHOICE:
        if not clean_choices:
            raise ValidationFailed("A choice attribute needs its choices.", field="choices")
        if len(set(clean_choices)) != len(clean_choices):
            raise ValidationFailed("Each choice must appear once.", field="choices")
    elif clean_choices:
        raise ValidationFailed("Only choice attributes have choices.", field="choices")
    if await repo.attribute_code_taken(db, code):
        raise ValidationFailed("Another attribute already uses this code.", field="code")
    definition = AttributeDefinition(
        code=code,
        label=label.strip(),
        type=type,
        choices=clean_choices,
        applies_to=applies_to,
        is_required=is_required,
        is_filterable=is_filterable,
        position=position,
    )
    db.add(definition)
    await db.flush()
    return definition


def encode(definition: AttributeDefinition, raw: Any) -> dict[str, Any]:
    """The typed column for ``raw``, or ValidationFailed naming the attribute."""
    field = f"attributes.{definition.code}"
    kind = definition.type
    if kind in (AttributeType.TEXT, AttributeType.CHOICE):
        if not isinstance(raw, str) or not raw.strip():
            raise ValidationFailed(f"{definition.label}: enter some text.", field=field)
        text = raw.strip()
        if len(text) > _TEXT_MAX:
            raise ValidationFailed(
                f"{definition.label}: at most {_TEXT_MAX} characters.", field=field
            )
        if kind == AttributeType.CHOICE and text not in definition.choices:
            allowed = ", ".join(definition.choices)
            raise ValidationFailed(f"{definition.label}: choose one of {allowed}.", field=field)
        return {"value_text": text}
    if kind == AttributeType.BOOL:
        if not isinstance(raw, bool):
            raise ValidationFailed(f"{definition.label}: yes or no.", field=field)
        return {"value_bool": raw}
    if kind in (AttributeType.INT, AttributeType.MONEY):
        if isinstance(raw, bool) or not isinstance(raw, int):
            unit = " in minor units" if kind == AttributeType.MONEY else ""
            raise ValidationFailed(f"{definition.label}: a whole number{unit}.", field=field)
        return {"value_int": raw}
    # decimal: exact, at most DECIMAL_SCALE places, kept as a scaled integer
    if isinstance(raw, (bool, float)):
        raise ValidationFailed(f"{definition.label}: give the number as text.", field=field)
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValidationFailed(f"{definition.label}: not a number.", field=field) from None
    if not number.is_finite():
        raise ValidationFailed(f"{definition.label}: not a number.", field=field)
    scaled = number * _SCALE
    if scaled != scaled.to_integral_value():
        raise ValidationFailed(
            f"{definition.label}: at most {DECIMAL_SCALE} decimal places.", field=field
        )
    if abs(scaled) >= 2**63:
        raise ValidationFailed(f"{definition.label}: too large.", field=field)
    return {"value_int": int(scaled)}


def decode(definition: AttributeDefinition, value: ProductAttributeValue) -> Any:
    if definition.type in (AttributeType.TEXT, AttributeType.CHOICE):
        return value.value_text
    if definition.type == AttributeType.BOOL:
        return value.value_bool
    if definition.type == AttributeType.DECIMAL:
        assert value.value_int is not None
        return (Decimal(value.value_int) / _SCALE).normalize()
    return value.value_int


async def set_attributes(db: AsyncSession, product_id: int, values: dict[str, Any]) -> None:
    """Set (or with None, clear) attribute values of a product, all checked before any write."""
    if await repo.product_by_id(db, product_id) is None:
        raise NotFound("No such product.", field="product_id")
    definitions = await repo.attribute_definitions(db, list(values))
    planned: list[tuple[AttributeDefinition, dict[str, Any] | None]] = []
    for code, raw in values.items():
        definition = definitions.get(code)
        if definition is None:
            raise ValidationFailed("Unknown attribute.", field=f"attributes.{code}")
        if raw is None and definition.is_required:
            raise ValidationFailed(f"{definition.label} is required.", field=f"attributes.{code}")
        planned.append((definition, None if raw is None else encode(definition, raw)))
    existing = await repo.attribute_values(db, product_id, [d.id for d in definitions.values()])
    for definition, column in planned:
        row = existing.get(definition.id)
        if column is None:
            if row is not None:
                await db.delete(row)
            continue
        if row is None:
            row = ProductAttributeValue(product_id=product_id, definition_id=definition.id)
            db.add(row)
        row.value_text = column.get("value_text")
        row.value_int = column.get("value_int")
        row.value_bool = column.get("value_bool")
    await db.flush()


async def attributes_of(db: AsyncSession, product_id: int) -> dict[str, Any]:
    """The product's attribute values by code, as Python values, in definition order."""
    rows = await repo.product_attributes(db, product_id)
    return {definition.code: decode(definition, value) for definition, value in rows}
