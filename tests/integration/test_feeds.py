"""The calendar subscription through a real store and over HTTP: secrets, rotation, content."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from icalendar import Calendar, Component
from sqlalchemy.pool import NullPool

from rubdown.calendar import session_uid
from rubdown.domain.model import Frequency, Priority, WorkoutKind
from rubdown.knowledge import load_knowledge_base
from rubdown.services import season
from rubdown.services.feeds import feed_urls, has_feed, new_feed_secret, revoke_feed
from rubdown.services.planning import export_plan, make_plan
from rubdown.services.runner import Runner
from rubdown.solver.cpsat import CpSatSolver
from rubdown.store import normalise_url, open_store
from rubdown.web.cache.feeds import feed_ics
from rubdown.web.feeds import feeds_router
from tests.support.seasons import sample_season, store_season

TODAY = dt.date(2027, 1, 4)
NOON = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
OWNER = "runner-1"

MakeApp = Callable[[str], Runner]


@pytest.fixture
def make_app(database_url: str) -> Iterator[MakeApp]:
    """Opens a services context on the test database for a runner; all are closed at the end."""
    opened: list[Runner] = []

    def make(owner: str = OWNER) -> Runner:
        app = Runner(
            open_store(database_url), load_knowledge_base(), CpSatSolver(), owner, lambda: NOON
        )
        opened.append(app)
        return app

    yield make
    for app in opened:
        app.close()


def seed(app: Runner) -> None:
    season.update_profile(
        app, frequency=Frequency.MONTHLY, budget_per_month=200.0, timezone="Europe/Berlin"
    )
    store_season(app, sample_season(half_day=dt.date(2027, 2, 21), race_day_runs=True))
    season.add_workout(app, dt.date(2027, 4, 17), WorkoutKind.REST)


def events(data: bytes) -> dict[str, Component]:
    calendar = Calendar.from_ical(data)
    assert calendar.errors == []
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def sequences(data: bytes) -> dict[str, int]:
    return {uid: int(event.get("SEQUENCE", 0)) for uid, event in events(data).items()}


def feed(app: Runner, secret: str, *, busy_only: bool = False) -> bytes:
    data = feed_ics(app, secret, busy_only=busy_only)
    assert data is not None
    return data


# -- secrets -----------------------------------------------------------------------------------


def test_a_new_secret_opens_the_feed_and_replaces_the_old_one_at_once(
    make_app: MakeApp,
) -> None:
    app = make_app(OWNER)
    old = new_feed_secret(app)
    assert feed_ics(app, old, busy_only=False) is not None

    new = new_feed_secret(app)

    assert new != old
    assert feed_ics(app, old, busy_only=False) is None
    assert feed_ics(app, old, busy_only=True) is None
    assert feed_ics(app, new, busy_only=False) is not None
    assert feed_ics(app, new, busy_only=True) is not None


def test_secrets_are_long_url_safe_tokens(make_app: MakeApp) -> None:
    secret = new_feed_secret(make_app(OWNER))
    assert len(secret) >= 43  # 32 random bytes
    assert feed_urls("https://x.example", secret)["full"].endswith(f"/feeds/{secret}.ics")
    assert set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_only_the_hash_of_the_secret_is_stored(make_app: MakeApp, database_url: str) -> None:
    app = make_app(OWNER)
    secret = new_feed_secret(app)

    engine = sa.create_engine(normalise_url(database_url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT * FROM feed_secrets")).mappings().all()
    finally:
        engine.dispose()

    assert len(rows) == 1
    assert rows[0]["owner_id"] == OWNER
    assert rows[0]["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert all(secret not in str(value) for value in rows[0].values())


def test_unknown_malformed_and_revoked_secrets_open_nothing(make_app: MakeApp) -> None:
    app = make_app(OWNER)
    assert not has_feed(app)
    assert feed_ics(app, "A" * 43, busy_only=False) is None  # nobody has a feed yet

    secret = new_feed_secret(app)
    assert has_feed(app)
    assert feed_ics(app, secret[:-1] + ("A" if secret[-1] != "A" else "B"), busy_only=False) is None
    assert feed_ics(app, secret + "/../x", busy_only=False) is None
    assert feed_ics(app, "", busy_only=False) is None
    assert feed_ics(app, hashlib.sha256(secret.encode()).hexdigest(), busy_only=False) is None

    assert revoke_feed(app)
    assert feed_ics(app, secret, busy_only=False) is None
    assert not revoke_feed(app)


def test_a_secret_opens_its_own_runners_feed_whichever_context_serves_it(
    make_app: MakeApp,
) -> None:
    ana, ben = make_app("ana"), make_app("ben")
    season.add_race(ana, "Ana's Marathon", dt.date(2027, 4, 18), Priority.A, 42.195)
    season.add_race(ben, "Ben's Ten", dt.date(2027, 5, 2), Priority.C, 10.0)
    ana_secret, ben_secret = new_feed_secret(ana), new_feed_secret(ben)

    # A server's context belongs to no runner in particular: the URL decides whose feed it is.
    served_by_ana = feed(ana, ben_secret)
    assert b"Ben's Ten" in served_by_ana
    assert b"Ana's Marathon" not in served_by_ana
    assert b"Ana's Marathon" in feed(ben, ana_secret)
    # Each runner's secret is their own: making Ben a new one leaves Ana's working.
    new_feed_secret(ben)
    assert feed_ics(ana, ana_secret, busy_only=False) is not None
    assert feed_ics(ana, ben_secret, busy_only=False) is None


# -- content -----------------------------------------------------------------------------------


def test_the_feed_has_the_same_events_uids_and_sequences_as_export_ics(
    make_app: MakeApp, tmp_path: Path
) -> None:
    app = make_app(OWNER)
    seed(app)
    path = tmp_path / "plan.ics"
    export_plan(app, path)
    secret = new_feed_secret(app)

    exported = sequences(path.read_bytes())
    assert sequences(feed(app, secret)) == exported
    busy = sequences(feed(app, secret, busy_only=True))
    assert busy
    assert busy.items() <= exported.items()


def test_the_feed_carries_no_alarms_and_asks_to_be_polled_hourly(make_app: MakeApp) -> None:
    app = make_app(OWNER)
    seed(app)
    make_plan(app)
    secret = new_feed_secret(app)

    for data in (feed(app, secret), feed(app, secret, busy_only=True)):
        assert Calendar.from_ical(data).walk("VALARM") == []
        assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in data


def test_moving_a_race_moves_its_sessions_under_their_uids_with_a_higher_sequence(
    make_app: MakeApp,
) -> None:
    app = make_app(OWNER)
    seed(app)
    make_plan(app)
    secret = new_feed_secret(app)
    before_full, before_busy = feed(app, secret), feed(app, secret, busy_only=True)

    season.move_race(app, "Winter Half", dt.date(2027, 2, 28))
    make_plan(app)
    after_full, after_busy = feed(app, secret), feed(app, secret, busy_only=True)

    for before, after in ((before_full, after_full), (before_busy, after_busy)):
        old, new = events(before), events(after)
        moved = [
            uid
            for uid in old.keys() & new.keys()
            if "DTSTART" in old[uid] and old[uid]["DTSTART"].dt != new[uid]["DTSTART"].dt
        ]
        assert moved, "moving the half marathon should move at least one event"
        for uid in moved:  # sessions and the race itself: each a new version of its event
            assert int(new[uid]["SEQUENCE"]) == int(old[uid].get("SEQUENCE", 0)) + 1


def test_a_session_no_longer_planned_disappears_without_a_cancellation(
    make_app: MakeApp,
) -> None:
    app = make_app(OWNER)
    seed(app)
    plan = make_plan(app)
    secret = new_feed_secret(app)
    post_half = [s for s in plan.professional if s.kind.value == "post-event" and s.day.month == 2]
    assert len(post_half) == 1
    gone = session_uid(OWNER, post_half[0].key)
    assert gone in events(feed(app, secret))

    season.remove_race(app, "Winter Half")
    make_plan(app)

    for data in (feed(app, secret), feed(app, secret, busy_only=True)):
        assert gone not in events(data)
        assert b"CANCELLED" not in data


def test_reading_the_feed_never_changes_the_saved_plan(make_app: MakeApp) -> None:
    app = make_app(OWNER)
    seed(app)
    make_plan(app)
    saved = app.store.load_plan(OWNER)
    secret = new_feed_secret(app)
    season.move_race(app, "Winter Half", dt.date(2027, 2, 28))  # the plan is now out of date

    feed(app, secret)
    feed(app, secret, busy_only=True)

    assert app.store.load_plan(OWNER) == saved


# -- over HTTP ---------------------------------------------------------------------------------


@pytest.fixture
def client(make_app: MakeApp) -> Iterator[TestClient]:
    web = FastAPI()
    web.include_router(feeds_router(lambda: make_app(OWNER)))
    with TestClient(web) as test_client:
        yield test_client


def test_both_feeds_are_served_as_calendars_with_private_caching(
    make_app: MakeApp, client: TestClient
) -> None:
    app = make_app(OWNER)
    seed(app)
    make_plan(app)
    urls = feed_urls("", new_feed_secret(app))

    full = client.get(urls["full"])
    busy = client.get(urls["busy"])

    for response in (full, busy):
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/calendar; charset=utf-8"
        assert response.headers["cache-control"] == "private, max-age=300"
        assert events(response.content)
    assert b"Winter Half" in full.content
    assert b"Winter Half" not in busy.content
    assert {str(e["SUMMARY"]) for e in events(busy.content).values()} == {"Busy"}


def test_head_answers_like_get_without_a_body(make_app: MakeApp, client: TestClient) -> None:
    urls = feed_urls("", new_feed_secret(make_app(OWNER)))
    response = client.head(urls["full"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.content == b""


def test_a_wrong_secret_gets_a_bare_404(make_app: MakeApp, client: TestClient) -> None:
    secret = new_feed_secret(make_app(OWNER))
    wrong = ("B" if secret[0] == "A" else "A") + secret[1:]

    for url in feed_urls("", wrong).values():
        response = client.get(url)
        assert response.status_code == 404
        assert response.content == b""
        assert response.headers["cache-control"] == "no-store"


def test_a_secret_without_a_runner_looks_like_any_wrong_secret(
    make_app: MakeApp, client: TestClient
) -> None:
    new_feed_secret(make_app(OWNER))
    nobody = client.get("/feeds/" + "x" * 43 + ".ics")
    malformed = client.get("/feeds/short.ics")
    assert (nobody.status_code, nobody.content) == (malformed.status_code, malformed.content)
    assert nobody.status_code == 404


def test_the_old_url_is_404_right_after_a_new_secret(make_app: MakeApp, client: TestClient) -> None:
    app = make_app(OWNER)
    old = feed_urls("", new_feed_secret(app))
    assert client.get(old["full"]).status_code == 200

    new = feed_urls("", new_feed_secret(app))

    assert client.get(old["full"]).status_code == 404
    assert client.get(old["busy"]).status_code == 404
    assert client.get(new["full"]).status_code == 200
    assert client.get(new["busy"]).status_code == 200
