"""Charts drawn on the server as SVG: no script, no style attribute, no third-party host (the CSP allows none).

Each chart is an accessible image (a title and a description) and the page shows the same numbers as a table.
Colours are the Okabe–Ito palette, told apart by people with colour-blindness; stacked segments also get a legend.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
WIDTH = 640
FONT = 'font-family="sans-serif" font-size="12"'


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _open(chart_id: str, height: float, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height:.0f}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _legend(names: Sequence[str], y: float) -> list[str]:
    parts, x = [], 8.0
    for i, name in enumerate(names):
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>')
        parts.append(f'<text x="{x + 16:.1f}" y="{y + 10:.1f}" {FONT} fill="#222">{escape(name)}</text>')
        x += 28 + 8 * len(str(name))
        if x > WIDTH - 80:
            x, y = 8.0, y + 18
    return parts


def _legend_height(names: Sequence[str]) -> float:
    x, rows = 8.0, 1
    for name in names:
        x += 28 + 8 * len(str(name))
        if x > WIDTH - 80:
            x, rows = 8.0, rows + 1
    return rows * 18 + 6


def horizontal_bars(chart_id: str, title: str, description: str, rows: Sequence[tuple[str, Sequence[float]]],
                    series: Sequence[str] = (), maximum: float | None = None,
                    label: Callable[[Sequence[float]], str] | None = None) -> Markup:
    """One bar per row (segments stacked when ``series`` names several), its value written at its end."""
    bar, gap, left, right = 20, 8, 170, 70
    legend = _legend_height(series) if len(series) > 1 else 0
    height = legend + len(rows) * (bar + gap) + gap
    top = max((sum(values) for _name, values in rows), default=0)
    scale = (WIDTH - left - right) / (maximum or top or 1)
    parts = _open(chart_id, max(height, 40), title, description)
    if len(series) > 1:
        parts += _legend(series, 4)
    for r, (name, values) in enumerate(rows):
        y = legend + gap + r * (bar + gap)
        parts.append(f'<text x="{left - 6}" y="{y + bar * 0.7:.1f}" {FONT} text-anchor="end" fill="#222">'
                     f'{escape(str(name)[:26])}</text>')
        x = float(left)
        for s, value in enumerate(values):
            width = value * scale
            if width > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{bar}" '
                             f'fill="{PALETTE[s % len(PALETTE)]}"/>')
            x += width
        text = label(values) if label else _number(sum(values))
        parts.append(f'<text x="{x + 4:.1f}" y="{y + bar * 0.7:.1f}" {FONT} fill="#222">{escape(text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_columns(chart_id: str, title: str, description: str, categories: Sequence[str],
                    series: Sequence[tuple[str, Sequence[float]]]) -> Markup:
    """One column per category (a week), stacked by series (a ministry), with a light value axis."""
    names = [name for name, _values in series]
    legend = _legend_height(names) if names else 0
    plot_top, plot_height, left, bottom = legend + 10, 200, 40, 40
    height = plot_top + plot_height + bottom
    totals = [sum(values[i] for _n, values in series) for i in range(len(categories))]
    top = max(totals, default=0) or 1
    slot = (WIDTH - left - 10) / max(1, len(categories))
    column = max(4.0, slot * 0.7)
    parts = _open(chart_id, height, title, description)
    parts += _legend(names, 4)
    for fraction in (0, 0.5, 1):
        y = plot_top + plot_height * (1 - fraction)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - 10}" y2="{y:.1f}" stroke="#ccc" stroke-width="1"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" {FONT} text-anchor="end" fill="#555">'
                     f'{_number(top * fraction)}</text>')
    for i, category in enumerate(categories):
        x = left + i * slot + (slot - column) / 2
        y = float(plot_top + plot_height)
        for s, (_name, values) in enumerate(series):
            h = values[i] / top * plot_height
            if h > 0:
                y -= h
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{column:.1f}" height="{h:.1f}" '
                             f'fill="{PALETTE[s % len(PALETTE)]}"/>')
        if len(categories) <= 16 or i % 2 == 0:
            parts.append(f'<text x="{x + column / 2:.1f}" y="{plot_top + plot_height + 16}" {FONT} '
                         f'text-anchor="middle" fill="#555">{escape(category)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
