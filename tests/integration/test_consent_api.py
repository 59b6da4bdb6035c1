"""Sharing through the API in server mode (on PostgreSQL): a runner's grants, a therapist's
granted reads, the access log, and a revoke that holds on the therapist's next request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.server import People, people
from tests.support.web import TODAY, assert_error

pytestmark = pytest.mark.postgres

ROLES = {
    "ana": "runner",
    "bo": "runner",
    "theo": "therapist",
    "tess": "therapist",
    "root": "admin",
}
ANA_RACE = "Ana's Spring Marathon"
ALL = {"calendar": True, "wellness": True, "training": True}


@pytest.fixture(scope="module")
def crowd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[People]:
    # One server for the module: making and logging in users costs Argon2's second each.
    with people(tmp_path_factory.mktemp("consent"), ROLES) as made:
        made.race_in_pain("ana", ANA_RACE, "left-heel")
        yield made


@pytest.fixture(autouse=True)
def _no_grants_left(crowd: People) -> Iterator[None]:
    yield
    crowd.forget_grants()


def _share(crowd: People, levels: dict[str, bool], runner: str = "ana") -> str:
    # Typed with capitals, as a runner might: the address is matched without case.
    return crowd.share(runner, "Theo@Example.org", levels)


def _client_path(crowd: People, level: str, runner: str = "ana") -> str:
    return f"/api/clients/{crowd.ids[runner]}/{level}"


def test_a_runner_shares_and_the_therapist_sees_them_as_a_client(crowd: People) -> None:
    grant_id = _share(crowd, {"calendar": True, "training": True})

    grants = crowd.client("ana").get("/api/grants").json()["grants"]
    clients = crowd.client("theo").get("/api/clients").json()["clients"]

    assert [(g["id"], g["therapist_email"]) for g in grants] == [(grant_id, "theo@example.org")]
    assert (grants[0]["calendar"], grants[0]["wellness"], grants[0]["training"]) == (
        True,
        False,
        True,
    )
    assert clients == [
        {
            "runner_id": crowd.ids["ana"],
            "email": "ana@example.org",
            "calendar": True,
            "wellness": False,
            "training": True,
            "since": grants[0]["created_at"],
        }
    ]
    assert crowd.client("tess").get("/api/clients").json() == {"clients": []}
    assert crowd.client("bo").get("/api/grants").json() == {"grants": []}


@pytest.mark.parametrize("email", ["bo@example.org", "root@example.org", "nobody@example.org"])
def test_sharing_with_an_address_that_is_no_therapists_says_the_same_for_any(
    crowd: People, email: str
) -> None:
    answer = crowd.client("ana").post("/api/grants", json={"therapist_email": email, **ALL})

    error = assert_error(answer, 422, "invalid_value")
    assert error["message"] == "no therapist with that e-mail address"
    assert crowd.client("ana").get("/api/grants").json() == {"grants": []}


def test_sharing_nothing_and_sharing_twice_are_refused_in_one_line(crowd: People) -> None:
    nothing = crowd.client("ana").post("/api/grants", json={"therapist_email": "theo@example.org"})
    assert "at least one level" in assert_error(nothing, 422)["message"]
    _share(crowd, {"calendar": True})
    again = crowd.client("ana").post(
        "/api/grants", json={"therapist_email": "theo@example.org", "wellness": True}
    )
    assert "already share" in assert_error(again, 422)["message"]


def test_the_therapist_reads_the_granted_level_and_the_runner_sees_each_read(
    crowd: People,
) -> None:
    grant_id = _share(crowd, {"calendar": True})
    theo = crowd.client("theo")

    first = theo.get(_client_path(crowd, "calendar"))
    second = theo.get(_client_path(crowd, "calendar"))

    assert first.status_code == 200, first.text
    assert [race["name"] for race in first.json()["races"]] == [ANA_RACE]
    assert second.json() == first.json()
    log = crowd.client("ana").get("/api/access-log").json()["entries"]
    assert len(log) == 2
    assert {(e["viewer_email"], e["level"], e["grant_id"]) for e in log} == {
        ("theo@example.org", "calendar", grant_id)
    }
    assert log[0]["what"] == f"GET {_client_path(crowd, 'calendar')}"
    assert crowd.client("bo").get("/api/access-log").json() == {"entries": []}


def test_a_level_not_granted_answers_404_and_is_not_logged(crowd: People) -> None:
    _share(crowd, {"calendar": True})

    for level in ("wellness", "training"):
        answer = crowd.client("theo").get(_client_path(crowd, level))
        assert_error(answer, 404, "not_found")
        assert "red_flags" not in answer.text
        assert "activities" not in answer.text
    assert crowd.client("ana").get("/api/access-log").json() == {"entries": []}


def test_the_granted_wellness_shows_the_red_flags(crowd: People) -> None:
    _share(crowd, {"wellness": True})

    answer = crowd.client("theo").get(_client_path(crowd, "wellness"))

    assert answer.status_code == 200, answer.text
    (checkin,) = answer.json()["checkins"]
    assert checkin["red_flags"]


def test_the_granted_training_gives_the_load(crowd: People) -> None:
    _share(crowd, {"training": True})

    answer = crowd.client("theo").get(_client_path(crowd, "training"))

    assert answer.status_code == 200, answer.text
    assert answer.json()["load"]["to"] == TODAY.isoformat()


def test_a_revoke_holds_on_the_therapists_next_request(crowd: People) -> None:
    grant_id = _share(crowd, ALL)
    theo = crowd.client("theo")
    assert theo.get(_client_path(crowd, "calendar")).status_code == 200

    revoked = crowd.client("ana").delete(f"/api/grants/{grant_id}")

    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    for level in ("calendar", "wellness", "training"):
        assert_error(theo.get(_client_path(crowd, level)), 404)
    assert theo.get("/api/clients").json() == {"clients": []}
    assert crowd.client("ana").get("/api/grants").json() == {"grants": []}
    assert_error(crowd.client("ana").delete(f"/api/grants/{grant_id}"), 404)
    assert_error(crowd.client("ana").patch(f"/api/grants/{grant_id}", json=ALL), 404)


def test_a_change_of_levels_holds_on_the_therapists_next_request(crowd: People) -> None:
    grant_id = _share(crowd, {"calendar": True})
    theo = crowd.client("theo")
    assert_error(theo.get(_client_path(crowd, "wellness")), 404)

    changed = crowd.client("ana").patch(
        f"/api/grants/{grant_id}", json={"wellness": True, "calendar": False}
    )

    assert changed.status_code == 200, changed.text
    assert (changed.json()["calendar"], changed.json()["wellness"]) == (False, True)
    assert theo.get(_client_path(crowd, "wellness")).status_code == 200
    assert_error(theo.get(_client_path(crowd, "calendar")), 404)
    refused = crowd.client("ana").patch(f"/api/grants/{grant_id}", json={"wellness": False})
    assert "revoke" in assert_error(refused, 422)["message"]


def test_another_runners_grant_answers_404_and_stays_as_it_was(crowd: People) -> None:
    grant_id = _share(crowd, {"calendar": True})
    bo = crowd.client("bo")

    assert_error(bo.patch(f"/api/grants/{grant_id}", json=ALL), 404)
    assert_error(bo.delete(f"/api/grants/{grant_id}"), 404)

    (grant,) = crowd.client("ana").get("/api/grants").json()["grants"]
    assert (grant["calendar"], grant["wellness"], grant["revoked_at"]) == (True, False, None)


def test_a_runner_who_has_not_shared_or_does_not_exist_reads_the_same(crowd: People) -> None:
    _share(crowd, ALL, runner="bo")  # Bo shares with Theo, not with Tess
    tess = crowd.client("tess")

    not_shared = tess.get(_client_path(crowd, "calendar", runner="bo"))
    nobody = tess.get("/api/clients/0123456789abcdef0123456789abcdef/calendar")

    assert assert_error(not_shared, 404) == assert_error(nobody, 404)
    assert crowd.client("bo").get("/api/access-log").json() == {"entries": []}


@pytest.mark.parametrize("name", ["theo", "root"])
def test_the_sharing_routes_are_a_runners_only(crowd: People, name: str) -> None:
    client = crowd.client(name)

    assert_error(client.get("/api/grants"), 404)
    assert_error(client.post("/api/grants", json={"therapist_email": "tess@example.org"}), 404)
    assert_error(client.get("/api/access-log"), 404)


@pytest.mark.parametrize("name", ["ana", "root"])
def test_the_client_routes_are_a_therapists_only(crowd: People, name: str) -> None:
    _share(crowd, ALL)
    client = crowd.client(name)

    assert_error(client.get("/api/clients"), 404)
    assert_error(client.get(_client_path(crowd, "calendar")), 404)


def test_without_a_session_the_sharing_and_client_routes_answer_401(crowd: People) -> None:
    anonymous = crowd.client(None)

    assert_error(anonymous.get("/api/grants"), 401)
    assert_error(anonymous.get("/api/access-log"), 401)
    assert_error(anonymous.get("/api/clients"), 401)


def test_the_access_log_limit_is_checked(crowd: People) -> None:
    assert_error(crowd.client("ana").get("/api/access-log?limit=0"), 422)
    assert_error(crowd.client("ana").get("/api/access-log?limit=100000"), 422)


def test_the_sharing_page_shares_changes_and_revokes(crowd: People) -> None:
    ana = crowd.client("ana")

    shared = ana.post(
        "/ui/sharing", data={"therapist_email": "theo@example.org", "calendar": "true"}
    )
    assert shared.status_code == 200, shared.text
    assert "theo@example.org" in shared.text
    (grant,) = ana.get("/api/grants").json()["grants"]
    changed = ana.post(f"/ui/sharing/{grant['id']}/levels", data={"training": "true"})
    assert changed.status_code == 200, changed.text
    (grant,) = ana.get("/api/grants").json()["grants"]
    assert (grant["calendar"], grant["training"]) == (False, True)
    crowd.client("theo").get(_client_path(crowd, "training"))

    page = ana.get("/sharing")
    assert page.status_code == 200, page.text
    assert "theo@example.org" in page.text
    assert f"/api/clients/{crowd.ids['ana']}/training" in page.text

    revoked = ana.post(f"/ui/sharing/{grant['id']}/revoke")
    assert revoked.status_code == 200, revoked.text
    assert ana.get("/api/grants").json() == {"grants": []}
    assert_error(ana.post("/ui/sharing", data={"therapist_email": "bo@example.org"}), 422)


SHARING_OPERATIONS = [
    ("get", "/api/grants"),
    ("post", "/api/grants"),
    ("patch", "/api/grants/{grant_id}"),
    ("delete", "/api/grants/{grant_id}"),
    ("get", "/api/access-log"),
    ("get", "/api/clients"),
    ("get", "/api/clients/{runner_id}/calendar"),
    ("get", "/api/clients/{runner_id}/wellness"),
    ("get", "/api/clients/{runner_id}/training"),
]


def test_the_sharing_routes_document_their_answers(crowd: People) -> None:
    document: dict[str, Any] = crowd.app.openapi()
    for method, path in SHARING_OPERATIONS:
        operation = document["paths"][path][method]
        success = "201" if (method, path) == ("post", "/api/grants") else "200"
        schema = operation["responses"][success]["content"]["application/json"]["schema"]
        assert "$ref" in schema, (method, path)
        error = operation["responses"]["404"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/ErrorBody"}
