"""Charts as server-rendered SVG: no script, nothing fetched, nothing a strict CSP has to allow.
Each is drawn from a `Table` (the same numbers the page shows beside it, for a screen reader
and for export), and every text in it goes through the one HTML escape of the trust gates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from ..gates.sanitize import html

PALETTE = ("#1f5fa8", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f")
WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 14, 60


@dataclass(frozen=True)
class Table:
    """A table of a page: its title, column names and rows (numbers stay numbers), and the
    name it is exported under (`/…/export/<name>.xlsx`)."""

    name: str
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]  # text, numbers (kept numbers for export), None


def _open(title: str, label_id: str) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{label_id}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" class="chart">',
            f'<title id="{label_id}">{html(title)}</title>']


def _y_axis(parts: list[str], top: float, ticks: Sequence[float], unit: str = "") -> None:
    plot_h = HEIGHT - TOP - BOTTOM
    for tick in ticks:
        y = TOP + plot_h * (1 - tick / top) if top else HEIGHT - BOTTOM
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#e3e7ee"/><text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" '
                     f'text-anchor="end">{tick:g}{unit}</text>')


def _x_label(parts: list[str], x: float, text: str) -> None:
    shown = text if len(text) <= 14 else text[:13] + "…"
    parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="11" '
                 f'text-anchor="middle">{html(shown)}</text>')


def _ticks(top: float) -> list[float]:
    step = max(1, round(top / 4))
    return [float(v) for v in range(0, int(top) + 1, step)]


def columns(title: str, label_id: str, bars: Sequence[tuple[str, float | None]],
            maximum: float | None = None, unit: str = "") -> Markup:
    """Vertical bars, one per label (a histogram, or a value per group)."""
    values = [v for _, v in bars if v is not None]
    top = maximum if maximum is not None else max([1.0, *values])
    parts = _open(title, label_id)
    _y_axis(parts, top, _ticks(top), unit)
    plot_w = WIDTH - LEFT - RIGHT
    slot = plot_w / max(1, len(bars))
    for index, (name, value) in enumerate(bars):
        x = LEFT + index * slot
        if value is not None and top:
            h = (HEIGHT - TOP - BOTTOM) * min(value, top) / top
            parts.append(f'<rect x="{x + slot * 0.12:.1f}" y="{HEIGHT - BOTTOM - h:.1f}" '
                         f'width="{slot * 0.76:.1f}" height="{h:.1f}" fill="{PALETTE[0]}">'
                         f'<title>{html(name)}: {value:g}{unit}</title></rect>')
        _x_label(parts, x + slot / 2, name)
    parts.append("</svg>")
    return Markup("".join(parts))


def lines(title: str, label_id: str, x_labels: Sequence[str],
          series: Sequence[tuple[str, Sequence[float | None]]], maximum: float = 100.0,
          unit: str = "") -> Markup:
    """One line per series over the same x labels (quarters, months, submissions); a missing
    value breaks its line. A legend names each series."""
    parts = _open(title, label_id)
    _y_axis(parts, maximum, _ticks(maximum), unit)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(x_labels))
    every = max(1, len(x_labels) // 10)  # at most ten labels under the axis
    for index, name in enumerate(x_labels):
        if index % every == 0:
            _x_label(parts, LEFT + step * (index + 0.5), name)
    for number, (name, values) in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        dash = "" if number == 0 else ' stroke-dasharray="5 3"'
        run: list[str] = []
        points = []
        for index, value in enumerate(values):
            if value is None:
                if len(run) > 1:
                    points.append(run)
                run = []
                continue
            x = LEFT + step * (index + 0.5)
            y = TOP + plot_h * (1 - min(value, maximum) / maximum)
            run.append(f"{x:.1f},{y:.1f}")
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>'
                         f'{html(name)} {html(x_labels[index])}: {value:g}{unit}</title>'
                         f'</circle>')
        if len(run) > 1:
            points.append(run)
        for run in points:
            parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                         f'stroke-width="2"{dash}/>')
        # the legend: three to a row, under the axis labels
        legend_x = LEFT + (number % 3) * 195
        legend_y = HEIGHT - 26 + (number // 3) * 16
        parts.append(f'<line x1="{legend_x}" x2="{legend_x + 18}" y1="{legend_y - 4}" '
                     f'y2="{legend_y - 4}" stroke="{colour}" stroke-width="2"{dash}/>'
                     f'<text x="{legend_x + 22}" y="{legend_y}" font-size="11">'
                     f'{html(name if len(name) <= 26 else name[:25] + "…")}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def histogram(values: Sequence[float], bins: int = 10) -> list[tuple[str, float]]:
    """Scores 0-100 counted in `bins` equal ranges ("0-10", …, "90-100": the last one closed)."""
    width = 100 / bins
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, max(0, int(value // width)))] += 1
    return [(f"{i * width:g}-{(i + 1) * width:g}", float(c)) for i, c in enumerate(counts)]
