"""Whose each row is: every table of ``schema.metadata`` declared once, for data rights.

Exporting everything of a runner, restoring it into another home and deleting an account all
walk this map, never a list of their own, so a new table cannot be forgotten by one of them:
``tests/unit/test_ownership_map.py`` fails for a table of the metadata that is not here.

A table is one of
- ``Owned``: its rows name their person in an owner column (``owner_id`` for a runner's data,
  ``user_id`` for an account's); a row with two people (a grant: a runner and a therapist)
  lists both columns and is theirs each, so deleting either account removes it;
- ``Child``: its rows carry no owner, but a foreign key to a parent table's row, whose owner
  they share;
- ``ByEmail``: its rows name the person by the e-mail address of their account (a login
  attempt, an invitation), which is looked up in ``users`` by their id;
- ``NotPersonal``: nobody's (the schema version).

``restored`` says whether a restore puts the rows back: a runner's data is; records about the
account on a server (its login, its grants) are exported for the runner to read but belong
to that server, so they are never written into another home. ``withheld`` columns are
credentials and never leave the database (a password hash, a session token's hash); a table
whose every column would be withheld is not exported at all (``exported=False``).

``originals`` names the columns that hold the SHA-256 of a kept original file: the export
carries those files, and deleting an account removes each one no other runner still names.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from rubdown.store import schema

# The schema version table lives outside ``schema.metadata`` (``store.migrations``).
VERSION_TABLE = "rubdown_schema"


@dataclass(frozen=True)
class ClientRef:
    """A row that names a person as a client when ``kind_column`` is ``kind``: a therapist's
    booking of a runner names the runner's id in ``id_column`` with the kind "runner"."""

    kind_column: str
    kind: str
    id_column: str


@dataclass(frozen=True)
class Child:
    parent: str
    columns: tuple[str, ...]  # the foreign key, in the order of ``parent_columns``
    parent_columns: tuple[str, ...]
    restored: bool = True
    exported: bool = True
    withheld: tuple[str, ...] = ()
    originals: tuple[str, ...] = ()


@dataclass(frozen=True)
class Owned:
    """Rows whose owner columns name the person; also (``clients``) rows naming them as a
    client, and (``parents``) rows under a parent row that is theirs."""

    columns: tuple[str, ...]
    restored: bool = True
    exported: bool = True
    withheld: tuple[str, ...] = ()
    originals: tuple[str, ...] = ()
    clients: tuple[ClientRef, ...] = ()
    parents: tuple[Child, ...] = ()


@dataclass(frozen=True)
class ByEmail:
    """Rows that name the person by the e-mail address of their account (``users.email``)."""

    columns: tuple[str, ...]
    restored: bool = False
    exported: bool = True
    withheld: tuple[str, ...] = ()
    originals: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotPersonal:
    why: str
    restored: bool = False
    exported: bool = False
    withheld: tuple[str, ...] = ()
    originals: tuple[str, ...] = ()


Ownership = Owned | Child | ByEmail | NotPersonal

_RUNNER = ("owner_id",)
_THERAPIST = ("therapist_id",)
_RUNNER_CLIENT = ClientRef("client_kind", "runner", "client_id")

