"""The forecast chart: daily sales and their smoothed level, in units."""

from __future__ import annotations

from markupsafe import Markup

from mercato.procurement.service import ProductForecast
from mercato.profit import charts


def forecast_chart(f: ProductForecast) -> Markup:
    labels = [d.strftime("%d %b") for d in f.days]
    # The chart helper draws minor units; units × 100 read back as whole units.
    return charts.line_chart(
        f"Daily sales of {f.product.name} and the smoothed demand",
        labels,
        {
            "Smoothed demand": [int(v * 100) for v in f.forecast.smoothed],
            "Units sold": [u * 100 for u in f.sales],
        },
    )
