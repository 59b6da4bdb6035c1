"""Read a calendar event's title and categories as a race or a workout.

People title their events freely ("Boston Marathon", "Berlin Half (A)", "Long run 28 km",
"6x800 @ 10k pace"), so this is a word heuristic, in this order:

1. "<something> pace" phrases are dropped first: "marathon pace" describes a workout, not
   a race.
2. Strong race words win: race, marathon (also half-, ultra-), parkrun, ultra, or a
   priority marker such as "(A)", "A race", "A-race", "[B]", "priority C".
3. Then training words: long run → long; hill → hill; interval, reps, repeats, track,
   VO2, fartlek, "6x800" → intervals; tempo, threshold → tempo; easy, recovery run/jog →
   easy; rest, day off → rest.
4. Then weak race words, which alone make a race but lose to training words ("Easy 10k"
   is a workout): half, a distance such as "10k", "25 km", "13.1 mi".

A race's distance comes from the words: half marathon (or "half") 21.0975 km, marathon
42.195 km (not for an ultramarathon), else a written distance, else 5 km for a parkrun;
otherwise unknown. A race without a priority marker is B when it is a half marathon or
longer (ultras included: the recovery cost is what matters for massage timing), else C.
"""

from __future__ import annotations

import re

from rubdown.domain.model import Priority, WorkoutKind

HALF_MARATHON_KM = 21.0975
MARATHON_KM = 42.195
PARKRUN_KM = 5.0
_KM_PER_MILE = 1.609344

_PACE_PHRASE = re.compile(r"\b(?:half[- ])?\w+[\s-]+pace\b", re.IGNORECASE)

_STRONG_RACE = re.compile(r"\brac(?:e|es|ing)\b|marathon|\bparkrun\b|\bultra", re.IGNORECASE)

# The letter must be a capital: "a race" is English, "A race" is a priority.
_PRIORITY_MARKERS = (
    re.compile(r"\(([ABC])\)"),
    re.compile(r"\[([ABC])\]"),
    re.compile(r"\b([ABC])[- ](?i:race)\b"),
    re.compile(r"(?i:\bpriority)[:\s]+([ABC])\b"),
)

_WORKOUT_WORDS: tuple[tuple[WorkoutKind, re.Pattern[str]], ...] = (
    (WorkoutKind.LONG, re.compile(r"\blong[- ]?run\b|\blsd\b", re.IGNORECASE)),
    (WorkoutKind.HILL, re.compile(r"\bhill(?:s|y)?\b", re.IGNORECASE)),
    (
        WorkoutKind.INTERVALS,
        re.compile(
            r"\bintervals?\b|\breps\b|\brepeats\b|\btrack\b|\bvo2|\bfartlek\b"
            r"|\b\d+\s*[x×]\s*\d+",
            re.IGNORECASE,
        ),
    ),
    (WorkoutKind.TEMPO, re.compile(r"\btempo\b|\bthreshold\b", re.IGNORECASE)),
    (WorkoutKind.EASY, re.compile(r"\beasy\b|\brecovery\s+(?:run|jog)\b", re.IGNORECASE)),
    (
        WorkoutKind.REST,
        re.compile(r"\brest\b|\bday\s+off\b|\boff\s+day\b|^\s*off\s*$", re.IGNORECASE),
    ),
)

_HALF = re.compile(r"half[- ]?marathon|\bhalf\b|halbmarathon|semi[- ]?marathon", re.IGNORECASE)
_MARATHON = re.compile(r"marathon", re.IGNORECASE)
_ULTRA = re.compile(r"\bultra", re.IGNORECASE)
_PARKRUN = re.compile(r"\bparkrun\b", re.IGNORECASE)
_KM = re.compile(r"\b(\d+(?:[.,]\d+)?)\s*(?:km|k)\b", re.IGNORECASE)
_MILES = re.compile(r"\b(\d+(?:[.,]\d+)?)\s*(?:mi|miles?)\b", re.IGNORECASE)


def classify(title: str, categories: tuple[str, ...] = ()) -> WorkoutKind | None:
    """``WorkoutKind.RACE`` for a race, another kind for a workout, None if neither."""
    text = " ".join((title, *categories))
    if priority_marker(text) is not None:
        return WorkoutKind.RACE
    text = _without_pace(text)
    if _STRONG_RACE.search(text):
        return WorkoutKind.RACE
    kind = workout_kind(text)
    if kind is not None:
        return kind
    if race_distance(text) is not None:
        return WorkoutKind.RACE
    return None


def workout_kind(text: str) -> WorkoutKind | None:
    for kind, words in _WORKOUT_WORDS:
        if words.search(text):
            return kind
    return None


def priority_marker(text: str) -> Priority | None:
    for marker in _PRIORITY_MARKERS:
        found = marker.search(text)
        if found:
            return Priority(found.group(1))
    return None


_BRACKETED_MARKER = re.compile(r"\s*[(\[][ABC][)\]]\s*")


def without_priority_marker(title: str) -> str:
    """ "Autumn 10K (C)" -> "Autumn 10K": the marker becomes the priority, not part of the name."""
    return re.sub(r"\s{2,}", " ", _BRACKETED_MARKER.sub(" ", title)).strip()


def default_priority(text: str, distance_km: float | None) -> Priority:
    """B for a half marathon or longer, ultras included (the recovery cost is what
    matters for massage timing), else C."""
    if distance_km is not None and distance_km >= 21.0:
        return Priority.B
    if _ULTRA.search(_without_pace(text)):
        return Priority.B
    return Priority.C


def race_distance(text: str) -> float | None:
    """The distance a race's title names, in km, or None."""
    text = _without_pace(text)
    if _HALF.search(text):
        return HALF_MARATHON_KM
    if _MARATHON.search(text) and not _ULTRA.search(text):
        return MARATHON_KM
    km = _KM.search(text)
    if km:
        return _number(km.group(1))
    miles = _MILES.search(text)
    if miles:
        return round(_number(miles.group(1)) * _KM_PER_MILE, 3)
    if _PARKRUN.search(text):
        return PARKRUN_KM
    return None


def _without_pace(text: str) -> str:
    return _PACE_PHRASE.sub(" ", text)


def _number(text: str) -> float:
    return float(text.replace(",", "."))
