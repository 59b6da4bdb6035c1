"""The tables as the store queries them: the schema at the latest migration.

Migrations build the database; this module only describes the result for SQLAlchemy Core.
A migration that changes a table changes its description here too, and the integration
tests check that a freshly migrated database matches this file column for column.

Every row that belongs to a person carries ``owner_id``: a multi-user server is coming, and
each query filters on it. IDs are text (uuid4 hex made in Python, or the owner's own ID).
Days are SQL DATE (ISO text on SQLite), times of day SQL TIME, lists JSON text.
"""

from __future__ import annotations

import sqlalchemy as sa

from rubdown.store.columns import JsonList, UtcDateTime

# Stable constraint names on both databases, so a later migration can drop or alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def _owner() -> sa.Column[str]:
    return sa.Column(
        "owner_id", sa.Text, sa.ForeignKey("runners.id", ondelete="CASCADE"), nullable=False
    )


runners = sa.Table(
    "runners",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    # Moved on by every write of the runner's data, in that write's transaction (migration
    # 5): one query tells a cache whether anything of the runner's changed since it looked.
    sa.Column("data_version", sa.BigInteger, nullable=False, server_default=sa.text("0")),
    # Moved on by every stored file that changed activities or wellness, and set back to 0
    # by the load refresh that saw it (migration 9): non-zero means loads and kinds may be
    # stale, e.g. after an import killed before its refresh, and are to be recomputed.
    sa.Column("loads_pending", sa.BigInteger, nullable=False, server_default=sa.text("0")),
)

