"""What the report pages share: the report's charts and template context."""

from __future__ import annotations

from typing import Any

from mercato.profit import charts
from mercato.profit.reports import Report


def report_context(report: Report) -> dict[str, Any]:
    labels = [p.label for p in report.periods]
    if report.seller_id is None:
        series = {
            "Gross profit": [p.gross_profit for p in report.periods],
            "Platform (final)": [p.final_platform for p in report.periods],
            "Sellers": [p.seller_share for p in report.periods],
        }
        breakdown = [
            ("Cost", report.totals.cost),
            ("Platform share", report.totals.platform_share),
            ("Sellers' share", report.totals.seller_share),
            ("Platform (final)", report.totals.final_platform),
        ]
    else:
        series = {
            "Gross profit": [p.gross_profit for p in report.periods],
            "Your share": [p.seller_share for p in report.periods],
        }
        breakdown = [
            ("Cost", report.totals.cost),
            ("Gross profit", report.totals.gross_profit),
            ("Your share", report.totals.seller_share),
        ]
    return {
        "report": report,
        "series_names": list(series),
        "chart_time": charts.line_chart("Profit over time", labels, series),
        "chart_breakdown": charts.bar_chart("Where the revenue goes", breakdown),
        "chart_products": charts.bar_chart(
            "Top products by gross profit", [(p.label, p.gross_profit) for p in report.products]
        ),
    }
