"""Rows to domain values and back. The domain never sees a row; the tables never see an enum.

Enums are stored by value ("deep-tissue", "left-calf"), so the database reads the same as
the command line. Sets (tools owned, conditions) are stored sorted, so that saving the same
profile twice writes the same text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from rubdown.domain.activity import Activity, Lap, Sport
from rubdown.domain.model import (
    CheckIn,
    Condition,
    InjuryEpisode,
    MassageSession,
    PainQuality,
    Priority,
    Profile,
    Race,
    RoutineLog,
    SessionKind,
    Sign,
    Workout,
    WorkoutKind,
)
from rubdown.domain.patterns import WorkoutPattern, parse_week
from rubdown.domain.plan import PlannedSession
from rubdown.domain.profile_codec import profile_from_values, profile_values
from rubdown.domain.records import ManualRun
from rubdown.domain.regions import Region, parse_region

Row = dict[str, Any]
# A row read back, by column name: SQLAlchemy's ``RowMapping`` or a plain dict (the SQLite
# reader's, ``store.sqlite_reader``), with each column already of its Python type. Nothing
# here imports SQLAlchemy, so the reader can map rows without loading it.
RowMapping = Mapping[Any, Any]


def _regions_to_text(regions: Iterable[Region]) -> list[str]:
    return [str(region) for region in regions]


def _regions_from_text(names: Iterable[str]) -> tuple[Region, ...]:
    return tuple(parse_region(name) for name in names)


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def profile_to_row(owner: str, profile: Profile, now: dt.datetime) -> Row:
    return {"owner_id": owner, **profile_values(profile), "updated_at": now}


def profile_from_row(row: RowMapping) -> Profile:
    return profile_from_values(row)


def race_fields(race: Race) -> Row:
    """The columns a runner can change after adding the race."""
    return {
        "name": race.name,
        "day": race.day,
        "priority": race.priority.value,
        "distance_km": race.distance_km,
        "start_time": race.start_time,
    }


def race_from_row(row: RowMapping) -> Race:
    return Race(
        name=row["name"],
        day=row["day"],
        priority=Priority(row["priority"]),
        distance_km=_optional_float(row["distance_km"]),
        start_time=row["start_time"],
        id=row["id"],
        sequence=int(row["sequence"]),
    )


def workout_fields(workout: Workout) -> Row:
    return {
        "day": workout.day,
        "kind": workout.kind.value,
        "duration_min": workout.duration_min,
        "source": workout.source,
        "pattern_id": workout.pattern_id or None,
    }


def workout_from_row(row: RowMapping) -> Workout:
    return Workout(
        day=row["day"],
        kind=WorkoutKind(row["kind"]),
        duration_min=_optional_float(row["duration_min"]),
        id=row["id"],
        source=row["source"],
        pattern_id=row["pattern_id"] or "",
    )


def session_fields(session: MassageSession) -> Row:
    return {
        "day": session.day,
        "kind": session.kind.value,
        "regions": _regions_to_text(session.regions),
        "price": session.price,
    }


def session_from_row(row: RowMapping) -> MassageSession:
    return MassageSession(
        day=row["day"],
        kind=SessionKind(row["kind"]),
        regions=_regions_from_text(row["regions"]),
        price=float(row["price"]),
        id=row["id"],
    )


def checkin_region_rows(owner: str, checkin_id: str, checkin: CheckIn) -> list[Row]:
    """One row per region the check-in mentions, holding its soreness, its pain, or both."""
    # By name: Region's own ordering cannot compare a side with "both sides" (None).
    regions = sorted(set(checkin.soreness) | set(checkin.pain), key=str)
    return [
        {
            "checkin_id": checkin_id,
            "owner_id": owner,
            "region": str(region),
            "soreness": checkin.soreness.get(region),
            "pain": pain.value if (pain := checkin.pain.get(region)) is not None else None,
        }
        for region in regions
    ]


def checkin_sign_rows(owner: str, checkin_id: str, checkin: CheckIn) -> list[Row]:
    """One row per region and warning sign (R3, R5); a region may have signs only."""
    return [
        {"checkin_id": checkin_id, "owner_id": owner, "region": str(region), "sign": sign.value}
        for region in sorted(checkin.signs, key=str)
        for sign in sorted(checkin.signs[region])
    ]


def checkin_from_rows(
    row: RowMapping, region_rows: Iterable[RowMapping], sign_rows: Iterable[RowMapping] = ()
) -> CheckIn:
    soreness: dict[Region, int] = {}
    pain: dict[Region, PainQuality] = {}
    for region_row in region_rows:
        region = parse_region(region_row["region"])
        if region_row["soreness"] is not None:
            soreness[region] = int(region_row["soreness"])
        if region_row["pain"] is not None:
            pain[region] = PainQuality(region_row["pain"])
    signs: dict[Region, set[Sign]] = {}
    for sign_row in sign_rows:
        signs.setdefault(parse_region(sign_row["region"]), set()).add(Sign(sign_row["sign"]))
    return CheckIn(
        day=row["day"],
        soreness=soreness,
        pain=pain,
        note=row["note"],
        fatigue=_optional_int(row["fatigue"]),
        sleep=_optional_int(row["sleep"]),
        signs={region: frozenset(found) for region, found in signs.items()},
    )


def injury_to_row(owner: str, episode: InjuryEpisode, now: dt.datetime) -> Row:
    return {
        "id": episode.id,
        "owner_id": owner,
        "region": str(episode.region),
        "condition": episode.condition.value,
        "start": episode.start,
        "end": episode.end,
        "helped": episode.helped,
        "created_at": now,
    }


def injury_from_row(row: RowMapping) -> InjuryEpisode:
    return InjuryEpisode(
        region=parse_region(row["region"]),
        condition=Condition(row["condition"]),
        start=row["start"],
        end=row["end"],
        helped=row["helped"],
        id=row["id"],
    )


def routine_log_to_row(owner: str, log: RoutineLog, now: dt.datetime) -> Row:
    return {
        "id": log.id,
        "owner_id": owner,
        "day": log.day,
        "when": log.when,
        "started_at": log.started_at,
        "steps_done": log.steps_done,
        "steps_skipped": log.steps_skipped,
        "seconds": log.seconds,
        "completed": log.completed,
        "created_at": now,
    }


def routine_log_from_row(row: RowMapping) -> RoutineLog:
    return RoutineLog(
        day=row["day"],
        when=row["when"],
        started_at=row["started_at"],
        steps_done=int(row["steps_done"]),
        steps_skipped=int(row["steps_skipped"]),
        seconds=float(row["seconds"]),
        completed=bool(row["completed"]),
        id=row["id"],
    )


def planned_to_row(owner: str, session: PlannedSession, now: dt.datetime) -> Row:
    return {
        "owner_id": owner,
        "key": session.key,
        "day": session.day,
        "kind": session.kind.value,
        "regions": _regions_to_text(session.regions),
        "price": session.price,
        "reason": session.reason,
        "rules": list(session.rules),
        "start_time": session.start_time,
        "duration_min": session.duration_min,
        "sequence": session.sequence,
        "fingerprint": session.fingerprint,
        "updated_at": now,
        "pinned": session.pinned,
    }


def planned_from_row(row: RowMapping) -> PlannedSession:
    return PlannedSession(
        key=row["key"],
        day=row["day"],
        kind=SessionKind(row["kind"]),
        regions=_regions_from_text(row["regions"]),
        price=float(row["price"]),
        reason=row["reason"],
        rules=tuple(row["rules"]),
        start_time=row["start_time"],
        duration_min=int(row["duration_min"]),
        sequence=int(row["sequence"]),
        pinned=bool(row["pinned"]),
    )


def pattern_from_row(row: RowMapping) -> WorkoutPattern:
    every = row["recovery_every"]
    return WorkoutPattern(
        first_day=row["first_day"],
        last_day=row["last_day"],
        days=parse_week(row["spec"]),
        recovery_every=int(every) if every is not None else None,
        id=row["id"],
    )


def manual_run_from_row(row: RowMapping) -> ManualRun:
    offset = row["utc_offset_s"]
    zone = dt.timezone(dt.timedelta(seconds=offset)) if offset is not None else dt.UTC
    return ManualRun(
        day=row["local_day"],
        start=row["start_utc"].astimezone(zone),
        duration_s=float(row["duration_s"]),
        rpe=float(row["rpe"]) if row["rpe"] is not None else 0.0,
        given_kind=WorkoutKind(row["manual_kind"]) if row["manual_kind"] else None,
        kind=WorkoutKind(row["kind"]),
        load=None if row["load"] is None else float(row["load"]),
        load_method=row["load_method"],
        id=row["id"],
    )


# -- activities ---------------------------------------------------------------------------------


def lap_to_json(lap: Lap) -> dict[str, Any]:
    return {
        "start": lap.start.isoformat(),
        "duration_s": lap.duration_s,
        "distance_m": lap.distance_m,
        "avg_hr_bpm": lap.avg_hr_bpm,
        "max_hr_bpm": lap.max_hr_bpm,
        "sport": lap.sport.value if lap.sport else None,
    }


def lap_from_json(data: dict[str, Any]) -> Lap:
    return Lap(
        start=dt.datetime.fromisoformat(data["start"]),
        duration_s=data["duration_s"],
        distance_m=data.get("distance_m"),
        avg_hr_bpm=data.get("avg_hr_bpm"),
        max_hr_bpm=data.get("max_hr_bpm"),
        sport=Sport(data["sport"]) if data.get("sport") else None,
    )


def activity_from_row(row: RowMapping) -> Activity:
    return Activity(
        sport=Sport(row["sport"]),
        start=row["start_utc"],
        duration_s=row["duration_s"],
        utc_offset_s=row["utc_offset_s"],
        moving_s=row["moving_s"],
        distance_m=row["distance_m"],
        elevation_gain_m=row["elevation_gain_m"],
        avg_hr_bpm=row["avg_hr_bpm"],
        max_hr_bpm=row["max_hr_bpm"],
        laps=tuple(lap_from_json(lap) for lap in json.loads(row["laps"])),
        name=row["name"],
        partial=row["partial"],
        records=row["records"],
        load=row["load"],
        load_method=row["load_method"],
        id=row["id"],
    )
