"""The runner's data rights on the web: download everything, delete the account.

- ``GET /api/export/all``: the zip ``rubdown export all`` writes, made into a temporary file
  (never held in memory) that is removed once sent; ``/openapi.json`` documents it as a
  binary ``application/zip`` answer.
- ``DELETE /api/account``: every row and every kept file only this person had. Local mode
  asks for ``{"confirm": "delete"}``; server mode for the account's password, checked as a
  login is (same limits), so a stolen session alone cannot delete an account. Any account may
  delete itself there, a therapist's too: their grants and reads go with it.
- The Settings page's "Your data" section posts to ``/ui/account/delete``, which runs the
  same code and answers with a fragment.

After a deletion this process's kept answers for the person are dropped: a runner made
afresh under the same id (local mode) starts at data version 0 again, where a kept answer of
the old data could otherwise be found.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import Field
from starlette.background import BackgroundTask
from typing_extensions import TypedDict

from rubdown.bootstrap import SharedServices, account_tables
from rubdown.errors import InputError
from rubdown.services.rights import originals_of
from rubdown.services.rights.delete import DeleteSummary, delete_account
from rubdown.services.rights.export import export_all
from rubdown.services.runner import Runner
from rubdown.web.cache import answers, plan
from rubdown.web.deps import AppDep, logged_in, shared_services
from rubdown.web.models import Body
from rubdown.web.render import render_fragment
from rubdown.web.responses import ERRORS

CONFIRM_WORD = "delete"

router = APIRouter(prefix="/api", responses=ERRORS)
pages = APIRouter(include_in_schema=False)


class AccountDeletion(Body):
    """What deleting the account asks for: the word (local mode) or the password (server)."""

    confirm: str | None = Field(None, examples=["delete"], description='"delete" (local mode)')
    password: str | None = Field(
        None, max_length=1024, description="the account's password (server mode)"
    )


class DeletedView(TypedDict):
    deleted: bool
    rows: dict[str, int]  # removed per table
    total_rows: int
    originals: int  # kept files removed


@router.get(
    "/export/all",
    tags=["account"],
    response_class=Response,
    responses={
        200: {
            "description": "The zip: tables as JSON and CSV, the kept originals, a manifest.",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def export_everything(app: AppDep) -> FileResponse:
    """Everything stored of the runner, as the zip of ``rubdown export all``."""
    handle, name = tempfile.mkstemp(prefix="rubdown-export-", suffix=".zip")
    path = Path(name)
    try:
        with os.fdopen(handle, "w+b") as target:
            export_all(
                account_tables(app.store), app.owner_id, target, originals_of(app), now=app.clock()
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return FileResponse(
        path,
        media_type="application/zip",
        filename=f"rubdown-export-{app.today().isoformat()}.zip",
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


@router.delete("/account", tags=["account"])
def delete_my_account(request: Request, body: AccountDeletion) -> DeletedView:
    """Delete every row and kept file of this account's, in one transaction: the runner's
    data, the account's logins, and every grant to or from it with its access log."""
    return _view(_delete(request, body.confirm, body.password))


@pages.post("/ui/account/delete", response_class=HTMLResponse)
def delete_from_settings(
    request: Request,
    confirm: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> HTMLResponse:
    summary = _delete(request, confirm or None, password or None)
    response = render_fragment("fragments/account_deleted.html", summary=_view(summary))
    if request.app.state.settings.server:
        response.headers["HX-Redirect"] = "/login"  # the session went with the account
    return response


def _delete(request: Request, confirm: str | None, password: str | None) -> DeleteSummary:
    services = shared_services(request.app.state)
    if services.settings.server:
        owner = _checked_in_server_mode(request, services, password)
    else:
        if (confirm or "").strip().lower() != CONFIRM_WORD:
            raise InputError(f'to delete everything, confirm with the word "{CONFIRM_WORD}"')
        owner = services.settings.owner_id
    app = services.app(owner)
    try:
        summary = delete_account(account_tables(app.store), owner, originals_of(app))
    finally:
        app.close()
    _forget_answers(app, owner)
    return summary


def _checked_in_server_mode(
    request: Request, services: SharedServices, password: str | None
) -> str:
    """The logged-in person's id once their password is right, checked as a login is (the
    same limits per account and address): a session alone does not delete an account."""
    who = logged_in(request)
    if not password:
        raise InputError("to delete the account, give its password")
    assert services.accounts is not None
    address = request.client.host if request.client else None
    services.accounts.login(who.user.email, password, address)
    return who.user.id


def _forget_answers(app: Runner, owner: str) -> None:
    database = app.store.shown_url
    plan.CACHE.forget_owner(database, owner)
    answers.CACHE.forget(lambda key: (key.database, key.owner) == (database, owner))


def _view(summary: DeleteSummary) -> DeletedView:
    return {
        "deleted": True,
        "rows": summary.rows,
        "total_rows": summary.total_rows,
        "originals": summary.originals,
    }
