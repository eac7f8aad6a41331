"""What the wholesale product card and page show: the terms as plain values for templates
and the API, computed by the pricing rules (never in the template or the script)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mercato.wholesale import pricing
from mercato.wholesale.pricing import Terms

# The worked example stated beside every tier table, with the product's own numbers.
RULE = "The price of the tier your quantity reaches applies to every unit of the line."


@dataclass
class TermsView:
    moq: int
    order_multiple: int
    headline: int  # unit price at the minimum order
    rows: list[dict[str, Any]]  # tier table: from, to (None = and more), unit_price
    top_tier_min: int | None
    example: str = ""  # the rule with a worked example, or ""
    calculation: dict[str, Any] | None = None  # for ?qty= (the no-JavaScript calculator)
    tiers_json: list[dict[str, int]] = field(default_factory=list)


def quantity_view(terms: Terms, quantity: int, name: str) -> dict[str, Any]:
    """The calculator's answer for ``quantity``: unit price, total, saving, next tier and
    whether the quantity can be ordered (with the fix)."""
    line = pricing.price_line(terms, quantity)
    benefit = pricing.next_tier_benefit(terms, quantity)
    problem = pricing.check_quantity(terms, quantity, name=name)
    return {
        "quantity": quantity,
        "unit_price": line.unit_price,
        "line_total": line.line_total,
        "saving": line.saving,
        "tier_min_qty": line.tier.min_qty if line.tier else None,
        "next_tier": None
        if benefit is None
        else {
            "add_quantity": benefit.add_quantity,
            "target_quantity": benefit.target_quantity,
            "unit_price": benefit.unit_price,
            "saving": benefit.saving,
        },
        "problem": None
        if problem is None
        else {
            "code": problem.code,
            "message": problem.message,
            "fix_quantity": problem.fix_quantity,
        },
    }


def terms_view(
    terms: Terms, *, name: str, quantity: int | None = None, format_price: Any = None
) -> TermsView:
    table = pricing.tier_rows(terms)
    rows: list[dict[str, Any]] = [{"from": lo, "to": hi, "unit_price": u} for lo, hi, u in table]
    view = TermsView(
        moq=terms.moq,
        order_multiple=terms.order_multiple,
        headline=pricing.headline_price(terms),
        rows=rows,
        top_tier_min=pricing.top_tier_min(terms),
        tiers_json=[{"min_qty": t.min_qty, "unit_price": t.unit_price} for t in terms.tiers],
    )
    if len(rows) > 1 and format_price is not None:
        # "100 units pay ৳135 each": a quantity inside the second row, priced by the rules.
        low, high, _ = table[1]
        sample = low * 2
        if high is not None and sample > high:
            sample = (low + high) // 2
        sample = pricing.valid_quantity_at_least(terms, sample)
        unit = pricing.unit_price_for(terms, sample)
        view.example = f"{RULE} For example, {sample:,} units pay {format_price(unit)} each."
    elif rows:
        view.example = RULE
    if quantity is not None and quantity > 0:
        view.calculation = quantity_view(terms, quantity, name)
    return view
