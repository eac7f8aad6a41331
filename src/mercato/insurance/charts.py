"""Column charts for the insurance dashboard and reports, drawn on the server as SVG.

No script and no style attribute (the CSP forbids both): colours come from CSS classes in
insurance.css. The markup holds only numbers and escaped text, so templates place it with
``|safe``; every chart has a <title>, and the page shows the same numbers as a table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 84, 12, 14, 44


def whole(value: int) -> str:
    return f"{value:,}"


def rupees_short(minor: int) -> str:
    """Axis labels in Indian units: ₹4.5k, ₹1.2L, ₹3.0cr."""
    value = minor / 100
    for limit, suffix in ((1e7, "cr"), (1e5, "L"), (1e3, "k")):
        if abs(value) >= limit:
            return f"₹{value / limit:.1f}{suffix}"
    return f"₹{value:.0f}"


def columns(
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[int]],
    fmt: Callable[[int], str] = whole,
) -> Markup:
    """Side-by-side columns per period, one colour per series (``ins-series-<n>``)."""
    values = [v for s in series.values() for v in s]
    high = max([0, *values]) or 1
    low = min([0, *values])
    span = high - low
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = max(len(labels), 1)
    slot = plot_w / count
    bar = max(1.0, slot * 0.8 / max(len(series), 1))

    def y(v: int) -> float:
        return TOP + plot_h * (high - v) / span

    parts = [
        f'<svg class="ins-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    ]
    for tick in sorted({low, (low + high) // 2, high}):
        parts.append(
            f'<line class="ins-chart-grid" x1="{LEFT}" y1="{y(tick):.1f}" '
            f'x2="{WIDTH - RIGHT}" y2="{y(tick):.1f}"/>'
            f'<text class="ins-chart-label" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end">{escape(fmt(tick))}</text>'
        )
    for n, points in enumerate(series.values()):
        for i, value in enumerate(points):
            x = LEFT + slot * i + slot * 0.1 + bar * n
            top, bottom = sorted((y(value), y(0)))
            parts.append(
                f'<rect class="ins-series-{n}" x="{x:.1f}" y="{top:.1f}" width="{bar:.1f}" '
                f'height="{max(bottom - top, 0.5):.1f}"><title>{escape(labels[i])}: '
                f"{escape(fmt(value))}</title></rect>"
            )
    step = max(1, -(-count // 12))  # at most twelve labels under the axis
    for n, i in enumerate(range(0, len(labels), step)):
        # Every other label is hidden on narrow screens, where the text is drawn larger.
        alt = " ins-chart-alt" if n % 2 else ""
        parts.append(
            f'<text class="ins-chart-label{alt}" x="{LEFT + slot * (i + 0.5):.1f}" '
            f'y="{HEIGHT - 18}" text-anchor="middle">{escape(labels[i])}</text>'
        )
    parts.append(
        f'<line class="ins-chart-axis" x1="{LEFT}" y1="{y(0):.1f}" x2="{WIDTH - RIGHT}" '
        f'y2="{y(0):.1f}"/>'
    )
    # Every piece above is a number or escape()d text.
    return Markup("".join(parts) + "</svg>")  # noqa: S704
