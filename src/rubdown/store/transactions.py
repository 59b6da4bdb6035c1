"""Read and write transactions, with the database's failures said in one line.

Every group of tables (a runner's data, accounts, grants, the clinic, an export) opens its
connections through these two, so that a database that cannot be reached, or refuses a
write, reads the same wherever it happens. ``Store._writing`` adds to ``writing`` what only a
runner's data needs: moving the runner's data version on in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from rubdown.errors import RubdownError, StoreError
from rubdown.store.engine import WRITE_OPTION, reason

# What a refused constraint means to the caller: an error of its own, or None for the
# general "the database refused it" line.
Refusal = Callable[[IntegrityError], RubdownError | None]


@contextmanager
def reading(engine: Engine, shown_url: str, what: str) -> Iterator[Connection]:
    """A connection to read ``what`` with."""
    try:
        with engine.connect() as connection:
            yield connection
    except SQLAlchemyError as error:
        raise StoreError(
            f"cannot read {what} from the database at {shown_url}: {reason(error)}"
        ) from None


@contextmanager
def writing(
    engine: Engine,
    shown_url: str,
    what: str,
    *,
    refused: Refusal | None = None,
    keep_refusals: bool = False,
) -> Iterator[Connection]:
    """A connection inside one write transaction: committed if the block ends normally,
    rolled back (nothing stored) if it raises.

    A refused constraint becomes ``refused(error)`` when that names one, else one line; with
    ``keep_refusals`` it comes out as it is, for the caller to tell which constraint it was.
    """
    try:
        with engine.connect() as connection:
            connection.execution_options(**{WRITE_OPTION: True})
            with connection.begin():
                yield connection
    except IntegrityError as error:
        if keep_refusals:
            raise
        meant = refused(error) if refused is not None else None
        if meant is not None:
            raise meant from None
        raise StoreError(f"cannot save {what}: the database refused it ({reason(error)})") from None
    except SQLAlchemyError as error:
        raise StoreError(
            f"cannot save {what} in the database at {shown_url}: {reason(error)}"
        ) from None
