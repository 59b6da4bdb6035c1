"""The Rules page: the knowledge base by group with a search (``?q=`` on the server, and the
same filter in the browser), the pre-race window policies with the runner's own marked, and
the source documents. ``/rules/{id}`` sends a link to one rule to its place on the page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from rubdown.web.deps import AppDep
from rubdown.web.presenters.rule_book import rule_book
from rubdown.web.render import render_page

router = APIRouter(include_in_schema=False)


@router.get("/rules", response_class=HTMLResponse)
def rules_page(request: Request, app: AppDep, q: str | None = None) -> HTMLResponse:
    book = rule_book(app, q)
    return render_page(request, app, "pages/rules.html", active="rules", title="Rules", book=book)


@router.get("/rules/{rule_id}")
def rule_link(app: AppDep, rule_id: str) -> RedirectResponse:
    """An unknown rule is a 404 (``kb.rule`` says so); a known one is an anchor on the page."""
    rule = app.kb.rule(rule_id)
    return RedirectResponse(f"/rules#rule-{rule.id}", status_code=303)
