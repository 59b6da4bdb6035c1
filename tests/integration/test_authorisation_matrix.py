"""The authorisation matrix: every ``/api`` route of the server-mode app (and every ``/ui``
fragment route, which reads and changes the same data), each role, own, granted and someone
else's data -> the expected status, with no leak (on PostgreSQL).

The routes are read from the app itself (``app.routes``), and each must be classified in
``KINDS``: a route added without saying who may use it fails the first test, so none can be
forgotten. The people: Ana (a runner, who shares everything with Theo), Theo (a therapist),
Root (an admin) and someone not logged in; Bo is the other runner, "someone else", who shares
with Tess only. Ana's and Bo's data carry marker strings, and Bo's data its ids: every answer
to every caller is searched for Bo's marker and ids (none of the callers may see any of Bo's
data), and the answers to Root and the anonymous caller for Ana's marker. Where a path names an
object (a race, an injury, a grant, an import job, a client), the route is called with Ana's
object (own, or granted for Theo) and with Bo's (someone else's), which must answer 404 --
never 403 or 200 -- and change nothing: Bo's data is compared before and after the whole run.

The clinic's routes (``/api/clinic/...`` and ``/ui/clinic/...``) are a therapist's own: Theo
and Tess each have a clinic (a managed client, a service, a booking, a note, a waitlist entry;
Tess also a booking of Bo, who shares with her), Tess's text carries her marker. Theo's own
clinic objects answer him 200 to a GET, 2xx, 409 or 422 to a change (or 404 once an earlier
change removed them); Tess's objects and clients (Bo) answer him 404, and her marker and ids
are searched in every answer to every caller; runners and the admin find the clinic not there
(404).

Expected statuses: a runner's own data answers 200 to a GET (reads come before changes); a
change to their own data answers 2xx, or 422 for the empty body most changes get here, or 404
once an earlier change removed its object; someone else's object 404. A therapist or an admin
has no runner data: the runner routes answer them 404. The client routes answer a therapist 200
for a granted client and 404 for anyone else's; the admin routes answer only an admin. Without
a session every route but the login answers 401.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from rubdown.domain.model import Condition, PainQuality, Priority, SessionKind, WorkoutKind
from rubdown.domain.regions import parse_region
from rubdown.services import daily, patterns, planning, season
from rubdown.services.runner import Runner
from tests.support.accounts import log_in
from tests.support.clinic_seed import (
    SESSION_AT,
    ClinicIds,
    book_session,
    opened_clinic,
    runner_ref,
    seed_clinic,
)
from tests.support.server import People, people
from tests.support.web import TODAY

pytestmark = pytest.mark.postgres

ROLES = {
    "ana": "runner",
    "bo": "runner",
    "theo": "therapist",
    "tess": "therapist",
    "root": "admin",
    "zed": "runner",  # the admin disables this one
}
CALLERS = ("anonymous", "root", "theo", "ana")  # Ana last: her own changes come last
ANA_MARK = "ANAMARK-" + secrets.token_hex(6)
BO_MARK = "BOMARK-" + secrets.token_hex(6)
THEO_MARK = "THEOMARK-" + secrets.token_hex(6)
TESS_MARK = "TESSMARK-" + secrets.token_hex(6)

# What each /api route is, by "METHOD path" (see the module docstring for what each expects).
RUNNER = "runner data"  # the logged-in runner's own data, and the knowledge they plan with
GRANTS = "the runner's sharing"
CLIENTS = "a therapist's list of clients"
CLIENT = "a therapist's read of one client"
ADMIN = "the admin's accounts"
ACCOUNT = "one's own account"  # asks for a password: an empty body is 422 to anyone
SESSION = "the session"
LOGIN = "logging in"  # open: an empty body is 422 to anyone
LOGOUT = "logging out"  # called last, in test_logging_out_ends_the_session_for_each_role
CLINIC = "a therapist's own clinic"  # its clients, bookings, notes, menu, team
TOOL = "a tool any account may use"  # the tent planner: it keeps nothing

KINDS: dict[str, str] = {
    "POST /api/login": LOGIN,
    "GET /api/session": SESSION,
    "POST /api/logout": LOGOUT,
    "POST /api/logout-everywhere": LOGOUT,
    "GET /api/admin/users": ADMIN,
    "POST /api/admin/users": ADMIN,
    "POST /api/admin/users/{user_id}/disable": ADMIN,
    "GET /api/grants": GRANTS,
    "POST /api/grants": GRANTS,
    "PATCH /api/grants/{grant_id}": GRANTS,
    "DELETE /api/grants/{grant_id}": GRANTS,
    "GET /api/access-log": GRANTS,
    "GET /api/clients": CLIENTS,
    "GET /api/clients/{runner_id}/calendar": CLIENT,
    "GET /api/clients/{runner_id}/wellness": CLIENT,
    "GET /api/clients/{runner_id}/training": CLIENT,
    "DELETE /api/account": ACCOUNT,
    "POST /ui/account/delete": ACCOUNT,
    "POST /ui/sharing": GRANTS,
    "POST /ui/sharing/{grant_id}/levels": GRANTS,
    "POST /ui/sharing/{grant_id}/revoke": GRANTS,
    "POST /ui/tent/plan": TOOL,
    "GET /api/clinic-notes": RUNNER,
    **dict.fromkeys(
        (
            "GET /api/clinic/clients",
            "POST /api/clinic/clients",
            "GET /api/clinic/clients/{client}",
            "PATCH /api/clinic/clients/{client}",
            "GET /api/clinic/clients/{client}/intake",
            "POST /api/clinic/clients/{client}/intake",
            "GET /api/clinic/clients/{client}/notes",
            "PUT /api/clinic/clients/{client}/notes-sharing",
            "GET /api/clinic/screening",
            "GET /api/clinic/bookings/{booking_id}/notes",
            "POST /api/clinic/bookings/{booking_id}/notes",
            "POST /api/clinic/notes/{note_id}/amendments",
            "GET /api/clinic/services",
            "POST /api/clinic/services",
            "GET /api/clinic/rules",
            "PUT /api/clinic/rules",
            "GET /api/clinic/bookings",
            "POST /api/clinic/bookings",
            "POST /api/clinic/bookings/check",
            "GET /api/clinic/bookings/{booking_id}",
            "POST /api/clinic/bookings/{booking_id}/cancel",
            "POST /api/clinic/bookings/{booking_id}/move",
            "GET /api/clinic/waitlist/{day}",
            "POST /api/clinic/waitlist",
            "DELETE /api/clinic/waitlist/entries/{entry_id}",
            "GET /api/clinic/race-week/events",
            "POST /api/clinic/race-week",
            "POST /api/clinic/race-week/accept",
            "PUT /api/clinic/race-week/likes",
            "GET /api/clinic/team",
            "POST /api/clinic/team",
            "DELETE /api/clinic/team/{member_id}",
            "POST /api/clinic/team/accept",
            "POST /api/clinic/team/leave",
            "GET /api/clinic/feeds",
            "POST /api/clinic/feeds/{view}",
            "DELETE /api/clinic/feeds/{view}",
            "POST /ui/clinic/clients",
            "POST /ui/clinic/clients/{client}/intake",
            "POST /ui/clinic/clients/{client}/notes-sharing",
            "POST /ui/clinic/bookings/{booking_id}/notes",
            "POST /ui/clinic/notes/{note_id}/amendments",
            "POST /ui/clinic/race-week",
            "POST /ui/clinic/race-week/accept",
            "POST /ui/clinic-feeds/{view}",
            "POST /ui/clinic-feeds/{view}/off",
        ),
        CLINIC,
    ),
    "GET /api/export/all": RUNNER,
    **dict.fromkeys(
        (
            "GET /api/profile",
            "PUT /api/profile",
            "GET /api/races",
            "POST /api/races",
            "PATCH /api/races/{ref}",
            "DELETE /api/races/{ref}",
            "GET /api/workouts",
            "POST /api/workouts",
            "PATCH /api/workouts/{ref}",
            "DELETE /api/workouts/{ref}",
            "GET /api/log",
            "POST /api/log/massage",
            "POST /api/log/run",
            "GET /api/checkins",
            "POST /api/checkins",
            "GET /api/checkins/heatmap",
            "GET /api/checkins/map",
            "GET /api/injuries",
            "POST /api/injuries",
            "POST /api/injuries/{injury_id}/end",
            "GET /api/patterns",
            "POST /api/patterns",
            "DELETE /api/patterns/{ref}",
            "GET /api/recovery-weeks",
            "POST /api/recovery-weeks",
            "DELETE /api/recovery-weeks/{day}",
            "POST /api/bookings",
            "GET /api/rules",
            "GET /api/rules/{rule_id}",
            "POST /api/check",
            "GET /api/plan",
            "POST /api/plan",
            "GET /api/plan/month",
            "GET /api/plan/sessions/{session_id}",
            "POST /api/plan/sessions/{session_id}/move",
            "POST /api/plan/sessions/{session_id}/unpin",
            "GET /api/today",
            "POST /api/today/routine-log",
            "POST /api/today/pain-flag",
            "GET /api/load",
            "GET /api/load/chart",
            "GET /api/why/{date}",
            "GET /api/activities",
            "GET /api/wellness",
            "POST /api/import",
            "POST /api/import/jobs",
            "GET /api/import/jobs/{job_id}",
            "GET /api/feeds",
            "POST /api/feeds/secret",
            "DELETE /api/feeds/secret",
            "GET /api/availability",
            "PUT /api/availability",
            "GET /ui/today/why",
            "POST /ui/checkin/save",
            "POST /ui/checkin/injuries",
            "POST /ui/checkin/injuries/{injury_id}/end",
            "GET /ui/plan/month",
            "GET /ui/plan/sessions/{session_id}",
            "GET /ui/plan/check",
            "GET /ui/import/jobs/{job_id}/report",
            "POST /ui/settings/profile",
            "POST /ui/settings/availability",
            "POST /ui/feeds/secret",
            "POST /ui/feeds/off",
        ),
        RUNNER,
    ),
}

# Bodies that get past validation, so that a change to someone else's object is refused for
# being theirs, not for its body; every other change is sent ``{}``.
BODIES: dict[str, Any] = {
    "PATCH /api/races/{ref}": {"name": "Renamed"},
    "PATCH /api/workouts/{ref}": {"duration_min": 75},
    "POST /api/admin/users": {"email": "new@example.org", "role": "runner"},
    "POST /api/injuries/{injury_id}/end": {},
    "POST /api/plan/sessions/{session_id}/move": {"date": "2027-01-20"},
    "PATCH /api/grants/{grant_id}": {"wellness": True},
    "PATCH /api/clinic/clients/{client}": {"name": "Renamed client"},
    "POST /api/clinic/clients/{client}/intake": {
        "answers": [],
        "signed_name": "Matrix",
        "consent": True,
    },
    "PUT /api/clinic/clients/{client}/notes-sharing": {"shared": False},
    "POST /api/clinic/bookings/{booking_id}/notes": {"subjective": "matrix note"},
    "POST /api/clinic/notes/{note_id}/amendments": {"subjective": "matrix", "reason": "matrix"},
    "POST /api/clinic/bookings/{booking_id}/cancel": {"reason": "matrix"},
    "POST /api/clinic/bookings/{booking_id}/move": {"start": "2027-01-09T10:00"},
}
# The fragments' forms: what gets past reading the form, as for ``BODIES``.
FORMS: dict[str, dict[str, str]] = {
    "POST /ui/checkin/injuries/{injury_id}/end": {"helped": "rest"},
    "POST /ui/sharing/{grant_id}/levels": {"calendar": "true"},
}
# Query strings a GET needs to answer 200.
QUERIES: dict[str, dict[str, str]] = {
    "GET /ui/plan/check": {"date": "2027-01-20", "kind": "sports"},
    # Theo's week, which holds his seeded booking; Tess's in the same days must not show.
    "GET /api/clinic/bookings": {
        "from": TODAY.isoformat(),
        "to": (TODAY + dt.timedelta(days=7)).isoformat(),
        "cancelled": "true",
    },
}
# What one's own GET answers other than 200: no worker runs here, so the job is waiting.
OWN_GETS = {"GET /ui/import/jobs/{job_id}/report": {422}}
# Uploads: a file that holds no activity (the import skips it, and no job finds anything).
UPLOADS = {"POST /api/import", "POST /api/import/jobs"}
NO_ACTIVITY = {"files": ("note.txt", b"no activity in here", "text/plain")}


def _api_routes(people: People) -> list[tuple[str, str]]:
    """Every (method, path) under /api, and under /ui (the pages' fragments, which read and
    change the same data), of the server-mode app, ``{x:path}`` as ``{x}``."""
    found = set()
    for context in iter_route_contexts(people.app.routes):
        path = context.path or ""
        if path.startswith(("/api/", "/ui/")):
            for method in context.methods or ():
                if method != "HEAD":
                    found.add((method, path.replace(":path}", "}")))
    # Reads first: a caller's own changes (a race removed, a session moved) come after.
    return sorted(found, key=lambda item: (item[0] != "GET", item[1], item[0]))


@dataclass(frozen=True)
class Ids:
    """The ids a path may name, of one runner's data."""

    runner: str
    race: str
    workout: str
    pattern: str
    injury: str
    grant: str
    planned: str
    job: str


