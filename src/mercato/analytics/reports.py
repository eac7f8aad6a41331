"""The analytics report as CSV (UTF-8 with a BOM, so spreadsheet programs read Vietnamese
correctly) and as PDF (Noto Sans through kit/pdf.py: Vietnamese marks and "₫" print as
written). Headings are English msgids translated into the language of the request that
asks for the report; amounts in the PDF are formatted for that language's locale."""

from __future__ import annotations

import csv
import io

from mercato.analytics.service import Report
from mercato.kit import pdf as pdf_kit
from mercato.kit.i18n import _, current_locale
from mercato.kit.money import format_money
from mercato.platform.stores import StoreConfig


def to_csv(report: Report, currency: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [_("Report"), _("%(days)s days", days=report.days), report.generated_at.isoformat()]
    )
    writer.writerow([])
    writer.writerow([_("Day"), _("Revenue (%(currency)s)", currency=currency), _("Orders")])
    for point in report.sales.series:
        writer.writerow([point.day.isoformat(), point.revenue, point.orders])
    writer.writerow([_("Total"), report.sales.revenue, report.sales.orders])
    writer.writerow([])
    writer.writerow(
        [_("Best-selling products"), _("Quantity"), _("Revenue (%(currency)s)", currency=currency)]
    )
    for top in report.sales.top_by_revenue:
        writer.writerow([top.name, top.units, top.revenue])
    writer.writerow([])
    writer.writerow([_("Product"), _("Views"), _("Orders"), _("Conversion rate (percent)")])
    for row in report.conversion:
        writer.writerow([row["name"], row["views"], row["orders"], row["rate"]])
    writer.writerow([])
    writer.writerow([_("Technician"), _("Bookings"), _("Completed"), _("Cancelled")])
    for tech in report.technicians:
        writer.writerow(
            [tech["technician"], tech["total"], tech.get("completed", 0), tech.get("cancelled", 0)]
        )
    writer.writerow([])
    writer.writerow([_("Support tickets in the period"), report.tickets.get("period_total", 0)])
    writer.writerow([_("First response overdue"), report.tickets.get("period_breached", 0)])
    avg = report.tickets.get("avg_first_response_minutes")
    writer.writerow([_("Average first response (minutes)"), "" if avg is None else avg])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_pdf(report: Report, store: StoreConfig) -> bytes:
    title = _("Business report, %(days)s days", days=report.days)
    doc = pdf_kit.document(title, store.name)
    pdf_kit.letterhead(doc, store, title)
    t = pdf_kit.text
    locale = current_locale(store.locale)

    def money(amount: int) -> str:
        return t(format_money(amount, store.currency, locale))

    doc.set_font("helvetica", "", 10)
    doc.cell(
        0,
        6,
        t(_("Revenue: %(amount)s", amount=money(report.sales.revenue))),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.cell(
        0,
        6,
        t(_("Paid orders: %(count)s", count=report.sales.orders)),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    rate = report.conversion_rate
    doc.cell(
        0,
        6,
        t(
            _(
                "Product views: %(views)s; conversion: %(rate)s",
                views=report.views,
                rate="-" if rate is None else f"{rate} %",
            )
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.ln(3)

    def table(title: str, header: list[str], rows: list[list[str]], widths: list[int]) -> None:
        doc.set_font("helvetica", "B", 11)
        doc.cell(0, 7, t(title), new_x="LMARGIN", new_y="NEXT")
        doc.set_font("helvetica", "B", 9)
        for head, w in zip(header, widths, strict=True):
            doc.cell(w, 6, t(head), border=1)
        doc.ln()
        doc.set_font("helvetica", "", 9)
        for row in rows or [["-"] + [""] * (len(header) - 1)]:
            for value, w in zip(row, widths, strict=True):
                doc.cell(w, 6, t(value)[:60], border=1)
            doc.ln()
        doc.ln(3)

    table(
        _("Revenue per day"),
        [_("Day"), _("Revenue"), _("Orders")],
        [
            [p.day.strftime("%d/%m/%Y"), money(p.revenue), str(p.orders)]
            for p in report.sales.series
            if p.orders
        ],
        [40, 60, 20],
    )
    table(
        _("Best-selling products"),
        [_("Product"), _("Quantity"), _("Revenue")],
        [[top.name, str(top.units), money(top.revenue)] for top in report.sales.top_by_revenue],
        [100, 30, 50],
    )
    table(
        _("Conversion from views"),
        [_("Product"), _("Views"), _("Orders"), "%"],
        [[r["name"], str(r["views"]), str(r["orders"]), str(r["rate"])] for r in report.conversion],
        [100, 25, 25, 20],
    )
    table(
        _("Bookings per technician"),
        [_("Technician"), _("Total"), _("Completed"), _("Cancelled")],
        [
            [
                x["technician"],
                str(x["total"]),
                str(x.get("completed", 0)),
                str(x.get("cancelled", 0)),
            ]
            for x in report.technicians
        ],
        [80, 25, 30, 25],
    )
    tickets = report.tickets
    table(
        _("Customer support (SLA)"),
        [_("In the period"), _("Overdue"), _("Average first response (minutes)")],
        [
            [
                str(tickets.get("period_total", 0)),
                str(tickets.get("period_breached", 0)),
                str(tickets.get("avg_first_response_minutes") or "-"),
            ]
        ],
        [40, 40, 60],
    )
    return bytes(doc.output())
