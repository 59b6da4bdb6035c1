"""Files stored together in one transaction: the streams and sources of a batch are written
at its end, and read back as if each file had been stored alone."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from rubdown.domain.activity import Activity, Sport
from rubdown.domain.records import FileStatus, IncomingActivity, IncomingFile
from rubdown.store import Store

START = dt.datetime(2026, 5, 1, 7, tzinfo=dt.UTC)
OWNER = "runner"


def incoming(sha: str, fmt: str, richness: int, blob: bytes | None) -> IncomingFile:
    activity = Activity(Sport.RUNNING, START, 3600.0, distance_m=10_000.0, records=10)
    item = IncomingActivity(
        activity, START.date(), "easy", richness, streams_blob=blob, samples=len(blob or b"")
    )
    return IncomingFile(
        f"{sha}.{fmt}", sha * 64, fmt, FileStatus.IMPORTED, records=10, activities=[item]
    )


def test_a_richer_copy_in_the_same_batch_leaves_its_streams_and_every_source(
    store: Store,
) -> None:
    store.ensure_runner(OWNER)
    gpx = incoming("a", "gpx", 30, b"gpx streams")
    fit = incoming("b", "fit", 50, b"fit streams, the richer copy")
    again = incoming("b", "fit", 50, b"fit streams, the richer copy")
    outcomes = store.record_files(OWNER, [(gpx, True), (fit, True), (again, False)])
    assert [len(o.added) for o in outcomes] == [1, 0, 0]
    assert len(store.list_activities(OWNER)) == 1
    activity_id = outcomes[0].added[0]
    assert outcomes[1].merged == outcomes[2].merged == [activity_id]
    assert store.activity_streams(OWNER, activity_id) == b"fit streams, the richer copy"
    shas = sorted(s["sha256"] for s in store.activity_sources(OWNER, activity_id))
    assert shas == ["a" * 64, "b" * 64]


def test_streams_of_each_new_activity_in_a_batch_are_its_own(store: Store) -> None:
    store.ensure_runner(OWNER)
    files = []
    for n in range(3):
        file = incoming(str(n), "fit", 50, f"streams {n}".encode())
        moved = file.activities[0].activity
        moved = Activity(
            moved.sport, START + dt.timedelta(days=n), 3600.0, distance_m=10_000.0, records=10
        )
        item = IncomingActivity(
            moved, moved.start.date(), "easy", 50, streams_blob=f"streams {n}".encode(), samples=9
        )
        files.append(
            (
                IncomingFile(
                    file.shown,
                    file.sha256,
                    "fit",
                    FileStatus.IMPORTED,
                    records=10,
                    activities=[item],
                ),
                True,
            )
        )
    outcomes = store.record_files(OWNER, files)
    stored = [store.activity_streams(OWNER, o.added[0]) for o in outcomes]
    assert stored == [b"streams 0", b"streams 1", b"streams 2"]


def _on_day(n: int) -> IncomingFile:
    file = incoming(str(n), "fit", 50, f"streams {n}".encode())
    item = file.activities[0]
    moved = Activity(
        Sport.RUNNING, START + dt.timedelta(days=n), 3600.0, distance_m=10_000.0, records=10
    )
    return replace(file, activities=[replace(item, activity=moved, local_day=moved.start.date())])


def test_files_seen_before_stored_again_in_a_batch_replace_their_rows(store: Store) -> None:
    # As reimport does: the activities forgotten, the files' rows kept (marked forgotten),
    # then every file stored again, not new.
    store.ensure_runner(OWNER)
    files = [_on_day(n) for n in range(3)]
    store.record_files(OWNER, [(file, True) for file in files])
    store.forget_imports(OWNER)

    outcomes = store.record_files(OWNER, [(file, False) for file in files])

    assert [(len(o.added), o.status) for o in outcomes] == [(1, FileStatus.IMPORTED)] * 3
    statuses = store.file_statuses(OWNER)
    assert statuses == {file.sha256: FileStatus.IMPORTED for file in files}
    assert len(store.raw_sources(OWNER)) == 3
    assert len(store.list_activities(OWNER)) == 3


def test_files_failing_the_same_way_again_in_a_batch_write_nothing(store: Store) -> None:
    store.ensure_runner(OWNER)
    files = [
        IncomingFile(f"{n}.fit", str(n) * 64, "fit", FileStatus.FAILED, error="truncated")
        for n in range(2)
    ]
    store.record_files(OWNER, [(file, True) for file in files])
    before = store.version_stamp(OWNER)

    outcomes = store.record_files(OWNER, [(file, False) for file in files])

    assert [o.status for o in outcomes] == [FileStatus.FAILED] * 2
    assert store.version_stamp(OWNER) == before  # nothing written
    assert store.file_statuses(OWNER) == {file.sha256: FileStatus.FAILED for file in files}


def test_a_file_seen_before_that_now_says_more_is_rewritten_in_a_batch(store: Store) -> None:
    store.ensure_runner(OWNER)
    failed = IncomingFile("a.fit", "a" * 64, "fit", FileStatus.FAILED, error="truncated")
    store.record_files(OWNER, [(failed, True), (_on_day(5), True)])

    repaired = replace(_on_day(1), sha256=failed.sha256, shown=failed.shown)
    outcomes = store.record_files(OWNER, [(repaired, False), (_on_day(2), True)])

    assert [o.status for o in outcomes] == [FileStatus.IMPORTED, FileStatus.IMPORTED]
    assert store.file_statuses(OWNER)[failed.sha256] is FileStatus.IMPORTED
    sources = store.raw_sources(OWNER)
    assert sorted(s.sha256 for s in sources) == sorted([failed.sha256, "5" * 64, "2" * 64])


def test_files_stored_again_in_a_batch_add_no_second_source(store: Store) -> None:
    store.ensure_runner(OWNER)
    files = [_on_day(n) for n in range(3)]
    first = store.record_files(OWNER, [(file, True) for file in files])
    copy = replace(_on_day(1), sha256="c" * 64, shown="copy.fit")

    again = store.record_files(OWNER, [(file, False) for file in [*files, copy]])

    ids = [outcome.added[0] for outcome in first]
    assert [outcome.merged for outcome in again] == [[ids[0]], [ids[1]], [ids[2]], [ids[1]]]
    shas = [sorted(s["sha256"] for s in store.activity_sources(OWNER, i)) for i in ids]
    assert shas == [["0" * 64], sorted(["1" * 64, "c" * 64]), ["2" * 64]]


def _summary(n: int) -> IncomingFile:
    """Day ``n``'s run as a poorer source has it: no streams, fewer fields."""
    file = _on_day(n)
    item = replace(file.activities[0], richness=30, streams_blob=None, samples=0)
    return replace(file, sha256=f"s{n}" * 32, format="gpx", activities=[item])


def test_richer_copies_in_a_batch_replace_the_stored_ones_and_their_streams(
    store: Store,
) -> None:
    store.ensure_runner(OWNER)
    first = store.record_files(OWNER, [(_summary(n), True) for n in range(2)])
    tempo = _on_day(1)
    named = replace(tempo.activities[0].activity, name="Tempo")
    tempo = replace(tempo, activities=[replace(tempo.activities[0], activity=named)])

    again = store.record_files(OWNER, [(_on_day(0), True), (tempo, True)])

    ids = [outcome.added[0] for outcome in first]
    assert [outcome.merged for outcome in again] == [[ids[0]], [ids[1]]]
    names = [(row.activity.id, row.activity.name) for row in store.list_activities(OWNER)]
    assert names == [(ids[0], ""), (ids[1], "Tempo")]
    assert [store.activity_streams(OWNER, i) for i in ids] == [b"streams 0", b"streams 1"]
