"""The profit report as a PDF (fpdf2 core fonts). The core fonts have no ৳ sign, so amounts
are written with the ISO code ("BDT 13,500.00"), which every reader understands."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from mercato.kit.money import minor_digits
from mercato.kit.pdf import document, text
from mercato.profit.reports import Report, Totals

if TYPE_CHECKING:
    from fpdf import FPDF

LABELS = {
    "revenue": "Revenue",
    "cost": "Cost",
    "gross_profit": "Gross profit",
    "platform_share": "Platform",
    "seller_share": "Seller",
    "final_platform": "Final platform",
}


def amount(value: int, currency: str) -> str:
    digits = minor_digits(currency)
    return f"{currency} {Decimal(value).scaleb(-digits):,.{digits}f}"


def _table(pdf: FPDF, title: str, rows: list[Totals], report: Report) -> None:
    figures = report.figures
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(0, 8, text(title), new_x="LMARGIN", new_y="NEXT")
    width = (pdf.w - pdf.l_margin - pdf.r_margin - 46) / (len(figures) + 1)
    pdf.set_font("helvetica", "B", 7)
    pdf.cell(46, 5, "")
    for f in figures:
        pdf.cell(width, 5, text(LABELS[f]), align="R")
    pdf.cell(width, 5, "Margin", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 7)
    for row in rows:
        pdf.cell(46, 5, text(row.label[:34]))
        for f in figures:
            pdf.cell(width, 5, text(amount(getattr(row, f), report.currency)), align="R")
        pdf.cell(width, 5, text(row.margin), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def render_pdf(report: Report, store_name: str) -> bytes:
    title = f"Profit report {report.start} to {report.end}"
    pdf = document(title, store_name, orientation="landscape")
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.set_font("helvetica", "B", 16)
    pdf.cell(0, 9, text(f"{store_name}: profit report"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    scope = "your products" if report.seller_id is not None else "all sellers"
    pdf.cell(0, 6, text(f"{report.start} to {report.end}, {scope}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _table(pdf, "Total", [report.totals], report)
    _table(pdf, f"By {report.group}", report.periods, report)
    _table(pdf, "Top products", report.products, report)
    if report.seller_id is None:
        _table(pdf, "By seller", report.sellers, report)
    _table(pdf, "By order", report.orders[:200], report)
    return bytes(pdf.output())
