"""Files stored together in one transaction: the streams and sources of a batch are written
at its end, and read back as if each file had been stored alone."""

from __future__ import annotations

import datetime as dt

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
