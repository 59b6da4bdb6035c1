"""Clients, the therapist's side (server mode): the runners who share with them, and what each
shares.

Every read goes through ``services.consent.client_runner``: the grant is read from the
database on the request (a revoke holds on the next one), the client's data is read through
the granted view, and the read is logged in the client's access log. A runner who has not
shared with this therapist, a level not shared, a revoked grant: all answer 404, the same as
a runner who does not exist. These routes are the therapist's only; anyone else finds them
not there (404).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from typing_extensions import TypedDict

from rubdown.domain.accounts import Role, User
from rubdown.domain.consent import Consents
from rubdown.errors import NotFound
from rubdown.services import consent
from rubdown.services.runner import Runner
from rubdown.web.deps import shared_services
from rubdown.web.responses import ERRORS
from rubdown.web.routes_consent import ConsentsDep, signed_in

router = APIRouter(prefix="/api", responses=ERRORS, tags=["clients"])


def therapist(user: Annotated[User, Depends(signed_in)]) -> User:
    if user.role is not Role.THERAPIST:
        raise NotFound("not found")
    return user


TherapistDep = Annotated[User, Depends(therapist)]


class ClientsAnswer(TypedDict):
    clients: list[consent.ClientView]


def _client(request: Request, consents: Consents, user: User, runner_id: str) -> Runner:
    # The client's runner is opened on the shared services only once the grant is found:
    # the therapist's request opens no runner of its own.
    services = shared_services(request.app.state)
    what = f"GET {request.url.path}"
    return consent.client_runner(consents, user.id, runner_id, what, services.app)


@router.get("/clients")
def list_clients(user: TherapistDep, consents: ConsentsDep) -> ClientsAnswer:
    """The runners who share with you now, each with the levels shared."""
    return {"clients": [consent.client_view(g) for g in consent.clients(consents, user.id)]}


@router.get("/clients/{runner_id}/calendar")
def client_calendar(
    request: Request, user: TherapistDep, consents: ConsentsDep, runner_id: str
) -> consent.ClientCalendarView:
    """The client's races, workouts, massage sessions and plan (the calendar level)."""
    return consent.client_calendar(_client(request, consents, user, runner_id))


@router.get("/clients/{runner_id}/wellness")
def client_wellness(
    request: Request, user: TherapistDep, consents: ConsentsDep, runner_id: str
) -> consent.ClientWellnessView:
    """The client's check-ins with their red flags and warning signs, injuries and
    self-massage log (the wellness level)."""
    return consent.client_wellness(_client(request, consents, user, runner_id))


@router.get("/clients/{runner_id}/training")
def client_training(
    request: Request, user: TherapistDep, consents: ConsentsDep, runner_id: str
) -> consent.ClientTrainingView:
    """The client's training load over the last weeks, with the activities, runs and the
    watch's daily values in them (the training level)."""
    return consent.client_training(_client(request, consents, user, runner_id))
