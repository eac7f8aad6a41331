"""The brand product form: read from the posted fields (prices in major units, a size run
of rows) into ``BrandProductIn``, and a stored product back into the form's values."""

from __future__ import annotations

import re
from typing import Any

from mercato.brands.dashboard.common import Errors, FormErrors, as_int, optional_int
from mercato.brands.schemas import BrandProductIn, SizeIn

TEXT_FIELDS = (
    "name",
    "slug",
    "price",
    "suggested_retail_price",
    "category_id",
    "collection_id",
    "short_description",
    "description",
    "fabric",
    "colours",
    "lead_time_days",
    "customisation_options",
)
NEW_PRODUCT_SIZES = ("XS", "S", "M", "L", "XL")
_AMOUNT = re.compile(r"^\d{1,9}(\.\d{1,2})?$")


def values_of_form(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {n: str(form.get(n) or "").strip() for n in TEXT_FIELDS}
    values["is_active"] = form.get("is_active") == "on"
    labels = form.getlist("size_label")
    states = form.getlist("size_state")
    quantities = form.getlist("size_quantity")
    values["sizes"] = [
        {
            "label": str(label).strip(),
            "stock_state": str(states[n] if n < len(states) else "in_stock"),
            "quantity": str(quantities[n] if n < len(quantities) else "").strip(),
        }
        for n, label in enumerate(labels)
        if str(label).strip()
    ]
    return values


def money(text: str, field: str, errors: Errors) -> int | None:
    """ "1,200.50" → 120050 minor units (USD has two decimals). Digits, an optional point
    and at most two decimals only: no exponents, signs, NaN or infinities."""
    text = text.replace(",", "").strip()
    if not text:
        return None
    if not _AMOUNT.match(text):
        errors.setdefault(field, []).append("Enter an amount such as 480 or 480.00.")
        return None
    whole, _, cents = text.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])


def product_in(values: dict[str, Any]) -> BrandProductIn:
    """Raises FormErrors for what the form itself got wrong (amounts, numbers), then the
    schema checks the rest (ValidationError)."""
    errors: Errors = {}
    price = money(values["price"], "price", errors)
    if price is None and "price" not in errors:
        errors["price"] = ["Enter the wholesale price."]
    srp = money(values["suggested_retail_price"], "suggested_retail_price", errors)
    lead = optional_int(values["lead_time_days"] or "0")
    if lead is None:
        errors["lead_time_days"] = ["Enter a number of days."]
    sizes = []
    for size in values["sizes"]:
        quantity = optional_int(size["quantity"]) if size["quantity"] else None
        if size["quantity"] and quantity is None:
            errors.setdefault("sizes", []).append(f"Size {size['label']}: enter a whole quantity.")
        sizes.append(
            SizeIn.model_construct(
                label=size["label"], stock_state=size["stock_state"], quantity=quantity
            )
        )
    if errors:
        raise FormErrors(errors)
    return BrandProductIn(
        name=values["name"],
        slug=values["slug"],
        price=price or 0,
        suggested_retail_price=srp,
        category_id=as_int(values["category_id"]),
        collection_id=as_int(values["collection_id"]),
        short_description=values["short_description"],
        description=values["description"],
        fabric=values["fabric"],
        colours=[c for c in values["colours"].split(",")],
        lead_time_days=lead or 0,
        customisation_options=[c for c in values["customisation_options"].splitlines()],
        is_active=values["is_active"],
        sizes=[s.model_dump() for s in sizes],
    )


def values_of_product(product: Any, link: Any, sizes: list[Any]) -> dict[str, Any]:
    def major(amount: int | None) -> str:
        return "" if amount is None else f"{amount / 100:.2f}"

    return {
        "name": product.name,
        "slug": product.slug,
        "price": major(product.price),
        "suggested_retail_price": major(link.suggested_retail_price),
        "category_id": str(product.category_id or ""),
        "collection_id": str(link.collection_id or ""),
        "short_description": product.short_description,
        "description": product.description,
        "fabric": link.fabric,
        "colours": ", ".join(link.colours),
        "lead_time_days": str(link.lead_time_days),
        "customisation_options": "\n".join(link.customisation_options),
        "is_active": product.is_active,
        "sizes": [
            {
                "label": s.label,
                "stock_state": s.stock_state,
                "quantity": "" if s.quantity is None else str(s.quantity),
            }
            for s in sizes
        ],
    }


def new_product_values() -> dict[str, Any]:
    sizes = [{"label": s, "stock_state": "in_stock", "quantity": ""} for s in NEW_PRODUCT_SIZES]
    return {"is_active": True, "sizes": sizes}
