"""Loads and hard days for the whole stored history, from each activity's load basis.

Run after every import that stored something and whenever the runner's profile changes: the
parameters are estimated again from the runner's own data, every activity's load is
recomputed from its stored basis (no samples are read), and each day is classified against
the days before it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from rubdown.domain.load import (
    LoadBasis,
    LoadParams,
    classify_day,
    estimate_params,
    load_from_basis,
)
from rubdown.domain.model import WorkoutKind
from rubdown.errors import InvalidValue
from rubdown.services.context import App
from rubdown.store.activity_rows import StoredLoad


def _bases(stored: list[StoredLoad]) -> list[tuple[StoredLoad, LoadBasis]]:
    readable = []
    for item in stored:
        if item.basis is None:
            continue
        try:
            readable.append((item, LoadBasis.from_dict(item.basis)))
        except InvalidValue:
            continue  # stored by an older rubdown: ``rubdown reimport`` rebuilds it
    return readable


def _params(app: App, bases: list[LoadBasis]) -> LoadParams:
    resting = [
        w.resting_hr_bpm
        for w in app.store.list_wellness(app.owner_id)
        if w.resting_hr_bpm is not None
    ]
    return estimate_params(bases=bases, resting_hr_samples=resting)


def current_params(app: App) -> LoadParams:
    """The values loads are computed with: the runner's own, estimated where missing."""
    return _params(app, [basis for _, basis in _bases(app.store.stored_loads(app.owner_id))])


def refresh_loads(app: App) -> LoadParams | None:
    """Recompute and store every activity's load and kind; returns the parameters used."""
    readable = _bases(app.store.stored_loads(app.owner_id))
    if not readable:
        return None
    params = _params(app, [basis for _, basis in readable])
    daily: dict[dt.date, float] = defaultdict(float)
    computed = []
    for item, basis in readable:
        result = load_from_basis(basis, params)
        daily[item.local_day] += result.load
        computed.append((item, result))
    rows = []
    for item, result in computed:
        kind = classify_day(
            item.local_day, daily[item.local_day], item.duration_s, daily, item.sport.is_run
        )
        if kind is WorkoutKind.REST:
            kind = WorkoutKind.EASY  # something was done that day, however little
        rows.append((item.id, result.load, result.method, kind.value))
    app.store.save_loads(app.owner_id, rows)
    return params
