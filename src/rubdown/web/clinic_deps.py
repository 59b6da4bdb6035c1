"""The logged-in therapist's clinic, for the clinic's routes and pages (server mode).

One ``TherapistClinic`` per request around the server's shared store: the clinic's tables
are bound to the therapist's id, and each client's rules are read through that client's
grant when the route asks for them (``bootstrap.therapist_clinic``). Anyone who is not a
therapist finds these routes not there (404), as a runner finds another runner's data.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from rubdown.bootstrap import TherapistClinic, therapist_clinic
from rubdown.domain.accounts import User
from rubdown.web.deps import shared_services
from rubdown.web.routes_clients import therapist


def clinic_of(request: Request, user: Annotated[User, Depends(therapist)]) -> TherapistClinic:
    services = shared_services(request.app.state)
    what = f"{request.method} {request.url.path}"
    return therapist_clinic(services.store, user.id, services.clock, what)


ClinicDep = Annotated[TherapistClinic, Depends(clinic_of)]
