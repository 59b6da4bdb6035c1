"""Loads and hard days for the whole stored history, from each activity's load basis.

Run after every import and whenever the runner's profile changes: the parameters are
estimated again from the runner's own data, every activity's load is recomputed from its
stored basis (no samples are read), and each day is classified against the days before it.
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


def current_params(app: App) -> LoadParams:
    owner = app.owner_id
    stored = app.store.stored_loads(owner)
    bases = []
    for item in stored:
        if item.basis is not None:
            try:
                bases.append(LoadBasis.from_dict(item.basis))
            except InvalidValue:
                continue  # stored by an older rubdown: ``rubdown reimport`` rebuilds it
    resting = [
        w.resting_hr_bpm for w in app.store.list_wellness(owner) if w.resting_hr_bpm is not None
    ]
    return estimate_params(bases=bases, resting_hr_samples=resting)


def refresh_loads(app: App) -> LoadParams | None:
    """Recompute and store every activity's load and kind; returns the parameters used."""
    owner = app.owner_id
    stored = app.store.stored_loads(owner)
    if not stored:
        return None
    params = current_params(app)
    daily: dict[dt.date, float] = defaultdict(float)
    computed = []
    for item in stored:
        if item.basis is None:
            continue
        try:
            basis = LoadBasis.from_dict(item.basis)
        except InvalidValue:
            continue  # stored by an older rubdown: ``rubdown reimport`` rebuilds it
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
    app.store.save_loads(owner, rows)
    return params
