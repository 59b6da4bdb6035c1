"""Use cases of consent: a runner shares with a therapist, sees who read what, revokes; a
therapist lists their clients and reads what each shared (``domain.consent`` has the design).

A runner's side takes the runner's ID, a therapist's side the therapist's: each is bound to
the person logged in, and each query is scoped by that ID (``Consents``). A therapist reads a
client through ``client_runner``: the grant is read afresh, and the ``Runner`` it gives has a
``GrantedRunnerData`` as its data, so any use case run on it reads only what was shared and
logs it. What is not shared answers ``NotFound`` -- to a therapist, a runner who has not
shared with them is not there, whether or not the runner exists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from typing_extensions import TypedDict

from rubdown.domain.consent import AccessEntry, Consents, Grant, GrantedRunnerData, Level
from rubdown.errors import InvalidValue, NotFound
from rubdown.services import views
from rubdown.services.load_series import daily_series
from rubdown.services.runner import Runner

# The access log a runner sees at once: the newest entries; a day of a therapist's reads is
# a few dozen.
DEFAULT_LOG_ENTRIES = 200
MAX_LOG_ENTRIES = 1000

NO_CLIENT = "no client with that ID has shared anything with you"


def _chosen(levels: frozenset[Level]) -> frozenset[Level]:
    if not levels:
        raise InvalidValue(
            "choose at least one level to share (calendar, wellness, training);"
            " to stop sharing, revoke the grant"
        )
    return levels


# -- the runner's side -------------------------------------------------------------------------


def share(
    consents: Consents, runner_id: str, therapist_email: str, levels: frozenset[Level]
) -> Grant:
    """A new grant from the runner to the therapist with this e-mail address.

    An address that is not an enabled therapist's account answers "no therapist with that
    e-mail address" whatever it is: another runner's address, an admin's or nobody's read
    the same, so sharing never tells a runner who else has an account. (That an address is
    a therapist's is not hidden: therapists are who runners look for.)"""
    email = therapist_email.strip().lower()
    if not email:
        raise InvalidValue("give the therapist's e-mail address")
    chosen = _chosen(levels)
    therapist_id = consents.therapist_for_email(email)
    if therapist_id is None or therapist_id == runner_id:
        raise InvalidValue("no therapist with that e-mail address")
    return consents.add_grant(runner_id, therapist_id, chosen)


def grants_of(consents: Consents, runner_id: str) -> list[Grant]:
    return consents.active_grants_of(runner_id)


def change_levels(
    consents: Consents, runner_id: str, grant_id: str, levels: frozenset[Level]
) -> Grant:
    return consents.change_levels(runner_id, grant_id, _chosen(levels))


def change(
    consents: Consents, runner_id: str, grant_id: str, changes: Mapping[Level, bool]
) -> Grant:
    """Turn the levels named in ``changes`` on or off; the others stay as they are."""
    current = next((g for g in consents.active_grants_of(runner_id) if g.id == grant_id), None)
    if current is None:
        raise NotFound("no such grant")
    levels = frozenset(level for level in Level if changes.get(level, level in current.levels))
    return consents.change_levels(runner_id, grant_id, _chosen(levels))


def revoke(consents: Consents, runner_id: str, grant_id: str) -> Grant:
    """End a grant; the therapist's next request finds nothing shared."""
    return consents.revoke(runner_id, grant_id)


def access_log(
    consents: Consents, runner_id: str, limit: int = DEFAULT_LOG_ENTRIES
) -> list[AccessEntry]:
    if not 1 <= limit <= MAX_LOG_ENTRIES:
        raise InvalidValue(f"limit must be between 1 and {MAX_LOG_ENTRIES}, not {limit}")
    return consents.access_log(runner_id, limit=limit)


# -- the therapist's side ----------------------------------------------------------------------


def clients(consents: Consents, therapist_id: str) -> list[Grant]:
    """The runners who share with the therapist now, with what each shares."""
    return consents.active_grants_to(therapist_id)


def client_runner(
    consents: Consents,
    therapist_id: str,
    runner_id: str,
    what: str,
    open_runner: Callable[[str], Runner],
) -> Runner:
    """The client's data as the therapist may read it, for one request.

    ``what`` names the request in the client's access log (the route); ``open_runner``
    makes a ``Runner`` for an owner (the web app's shared services). The grant is read now,
    and with none active ``NotFound`` comes before anything of the runner's is touched."""
    grant = consents.active_grant(runner_id, therapist_id)
    if grant is None:
        raise NotFound(NO_CLIENT)

    def record(level: Level) -> None:
        consents.log_access(runner_id, therapist_id, grant.id, level, what)

    client = open_runner(runner_id)
    client.data = GrantedRunnerData(client.data, grant, record)
    return client


# -- views -------------------------------------------------------------------------------------


class GrantView(TypedDict):
    id: str
    therapist_email: str | None
    calendar: bool
    wellness: bool
    training: bool
    created_at: str
    updated_at: str
    revoked_at: str | None


def grant_view(grant: Grant) -> GrantView:
    return {
        "id": grant.id,
        "therapist_email": grant.therapist_email,
        "calendar": Level.CALENDAR in grant.levels,
        "wellness": Level.WELLNESS in grant.levels,
        "training": Level.TRAINING in grant.levels,
        "created_at": grant.created_at.isoformat(),
        "updated_at": grant.updated_at.isoformat(),
        "revoked_at": grant.revoked_at.isoformat() if grant.revoked_at else None,
    }


class AccessEntryView(TypedDict):
    at: str
    viewer_email: str | None
    level: str
    what: str
    grant_id: str


def access_entry_view(entry: AccessEntry) -> AccessEntryView:
    return {
        "at": entry.at.isoformat(),
        "viewer_email": entry.viewer_email,
        "level": str(entry.level),
        "what": entry.what,
        "grant_id": entry.grant_id,
    }


class ClientView(TypedDict):
    runner_id: str
    email: str | None
    calendar: bool
    wellness: bool
    training: bool
    since: str


def client_view(grant: Grant) -> ClientView:
    return {
        "runner_id": grant.runner_id,
        "email": grant.runner_email,
        "calendar": Level.CALENDAR in grant.levels,
        "wellness": Level.WELLNESS in grant.levels,
        "training": Level.TRAINING in grant.levels,
        "since": grant.created_at.isoformat(),
    }


class ClientCalendarView(TypedDict):
    runner_id: str
    races: list[views.RaceView]
    workouts: list[views.WorkoutView]
    sessions: list[views.LoggedSessionView]
    plan: list[views.SessionView]


def client_calendar(client: Runner) -> ClientCalendarView:
    """Races, workouts, massage sessions booked or had, and the stored plan's sessions."""
    data = client.data
    return {
        "runner_id": client.owner_id,
        "races": [views.race_view(race) for race in data.list_races()],
        "workouts": [views.workout_view(workout) for workout in data.list_workouts()],
        "sessions": [views.logged_session_view(session) for session in data.list_sessions()],
        "plan": [views.session_view(session, client.kb) for session in data.load_plan()],
    }


class ClientWellnessView(TypedDict):
    runner_id: str
    checkins: list[views.CheckInView]
    injuries: list[views.InjuryView]
    routines: list[views.RoutineLogView]


def client_wellness(client: Runner) -> ClientWellnessView:
    """Check-ins (their red flags and warning signs with them), injuries and the
    self-massage log."""
    data = client.data
    return {
        "runner_id": client.owner_id,
        "checkins": [views.checkin_view(checkin) for checkin in data.list_checkins()],
        "injuries": [views.injury_view(episode) for episode in data.list_injuries()],
        "routines": [views.routine_log_view(log) for log in data.list_routine_logs()],
    }


class ClientTrainingView(TypedDict):
    runner_id: str
    load: views.LoadView
    activities: list[views.ActivityView]
    runs: list[views.ManualRunView]
    wellness: list[views.WellnessView]


def client_training(client: Runner) -> ClientTrainingView:
    """The training load over the usual window, and the activities, runs and the watch's
    daily values (sleep, resting heart rate, HRV) in it."""
    series = daily_series(client, None, None)
    data = client.data
    return {
        "runner_id": client.owner_id,
        "load": views.load_view(series),
        "activities": [
            views.activity_view(row) for row in data.list_activities(series.start, series.end)
        ],
        "runs": [
            views.manual_run_view(run)
            for run in data.list_manual_runs()
            if series.start <= run.day <= series.end
        ],
        "wellness": [
            views.wellness_view(day)
            for day in data.list_wellness()
            if series.start <= day.day <= series.end
        ],
    }
