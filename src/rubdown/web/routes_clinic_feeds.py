"""A therapist's calendar feeds of their bookings (server mode).

``GET /api/clinic/feeds`` says which feeds exist; ``POST /api/clinic/feeds/{view}`` makes
one (or replaces it: the old URL stops at once) and shows its URL this once; ``DELETE`` turns
it off. ``view`` is ``full`` (client, service and kind) or ``busy`` (only "Busy" blocks).

The feed itself, ``GET /feeds/clinic/<secret>.ics``, is fetched by calendar apps without a
login: the secret is the whole key (under ``/feeds/``, which the guard lets through), and an
unknown one gets a bare 404, as a runner's feed does (``web.feeds``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from typing_extensions import TypedDict

from rubdown.bootstrap import clinic_feeds_for
from rubdown.domain.clinic.feeds import ClinicFeeds
from rubdown.services.clinic import feeds as clinic_feeds
from rubdown.web.deps import shared_services
from rubdown.web.feeds import CALENDAR_TYPE, feed_base_url
from rubdown.web.responses import ERRORS
from rubdown.web.routes_clients import TherapistDep

router = APIRouter(prefix="/api/clinic", responses=ERRORS)
feed_router = APIRouter()

# As a runner's feed: private, and a refusal never kept (the URL may start working).
_FEED_HEADERS = {"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"}
_NOT_FOUND_HEADERS = {"Cache-Control": "no-store"}


class ClinicFeedStatus(TypedDict):
    full: bool
    busy: bool


class NewClinicFeed(TypedDict):
    view: str
    url: str  # shown this once: only its hash is kept


class ClinicFeedOff(TypedDict):
    view: str
    was_active: bool


def _feeds(request: Request) -> ClinicFeeds:
    return clinic_feeds_for(shared_services(request.app.state).store)


@router.get("/feeds", tags=["clinic"])
def clinic_feed_status(request: Request, user: TherapistDep) -> ClinicFeedStatus:
    """Which of the therapist's booking feeds exist (a URL is shown only when made)."""
    views = clinic_feeds.feed_views(_feeds(request), user.id)
    return {"full": views["full"], "busy": views["busy"]}


@router.post("/feeds/{view}", tags=["clinic"])
def make_clinic_feed(request: Request, user: TherapistDep, view: str) -> NewClinicFeed:
    """A new secret URL for the view; any earlier one of that view stops working."""
    wanted = clinic_feeds.parse_view(view)
    secret = clinic_feeds.new_clinic_feed(_feeds(request), user.id, wanted)
    return {
        "view": str(wanted),
        "url": clinic_feeds.clinic_feed_url(feed_base_url(request), secret),
    }


@router.delete("/feeds/{view}", tags=["clinic"])
def turn_clinic_feed_off(request: Request, user: TherapistDep, view: str) -> ClinicFeedOff:
    """Stop the view's feed: its URL answers 404 from now on."""
    wanted = clinic_feeds.parse_view(view)
    return {
        "view": str(wanted),
        "was_active": clinic_feeds.revoke_clinic_feed(_feeds(request), user.id, wanted),
    }


@feed_router.api_route(
    "/feeds/clinic/{secret}" + clinic_feeds.FEED_SUFFIX,
    methods=["GET", "HEAD"],
    include_in_schema=False,
)
async def clinic_feed(request: Request, secret: str) -> Response:
    services = shared_services(request.app.state)
    data = await run_in_threadpool(
        clinic_feeds.clinic_feed_ics, clinic_feeds_for(services.store), secret, services.clock
    )
    if data is None:
        return Response(status_code=404, headers=_NOT_FOUND_HEADERS)
    return Response(content=data, media_type=CALENDAR_TYPE, headers=_FEED_HEADERS)
