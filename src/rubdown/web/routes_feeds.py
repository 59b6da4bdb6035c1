"""``POST /api/feeds/secret``: a new private calendar feed URL; the old one stops at once.

The feed itself (``GET /feeds/<secret>.ics``) is served by ``web.feeds``; this is the
state-changing half, behind the same cross-site guard as every other change.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from rubdown.services.feeds import has_feed, new_feed_secret, revoke_feed
from rubdown.web.deps import AppDep
from rubdown.web.feeds import new_feed_urls
from rubdown.web.responses import ERRORS, FeedOff, FeedStatus, NewFeed

router = APIRouter(prefix="/api", responses=ERRORS)


@router.get("/feeds", tags=["feeds"])
def feed_status(app: AppDep) -> FeedStatus:
    """Whether a feed exists; its URL is shown only once, when it is made."""
    return {"active": has_feed(app)}


@router.post("/feeds/secret", tags=["feeds"])
def regenerate_feed(app: AppDep, request: Request) -> NewFeed:
    """Make a new secret: the full and busy-only feed URLs to copy into a calendar app."""
    secret = new_feed_secret(app)
    return {"urls": new_feed_urls(request, secret)}


@router.delete("/feeds/secret", tags=["feeds"])
def turn_feed_off(app: AppDep) -> FeedOff:
    """Stop the feed: its URLs answer 404 from now on, until a new secret is made."""
    return {"active": False, "was_active": revoke_feed(app)}
