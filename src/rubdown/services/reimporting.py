"""``rubdown reimport``: derive every activity again from the original files kept at import.

The originals are read back from the content-addressed store with where they sat (which
export, which path in it), so a better parser (or a fixed one) re-derives the whole history
and Strava's names still reach the files its activities.csv lists. Everything is replaced
only after every file has been read: if a kept original is missing, nothing is dropped.
"""

from __future__ import annotations

from rubdown.domain.activity import Parsed
from rubdown.domain.records import IncomingFile
from rubdown.errors import StoreError
from rubdown.importers import apple_health, caps, strava
from rubdown.importers.archive import Limits
from rubdown.importers.base import Format
from rubdown.keeping.raw import RawFiles
from rubdown.services.import_worker import Job, result_from_parsed, run_job
from rubdown.services.importing import STORE_BATCH_FILES, ImportReport, Place, store_results
from rubdown.services.loads import refresh_loads
from rubdown.services.runner import Runner


def reimport_all(app: Runner) -> ImportReport:
    raw = RawFiles(app.raw_root)
    sources = app.data.raw_sources()
    # Every original must be there before anything changes; they are then read one at a
    # time (a kept original can be gigabytes), never all at once.
    missing = [source for source in sources if not raw.has(source.sha256)]
    if missing:
        raise StoreError(
            f"the original of {missing[0].shown} ({missing[0].sha256[:12]}…) is missing from "
            f"{raw.root}: nothing was changed"
        )
    timezone = app.profile().timezone
    indexes = {
        source.container: strava.parse_activities_csv(raw.get(source.sha256))
        for source in sources
        if source.format == Format.STRAVA_CSV.value
    }
    results: list[tuple[IncomingFile, Place]] = []
    for source in sources:
        place = Place(source.export, source.container, source.inner)
        if source.format == Format.STRAVA_CSV.value:
            index = indexes[source.container]
            manual = tuple(row.to_activity() for row in index.rows if not row.filename)
            parsed = Parsed(activities=manual, skipped="no manual activities")
            kind = Format.STRAVA_CSV
        elif source.format == Format.APPLE_HEALTH.value:
            with raw.open(source.sha256) as stream:
                parsed = apple_health.parse_export(stream)
            kind = Format.APPLE_HEALTH
        else:
            name = source.shown.rsplit("!", 1)[-1].rsplit("/", 1)[-1]
            job = Job(
                source.shown,
                name,
                source.inner,
                source.sha256,
                False,
                timezone,
                app.raw_root,
                Limits(),
            )
            row = indexes.get(source.container, strava.StravaIndex()).for_file(source.inner)
            results.append(
                (run_job(job), Place(source.export, source.container, source.inner, row))
            )
            continue
        parsed = caps.checked(parsed)  # the bounds every import applies
        results.append(
            (result_from_parsed(source.shown, source.sha256, kind, parsed, timezone), place)
        )
    app.data.forget_imports()
    report = ImportReport()
    # The file rows were kept (see ``forget_imports``): each is rewritten as it is stored.
    stored = [(place.enrich(result), place, False) for result, place in results]
    for start in range(0, len(stored), STORE_BATCH_FILES):
        report.files += store_results(app, stored[start : start + STORE_BATCH_FILES])
    refresh_loads(app)
    return report
