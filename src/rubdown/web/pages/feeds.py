"""The Calendar feed page: the private subscription URLs, and making or replacing them.

The store keeps only a hash of the feed's secret (``services.feeds``), so the URLs can be
shown only in the answer that makes them. The page says whether a feed exists; "Create feed"
and "Regenerate secret" both post to ``/ui/feeds/secret`` (what ``POST /api/feeds/secret``
does), which answers with the panel holding the new URLs. The old URL stops working at once.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from rubdown.services.feeds import has_feed, new_feed_secret, revoke_feed
from rubdown.web.deps import AppDep
from rubdown.web.feeds import new_feed_urls
from rubdown.web.render import render_fragment, render_page

router = APIRouter(include_in_schema=False)


@router.get("/feeds", response_class=HTMLResponse)
def feeds_page(request: Request, app: AppDep) -> HTMLResponse:
    return render_page(
        request,
        app,
        "pages/feeds.html",
        active="feeds",
        title="Calendar feed",
        active_feed=has_feed(app),
        urls=None,
    )


@router.post("/ui/feeds/secret", response_class=HTMLResponse)
def make_feed_secret(request: Request, app: AppDep) -> HTMLResponse:
    """A new secret: any earlier feed URL stops working as this one is stored."""
    urls = new_feed_urls(request, new_feed_secret(app))
    return render_fragment("fragments/feeds_panel.html", active_feed=True, urls=urls)


@router.post("/ui/feeds/off", response_class=HTMLResponse)
def turn_feed_off(app: AppDep) -> HTMLResponse:
    """What ``DELETE /api/feeds/secret`` does: subscribed calendars stop getting the plan."""
    revoke_feed(app)
    return render_fragment("fragments/feeds_panel.html", active_feed=False, urls=None)
