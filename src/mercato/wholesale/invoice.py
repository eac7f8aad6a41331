"""The business invoice of a wholesale order as a PDF: PO number, company, payment method,
due date and the payment status, issued as soon as the order is accepted (net terms and
cash on delivery are invoiced before they are paid). fpdf2's core fonts speak
Windows-1252, which has no taka sign: amounts print as "BDT 1,35,000.00"."""

from __future__ import annotations

from decimal import Decimal

from fastapi.responses import Response

from mercato.kit.money import babel_locale, minor_digits
from mercato.kit.pdf import document, letterhead, text
from mercato.models.orders import Order, OrderLine
from mercato.models.wholesale import WholesaleOrder
from mercato.platform.runtime import StoreRuntime
from mercato.wholesale.business import LABELS


def _money(amount: int, currency: str, locale: str) -> str:
    from babel.numbers import format_decimal

    value = Decimal(amount).scaleb(-minor_digits(currency))
    digits = minor_digits(currency)
    pattern = "#,##,##0" + ("." + "0" * digits if digits else "")
    return f"{currency} {format_decimal(value, format=pattern, locale=babel_locale(locale))}"


def render_pdf(
    runtime: StoreRuntime, order: Order, lines: list[OrderLine], details: WholesaleOrder
) -> bytes:
    config = runtime.config

    def money(amount: int) -> str:
        return text(_money(amount, order.currency, config.locale))

    pdf = document(f"Invoice {order.number}", config.name)
    letterhead(pdf, config, f"Invoice {order.number}")
    facts = [
        ("Invoice date", f"{order.created_at:%Y-%m-%d}"),
        ("Purchase order", details.po_number or "-"),
        ("Company", details.company_name or order.customer_name),
        ("Payment", LABELS.get(details.payment_method, details.payment_method)),
        (
            "Due date",
            details.due_date.isoformat() if details.due_date else "On delivery",
        ),
        ("Status", "Paid" if order.payment_status == "paid" else "Awaiting payment"),
    ]
    for label, value in facts:
        pdf.cell(40, 5, text(label + ":"))
        pdf.cell(0, 5, text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("helvetica", "B", 10)
    pdf.cell(0, 5, "Deliver to", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    address = order.shipping_address or {}
    for key in ("company", "line1", "line2", "city", "region", "postal_code", "country"):
        if address.get(key):
            pdf.cell(0, 5, text(address[key]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (90, 20, 40, 40)
    pdf.set_font("helvetica", "B", 10)
    for width, head, align in zip(
        widths, ("Item", "Qty", "Unit price", "Amount"), ("L", "R", "R", "R"), strict=True
    ):
        pdf.cell(width, 7, head, border="B", align=align)
    pdf.ln()
    pdf.set_font("helvetica", "", 10)
    for line in lines:
        pdf.cell(widths[0], 7, text(f"{line.name} ({line.sku})")[:55])
        pdf.cell(widths[1], 7, str(line.quantity), align="R")
        pdf.cell(widths[2], 7, money(line.unit_price), align="R")
        pdf.cell(widths[3], 7, money(line.line_total), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    rows = [("Subtotal", order.subtotal), ("Delivery", order.shipping_total)]
    if order.tax_total:
        rows.append(("Tax", order.tax_total))
    for label, amount in rows:
        pdf.cell(sum(widths[:3]), 6, label, align="R")
        pdf.cell(widths[3], 6, money(amount), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(sum(widths[:3]), 8, "Total due", align="R")
    pdf.cell(widths[3], 8, money(order.total), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("helvetica", "", 9)
    pdf.multi_cell(
        0,
        5,
        text(
            f"Quote invoice {order.number} with your payment. Volume prices apply to every "
            f"unit of a line once its quantity reaches the tier. {config.name}"
        ),
    )
    return bytes(pdf.output())


def response(
    runtime: StoreRuntime, order: Order, lines: list[OrderLine], details: WholesaleOrder
) -> Response:
    return Response(
        render_pdf(runtime, order, lines, details),
        media_type="application/pdf",
        headers={
            "content-disposition": f'inline; filename="invoice-{order.number}.pdf"',
            "cache-control": "private, no-store",
        },
    )