def _seed(app: Runner, mark: str) -> tuple[str, str, str, str, str]:
    """One of each thing a path can name, with the runner's marker where text is kept."""
    season.update_profile(app, name=mark)
    race = season.add_race(app, f"{mark} race", TODAY + dt.timedelta(days=40), Priority.A)
    workout = season.add_workout(app, TODAY + dt.timedelta(days=3), WorkoutKind.LONG, 90)
    pattern = patterns.create_pattern(
        app, TODAY + dt.timedelta(days=7), TODAY + dt.timedelta(days=34), "tue:tempo"
    )
    patterns.set_recovery_week(app, TODAY + dt.timedelta(days=14))
    daily.check_in(app, TODAY, {parse_region("calf"): 3}, {}, note=f"{mark} note")
    injury = daily.start_injury(
        app, parse_region("left-heel"), Condition.PLANTAR_FASCIITIS, TODAY - dt.timedelta(days=3)
    )
    season.log_massage(app, TODAY - dt.timedelta(days=5), SessionKind.SPORTS, note=f"{mark}")
    daily.check_in(
        app,
        TODAY - dt.timedelta(days=1),
        {},
        {parse_region("right-calf"): PainQuality.DULL},
        note=f"{mark} yesterday",
    )
    plan = planning.make_plan(app)
    return race.id, workout.id, pattern.pattern.id, injury.id, plan.sessions[0].key


