"""The ownership map (``store.ownership``) places every table of the schema, and only those:
a table added without saying whose its rows are would be left out of exports and, worse,
left behind when an account is deleted."""

from __future__ import annotations

from rubdown.store import ownership, schema
from rubdown.store.export_rows import column_kind, exported_columns
from rubdown.store.ownership import NotPersonal, Owned


def test_every_table_of_the_schema_says_whose_its_rows_are() -> None:
    assert ownership.unmapped_tables() == []


def test_the_map_names_no_table_the_schema_does_not_have() -> None:
    assert ownership.stale_entries() == []


def test_every_column_the_map_names_is_in_its_table() -> None:
    assert ownership.check_consistent() == []


def test_a_runners_data_is_owned_by_owner_id_and_restored() -> None:
    for table in schema.metadata.sorted_tables:
        if "owner_id" in table.c and table.name not in ("import_jobs",):
            entry = ownership.ownership_of(table.name)
            assert isinstance(entry, Owned), table.name
            assert "owner_id" in entry.columns, table.name
            assert entry.restored, table.name


def test_credentials_never_leave_the_database() -> None:
    users = schema.metadata.tables["users"]
    assert "password_hash" not in {c.name for c in exported_columns(users)}
    assert not ownership.ownership_of("user_sessions").exported
    assert "token_hash" in ownership.ownership_of("invitations").withheld


def test_consent_belongs_to_both_people_it_names() -> None:
    grants = ownership.ownership_of("grants")
    log = ownership.ownership_of("access_log")
    assert isinstance(grants, Owned)
    assert isinstance(log, Owned)
    assert set(grants.columns) == {"runner_id", "therapist_id"}
    assert set(log.columns) == {"runner_id", "viewer_id"}
    assert not grants.restored
    assert not log.restored


def test_the_schema_version_is_nobodys() -> None:
    assert isinstance(ownership.ownership_of(ownership.VERSION_TABLE), NotPersonal)


def test_every_exported_column_has_a_kind_an_export_can_write() -> None:
    for table in ownership.personal_tables():
        for column in exported_columns(table):
            assert column_kind(column) in (
                "text",
                "integer",
                "float",
                "boolean",
                "date",
                "time",
                "datetime",
                "list",
                "bytes",
            ), f"{table.name}.{column.name}"
