"""Use cases for how the runner is doing day by day: the check-in, injury episodes, runs
logged by hand, completed routines, and the log that lists them.

Every rule a value must meet is a plain function of the value and the runner's today
(``check_*``), so it can be tested without a database; the use cases run them before
anything is stored.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from rubdown.domain.activity import Activity, Sport
from rubdown.domain.load import load_basis, load_from_basis
from rubdown.domain.model import (
    CheckIn,
    Condition,
    InjuryEpisode,
    MassageSession,
    PainQuality,
    Profile,
    RoutineLog,
    Sign,
    WorkoutKind,
    merge_checkins,
)
from rubdown.domain.records import ManualRun
from rubdown.domain.regions import LEG_PARTS, Region
from rubdown.domain.routines import RoutineWhen
from rubdown.errors import InvalidDate, InvalidValue, NotFound
from rubdown.services.loads import current_params, refresh_loads
from rubdown.services.runner import Runner

SORENESS_RANGE = (0, 10)
SCALE_RANGE = (1, 4)  # intervals.icu's fatigue and sleep: 1 is best
RPE_RANGE = (0.0, 10.0)  # Borg's CR-10, which Foster's session RPE uses
RUN_MINUTES_RANGE = (1.0, 600.0)
RUN_KINDS = tuple(kind for kind in WorkoutKind if kind is not WorkoutKind.REST)
ROUTINE_MOMENTS = tuple(when.value for when in RoutineWhen)
# A run logged without a time is put here when the runner has no profile yet.
DEFAULT_RUN_TIME = dt.time(12, 0)


# -- rules ------------------------------------------------------------------------------------


def check_checkin(checkin: CheckIn, today: dt.date) -> None:
    """A check-in says how the runner feels, on a day that has begun, in range."""
    if checkin.day > today:
        raise InvalidDate(
            f"{checkin.day} is in the future (today is {today}): a check-in records how you feel"
        )
    low, high = SORENESS_RANGE
    for region, level in checkin.soreness.items():
        if not low <= level <= high:
            raise InvalidValue(f"soreness for {region} must be {low}-{high}, not {level}")
    for what, value in (("fatigue", checkin.fatigue), ("sleep", checkin.sleep)):
        if value is not None and not SCALE_RANGE[0] <= value <= SCALE_RANGE[1]:
            raise InvalidValue(f"{what} must be 1-4 (1 is best), not {value}")
    check_signs(checkin.signs)
    says = checkin.soreness or checkin.pain or checkin.fatigue or checkin.sleep or checkin.signs
    if not says:
        raise InvalidValue(
            "an empty check-in: give at least one of --sore, --pain, --sign, --fatigue or --sleep"
        )


def check_signs(signs: Mapping[Region, frozenset[Sign]]) -> None:
    """Clot signs (R5) are judged in a leg only: swelling, warmth or redness of the back is
    refused rather than stored as a clot warning that would say the wrong thing."""
    for region, found in sorted(signs.items(), key=lambda item: str(item[0])):
        clot = sorted(sign.value for sign in found if sign.is_clot_sign)
        if clot and region.part not in LEG_PARTS:
            raise InvalidValue(
                f"{' and '.join(clot)} in the {region.label}: rubdown reads swelling, warmth and"
                " redness as clot signs in a leg only (R5); see a doctor about it, and mark"
                " pain or soreness there instead"
            )


def check_run(
    day: dt.date, duration_min: float, rpe: float, kind: WorkoutKind | None, today: dt.date
) -> None:
    """A run logged by hand: done already, 1-600 minutes, RPE 0-10, a kind of run."""
    if day > today:
        raise InvalidDate(f"{day} is in the future (today is {today}): log a run once it is done")
    low, high = RUN_MINUTES_RANGE
    if not (math.isfinite(duration_min) and low <= duration_min <= high):
        raise InvalidValue(f"run duration must be {low:g}-{high:g} minutes, not {duration_min:g}")
    low, high = RPE_RANGE
    if not (math.isfinite(rpe) and low <= rpe <= high):
        raise InvalidValue(f"RPE must be {low:g}-{high:g} (CR-10 scale), not {rpe:g}")
    if kind is WorkoutKind.REST:
        names = ", ".join(k.value for k in RUN_KINDS)
        raise InvalidValue(f"a run cannot be a rest day: its kind is one of {names}")


def check_routine_log(log: RoutineLog, today: dt.date) -> None:
    if log.day > today:
        raise InvalidDate(f"{log.day} is in the future (today is {today})")
    if log.when not in ROUTINE_MOMENTS:
        raise InvalidValue(
            f"unknown routine moment {log.when!r}: expected one of {', '.join(ROUTINE_MOMENTS)}"
        )
    if log.started_at.tzinfo is None:
        raise InvalidValue("a routine's start must carry its time zone")
    if log.steps_done < 0 or log.steps_skipped < 0:
        raise InvalidValue("a routine cannot have a negative number of steps")
    if not (math.isfinite(log.seconds) and log.seconds >= 0):
        raise InvalidValue(f"a routine's duration must be 0 seconds or more, not {log.seconds}")


def open_episode_clash(
    episodes: Sequence[InjuryEpisode], region: Region, condition: Condition, day: dt.date
) -> InjuryEpisode | None:
    """An episode of the same condition in the same region that is open on ``day``."""
    for episode in episodes:
        if (
            episode.condition is condition
            and episode.region.overlaps(region)
            and episode.is_open_on(day)
        ):
            return episode
    return None


def episode_to_end(
    episodes: Sequence[InjuryEpisode],
    *,
    injury_id: str | None,
    region: Region | None,
    end: dt.date,
    today: dt.date,
) -> InjuryEpisode:
    """Which episode ``injury end`` means: by ID (a unique prefix will do), by region, or
    the only open one; it must be open and may not end before it started or after today."""
    if injury_id is not None and region is not None:
        raise InvalidValue("give --id or --region, not both")
    if end > today:
        raise InvalidDate(f"{end} is in the future (today is {today}): end an episode once over")
    if injury_id is not None:
        found = [e for e in episodes if e.id.startswith(injury_id.strip())]
        if len(found) != 1 or not injury_id.strip():
            what = "no injury episode" if not found else f"{len(found)} injury episodes"
            raise NotFound(f"{what} match ID {injury_id!r}: `rubdown injury list` shows them")
        episode = found[0]
        if episode.end is not None:
            raise InvalidValue(
                f"the {episode.condition} episode in the {episode.region.label} is not open:"
                f" it ended on {episode.end}"
            )
    else:
        candidates = [
            e for e in episodes if e.end is None and (region is None or e.region.overlaps(region))
        ]
        where = f" in the {region.label}" if region is not None else ""
        if not candidates:
            raise NotFound(f"no open injury episode{where}: `rubdown injury list` shows them")
        if len(candidates) > 1:
            raise InvalidValue(
                f"{len(candidates)} injury episodes are open{where}: choose one with --id"
                " (`rubdown injury list` shows the IDs)"
            )
        episode = candidates[0]
    if end < episode.start:
        raise InvalidDate(f"the episode cannot end on {end}, before it started on {episode.start}")
    return episode


def run_start(day: dt.date, profile: Profile, *, saved: bool) -> dt.datetime:
    """When a run logged without a time is taken to have started: on that day in the
    runner's zone, at their usual session time once they saved a profile, else at noon."""
    clock = profile.session_time if saved else DEFAULT_RUN_TIME
    return dt.datetime.combine(day, clock, tzinfo=ZoneInfo(profile.timezone))


