"""``rubdown reimport``: derive every activity again from the original files kept at import.

The originals are read back from the content-addressed store under their shown names, so a
better parser (or a fixed one) re-derives the whole history. Everything is replaced only
after every file has been read: if a kept original is missing, nothing is dropped.
"""

from __future__ import annotations

import io

from rubdown.domain.activity import Parsed
from rubdown.importers import strava
from rubdown.importers.archive import Limits
from rubdown.importers.base import Format
from rubdown.services.context import App
from rubdown.services.import_worker import Job, JobResult, result_from_parsed, run_job
from rubdown.services.importing import FileReport, ImportReport, _store
from rubdown.services.loads import refresh_loads
from rubdown.store.raw import RawFiles


def reimport_all(app: App) -> ImportReport:
    owner = app.owner_id
    raw = RawFiles(app.raw_root)
    sources = app.store.raw_sources(owner)
    # Read every original first: a missing one stops the reimport before anything changes.
    originals = [(source, raw.get(source.sha256)) for source in sources]
    timezone = app.profile().timezone
    results: list[JobResult] = []
    for source, data in originals:
        if source.format == Format.STRAVA_CSV.value:
            index = strava.parse_activities_csv(data)
            manual = tuple(row.to_activity() for row in index.rows if not row.filename)
            parsed = Parsed(activities=manual, skipped="no manual activities")
            results.append(
                result_from_parsed(source.shown, source.sha256, Format.STRAVA_CSV, parsed, timezone)
            )
            continue
        if source.format == Format.APPLE_HEALTH.value:
            from rubdown.importers import apple_health

            parsed = apple_health.parse_export(io.BytesIO(data))
            results.append(
                result_from_parsed(
                    source.shown, source.sha256, Format.APPLE_HEALTH, parsed, timezone
                )
            )
            continue
        name = source.shown.rsplit("!", 1)[-1].rsplit("/", 1)[-1]
        job = Job(source.shown, name, name, data, False, timezone, app.raw_root, Limits())
        results.append(run_job(job))
    app.store.forget_imports(owner)
    report = ImportReport()
    for result in results:
        line: FileReport = _store(app, result)
        report.files.append(line)
    refresh_loads(app)
    return report
