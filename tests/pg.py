"""A fresh PostgreSQL schema per test, for any test module that needs a real server.

The server comes from ``RUBDOWN_TEST_POSTGRES_URL`` (e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test``). Each use of ``fresh_postgres_url``
creates an empty schema, hands out a URL whose ``search_path`` points at it, and drops it
afterwards, so tests never see each other's rows and leave nothing behind.

Without the variable, or without a reachable server, the tests are skipped with a reason
that names the variable -- except in CI (``CI=true``), where they must run and so fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from rubdown.store import normalise_url

POSTGRES_URL_VARIABLE = "RUBDOWN_TEST_POSTGRES_URL"


def postgres_unavailable(reason: str) -> NoReturn:
    """Skip the test, or fail it in CI, where the PostgreSQL tests are not optional."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the PostgreSQL tests", pytrace=False)
    pytest.skip(reason)


def postgres_base_url() -> sa.URL:
    text = os.environ.get(POSTGRES_URL_VARIABLE, "").strip()
    if not text:
        postgres_unavailable(f"{POSTGRES_URL_VARIABLE} is not set")
    return sa.make_url(normalise_url(text))


@contextmanager
def fresh_postgres_url() -> Iterator[str]:
    """A URL (password included) of an empty schema of its own on the test server."""
    base = postgres_base_url()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(base, poolclass=NullPool, connect_args={"connect_timeout": 5})
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except SQLAlchemyError as error:
        admin.dispose()
        first_line = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        shown = base.render_as_string(hide_password=True)
        postgres_unavailable(f"{POSTGRES_URL_VARIABLE} ({shown}) is unusable: {first_line}")
    try:
        yield base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
