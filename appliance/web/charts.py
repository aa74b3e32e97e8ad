"""Server-rendered SVG charts: no script, no external asset, every text escaped.

They scale to the width of the screen (``viewBox`` + CSS ``width: 100%``) and carry
``<title>`` tooltips and a text alternative (``role="img"`` + ``aria-label``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

PALETTE = {"answered": "#2e7d32", "abandoned_short": "#ef6c00", "abandoned_long": "#ffb74d",
           "missed": "#c62828", "interrupted": "#6d4c41", "total": "#1565c0", "trend": "#212121"}


def _e(text: object) -> str:
    return str(escape(str(text)))


def _nice_max(v: float) -> float:
    """The smallest round number (1, 2, 2.5, 5 × 10^k per gridline, 4 gridlines) at or above ``v``."""
    if v <= 0:
        return 4.0
    mag = 10 ** math.floor(math.log10(v / 4))
    for m in (1, 2, 2.5, 5, 10):
        if m * mag * 4 >= v:
            return max(4.0, m * mag * 4)
    return v  # pragma: no cover - m = 10 always fits


def stacked_bars(labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[float]]], *,
                 title: str, width: int = 720, height: int = 280,
                 trend: Callable[[int], float | None] | None = None, trend_label: str = "") -> Markup:
    """Bars per label, stacked by series ``(key, legend, values)``; optional trend line over bar index."""
    n = len(labels)
    left, right, top, bottom = 40, 8, 10, 62
    pw, ph = width - left - right, height - top - bottom
    totals = [sum(s[2][i] for s in series) for i in range(n)]
    trend_pts = [(i, v) for i in range(n) if trend is not None and (v := trend(i)) is not None]
    peak = max([*totals, *(v for _, v in trend_pts)], default=0)
    ymax = _nice_max(float(peak))
    bw = pw / max(n, 1)
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}" '
           f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="11">',
           f"<title>{_e(title)}</title>"]
    for k in range(5):
        v = ymax * k / 4
        y = top + ph - ph * k / 4
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{_e(f"{v:g}")}</text>')
    every = max(1, -(-n // 12))
    for i, label in enumerate(labels):
        x = left + i * bw
        y = top + ph
        parts = []
        for key, legend, values in series:
            v = float(values[i])
            if v <= 0:
                continue
            h = ph * v / ymax
            y -= h
            parts.append(f'<rect x="{x + bw * 0.1:.1f}" y="{y:.1f}" width="{bw * 0.8:.1f}" height="{h:.1f}" '
                         f'fill="{PALETTE.get(key, "#888")}"><title>{_e(label)} · {_e(legend)}: '
                         f'{_e(f"{v:g}")}</title></rect>')
        out.extend(parts)
        if i % every == 0:
            cx = x + bw / 2
            out.append(f'<text x="{cx:.1f}" y="{top + ph + 14}" text-anchor="middle" fill="#333">{_e(label)}</text>')
    if len(trend_pts) >= 2:
        pts = " ".join(f"{left + (i + 0.5) * bw:.1f},{top + ph - ph * max(0.0, v) / ymax:.1f}"
                       for i, v in trend_pts)
        out.append(f'<polyline points="{pts}" fill="none" stroke="{PALETTE["trend"]}" stroke-width="2" '
                   f'stroke-dasharray="6 4"><title>{_e(trend_label)}</title></polyline>')
    lx, ly = left, height - 22
    legend_items = [(k, lg) for k, lg, _ in series] + ([("trend", trend_label)] if trend is not None else [])
    col = max(1, min(len(legend_items), width // 170))
    for j, (key, legend) in enumerate(legend_items):
        x = lx + (j % col) * (pw / col)
        y = ly + (j // col) * 14 - (7 if len(legend_items) > col else 0)
        out.append(f'<rect x="{x:.1f}" y="{y - 9}" width="10" height="10" fill="{PALETTE.get(key, "#888")}"/>')
        out.append(f'<text x="{x + 14:.1f}" y="{y}" fill="#333">{_e(legend)}</text>')
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text in it went through escape()


def heatmap(grid: Sequence[Sequence[int]], row_labels: Sequence[str], *, title: str,
            width: int = 720) -> Markup:
    """7 × 24 grid (weekday × hour) as coloured cells with counts on hover."""
    left, top = 36, 18
    cw = (width - left - 4) / 24
    chh = 22
    height = top + chh * len(grid) + 6
    vmax = max((v for row in grid for v in row), default=0) or 1
    out = [f'<svg class="chart heat" viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}" '
           f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="11">',
           f"<title>{_e(title)}</title>"]
    for h in range(0, 24, 2):
        out.append(f'<text x="{left + (h + 0.5) * cw:.1f}" y="12" text-anchor="middle" fill="#555">{h}</text>')
    for r, row in enumerate(grid):
        y = top + r * chh
        out.append(f'<text x="{left - 4}" y="{y + 15}" text-anchor="end" fill="#333">{_e(row_labels[r])}</text>')
        for h, v in enumerate(row):
            a = v / vmax
            # white -> deep blue
            rr, gg, bb = int(255 - a * (255 - 21)), int(255 - a * (255 - 101)), int(255 - a * (255 - 192))
            out.append(f'<rect x="{left + h * cw:.1f}" y="{y}" width="{cw - 1:.1f}" height="{chh - 2}" '
                       f'fill="rgb({rr},{gg},{bb})" stroke="#eee"><title>{_e(row_labels[r])} {h:02d}h: '
                       f'{v}</title></rect>')
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text in it went through escape()
