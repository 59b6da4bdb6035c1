"""A bounded fuzzing job for the JSON API (issue 11, fault 10d): schemathesis reads the
in-process app's ``/openapi.json`` and sends every operation requests the schema allows,
with a fixed seed (``derandomize``), through the ASGI transport (no network, no server
process). Whatever it sends, the server answers below 500: a request it cannot use is a 4xx
in the error shape, never a crash. And every answer is what ``/openapi.json`` says it is: a
status the operation documents, its media type, a body its response schema admits (the
success models of ``services.views`` and ``web.responses``, or the one error shape).

The budget is ``FUZZ_EXAMPLES`` requests per operation (``RUBDOWN_FUZZ_EXAMPLES`` raises it for
a longer hunt); the whole job, SQLite and PostgreSQL, takes a minute or two on two cores. The
app under test is one per database kind, shared by all operations, so later operations meet
the races, workouts and check-ins earlier ones stored.

The upload routes (``/api/import``, ``/api/import/jobs``) are left out: each request there
starts an import, and the importers have fuzzers of their own.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from rubdown.bootstrap import Settings
from rubdown.domain.dates import FIRST_YEAR, LAST_YEAR
from rubdown.domain.model import WorkoutKind
from rubdown.store import sqlite_url_for_home
from rubdown.web.app import create_app
from rubdown.web.fields import DATE_PATTERN
from rubdown.web.guard import CSRF_HEADER
from tests.pg import fresh_postgres_url

FUZZ_EXAMPLES = int(os.environ.get("RUBDOWN_FUZZ_EXAMPLES", "25"))
# Requests the schema refuses (a wrong type, a missing field, a string too long) should all be
# 4xx; fewer of them, as every one stops at validation.
NEGATIVE_EXAMPLES = max(1, FUZZ_EXAMPLES * 2 // 5)
BASE = "http://127.0.0.1:8765"  # a Host the guard lets through
TODAY = dt.date(2027, 1, 4)
CSRF = "fuzz-csrf-token-that-the-app-is-given-so-writes-pass-the-guard"
UPLOADS = ("/api/import", "/api/import/jobs")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def fuzzed_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    home = tmp_path_factory.mktemp("fuzz") / "home"
    if request.param == "sqlite":
        yield from _app(Settings(home, sqlite_url_for_home(home), today=TODAY))
        return
    with fresh_postgres_url() as url:
        yield from _app(Settings(home, url, today=TODAY))


def _app(settings: Settings) -> Iterator[Any]:
    app = create_app(settings, csrf_token=CSRF)
    try:
        yield app
    finally:
        asgi.shutdown_lifespans()  # schemathesis started the app's lifespan: close its store


def _document() -> dict[str, Any]:
    # The schema does not depend on the data home, and create_app opens no store.
    nowhere = Path("/nonexistent/rubdown-home")
    app = create_app(Settings(nowhere, sqlite_url_for_home(nowhere), today=TODAY))
    return app.openapi()


SCHEMA = schemathesis.openapi.from_dict(_document()).exclude(path=list(UPLOADS))
OPERATIONS = sorted(result.ok().label for result in SCHEMA.get_all_operations())


def test_the_fuzzer_sees_every_operation_but_the_uploads() -> None:
    assert len(OPERATIONS) > 40
    assert "POST /api/races" in OPERATIONS
    assert not any(label.endswith(UPLOADS) for label in OPERATIONS)


@pytest.mark.parametrize("label", OPERATIONS)
def test_no_request_from_the_schema_gets_a_server_error_or_an_undocumented_answer(
    fuzzed_app: Any, label: str
) -> None:
    """Positive mode: requests the schema allows; negative: requests it refuses."""
    operation = SCHEMA.find_operation_by_label(label)
    assert operation is not None
    for mode in GenerationMode:
        try:
            _fuzz(fuzzed_app, operation, label, mode)
        except Unsatisfiable:
            # No parameters, or none whose schema can be broken (any string is a valid
            # query): there is no refused request to send, only allowed ones.
            assert mode is GenerationMode.NEGATIVE, f"{label}: the schema allows no request"


def _fuzz(fuzzed_app: Any, operation: Any, label: str, mode: GenerationMode) -> None:
    examples = FUZZ_EXAMPLES if mode is GenerationMode.POSITIVE else NEGATIVE_EXAMPLES

    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def requests_from_the_schema(case: Any) -> None:
        response = case.call(base_url=BASE, headers={CSRF_HEADER: CSRF}, app=fuzzed_app)
        assert response.status_code < 500, (
            f"{label} ({mode}) answered {response.status_code}: {response.text[:500]}\n"
            f"{case.as_curl_command()}"
        )
        case.validate_response(response, checks=CHECKS)

    requests_from_the_schema()


def test_the_schema_date_pattern_admits_exactly_the_years_of_the_date_policy() -> None:
    pattern = re.compile(DATE_PATTERN)
    for day in (f"{FIRST_YEAR}-01-01", f"{LAST_YEAR}-12-31", "2027-02-28", "2027-10-09"):
        assert pattern.fullmatch(day), day
    for day in (f"{FIRST_YEAR - 1}-12-31", f"{LAST_YEAR + 1}-01-01", "2027-13-01", "2027-1-01"):
        assert not pattern.fullmatch(day), day


def test_the_schema_lists_the_names_and_ranges_the_api_takes() -> None:
    schemas = _document()["components"]["schemas"]
    race = schemas["RaceIn"]["properties"]
    assert race["priority"]["enum"] == ["A", "B", "C"]
    assert race["date"]["pattern"] == DATE_PATTERN
    assert schemas["WorkoutIn"]["properties"]["kind"]["enum"] == list(WorkoutKind)
    log = schemas["RoutineLogIn"]["properties"]
    assert (log["steps_done"]["minimum"], log["steps_done"]["maximum"]) == (0, 1000)
    soreness = schemas["CheckInIn"]["properties"]["soreness"]["additionalProperties"]
    assert (soreness["minimum"], soreness["maximum"]) == (0, 10)
