"""Loads and hard days for the whole stored history, from each activity's load basis.

Run after every import that stored something, after a run is logged by hand and whenever the
runner's profile changes: the values the runner gave in the profile are taken as they are,
the others are estimated again from the runner's own data, every activity's load is
recomputed from its stored basis (no samples are read) and the RPE the runner gave, and each
day is classified against the days before it -- unless the runner marked the run's kind.

Loads are derived data, so they must never stay stale: storing a file marks the runner's
loads as pending in the file's own transaction, and a refresh clears the mark in the
transaction that saves the loads. ``repair_loads`` (the import calls it at its end, and every
reader of hard days before it reads) recomputes while the mark is set, so an import killed
between its last file and its refresh is repaired by whatever runs next.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rubdown.domain.dates import in_range
from rubdown.domain.fitness import classify_day
from rubdown.domain.load import LoadBasis, LoadParams, Sex, estimate_params, load_from_basis
from rubdown.domain.model import Profile, WorkoutKind
from rubdown.domain.records import ActivityMarks, StoredLoad
from rubdown.errors import InvalidValue

if TYPE_CHECKING:
    # Only a type here: ``Runner`` itself asks ``repair_loads`` before it lists hard days.
    from rubdown.services.runner import Runner


def _bases(stored: list[StoredLoad]) -> list[tuple[StoredLoad, LoadBasis]]:
    readable = []
    for item in stored:
        if item.basis is None or not in_range(item.local_day):
            continue  # out of the years: stored by an older rubdown, and no day has neighbours
        try:
            readable.append((item, LoadBasis.from_dict(item.basis)))
        except InvalidValue:
            continue  # stored by an older rubdown: ``rubdown reimport`` rebuilds it
    return readable


def _sex(text: str | None) -> Sex | None:
    if text == "male":
        return "male"
    if text == "female":
        return "female"
    return None


def _params(app: Runner, bases: list[LoadBasis], profile: Profile) -> LoadParams:
    resting = [w.resting_hr_bpm for w in app.data.list_wellness() if w.resting_hr_bpm is not None]
    # What the runner gave wins; only the rest is estimated (and named in ``estimated``).
    return estimate_params(
        max_hr_bpm=profile.max_hr_bpm,
        resting_hr_bpm=profile.resting_hr_bpm,
        threshold_hr_bpm=profile.threshold_hr_bpm,
        threshold_pace_s_per_km=profile.threshold_pace_s_per_km,
        sex=_sex(profile.sex),
        bases=bases,
        resting_hr_samples=resting,
    )


def current_params(app: Runner, profile: Profile | None = None) -> LoadParams:
    """The values loads are computed with: the runner's own, estimated where missing.

    ``profile`` stands in for the stored one (to try a change before saving it); raises
    InvalidValue when the given and estimated values do not fit together.
    """
    bases = [basis for _, basis in _bases(app.data.stored_loads())]
    return _params(app, bases, profile or app.profile())


def estimated_values(app: Runner) -> list[str]:
    """The load values that hard days in the season rest on but the runner never gave;
    empty while there are no activities, when no load decides anything yet."""
    if not app.data.stored_loads():
        return []
    return sorted(current_params(app).estimated)


def repair_loads(app: Runner) -> bool:
    """Recompute loads and kinds if a stored change has not been followed by a refresh
    (one query when they are current); returns whether it recomputed."""
    if not app.data.loads_pending():
        return False
    refresh_loads(app)
    return True


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: for a refresh, which makes a few hundred
    containers per activity (its basis read from JSON, its bins, its result) and no reference
    cycles, so the collector would walk them (and the whole heap, in a full collection) again
    and again for nothing -- some 40 % of the refresh's CPU for 2,000 activities. They are
    freed as ever when their last reference goes; a cycle made meanwhile is collected after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:  # left off if someone else had turned it off
            gc.enable()


def refresh_loads(app: Runner) -> LoadParams | None:
    """Recompute and store every activity's load and kind; returns the parameters used."""
    with _collector_paused():
        return _refresh(app)


def _refresh(app: Runner) -> LoadParams | None:
    # Read before the activities: a file stored after this read leaves the mark set.
    pending = app.data.loads_pending()
    readable = _bases(app.data.stored_loads())
    if not readable:
        app.data.save_loads([], settles=pending)
        return None
    params = _params(app, [basis for _, basis in readable], app.profile())
    marks = app.data.activity_marks()
    unmarked = ActivityMarks(None, None)
    daily: dict[dt.date, float] = defaultdict(float)
    computed = []
    for item, basis in readable:
        mark = marks.get(item.id, unmarked)
        result = load_from_basis(basis, params, rpe=mark.rpe)
        daily[item.local_day] += result.load
        computed.append((item, result, mark))
    rows = []
    for item, result, mark in computed:
        if mark.manual_kind is not None:
            kind = mark.manual_kind  # the runner said what it was: the load does not overrule
        else:
            kind = classify_day(
                item.local_day, daily[item.local_day], item.duration_s, daily, item.sport.is_run
            )
        if kind is WorkoutKind.REST:
            kind = WorkoutKind.EASY  # something was done that day, however little
        rows.append((item.id, result.load, result.method, kind.value))
    app.data.save_loads(rows, settles=pending)
    return params
