"""Server-drawn SVG charts: labels escaped, no style attributes or scripts (CSP), short
major-unit labels."""

from __future__ import annotations

from mercato.profit import charts


def test_bar_chart_escapes_labels_and_has_no_inline_style():
    svg = str(
        charts.bar_chart("Top <products>", [("<script>alert(1)</script>", 1_350_000), ("Loss", -5)])
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "style=" not in svg
    assert "<title>Top &lt;products&gt;</title>" in svg
    assert "13.5k" in svg and "-0.05" in svg
    assert 'role="img"' in svg


def test_line_chart_points_and_labels():
    svg = str(
        charts.line_chart(
            "Profit", ["Jan", "Feb", "Mar"], {"a": [0, 100_00, 200_00], "b": [0, 0, 0]}
        )
    )
    assert svg.count("<polyline") == 2
    assert 'text-anchor="end">Mar<' in svg  # the last label stays inside the chart
    assert "style=" not in svg


def test_long_labels_are_shortened_for_the_bars_only():
    svg = str(charts.bar_chart("t", [("Hessian Cloth (per metre) (TX-HES-13)", 10)]))
    assert "Hessian Cloth (per metre)…" in svg
