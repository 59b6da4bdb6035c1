"""A second check-in on a day is merged into the first, on SQLite and PostgreSQL: it keeps
the first's other regions, fatigue and note, and two check-ins saved at once (the command
line and the web player's "this hurts") both count."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rubdown.bootstrap import Settings, build_app
from rubdown.domain.model import CheckIn, PainQuality, Sign
from rubdown.domain.regions import parse_region
from rubdown.errors import InvalidValue
from rubdown.services import daily
from rubdown.services.runner import Runner
from rubdown.web.presenters import player

TODAY = dt.date(2027, 1, 4)
ROUNDS = 20
CALF, QUAD, HEEL = parse_region("calf"), parse_region("quad"), parse_region("left-heel")


def open_app(home: Path, database_url: str) -> Runner:
    return build_app(Settings(home, database_url, today=TODAY))


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Runner]:
    built = open_app(tmp_path / "home", database_url)
    try:
        yield built
    finally:
        built.close()


def stored_on(app: Runner, day: dt.date) -> list[CheckIn]:
    return [c for c in app.data.list_checkins() if c.day == day]


def test_a_second_check_in_keeps_the_firsts_other_regions_fatigue_and_note(app: Runner) -> None:
    first = daily.check_in(app, TODAY, {CALF: 6}, {HEEL: PainQuality.DULL}, "stiff", fatigue=3)

    second = daily.check_in(app, TODAY, {QUAD: 2}, {}, "better after a walk", sleep=2)

    assert (first.merged, second.merged, second.replaced) == (False, True, True)
    expected = CheckIn(
        TODAY,
        soreness={CALF: 6, QUAD: 2},
        pain={HEEL: PainQuality.DULL},
        note="stiff / better after a walk",
        fatigue=3,
        sleep=2,
    )
    assert second.checkin == expected
    assert stored_on(app, TODAY) == [expected]


def test_a_second_check_in_overrides_the_regions_it_gives_and_can_clear_them(app: Runner) -> None:
    daily.check_in(
        app, TODAY, {CALF: 6, QUAD: 4}, {}, signs={CALF: {Sign.KNOCK}, QUAD: {Sign.STRAIN}}
    )

    daily.check_in(app, TODAY, {CALF: 0}, {}, signs={QUAD: set()})

    (stored,) = stored_on(app, TODAY)
    assert stored.soreness == {CALF: 0, QUAD: 4}
    assert stored.signs == {CALF: frozenset({Sign.KNOCK})}


def test_replacing_the_day_drops_what_the_first_check_in_said(app: Runner) -> None:
    daily.check_in(app, TODAY, {CALF: 6}, {HEEL: PainQuality.SHARP}, "stiff")

    result = daily.check_in(app, TODAY, {QUAD: 2}, {}, replace_day=True)

    assert (result.replaced, result.merged) == (True, False)
    assert stored_on(app, TODAY) == [CheckIn(TODAY, soreness={QUAD: 2})]


def test_a_merge_the_checks_refuse_leaves_the_first_check_in_as_it_was(app: Runner) -> None:
    first = daily.check_in(app, TODAY, {CALF: 6}, {}, "stiff", fatigue=3)

    with pytest.raises(InvalidValue, match="soreness"):
        daily.check_in(app, TODAY, {QUAD: 11}, {}, "typo")

    assert stored_on(app, TODAY) == [first.checkin]


def test_the_pain_flag_keeps_the_days_check_in_and_a_later_check_in_keeps_the_flag(
    app: Runner,
) -> None:
    daily.check_in(app, TODAY, {CALF: 5}, {}, "stiff", fatigue=2)

    flag = player.flag_pain(app, HEEL, PainQuality.SHARP)
    daily.check_in(app, TODAY, {QUAD: 1}, {})

    assert flag.replaced
    (stored,) = stored_on(app, TODAY)
    assert stored.soreness == {CALF: 5, QUAD: 1}
    assert stored.pain == {HEEL: PainQuality.SHARP}
    assert (stored.note, stored.fatigue) == ("stiff", 2)


def race(
    database_url: str,
    home: Path,
    first: Callable[[Runner, dt.date], object],
    second: Callable[[Runner, dt.date], object],
) -> list[CheckIn]:
    """``first`` and ``second`` run at once, each from its own thread and engine, on ROUNDS
    days; the check-ins stored on those days."""
    apps = [open_app(home, database_url), open_app(home, database_url)]
    errors: list[BaseException] = []
    try:
        for n in range(ROUNDS):
            day = TODAY - dt.timedelta(days=n)
            start = threading.Barrier(2)

            def run(
                app: Runner,
                save: Callable[[Runner, dt.date], object],
                on: dt.date = day,
                start: threading.Barrier = start,
            ) -> None:
                try:
                    start.wait()
                    save(app, on)
                except BaseException as error:  # re-raised by the test below
                    errors.append(error)

            threads = [
                threading.Thread(target=run, args=(apps[0], first)),
                threading.Thread(target=run, args=(apps[1], second)),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        if errors:
            raise errors[0]
        return apps[0].store.list_checkins(apps[0].owner_id)
    finally:
        for app in apps:
            app.close()


def test_two_check_ins_of_different_regions_at_once_both_count(
    database_url: str, tmp_path: Path
) -> None:
    stored = race(
        database_url,
        tmp_path / "home",
        lambda app, day: daily.check_in(app, day, {CALF: 4}, {}, "cli"),
        lambda app, day: daily.check_in(app, day, {QUAD: 3}, {}, "web"),
    )

    assert len(stored) == ROUNDS
    for checkin in stored:
        assert checkin.soreness == {CALF: 4, QUAD: 3}, checkin.day
        assert sorted(checkin.note.split(" / ")) == ["cli", "web"]


def test_a_check_in_and_the_players_pain_flag_at_once_both_count(
    database_url: str, tmp_path: Path
) -> None:
    stored = race(
        database_url,
        tmp_path / "home",
        lambda app, day: daily.check_in(app, day, {CALF: 4}, {}, fatigue=2),
        lambda app, day: player.flag_pain(app, HEEL, PainQuality.DULL, day),
    )

    assert len(stored) == ROUNDS
    for checkin in stored:
        assert (checkin.soreness, checkin.pain, checkin.fatigue) == (
            {CALF: 4},
            {HEEL: PainQuality.DULL},
            2,
        ), checkin.day
