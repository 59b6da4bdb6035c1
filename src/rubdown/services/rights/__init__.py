"""A runner's rights over their data: export everything, restore it exactly, delete it all.

- ``export.export_all``: every row of theirs as JSON and CSV, and every original file they
  kept, in one zip with a manifest of SHA-256 hashes (``rubdown export all``, ``GET
  /api/export/all``);
- ``restore.restore``: such a zip back into a home with no data for the runner, whole or not
  at all (``rubdown import export.zip``);
- ``delete.delete_account``: every row and every kept file only they had (``rubdown account
  delete``, ``DELETE /api/account``).

Which rows are whose is declared once, in the store's ownership map; the use cases reach
the tables through the ``tables.AccountTables`` port, and the kept files through
``originals_of``.
"""

from __future__ import annotations

from rubdown.keeping.raw import RawFiles
from rubdown.services.runner import Runner


def originals_of(app: Runner) -> RawFiles | None:
    """The runner's kept original files, or None for a rubdown without a data folder."""
    return RawFiles(app.raw_root) if app.home is not None else None
