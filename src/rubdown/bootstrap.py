"""The one place that turns settings into a running rubdown: the store, the rules, a clock.

Where the data lives, in order: ``--home DIR`` (or ``RUBDOWN_HOME``) keeps everything for one
runner in DIR; ``RUBDOWN_DATABASE_URL`` names a database (PostgreSQL) instead of the SQLite
file; otherwise the user's data directory. ``RUBDOWN_TODAY`` pins "today" (for demos and
tests that must not depend on the date they run).

Server mode (``rubdown serve --server`` or ``RUBDOWN_SERVER=1``) serves many people from one
PostgreSQL database named by ``RUBDOWN_DATABASE_URL``, with accounts (``services.accounts``):
each request's ``Runner`` is the logged-in runner's, and its processes never migrate the
schema on their own (``rubdown db upgrade`` does; ``store.upgrade``). Its imports are
jobs in a queue in the same database (``services.import_queue``, ``rubdown worker``), and
the originals they keep go where every process reads them: the database, or the folder
``RUBDOWN_ORIGINALS_DIR`` names (a share every machine mounts).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rubdown.domain.dates import out_of_range
from rubdown.domain.placement import Placement, PlacementProblem, Solver
from rubdown.domain.ports import Storage
from rubdown.errors import InvalidDate
from rubdown.knowledge import load_knowledge_base
from rubdown.services.runner import Runner
from rubdown.store.local import sqlite_url_for_home

if TYPE_CHECKING:
    from rubdown.domain.clinic.booking_rules import ClientRef
    from rubdown.domain.clinic.feeds import ClinicFeeds
    from rubdown.domain.clinic.shared_notes import SharedNotes
    from rubdown.domain.clinic.team import TeamData
    from rubdown.domain.consent import Consents
    from rubdown.queue.jobs import DatabaseImportQueue
    from rubdown.services.accounts import Accounts
    from rubdown.services.clinic.context import ClientRules, Clinic
    from rubdown.services.clinic.race_week import TeamWeek
    from rubdown.services.rights.tables import AccountTables
    from rubdown.store import Store
    from rubdown.store.upgrade import Upgrade

DEFAULT_OWNER = "default"


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    owner_id: str = DEFAULT_OWNER
    today: dt.date | None = None
    server: bool = False  # many people, accounts, PostgreSQL (see the module docstring)
    originals_dir: Path | None = None  # server mode: kept originals there, not in the database

    @classmethod
    def from_env(cls, home: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        chosen = home or (Path(env["RUBDOWN_HOME"]) if env.get("RUBDOWN_HOME") else None)
        if chosen is None:
            import platformdirs  # only here: a command given its home never pays for it

            chosen = Path(platformdirs.user_data_dir("rubdown", appauthor=False))
        chosen = chosen.expanduser().absolute()
        url = env.get("RUBDOWN_DATABASE_URL") or sqlite_url_for_home(chosen)
        today = None
        if env.get("RUBDOWN_TODAY"):
            text = env["RUBDOWN_TODAY"]
            try:
                today = dt.date.fromisoformat(text)
            except ValueError:
                raise InvalidDate(f"RUBDOWN_TODAY={text!r} is not a date (YYYY-MM-DD)") from None
            refusal = out_of_range(today, "RUBDOWN_TODAY")
            if refusal is not None:
                raise InvalidDate(refusal)
        server = env.get("RUBDOWN_SERVER", "").strip().lower() in ("1", "true", "yes", "on")
        shared = env.get("RUBDOWN_ORIGINALS_DIR")
        originals_dir = Path(shared).expanduser().absolute() if shared else None
        return cls(
            home=chosen,
            database_url=url,
            today=today,
            server=server,
            originals_dir=originals_dir,
        )

    @classmethod
    def in_sqlite_home(cls, home: Path, today: dt.date | None = None) -> Settings:
        """Everything in a SQLite file in ``home``, whatever the environment names: for the
        demo's throwaway home, which must never touch the runner's own database."""
        return cls(home=home, database_url=sqlite_url_for_home(home), today=today)


def server_mode_refusal(settings: Settings) -> str | None:
    """Why server mode cannot start on these settings: it needs PostgreSQL, as its processes
    share nothing but the database, and SQLite's file serves only one machine's processes."""
    if settings.server and settings.database_url.startswith("sqlite"):
        return (
            "server mode needs PostgreSQL: set RUBDOWN_DATABASE_URL=postgresql://USER@HOST/DB"
            " (a SQLite home serves one runner, in local mode: rubdown serve without --server)"
        )
    return None


def system_timezone() -> str:
    """The machine's IANA zone name, for a new runner's profile; UTC when it cannot be told."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            target = os.path.realpath("/etc/localtime")
            if "zoneinfo/" in target:
                name = target.split("zoneinfo/", 1)[1]
        except OSError:
            name = ""
    try:
        ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long to open
        return "UTC"
    return name or "UTC"


