"""The Tent plan page of ``rubdown serve``: the form alone, a plan with its chart and slots,
and a bad input shown on the page (422) rather than as a traceback; a previous year's results
uploaded as the finish curve, and a bad or oversized file refused in one line."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

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


def results_csv(runners: int = 400) -> bytes:
    """A previous year's half marathon: bib and chip time, 1:20 to 2:50, one DNF."""
    rows = ["bib;name;chip time"]
    for n in range(runners):
        seconds = 4800 + n * 5400 // runners
        rows.append(
            f"{n + 1};Runner {n};{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        )
    rows.append(f"{runners + 1};Late Runner;DNF")
    return ("\n".join(rows) + "\n").encode()


def upload(client: TestClient, data: bytes, name: str = "last-year.csv") -> Any:
    return client.post("/ui/tent/plan", data=PLAN, files={"results": (name, data, "text/csv")})


def test_an_uploaded_results_file_is_the_finish_curve(client: TestClient) -> None:
    response = upload(client, results_csv())
    assert response.status_code == 200, response.text
    page = Page(response.text)
    curve = page.words_of("tent-result")
    assert 'last-year.csv: 400 finish times from column "chip time", 1 rows without a time' in curve
    assert "rescaled to 3000 finishers" in curve
    assert int(page.words_of("tent-peak")) > 0
    assert page.find("svg")


def test_the_form_without_a_file_is_sent_to_the_plans_link(client: TestClient) -> None:
    response = client.post("/ui/tent/plan", data=PLAN, files={"results": ("", b"", "text/csv")})
    assert response.status_code == 200
    link = urlsplit(response.headers["HX-Redirect"])
    assert link.path == "/tent/plan"
    query = parse_qs(link.query)
    assert query["finishers"] == ["3000"]
    assert query["shifts"] == ["09:00-11:30=6"]
    assert query["walk"] == ["5-15"]  # a default, filled in


def test_a_bad_results_file_is_refused_naming_its_line(client: TestClient) -> None:
    bad = results_csv(5).replace(b"3;Runner 2;", b"3;Runner 2;soon")
    response = upload(client, bad)
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert message.startswith('last-year.csv, line 4: "soon')
    assert "is not a finish time" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"bib,time\n" + b"1,3:00:00\n" * 100_000, "over 1,000 KB"),
        (b"PK\x03\x04\x00\x00\x08", "not a CSV file"),
        (b"bib,name\n1,Ann\n", "no finish-time column"),
    ],
)
def test_an_oversized_or_unusable_file_is_one_clear_line(
    client: TestClient, data: bytes, words: str
) -> None:
    response = upload(client, data, "results.csv")
    assert response.status_code == 422
    assert words in response.json()["error"]["message"]


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
