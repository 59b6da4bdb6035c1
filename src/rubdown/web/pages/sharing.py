"""The Sharing page (server mode): the runner's grants to therapists, and who read what.

A form shares chosen levels with a therapist by e-mail address; each grant's levels can be
changed or the grant revoked; below, the access log. The changes post to ``/ui/sharing/...``,
which call the use cases ``/api/grants`` calls and answer with the grants panel for HTMX to
swap in; a refusal comes back in the API's error shape, which the page shows in one line.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from rubdown.bootstrap import shared_notes_for
from rubdown.domain.consent import Consents, Level, levels_from
from rubdown.services import consent
from rubdown.services.clinic.shared_notes import shared_notes_view
from rubdown.web.deps import AppDep, shared_services
from rubdown.web.render import render_fragment, render_page
from rubdown.web.routes_consent import ConsentsDep, RunnerId

router = APIRouter(include_in_schema=False)

# The access log the page shows; the API gives up to ``consent.MAX_LOG_ENTRIES``.
PAGE_LOG_ENTRIES = 50

Text = Annotated[str, Form(max_length=200)]
Ticked = Annotated[bool, Form()]


def _panel_context(consents: Consents, runner: str) -> dict[str, object]:
    return {
        "grants": [consent.grant_view(g) for g in consent.grants_of(consents, runner)],
        "levels": [str(level) for level in Level],
    }


def _panel(consents: Consents, runner: str, notice: str = "") -> HTMLResponse:
    context = _panel_context(consents, runner)
    return render_fragment("fragments/sharing_panel.html", notice=notice, **context)


@router.get("/sharing", response_class=HTMLResponse)
def sharing_page(
    request: Request, app: AppDep, runner: RunnerId, consents: ConsentsDep
) -> HTMLResponse:
    log = consent.access_log(consents, runner, PAGE_LOG_ENTRIES)
    return render_page(
        request,
        app,
        "pages/sharing.html",
        active="sharing",
        title="Sharing",
        notice="",
        log=[consent.access_entry_view(entry) for entry in log],
        log_limit=PAGE_LOG_ENTRIES,
        shared_notes=shared_notes_view(
            shared_notes_for(shared_services(request.app.state).store), runner
        ),
        **_panel_context(consents, runner),
    )


@router.post("/ui/sharing", response_class=HTMLResponse)
def share(
    runner: RunnerId,
    consents: ConsentsDep,
    therapist_email: Text,
    calendar: Ticked = False,
    wellness: Ticked = False,
    training: Ticked = False,
) -> HTMLResponse:
    grant = consent.share(
        consents, runner, therapist_email, levels_from(calendar, wellness, training)
    )
    return _panel(consents, runner, f"Now sharing with {grant.therapist_email}.")


@router.post("/ui/sharing/{grant_id}/levels", response_class=HTMLResponse)
def change_levels(
    runner: RunnerId,
    consents: ConsentsDep,
    grant_id: str,
    calendar: Ticked = False,
    wellness: Ticked = False,
    training: Ticked = False,
) -> HTMLResponse:
    levels = levels_from(calendar, wellness, training)
    changed = consent.change_levels(consents, runner, grant_id, levels)
    return _panel(consents, runner, f"Saved what {changed.therapist_email} can see.")


@router.post("/ui/sharing/{grant_id}/revoke", response_class=HTMLResponse)
def revoke(runner: RunnerId, consents: ConsentsDep, grant_id: str) -> HTMLResponse:
    revoked = consent.revoke(consents, runner, grant_id)
    return _panel(consents, runner, f"Stopped sharing with {revoked.therapist_email}.")