@dataclass
class World:
    people: People
    ana: Ids
    bo: Ids
    zed: str
    bo_before: dict[str, Any]
    theo: ClinicIds  # the clinic of the therapist who calls
    tess: ClinicIds  # someone else's clinic
    tess_bo_booking: str  # Tess's booking of Bo, her client


def _bo_data(people: People) -> dict[str, Any]:
    with people.runner("bo") as bo:
        return {
            "profile": bo.data.get_profile(),
            "races": bo.data.list_races(),
            "workouts": bo.data.list_workouts(),
            "patterns": bo.data.list_patterns(),
            "recovery": bo.data.recovery_weeks(),
            "checkins": bo.data.list_checkins(),
            "injuries": bo.data.list_injuries(),
            "sessions": bo.data.list_sessions(),
            "plan": bo.data.load_plan(),
            "hours": bo.data.therapist_hours(),
            "feed": bo.data.feed_secret_hash(),
        }


def _import_job(people: People, runner: str) -> str:
    answer = people.client(runner).post("/api/import/jobs", files=NO_ACTIVITY)
    assert answer.status_code == 202, answer.text
    return str(answer.json()["id"])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with people(tmp_path_factory.mktemp("matrix"), ROLES) as made:
        seeded = {}
        for name, mark in (("ana", ANA_MARK), ("bo", BO_MARK)):
            with made.runner(name) as runner:
                seeded[name] = _seed(runner, mark)
        grants = {"ana": made.share("ana", "theo"), "bo": made.share("bo", "tess")}
        jobs = {name: _import_job(made, name) for name in ("ana", "bo")}
        ids = {
            name: Ids(
                runner=made.ids[name],
                race=seeded[name][0],
                workout=seeded[name][1],
                pattern=seeded[name][2],
                injury=seeded[name][3],
                grant=grants[name],
                planned=seeded[name][4],
                job=jobs[name],
            )
            for name in ("ana", "bo")
        }
        theo = seed_clinic(made, "theo", THEO_MARK)
        tess = seed_clinic(made, "tess", TESS_MARK)
        # Bo's sore calf refuses a whole-body session: Tess saw it and books with a reason.
        tess_bo = book_session(
            opened_clinic(made, "tess"),
            runner_ref(made, "bo"),
            tess.service,
            SESSION_AT + dt.timedelta(hours=4),
            "seen in person",
        )
        yield World(
            made, ids["ana"], ids["bo"], made.ids["zed"], _bo_data(made), theo, tess, tess_bo
        )