OWNERSHIP: dict[str, Ownership] = {
    # The runner's own row: its name, when it was made, the version caches read.
    "runners": Owned(("id",)),
    "profiles": Owned(_RUNNER),
    "races": Owned(_RUNNER),
    "workouts": Owned(_RUNNER),
    "workout_patterns": Owned(_RUNNER),
    "recovery_weeks": Owned(_RUNNER),
    "massage_sessions": Owned(_RUNNER),
    "checkins": Owned(_RUNNER),
    # Regions and signs carry the owner beside their check-in's key (one foreign key over
    # both), so they are owned directly rather than through their check-in.
    "checkin_regions": Owned(_RUNNER),
    "checkin_signs": Owned(_RUNNER),
    "planned_sessions": Owned(_RUNNER),
    "activities": Owned(_RUNNER),
    "activity_streams": Owned(_RUNNER),
    "activity_sources": Owned(_RUNNER, originals=("sha256",)),
    "imported_files": Owned(_RUNNER, originals=("sha256",)),
    "wellness": Owned(_RUNNER),
    "injuries": Owned(_RUNNER),
    "routine_logs": Owned(_RUNNER),
    # Only the SHA-256 of the calendar feed's secret is stored, and a hash does not give the
    # URL back: exporting it lets a restored home answer the runner's subscribed calendars
    # at the URL they already use, and reveals nothing a copy of the database would not.
    "feed_secrets": Owned(_RUNNER),
    "therapist_hours": Owned(_RUNNER),
    # -- an account on a server: exported for the runner to read, never restored ---------------
    # A restore writes into another home, where this server's logins and people mean nothing.
    "users": Owned(("id",), restored=False, withheld=("password_hash",)),
    # Every column of a session is a credential or only about one (its token's hash, its
    # CSRF token): not exported at all, and deleted with the account.
    "user_sessions": Owned(("user_id",), restored=False, exported=False),
    # Invitations sent to the person's address (an admin's own invitations to others are the
    # invitees', and lose their author when the admin goes: ``ON DELETE SET NULL``).
    "invitations": ByEmail(("email",), withheld=("token_hash",)),
    "login_attempts": ByEmail(("email",)),
    # Consent is both people's: a grant and each read it allowed go with either account.
    "grants": Owned(("runner_id", "therapist_id"), restored=False),
    "access_log": Owned(("runner_id", "viewer_id"), restored=False),
    # -- a server's import jobs ----------------------------------------------------------------
    # What a job did is exported; a restore leaves it out, as a job of another server.
    "import_jobs": Owned(_RUNNER, restored=False),
    # A job's uploaded bytes, kept until it ends: what it imported is in the originals.
    "import_upload_chunks": Child(
        "import_jobs", ("job_id",), ("id",), restored=False, exported=False
    ),
    # -- a therapist's clinic --------------------------------------------------------------------
    # The therapist's records of their clients (an account's, like a grant): exported for the
    # therapist to read, deleted with the account, never restored into another home. A record
    # of a runner client (a booking, an intake, a note) is the runner's too, as a grant is:
    # it goes when either account does, and is in both people's exports.
    **{
        name: Owned(_THERAPIST, restored=False)
        for name in ("clinic_clients", "clinic_client_races", "clinic_services", "clinic_rules")
    },
    **{
        name: Owned(_THERAPIST, restored=False, clients=(_RUNNER_CLIENT,))
        for name in (
            "clinic_bookings",
            "clinic_waitlist",
            "clinic_intakes",
            "clinic_notes",
            "clinic_note_sharing",
        )
    },
    "clinic_intake_answers": Owned(
        _THERAPIST,
        restored=False,
        parents=(Child("clinic_intakes", ("intake_id",), ("id",)),),
    ),
    "clinic_note_amendments": Owned(
        _THERAPIST,
        restored=False,
        parents=(Child("clinic_notes", ("note_id",), ("id",)),),
    ),
    # A team membership is both therapists', as a grant is: it goes when either account does.
    "clinic_team_members": Owned(("lead_id", "member_id"), restored=False),
    "clinic_client_preferences": Owned(_THERAPIST, restored=False, clients=(_RUNNER_CLIENT,)),
    # A therapist's booking feeds: only a secret's hash, a credential, so never exported.
    "clinic_feed_secrets": Owned(
        _THERAPIST, restored=False, exported=False, withheld=("secret_hash",)
    ),
}

NOT_PERSONAL: dict[str, NotPersonal] = {
    VERSION_TABLE: NotPersonal("the version of the database's schema"),
    # A server's kept originals, by content: shared by everyone who imported the same file.
    # A person's are exported and deleted through the rows that name them (``originals``),
    # by the originals' own store.
    "kept_originals": NotPersonal("original files by content, reached through imports"),
    "kept_original_chunks": NotPersonal("the bytes of the kept originals"),
}


def ownership_of(table: str) -> Ownership:
    """How the rows of ``table`` belong to a person; KeyError for a table not in the map."""
    if table in NOT_PERSONAL:
        return NOT_PERSONAL[table]
    return OWNERSHIP[table]


def personal_tables() -> list[sa.Table]:
    """The tables with a person's rows, parents before children (the order to insert in;
    reversed, the order to delete in)."""
    return [
        table
        for table in schema.metadata.sorted_tables
        if not isinstance(ownership_of(table.name), NotPersonal)
    ]


def unmapped_tables() -> list[str]:
    """Tables of the schema that the map does not place: what the test fails on."""
    return sorted(
        table.name
        for table in schema.metadata.sorted_tables
        if table.name not in OWNERSHIP and table.name not in NOT_PERSONAL
    )


def stale_entries() -> list[str]:
    """Entries of the map for tables the schema no longer has."""
    known = {table.name for table in schema.metadata.sorted_tables} | {VERSION_TABLE}
    return sorted(name for name in (*OWNERSHIP, *NOT_PERSONAL) if name not in known)


def check_consistent() -> list[str]:
    """Each entry's columns exist in its table: one line per mistake, [] when none."""
    problems: list[str] = []
    tables = schema.metadata.tables
    for name, entry in OWNERSHIP.items():
        table = tables.get(name)
        if table is None:
            continue
        named = [*entry.withheld, *entry.originals]
        links: list[Child] = []
        if isinstance(entry, Owned | ByEmail):
            named += entry.columns
        if isinstance(entry, Owned):
            named += [c for ref in entry.clients for c in (ref.kind_column, ref.id_column)]
            links += entry.parents
        elif isinstance(entry, Child):
            links.append(entry)
        for link in links:
            named += link.columns
            parent = tables.get(link.parent)
            if parent is None:
                problems.append(f"{name}: parent table {link.parent} is not in the schema")
            else:
                problems += [
                    f"{name}: parent column {link.parent}.{column} is not in the schema"
                    for column in link.parent_columns
                    if column not in parent.c
                ]
        problems += [
            f"{name}.{column} is not in the schema" for column in named if column not in table.c
        ]
    return problems
