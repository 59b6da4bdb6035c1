"""Every failure leaves the API in one shape: ``{"error": {"code": ..., "message": ...}}``.

Input errors are 422, the status FastAPI itself gives a body it cannot validate, so a client
has one status to treat as "fix what you sent"; a missing race or rule is 404; the store or
the planner failing is 500. Anything else is a bug: 500 with a generic message, and the
traceback goes to the server log, not to the client.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from rubdown.errors import (
    AccountError,
    BookingRefused,
    Conflict,
    FileFormatError,
    InputError,
    LoginRefused,
    NotFound,
    NotLoggedIn,
    RoleRefused,
    RubdownError,
    TooManyAttempts,
)

log = logging.getLogger("rubdown.web")

HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}
# What each refusal of an account means over HTTP; any other AccountError is a bad request.
ACCOUNT_STATUSES: tuple[tuple[type[AccountError], int], ...] = (
    (NotLoggedIn, 401),
    (LoginRefused, 401),
    (TooManyAttempts, 429),
    (Conflict, 409),
    (RoleRefused, 403),
)


def error_response(status: int, code: str, message: str, **details: Any) -> JSONResponse:
    """``details`` are further keys of the error (a refused booking's rules and slots)."""
    return JSONResponse(
        {"error": {"code": code, "message": message, **details}}, status_code=status
    )


def status_for(error: RubdownError) -> int:
    # A booking a rule refused was well formed: the slot conflicts with the rules as they
    # stand (409), which an override with a reason, or another slot, resolves.
    if isinstance(error, BookingRefused):
        return 409
    if isinstance(error, InputError | FileFormatError):
        return 422
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, AccountError):
        return next((status for kind, status in ACCOUNT_STATUSES if isinstance(error, kind)), 400)
    return 500


async def rubdown_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RubdownError)
    return error_response(status_for(error), error.code, str(error))


async def validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return error_response(422, "invalid_input", "; ".join(_describe(e) for e in error.errors()))


def _describe(detail: dict[str, Any]) -> str:
    # ("body", "soreness", "calf") -> "soreness.calf"; the "body"/"query" part is noise here.
    where = ".".join(str(part) for part in detail.get("loc", ())[1:])
    message = str(detail.get("msg", "invalid"))
    return f"{where}: {message}" if where else message


async def model_error(_request: Request, error: Exception) -> JSONResponse:
    """A request model built inside a route (a page's form read into ``ProfileChanges``)
    that refuses its values: the same 422 as a body FastAPI could not validate."""
    assert isinstance(error, ValidationError)
    return error_response(
        422, "invalid_input", "; ".join(_describe_model(e) for e in error.errors())
    )


def _describe_model(detail: Any) -> str:
    where = ".".join(str(part) for part in detail.get("loc", ()))
    message = str(detail.get("msg", "invalid"))
    return f"{where}: {message}" if where else message


async def http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    code = HTTP_CODES.get(error.status_code, "http_error")
    response = error_response(error.status_code, code, str(error.detail))
    if error.headers:
        response.headers.update(error.headers)
    return response


async def unexpected_error(_request: Request, error: Exception) -> JSONResponse:
    log.error("unexpected error", exc_info=error)
    return error_response(500, "internal", "an unexpected error; the server log has details")


def install(app: FastAPI) -> None:
    app.add_exception_handler(RubdownError, rubdown_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(ValidationError, model_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
