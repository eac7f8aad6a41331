"""The order's PDF invoice (fonts and characters: mercato.kit.pdf)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi.responses import Response

from mercato.kit.errors import NotFound
from mercato.kit.money import format_money
from mercato.kit.pdf import document, letterhead, text
from mercato.models.orders import Order, PaymentStatus

if TYPE_CHECKING:
    from mercato.platform.runtime import StoreRuntime

INVOICED = frozenset({PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED})


def available(order: Order) -> bool:
    """An invoice exists once the order was paid (refunds later do not erase it)."""
    return order.paid_at is not None and order.payment_status in INVOICED


def _address(data: dict) -> list[str]:
    keys = ("name", "company", "line1", "line2", "city", "region", "postal_code", "country")
    lines = [str(data.get(k, "")).strip() for k in keys]
    return [line for line in lines if line]


def render_pdf(runtime: StoreRuntime, order: Order) -> bytes:
    """The invoice of ``order`` (its lines loaded) as PDF bytes."""
    config = runtime.config
    locale = config.locale

    def money(amount: int) -> str:
        return text(format_money(amount, order.currency, locale))

    pdf = document(f"Invoice {order.number}", config.name)
    letterhead(pdf, config, f"Invoice {order.number}")
    pdf.cell(0, 5, text(f"Order date: {order.created_at:%Y-%m-%d}"), new_x="LMARGIN", new_y="NEXT")
    if order.paid_at:
        pdf.cell(0, 5, text(f"Paid: {order.paid_at:%Y-%m-%d}"), new_x="LMARGIN", new_y="NEXT")
    if order.delivery_date:
        pdf.cell(
            0,
            5,
            text(f"Delivery date: {order.delivery_date.isoformat()}"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(4)

    # Billing and shipping addresses side by side.
    top = pdf.get_y()
    for x, title, data in (
        (10, "Billed to", order.billing_address or order.shipping_address),
        (105, "Shipped to", order.shipping_address),
    ):
        pdf.set_xy(x, top)
        pdf.set_font("helvetica", "B", 10)
        pdf.cell(90, 5, text(title), new_x="LEFT", new_y="NEXT")
        pdf.set_font("helvetica", "", 10)
        for line in _address(data or {}) or [order.customer_name or order.email]:
            pdf.cell(90, 5, text(line), new_x="LEFT", new_y="NEXT")
    pdf.set_xy(10, max(pdf.get_y(), top + 30))
    pdf.ln(4)

    # Lines
    widths = (95, 20, 35, 40)
    pdf.set_font("helvetica", "B", 10)
    pdf.set_fill_color(242, 233, 216)
    for width, head, align in zip(
        widths, ("Item", "Qty", "Unit price", "Amount"), ("L", "R", "R", "R"), strict=True
    ):
        pdf.cell(width, 7, head, border="B", align=align, fill=True)
    pdf.ln()
    pdf.set_font("helvetica", "", 10)
    for line in order.lines:
        name = text(f"{line.name} ({line.sku})")
        pdf.cell(widths[0], 7, name[:60])
        pdf.cell(widths[1], 7, str(line.quantity), align="R")
        pdf.cell(widths[2], 7, money(line.unit_price), align="R")
        pdf.cell(widths[3], 7, money(line.line_total), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    rows: list[tuple[str, str]] = [("Subtotal", money(order.subtotal))]
    if order.discount_total:
        rows.append(("Discount", "-" + money(order.discount_total)))
    rows.append(
        (
            text(f"Shipping ({order.shipping_method})" if order.shipping_method else "Shipping"),
            money(order.shipping_total),
        )
    )
    if order.gift_wrap_total:
        rows.append(("Gift wrapping", money(order.gift_wrap_total)))
    for tax in order.tax_lines or []:
        rate = int(tax.get("rate_bp", 0))
        label = f"{tax.get('name', 'Tax')} ({rate / 100:g}%)" if rate else str(tax.get("name"))
        if order.tax_inclusive:
            label += " included"
        rows.append((text(label), money(int(tax.get("amount", 0)))))
    if not order.tax_lines and order.tax_total:
        rows.append(("Tax", money(order.tax_total)))
    for label, amount in rows:
        pdf.cell(sum(widths[:3]), 6, label, align="R")
        pdf.cell(widths[3], 6, amount, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(sum(widths[:3]), 8, text(f"Total ({order.currency})"), align="R")
    pdf.cell(widths[3], 8, money(order.total), align="R", new_x="LMARGIN", new_y="NEXT")
    if order.refunded_total:
        pdf.set_font("helvetica", "", 10)
        pdf.cell(sum(widths[:3]), 6, "Refunded", align="R")
        pdf.cell(
            widths[3],
            6,
            "-" + money(order.refunded_total),
            align="R",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    if order.currency != order.store_currency:
        pdf.ln(2)
        pdf.set_font("helvetica", "I", 8)
        rate = order.exchange_rate_micros / 1_000_000
        pdf.multi_cell(
            0,
            4,
            text(
                f"Charged in {order.currency} at {rate:.6f} "
                f"{order.currency} per {order.store_currency}."
            ),
        )
    pdf.ln(6)
    pdf.set_font("helvetica", "", 9)
    pdf.multi_cell(0, 5, text(f"Thank you for your order. {config.name}"))
    return bytes(pdf.output())


def response(runtime: StoreRuntime, order: Order) -> Response:
    if not available(order):
        raise NotFound("This order has no invoice yet: it is issued once the order is paid.")
    return Response(
        render_pdf(runtime, order),
        media_type="application/pdf",
        headers={
            "content-disposition": f'inline; filename="invoice-{order.number}.pdf"',
            "cache-control": "private, no-store",
        },
    )
