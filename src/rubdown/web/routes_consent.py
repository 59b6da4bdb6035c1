"""Sharing, the runner's side (server mode): grants to therapists and the access log.

A runner shares chosen levels of their data with a therapist named by e-mail address, changes
the levels, revokes; every read of their data by someone else is in their access log.
Everything is the logged-in runner's own: another runner's grant answers 404, as does any of
these routes for a therapist or an admin, who have no runner data to share.

Granting to an address that is not an enabled therapist's account answers 422 "no therapist
with that e-mail address" whoever has it (another runner, an admin, nobody): sharing never
tells a runner who else has an account (``services.consent.share``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import Field
from typing_extensions import TypedDict

from rubdown.bootstrap import consents_for
from rubdown.domain.accounts import LoggedIn, User
from rubdown.domain.consent import Consents, Level, levels_from
from rubdown.errors import NotFound
from rubdown.services import consent
from rubdown.web.deps import shared_services
from rubdown.web.fields import NAME_MAX
from rubdown.web.models import Body
from rubdown.web.responses import ERRORS

router = APIRouter(prefix="/api", responses=ERRORS, tags=["sharing"])

LimitQuery = Annotated[
    int,
    Query(
        ge=1,
        le=consent.MAX_LOG_ENTRIES,
        description="how many entries, newest first",
    ),
]


class GrantIn(Body):
    therapist_email: str = Field(max_length=NAME_MAX, examples=["theo@example.org"])
    calendar: bool = Field(False, description="races, workouts, bookings and the plan")
    wellness: bool = Field(False, description="check-ins, red flags, warning signs, injuries")
    training: bool = Field(False, description="activities and the training load")


class GrantChanges(Body):
    """The levels to change; those not given stay as they are."""

    calendar: bool | None = None
    wellness: bool | None = None
    training: bool | None = None


class GrantsAnswer(TypedDict):
    grants: list[consent.GrantView]


class AccessLogAnswer(TypedDict):
    entries: list[consent.AccessEntryView]


def signed_in(request: Request) -> User:
    """Who is logged in: the guard put the session on the request (server mode), or answered
    401 without one. In local mode nobody logs in, so there is no one to share with."""
    found: LoggedIn | None = getattr(request.state, "logged_in", None)
    if found is None:
        raise NotFound("sharing needs accounts: serve with --server")
    return found.user


def consents_of(request: Request) -> Consents:
    """The grants and access log of the server's shared store, read afresh on every call."""
    return consents_for(shared_services(request.app.state).store)


def runner_id(user: Annotated[User, Depends(signed_in)]) -> str:
    """The logged-in runner's ID; a therapist or an admin finds these routes not there."""
    if user.runner_id is None:
        raise NotFound("not found")
    return user.runner_id


ConsentsDep = Annotated[Consents, Depends(consents_of)]
RunnerId = Annotated[str, Depends(runner_id)]


@router.get("/grants")
def list_grants(runner: RunnerId, consents: ConsentsDep) -> GrantsAnswer:
    """The runner's active grants, oldest first."""
    return {"grants": [consent.grant_view(g) for g in consent.grants_of(consents, runner)]}


@router.post("/grants", status_code=status.HTTP_201_CREATED)
def add_grant(runner: RunnerId, consents: ConsentsDep, body: GrantIn) -> consent.GrantView:
    """Share the chosen levels with the therapist who has this e-mail address."""
    levels = levels_from(body.calendar, body.wellness, body.training)
    return consent.grant_view(consent.share(consents, runner, body.therapist_email, levels))


@router.patch("/grants/{grant_id}")
def change_grant(
    runner: RunnerId, consents: ConsentsDep, grant_id: str, body: GrantChanges
) -> consent.GrantView:
    """Change the levels given; the therapist's next request reads what is shared then."""
    given = {
        Level.CALENDAR: body.calendar,
        Level.WELLNESS: body.wellness,
        Level.TRAINING: body.training,
    }
    changes = {level: on for level, on in given.items() if on is not None}
    return consent.grant_view(consent.change(consents, runner, grant_id, changes))


@router.delete("/grants/{grant_id}")
def revoke_grant(runner: RunnerId, consents: ConsentsDep, grant_id: str) -> consent.GrantView:
    """Stop sharing: the therapist's next request finds nothing of the runner's."""
    return consent.grant_view(consent.revoke(consents, runner, grant_id))


@router.get("/access-log")
def access_log(
    runner: RunnerId, consents: ConsentsDep, limit: LimitQuery = consent.DEFAULT_LOG_ENTRIES
) -> AccessLogAnswer:
    """Who read what of the runner's data, and when: one entry per request and level read,
    newest first."""
    entries = consent.access_log(consents, runner, limit)
    return {"entries": [consent.access_entry_view(entry) for entry in entries]}
