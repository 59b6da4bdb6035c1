"""``POST /api/import``: activity files, exports and calendars, uploaded.

The request body is limited as a whole by ``web.guard`` (larger requests get 413 before the
importer sees anything); the files are saved under random names in a private folder
(``web.uploads``) and handed to the same ``import_paths`` as ``rubdown import``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile

from rubdown.services import views
from rubdown.services.importing import import_paths
from rubdown.web.deps import AppDep
from rubdown.web.uploads import Upload, saved_uploads, with_client_names

Files = Annotated[list[UploadFile], File(description="one or more files, folders zipped")]
Salvage = Annotated[bool, Form(description="keep what comes before the damage")]


router = APIRouter(prefix="/api")


@router.post("/import", tags=["import"])
def import_files(app: AppDep, files: Files, salvage: Salvage = False) -> dict[str, Any]:
    """Import uploaded files; one line per file in the report. A damaged file is reported as
    failed and the others go on, so the status is 200 either way."""
    uploads = [Upload(f.filename or "", f.file) for f in files]
    with saved_uploads(uploads) as saved:
        report = import_paths(app, [s.path for s in saved], salvage=salvage)
    return views.import_view(with_client_names(report, saved))
