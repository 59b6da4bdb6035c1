"""``/openapi.json`` documents every answer of the API: each operation's success body has a
model of its own (not an open "any object"), and every failure the one error shape.

That the answers really are what the schema says is the fuzzing job's part
(``test_api_fuzz.py`` checks each response against it); here, that nothing is left out.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rubdown.bootstrap import Settings
from rubdown.store import sqlite_url_for_home
from rubdown.web.app import create_app
from rubdown.web.guard import CSRF_HEADER
from rubdown.web.responses import ErrorBody

NOWHERE = Path("/nonexistent/rubdown-home")  # create_app opens no store
ERROR_REF = "#/components/schemas/ErrorBody"


def _document() -> dict[str, Any]:
    app = create_app(Settings(NOWHERE, sqlite_url_for_home(NOWHERE), today=dt.date(2027, 1, 4)))
    return app.openapi()


DOCUMENT = _document()
OPERATIONS = [
    (f"{method.upper()} {path}", operation)
    for path, methods in DOCUMENT["paths"].items()
    if path.startswith("/api/")
    for method, operation in methods.items()
]


def _is_documented(schema: dict[str, Any]) -> bool:
    """A named model, or a choice between named models; not ``{}`` nor a bare object."""
    if "$ref" in schema:
        return True
    options = schema.get("anyOf") or schema.get("oneOf")
    return bool(options) and all("$ref" in option for option in options)


# The answers that are files, not JSON: each documented as binary of its own media type.
FILE_ANSWERS = {"GET /api/export/all": "application/zip"}
BINARY = {"type": "string", "format": "binary"}


def test_the_api_has_the_operations_a_client_uses() -> None:
    labels = {label for label, _ in OPERATIONS}
    assert len(labels) > 50
    assert {"GET /api/plan", "POST /api/checkins", "GET /api/load/chart"} <= labels


@pytest.mark.parametrize(("label", "operation"), OPERATIONS, ids=[label for label, _ in OPERATIONS])
def test_every_success_answer_has_a_model_of_its_own(label: str, operation: Any) -> None:
    successes = {code: answer for code, answer in operation["responses"].items() if code < "300"}
    assert successes, f"{label} documents no success"
    for code, answer in successes.items():
        content = answer.get("content")
        assert content, f"{label} {code} documents no body"
        if label in FILE_ANSWERS:
            assert content == {FILE_ANSWERS[label]: {"schema": BINARY}}, f"{label} {code}"
            continue
        for media_type, body in content.items():
            assert media_type == "application/json", f"{label} {code}: {media_type}"
            assert _is_documented(body["schema"]), f"{label} {code}: {body['schema']}"


@pytest.mark.parametrize(("label", "operation"), OPERATIONS, ids=[label for label, _ in OPERATIONS])
def test_every_failure_is_documented_in_the_one_error_shape(label: str, operation: Any) -> None:
    for code in ("400", "401", "403", "404", "413", "422", "500"):
        answer = operation["responses"].get(code)
        assert answer is not None, f"{label} does not document {code}"
        assert answer["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}, label


def test_the_schema_holds_no_error_shape_the_api_never_answers() -> None:
    # FastAPI's own {"detail": [...]} would be documented for 422 unless every route says
    # otherwise; rubdown answers 422 in its error shape (web.errors).
    assert "HTTPValidationError" not in DOCUMENT["components"]["schemas"]


def test_an_error_answer_is_the_documented_error_model(client: TestClient) -> None:
    missing = client.get("/api/rules/no-such-rule")
    refused = client.post("/api/races", json={"name": "", "date": "2027-13-01"})
    forged = client.post("/api/races", json={}, headers={CSRF_HEADER: "not-the-token"})
    for response, status in ((missing, 404), (refused, 422), (forged, 403)):
        assert response.status_code == status
        error = ErrorBody.model_validate_json(response.content, strict=True)
        assert error.model_dump() == response.json()
        assert error.error.message
