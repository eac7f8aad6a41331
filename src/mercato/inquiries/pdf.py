"""The order confirmation of an accepted inquiry as a PDF (fpdf2, core fonts, as the orders
module's invoices): brand, boutique, the accepted lines with unit price, lead time and the
total. Only an accepted inquiry has one; both sides may download it."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from mercato.inquiries import parties
from mercato.inquiries import service as inquiry_service
from mercato.kit.errors import Conflict
from mercato.kit.money import format_money
from mercato.kit.pdf import document, letterhead, text
from mercato.models.inquiries import Inquiry, InquiryLine


def render_pdf(
    runtime: Any,
    inquiry: Inquiry,
    lines: list[InquiryLine],
    *,
    brand_name: str,
    buyer_name: str,
    boutique: str,
) -> bytes:
    config = runtime.config

    def money(amount: int) -> str:
        return text(format_money(amount, inquiry.currency, config.locale))

    pdf = document(f"Order confirmation {inquiry.number}", config.name)
    letterhead(pdf, config, f"Order confirmation {inquiry.number}")
    accepted = inquiry.decided_at or inquiry.updated_at
    for label, value in (
        ("Brand", brand_name),
        ("Boutique", boutique or buyer_name),
        ("Buyer", buyer_name),
        ("Accepted on", f"{accepted:%Y-%m-%d}"),
        ("Currency", inquiry.currency),
    ):
        pdf.cell(35, 6, text(label))
        pdf.cell(0, 6, text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (62, 18, 22, 14, 24, 22, 28)
    heads = ("Product", "Size", "Colour", "Qty", "Unit price", "Lead time", "Line total")
    pdf.set_font("helvetica", "B", 9)
    for width, head in zip(widths, heads, strict=True):
        pdf.cell(width, 7, text(head), border="B")
    pdf.ln()
    pdf.set_font("helvetica", "", 9)
    for line in lines:
        if not line.available:
            continue
        unit = line.unit_price or 0
        cells = (
            line.product_name[:38],
            line.size_label or "-",
            (line.colour or "-")[:14],
            str(line.quantity),
            money(unit),
            f"{line.lead_time_days} days",
            money(unit * line.quantity),
        )
        for width, value in zip(widths, cells, strict=True):
            pdf.cell(width, 6, text(value))
        pdf.ln()
        extra = "; ".join(x for x in (line.customisation, line.brand_note) if x)
        if extra:
            pdf.set_font("helvetica", "I", 8)
            pdf.multi_cell(0, 5, text(extra[:300]), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("helvetica", "", 9)
    unavailable = [ln for ln in lines if not ln.available]
    pdf.ln(2)
    pdf.set_font("helvetica", "B", 10)
    pdf.cell(sum(widths[:-1]), 7, text("Total"), align="R")
    pdf.cell(widths[-1], 7, money(inquiry_service.totals(lines)))
    pdf.ln(10)
    pdf.set_font("helvetica", "", 9)
    if unavailable:
        names = ", ".join(ln.product_name for ln in unavailable)
        pdf.multi_cell(0, 5, text(f"Not available and not included: {names}."))
    pdf.multi_cell(
        0,
        5,
        text(
            "The brand and the boutique settle payment and delivery directly; "
            f"{config.name} confirms what was agreed."
        ),
    )
    return bytes(pdf.output())


async def response(db: Any, runtime: Any, inquiry: Inquiry) -> Response:
    if inquiry.status != "accepted":
        raise Conflict("An order confirmation exists once the inquiry is accepted.", field="status")
    lines = (await inquiry_service.lines_of(db, [inquiry.id]))[inquiry.id]
    brands = await parties.brands_by_id(db, {inquiry.brand_id})
    users = await parties.users_by_id(db, {inquiry.buyer_id})
    boutiques = await parties.boutiques_by_user(db, {inquiry.buyer_id})
    buyer = users.get(inquiry.buyer_id)
    boutique = boutiques.get(inquiry.buyer_id)
    body = render_pdf(
        runtime,
        inquiry,
        lines,
        brand_name=brands[inquiry.brand_id].name if inquiry.brand_id in brands else "",
        buyer_name=(buyer.name or buyer.email) if buyer else "",
        boutique=boutique.name if boutique else "",
    )
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "content-disposition": f'attachment; filename="{inquiry.number}.pdf"',
            "cache-control": "private, no-store",
        },
    )
