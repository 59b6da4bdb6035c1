"""Text that came from outside (file names, names inside files) made safe to store and show.

A file name on a runner's disk is bytes. Python hands a name that is not UTF-8 (a Latin-1
``café.fit`` is ``caf\\xe9.fit`` on disk) over as a string with lone surrogates, which
neither database, nor JSON, nor a UTF-8 terminal accepts. ``printable`` spells each byte that
is not UTF-8 as a backslash escape (``caf\\xe9.fit``), so the report, the JSON and the stored
row all show the same name, and the runner can still tell which file was meant. NUL, which
PostgreSQL refuses in text, is escaped the same way.
"""

from __future__ import annotations


def printable(text: str) -> str:
    """``text`` with undecodable bytes and NUL spelled as backslash escapes; else unchanged."""
    if text.isascii() and "\x00" not in text:
        return text  # the common case, checked cheaply
    try:
        # Surrogates that stand for the bytes of a name (os.fsdecode's "surrogateescape").
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        # Other lone surrogates (from JSON's "\ud800", say): escape them as code points.
        raw = text.encode("utf-8", "backslashreplace")
    return raw.decode("utf-8", "backslashreplace").replace("\x00", "\\x00")
