"""The analytics report as CSV (UTF-8 with a BOM, so spreadsheet programs read Vietnamese
correctly) and as PDF (fpdf2 core fonts: Vietnamese marks are reduced to plain letters,
see kit/pdf.py; the CSV keeps them)."""

from __future__ import annotations

import csv
import io

from mercato.analytics.service import Report
from mercato.kit import pdf as pdf_kit
from mercato.kit.money import format_money
from mercato.platform.stores import StoreConfig


def to_csv(report: Report, currency: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Báo cáo", f"{report.days} ngày", report.generated_at.isoformat()])
    writer.writerow([])
    writer.writerow(["Ngày", f"Doanh thu ({currency})", "Đơn hàng"])
    for point in report.sales.series:
        writer.writerow([point.day.isoformat(), point.revenue, point.orders])
    writer.writerow(["Tổng", report.sales.revenue, report.sales.orders])
    writer.writerow([])
    writer.writerow(["Sản phẩm bán chạy", "Số lượng", f"Doanh thu ({currency})"])
    for top in report.sales.top_by_revenue:
        writer.writerow([top.name, top.units, top.revenue])
    writer.writerow([])
    writer.writerow(["Sản phẩm", "Lượt xem", "Đơn hàng", "Tỉ lệ chuyển đổi (%)"])
    for row in report.conversion:
        writer.writerow([row["name"], row["views"], row["orders"], row["rate"]])
    writer.writerow([])
    writer.writerow(["Kỹ thuật viên", "Tổng lịch hẹn", "Hoàn thành", "Đã huỷ"])
    for tech in report.technicians:
        writer.writerow(
            [tech["technician"], tech["total"], tech.get("completed", 0), tech.get("cancelled", 0)]
        )
    writer.writerow([])
    writer.writerow(["Yêu cầu hỗ trợ trong kỳ", report.tickets.get("period_total", 0)])
    writer.writerow(["Quá hạn phản hồi đầu", report.tickets.get("period_breached", 0)])
    avg = report.tickets.get("avg_first_response_minutes")
    writer.writerow(["Phản hồi đầu trung bình (phút)", "" if avg is None else avg])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_pdf(report: Report, store: StoreConfig) -> bytes:
    doc = pdf_kit.document(f"Bao cao {report.days} ngay", store.name)
    pdf_kit.letterhead(doc, store, f"Báo cáo kinh doanh {report.days} ngày")
    t = pdf_kit.text

    def money(amount: int) -> str:
        return t(format_money(amount, store.currency, "en"))

    doc.set_font("helvetica", "", 10)
    doc.cell(
        0,
        6,
        t(f"Doanh thu: {format_money(report.sales.revenue, store.currency, 'en')}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    doc.cell(
        0, 6, t(f"Đơn hàng đã thanh toán: {report.sales.orders}"), new_x="LMARGIN", new_y="NEXT"
    )
    rate = report.conversion_rate
    doc.cell(
        0,
        6,
        t(f"Lượt xem sản phẩm: {report.views}; chuyển đổi: {'-' if rate is None else f'{rate} %'}"),
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
        "Doanh thu theo ngày",
        ["Ngày", "Doanh thu", "Đơn"],
        [
            [p.day.strftime("%d/%m/%Y"), money(p.revenue), str(p.orders)]
            for p in report.sales.series
            if p.orders
        ],
        [40, 60, 20],
    )
    table(
        "Sản phẩm bán chạy",
        ["Sản phẩm", "Số lượng", "Doanh thu"],
        [[top.name, str(top.units), money(top.revenue)] for top in report.sales.top_by_revenue],
        [100, 30, 50],
    )
    table(
        "Chuyển đổi từ lượt xem",
        ["Sản phẩm", "Lượt xem", "Đơn", "%"],
        [[r["name"], str(r["views"]), str(r["orders"]), str(r["rate"])] for r in report.conversion],
        [100, 25, 25, 20],
    )
    table(
        "Lịch hẹn theo kỹ thuật viên",
        ["Kỹ thuật viên", "Tổng", "Hoàn thành", "Đã huỷ"],
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
        "Hỗ trợ khách hàng (SLA)",
        ["Trong kỳ", "Quá hạn", "Phản hồi đầu TB (phút)"],
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
