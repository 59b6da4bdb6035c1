"""Walking files, folders and zips: what is yielded, what is skipped and why, in which order."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import stat
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest

from rubdown.importers.archive import Limits
from rubdown.importers.base import Format, ImportProblem, Member
from rubdown.importers.sniff import unwrap
from rubdown.importers.walk import ExportKind, Skip, walk

CORPUS = Path(__file__).resolve().parents[1] / "data" / "activities"
FIT = CORPUS / "GoldenCheetah" / "3386684871.fit"
FIT_GZ = CORPUS / "GoldenCheetah" / "14582164182.fit.gz"
GPX = CORPUS / "gpxpy" / "korita-zbevnica.gpx"
GPX_GZ = CORPUS / "activatr" / "running_example.gpx.gz"
TCX = CORPUS / "python-tcxparser" / "test.tcx"
GARMIN_ORIGINAL = CORPUS / "GoldenCheetah" / "GarminFR955v18.zip"

STRAVA_CSV = (
    b"Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    b"Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,"
    b"Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Media\n"
    b'1,"Oct 6, 2022, 11:19:20 PM",Run,Run,,1800,5,,,,,,activities/111.fit.gz,,,,,,\n'
)
GARMIN_SUMMARIES = b'[{"summarizedActivitiesExport": [{"activityId": 1}]}]'
APPLE_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE HealthData [\n'
    b"<!ELEMENT HealthData (ExportDate,Me,(Record|Workout)*)>\n]>\n"
    b'<HealthData locale="en_GB"><ExportDate value="2024-01-01 10:00:00 +0000"/></HealthData>'
)


def zip_bytes(members: Iterable[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def walked(*paths: Path, limits: Limits | None = None) -> list[Member | Skip]:
    with walk(list(paths), limits or Limits()) as items:
        return list(items)


def by_shown(items: list[Member | Skip]) -> dict[str, Member | Skip]:
    return {item.shown: item for item in items}


def skip_of(items: list[Member | Skip], shown: str) -> tuple[str, bool]:
    item = by_shown(items)[shown]
    assert isinstance(item, Skip), item
    return item.reason, item.failed


def members(items: list[Member | Skip]) -> list[Member]:
    return [item for item in items if isinstance(item, Member)]


# --- plain files and folders ---------------------------------------------------------------


def test_folders_are_walked_recursively_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    shutil.copy(FIT, tmp_path / "b" / "2.fit")
    shutil.copy(TCX, tmp_path / "b" / "1.tcx")
    shutil.copy(GPX, tmp_path / "a.gpx")
    (tmp_path / "notes.txt").write_text("felt good")
    items = walked(tmp_path)
    assert [item.shown for item in items] == [
        str(tmp_path / "a.gpx"),
        str(tmp_path / "b" / "1.tcx"),
        str(tmp_path / "b" / "2.fit"),
        str(tmp_path / "notes.txt"),
    ]
    fit = members(items)[2]
    assert (fit.name, fit.size, fit.container, fit.inner) == ("2.fit", FIT.stat().st_size, "", "")
    assert fit.read() == FIT.read_bytes()
    assert skip_of(items, str(tmp_path / "notes.txt")) == ("not an activity file", False)


def test_a_missing_path_is_a_failed_skip(tmp_path: Path) -> None:
    missing = tmp_path / "nope.fit"
    assert walked(missing) == [Skip(str(missing), "no such file or directory", True)]


def test_an_unreadable_folder_is_a_failed_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def scandir(path: Path) -> object:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert walked(tmp_path) == [Skip(str(locked), "permission denied", True)]


def test_symbolic_links_inside_a_folder_are_skipped_not_followed(tmp_path: Path) -> None:
    outside, runs = tmp_path / "outside", tmp_path / "runs"
    outside.mkdir()
    runs.mkdir()
    shutil.copy(FIT, outside / "secret.fit")
    (runs / "link.fit").symlink_to(outside / "secret.fit")
    (runs / "linkdir").symlink_to(outside, target_is_directory=True)
    items = walked(runs)
    assert items == [
        Skip(str(runs / "link.fit"), "symbolic link, not followed", False),
        Skip(str(runs / "linkdir"), "symbolic link, not followed", False),
    ]
    # A link the runner names on the command line is used as given.
    (given,) = members(walked(runs / "link.fit"))
    assert given.shown == str(runs / "link.fit")


def test_a_fifo_in_a_folder_is_skipped_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.fit")
    assert walked(tmp_path) == [Skip(str(tmp_path / "pipe.fit"), "not a regular file", False)]


def test_empty_files_fail_only_when_named_like_activities(tmp_path: Path) -> None:
    (tmp_path / "run.fit").write_bytes(b"")
    (tmp_path / ".gitkeep").write_bytes(b"")
    items = walked(tmp_path)
    assert skip_of(items, str(tmp_path / "run.fit")) == ("empty file", True)
    assert skip_of(items, str(tmp_path / ".gitkeep")) == ("empty file", False)


def test_files_are_judged_by_content_not_by_name(tmp_path: Path) -> None:
    shutil.copy(GPX, tmp_path / "mislabelled.fit")
    (tmp_path / "noise.fit").write_bytes(os.urandom(2000))
    items = walked(tmp_path)
    (member,) = members(items)
    assert member.shown == str(tmp_path / "mislabelled.fit")
    assert unwrap(member.read(), member.name, Limits()).format is Format.GPX
    reason = ("content matches no known activity format", True)
    assert skip_of(items, str(tmp_path / "noise.fit")) == reason


def test_gzipped_files_are_members_and_a_gzipped_zip_is_refused(tmp_path: Path) -> None:
    shutil.copy(FIT_GZ, tmp_path / "a.fit.gz")
    (tmp_path / "b.zip.gz").write_bytes(gzip.compress(GARMIN_ORIGINAL.read_bytes()))
    items = walked(tmp_path)
    assert [m.name for m in members(items)] == ["a.fit.gz"]
    reason = ("a gzipped zip archive: unzip it first", True)
    assert skip_of(items, str(tmp_path / "b.zip.gz")) == reason


# --- zip archives --------------------------------------------------------------------------


def test_garmin_export_original_zip_yields_its_fit_file() -> None:
    with walk([GARMIN_ORIGINAL]) as items:
        (member,) = list(items)
        assert isinstance(member, Member)
        assert member.shown == f"{GARMIN_ORIGINAL}!14211916346_ACTIVITY.fit"
        assert (member.name, member.container, member.inner) == ("14211916346_ACTIVITY.fit", "", "")
        with zipfile.ZipFile(GARMIN_ORIGINAL) as reference:
            assert member.read() == reference.read("14211916346_ACTIVITY.fit")
        assert member.size == len(member.read())


def test_traversal_names_are_read_and_shown_but_never_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    archive = work / "evil.zip"
    archive.write_bytes(
        zip_bytes(
            [
                ("../../evil.fit", FIT.read_bytes()),
                ("/etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n"),
                ("..\\..\\win.fit", FIT.read_bytes()),
            ]
        )
    )
    before = sorted(tmp_path.rglob("*"))
    with walk([Path("evil.zip")]) as items:
        found = list(items)
        contents = [member.read() for member in members(found)]
    assert [item.shown for item in found] == [
        "evil.zip!/etc/passwd",
        "evil.zip!../../evil.fit",
        "evil.zip!..\\..\\win.fit",
    ]
    assert contents == [FIT.read_bytes(), FIT.read_bytes()]
    assert members(found)[1].name == "win.fit"
    assert skip_of(found, "evil.zip!/etc/passwd") == ("not an activity file", False)
    assert sorted(tmp_path.rglob("*")) == before
    assert Path.cwd() == work


def test_control_characters_in_member_names_are_escaped_when_shown(tmp_path: Path) -> None:
    archive = tmp_path / "t.zip"
    archive.write_bytes(zip_bytes([("run\x1b[31m.fit", FIT.read_bytes())]))
    (member,) = walked(archive)
    assert member.shown == f"{archive}!run\\x1b[31m.fit"


def test_a_symbolic_link_member_is_skipped(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("latest.fit")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive = tmp_path / "links.zip"
    archive.write_bytes(zip_bytes([(link, b"../../etc/shadow"), ("real.fit", FIT.read_bytes())]))
    items = walked(archive)
    assert skip_of(items, f"{archive}!latest.fit") == ("symbolic link, not followed", False)
    assert [m.name for m in members(items)] == ["real.fit"]


def test_directory_entries_and_mac_metadata_are_passed_over(tmp_path: Path) -> None:
    archive = tmp_path / "mac.zip"
    archive.write_bytes(
        zip_bytes(
            [
                ("runs/", b""),
                ("runs/a.fit", FIT.read_bytes()),
                ("runs/.DS_Store", b"\0\0\0\1Bud1"),
                ("__MACOSX/runs/._a.fit", b"\0\5\26\7"),
            ]
        )
    )
    items = walked(archive)
    assert skip_of(items, f"{archive}!runs/") == ("directory entry", False)
    metadata = ("operating-system metadata, not an activity", False)
    assert skip_of(items, f"{archive}!runs/.DS_Store") == metadata
    assert skip_of(items, f"{archive}!__MACOSX/runs/._a.fit") == metadata
    assert [m.shown for m in members(items)] == [f"{archive}!runs/a.fit"]


def test_an_encrypted_member_fails_in_one_line(tmp_path: Path) -> None:
    data = bytearray(zip_bytes([("secret.fit", FIT.read_bytes())]))
    local, central = data.index(b"PK\x03\x04"), data.index(b"PK\x01\x02")
    data[local + 6] |= 0x1
    data[central + 8] |= 0x1
    archive = tmp_path / "locked.zip"
    archive.write_bytes(bytes(data))
    reason = ("encrypted: cannot be read without its password", True)
    assert walked(archive) == [Skip(f"{archive}!secret.fit", *reason)]


def test_corrupt_and_truncated_zips_are_failed_skips(tmp_path: Path) -> None:
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04" + os.urandom(500))
    (tmp_path / "cut.zip").write_bytes(GARMIN_ORIGINAL.read_bytes()[:50_000])
    items = walked(tmp_path)
    for name in ("broken.zip", "cut.zip"):
        reason, failed = skip_of(items, str(tmp_path / name))
        assert failed
        assert reason.startswith("not a readable zip archive: ")


def test_a_zip_bomb_member_is_refused_and_the_rest_is_read(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as writer:
        with writer.open("zeros.fit", "w") as stream:
            block = bytes(1024 * 1024)
            for _ in range(64):
                stream.write(block)
        writer.writestr("real.fit", FIT.read_bytes())
    items = walked(archive)
    reason = ("compression ratio over 200:1: refused as a zip bomb", True)
    assert skip_of(items, f"{archive}!zeros.fit") == reason
    assert [m.name for m in members(items)] == ["real.fit"]


def test_reading_stops_when_the_archive_exceeds_its_total_budget(tmp_path: Path) -> None:
    archive = tmp_path / "big.zip"
    gpx = b"<gpx>" + os.urandom(60_000)
    archive.write_bytes(zip_bytes([(f"{n}.gpx", gpx) for n in range(5)]))
    # While walking: the peeks alone exhaust a tiny budget.
    items = walked(archive, limits=Limits(max_total_bytes=10_000))
    assert len(members(items)) < 5
    reason, failed = skip_of(items, str(archive))
    assert failed
    assert reason == "the archive expands beyond 9.766 KiB in total: the rest is not read"
    # Later, while the consumer reads: members read in full count against the same budget.
    with walk([archive], Limits(max_total_bytes=130_000)) as walking:
        found = members(list(walking))
        assert len(found) == 5
        assert found[0].read() == gpx
        with pytest.raises(ImportProblem, match=r"in total: refused$"):
            found[1].read()


def test_nesting_deeper_than_the_limit_is_refused(tmp_path: Path) -> None:
    level3 = zip_bytes([("deep.fit", FIT.read_bytes())])
    level2 = zip_bytes([("level3.zip", level3)])
    archive = tmp_path / "level1.zip"
    archive.write_bytes(zip_bytes([("level2.zip", level2)]))
    (member,) = walked(archive)
    assert member.shown == f"{archive}!level2.zip!level3.zip!deep.fit"
    reason = ("archive nested more than 2 deep", True)
    items = walked(archive, limits=Limits(max_depth=2))
    assert items == [Skip(f"{archive}!level2.zip!level3.zip", *reason)]


def test_a_zip_inside_a_folder_is_opened(tmp_path: Path) -> None:
    shutil.copy(GARMIN_ORIGINAL, tmp_path / "original.zip")
    (member,) = walked(tmp_path)
    assert member.shown == f"{tmp_path / 'original.zip'}!14211916346_ACTIVITY.fit"


def test_member_openers_work_until_the_walk_is_closed(tmp_path: Path) -> None:
    shutil.copy(GARMIN_ORIGINAL, tmp_path / "original.zip")
    shutil.copy(FIT, tmp_path / "plain.fit")
    with walk([tmp_path]) as items:
        found = members(list(items))
        first = [member.read() for member in found]
        again = [member.read() for member in found]
    assert first == again
    assert first[1] == FIT.read_bytes()
    in_zip, on_disk = found
    with pytest.raises(RuntimeError, match="after its walk was closed"):
        in_zip.read()
    assert on_disk.read() == FIT.read_bytes()


# --- exports -------------------------------------------------------------------------------


def strava_tree(root: Path) -> None:
    (root / "activities").mkdir(parents=True)
    (root / "media").mkdir()
    (root / "routes").mkdir()
    (root / "activities.csv").write_bytes(STRAVA_CSV)
    (root / "bikes.csv").write_text("Bike Name,Bike Brand\n")
    (root / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    shutil.copy(FIT_GZ, root / "activities" / "111.fit.gz")
    shutil.copy(GPX_GZ, root / "activities" / "222.gpx.gz")
    shutil.copy(FIT, root / "activities" / "333.fit")
    shutil.copy(TCX, root / "activities" / "444.tcx")
    (root / "media" / "abc.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    shutil.copy(GPX, root / "routes" / "1.gpx")


def test_a_strava_folder_labels_members_and_puts_activities_csv_first(tmp_path: Path) -> None:
    root = tmp_path / "export_123"
    strava_tree(root)
    with walk([tmp_path]) as items:
        found = list(items)
        assert items.exports == {str(root): ExportKind.STRAVA}
    assert [(m.container, m.inner) for m in members(found)] == [
        (str(root), "activities.csv"),
        (str(root), "activities/111.fit.gz"),
        (str(root), "activities/222.gpx.gz"),
        (str(root), "activities/333.fit"),
        (str(root), "activities/444.tcx"),
    ]
    assert found[0].shown == str(root / "activities.csv")
    assert skip_of(found, str(root / "bikes.csv")) == (
        "Strava export table other than activities.csv",
        False,
    )
    assert skip_of(found, str(root / "media" / "abc.jpg")) == (
        "photo or video, not an activity",
        False,
    )
    assert skip_of(found, str(root / "routes" / "1.gpx")) == (
        "planned route, not an activity",
        False,
    )
    assert not any(isinstance(item, Skip) and item.failed for item in found)


def test_a_zipped_strava_export_in_a_top_level_folder_is_recognised(tmp_path: Path) -> None:
    strava_tree(tmp_path / "export_123")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as writer:
        for path in sorted((tmp_path / "export_123").rglob("*")):
            writer.write(path, path.relative_to(tmp_path).as_posix())
        writer.writestr("__MACOSX/export_123/._activities.csv", b"\0\5\26\7")
    with walk([archive]) as items:
        found = members(list(items))
        container = f"{archive}!export_123"
        assert items.exports == {container: ExportKind.STRAVA}
        assert found[0].inner == "activities.csv"
        assert {m.container for m in found} == {container}
        fit_gz = found[1]
        assert fit_gz.shown == f"{archive}!export_123/activities/111.fit.gz"
        assert unwrap(fit_gz.read(), fit_gz.name, Limits()).format is Format.FIT


def test_a_garmin_export_keeps_its_container_through_nested_zips(tmp_path: Path) -> None:
    part = zip_bytes([("9876.fit", FIT.read_bytes()), ("5432.fit", FIT.read_bytes())])
    uploaded = "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip"
    archive = tmp_path / "garmin.zip"
    archive.write_bytes(
        zip_bytes(
            [
                (uploaded, part),
                ("DI_CONNECT/DI-Connect-User/user_profile.json", b'{"userName": "x"}'),
                (
                    "DI_CONNECT/DI-Connect-Aggregator/UDSFile_1_2.json",
                    b'[{"restingHeartRate": 50}]',
                ),
                ("DI_CONNECT/DI-Connect-Wellness/7_sleepData.json", b'[{"calendarDate": 1}]'),
                ("DI_CONNECT/DI-Connect-Fitness/me_0_summarizedActivities.json", GARMIN_SUMMARIES),
            ]
        )
    )
    with walk([archive]) as items:
        found = list(items)
        assert items.exports == {str(archive): ExportKind.GARMIN}
        got = [(m.inner, m.read() == FIT.read_bytes()) for m in members(found)]
    assert got == [
        ("DI_CONNECT/DI-Connect-Fitness/me_0_summarizedActivities.json", False),
        ("DI_CONNECT/DI-Connect-Aggregator/UDSFile_1_2.json", False),
        (f"{uploaded}!5432.fit", True),
        (f"{uploaded}!9876.fit", True),
        ("DI_CONNECT/DI-Connect-Wellness/7_sleepData.json", False),
    ]
    assert {m.container for m in members(found)} == {str(archive)}
    assert members(found)[2].shown == f"{archive}!{uploaded}!5432.fit"
    profile = f"{archive}!DI_CONNECT/DI-Connect-User/user_profile.json"
    assert skip_of(found, profile) == ("not an activity file", False)


def test_an_apple_health_export_yields_export_xml_only(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    archive.write_bytes(
        zip_bytes(
            [
                ("apple_health_export/export_cda.xml", b"<ClinicalDocument>"),
                ("apple_health_export/export.xml", APPLE_XML),
                ("apple_health_export/workout-routes/route_2024.gpx", GPX.read_bytes()),
                ("apple_health_export/electrocardiograms/ecg_2024.csv", b"Name,Me\n"),
            ]
        )
    )
    with walk([archive]) as items:
        found = list(items)
        assert items.exports == {str(archive): ExportKind.APPLE}
        (member,) = members(found)
        assert (member.container, member.inner) == (str(archive), "apple_health_export/export.xml")
        assert unwrap(member.read(), member.name, Limits()).format is Format.APPLE_HEALTH
    cda = f"{archive}!apple_health_export/export_cda.xml"
    route = f"{archive}!apple_health_export/workout-routes/route_2024.gpx"
    assert skip_of(found, cda)[0].startswith("clinical records")
    assert skip_of(found, route) == (
        "workout route: positions only, the workout itself comes from export.xml",
        False,
    )