profiles = sa.Table(
    "profiles",
    metadata,
    sa.Column(
        "owner_id", sa.Text, sa.ForeignKey("runners.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("policy", sa.Text, nullable=False),
    sa.Column("frequency", sa.Text, nullable=False),
    sa.Column("budget_per_month", sa.Double, nullable=False),
    sa.Column("session_price", sa.Double, nullable=False),
    sa.Column("owns", JsonList, nullable=False),
    sa.Column("conditions", JsonList, nullable=False),
    sa.Column("desk_job", sa.Boolean, nullable=False),
    sa.Column("timezone", sa.Text, nullable=False),
    sa.Column("session_time", sa.Time, nullable=False),
    sa.Column("session_minutes", sa.Integer, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # The load model's values the runner gave (migration 3); NULL: estimate from the data.
    sa.Column("max_hr_bpm", sa.Double),
    sa.Column("resting_hr_bpm", sa.Double),
    sa.Column("threshold_hr_bpm", sa.Double),
    sa.Column("threshold_pace_s_per_km", sa.Double),
    sa.Column("sex", sa.Text),
    # Prices of the other kinds and the runner's units (migration 8).
    sa.Column("sports_price", sa.Double, nullable=False, server_default=sa.text("70")),
    sa.Column("flush_price", sa.Double, nullable=False, server_default=sa.text("45")),
    sa.Column("post_event_price", sa.Double, nullable=False, server_default=sa.text("45")),
    sa.Column("units", sa.Text, nullable=False, server_default=sa.text("'km'")),
)

races = sa.Table(
    "races",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _owner(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("priority", sa.Text, nullable=False),
    sa.Column("distance_km", sa.Double),
    sa.Column("start_time", sa.Time),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("source_uid", sa.Text),
    sa.Column("created_at", UtcDateTime, nullable=False),
    # The iCalendar SEQUENCE of the race's event (migration 7): moved on by every change of
    # what a calendar shows of the race, so clients that have the event update it.
    sa.Column("sequence", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.UniqueConstraint("owner_id", "source_uid"),
    sa.Index(None, "owner_id", "day"),
)

workouts = sa.Table(
    "workouts",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _owner(),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("duration_min", sa.Double),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("source_uid", sa.Text),
    sa.Column("created_at", UtcDateTime, nullable=False),
    # The weekly pattern that made the workout (migration 8), so it goes with its pattern.
    sa.Column("pattern_id", sa.Text),
    sa.UniqueConstraint("owner_id", "source_uid"),
    sa.Index(None, "owner_id", "day"),
)

workout_patterns = sa.Table(
    "workout_patterns",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _owner(),
    sa.Column("first_day", sa.Date, nullable=False),
    sa.Column("last_day", sa.Date, nullable=False),
    sa.Column("spec", sa.Text, nullable=False),
    sa.Column("recovery_every", sa.Integer),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index(None, "owner_id"),
)

recovery_weeks = sa.Table(
    "recovery_weeks",
    metadata,
    _owner(),
    sa.Column("first_day", sa.Date, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.PrimaryKeyConstraint("owner_id", "first_day"),
)

massage_sessions = sa.Table(
    "massage_sessions",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _owner(),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("regions", JsonList, nullable=False),
    sa.Column("price", sa.Double, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index(None, "owner_id", "day"),
)

checkins = sa.Table(
    "checkins",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _owner(),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    # intervals.icu's 1-4 scales, 1 is best (migration 3).
    sa.Column(
        "fatigue", sa.Integer, sa.CheckConstraint("fatigue BETWEEN 1 AND 4", name="fatigue_range")
    ),
    sa.Column("sleep", sa.Integer, sa.CheckConstraint("sleep BETWEEN 1 AND 4", name="sleep_range")),
    # Lets checkin_regions reference (id, owner_id): a region row cannot change hands.
    sa.UniqueConstraint("id", "owner_id"),
    # One check-in a day: a later one replaces it (migration 3; it was a plain index before).
    sa.Index("uq_checkins_owner_id_day", "owner_id", "day", unique=True),
)

checkin_regions = sa.Table(
    "checkin_regions",
    metadata,
    sa.Column("checkin_id", sa.Text, primary_key=True),
    _owner(),
    sa.Column("region", sa.Text, primary_key=True),
    sa.Column("soreness", sa.Integer),
    sa.Column("pain", sa.Text),
    sa.ForeignKeyConstraint(
        ["checkin_id", "owner_id"], ["checkins.id", "checkins.owner_id"], ondelete="CASCADE"
    ),
    sa.CheckConstraint("soreness IS NULL OR soreness BETWEEN 0 AND 10", name="soreness_range"),
    sa.CheckConstraint("soreness IS NOT NULL OR pain IS NOT NULL", name="says_something"),
)

checkin_signs = sa.Table(
    "checkin_signs",
    metadata,
    sa.Column("checkin_id", sa.Text, primary_key=True),
    _owner(),
    sa.Column("region", sa.Text, primary_key=True),
    sa.Column("sign", sa.Text, primary_key=True),
    sa.ForeignKeyConstraint(
        ["checkin_id", "owner_id"], ["checkins.id", "checkins.owner_id"], ondelete="CASCADE"
    ),
)

planned_sessions = sa.Table(
    "planned_sessions",
    metadata,
    _owner(),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("regions", JsonList, nullable=False),
    sa.Column("price", sa.Double, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("rules", JsonList, nullable=False),
    sa.Column("start_time", sa.Time),
    sa.Column("duration_min", sa.Integer, nullable=False),
    sa.Column("sequence", sa.Integer, nullable=False),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # The runner moved the session to its day; every re-plan keeps it there (migration 7).
    sa.Column("pinned", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.PrimaryKeyConstraint("owner_id", "key"),
)

# -- what the runner did (migration 2) -------------------------------------------------------

activities = sa.Table(
    "activities",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _owner(),
    sa.Column("sport", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("start_utc", UtcDateTime, nullable=False),
    sa.Column("utc_offset_s", sa.Integer),
    sa.Column("local_day", sa.Date, nullable=False),  # the runner's day, decided at import
    sa.Column("duration_s", sa.Double, nullable=False),
    sa.Column("moving_s", sa.Double),
    sa.Column("distance_m", sa.Double),
    sa.Column("elevation_gain_m", sa.Double),
    sa.Column("avg_hr_bpm", sa.Double),
    sa.Column("max_hr_bpm", sa.Double),
    sa.Column("laps", sa.Text, nullable=False),  # JSON list of objects
    sa.Column("records", sa.Integer, nullable=False),
    sa.Column("partial", sa.Boolean, nullable=False),
    sa.Column("richness", sa.Integer, nullable=False),  # which source the fields came from
    sa.Column("load", sa.Double),
    sa.Column("load_method", sa.Text, nullable=False),
    sa.Column("load_basis", sa.Text),  # JSON: what a load is recomputed from
    sa.Column("kind", sa.Text, nullable=False),  # easy, long, tempo (hard by load) ...
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    # A run logged by hand (migration 3): its CR-10 RPE, which the load is recomputed from,
    # and the kind the runner gave it ("" if none: then the load decides, as for imports).
    # ``manual_kind`` is NULL for every imported activity.
    sa.Column("rpe", sa.Double, sa.CheckConstraint("rpe BETWEEN 0 AND 10", name="rpe_range")),
    sa.Column("manual_kind", sa.Text),
    sa.Index(None, "owner_id", "start_utc"),
    sa.Index(None, "owner_id", "local_day"),
)

activity_streams = sa.Table(
    "activity_streams",
    metadata,
    sa.Column(
        "activity_id",
        sa.Text,
        sa.ForeignKey("activities.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    _owner(),
    sa.Column("samples", sa.Integer, nullable=False),
    sa.Column("encoding", sa.Text, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

activity_sources = sa.Table(
    "activity_sources",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _owner(),
    sa.Column(
        "activity_id",
        sa.Text,
        sa.ForeignKey("activities.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("format", sa.Text, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False),  # the raw file, kept content-addressed
    sa.Column("shown", sa.Text, nullable=False),  # the path as given, archive!member
    sa.Column("source_ref", sa.Text, nullable=False),  # "" or the source's own id
    sa.Column("imported_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("owner_id", "activity_id", "sha256", "source_ref"),
    sa.Index(None, "activity_id"),
)

imported_files = sa.Table(
    "imported_files",
    metadata,
    _owner(),
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("format", sa.Text, nullable=False),
    sa.Column("shown", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("activities", sa.Integer, nullable=False),
    sa.Column("records", sa.Integer, nullable=False),
    sa.Column("error", sa.Text),
    sa.Column("export", sa.Text, nullable=False),  # strava, garmin, apple-health or ""
    sa.Column("container", sa.Text, nullable=False),  # the export's root as shown
    sa.Column("inner", sa.Text, nullable=False),  # the path inside that export
    sa.Column("imported_at", UtcDateTime, nullable=False),
    sa.PrimaryKeyConstraint("owner_id", "sha256"),
)

wellness = sa.Table(
    "wellness",
    metadata,
    _owner(),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("resting_hr_bpm", sa.Double),
    sa.Column("hrv_ms", sa.Double),
    sa.Column("sleep_s", sa.Double),
    sa.Column("sleep_score", sa.Double),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.PrimaryKeyConstraint("owner_id", "day", "source"),
)

# -- how the runner is doing (migration 3) ---------------------------------------------------

injuries = sa.Table(
    "injuries",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _owner(),
    sa.Column("region", sa.Text, nullable=False),
    sa.Column("condition", sa.Text, nullable=False),
    sa.Column("start", sa.Date, nullable=False),
    sa.Column("end", sa.Date),  # NULL while the episode is open
    sa.Column("helped", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.CheckConstraint('"end" IS NULL OR "end" >= start', name="ends_after_start"),
    sa.Index(None, "owner_id", "start"),
)

routine_logs = sa.Table(
    "routine_logs",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _owner(),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("when", sa.Text, nullable=False),  # pre-run, post-run, rest-day, desk
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("steps_done", sa.Integer, nullable=False),
    sa.Column("steps_skipped", sa.Integer, nullable=False),
    sa.Column("seconds", sa.Double, nullable=False),
    sa.Column("completed", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index(None, "owner_id", "day"),
)

# -- the calendar subscription (migration 4) -------------------------------------------------

# One feed secret per runner. Only its SHA-256 is kept: the URL is a bearer secret, and a copy
# of the database must not be enough to read anyone's calendar.
feed_secrets = sa.Table(
    "feed_secrets",
    metadata,
    sa.Column(
        "owner_id", sa.Text, sa.ForeignKey("runners.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("secret_hash", sa.Text, nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
)

# -- the therapist's weekly hours (migration 6) ----------------------------------------------

# When the runner's therapist takes appointments; the planner books only inside these. Times
# are minutes after local midnight, 1440 being the midnight that ends the day.
therapist_hours = sa.Table(
    "therapist_hours",
    metadata,
    _owner(),
    sa.Column("weekday", sa.Integer, nullable=False),
    sa.Column("start_minute", sa.Integer, nullable=False),
    sa.Column("end_minute", sa.Integer, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.PrimaryKeyConstraint("owner_id", "weekday", "start_minute"),
    sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
    sa.CheckConstraint(
        "start_minute >= 0 AND end_minute > start_minute AND end_minute <= 1440",
        name="minutes_range",
    ),
)

# -- accounts for server mode (migration 10) -------------------------------------------------

# A person who logs in. A runner user's id is also their ``runners.id`` (their data's owner);
# a therapist or an admin owns no runner data. Ids are random (``secrets.token_urlsafe``),
# e-mail addresses stored lower-cased, passwords only as Argon2id hashes.
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("email", sa.Text, nullable=False, unique=True),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("disabled_at", UtcDateTime),
    sa.CheckConstraint("role IN ('runner', 'therapist', 'admin')", name="role_known"),
)

# A login: only the SHA-256 of the cookie's token is kept. Every request reads its row, so a
# logout through one server process holds in all of them; the CSRF token lives here too.
user_sessions = sa.Table(
    "user_sessions",
    metadata,
    sa.Column("token_hash", sa.Text, primary_key=True),
    sa.Column("user_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("csrf_token", sa.Text, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),  # the absolute end
    sa.Column("last_seen_at", UtcDateTime, nullable=False),  # for the idle end
    sa.Column("revoked_at", UtcDateTime),
    sa.Column("address", sa.Text),
    sa.Index(None, "user_id"),
)

# A single-use link that lets its holder set a password and become a user.
invitations = sa.Table(
    "invitations",
    metadata,
    sa.Column("token_hash", sa.Text, primary_key=True),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text, sa.ForeignKey("users.id", ondelete="SET NULL")),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("used_at", UtcDateTime),
    sa.CheckConstraint("role IN ('runner', 'therapist', 'admin')", name="role_known"),
)

# Every login attempt, for the limits per account and per address.
login_attempts = sa.Table(
    "login_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("address", sa.Text),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Index(None, "email", "at"),
    sa.Index(None, "address", "at"),
)

# -- consent: grants and the access log (migration 11) ---------------------------------------

# A runner's consent that a therapist reads some levels of their data. Revoking keeps the
# row (the access log names it); at most one active grant per runner and therapist.
grants = sa.Table(
    "grants",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column(
        "runner_id", sa.Text, sa.ForeignKey("runners.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column(
        "therapist_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("calendar", sa.Boolean, nullable=False),
    sa.Column("wellness", sa.Boolean, nullable=False),
    sa.Column("training", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("revoked_at", UtcDateTime),
    # Partial: unique among the active grants only (WHERE revoked_at IS NULL), on PostgreSQL
    # too, as migration 11 made it. Only SQLite's spelling is given here: the PostgreSQL one
    # would load SQLAlchemy's PostgreSQL dialect in every process that opens a SQLite home
    # (0.02 s of CPU), and these tables are never created from this module.
    sa.Index(
        "uq_grants_active_runner_id_therapist_id",
        "runner_id",
        "therapist_id",
        unique=True,
        sqlite_where=sa.text("revoked_at IS NULL"),
    ),
    sa.Index(None, "therapist_id"),
)

# One row per request and level in which someone other than the runner read their data.
access_log = sa.Table(
    "access_log",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column(
        "runner_id", sa.Text, sa.ForeignKey("runners.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("viewer_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("grant_id", sa.Text, sa.ForeignKey("grants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("level", sa.Text, nullable=False),
    sa.Column("what", sa.Text, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.CheckConstraint("level IN ('calendar', 'wellness', 'training')", name="level_known"),
    sa.Index(None, "runner_id", "at"),
)

# -- a server's import jobs and kept originals (migration 12) ---------------------------------

# An import job of a server: queued by whichever process took the upload, done by a
# ``rubdown worker``, read by any process (``services.import_queue``).
import_jobs = sa.Table(
    "import_jobs",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _owner(),
    sa.Column("state", sa.Text, nullable=False),  # running, done, failed
    sa.Column("phase", sa.Text, nullable=False),  # waiting, counting, importing, done
    sa.Column("salvage", sa.Boolean, nullable=False),
    sa.Column("uploads", sa.Text, nullable=False),  # JSON: the client's names and suffixes
    sa.Column("uploaded_files", sa.Integer, nullable=False),
    sa.Column("files_done", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("files_total", sa.Integer),
    sa.Column("current_file", sa.Text),
    sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("report", sa.Text),  # JSON, as POST /api/import answers
    sa.Column("error", sa.Text),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("importing_since", UtcDateTime),
    sa.Column("finished_at", UtcDateTime),
    sa.Index(None, "owner_id", "created_at"),
)

# A job's uploaded bytes, a few MiB a row; removed when the job ends.
import_upload_chunks = sa.Table(
    "import_upload_chunks",
    metadata,
    sa.Column(
        "job_id", sa.Text, sa.ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("file_no", sa.Integer, primary_key=True),
    sa.Column("chunk_no", sa.Integer, primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

# Original files kept by content, for every process of a server (``keeping.database``):
# not a person's rows themselves, but read through the imports that name them.
kept_originals = sa.Table(
    "kept_originals",
    metadata,
    sa.Column("sha256", sa.Text, primary_key=True),
    sa.Column("compressed", sa.Boolean, nullable=False),
    sa.Column("stored_bytes", sa.BigInteger, nullable=False),
    sa.Column("kept_at", UtcDateTime, nullable=False),
)

kept_original_chunks = sa.Table(
    "kept_original_chunks",
    metadata,
    sa.Column(
        "sha256",
        sa.Text,
        sa.ForeignKey("kept_originals.sha256", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("chunk_no", sa.Integer, primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

# -- a therapist's clinic (migration 13) --------------------------------------------------------
#
# Every row carries the therapist it belongs to (an account's user ID); a client is a runner
# (``client_kind`` 'runner', their runner ID) or one the therapist entered ('managed', a
# ``clinic_clients`` ID). Notes and their amendments are append-only: triggers refuse UPDATEs.


def _therapist() -> sa.Column[str]:
    return sa.Column(
        "therapist_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )


def _client_columns() -> tuple[sa.Column[str], sa.Column[str]]:
    return sa.Column("client_kind", sa.Text, nullable=False), sa.Column(
        "client_id", sa.Text, nullable=False
    )


_CLIENT_KIND = "client_kind IN ('runner', 'managed')"

clinic_clients = sa.Table(
    "clinic_clients",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _therapist(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("policy", sa.Text, nullable=False),
    sa.Column("conditions", JsonList, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index(None, "therapist_id"),
)

clinic_client_races = sa.Table(
    "clinic_client_races",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _therapist(),
    sa.Column(
        "client_id", sa.Text, sa.ForeignKey("clinic_clients.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("priority", sa.Text, nullable=False),
    sa.Column("distance_km", sa.Double),
    sa.Index(None, "client_id"),
)

clinic_services = sa.Table(
    "clinic_services",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _therapist(),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("length_min", sa.Integer, nullable=False),
    sa.Column("price", sa.Double, nullable=False),
    sa.Column("buffer_min", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index(None, "therapist_id"),
)

clinic_rules = sa.Table(
    "clinic_rules",
    metadata,
    sa.Column(
        "therapist_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("timezone", sa.Text, nullable=False),
    sa.Column("hours", JsonList, nullable=False),
    sa.Column("days_off", JsonList, nullable=False),
    sa.Column("min_notice_h", sa.Integer, nullable=False),
    sa.Column("max_hands_on_h_per_day", sa.Double, nullable=False),
    sa.Column("max_sessions_per_week", sa.Integer),
    sa.Column("buffer_min", sa.Integer, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

clinic_bookings = sa.Table(
    "clinic_bookings",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _therapist(),
    *_client_columns(),
    sa.Column("service_id", sa.Text, sa.ForeignKey("clinic_services.id"), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("start_at", UtcDateTime, nullable=False),
    sa.Column("length_min", sa.Integer, nullable=False),
    sa.Column("buffer_min", sa.Integer, nullable=False),
    sa.Column("price", sa.Double, nullable=False),
    sa.Column("regions", JsonList, nullable=False),
    sa.Column("booked_by", sa.Text, nullable=False),
    sa.Column("booked_at", UtcDateTime, nullable=False),
    sa.Column("override_reason", sa.Text),
    sa.Column("overridden_by", sa.Text),
    sa.Column("overridden_at", UtcDateTime),
    sa.Column("override_refused", JsonList),
    sa.Column("cancel_reason", sa.Text),
    sa.Column("cancelled_by", sa.Text),
    sa.Column("cancelled_at", UtcDateTime),
    sa.CheckConstraint(_CLIENT_KIND, name="client_kind_known"),
    sa.Index(None, "therapist_id", "start_at"),
    sa.Index(None, "therapist_id", "client_kind", "client_id"),
)

clinic_waitlist = sa.Table(
    "clinic_waitlist",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _therapist(),
    *_client_columns(),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("service_id", sa.Text, sa.ForeignKey("clinic_services.id"), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("added_at", UtcDateTime, nullable=False),
    sa.CheckConstraint(_CLIENT_KIND, name="client_kind_known"),
    sa.Index(None, "therapist_id", "day", "added_at"),
)

clinic_intakes = sa.Table(
    "clinic_intakes",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _therapist(),
    *_client_columns(),
    sa.Column("signed_name", sa.Text, nullable=False),
    sa.Column("signed_at", UtcDateTime, nullable=False),
    sa.Column("consent", sa.Boolean, nullable=False),
    sa.Column("health_history", sa.Text, nullable=False),
    sa.CheckConstraint(_CLIENT_KIND, name="client_kind_known"),
    sa.Index(None, "therapist_id", "client_kind", "client_id", "signed_at"),
)

clinic_intake_answers = sa.Table(
    "clinic_intake_answers",
    metadata,
    sa.Column(
        "intake_id",
        sa.Text,
        sa.ForeignKey("clinic_intakes.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("question_id", sa.Text, primary_key=True),
    _therapist(),
    sa.Column("yes", sa.Boolean, nullable=False),
    sa.Column("regions", JsonList, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
)

clinic_notes = sa.Table(
    "clinic_notes",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _therapist(),
    sa.Column(
        "booking_id",
        sa.Text,
        sa.ForeignKey("clinic_bookings.id", ondelete="CASCADE"),
        nullable=False,
    ),
    *_client_columns(),
    sa.Column("author_id", sa.Text, nullable=False),
    sa.Column("written_at", UtcDateTime, nullable=False),
    sa.Column("body", sa.Text, nullable=False),  # JSON: the SOAP fields and region notes
    sa.CheckConstraint(_CLIENT_KIND, name="client_kind_known"),
    sa.Index(None, "therapist_id", "booking_id"),
    sa.Index(None, "therapist_id", "client_kind", "client_id"),
)

clinic_note_amendments = sa.Table(
    "clinic_note_amendments",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _therapist(),
    sa.Column(
        "note_id", sa.Text, sa.ForeignKey("clinic_notes.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("author_id", sa.Text, nullable=False),
    sa.Column("written_at", UtcDateTime, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Index(None, "note_id", "written_at"),
)

clinic_note_sharing = sa.Table(
    "clinic_note_sharing",
    metadata,
    _therapist(),
    *_client_columns(),
    sa.Column("allowed", sa.Boolean, nullable=False),
    sa.Column("changed_at", UtcDateTime, nullable=False),
    sa.PrimaryKeyConstraint("therapist_id", "client_kind", "client_id"),
    sa.CheckConstraint(_CLIENT_KIND, name="client_kind_known"),
)

# -- a therapist's race-week team, and their clients' liked times (migration 14) ----------------

clinic_team_members = sa.Table(
    "clinic_team_members",
    metadata,
    sa.Column("lead_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("member_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("invited_at", UtcDateTime, nullable=False),
    sa.Column("accepted_at", UtcDateTime),
    sa.PrimaryKeyConstraint("lead_id", "member_id"),
    sa.CheckConstraint("lead_id <> member_id", name="not_self"),
    sa.Index(None, "member_id"),
)

clinic_client_preferences = sa.Table(
    "clinic_client_preferences",
    metadata,
    _therapist(),
    *_client_columns(),
    sa.Column("preferences", JsonList, nullable=False),
    sa.Column("changed_at", UtcDateTime, nullable=False),
    sa.PrimaryKeyConstraint("therapist_id", "client_kind", "client_id"),
    sa.CheckConstraint(_CLIENT_KIND, name="client_kind_known"),
)

# -- a therapist's booking feeds (migration 15) ----------------------------------------------

# One secret URL per therapist and view ("full" names clients, "busy" only blocks the time);
# only the SHA-256 of the secret is kept. Migration 15 also adds the triggers that move a
# runner client's data version when a booking of theirs is written.
clinic_feed_secrets = sa.Table(
    "clinic_feed_secrets",
    metadata,
    sa.Column(
        "therapist_id", sa.Text, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("view", sa.Text, primary_key=True),
    sa.Column("secret_hash", sa.Text, nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.CheckConstraint("view IN ('full', 'busy')", name="view_known"),
)
