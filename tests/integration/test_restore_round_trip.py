"""Export everything, restore it into a fresh home: every table comes back row by row, ids and
all, on SQLite and PostgreSQL; a restore refuses a home with data, a damaged export and an
export whose rows the database refuses, and then changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from rubdown.bootstrap import Settings, account_tables, build_app
from rubdown.errors import FileFormatError, HomeNotEmpty, StoreError
from rubdown.keeping.raw import RawFiles
from rubdown.services.rights import originals_of
from rubdown.services.rights.export import export_all
from rubdown.services.rights.restore import restore
from rubdown.store import normalise_url, ownership, schema, sqlite_url_for_home
from tests.pg import fresh_postgres_url
from tests.support.rich_home import fill, table_rows, tables_with_rows

TODAY = dt.date(2027, 1, 4)
# The runner's data version moves past the export's on a restore (caches must see a change).
MOVED_ON = {"data_version"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def two_homes(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Settings, Settings]]:
    """Two empty homes on databases of the parametrised kind, each with its own data folder."""
    homes = (tmp_path / "from", tmp_path / "to")
    if request.param == "sqlite":
        yield tuple(Settings(h, sqlite_url_for_home(h), today=TODAY) for h in homes)  # type: ignore[misc]
        return
    with ExitStack() as stack:
        urls = [stack.enter_context(fresh_postgres_url()) for _ in homes]
        yield tuple(Settings(h, url, today=TODAY) for h, url in zip(homes, urls, strict=True))  # type: ignore[misc]


def engine_of(settings: Settings) -> Engine:
    return sa.create_engine(normalise_url(settings.database_url), poolclass=NullPool)


def export_home(settings: Settings, target: Path) -> None:
    app = build_app(settings)
    try:
        with target.open("wb") as out:
            export_all(
                account_tables(app.store), app.owner_id, out, originals_of(app), now=app.clock()
            )
    finally:
        app.close()


def restore_into(settings: Settings, export: Path) -> Any:
    app = build_app(settings)
    try:
        originals = originals_of(app)
        assert originals is not None
        return restore(account_tables(app.store), app.owner_id, export, originals)
    finally:
        app.close()


def restored_tables() -> list[str]:
    return [
        table.name
        for table in ownership.personal_tables()
        if ownership.ownership_of(table.name).restored
    ]


def without(rows: list[dict[str, Any]], columns: set[str]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k not in columns} for row in rows]


def test_a_rich_home_comes_back_row_by_row_ids_and_all(
    two_homes: tuple[Settings, Settings], tmp_path: Path
) -> None:
    source, target = two_homes
    app = build_app(source)
    fill(app)
    app.close()
    export = tmp_path / "everything.zip"
    export_home(source, export)

    summary = restore_into(target, export)

    before, after = engine_of(source), engine_of(target)
    try:
        filled = tables_with_rows(before, restored_tables())
        assert len(filled) >= 18, filled  # the season reaches nearly every table
        for name in restored_tables():
            table = schema.metadata.tables[name]
            assert without(table_rows(after, table), MOVED_ON) == without(
                table_rows(before, table), MOVED_ON
            ), name
            assert summary.rows.get(name, 0) == len(table_rows(before, table)), name
        (old,) = table_rows(before, schema.runners)
        (new,) = table_rows(after, schema.runners)
        assert new["data_version"] > old["data_version"]
    finally:
        before.dispose()
        after.dispose()
    kept = RawFiles(source.home / "raw")
    restored = RawFiles(target.home / "raw")
    with zipfile.ZipFile(export) as archive:
        shas = json.loads(archive.read("manifest.json"))["originals"]
    assert shas
    assert summary.originals == len(shas)
    for sha in shas:
        assert restored.get(sha) == kept.get(sha)
        assert hashlib.sha256(restored.get(sha)).hexdigest() == sha


def test_a_restore_rewrites_the_owner_to_the_homes_runner(tmp_path: Path) -> None:
    source = Settings(tmp_path / "a", sqlite_url_for_home(tmp_path / "a"), today=TODAY)
    target = Settings(
        tmp_path / "b", sqlite_url_for_home(tmp_path / "b"), owner_id="someone-else", today=TODAY
    )
    app = build_app(source)
    fill(app)
    app.close()
    export = tmp_path / "everything.zip"
    export_home(source, export)

    restore_into(target, export)

    app = build_app(target)
    try:
        assert [race.id for race in app.data.list_races()]
        assert app.data.get_profile() is not None
        assert app.data.get_profile().name == "Ana"  # type: ignore[union-attr]
        assert len(app.data.list_checkins()) == 2
        assert app.data.feed_secret_hash() is not None
    finally:
        app.close()
    after = engine_of(target)
    try:
        for table in ownership.personal_tables():
            if "owner_id" in table.c:
                owners = {row["owner_id"] for row in table_rows(after, table)}
                assert owners <= {"someone-else"}, table.name
    finally:
        after.dispose()


def test_a_home_with_data_is_refused_and_kept_as_it_was(tmp_path: Path) -> None:
    source = Settings(tmp_path / "a", sqlite_url_for_home(tmp_path / "a"), today=TODAY)
    app = build_app(source)
    fill(app)
    app.close()
    export = tmp_path / "everything.zip"
    export_home(source, export)
    engine = engine_of(source)
    before = {name: table_rows(engine, schema.metadata.tables[name]) for name in restored_tables()}

    with pytest.raises(HomeNotEmpty, match="restore needs an empty home"):
        restore_into(source, export)

    after = {name: table_rows(engine, schema.metadata.tables[name]) for name in restored_tables()}
    engine.dispose()
    assert after == before


def _rewritten(export: Path, target: Path, member: str, change: Any) -> None:
    """A copy of ``export`` with ``member`` changed by ``change`` and the manifest's hash of
    it made to match: damage the manifest cannot see."""
    with zipfile.ZipFile(export) as source, zipfile.ZipFile(target, "w") as out:
        manifest = json.loads(source.read("manifest.json"))
        for info in source.infolist():
            if info.filename == "manifest.json":
                continue
            data = source.read(info)
            if info.filename == member:
                data = change(data)
                manifest["members"][member] = hashlib.sha256(data).hexdigest()
            out.writestr(info.filename, data)
        out.writestr("manifest.json", json.dumps(manifest))


def _empty_home_after(settings: Settings) -> None:
    engine = engine_of(settings)
    try:
        for name in restored_tables():
            if name != "runners":
                assert table_rows(engine, schema.metadata.tables[name]) == [], name
    finally:
        engine.dispose()
    raw = settings.home / "raw"
    assert not raw.exists() or not [p for p in raw.rglob("*") if p.is_file()]


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    source = Settings(tmp_path / "a", sqlite_url_for_home(tmp_path / "a"), today=TODAY)
    app = build_app(source)
    fill(app)
    app.close()
    export = tmp_path / "everything.zip"
    export_home(source, export)
    return export


def test_a_member_that_does_not_match_its_hash_is_refused_before_anything_is_written(
    exported: Path, tmp_path: Path
) -> None:
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(exported) as source, zipfile.ZipFile(damaged, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "tables/races.json":
                data = data.replace(b"Marathon", b"Marathom")
            out.writestr(info.filename, data)
    target = Settings(tmp_path / "b", sqlite_url_for_home(tmp_path / "b"), today=TODAY)

    with pytest.raises(FileFormatError, match=r"damaged.*races\.json does not match"):
        restore_into(target, damaged)

    _empty_home_after(target)


def test_rows_the_database_refuses_leave_no_row_and_no_original_behind(
    exported: Path, tmp_path: Path
) -> None:
    def out_of_range(data: bytes) -> bytes:
        return data.replace(b'"soreness": 5', b'"soreness": 99')

    refused = tmp_path / "refused.zip"
    _rewritten(exported, refused, "tables/checkin_regions.json", out_of_range)
    target = Settings(tmp_path / "b", sqlite_url_for_home(tmp_path / "b"), today=TODAY)

    with pytest.raises(StoreError, match="refused"):
        restore_into(target, refused)

    _empty_home_after(target)


def test_a_value_of_the_wrong_kind_is_refused_with_where_it_is(
    exported: Path, tmp_path: Path
) -> None:
    def bad_day(data: bytes) -> bytes:
        return data.replace(b'"day": "2027-02-28"', b'"day": "the 28th"', 1)

    refused = tmp_path / "refused.zip"
    _rewritten(exported, refused, "tables/races.json", bad_day)
    target = Settings(tmp_path / "b", sqlite_url_for_home(tmp_path / "b"), today=TODAY)

    with pytest.raises(FileFormatError, match=r"races row \d day: .the 28th. is not a date"):
        restore_into(target, refused)

    _empty_home_after(target)
