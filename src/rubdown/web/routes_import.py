"""``POST /api/import`` and the background import jobs behind the Import page.

The request body is limited as a whole by ``web.guard`` (larger requests get 413 before the
importer sees anything); the files are saved under random names in a private folder
(``web.uploads``) and handed to the same ``import_paths`` as ``rubdown import``, one import
at a time in the process (``import_jobs.IMPORT_SLOT``).

``POST /api/import`` answers when the import is over. ``POST /api/import/jobs`` answers at
once (202) with a job to poll at ``GET /api/import/jobs/{id}``: files done of how many, the
file it is at, and in the end the same report as ``POST /api/import`` (``web.import_jobs``).
In server mode the job and its uploads go to the database, for a ``rubdown worker`` to do,
and whichever server process is asked reads the job from there, for its owner only.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Response, UploadFile
from fastapi.responses import JSONResponse

from rubdown.services import views
from rubdown.services.importing import import_paths
from rubdown.web.deps import AppDep
from rubdown.web.errors import error_response
from rubdown.web.import_jobs import IMPORT_SLOT, JobsBusy, JobsDep, QueuedJobs
from rubdown.web.responses import BUSY, ERRORS, ImportJobView
from rubdown.web.uploads import Upload, saved_uploads, with_client_names

Files = Annotated[list[UploadFile], File(description="one or more files, folders zipped")]
Salvage = Annotated[bool, Form(description="keep what comes before the damage")]


router = APIRouter(prefix="/api", responses=ERRORS)


@router.post("/import", tags=["import"])
def import_files(app: AppDep, files: Files, salvage: Salvage = False) -> views.ImportView:
    """Import uploaded files; one line per file in the report. A damaged file is reported as
    failed and the others go on, so the status is 200 either way."""
    uploads = [Upload(f.filename or "", f.file) for f in files]
    with saved_uploads(uploads) as saved, IMPORT_SLOT:
        report = import_paths(app, [s.path for s in saved], salvage=salvage)
    return views.import_view(with_client_names(report, saved))


@router.post(
    "/import/jobs",
    tags=["import"],
    status_code=202,
    response_model=ImportJobView,
    responses=BUSY,
)
def start_import_job(
    jobs: JobsDep, response: Response, files: Files, salvage: Salvage = False
) -> dict[str, Any] | JSONResponse:
    """Start importing uploaded files in the background; poll the job it answers with. At
    most a few jobs may run or wait at once: one more gets 429 (``busy``)."""
    try:
        jobs.check_room()
        uploads = [Upload(f.filename or "", f.file) for f in files]
        if isinstance(jobs, QueuedJobs):
            job_id = jobs.submit(uploads, salvage=salvage)
        else:
            with ExitStack() as stack:
                saved = stack.enter_context(saved_uploads(uploads))
                job_id = jobs.start(saved, salvage=salvage, uploads=stack).id
    except JobsBusy as busy:
        return error_response(429, busy.code, str(busy))
    response.headers["Location"] = f"/api/import/jobs/{job_id}"
    return jobs.view(job_id)


@router.get("/import/jobs/{job_id}", tags=["import"], response_model=ImportJobView)
def import_job(jobs: JobsDep, job_id: str) -> dict[str, Any]:
    """How far a job got: ``state`` running, done or failed; ``files_done`` of
    ``files_total`` (null until counted); ``current_file``; ``report`` when done (as from
    ``POST /api/import``); ``error``, one line, when failed."""
    return jobs.view(job_id)