class _SolverOnFirstUse:
    """CP-SAT, imported when a plan is first made: OR-Tools takes most of a second and tens
    of megabytes to load, which commands that never plan (import, activities) should not pay,
    nor the import's worker processes, which load the command's module again. The web app's
    threads share one: two first uses at once may each make a solver, which is harmless, as a
    solver keeps nothing between solves."""

    def __init__(self) -> None:
        self._solver: Solver | None = None

    def solve(self, problem: PlacementProblem) -> Placement:
        if self._solver is None:
            from rubdown.solver.cpsat import CpSatSolver

            self._solver = CpSatSolver()
        return self._solver.solve(problem)


def clock_for(settings: Settings) -> Callable[[], dt.datetime]:
    """Now, or noon UTC of the pinned "today" (``RUBDOWN_TODAY``)."""
    if settings.today is not None:
        pinned = dt.datetime.combine(settings.today, dt.time(12), tzinfo=dt.UTC)
        return lambda: pinned
    return lambda: dt.datetime.now(dt.UTC)


def open_storage(settings: Settings) -> Storage:
    """The store for one command. A home's own SQLite file, already at this rubdown's schema
    and with nothing to repair, is read with the standard library's sqlite3 and written
    through the full store, opened on the first write (``store.sqlite_reader``): a command
    that only reads then never loads SQLAlchemy. Anything else (PostgreSQL, a database to
    create or migrate, loads to recompute) opens the full store at once, as always."""
    if settings.database_url == sqlite_url_for_home(settings.home):
        from rubdown.store.sqlite_reader import open_reader

        reader = open_reader(settings.home, settings.database_url, settings.owner_id)
        if reader is not None:
            return reader
    return open_store(settings.database_url)


def open_store(url: str, *, server: bool = False) -> Store:
    """The full store at ``url``, migrated (in server mode only checked, see the module
    docstring): SQLAlchemy loads here, when one is first opened."""
    from rubdown.store import open_store as open_migrated

    store = open_migrated(url, migrate_schema=not server)
    # A server's runners are made with their accounts (``services.accounts``): a request
    # for data that is no one's (a feed's placeholder runner, say) must not make one.
    store.creates_runners = not server
    return store


def upgrade_database(settings: Settings) -> Upgrade:
    """``rubdown db upgrade``: what it did (``store.upgrade.Upgrade``)."""
    from rubdown.store.connect import upgrade_store

    versions = upgrade_store(settings.database_url)
    if not settings.database_url.startswith("sqlite"):
        # The import queue's own tables (procrastinate's), applied once.
        from rubdown.queue.opening import open_engine
        from rubdown.queue.schema import ensure_queue_schema

        engine = open_engine(settings.database_url)
        try:
            ensure_queue_schema(engine)
        finally:
            engine.dispose()
    return versions


def share_originals(settings: Settings) -> Callable[[], None]:
    """Server mode: the originals this process keeps under ``home/raw`` go where every
    process reads them (``keeping.raw.share``), the shared folder if one is named, else the
    database. Returns what undoes it."""
    from rubdown.keeping import raw

    root = settings.home / "raw"
    if settings.originals_dir is not None:
        from rubdown.keeping.folder import FolderOriginals

        raw.share(root, FolderOriginals(settings.originals_dir))
        return lambda: raw.share(root, None)
    from rubdown.queue.opening import open_kept_originals

    kept = open_kept_originals(settings.database_url)
    raw.share(root, kept)

    def undo() -> None:
        raw.share(root, None)
        kept.close()

    return undo


def run_import_worker(
    settings: Settings,
    *,
    name: str,
    heartbeat_s: float,
    stalled_after_s: float,
    check_every_s: float,
    decoders: int | None = None,
    on_start: Callable[[], None] = lambda: None,
) -> None:
    """``rubdown worker``: do import jobs from the queue until stopped by a signal;
    ``on_start`` is called once the database is found ready for it."""
    from rubdown.errors import StoreError
    from rubdown.queue.opening import queue_conninfo
    from rubdown.queue.schema import has_queue_schema
    from rubdown.queue.tasks import WorkerContext
    from rubdown.queue.worker import WorkerTiming, run

    conninfo = queue_conninfo(settings.database_url)  # refuses anything but PostgreSQL
    services = SharedServices(replace(settings, server=True))
    try:
        jobs = services.import_queue()
        if not has_queue_schema(jobs.engine):
            raise StoreError("the database has no import queue yet: run rubdown db upgrade")
        context = WorkerContext(
            jobs=jobs,
            open_runner=services.app,
            clock=lambda: dt.datetime.now(dt.UTC),  # jobs are timed for real, never pinned
            decoders=decoders,
        )
        timing = WorkerTiming(heartbeat_s, stalled_after_s, check_every_s)
        on_start()
        run(conninfo, context, timing, name=name)
    finally:
        services.close()


