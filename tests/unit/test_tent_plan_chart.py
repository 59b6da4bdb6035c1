"""The tent plan's SVG chart: well-formed, one bar per slot with arrivals, the hours on the
axis, and text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from rubdown.domain.tent.outcomes import SlotStats
from rubdown.tent.chart import tent_chart_svg

SVG = "{http://www.w3.org/2000/svg}"


def slot(k: int, arrivals: float) -> SlotStats:
    return SlotStats(
        index=k,
        start_s=k * 900.0,
        arrivals=arrivals,
        tables=4,
        queue=arrivals / 2,
        tables_in_use=min(arrivals, 4.0),
        wait_quantile_s=60.0 if arrivals else None,
        gave_up=0.0,
    )


def test_the_chart_is_well_formed_with_a_bar_per_busy_slot_and_the_hours() -> None:
    slots = [slot(k, a) for k, a in enumerate([0, 3, 12, 7, 0, 1])]
    svg = tent_chart_svg(slots, [0, 2, 5, 4, 1, 1], 10 * 3600, "Tent <test> & co", True)
    root = ET.fromstring(svg)
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "#9ecae1"]
    assert len(bars) == 4 + 1  # four slots with arrivals, and the legend's swatch
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "10:00" in texts
    assert "11:00" in texts
    assert "Tent <test> & co" in texts  # escaped in the file, read back as written
    assert "therapists on shift" in texts


def test_without_shifts_the_chart_has_no_shift_line() -> None:
    svg = tent_chart_svg([slot(0, 2)], [1], 9 * 3600, "t", False)
    assert "therapists on shift" not in svg
    assert "therapists needed" in svg


def test_an_empty_plan_still_draws_axes() -> None:
    root = ET.fromstring(tent_chart_svg([], [], 9 * 3600, "empty", False))
    assert root.tag == f"{SVG}svg"
