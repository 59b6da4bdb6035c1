"""A previous year's results as a CSV: which column holds the finish time, and the times.

Results come from many timing companies: the delimiter is sniffed (comma, semicolon, tab or
bar), and the finish column is found among common names, net (chip) time first because the
tent sees a runner when they cross the line after their own start, not the gun's. Rows without
a time (DNF, DNS, DQ, blank) are skipped and counted.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from rubdown.errors import FileFormatError

# Normalised header names (lower case, letters and digits only), best first.
FINISH_COLUMNS = (
    "chiptime",
    "nettime",
    "netto",
    "nettozeit",
    "finishnet",
    "finishtime",
    "finish",
    "officialtime",
    "time",
    "result",
    "zeit",
    "temps",
    "tiempo",
    "guntime",
    "brutto",
)
BIB_COLUMNS = ("bib", "bibnumber", "bibno", "startnummer", "startno", "dossard", "racenumber")
_TIME = re.compile(r"^(?:(\d+):)?(\d+):(\d{1,2}(?:[.,]\d+)?)$")
_NO_TIME = {"", "dnf", "dns", "dq", "dsq", "-", "--", "n/a", "na"}


@dataclass(frozen=True)
class ResultsCurve:
    finish_times_s: tuple[float, ...]
    column: str
    bib_column: str | None
    skipped_rows: int


def _normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def parse_finish_time(text: str) -> float | None:
    """Seconds from "H:MM:SS", "HH:MM:SS.s" or "MM:SS"; ``None`` for no time (DNF, blank).

    Raises ``ValueError`` for text that is neither.
    """
    value = text.strip()
    if value.lower() in _NO_TIME:
        return None
    match = _TIME.match(value)
    if match is None:
        raise ValueError(value)
    hours, minutes, seconds = match.groups()
    if int(minutes) >= 60 and hours is not None:
        raise ValueError(value)
    total = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds.replace(",", "."))
    if float(seconds.replace(",", ".")) >= 60 or total <= 0:
        raise ValueError(value)
    return total


def _shown(cell: str) -> str:
    """A cell as an error line quotes it: on one line, and not a whole paragraph."""
    text = " ".join(cell.split())
    return text if len(text) <= 40 else text[:39] + "…"


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = text[:8192]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def read_results(text: str, name: str) -> ResultsCurve:
    """The finish times in a results CSV; ``name`` (the file's) goes into every error line."""
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise FileFormatError(f"{name}: not a CSV file (it holds binary data): export it as CSV")
    reader = csv.reader(io.StringIO(text), _dialect(text))
    rows: list[list[str]] = []
    lines: list[int] = []  # each row's line in the file, blank lines and quoted breaks counted
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
                lines.append(reader.line_num)
    except csv.Error as error:
        raise FileFormatError(f"{name}, line {reader.line_num}: {error}") from None
    if not rows:
        raise FileFormatError(f"{name}: the results file is empty")
    header = [_normalise(cell) for cell in rows[0]]
    finish = next((header.index(c) for c in FINISH_COLUMNS if c in header), None)
    if finish is None:
        finish = next(
            (i for i, h in enumerate(header) if "time" in h or "finish" in h or "zeit" in h), None
        )
    if finish is None:
        raise FileFormatError(
            f"{name}: no finish-time column (looked for chip time, net time, finish time, "
            f"time, result; the header is {', '.join(rows[0])})"
        )
    bib = next((header.index(c) for c in BIB_COLUMNS if c in header), None)
    times: list[float] = []
    skipped = 0
    for line, row in zip(lines[1:], rows[1:], strict=True):
        cell = row[finish] if finish < len(row) else ""
        try:
            seconds = parse_finish_time(cell)
        except ValueError:
            raise FileFormatError(
                f'{name}, line {line}: "{_shown(cell)}" in column "{rows[0][finish].strip()}" '
                "is not a finish time (H:MM:SS or MM:SS)"
            ) from None
        if seconds is None:
            skipped += 1
        else:
            times.append(seconds)
    if not times:
        raise FileFormatError(
            f'{name}: no finish times in column "{rows[0][finish].strip()}" ({len(rows) - 1} rows)'
        )
    return ResultsCurve(
        finish_times_s=tuple(times),
        column=rows[0][finish].strip(),
        bib_column=rows[0][bib].strip() if bib is not None else None,
        skipped_rows=skipped,
    )