def accounts_for(store: Store) -> Accounts:
    """The accounts use cases over ``store``'s database; Argon2 loads here. Sessions and
    logins are timed by the real clock, never the pinned "today" of demos and tests."""
    from rubdown.auth.passwords import Argon2Hashing
    from rubdown.services.accounts import Accounts
    from rubdown.store.account_rows import accounts_of

    return Accounts(accounts_of(store), Argon2Hashing(), lambda: dt.datetime.now(dt.UTC))


def account_tables(storage: Storage) -> AccountTables:
    """Every table's rows of one person at once, over the database behind ``storage``: what
    exporting, restoring and deleting an account need (``services.rights``)."""
    from rubdown.store.export_rows import AccountRows

    return AccountRows.over(storage)


def consents_for(store: Store) -> Consents:
    """The grants and the access log kept in ``store``'s database (``services.consent``)."""
    from rubdown.store.consent_rows import consents_for as stored_consents

    return stored_consents(store)


def clinic_for(store: Store, therapist_id: str, clock: Callable[[], dt.datetime]) -> Clinic:
    """One therapist's clinic kept in ``store``'s database, with the knowledge base and the
    intake screen (``services.clinic``)."""
    from rubdown.services.clinic.context import Clinic, load_screening
    from rubdown.store.clinic_rows import clinic_for as stored_clinic

    data = stored_clinic(store, therapist_id)
    return Clinic(data, load_knowledge_base(), load_screening(), clock)


@dataclass(frozen=True)
class TherapistClinic:
    """A therapist's clinic with their clients' rules: ``rules_for(client)`` is the rules
    engine's verdict function under that client's policy -- a managed client's from what the
    therapist entered, a runner's read through their grant (and logged in their access log as
    ``what``)."""

    clinic: Clinic
    rules_for: Callable[[ClientRef], ClientRules]


def therapist_clinic(
    store: Store, therapist_id: str, clock: Callable[[], dt.datetime], what: str
) -> TherapistClinic:
    """The clinic of ``therapist_id`` kept in ``store``'s database, for the CLI and the web
    alike. A runner is one of the therapist's clients only while their grant is active, read
    afresh on every question (a revoke holds at once)."""
    from rubdown.domain.clinic.booking_rules import ClientKind
    from rubdown.services.clinic.context import managed_client_rules, runner_client_rules, zone
    from rubdown.services.consent import client_runner

    consents = consents_for(store)
    clinic = replace(
        clinic_for(store, therapist_id, clock),
        shares=lambda runner_id: consents.active_grant(runner_id, therapist_id) is not None,
    )

    def rules_for(client: ClientRef) -> ClientRules:
        today = clock().astimezone(zone(clinic.data.therapist_rules().timezone)).date()
        if client.kind is ClientKind.MANAGED:
            return managed_client_rules(clinic, clinic.data.get_client(client.id), today)
        runner = client_runner(
            consents, therapist_id, client.id, what, lambda owner: runner_on(store, owner, clock)
        )
        return runner_client_rules(runner)

    return TherapistClinic(clinic, rules_for)


def clinic_feeds_for(store: Store) -> ClinicFeeds:
    """Every therapist's booking feeds kept in ``store``'s database (``services.clinic.feeds``)."""
    from rubdown.store.clinic_feed_rows import StoredClinicFeeds

    return StoredClinicFeeds(store)


def shared_notes_for(store: Store) -> SharedNotes:
    """The notes therapists share with their runner clients (``routes_my_notes``)."""
    from rubdown.store.shared_notes_rows import StoredSharedNotes

    return StoredSharedNotes(store)


def team_data(store: Store, therapist_id: str) -> TeamData:
    """A therapist's race-week team and their clients' liked times (``domain.clinic.team``)."""
    from rubdown.store.team_rows import team_for

    return team_for(store, therapist_id)


