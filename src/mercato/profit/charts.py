"""Small SVG charts drawn on the server (no script, no style attributes: the CSP forbids
both). Colours are presentation attributes taken from CSS classes in the module's
stylesheet; every chart has a <title> and a text table next to it on the page, so a screen
reader gets the numbers rather than the picture.

The returned markup is built from numbers and escaped labels only (markupsafe), so it is safe
to place in a template with ``|safe``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 240
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 64, 16, 16, 40


def _major(amount: int) -> str:
    """Minor units as a short major-unit label: 1,234,500 poisha → 12.3k."""
    value = Decimal(amount) / 100
    for limit, suffix in ((Decimal(10) ** 7, "cr"), (Decimal(10) ** 5, "L"), (Decimal(1000), "k")):
        if abs(value) >= limit:
            return f"{value / limit:.1f}{suffix}"
    return f"{value:.0f}" if abs(value) >= 10 else f"{value:.2f}"


def _short(label: str, limit: int = 26) -> str:
    """Bar labels fit the space left of the bars; the table beside the chart has them whole."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _svg(title: str, body: list[str], height: int = HEIGHT) -> Markup:
    head = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )
    # Every piece is numbers or escape()d text (see the module docstring).
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704


def line_chart(title: str, labels: Sequence[str], series: dict[str, Sequence[int]]) -> Markup:
    """Lines over time (profit per period); the first series is drawn last, on top."""
    values = [v for s in series.values() for v in s] or [0]
    low, high = min(0, *values), max(0, *values)
    span = (high - low) or 1
    count = max(len(labels), 1)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def x(i: int) -> float:
        return PAD_LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(v: int) -> float:
        return PAD_TOP + plot_h * (high - v) / span

    body = [
        f'<line class="chart-axis" x1="{PAD_LEFT}" y1="{y(0):.1f}" x2="{WIDTH - PAD_RIGHT}" '
        f'y2="{y(0):.1f}"/>'
    ]
    for tick in (low, (low + high) // 2, high):
        body.append(
            f'<text class="chart-label" x="{PAD_LEFT - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end">{escape(_major(tick))}</text>'
        )
    step = max(1, count // 6)
    for i in range(0, count, step):
        # The last label ends at its point so it is not cut by the right edge.
        anchor = "end" if count > 1 and i == count - 1 else "middle"
        body.append(
            f'<text class="chart-label" x="{x(i):.1f}" y="{HEIGHT - 12}" '
            f'text-anchor="{anchor}">{escape(labels[i])}</text>'
        )
    for n, points in reversed(list(enumerate(series.values()))):
        coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(points))
        body.append(f'<polyline class="chart-line chart-series-{n}" points="{coords}"/>')
    return _svg(title, body)


def bar_chart(title: str, items: Sequence[tuple[str, int]]) -> Markup:
    """Horizontal bars (top products, breakdown of the profit)."""
    rows = list(items)[:10]
    bar_h, gap = 18, 8
    height = PAD_TOP + len(rows) * (bar_h + gap) + 8 if rows else 60
    left = 220
    plot_w = WIDTH - left - 80
    top_value = max([abs(v) for _, v in rows] + [1])
    body = []
    for i, (label, value) in enumerate(rows):
        y = PAD_TOP + i * (bar_h + gap)
        w = plot_w * abs(value) / top_value
        cls = "chart-bar" if value >= 0 else "chart-bar chart-negative"
        body.append(
            f'<text class="chart-label" x="{left - 8}" y="{y + 13}" text-anchor="end">'
            f"{escape(_short(label))}</text>"
            f'<rect class="{cls} chart-series-{i % 4}" x="{left}" y="{y}" width="{w:.1f}" '
            f'height="{bar_h}"/>'
            f'<text class="chart-label" x="{left + w + 6:.1f}" y="{y + 13}">'
            f"{escape(_major(value))}</text>"
        )
    if not rows:
        body.append(
            f'<text class="chart-label" x="{WIDTH / 2}" y="34" text-anchor="middle">No data</text>'
        )
    return _svg(title, body, height)
