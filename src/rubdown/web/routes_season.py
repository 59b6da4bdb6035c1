"""What the runner tells rubdown: profile, races, workouts, the log, check-ins, injuries.

Each handler reads its input (``web.parse``), calls the service the command line calls and
returns the same JSON view as ``--json``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from rubdown.domain.model import (
    Condition,
    Frequency,
    PolicyName,
    Priority,
    SessionKind,
    Units,
    WorkoutKind,
)
from rubdown.services import booking, daily, season, training_views, views
from rubdown.services.alerts import alerts_view, standing_alerts
from rubdown.services.loads import current_params
from rubdown.web import parse
from rubdown.web.deps import AppDep
from rubdown.web.models import (
    CheckInIn,
    InjuryEnd,
    InjuryIn,
    MassageIn,
    ProfileChanges,
    RaceIn,
    RunIn,
    WorkoutIn,
)
from rubdown.web.models_training import RaceChanges
from rubdown.web.responses import (
    ERRORS,
    CheckInsAnswer,
    InjuriesAnswer,
    LogAnswer,
    LoggedMassageAnswer,
    LoggedRunAnswer,
    RacesAnswer,
    SavedCheckInAnswer,
    WorkoutsAnswer,
)

router = APIRouter(prefix="/api", responses=ERRORS)
CREATED = status.HTTP_201_CREATED


@router.get("/profile", tags=["profile"])
def get_profile(app: AppDep) -> views.ProfileView:
    return views.profile_view(app.profile(), current_params(app))


@router.put("/profile", tags=["profile"])
def put_profile(app: AppDep, body: ProfileChanges) -> views.ProfileView:
    """Change the fields given; the others stay as they were (like ``profile set``)."""
    given = body.model_dump(exclude_none=True)
    changes: dict[str, Any] = {**given}
    if body.policy is not None:
        changes["policy"] = parse.name(PolicyName, body.policy, "policy")
    if body.frequency is not None:
        changes["frequency"] = parse.name(Frequency, body.frequency, "frequency")
    if body.owns is not None:
        changes["owns"] = parse.tools(body.owns)
    if body.conditions is not None:
        changes["conditions"] = frozenset(
            parse.name(Condition, c, "condition") for c in body.conditions if c.strip()
        )
    if body.session_time is not None:
        changes["session_time"] = parse.clock(body.session_time)
    if body.units is not None:
        changes["units"] = parse.name(Units, body.units, "units")
    updated = season.update_profile(app, **changes)
    return views.profile_view(updated, current_params(app))


@router.get("/races", tags=["races"])
def list_races(app: AppDep) -> RacesAnswer:
    return {"races": [views.race_view(r) for r in app.data.list_races()]}


@router.post("/races", tags=["races"], status_code=CREATED)
def add_race(app: AppDep, body: RaceIn) -> views.RaceView:
    added = season.add_race(
        app,
        body.name,
        parse.day(body.date),
        parse.name(Priority, body.priority, "priority"),
        body.distance_km,
        parse.clock(body.start) if body.start else None,
    )
    return views.race_view(added)


@router.patch("/races/{ref}", tags=["races"])
def edit_race(app: AppDep, ref: str, body: RaceChanges) -> views.RaceView:
    """Change a race (by id, a unique start of it, or its name): the fields given, e.g.
    ``{"date": ...}`` to move it; a calendar that has it sees a new version."""
    edited = season.edit_race(
        app,
        ref,
        name=body.name,
        day=parse.optional_day(body.date),
        priority=parse.optional_name(Priority, body.priority, "priority"),
        distance_km=body.distance_km,
        start_time=parse.clock(body.start) if body.start else None,
    )
    return views.race_view(edited)


@router.delete("/races/{ref}", tags=["races"])
def remove_race(app: AppDep, ref: str) -> views.RaceView:
    return views.race_view(season.remove_race(app, ref))


@router.get("/workouts", tags=["workouts"])
def list_workouts(app: AppDep) -> WorkoutsAnswer:
    workouts = app.data.list_workouts()
    return {"workouts": [views.workout_view(w) for w in workouts]}


@router.post("/workouts", tags=["workouts"], status_code=CREATED)
def add_workout(app: AppDep, body: WorkoutIn) -> training_views.WorkoutAnswer:
    kind = parse.name(WorkoutKind, body.kind, "workout kind")
    added = season.add_workout(app, parse.day(body.date), kind, body.duration_min)
    return training_views.workout_answer(app, added)


@router.get("/log", tags=["log"])
def training_log(app: AppDep) -> LogAnswer:
    found = daily.training_log(app)
    # Sessions dated after today are booked, not had.
    had, booked = booking.split_bookings(app, found.sessions)
    return {
        "sessions": [views.logged_session_view(s) for s in had],
        "booked": [views.logged_session_view(s) for s in booked],
        "runs": [views.manual_run_view(r) for r in found.runs],
        "routines": [views.routine_log_view(r) for r in found.routines],
    }


@router.post("/log/massage", tags=["log"], status_code=CREATED)
def log_massage(app: AppDep, body: MassageIn) -> LoggedMassageAnswer:
    """A session that happened; dated after today, a booking (as ``POST /api/bookings``)."""
    logged = booking.record_massage(
        app,
        parse.day(body.date),
        parse.name(SessionKind, body.kind, "session kind"),
        parse.regions(body.regions),
        body.price,
        body.note,
        anyway=body.anyway,
    )
    if isinstance(logged, booking.Booking):
        return training_views.booking_view(logged, app.kb)
    return views.logged_session_view(logged)


@router.post("/log/run", tags=["log"], status_code=CREATED)
def log_run(app: AppDep, body: RunIn) -> LoggedRunAnswer:
    kind = parse.optional_name(WorkoutKind, body.kind, "run kind")
    logged = daily.log_run(app, parse.day(body.date), body.duration_min, body.rpe, kind)
    return {**views.manual_run_view(logged.run), "detail": logged.detail}


@router.get("/checkins", tags=["check-ins"])
def list_checkins(app: AppDep) -> CheckInsAnswer:
    return {"checkins": [views.checkin_view(c) for c in app.data.list_checkins()]}


@router.post("/checkins", tags=["check-ins"], status_code=CREATED)
def check_in(app: AppDep, body: CheckInIn) -> SavedCheckInAnswer:
    """One check-in a day: a later one the same day is merged into it (``merged`` says so;
    ``replaced`` says the day had one)."""
    result = daily.check_in(
        app,
        parse.optional_day(body.date) or app.today(),
        parse.soreness(body.soreness),
        parse.pain(body.pain),
        body.note,
        fatigue=body.fatigue,
        sleep=body.sleep,
        signs=parse.signs(body.signs),
    )
    # What now stands (a clot sign just given among it) comes first, as in every answer.
    alerts = alerts_view(standing_alerts(app, result.checkin.day))
    view = views.checkin_view(result.checkin, replaced=result.replaced)
    return {"alerts": alerts, **view, "merged": result.merged}


@router.get("/injuries", tags=["injuries"])
def list_injuries(app: AppDep) -> InjuriesAnswer:
    return {"injuries": [views.injury_view(e) for e in daily.list_injuries(app)]}


@router.post("/injuries", tags=["injuries"], status_code=CREATED)
def start_injury(app: AppDep, body: InjuryIn) -> views.InjuryView:
    started = daily.start_injury(
        app,
        parse.region(body.region),
        parse.name(Condition, body.condition, "condition"),
        parse.optional_day(body.date),
    )
    return views.injury_view(started)


@router.post("/injuries/{injury_id}/end", tags=["injuries"])
def end_injury(app: AppDep, injury_id: str, body: InjuryEnd | None = None) -> views.InjuryView:
    """End an open episode by its id (or the first characters of it); the body is optional."""
    body = body or InjuryEnd()
    ended = daily.end_injury(
        app, injury_id=injury_id, day=parse.optional_day(body.date), helped=body.helped
    )
    return views.injury_view(ended)
