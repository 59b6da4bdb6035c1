"""The people of a team server in a real browser, for the browser tests of sharing and the
clinic: a desktop tab each, logged in through the API, and the set-up those tests make
through the API beside the page they are about (a share, a therapist's hours, a service).

The ``team`` fixture (``tests/browser/conftest.py``) hands out a ``Team`` over the
``team_server``: Ana (a runner) and Theo (a therapist), whose user ids are ``team.ids``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rubdown.web.guard import CSRF_HEADER
from tests.support.accounts import PASSWORD

if TYPE_CHECKING:
    from tests.browser.conftest import Server, Tab

Headers = dict[str, str]  # what a change made through the API needs: the session's CSRF token

ANA = "ana@example.org"
THEO = "theo@example.org"
WEEKDAYS = "mon 09:00-17:00, tue 09:00-17:00, wed 09:00-17:00, thu 09:00-17:00, fri 09:00-17:00"


def log_in(tab: Tab, email: str, then: str = "") -> Headers:
    """Log in through the API, which shares its cookies with the tab (the login page has tests
    of its own), and open ``then`` if given; the headers a change through the API needs."""
    answer = tab.page.request.post("/api/login", data={"email": email, "password": PASSWORD})
    assert answer.status == 200, answer.text()
    if then:
        tab.page.goto(then)
        tab.settle()
    return {CSRF_HEADER: answer.json()["csrf_token"]}


def send(
    tab: Tab, method: str, path: str, headers: Headers, body: Any, status: int | None = None
) -> Any:
    """An API call from the tab's session; its JSON answer, which must be a success (or
    exactly ``status`` when given)."""
    answer = tab.page.request.fetch(path, method=method, data=body, headers=headers)
    if status is None:
        assert answer.ok, answer.text()
    else:
        assert answer.status == status, answer.text()
    return answer.json()


def share(tab: Tab, headers: Headers, **levels: bool) -> str:
    """The logged-in runner shares their calendar (and any other ``levels``) with Theo; the
    grant's id."""
    body = {"therapist_email": THEO, "calendar": True, **levels}
    return str(send(tab, "POST", "/api/grants", headers, body, status=201)["id"])


def open_weekdays(tab: Tab, headers: Headers, timezone: str) -> None:
    """The logged-in therapist works 09:00-17:00 on weekdays in ``timezone`` and takes
    bookings with no notice (the server's "today" is pinned: tests book days after it)."""
    rules = {"hours": WEEKDAYS, "timezone": timezone, "min_notice_h": 0}
    send(tab, "PUT", "/api/clinic/rules", headers, rules)


def add_service(tab: Tab, headers: Headers, kind: str, length_min: int, **more: Any) -> str:
    """A service on the logged-in therapist's menu; its id."""
    body = {"kind": kind, "length_min": length_min, **more}
    return str(send(tab, "POST", "/api/clinic/services", headers, body, status=201)["id"])


@dataclass
class Team:
    """The team server, its users' ids by name, and desktop tabs on it."""

    server: Server
    ids: dict[str, str]
    open_tab: Callable[[], Tab]

    def tab(self) -> Tab:
        """A desktop tab on the server, logged in as no one."""
        return self.open_tab()

    def log_in(self, email: str, then: str = "") -> tuple[Tab, Headers]:
        """A new tab logged in as ``email`` (on ``then`` if given), with its change headers."""
        tab = self.open_tab()
        return tab, log_in(tab, email, then)

    def sharing_runner(self, race: tuple[str, str, float] | None = None) -> tuple[Tab, Headers]:
        """Ana, logged in, shares her calendar with Theo; first, when given, she enters her A
        ``race`` (name, ISO date, distance in km)."""
        ana, headers = self.log_in(ANA)
        if race is not None:
            name, date, distance_km = race
            body = {"name": name, "date": date, "priority": "A", "distance_km": distance_km}
            send(ana, "POST", "/api/races", headers, body)
        share(ana, headers)
        return ana, headers

    def working_therapist(self, timezone: str) -> tuple[Tab, Headers]:
        """Theo, logged in, working weekdays in ``timezone`` (``open_weekdays``)."""
        theo, headers = self.log_in(THEO)
        open_weekdays(theo, headers, timezone)
        return theo, headers

    def client(self, name: str) -> str:
        """The clinic's reference to a runner who shares with the therapist."""
        return f"runner:{self.ids[name]}"
