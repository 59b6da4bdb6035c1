"""The pages of ``rubdown serve``, one module each; every handler reads input, calls a
service and renders its view (``web.render``). Changes from a page go through small
``/ui/...`` routes that answer with HTML fragments for HTMX, or through the JSON API."""

from __future__ import annotations

from fastapi import APIRouter

from rubdown.web.pages import checkin, feeds, importing, load, plan, rules, settings, today

PAGES = (today, checkin, plan, load, rules, importing, settings, feeds)


def routers() -> list[APIRouter]:
    return [module.router for module in PAGES]
