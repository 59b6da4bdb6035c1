"""``rubdown reimport``: derive every activity again from the original files kept at import.

The originals are read back from the content-addressed store with where they sat (which
export, which path in it), so a better parser (or a fixed one) re-derives the whole history
and Strava's names still reach the files its activities.csv lists. Everything is replaced
only after every file has been read: if a kept original is missing, nothing is dropped.
"""

from __future__ import annotations

import io

from rubdown.domain.activity import Parsed
from rubdown.importers import apple_health, caps, strava
from rubdown.importers.archive import Limits
from rubdown.importers.base import Format
from rubdown.services.context import App
from rubdown.services.import_worker import Job, JobResult, result_from_parsed, run_job
from rubdown.services.importing import ImportReport, Place, store_result
from rubdown.services.loads import refresh_loads
from rubdown.store.raw import RawFiles


def reimport_all(app: App) -> ImportReport:
    owner = app.owner_id
    raw = RawFiles(app.raw_root)
    sources = app.store.raw_sources(owner)
    # Read every original first: a missing one stops the reimport before anything changes.
    originals = [(source, raw.get(source.sha256)) for source in sources]
    timezone = app.profile().timezone
    indexes = {
        source.container: strava.parse_activities_csv(data)
        for source, data in originals
        if source.format == Format.STRAVA_CSV.value
    }
    results: list[tuple[JobResult, Place]] = []
    for source, data in originals:
        place = Place(source.export, source.container, source.inner)
        if source.format == Format.STRAVA_CSV.value:
            index = indexes[source.container]
            manual = tuple(row.to_activity() for row in index.rows if not row.filename)
            parsed = Parsed(activities=manual, skipped="no manual activities")
            kind = Format.STRAVA_CSV
        elif source.format == Format.APPLE_HEALTH.value:
            parsed = apple_health.parse_export(io.BytesIO(data))
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
    app.store.forget_imports(owner)
    report = ImportReport()
    for result, place in results:
        # The file rows were kept (see ``forget_imports``): each is rewritten as it is stored.
        report.files.append(store_result(app, place.enrich(result), place))
    refresh_loads(app)
    return report
