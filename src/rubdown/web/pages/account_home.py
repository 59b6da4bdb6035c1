"""The Account page (server mode): where a therapist or an admin lands after logging in.

A runner lands on Today; a therapist or an admin owns no runner data, so every runner page
answers them 404. Here each finds who they are logged in as and what is theirs to see: a
therapist the runners who share with them and at which levels (each links to the granted
reads of ``/api/clients``), an admin the accounts on this server. A runner sees who they are
and a link to their Sharing page.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from rubdown import __version__
from rubdown.bootstrap import clinic_feeds_for
from rubdown.domain.accounts import Role, User
from rubdown.domain.clinic.feeds import ClinicFeeds
from rubdown.services import consent
from rubdown.services.clinic import feeds as clinic_feeds
from rubdown.web.deps import shared_services
from rubdown.web.feeds import feed_base_url
from rubdown.web.render import nav_for, templates
from rubdown.web.routes_account import accounts_of, user_view
from rubdown.web.routes_clients import TherapistDep
from rubdown.web.routes_consent import ConsentsDep, signed_in

router = APIRouter(include_in_schema=False)


@router.get("/account", response_class=HTMLResponse)
def account_page(
    request: Request, user: Annotated[User, Depends(signed_in)], consents: ConsentsDep
) -> HTMLResponse:
    clients = []
    users = []
    feeds = {}
    if user.role is Role.THERAPIST:
        clients = [consent.client_view(grant) for grant in consent.clients(consents, user.id)]
        feeds = clinic_feeds.feed_views(clinic_feeds_for(_store(request)), user.id)
    if user.role is Role.ADMIN:
        users = [user_view(each) for each in accounts_of(request).list_users()]
    logged_in = request.state.logged_in
    html = templates.get_template("pages/account.html").render(
        request=request,
        version=__version__,
        csrf_token=logged_in.csrf_token,
        csrf_header=request.app.state.csrf_header,
        user=user,
        # A runner's pages, a therapist's clinic, nothing else for an admin.
        nav=nav_for(user),
        active="account",
        title="Account",
        alerts=[],
        clients=clients,
        users=users,
        feeds=feeds,
        made=None,
    )
    return HTMLResponse(html)


def _store(request: Request) -> Any:
    return shared_services(request.app.state).store


# The booking feeds' buttons (``fragments/clinic_feeds_panel.html``): each answers the panel
# again, with a new address shown this once.


@router.post("/ui/clinic-feeds/{view}", response_class=HTMLResponse)
def make_clinic_feed(request: Request, user: TherapistDep, view: str) -> HTMLResponse:
    feeds = clinic_feeds_for(_store(request))
    wanted = clinic_feeds.parse_view(view)
    secret = clinic_feeds.new_clinic_feed(feeds, user.id, wanted)
    made = {
        "view": str(wanted),
        "url": clinic_feeds.clinic_feed_url(feed_base_url(request), secret),
    }
    return _panel(feeds, user, made)


@router.post("/ui/clinic-feeds/{view}/off", response_class=HTMLResponse)
def clinic_feed_off(request: Request, user: TherapistDep, view: str) -> HTMLResponse:
    feeds = clinic_feeds_for(_store(request))
    clinic_feeds.revoke_clinic_feed(feeds, user.id, clinic_feeds.parse_view(view))
    return _panel(feeds, user, None)


def _panel(feeds: ClinicFeeds, user: User, made: dict[str, str] | None) -> HTMLResponse:
    html = templates.get_template("fragments/clinic_feeds_panel.html").render(
        feeds=clinic_feeds.feed_views(feeds, user.id), made=made
    )
    return HTMLResponse(html)
