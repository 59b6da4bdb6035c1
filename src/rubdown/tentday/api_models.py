"""The tent day's API answers as Pydantic models, so its ``/openapi.json`` documents them all.

The use case (``services.tent_day``) builds its answers as plain dicts; these models say what
those dicts hold, key by key and in the same order (Pydantic writes an answer in its model's
order). Every model forbids keys it does not name, so a key the use case adds without a word
here fails the tent's API tests (``tests/integration/test_tent_api_schema.py``) instead of
being left out of an answer silently.

Failures have the one error shape of the main app (``web.responses.ErrorBody``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from rubdown.web.responses import failure


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeviceAnswer(_Answer):
    """The calling device: its role, its table (tables only), the CSRF token its page sends
    with each change, and its id."""

    role: str = Field(examples=["desk"])
    table: int | None
    csrf: str
    device: str


class JoinAnswer(DeviceAnswer):
    token: str | None = Field(
        default=None, description="the Bearer token, only when the join asked for it"
    )


class SignAnswer(_Answer):
    key: str
    question: str
    rule: str


class TriageAnswer(_Answer):
    signs: list[SignAnswer]


class VisitAnswer(_Answer):
    id: str
    bib: str
    name: str
    distance: str
    state: str = Field(examples=["waiting"])
    checked_in_at: str
    table: int | None
    called_at: str | None
    done_at: str | None
    signs: list[str]
    calls: int


class DistanceWaiting(_Answer):
    distance: str
    waiting: int


class TableOnBoard(_Answer):
    table: int
    busy: bool
    bib: str | None
    called_at: str | None
    due_at: str | None


class BoardAnswer(_Answer):
    """What the board shows: bibs, never names."""

    seq: int
    at: str
    waiting: int
    waiting_by_distance: list[DistanceWaiting]
    wait_s: int
    tables: list[TableOnBoard]
    tables_busy: int
    tables_staffed: int
    served: int
    medical: int
    no_shows: int
    mean_session_s: int
    priorities: list[str]
    cap_s: int


class TableAnswer(_Answer):
    table: int
    visit: VisitAnswer | None
    due_at: str | None
    cap_s: int
    waiting: int


class LookupAnswer(_Answer):
    bib: str
    name: str
    distance: str
    open_visit: VisitAnswer | None


class SettingsAnswer(_Answer):
    priorities: list[str]
    cap_s: int
    tables: int


class SummaryAnswer(_Answer):
    checked_in: int
    served: int
    medical: int
    no_shows: int
    still_waiting: int
    at_tables: int
    wait_p50_s: int | None
    wait_p90_s: int | None
    wait_p99_s: int | None
    mean_session_s: int | None


class QueueAnswer(_Answer):
    """The lead's view: the head of the queue in calling order, no-shows, settings, summary."""

    waiting: list[VisitAnswer]
    waiting_total: int
    no_shows: list[VisitAnswer]
    settings: SettingsAnswer
    summary: SummaryAnswer


class SnapshotAnswer(_Answer):
    seq: int
    settings: SettingsAnswer
    visits: list[VisitAnswer]
    queue: list[str]
    tables: dict[str, str]


class MedicalSign(_Answer):
    sign: str
    question: str
    rule: str


class ActionAnswer(_Answer):
    """An action's answer: ``seq`` is ``null`` for a call with nobody waiting (nothing kept);
    ``replayed`` when the idempotency key was seen and the first answer is given again."""

    seq: int | None
    replayed: bool
    visit: VisitAnswer | None
    position: int | None = Field(default=None, description="a check-in's place in the queue")
    wait_s: int | None = Field(default=None, description="a check-in's estimated wait")
    medical: list[MedicalSign] | None = Field(
        default=None, description="the signs that sent a runner to medical"
    )


# What a tent route may answer besides its success, all in the one error shape.
ERRORS: dict[int | str, dict[str, Any]] = {
    400: failure("A Host this server does not answer to"),
    401: failure("This device has not joined, or a browser change came without X-Tent-CSRF"),
    403: failure("A change from another site, or beyond the device's role"),
    413: failure("A body over 64 KiB"),
    422: failure("The request cannot be used: what to fix is in the message"),
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: failure("An unknown bib, or a runner at another table"),
}
JOIN_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    429: failure("Ten wrong PINs from this address: a five-minute pause"),
}
ACTION_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    **NOT_FOUND,
    409: failure("The action does not fit the queue as it is (a busy table, a bib waiting)"),
    503: failure("The day file did not take the action: retry with the same key"),
}
