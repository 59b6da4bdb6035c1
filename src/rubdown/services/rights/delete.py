"""Deleting an account: every row of the person, in every table, and the files only they kept.

The rows go in one transaction, through the store's ownership map (``store.ownership``):
the runner's data, their account's logins, invitations and login attempts, and every grant
to or from them with its access log. The kept originals that no other runner's rows name
are removed after that transaction has committed, so a failure never leaves rows that
point at a file already gone; a file that cannot be removed then is reported, not retried.
"""

from __future__ import annotations

from dataclasses import dataclass

from rubdown.services.rights.tables import AccountTables, Originals


@dataclass(frozen=True)
class DeleteSummary:
    rows: dict[str, int]  # removed per table
    originals: int  # kept files removed
    originals_left: int  # kept files that could not be removed

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def delete_account(
    tables: AccountTables, owner_id: str, originals: Originals | None
) -> DeleteSummary:
    deleted = tables.delete_account(owner_id)
    removed = left = 0
    for sha in deleted.originals if originals is not None else ():
        assert originals is not None
        try:
            originals.forget(sha)
            removed += 1
        except OSError:
            left += 1
    return DeleteSummary({k: v for k, v in deleted.rows.items() if v}, removed, left)
