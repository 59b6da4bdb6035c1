"""The tent day's ``/openapi.json`` documents every answer, and the answers are what it says.

Three checks: every API operation names a schema for its success and its failures; a day's
real answers (a check-in, a referral to medical, a call, a no-show, the lead's views) validate
against the response models, which refuse keys they do not name; and a bounded schemathesis
run (fixed seed) sends every operation requests the schema allows and checks each answer's
status, media type and body against the document. The live board's stream never ends, so it
is left to ``test_tent_server.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from pydantic import BaseModel
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from rubdown.services.tent_day import TentDay
from rubdown.tentday import open_day
from rubdown.tentday.api_models import (
    ActionAnswer,
    BoardAnswer,
    DeviceAnswer,
    JoinAnswer,
    LookupAnswer,
    QueueAnswer,
    SnapshotAnswer,
    TableAnswer,
    TriageAnswer,
)
from rubdown.web.responses import ErrorBody
from tests.support.tent import StepClock, answers, pins_of, write_entries

BASE = "http://127.0.0.1:8770"
STREAM = "/api/board/events"
EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def day(tmp_path: Path) -> TentDay:
    tent_day = open_day(tmp_path / "day.sqlite", StepClock())
    tent_day.load_entries(write_entries(tmp_path))
    return tent_day


def lead_of(day: TentDay) -> tuple[TestClient, str]:
    client = TestClient(create(day), base_url=BASE)
    joined = client.post("/api/join", json={"pin": pins_of(day)["lead"], "want_token": True})
    JoinAnswer.model_validate(joined.json())
    token = joined.json()["token"]
    client.cookies.clear()
    client.headers["Authorization"] = f"Bearer {token}"
    return client, token


def create(day: TentDay) -> Any:
    from rubdown.tentday.app import create_tent_app

    return create_tent_app(day)


def document(day: TentDay) -> dict[str, Any]:
    response = TestClient(create(day), base_url=BASE).get("/openapi.json")
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


def test_every_api_operation_documents_its_success_and_its_failures(day: TentDay) -> None:
    paths = document(day)["paths"]
    operations = [(p, m, op) for p, item in paths.items() for m, op in item.items()]
    assert len(operations) == 10
    for path, method, operation in operations:
        assert path.startswith("/api/"), path
        for status, response in operation["responses"].items():
            content = response.get("content", {})
            assert content, f"{method} {path} {status} has no body schema"
            for media in content.values():
                assert media["schema"], f"{method} {path} {status}"
            if status.startswith(("4", "5")):
                assert content["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
        success = operation["responses"]["200"]["content"]
        if path == STREAM:
            assert "text/event-stream" in success
        else:
            assert success["application/json"]["schema"]["$ref"].startswith("#/components/")


def validated(model: type[BaseModel], response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    model.model_validate(response.json())
    body: dict[str, Any] = response.json()
    return body


def test_a_days_real_answers_validate_against_the_response_models(day: TentDay) -> None:
    lead, _ = lead_of(day)
    n = iter(range(1000))

    def act(kind: str, **body: Any) -> dict[str, Any]:
        headers = {"Idempotency-Key": f"schema-key-{next(n):04d}"}
        answer = lead.post(f"/api/actions/{kind}", json=body, headers=headers)
        return validated(ActionAnswer, answer)

    act("configure", priorities=["marathon"], cap_s=900, tables=3)
    for bib in ("101", "102", "103"):
        assert act("checkin", bib=bib, answers=answers())["position"] >= 1
    medical = act("checkin", bib="", name="Hal", answers=answers("heat"))
    assert medical["medical"]
    called = act("call", table=1)["visit"]
    act("call", table=2)
    act("done", visit_id=called["id"])
    again = act("call", table=1)["visit"]
    act("no_show", visit_id=again["id"])
    act("requeue", visit_id=again["id"])
    validated(DeviceAnswer, lead.get("/api/me"))
    validated(TriageAnswer, lead.get("/api/triage"))
    validated(BoardAnswer, lead.get("/api/board"))
    validated(TableAnswer, lead.get("/api/table", params={"number": 2}))
    validated(TableAnswer, lead.get("/api/table", params={"number": 3}))
    assert validated(LookupAnswer, lead.get("/api/entries/102"))["open_visit"]
    validated(QueueAnswer, lead.get("/api/queue"))
    validated(SnapshotAnswer, lead.get("/api/snapshot"))
    # Failures are in the one error shape.
    for refused in (
        lead.get("/api/entries/999"),
        lead.post("/api/actions/call", json={"table": 1}),
        TestClient(create(day), base_url=BASE).get("/api/board"),
    ):
        assert refused.status_code >= 400
        ErrorBody.model_validate(refused.json())


def test_requests_the_schema_allows_get_documented_answers_and_no_server_error(
    day: TentDay,
) -> None:
    _, token = lead_of(day)
    app = create(day)
    schema = schemathesis.openapi.from_dict(document(day)).exclude(path=STREAM)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) == 9
    for operation in operations:
        fuzz(app, token, operation)


def fuzz(app: Any, token: str, operation: Any) -> None:
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def requests_from_the_schema(case: Any) -> None:
        response = case.call(base_url=BASE, headers={"Authorization": f"Bearer {token}"}, app=app)
        assert response.status_code < 500, (
            f"{operation.label} answered {response.status_code}: {response.text[:300]}"
        )
        case.validate_response(response, checks=CHECKS)

    requests_from_the_schema()
