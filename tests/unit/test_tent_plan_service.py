"""``services.tent_plan``: a small race's tent planned end to end on the SimPy queue."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rubdown.domain.tent.arrivals import ArrivalSettings
from rubdown.domain.tent.model import ServiceTimes
from rubdown.domain.tent.shifts import parse_clock, parse_shifts
from rubdown.errors import InvalidValue
from rubdown.services import tent_plan
from rubdown.tent.simulation import SimpyTentSimulator

TARGET_S = 600.0


def request(**changes: object) -> tent_plan.TentRequest:
    base = tent_plan.TentRequest(
        curve=tent_plan.finish_curve(1500, "10k"),
        gun_clock_s=parse_clock("09:05"),
        arrivals=ArrivalSettings(uptake=0.2),
        service=ServiceTimes(mean_s=600.0, cap_s=900.0, reset_s=120.0),
        patience_s=1800.0,
        target_wait_s=TARGET_S,
        shifts=parse_shifts("09:30-11:00=4"),
        replications=6,
        seed=3,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def plan() -> tent_plan.TentPlan:
    return tent_plan.plan_tent(request(), SimpyTentSimulator())


def test_slots_start_at_the_quarter_hour_before_the_gun(plan: tent_plan.TentPlan) -> None:
    assert plan.first_slot_clock_s == parse_clock("09:00")


def test_too_few_therapists_leave_runners_waiting_and_giving_up(plan: tent_plan.TentPlan) -> None:
    assert plan.with_shifts is not None
    assert plan.with_shifts.gave_up > 0
    assert plan.with_shifts.wait_p90_s > TARGET_S


def test_the_staffing_found_keeps_every_slot_under_the_target(plan: tent_plan.TentPlan) -> None:
    assert plan.needed.met
    quantiles = [s.wait_quantile_s for s in plan.with_needed.slots]
    assert all(q is None or q <= TARGET_S for q in quantiles)
    assert max(plan.needed.tables_per_slot) > 4
    assert plan.with_needed.runners == pytest.approx(plan.with_shifts.runners)  # type: ignore[union-attr]


def test_the_same_seed_plans_the_same_tent(plan: tent_plan.TentPlan) -> None:
    again = tent_plan.plan_tent(request(), SimpyTentSimulator())
    assert again.needed == plan.needed
    assert again.with_needed == plan.with_needed


def test_the_json_view_has_one_row_per_busy_slot(plan: tent_plan.TentPlan) -> None:
    view = tent_plan.tent_plan_view(plan)
    slots = view["slots"]
    assert isinstance(slots, list)
    assert slots[0]["start"] >= "09:00"
    assert {"arrivals", "queue", "tables_in_use", "wait_p90_min", "therapists_needed"} <= set(
        slots[0]
    )
    assert view["needed"]["met"] is True  # type: ignore[index]


def test_a_results_csv_becomes_the_curve_rescaled_to_the_field() -> None:
    text = "bib,chip time\n" + "".join(f"{i},0:{40 + i % 20}:00\n" for i in range(60))
    curve = tent_plan.finish_curve(300, results_text=text, results_name="last-year.csv")
    assert len(curve.finish_times_s) == 300
    assert 'last-year.csv: 60 finish times from column "chip time"' in curve.source


def test_a_curve_needs_a_distance_or_results() -> None:
    with pytest.raises(InvalidValue, match="distance"):
        tent_plan.finish_curve(100)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"patience_s": 0.0}, "patience"),
        ({"target_wait_s": 0.0}, "target wait"),
        ({"service": ServiceTimes(mean_s=900.0, cap_s=600.0)}, "time cap"),
        ({"replications": 0}, "replications"),
    ],
)
def test_impossible_settings_are_refused(changes: dict[str, object], words: str) -> None:
    with pytest.raises(InvalidValue, match=words):
        request(**changes)
