"""``rubdown export all``, ``rubdown import`` of an export and ``rubdown account delete`` as a
runner types them: a round trip between two homes, and one line and a non-zero exit for
every bad input, with nothing stored changed."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from rubdown.cli import commands_account
from rubdown.cli.main import cli
from tests.e2e.cli import Storage, assert_unchanged

GPX = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "activities"
    / "gpxpy"
    / "gpx1.0_with_all_fields.gpx"
)


@pytest.fixture
def filled(tmp_path: Path) -> Storage:
    storage = Storage.sqlite(tmp_path / "ana")
    for args in (
        ("profile", "set", "--name", "Ana", "--budget-per-month", "150"),
        ("race", "add", "--name", "Harbour Half", "--date", "2027-02-14", "--priority", "A"),
        ("import", str(GPX)),
    ):
        assert storage.run(*args).code == 0, args
    return storage


def test_an_export_restored_into_a_new_home_reads_the_same(filled: Storage, tmp_path: Path) -> None:
    export = tmp_path / "ana.zip"
    written = filled.run("export", "all", str(export), "--json").document()
    assert written["originals"] == 1
    assert written["rows"]["races"] == 1

    fresh = Storage.sqlite(tmp_path / "restored")
    restored = fresh.run("import", str(export), "--json").document()

    assert restored["total_rows"] == written["total_rows"] - written["rows"].get("users", 0)
    for args in (
        ("race", "list", "--json"),
        ("activities", "--json"),
        ("profile", "show", "--json"),
    ):
        assert fresh.run(*args).document() == filled.run(*args).document(), args


def test_an_export_is_told_by_its_content_not_its_name(filled: Storage, tmp_path: Path) -> None:
    export = tmp_path / "backup.bin"
    assert filled.run("export", "all", str(export)).code == 0

    fresh = Storage.sqlite(tmp_path / "restored")
    result = fresh.run("import", str(export))

    assert result.code == 0, result.err
    assert "Restored" in result.out


def test_bad_input_gives_one_line_and_changes_nothing(filled: Storage, tmp_path: Path) -> None:
    export = tmp_path / "ana.zip"
    assert filled.run("export", "all", str(export)).code == 0
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(export) as source, zipfile.ZipFile(damaged, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "tables/races.json":
                data = data.replace(b"Harbour", b"Harbor!")
            out.writestr(info.filename, data)
    unreadable = tmp_path / "unreadable.zip"
    with zipfile.ZipFile(unreadable, "w") as out:
        out.writestr("manifest.json", "{not json")
        out.writestr("tables/races.json", "")
    fresh = Storage.sqlite(tmp_path / "fresh")
    assert fresh.run("race", "list").code == 0  # the home exists, with no data
    before, fresh_before = filled.stored(), fresh.stored()

    cases = {
        ("export", "all", str(tmp_path / "no-such-folder" / "x.zip")): (filled, "no such folder"),
        ("import", str(export)): (filled, "restore needs an empty home"),
        ("import", str(damaged)): (fresh, "races.json does not match its SHA-256"),
        ("import", str(unreadable)): (fresh, "manifest.json cannot be read"),
        ("import", str(export), str(GPX)): (fresh, "restore it on its own"),
        ("account", "delete"): (filled, "needs --yes"),
    }
    for args, (storage, expected) in cases.items():
        line = storage.run(*args).error_line()
        assert expected in line, (args, line)

    assert_unchanged(before, filled.stored())
    assert_unchanged(fresh_before, fresh.stored())
    assert not (tmp_path / "no-such-folder").exists()
    assert not [p for p in (tmp_path / "fresh").rglob("*") if "raw" in p.parts and p.is_file()]


def test_account_delete_with_yes_leaves_an_empty_home(filled: Storage) -> None:
    deleted = filled.run("account", "delete", "--yes", "--json").document()

    assert deleted["rows"]["races"] == 1
    assert deleted["originals"] == 1
    assert filled.run("race", "list", "--json").document()["races"] == []
    assert not [p for p in (filled.home / "raw").rglob("*") if p.is_file()]


def test_account_delete_asks_for_the_name_at_a_terminal(
    filled: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(commands_account, "_can_ask", lambda: True)
    monkeypatch.setenv("RUBDOWN_TODAY", "2027-01-04")
    runner = CliRunner()
    home = ["--home", str(filled.home)]

    refused = runner.invoke(cli, [*home, "account", "delete"], input="yes\n")
    assert refused.exit_code != 0
    assert filled.run("race", "list", "--json").document()["races"]

    done = runner.invoke(cli, [*home, "account", "delete"], input="Ana\n")
    assert done.exit_code == 0, done.output
    assert 'your name ("Ana") or "delete"' in done.output
    assert filled.run("race", "list", "--json").document()["races"] == []
