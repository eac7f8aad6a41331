"""The order breakdown as one pure function (no database), so it can be property-tested.

Everything is computed in the ORDER currency: each unit price is converted once, a line is
unit price × quantity, tax is rounded half-up once per line (and once for shipping and once
for gift wrap), and the total is assembled from the rounded parts, so

    total == subtotal + shipping + gift_wrap - discount + (tax if exclusive else 0)

holds exactly in every currency: the same equation as the orders table's CHECK.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from mercato.kit.money import allocate, half_up
from mercato.pricing.currency import Conversion

BP = 10_000


@dataclass(frozen=True, slots=True)
class TaxPolicy:
    name: str
    rate_bp: int
    inclusive: bool
    applies_to_shipping: bool = True


@dataclass(frozen=True, slots=True)
class LineIn:
    product_id: int
    unit_price: int  # store currency, minor units
    quantity: int


@dataclass(frozen=True, slots=True)
class LineOut:
    product_id: int
    quantity: int
    store_unit_price: int
    unit_price: int  # order currency
    line_total: int
    tax_amount: int


@dataclass(frozen=True)
class Totals:
    currency: str
    store_currency: str
    exchange_rate_micros: int
    lines: list[LineOut]
    subtotal: int
    shipping: int
    gift_wrap: int
    discount: int
    tax: int
    tax_inclusive: bool
    total: int
    tax_lines: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def tax_of(amount: int, policy: TaxPolicy | None) -> int:
    """The tax on ``amount``: added on top (exclusive) or contained in it (inclusive)."""
    if policy is None or policy.rate_bp == 0 or amount <= 0:
        return 0
    if policy.inclusive:
        return half_up(Decimal(amount) * policy.rate_bp / (BP + policy.rate_bp))
    return half_up(Decimal(amount) * policy.rate_bp / BP)


def compute_totals(
    lines: Sequence[LineIn],
    *,
    conversion: Conversion,
    shipping: int = 0,
    gift_wrap: int = 0,
    discount: int = 0,
    tax: TaxPolicy | None = None,
) -> Totals:
    """The breakdown of an order. ``shipping``, ``gift_wrap`` and ``discount`` are store-
    currency minor units; the result is in ``conversion.currency``. Gift wrap is a taxable
    supply like the goods; shipping is taxed when the rule says so."""
    if shipping < 0 or gift_wrap < 0 or discount < 0:
        raise ValueError("amounts cannot be negative")
    out: list[LineOut] = []
    for line in lines:
        if line.quantity <= 0 or line.unit_price < 0:
            raise ValueError("a line needs a positive quantity and a price")
        unit = conversion.convert(line.unit_price)
        out.append(
            LineOut(line.product_id, line.quantity, line.unit_price, unit, unit * line.quantity, 0)
        )
    subtotal = sum(line.line_total for line in out)
    ship = conversion.convert(shipping)
    wrap = conversion.convert(gift_wrap)
    off = min(conversion.convert(discount), subtotal)
    # The discount lowers each line's taxable amount in proportion to its value, split so
    # the shares add up to the discount exactly.
    shares = (
        allocate(off, [line.line_total for line in out]) if off and subtotal else [0] * len(out)
    )
    lines_tax = [tax_of(o.line_total - share, tax) for o, share in zip(out, shares, strict=True)]
    out = [
        LineOut(o.product_id, o.quantity, o.store_unit_price, o.unit_price, o.line_total, t)
        for o, t in zip(out, lines_tax, strict=False)
    ]
    shipping_tax = tax_of(ship, tax) if tax and tax.applies_to_shipping else 0
    wrap_tax = tax_of(wrap, tax)
    tax_total = sum(lines_tax) + shipping_tax + wrap_tax
    inclusive = bool(tax and tax.inclusive)
    total = subtotal + ship + wrap - off + (0 if inclusive else tax_total)
    tax_lines = (
        [{"name": tax.name, "rate_bp": tax.rate_bp, "amount": tax_total}]
        if tax and tax_total
        else []
    )
    return Totals(
        currency=conversion.currency,
        store_currency=conversion.store_currency,
        exchange_rate_micros=conversion.rate_micros,
        lines=out,
        subtotal=subtotal,
        shipping=ship,
        gift_wrap=wrap,
        discount=off,
        tax=tax_total,
        tax_inclusive=inclusive,
        total=total,
        tax_lines=tax_lines,
    )
