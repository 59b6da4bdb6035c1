"""The Import page: upload files and exports, watch the import, read what came in.

The page's script uploads to ``POST /api/import/jobs`` (showing the bytes sent), polls
``GET /api/import/jobs/{id}`` (files done of how many, the file it is at), and when the job
is done swaps in the report from ``/ui/import/jobs/{id}/report``, rendered here so every
name from the runner's files goes through the template's escaping. ``/import?job=ID`` shows
a job again after a reload, while the server still remembers it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rubdown.errors import InputError, NotFound
from rubdown.services.importing import FileReport, ImportReport
from rubdown.web.deps import AppDep
from rubdown.web.import_jobs import ImportJob, JobsDep
from rubdown.web.render import render_fragment, render_page

router = APIRouter(include_in_schema=False)

STATUSES = ("imported", "duplicate", "skipped", "failed", "partial")
# Failed files first, then partial ones: what needs a look. Skipped ones (photos and
# monitoring files in a big export, by the thousand) last, where the list is cut.
ROW_ORDER = {"failed": 0, "partial": 1, "skipped": 3}
MAX_ROWS = 500


@dataclass(frozen=True)
class FileRow:
    status: str
    format: str
    archive: str  # the uploaded archive a member came from, or ""
    name: str  # the file, or the member's path inside the archive
    problem: str


@dataclass(frozen=True)
class FormatRow:
    format: str
    counts: tuple[int, ...]  # in the order of STATUSES


def file_row(line: FileReport) -> FileRow:
    archive, bang, member = line.path.partition("!")
    if not bang:
        archive, member = "", line.path
    return FileRow(line.status, line.format, archive, member, line.error or "")


def report_context(report: ImportReport) -> dict[str, Any]:
    """The report as the page shows it: counts per format as ``rubdown import`` prints them,
    then one row per file, failed first."""
    by_format = report.by_format()
    formats = [
        FormatRow(name, tuple(by_format[name].get(s, 0) for s in STATUSES))
        for name in sorted(by_format)
    ]
    ordered = sorted(report.files, key=lambda line: ROW_ORDER.get(line.status, 2))
    skipped = Counter(
        line.error or "no reason given" for line in report.files if line.status == "skipped"
    )
    return {
        "statuses": STATUSES,
        "formats": formats,
        "totals": tuple(report.summary[s] for s in STATUSES),
        "summary": report.summary,
        "rows": [file_row(line) for line in ordered[:MAX_ROWS]],
        "unlisted": max(0, len(ordered) - MAX_ROWS),
        "skipped_reasons": skipped.most_common(),
        "activities_added": sum(line.activities for line in report.files if line.format != "ics"),
        "races_added": len(report.races),
        "workouts_added": len(report.workouts),
        "calendar_duplicates": report.calendar_duplicates,
        "skipped_events": [
            {"event": event.name, "date": event.day, "reason": event.reason}
            for _path, event in report.calendar_skipped
        ],
    }


def job_context(job: ImportJob) -> dict[str, Any]:
    context: dict[str, Any] = {"job": job}
    if job.report is not None:
        context.update(report_context(job.report))
    return context


@router.get("/import", response_class=HTMLResponse)
def importing_page(
    request: Request, app: AppDep, jobs: JobsDep, job: str | None = None
) -> HTMLResponse:
    context: dict[str, Any] = {"job": None}
    if job:
        try:
            context = job_context(jobs.snapshot(job))
        except NotFound:
            context = {"job": None, "job_forgotten": True}
    return render_page(
        request, app, "pages/import.html", active="import", title="Import", **context
    )


@router.get("/ui/import/jobs/{job_id}/report", response_class=HTMLResponse)
def import_report(jobs: JobsDep, job_id: str) -> HTMLResponse:
    job = jobs.snapshot(job_id)
    if job.state == "running":
        raise InputError("the import is still running; its report comes when it is done")
    return render_fragment("fragments/import_report.html", **job_context(job))