def _path(route: str, path: str, ids: Ids, zed: str, clinic: ClinicIds, member: str) -> str:
    """``path`` with its parameters filled from ``ids`` and ``clinic`` (the data the call is
    about)."""
    values = {
        "{client}": clinic.client,
        "{booking_id}": clinic.booking,
        "{note_id}": clinic.note,
        "{service_id}": clinic.service,
        "{entry_id}": clinic.waitlist_entry,
        "{member_id}": member,
        "{view}": "busy",
        "{runner_id}": ids.runner,
        "{grant_id}": ids.grant,
        "{injury_id}": ids.injury,
        "{session_id}": ids.planned,
        "{user_id}": zed,
        "{rule_id}": "T1",
        "{job_id}": ids.job,
        "{day}": (TODAY + dt.timedelta(days=14)).isoformat(),
        "{date}": TODAY.isoformat(),
    }
    if "{ref}" in path:
        ref = {"races": ids.race, "workouts": ids.workout, "patterns": ids.pattern}
        values["{ref}"] = ref[path.split("/")[2]]
    for name, value in values.items():
        path = path.replace(name, value)
    assert "{" not in path, f"{route}: a path parameter the matrix cannot fill"
    return path


def _names_an_object(path: str) -> bool:
    # Not a planned session's id: it names a slot in one's own plan ("deep:2027-03"), the
    # same words in anyone's, and is looked up in the caller's plan only.
    objects = (
        "{ref}",
        "{runner_id}",
        "{grant_id}",
        "{injury_id}",
        "{job_id}",
        "{client}",
        "{booking_id}",
        "{note_id}",
        "{service_id}",
        "{entry_id}",
        "{member_id}",
    )
    return any(name in path for name in objects)


