"""The Tent plan page of ``rubdown serve``: the form alone, a plan with its chart and slots,
and a bad input shown on the page (422) rather than as a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.pg import fresh_postgres_url
from tests.support.html import Page
from tests.support.web import TODAY

PLAN = {
    "finishers": "3000",
    "distance": "half",
    "start": "08:30",
    "uptake": "15%",
    "shifts": "09:00-11:30=6",
}


def test_the_page_without_a_field_size_shows_the_form_only(client: TestClient) -> None:
    response = client.get("/tent/plan")
    assert response.status_code == 200
    page = Page(response.text)
    assert page.by_id("tent-form")
    assert page.by_id("tent-uptake").attrs["value"] == "10%"
    assert not page.find(id="tent-result")


def test_a_plan_shows_its_summary_chart_and_slots(client: TestClient) -> None:
    response = client.get("/tent/plan", params=PLAN)
    assert response.status_code == 200, response.text
    page = Page(response.text)
    assert "half model, log-normal" in page.words_of("tent-result")
    assert int(page.words_of("tent-peak")) > 6
    assert set(page.with_attr("data-summary")) >= {"with_shifts", "with_needed", "needed"}
    assert page.find("svg")
    assert page.with_attr("data-slot")
    # What was asked stays in the form, to change and plan again.
    assert page.by_id("tent-shifts").attrs["value"] == "09:00-11:30=6"


def test_bad_input_is_one_message_on_the_page(client: TestClient) -> None:
    response = client.get("/tent/plan", params={**PLAN, "shifts": "9-12=20"})
    assert response.status_code == 422
    page = Page(response.text)
    assert "does not parse" in page.words_of("tent-error")
    assert not page.find(id="tent-result")


def test_the_page_bounds_the_field_it_simulates(client: TestClient) -> None:
    response = client.get("/tent/plan", params={**PLAN, "finishers": "5000000"})
    assert response.status_code == 422
    assert "rubdown tent plan has no limit" in Page(response.text).words_of("tent-error")


@pytest.mark.postgres
def test_in_server_mode_a_therapist_leading_the_tent_gets_the_page(tmp_path: Path) -> None:
    from rubdown.bootstrap import Settings, open_store, upgrade_database
    from rubdown.domain.accounts import Role
    from rubdown.web.app import create_app
    from tests.support.accounts import SERVER_BASE, logged_in_client, make_user

    with fresh_postgres_url() as url:
        settings = Settings(tmp_path / "home", url, today=TODAY, server=True)
        upgrade_database(settings)
        with open_store(url) as store:
            make_user(store, "lead@example.org", Role.THERAPIST)
        app = create_app(settings)
        with TestClient(app, base_url=SERVER_BASE, follow_redirects=False) as anonymous:
            assert anonymous.get("/tent/plan").status_code in {302, 303, 307, 401}
        with logged_in_client(app, "lead@example.org") as lead:
            response = lead.get("/tent/plan", params=PLAN)
        assert response.status_code == 200, response.text
        assert Page(response.text).find(id="tent-result")