def session_rpe_units(duration_min: float, rpe: float) -> float:
    """Foster's session RPE in arbitrary units: minutes times the CR-10 rating."""
    return duration_min * rpe


# -- check-ins --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInResult:
    checkin: CheckIn  # the day's check-in as stored now
    replaced: bool  # the day had a check-in before, which this one took the place of
    merged: bool = False  # ... and what it said was kept where this one says nothing


def check_in(
    app: Runner,
    day: dt.date,
    soreness: dict[Region, int],
    pain: dict[Region, PainQuality],
    note: str = "",
    *,
    fatigue: int | None = None,
    sleep: int | None = None,
    signs: Mapping[Region, Iterable[Sign]] | None = None,
    replace_day: bool = False,
) -> CheckInResult:
    """Record the day's check-in. A second one that day is merged into the first (see
    ``merge_checkins``: what it says wins, what it leaves out stays), in the same write
    transaction that reads the first; ``replace_day`` stores it whole instead, for a caller
    that already holds the whole day (the body map's form)."""
    # An empty set of signs for a region clears the region's earlier signs in a merge.
    marked = {region: frozenset(found) for region, found in (signs or {}).items()}
    given = CheckIn(day, soreness, pain, note.strip(), fatigue, sleep, marked)
    whole = replace(given, signs={region: found for region, found in marked.items() if found})
    check_checkin(whole, app.today())
    if replace_day:
        stored, replaced = app.data.update_checkin(day, lambda _earlier: whole)
        return CheckInResult(stored, replaced)
    return update_checkin(
        app, day, lambda earlier: whole if earlier is None else merge_checkins(earlier, given)
    )