def _expected(kind: str, method: str, caller: str, target: str, route: str) -> set[int]:
    """The statuses a call may answer (see the module docstring)."""
    if caller == "anonymous":
        return {422} if kind == LOGIN else {401}
    changes = method != "GET"
    own = {200, 201, 202, 404, 422} if changes else OWN_GETS.get(route, {200})
    if kind in (LOGIN, ACCOUNT):
        return {422}
    if kind == SESSION:
        return {200}
    if kind == ADMIN:
        return own if caller == "root" else {404}
    if kind == CLIENTS:
        return {200} if caller == "theo" else {404}
    if kind == CLIENT:
        return {200} if caller == "theo" and target == "own" else {404}
    if kind == TOOL:
        return {200, 422}
    if kind == CLINIC:
        if caller != "theo" or target == "other":
            return {404}
        return {200, 201, 202, 204, 404, 409, 422} if changes else OWN_GETS.get(route, {200})
    # RUNNER and GRANTS: a runner's own; nobody's else, and no one else has any
    if caller != "ana" or target == "other":
        return {404}
    return own


def test_every_api_route_is_classified(world: World) -> None:
    routes = {f"{method} {path}" for method, path in _api_routes(world.people)}

    assert routes - set(KINDS) == set(), "classify each new route in KINDS"
    assert set(KINDS) - routes == set(), "a route in KINDS that the app no longer has"


