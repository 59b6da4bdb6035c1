"""Every error rubdown raises on purpose, under one root.

The command line and (later) the web app translate a ``RubdownError`` into a message once,
at their edge; anything else that escapes is a bug.

    RubdownError
    ├── InputError            something the runner typed or handed over is not usable
    │   ├── InvalidDate        "2027-02-30", "next friday"
    │   ├── UnknownName        a session kind, region, tool, policy ... that does not exist
    │   ├── InvalidValue       a number out of range, a malformed list
    │   ├── NotAllowed         a booking the timing and safety rules say no to
    │   │   └── BookingRefused  a therapist's booking a rule refused, with the nearest slots
    │   ├── HomeNotEmpty       a restore into a home that already has the runner's data
    │   └── TentRefused        a tent action that does not fit the queue now (a busy table)
    ├── FileFormatError       a file (an .ics calendar, later an activity file) cannot be read
    ├── NotFound              a rule ID, a race or a session that is not there
    ├── KnowledgeBaseError    the bundled rules are inconsistent (a packaging bug, not user input)
    ├── StoreError            the database cannot be opened or migrated
    ├── ImportsBusy           a runner's imports already running or waiting fill the room (429)
    ├── AccountError          logging in and managing accounts (server mode)
    │   ├── NotLoggedIn        no session, or it ended or was revoked (web: 401)
    │   ├── LoginRefused       a wrong e-mail address or password, a disabled account (401)
    │   ├── TooManyAttempts    the login limits per account or address were reached (429)
    │   ├── Conflict           an e-mail address that already has an account (409)
    │   └── RoleRefused        a tent device acting beyond its role (a desk changing settings)
    └── PlanningError         the optimiser failed to produce any plan

Each class has a stable ``code`` for machine-readable output (``--json``, the web API).
"""

from __future__ import annotations


class RubdownError(Exception):
    """Root of rubdown's own errors; ``str(error)`` is a message fit for the runner."""

    code = "error"
    exit_status = 1


class InputError(RubdownError):
    code = "invalid_input"
    exit_status = 2


class InvalidDate(InputError):
    code = "invalid_date"


class UnknownName(InputError):
    code = "unknown_name"


class InvalidValue(InputError):
    code = "invalid_value"


class NotAllowed(InputError):
    """The rules say no (a deep massage two days before an A race); ``--anyway`` overrides."""

    code = "not_allowed"


class BookingRefused(NotAllowed):
    """A therapist's booking that a rule refused (the client's races, their intake, the
    therapist's own rules); ``check`` is the whole answer, with the nearest allowed slots.
    An override with a written reason books it anyway, unless the refusal is one no reason
    lifts (a session already booked at that time, a time already past)."""

    code = "booking_refused"

    def __init__(self, message: str, check: object = None) -> None:
        super().__init__(message)
        self.check = check


class HomeNotEmpty(InputError):
    """A restore (``rubdown import export.zip``) writes only into a home with no data for the
    runner: merging two homes' rows is not something a restore can do safely."""

    code = "not_empty"


class TentRefused(InputError):
    """A race-day tent action that the queue as it is cannot take: calling to a busy table,
    finishing a runner who is not at one, checking in a bib already in the queue (409)."""

    code = "refused"


class FileFormatError(RubdownError):
    code = "bad_file"
    exit_status = 2


class NotFound(RubdownError):
    code = "not_found"
    exit_status = 3


class KnowledgeBaseError(RubdownError):
    code = "knowledge_base"


class StoreError(RubdownError):
    code = "store"


class ImportsBusy(RubdownError):
    """As many imports as one runner may have are running or waiting; one more must wait."""

    code = "busy"


class AccountError(RubdownError):
    """A login, session or account refused; the web app answers each with its own status
    (``web.errors.status_for``)."""

    code = "account"
    exit_status = 2


class NotLoggedIn(AccountError):
    code = "unauthorized"


class LoginRefused(AccountError):
    code = "login_refused"


class TooManyAttempts(AccountError):
    code = "too_many_attempts"


class Conflict(AccountError):
    code = "conflict"


class RoleRefused(AccountError):
    """A tent device (``rubdown tent serve``) asked for what its role does not do."""

    code = "forbidden"


class PlanningError(RubdownError):
    code = "planning"
