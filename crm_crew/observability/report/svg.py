"""Inline SVG bar charts and histograms: no plotting library, no script, readable in any browser or mail client.

Every label is data: it is escaped here, and shown whole in a tooltip (`<title>`) when cut short on the chart.
"""

from __future__ import annotations

from collections.abc import Callable

from crm_crew.observability.report.document import Chart

PALETTE = ("#2f6fb0", "#e07b39", "#3a9a5b", "#c8453b", "#8a5fb8", "#8c6d4f", "#d36aa9", "#6f7a86", "#b8a532",
           "#2aa1b3")
WIDTH = 500
ROW = 22
LABEL_CHARS = 26
Escape = Callable[[str], str]


def _short(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[:limit - 1] + "…"


def amount(value: float, unit: str) -> str:
    if unit == "USD":
        return f"${value:,.4f}"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def bar_chart(chart: Chart, esc: Escape) -> str:
    """Horizontal bars, one row per label, the value at the end of each bar."""
    label_w, value_w = 190, 80
    bar_w = WIDTH - label_w - value_w
    top = max((v for _, v in chart.bars), default=0) or 1
    height = ROW * len(chart.bars) + 8
    parts = [_open(chart, esc, height)]
    for i, (label, value) in enumerate(chart.bars):
        y = 4 + i * ROW
        w = max(1.0, bar_w * value / top) if value else 0.0
        colour = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<g class="bar" data-label="{esc(label)}" data-value="{value:g}"><title>{esc(label)}: '
            f'{esc(amount(value, chart.unit))}</title>'
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{esc(_short(label))}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{ROW - 6}" rx="2" fill="{colour}"/>'
            f'<text x="{label_w + w + 5:.1f}" y="{y + 15}">{esc(amount(value, chart.unit))}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def histogram(chart: Chart, esc: Escape) -> str:
    """Vertical bins side by side, the count above each and the bin's label below."""
    plot_h, left, bottom = 150, 10, 36
    n = max(1, len(chart.bars))
    slot = (WIDTH - 2 * left) / n
    top = max((v for _, v in chart.bars), default=0) or 1
    height = plot_h + bottom + 20
    parts = [_open(chart, esc, height),
             f'<line x1="{left}" y1="{plot_h + 20}" x2="{WIDTH - left}" y2="{plot_h + 20}" stroke="#888"/>']
    for i, (label, value) in enumerate(chart.bars):
        x = left + i * slot
        h = plot_h * value / top
        y = plot_h + 20 - h
        parts.append(
            f'<g class="bar" data-label="{esc(label)}" data-value="{value:g}"><title>{esc(label)}: '
            f'{esc(amount(value, chart.unit))}</title>'
            f'<rect x="{x + 3:.1f}" y="{y:.1f}" width="{slot - 6:.1f}" height="{h:.1f}" fill="{PALETTE[0]}"/>'
            f'<text x="{x + slot / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{esc(amount(value, chart.unit))}</text>'
            f'<text x="{x + slot / 2:.1f}" y="{plot_h + 36}" text-anchor="middle">{esc(_short(label, 10))}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _open(chart: Chart, esc: Escape, height: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" id="{esc(chart.id)}" class="chart" width="{WIDTH}" '
            f'height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{esc(chart.title)}">'
            f'<title>{esc(chart.title)}</title>')


def chart_svg(chart: Chart, esc: Escape) -> str:
    return histogram(chart, esc) if chart.histogram else bar_chart(chart, esc)
