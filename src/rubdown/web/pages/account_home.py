"""The Account page (server mode): where a therapist or an admin lands after logging in.

A runner lands on Today; a therapist or an admin owns no runner data, so every runner page
answers them 404. Here each finds who they are logged in as and what is theirs to see: a
therapist the runners who share with them and at which levels (each links to the granted
reads of ``/api/clients``), an admin the accounts on this server. A runner sees who they are
and a link to their Sharing page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from rubdown import __version__
from rubdown.domain.accounts import Role, User
from rubdown.services import consent
from rubdown.web.render import nav_for, templates
from rubdown.web.routes_account import accounts_of, user_view
from rubdown.web.routes_consent import ConsentsDep, signed_in

router = APIRouter(include_in_schema=False)


@router.get("/account", response_class=HTMLResponse)
def account_page(
    request: Request, user: Annotated[User, Depends(signed_in)], consents: ConsentsDep
) -> HTMLResponse:
    clients = []
    users = []
    if user.role is Role.THERAPIST:
        clients = [consent.client_view(grant) for grant in consent.clients(consents, user.id)]
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
    )
    return HTMLResponse(html)