def team_week(
    store: Store, therapist_id: str, clock: Callable[[], dt.datetime], what: str
) -> TeamWeek:
    """What a therapist's race week reads (``services.clinic.race_week``): their clinic and
    team, each accepted member's rules and bookings, and their runner clients through the
    grants (each read logged in the runner's access log as ``what``)."""
    from rubdown.services.clinic.race_week import TeamWeek
    from rubdown.services.consent import client_runner
    from rubdown.store.clinic_rows import clinic_for as stored_clinic

    opened = therapist_clinic(store, therapist_id, clock, what)
    consents = consents_for(store)
    return TeamWeek(
        clinic=opened.clinic,
        team=team_data(store, therapist_id),
        clinic_of=lambda member_id: stored_clinic(store, member_id),
        grants=lambda: consents.active_grants_to(therapist_id),
        runner=lambda runner_id: client_runner(
            consents, therapist_id, runner_id, what, lambda owner: runner_on(store, owner, clock)
        ),
        rules_for=opened.rules_for,
    )


def runner_on(store: Store, owner_id: str, clock: Callable[[], dt.datetime]) -> Runner:
    """A runner's use cases over a store someone else keeps open (a therapist's command
    reading a client through their grant): closing it leaves the store open."""
    kb = load_knowledge_base()
    return Runner(store, kb, _SolverOnFirstUse(), owner_id, clock, owns_store=False)


def build_app(settings: Settings) -> Runner:
    """A runner with a store of its own, closed with it: for one command."""
    return Runner(
        store=open_storage(settings),
        kb=load_knowledge_base(),
        solver=_SolverOnFirstUse(),
        owner_id=settings.owner_id,
        clock=clock_for(settings),
        default_timezone=system_timezone(),
        home=settings.home,
    )


class SharedServices:
    """What a long-running process (``rubdown serve``) opens once and every request shares:
    the store (one SQLAlchemy engine, so one connection pool, migrated once), the knowledge
    base, the solver, the clock and the machine's time zone. ``app()`` wraps them in a
    ``Runner`` for one request at almost no cost; closing that runner leaves the store
    open, and ``close()`` closes it when the process stops.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        url = settings.database_url
        self.store = open_store(url, server=True) if settings.server else open_store(url)
        try:
            if not settings.server:  # in server mode each runner is made with their account
                self.store.ensure_runner(settings.owner_id)
            self.accounts = accounts_for(self.store) if settings.server else None
        except BaseException:
            self.store.close()
            raise
        self.kb = load_knowledge_base()
        self.solver = _SolverOnFirstUse()
        self.clock = clock_for(settings)
        self.default_timezone = system_timezone()
        self._import_queue: DatabaseImportQueue | None = None
        self._opening_queue = threading.Lock()
        self._unshare = share_originals(settings) if settings.server else None

    def import_queue(self) -> DatabaseImportQueue:
        """Server mode: the import jobs in the database (``services.import_queue``)."""
        with self._opening_queue:
            if self._import_queue is None:
                from rubdown.queue.opening import open_import_queue

                self._import_queue = open_import_queue(self.settings.database_url)
            return self._import_queue

    def app(self, owner_id: str | None = None) -> Runner:
        """A runner for one request: the local runner's, or in server mode ``owner_id``'s."""
        return Runner(
            store=self.store,
            kb=self.kb,
            solver=self.solver,
            owner_id=owner_id or self.settings.owner_id,
            clock=self.clock,
            default_timezone=self.default_timezone,
            home=self.settings.home,
            owns_store=False,
        )

    def close(self) -> None:
        if self._import_queue is not None:
            self._import_queue.close()
        if self._unshare is not None:
            self._unshare()
        self.store.close()


@dataclass(frozen=True)
class TherapistDatabase:
    """A therapist's command on the database: who they are, and their clinic or race week."""

    store: Store
    therapist_id: str
    clock: Callable[[], dt.datetime]

    def clinic(self, what: str) -> TherapistClinic:
        return therapist_clinic(self.store, self.therapist_id, self.clock, what)

    def team_week(self, what: str) -> TeamWeek:
        return team_week(self.store, self.therapist_id, self.clock, what)

    def consents(self) -> Consents:
        return consents_for(self.store)


@contextmanager
def therapist_database(
    settings: Settings, email: str, database_url: str | None = None
) -> Iterator[TherapistDatabase]:
    """The database ``database_url`` names (else the settings') opened for the therapist whose
    account has ``email``; ``NotFound`` for an address that is no therapist's. Closed after."""
    from rubdown.errors import NotFound

    url = database_url or settings.database_url
    store = open_store(url, server=not url.startswith("sqlite"))
    try:
        therapist_id = consents_for(store).therapist_for_email(email)
        if therapist_id is None:
            raise NotFound("no therapist account with that e-mail address")
        yield TherapistDatabase(store, therapist_id, clock_for(settings))
    finally:
        store.close()