def update_checkin(
    app: Runner, day: dt.date, change: Callable[[CheckIn | None], CheckIn]
) -> CheckInResult:
    """Store what ``change`` makes of the day's check-in (None when there is none yet), read
    and written in one transaction so a check-in saved at the same time is not lost; the
    result is checked as a check-in given now is, and refused whole if it fails."""
    today = app.today()

    def checked(earlier: CheckIn | None) -> CheckIn:
        checkin = change(earlier)
        check_checkin(checkin, today)
        return checkin

    stored, earlier_existed = app.data.update_checkin(day, checked)
    return CheckInResult(stored, earlier_existed, merged=earlier_existed)


# -- injury episodes --------------------------------------------------------------------------


def list_injuries(app: Runner) -> list[InjuryEpisode]:
    return app.data.list_injuries()


def start_injury(
    app: Runner, region: Region, condition: Condition, day: dt.date | None = None
) -> InjuryEpisode:
    today = app.today()
    start = day or today
    if start > today:
        raise InvalidDate(f"{start} is in the future (today is {today})")
    clash = open_episode_clash(list_injuries(app), region, condition, start)
    if clash is not None:
        raise InvalidValue(
            f"an episode of {clash.condition} in the {clash.region.label} is already open"
            f" since {clash.start} ({clash.id[:8]}): end it first"
        )
    return app.data.add_injury(InjuryEpisode(region, condition, start))


def end_injury(
    app: Runner,
    *,
    injury_id: str | None = None,
    region: Region | None = None,
    day: dt.date | None = None,
    helped: str = "",
) -> InjuryEpisode:
    today = app.today()
    end = day or today
    episode = episode_to_end(
        list_injuries(app), injury_id=injury_id, region=region, end=end, today=today
    )
    return app.data.end_injury(episode.id, end, helped.strip())


def open_conditions(app: Runner, day: dt.date) -> frozenset[Condition]:
    """The conditions that steer routines and the plan on ``day``: the profile's standing
    ones and those of the injury episodes open that day."""
    episodes = frozenset(e.condition for e in list_injuries(app) if e.is_open_on(day))
    return app.profile().conditions | episodes


# -- runs logged by hand ----------------------------------------------------------------------


@dataclass(frozen=True)
class LoggedRun:
    run: ManualRun
    units: float  # Foster's minutes times RPE
    detail: str  # how the load was reached


def log_run(
    app: Runner,
    day: dt.date,
    duration_min: float,
    rpe: float,
    kind: WorkoutKind | None = None,
) -> LoggedRun:
    """Store a run the runner did without a file, scored by session RPE, and re-score the
    days around it (a new load changes what counts as hard)."""
    check_run(day, duration_min, rpe, kind, app.today())
    saved = app.data.get_profile() is not None
    start = run_start(day, app.profile(), saved=saved)
    seconds = duration_min * 60.0
    summary = Activity(
        sport=Sport.RUNNING,
        start=start,
        duration_s=seconds,
        utc_offset_s=_offset_s(start),
        moving_s=seconds,
    )
    basis = load_basis(summary)
    scored = load_from_basis(basis, current_params(app), rpe=rpe)
    run = ManualRun(
        day=day,
        start=start,
        duration_s=seconds,
        rpe=rpe,
        given_kind=kind,
        kind=kind or WorkoutKind.EASY,  # until the refresh below decides
        load=scored.load,
        load_method=scored.method,
    )
    stored = app.data.add_manual_run(run, load_basis=basis.to_dict())
    refresh_loads(app)
    now = next(r for r in app.data.list_manual_runs() if r.id == stored.id)
    return LoggedRun(now, session_rpe_units(duration_min, rpe), scored.detail)


def _offset_s(moment: dt.datetime) -> int | None:
    offset = moment.utcoffset()
    return None if offset is None else int(offset.total_seconds())


# -- routines ---------------------------------------------------------------------------------


def log_routine(app: Runner, log: RoutineLog) -> RoutineLog:
    """Record a routine the runner went through with the timer (done or stopped early)."""
    check_routine_log(log, app.today())
    return app.data.log_routine(log)


# -- the log ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingLog:
    sessions: list[MassageSession]
    runs: list[ManualRun]
    routines: list[RoutineLog]


def training_log(app: Runner) -> TrainingLog:
    return TrainingLog(
        sessions=app.data.list_sessions(),
        runs=app.data.list_manual_runs(),
        routines=app.data.list_routine_logs(),
    )