def test_every_route_answers_each_role_as_expected_and_leaks_nothing(world: World) -> None:
    people = world.people
    wrong: list[str] = []
    leaks: list[str] = []
    client_reads = 0
    bo = world.bo
    tess = world.tess
    bo_ids = (
        bo.runner,
        bo.race,
        bo.workout,
        bo.pattern,
        bo.injury,
        bo.grant,
        bo.job,
        tess.client.partition(":")[2],
        tess.service,
        tess.booking,
        tess.note,
        tess.waitlist_entry,
        world.tess_bo_booking,
    )
    for caller in CALLERS:
        client = people.client(None if caller == "anonymous" else caller)
        for method, path in _api_routes(people):
            route = f"{method} {path}"
            kind = KINDS[route]
            if kind == LOGOUT:
                continue
            targets = ("other", "own") if _names_an_object(path) else ("own",)
            for target in targets:
                ids = world.bo if target == "other" else world.ana
                clinic = world.tess if target == "other" else world.theo
                member = people.ids["tess"] if target == "other" else people.ids["root"]
                url = _path(route, path, ids, world.zed, clinic, member)
                if route in UPLOADS:
                    answer = client.request(method, url, files=NO_ACTIVITY)
                elif path.startswith("/ui/") and method == "POST":
                    answer = client.request(method, url, data=FORMS.get(route, {}))
                elif method == "GET":
                    answer = client.request(method, url, params=QUERIES.get(route))
                else:
                    changes = method in ("POST", "PUT", "PATCH")
                    body = BODIES.get(route, {}) if changes else None
                    answer = client.request(method, url, json=body)
                wanted = _expected(kind, method, caller, target, route)
                seen = f"{caller} {target}: {method} {url} -> {answer.status_code}"
                if answer.status_code not in wanted:
                    wrong.append(f"{seen}, expected {sorted(wanted)}: {answer.text[:200]}")
                if answer.status_code >= 400 and answer.headers.get("content-type", "").startswith(
                    "application/json"
                ):
                    assert set(answer.json()) == {"error"}, seen
                text = answer.content.decode("utf-8", "replace")
                if BO_MARK in text:
                    leaks.append(f"{seen}: Bo's data")
                if TESS_MARK in text:
                    leaks.append(f"{seen}: Tess's clinic")
                if caller != "theo" and THEO_MARK in text:
                    leaks.append(f"{seen}: Theo's clinic")
                # Bo's ids too, but for one the request named itself (a 404 may say it back).
                # The admin's list of accounts names Bo's account: that is its job, and
                # none of Bo's data comes with it.
                named = {value for value in bo_ids if value not in url}
                if kind == ADMIN:
                    named.discard(bo.runner)
                if any(value in text for value in named):
                    leaks.append(f"{seen}: an id of Bo's")
                if caller in ("anonymous", "root") and ANA_MARK in text:
                    leaks.append(f"{seen}: Ana's data")
                if kind == CLIENT and answer.status_code == 200:
                    client_reads += 1

    assert leaks == [], "\n".join(leaks)
    assert wrong == [], "\n".join(wrong)
    assert _bo_data(people) == world.bo_before
    log = people.client("ana").get("/api/access-log", params={"limit": 1000}).json()["entries"]
    # The client routes log one read each; the clinic's reads of Ana (her next race on the
    # roster, her card) log theirs too, all by Theo.
    assert client_reads == 3
    assert len(log) >= client_reads
    assert {entry["viewer_email"] for entry in log} == {people.email("theo")}
    # Bo's log holds only Tess's reads when she booked him in the setup: none of the calls.
    bo_log = people.client("bo").get("/api/access-log").json()["entries"]
    assert {(e["viewer_email"], e["what"]) for e in bo_log} == {
        (people.email("tess"), "test setup")
    }


def test_logging_out_ends_the_session_for_each_role(world: World) -> None:
    people = world.people
    anonymous = people.client(None)
    assert anonymous.post("/api/logout").status_code == 401
    assert anonymous.post("/api/logout-everywhere").status_code == 401
    for name in ("root", "theo", "ana"):
        elsewhere = TestClient(people.app, base_url=str(people.client(name).base_url))
        log_in(elsewhere, people.email(name))

        assert people.client(name).post("/api/logout").status_code == 200
        assert people.client(name).get("/api/session").status_code == 401
        assert elsewhere.get("/api/session").status_code == 200
        assert elsewhere.post("/api/logout-everywhere").status_code == 200
        assert elsewhere.get("/api/session").status_code == 401
