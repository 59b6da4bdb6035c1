"""What the Settings page shows: the profile as ``GET /api/profile`` has it, the choices each
field offers (policies with their summaries, frequencies, the tool vocabulary, time zones),
the load values with where each came from, and the therapist's weekly hours."""

from __future__ import annotations

from functools import cache
from typing import Any
from zoneinfo import available_timezones

from rubdown.domain.availability import WEEKDAY_NAMES, WEEKDAYS
from rubdown.domain.load import LoadParams
from rubdown.domain.model import Frequency, Profile, Tool, Units
from rubdown.domain.units import format_pace, unit_label
from rubdown.services import views
from rubdown.services.availability import therapist_hours
from rubdown.services.loads import current_params
from rubdown.services.runner import Runner

# The load values in the order a runner knows them, with how each is typed and shown.
_LOAD_FIELDS = (
    ("max_hr_bpm", "Maximum heart rate", "bpm"),
    ("resting_hr_bpm", "Resting heart rate", "bpm"),
    ("threshold_hr_bpm", "Threshold heart rate", "bpm"),
    ("threshold_pace_s_per_km", "Threshold pace", "per {units}"),
)
_FREQUENCIES = {
    Frequency.WEEKLY: ("Weekly", "a deep-family session every week (F1, F2)"),
    Frequency.BIWEEKLY: ("Every second week", "one every two weeks (F2)"),
    Frequency.MONTHLY: ("Monthly", "one a month, the sources' baseline (F1, F3)"),
}


@cache
def time_zones() -> tuple[str, ...]:
    """IANA names, for the time zone field's suggestions (read once: it lists files)."""
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


def shown_load_value(name: str, value: float, units: Units) -> str:
    """A load value as the runner reads and types it: a pace as m:ss in their units."""
    if name == "threshold_pace_s_per_km":
        return format_pace(units, value).rsplit("/", 1)[0]
    return f"{value:.0f}"


def load_fields_view(profile: Profile, params: LoadParams) -> list[dict[str, Any]]:
    """Each load value: what the runner gave (as typed, or "" when not) and the value loads
    use now, marked estimated when it came from their data or a default."""
    fields = []
    for name, label, unit in _LOAD_FIELDS:
        given = getattr(profile, name)
        fields.append(
            {
                "name": name,
                "label": label,
                "unit": unit.format(units=unit_label(profile.units)),
                "given": "" if given is None else shown_load_value(name, given, profile.units),
                "used": shown_load_value(name, getattr(params, name), profile.units),
                "estimated": name in params.estimated,
            }
        )
    return fields


def settings_page_view(app: Runner) -> dict[str, Any]:
    profile, params = app.profile(), current_params(app)
    return {
        "profile": views.profile_view(profile, params),
        "load_fields": load_fields_view(profile, params),
        "policies": views.policies_view(app.kb),
        "frequencies": [
            {"name": str(f), "label": _FREQUENCIES[f][0], "text": _FREQUENCIES[f][1]}
            for f in Frequency
        ],
        # Hands are always there (G1, G2 name the rest), so they are not a box to tick.
        "tools": [str(t) for t in Tool if t is not Tool.HANDS],
        "time_zones": time_zones(),
        "availability": views.availability_view(therapist_hours(app)),
        "weekdays": [
            {"value": v, "label": n} for v, n in zip(WEEKDAYS, WEEKDAY_NAMES, strict=True)
        ],
    }
