"""Charts as inline SVG, built from numbers by plain Python.

The same SVG string goes into the HTML preview and the PDF, so both show the
same picture. Every piece of text (a label, a legend, a title) is escaped
here: an indicator or kecamatan name is data someone typed. Colours are
presentation attributes, never `style=""`, so the strict CSP of the pages
allows them; the palette stays distinct when printed in greyscale.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from app.documents.formatting import count, figure

FONT = "Liberation Sans, DejaVu Sans, sans-serif"
INK = "#1a1a1a"
GRID = "#c8c8c8"
PALETTE = ("#1f4e79", "#d9822b", "#5b8c3a", "#8e44ad", "#7f7f7f", "#c0392b")
LABEL_MAX = 28


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[Decimal | None, ...]
    dashed: bool = False


def shorten(text: str, limit: int = LABEL_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def text(
    x: float,
    y: float,
    content: str,
    *,
    size: float = 10,
    anchor: str = "start",
    weight: str = "normal",
    fill: str = INK,
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{fill}">{escape(content)}</text>'
    )


def svg(width: int, height: int, title: str, body: Sequence[str]) -> Markup:
    # The chart's title is also its accessible name; the numbers are in the table beside it.
    # Safe: `body` is built only by the helpers above, which escape every piece of text.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def nice_step(span: float, ticks: int = 5) -> float:
    raw = span / max(ticks, 1)
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def line_chart(title: str, years: Sequence[int], series: Sequence[Series]) -> Markup:
    """Target against actual per year: one line per series, each point labelled ('6,94')."""
    width, height = 560, 250
    left, right, top, bottom = 46, 16, 34, 30
    values = [float(v) for s in series for v in s.values if v is not None]
    if not years or not values:
        return svg(width, 60, title, [text(8, 34, title, size=11)])
    low, high = min(values), max(values)
    step = nice_step(max(high - low, 0.1), 4)
    axis_low = math.floor(low / step) * step - step / 2
    axis_high = math.ceil(high / step) * step + step / 2
    plot_w, plot_h = width - left - right, height - top - bottom

    inset = 22  # keeps the first and last points and their labels off the edges

    def x_of(index: int) -> float:
        if len(years) == 1:
            return left + plot_w / 2
        return left + inset + (plot_w - 2 * inset) * index / (len(years) - 1)

    def y_of(value: float) -> float:
        return top + plot_h * (axis_high - value) / (axis_high - axis_low)

    body = []
    tick = math.ceil(axis_low / step) * step
    while tick <= axis_high + 1e-9:
        y = y_of(tick)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="0.6"/>'
        )
        body.append(
            text(left - 6, y + 3.5, figure(Decimal(str(round(tick, 4)))), size=9, anchor="end")
        )
        tick += step
    for index, year in enumerate(years):
        body.append(text(x_of(index), height - 10, str(year), size=10, anchor="middle"))

    for number, line in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        dash = ' stroke-dasharray="5 4"' if line.dashed else ""
        points = [(x_of(i), y_of(float(v)), v) for i, v in enumerate(line.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
            )
        # Labels of the first series above the points, of the second below, so they never collide.
        offset = -8 if number % 2 == 0 else 15
        for x, y, value in points:
            fill = "#ffffff" if line.dashed else colour
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{fill}" stroke="{colour}" '
                f'stroke-width="1.6"/>'
            )
            body.append(text(x, y + offset, figure(value), size=9, anchor="middle", fill=colour))
        legend_x = left + number * 170
        body.append(
            f'<line x1="{legend_x}" y1="14" x2="{legend_x + 22}" y2="14" stroke="{colour}" '
            f'stroke-width="2"{dash}/>'
        )
        body.append(text(legend_x + 28, 18, shorten(line.label, 24), size=10))
    return svg(width, height, title, body)


def bar_chart(
    title: str,
    rows: Sequence[tuple[str, int | Decimal]],
    value_text: Callable[[Any], str] = count,
    colours: Sequence[str] = (PALETTE[0],),
) -> Markup:
    """One horizontal bar per row, its value written at the end of the bar.

    Negative values (an indicator that moved the wrong way) draw no bar; the
    value is still written.
    """
    row_h, left, right, top = 20, 170, 54, 8
    width = 560
    height = top * 2 + row_h * max(len(rows), 1)
    largest = max((float(value) for _, value in rows), default=0) or 1
    plot_w = width - left - right
    body = []
    for index, (label, value) in enumerate(rows):
        y = top + index * row_h
        bar = max(plot_w * float(value) / largest, 0)
        colour = colours[index % len(colours)]
        body.append(text(left - 6, y + 14, shorten(label), size=10, anchor="end"))
        body.append(
            f'<rect x="{left}" y="{y + 3}" width="{bar:.1f}" height="{row_h - 6}" fill="{colour}"/>'
        )
        body.append(text(left + bar + 4, y + 14, value_text(value), size=10))
    return svg(width, height, title, body)


def stacked_bar_chart(
    title: str,
    legend: Sequence[str],
    rows: Sequence[tuple[str, Sequence[int]]],
    *,
    colours: Sequence[str] = PALETTE,
    label_chars: int = 10,
) -> Markup:
    """One bar per row split into segments (e.g. a pillar split by role), with a legend.

    `label_chars` widens the room left of the bars for longer row labels (an agency's
    abbreviation, "Tanpa pilar"); `colours` gives each segment its colour, in order.
    """
    row_h, right, top = 22, 44, 30
    left = max(60, round(6 * label_chars))
    width = 560
    height = top + 8 + row_h * max(len(rows), 1)
    largest = max((sum(parts) for _, parts in rows), default=0) or 1
    plot_w = width - left - right
    body = []
    legend_x = 8.0
    for number, label in enumerate(legend):
        colour = colours[number % len(colours)]
        body.append(f'<rect x="{legend_x:.1f}" y="6" width="10" height="10" fill="{colour}"/>')
        short = shorten(label, 26)
        body.append(text(legend_x + 14, 15, short, size=9))
        legend_x += 24 + 5.2 * len(short)
    for index, (label, parts) in enumerate(rows):
        y = top + index * row_h
        body.append(text(left - 6, y + 15, shorten(label, label_chars), size=10, anchor="end"))
        x = float(left)
        for number, value in enumerate(parts):
            if not value:
                continue
            segment = plot_w * value / largest
            colour = colours[number % len(colours)]
            body.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{segment:.1f}" height="{row_h - 6}" '
                f'fill="{colour}" stroke="#ffffff" stroke-width="0.8"/>'
            )
            x += segment
        body.append(text(x + 4, y + 15, count(sum(parts)), size=10))
    return svg(width, height, title, body)
