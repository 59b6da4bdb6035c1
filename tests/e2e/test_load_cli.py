"""Fitness, fatigue and form from stored activities: the series service, then ``rubdown load``.

Expected values come from the impulse form of the recurrence, CTL_t = Σ L_s·k·(1-k)^(t-s)
over the days s <= t (seeds 0), written out here, not from the code under test.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from rubdown.bootstrap import Settings, build_app

# ``main`` first: command modules are loaded through it (``_register``), never on their own.
from rubdown.cli import main as cli_main
from rubdown.cli.commands_load import bar, form_bar, sparkline
from rubdown.domain.activity import Activity, Sport
from rubdown.domain.model import WorkoutKind
from rubdown.errors import InvalidDate
from rubdown.services.importing import import_paths
from rubdown.services.load_series import daily_series
from rubdown.services.runner import Runner
from rubdown.store import sqlite_url_for_home
from rubdown.store.activity_rows import IncomingActivity, IncomingFile
from tests.e2e.cli import TODAY, rubdown

CORPUS = Path(__file__).parents[1] / "data" / "activities"
RUN_2014 = CORPUS / "GoldenCheetah/10kUNLP2014-Garmin15.fit"  # a 37 min 10 km, 2014-10-11
RUN_2015 = CORPUS / "tormoder-fit/activity-small-fenix2-run.fit"  # 2015-08-15

K_CTL = 1 - math.exp(-1 / 42)
K_ATL = 1 - math.exp(-1 / 7)
PINNED = dt.date.fromisoformat(TODAY)  # Monday 2027-01-04

# A hand-made history: (day, load, kind). A long run long before the window, three steady
# weeks of training that end three weeks before it, two runs on one day, a long run and a
# tempo inside the window, and one activity whose load was never computed.
BLOCK = [dt.date(2026, 11, 16) + dt.timedelta(days=i) for i in range(21)]
HISTORY: list[tuple[dt.date, float | None, str]] = [
    (dt.date(2026, 9, 1), 100.0, "long"),
    *((day, 60.0, "easy") for day in BLOCK),
    (dt.date(2026, 12, 28), 50.0, "easy"),
    (dt.date(2026, 12, 28), 30.0, "easy"),
    (dt.date(2027, 1, 2), 120.0, "long"),
    (dt.date(2027, 1, 3), 40.0, "tempo"),
    (dt.date(2027, 1, 3), None, "easy"),
]
DAILY = {
    dt.date(2026, 9, 1): 100.0,
    **dict.fromkeys(BLOCK, 60.0),
    dt.date(2026, 12, 28): 80.0,
    dt.date(2027, 1, 2): 120.0,
    dt.date(2027, 1, 3): 40.0,
}


def impulse(k: float, day: dt.date) -> float:
    """CTL or ATL at the end of ``day``: every past load, decayed by (1 - k) per day since."""
    return sum(load * k * (1 - k) ** (day - d).days for d, load in DAILY.items() if d <= day)


def add_activities(app: Runner, history: list[tuple[dt.date, float | None, str]]) -> None:
    """Store activities with their load and kind as an import would leave them."""
    for n, (day, load, kind) in enumerate(history):
        # Minutes apart, so two on one day are two activities, not one seen twice.
        start = dt.datetime.combine(day, dt.time(6), tzinfo=dt.UTC) + dt.timedelta(minutes=5 * n)
        activity = Activity(
            Sport.RUNNING, start, 3600.0, utc_offset_s=0, load=load, name=f"run {n}"
        )
        incoming = IncomingFile(
            sha256=f"{n:064x}",
            format="fit",
            shown=f"hand-{n}.fit",
            status="imported",
            activities=[IncomingActivity(activity, day, kind, richness=1)],
        )
        app.data.record_file(incoming, first_time=True)


def open_app(home: Path) -> Runner:
    return build_app(Settings(home, sqlite_url_for_home(home), today=PINNED))


@pytest.fixture
def seeded_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    app = open_app(home)
    try:
        add_activities(app, HISTORY)
    finally:
        app.close()
    return home


@pytest.fixture
def app(seeded_home: Path) -> Iterator[Runner]:
    opened = open_app(seeded_home)
    try:
        yield opened
    finally:
        opened.close()


# --- the series service -----------------------------------------------------------------------

WINDOW = (dt.date(2026, 12, 27), dt.date(2027, 1, 4))


def test_the_series_sums_loads_per_day_and_carries_the_history_before_the_window(
    app: Runner,
) -> None:
    series = daily_series(app, *WINDOW)
    assert [d.date for d in series.days] == [WINDOW[0] + dt.timedelta(days=i) for i in range(9)]
    assert {d.date: d.load for d in series.days if d.load} == {
        day: load for day, load in DAILY.items() if day >= WINDOW[0]
    }
    # Three weeks of training that ended three weeks before still count on its first day.
    first = series.days[0]
    assert first.ctl == pytest.approx(impulse(K_CTL, WINDOW[0]))
    assert first.ctl > 10.0
    for day in series.days:
        assert day.ctl == pytest.approx(impulse(K_CTL, day.date)), day.date
        assert day.atl == pytest.approx(impulse(K_ATL, day.date)), day.date


def test_form_is_yesterdays_fitness_minus_yesterdays_fatigue(app: Runner) -> None:
    series = daily_series(app, *WINDOW)
    for day in series.days:
        yesterday = day.date - dt.timedelta(days=1)
        expected = impulse(K_CTL, yesterday) - impulse(K_ATL, yesterday)
        assert day.tsb == pytest.approx(expected), day.date
    # On the long run's day form is that morning's: the run itself does not lower it.
    long_run = next(d for d in series.days if d.date == dt.date(2027, 1, 2))
    assert long_run.tsb > long_run.tsb_same_day + 10


def test_the_window_does_not_change_the_numbers(app: Runner) -> None:
    whole = daily_series(app, dt.date(2026, 9, 1), WINDOW[1])
    window = daily_series(app, *WINDOW)
    assert window.days == whole.days[-len(window.days) :]


def test_a_window_before_the_first_activity_is_all_rest_days(app: Runner) -> None:
    series = daily_series(app, dt.date(2026, 8, 1), dt.date(2026, 8, 31))
    assert {(d.load, d.ctl, d.atl, d.tsb) for d in series.days} == {(0.0, 0.0, 0.0, 0.0)}
    assert series.first_activity is None  # none on or before the window's end
    assert series.hard == {}
    assert daily_series(app, *WINDOW).first_activity == dt.date(2026, 9, 1)


def test_hard_days_come_from_the_activity_kinds_inside_the_window(app: Runner) -> None:
    series = daily_series(app, *WINDOW)
    assert series.hard == {
        dt.date(2027, 1, 2): (WorkoutKind.LONG,),
        dt.date(2027, 1, 3): (WorkoutKind.TEMPO,),
    }


def test_activities_without_a_load_are_counted_as_unscored(app: Runner) -> None:
    assert daily_series(app, *WINDOW).unscored == 1
    # Up to a day before it was stored, it is not counted.
    assert daily_series(app, WINDOW[0], dt.date(2027, 1, 2)).unscored == 0


def test_the_default_window_is_the_last_12_weeks_up_to_today(app: Runner) -> None:
    series = daily_series(app, None, None)
    assert (series.start, series.end) == (PINNED - dt.timedelta(days=83), PINNED)
    assert len(series.days) == 84
    only_end = daily_series(app, None, dt.date(2026, 12, 31))
    assert only_end.start == dt.date(2026, 12, 31) - dt.timedelta(days=83)
    only_start = daily_series(app, dt.date(2026, 12, 30), None)
    assert (only_start.start, only_start.end) == (dt.date(2026, 12, 30), PINNED)


def test_a_window_that_ends_before_it_starts_is_refused(app: Runner) -> None:
    with pytest.raises(InvalidDate, match="cannot end"):
        daily_series(app, dt.date(2027, 1, 4), dt.date(2027, 1, 3))
    with pytest.raises(InvalidDate):
        daily_series(app, dt.date(2027, 2, 1), None)  # after today, the default end


def test_every_load_parameter_is_estimated_without_a_profile_or_data(app: Runner) -> None:
    series = daily_series(app, *WINDOW)
    assert series.estimated == {
        "max_hr_bpm",
        "resting_hr_bpm",
        "threshold_hr_bpm",
        "threshold_pace_s_per_km",
    }


def test_imported_fit_files_feed_the_series(tmp_path: Path) -> None:
    app = open_app(tmp_path / "home")
    try:
        import_paths(app, [RUN_2014, RUN_2015], workers=1)
        rows = {row.local_day: row for row in app.data.list_activities()}
        assert set(rows) == {dt.date(2014, 10, 11), dt.date(2015, 8, 15)}
        load = rows[dt.date(2014, 10, 11)].activity.load
        assert load is not None
        assert load > 80  # a hard 10 km: above the fixed bar
        series = daily_series(app, dt.date(2014, 10, 10), dt.date(2014, 10, 13))
        assert [d.load for d in series.days] == [0.0, load, 0.0, 0.0]
        assert series.days[1].ctl == pytest.approx(load * K_CTL)
        assert series.days[3].atl == pytest.approx(load * K_ATL * (1 - K_ATL) ** 2)
        assert series.days[2].tsb == pytest.approx(load * (K_CTL - K_ATL))
        assert series.hard == {dt.date(2014, 10, 11): (WorkoutKind.TEMPO,)}
    finally:
        app.close()


# --- rubdown load -----------------------------------------------------------------------------


def test_load_json_has_one_entry_per_day_with_exactly_five_rounded_numbers(
    seeded_home: Path,
) -> None:
    document = rubdown(["load", "--json"], home=seeded_home).document()
    days = document["days"]
    assert len(days) == 84
    assert days[-1]["date"] == TODAY
    assert days[0]["date"] == (PINNED - dt.timedelta(days=83)).isoformat()
    for entry in days:
        assert set(entry) == {"date", "load", "ctl", "atl", "tsb"}
        day = dt.date.fromisoformat(entry["date"])
        yesterday = day - dt.timedelta(days=1)
        assert entry["load"] == round(DAILY.get(day, 0.0), 2)
        assert entry["ctl"] == pytest.approx(impulse(K_CTL, day), abs=0.005)
        assert entry["atl"] == pytest.approx(impulse(K_ATL, day), abs=0.005)
        tsb = impulse(K_CTL, yesterday) - impulse(K_ATL, yesterday)
        assert entry["tsb"] == pytest.approx(tsb, abs=0.005)
        for key in ("load", "ctl", "atl", "tsb"):
            assert entry[key] == round(entry[key], 2)


def test_load_json_names_the_convention_the_estimates_and_the_hard_days(
    seeded_home: Path,
) -> None:
    document = rubdown(
        ["load", "--from", "2027-01-01", "--to", "2027-01-04", "--json"], home=seeded_home
    ).document()
    assert [d["date"] for d in document["days"]] == [
        "2027-01-01",
        "2027-01-02",
        "2027-01-03",
        "2027-01-04",
    ]
    assert document["convention"] == {
        "decay": "exp",
        "ctl_days": 42,
        "atl_days": 7,
        "form": "yesterday",
        "text": "form this morning = yesterday's fitness − yesterday's fatigue; "
        "k = 1 − e^(−1/N), N = 42 and 7",
    }
    assert "threshold_pace_s_per_km" in document["estimated"]
    assert document["hard_days"] == [
        {"date": "2027-01-02", "kinds": ["long"]},
        {"date": "2027-01-03", "kinds": ["tempo"]},
    ]
    assert document["unscored_activities"] == 1


def test_load_after_an_import_shows_the_imported_run(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert rubdown(["import", str(RUN_2014), "--json"], home=home).code == 0
    listed = rubdown(["activities", "--json"], home=home).document()["activities"]
    document = rubdown(
        ["load", "--from", "2014-10-10", "--to", "2014-10-12", "--json"], home=home
    ).document()
    loads = [d["load"] for d in document["days"]]
    assert loads == [0.0, round(listed[0]["load"], 2), 0.0]
    assert document["days"][1]["ctl"] == pytest.approx(listed[0]["load"] * K_CTL, abs=0.005)
    assert document["hard_days"] == [{"date": "2014-10-11", "kinds": [listed[0]["kind"]]}]


def test_load_in_a_terminal_draws_bars_and_states_the_convention(seeded_home: Path) -> None:
    result = rubdown(["load", "--from", "2026-12-27", "--to", "2027-01-04"], home=seeded_home)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    long_run = next(line for line in lines if line.startswith("Sat  2 Jan"))
    assert "120" in long_run
    assert "█" * 14 in long_run  # the window's biggest day fills the load bar
    assert "long" in long_run
    assert "│" in long_run  # the zero line of the form bar
    rest_day = next(line for line in lines if line.startswith("Thu 31 Dec"))
    assert rest_day.split()[3] == "·"  # no load: a dot, not a zero
    assert any(line.startswith("fitness") for line in lines)
    assert (
        "form this morning = yesterday's fitness − yesterday's fatigue; "
        "k = 1 − e^(−1/N), N = 42 and 7" in result.out
    )
    assert "estimated, not set by you" in result.out
    assert "threshold pace" in result.out
    assert "1 activity has no load yet" in result.out


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--from", "2027-01-04", "--to", "2027-01-03"], "cannot end (2027-01-03)"),
        (["--from", "2027-02-30"], "2027-02-30"),
        (["--to", "yesterday"], "yesterday"),
    ],
)
def test_bad_dates_are_one_line_and_a_non_zero_exit(
    seeded_home: Path, args: list[str], named: str
) -> None:
    result = rubdown(["load", *args], home=seeded_home)
    line = result.error_line()
    assert result.code == 2
    assert named in line
    as_json = rubdown(["load", *args, "--json"], home=seeded_home)
    assert as_json.code == 2
    assert as_json.json()["error"]["code"] == "invalid_date"


def test_load_is_a_command_of_the_command_line() -> None:
    command = cli_main.cli.get_command(click.Context(cli_main.cli), "load")
    assert command is not None
    assert command.name == "load"


# --- the drawing ------------------------------------------------------------------------------


def test_a_load_bar_is_drawn_to_an_eighth_of_a_cell() -> None:
    assert bar(100.0, 100.0, 4) == "████"
    assert bar(50.0, 100.0, 4) == "██  "
    assert bar(100.0 * 9 / 32, 100.0, 4) == "█▏  "  # 1 1/8 cells
    assert bar(0.0, 100.0, 4) == "    "
    assert bar(0.1, 100.0, 4) == "▏   "  # any training shows


def test_a_form_bar_grows_left_when_tired_and_right_when_fresh() -> None:
    assert form_bar(-20.0, 20.0).plain == "████████│        "
    assert form_bar(5.0, 20.0).plain == "        │██      "
    assert form_bar(0.0, 20.0).plain == "        │        "
    assert form_bar(-50.0, 20.0).plain == "████████│        "  # clipped, never wider


def test_a_sparkline_spans_lowest_to_highest_and_averages_what_does_not_fit() -> None:
    assert sparkline([0.0, 3.0, 7.0], 10) == "▁▄█"
    assert sparkline([0.0, 0.0, 10.0, 10.0], 2) == "▁█"
    assert sparkline([3.0, 3.01], 10) == "▁▁"  # flat to one decimal
