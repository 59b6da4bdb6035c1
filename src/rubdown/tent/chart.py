"""The tent plan as an SVG chart, written by hand: no plotting library, no network, a few KB.

Per 15-minute slot: runners arriving (bars), runners waiting and tables in use (lines, both
time averages over the slot), and therapists: on shift (a step line, when shifts were given)
and needed to keep the wait target (a dashed step line).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from rubdown.domain.tent.outcomes import SlotStats
from rubdown.domain.tent.shifts import show_clock

WIDTH = 960
HEIGHT = 420
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 48, 64

ARRIVALS = "#9ecae1"
QUEUE = "#d62728"
IN_USE = "#2ca02c"
SHIFTS = "#555555"
NEEDED = "#ff7f0e"


def _nice_top(value: float) -> float:
    """A round axis top at or above ``value`` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _polyline(points: Sequence[tuple[float, float]], colour: str, dashed: bool = False) -> str:
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    return f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'


def tent_chart_svg(
    slots: Sequence[SlotStats],
    needed: Sequence[int],
    first_slot_clock_s: float,
    title: str,
    show_shifts: bool,
) -> str:
    """The chart for the slots shown (consecutive, from the first), with ``needed[k]`` the
    therapists the search found for ``slots[k]``."""
    count = max(len(slots), 1)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot_w = plot_w / count
    peak = max(
        [1.0]
        + [s.arrivals for s in slots]
        + [s.queue for s in slots]
        + [s.tables_in_use for s in slots]
        + [float(n) for n in needed]
        + ([float(s.tables) for s in slots] if show_shifts else [])
    )
    top = _nice_top(peak)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    def x(k: float) -> float:
        return LEFT + k * slot_w

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{LEFT}" y="20" font-size="15" font-weight="bold">{escape(title)}</text>',
        f'<text x="{LEFT}" y="36" fill="#666">per 15 minutes; runners waiting and tables in '
        "use are means over the slot</text>",
    ]
    for i in range(6):
        value = top * i / 5
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'stroke="#e0e0e0"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value:g}</text>'
        )
    for k, slot in enumerate(slots):
        if slot.arrivals > 0:
            parts.append(
                f'<rect x="{x(k) + 1:.1f}" y="{y(slot.arrivals):.1f}" '
                f'width="{max(slot_w - 2, 1):.1f}" height="{y(0) - y(slot.arrivals):.1f}" '
                f'fill="{ARRIVALS}"/>'
            )
        clock_s = first_slot_clock_s + slot.start_s
        if clock_s % 3600 == 0:
            parts.append(
                f'<line x1="{x(k):.1f}" x2="{x(k):.1f}" y1="{y(0):.1f}" y2="{y(0) + 5:.1f}" '
                'stroke="#333"/>'
            )
            parts.append(
                f'<text x="{x(k):.1f}" y="{y(0) + 18:.1f}" text-anchor="middle">'
                f"{show_clock(clock_s)}</text>"
            )
    middles = [(x(k + 0.5), slot) for k, slot in enumerate(slots)]
    parts.append(_polyline([(mx, y(s.queue)) for mx, s in middles], QUEUE))
    parts.append(_polyline([(mx, y(s.tables_in_use)) for mx, s in middles], IN_USE))

    def steps(values: Sequence[float]) -> list[tuple[float, float]]:
        points = []
        for k, value in enumerate(values):
            points += [(x(k), y(value)), (x(k + 1), y(value))]
        return points

    if show_shifts:
        parts.append(_polyline(steps([float(s.tables) for s in slots]), SHIFTS))
    parts.append(_polyline(steps([float(n) for n in needed]), NEEDED, dashed=True))
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#333"/>'
    )
    legend = [
        (ARRIVALS, "runners arriving", "bar"),
        (QUEUE, "runners waiting", "line"),
        (IN_USE, "tables in use", "line"),
    ]
    if show_shifts:
        legend.append((SHIFTS, "therapists on shift", "line"))
    legend.append((NEEDED, "therapists needed", "dash"))
    lx = float(LEFT)
    ly = HEIGHT - 18
    for colour, label, kind in legend:
        if kind == "bar":
            parts.append(
                f'<rect x="{lx:.1f}" y="{ly - 9}" width="14" height="10" fill="{colour}"/>'
            )
        else:
            dash = ' stroke-dasharray="6 4"' if kind == "dash" else ""
            parts.append(
                f'<line x1="{lx:.1f}" x2="{lx + 14:.1f}" y1="{ly - 4}" y2="{ly - 4}" '
                f'stroke="{colour}" stroke-width="2"{dash}/>'
            )
        parts.append(f'<text x="{lx + 18:.1f}" y="{ly}">{escape(label)}</text>')
        lx += 34 + 6.5 * len(label)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
