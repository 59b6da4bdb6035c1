"""Move every date in a FIT file by a number of seconds, for building synthetic histories.

One recorded run, copied with its dates moved, becomes as many distinct activities as a
benchmark needs (rubdown takes two activities of one sport starting within 10 s for one).
The structure is walked here message by message (header, definitions, data messages; several
files chained back to back), the dates are rewritten in the byte order each definition
declares, and the CRCs are computed again. What is moved:

* field 253 (``timestamp``) of every message;
* ``start_time`` (field 2) of sessions (global 18) and laps (19);
* ``local_timestamp`` (field 5) of the activity message (34);
* ``time_created`` (field 4) of file_id (0).

A value is moved only when it is a 4-byte field holding an absolute date: the invalid value
(``0xFFFFFFFF``, or 0 for ``uint32z``) and values below ``0x10000000``, which the FIT protocol
defines as seconds since the device was switched on, are left as they are. Files that use
compressed-timestamp headers are refused: their times are carried by offsets from the last
full timestamp, and a copy would have to rewrite those consistently. A CRC is rewritten only
when the stored one was right, so a damaged file stays damaged.

Usage: ``shift_fit(data, 86_400)``; to move one file many times, ``plan_shift`` walks it once
and ``apply_shift`` makes each copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from fastcrc import crc16

TIMESTAMP_FIELD = 253
# global message number -> the other date_time fields moved in it
DATE_FIELDS: dict[int, frozenset[int]] = {
    0: frozenset({4}),  # file_id.time_created
    18: frozenset({2}),  # session.start_time
    19: frozenset({2}),  # lap.start_time
    34: frozenset({5}),  # activity.local_timestamp
}
NO_DATE_FIELDS: frozenset[int] = frozenset()
FIRST_ABSOLUTE = 0x10000000  # below this a date_time counts from the device's power-on
INVALID_UINT32 = 0xFFFFFFFF


class CompressedTimestamps(ValueError):
    """The file uses compressed-timestamp headers, which this tool does not rewrite."""


@dataclass(frozen=True)
class Segment:
    """One FIT file of a chain: where its header, data and CRC sit, and which CRCs held."""

    start: int
    header_size: int
    data_end: int  # where the file CRC starts
    header_crc_ok: bool  # a 14-byte header with a non-zero CRC that matched
    file_crc_ok: bool


@dataclass(frozen=True)
class ShiftPlan:
    """Where the dates of one FIT file sit: byte offsets of little- and big-endian values."""

    size: int
    little: np.ndarray[Any, np.dtype[np.int64]]
    big: np.ndarray[Any, np.dtype[np.int64]]
    segments: tuple[Segment, ...]


def shift_fit(data: bytes, delta_s: int) -> bytes:
    """A copy of ``data`` with every date moved by ``delta_s`` seconds."""
    return apply_shift(plan_shift(data), data, delta_s)


def plan_shift(data: bytes) -> ShiftPlan:
    """Walk every chained file once and note where its dates are."""
    little: list[int] = []
    big: list[int] = []
    segments: list[Segment] = []
    pos = 0
    n = len(data)
    if n == 0:
        raise ValueError("empty input: not a FIT file")
    while pos < n:
        segment = _header(data, pos)
        _messages(data, segment.start + segment.header_size, segment.data_end, little, big)
        segments.append(segment)
        pos = segment.data_end + 2
    return ShiftPlan(
        n,
        np.asarray(little, dtype=np.int64),
        np.asarray(big, dtype=np.int64),
        tuple(segments),
    )


def apply_shift(plan: ShiftPlan, data: bytes, delta_s: int) -> bytes:
    """A copy of ``data`` (the file ``plan`` was made from) with its dates moved."""
    if len(data) != plan.size:
        raise ValueError("the plan was made for another file")
    out = bytearray(data)
    view = np.frombuffer(out, dtype=np.uint8)
    for offsets, order in ((plan.little, "<u4"), (plan.big, ">u4")):
        if len(offsets):
            _move(view, offsets, np.dtype(order), delta_s)
    for segment in plan.segments:
        s = segment.start
        if segment.header_crc_ok:
            out[s + 12 : s + 14] = crc16.arc(bytes(out[s : s + 12])).to_bytes(2, "little")
        if segment.file_crc_ok:
            crc = crc16.arc(bytes(out[s : segment.data_end]))
            out[segment.data_end : segment.data_end + 2] = crc.to_bytes(2, "little")
    return bytes(out)


def _move(
    view: np.ndarray[Any, np.dtype[np.uint8]],
    offsets: np.ndarray[Any, np.dtype[np.int64]],
    order: np.dtype[Any],
    delta_s: int,
) -> None:
    index = offsets[:, None] + np.arange(4)
    values = view[index].copy().view(order).reshape(-1).astype(np.int64)
    absolute = (values >= FIRST_ABSOLUTE) & (values != INVALID_UINT32)
    moved = np.where(absolute, values + delta_s, values)
    if absolute.any():
        lowest, highest = int(moved[absolute].min()), int(moved[absolute].max())
        if lowest < FIRST_ABSOLUTE or highest >= INVALID_UINT32:
            raise ValueError(f"moving the dates by {delta_s} s leaves the FIT date range")
    view[index] = moved.astype(order).view(np.uint8).reshape(-1, 4)


def _header(data: bytes, pos: int) -> Segment:
    n = len(data)
    if n - pos < 12 or data[pos + 8 : pos + 12] != b".FIT" or data[pos] not in (12, 14):
        raise ValueError(f"no FIT header at byte {pos}")
    header_size = data[pos]
    if n - pos < header_size:
        raise ValueError(f"the FIT header at byte {pos} is cut off")
    data_size = int.from_bytes(data[pos + 4 : pos + 8], "little")
    data_end = pos + header_size + data_size
    if data_end + 2 > n:
        raise ValueError(f"the FIT file at byte {pos} declares more data than there is")
    header_crc_ok = False
    if header_size == 14:
        stored = int.from_bytes(data[pos + 12 : pos + 14], "little")
        header_crc_ok = stored != 0 and crc16.arc(data[pos : pos + 12]) == stored
    stored_file_crc = int.from_bytes(data[data_end : data_end + 2], "little")
    file_crc_ok = crc16.arc(data[pos:data_end]) == stored_file_crc
    return Segment(pos, header_size, data_end, header_crc_ok, file_crc_ok)


def _messages(data: bytes, p: int, end: int, little: list[int], big: list[int]) -> None:
    """Note the date offsets of one file's data messages, from ``p`` up to ``end``."""
    # Per local message type: (data bytes after the header byte, date offsets, little-endian).
    local: list[tuple[int, tuple[int, ...], bool] | None] = [None] * 16
    while p < end:
        h = data[p]
        if h & 0x80:
            raise CompressedTimestamps(f"compressed-timestamp header at byte {p}")
        if h & 0x40:
            p = _definition(data, p, end, local)
            continue
        entry = local[h & 0x0F]
        if entry is None:
            raise ValueError(f"the message at byte {p} uses local type {h & 0x0F}, never defined")
        size, dates, is_little = entry
        if p + 1 + size > end:
            raise ValueError(f"the message at byte {p} runs past the end of the FIT data")
        (little if is_little else big).extend(p + 1 + offset for offset in dates)
        p += 1 + size


def _definition(
    data: bytes, p: int, end: int, local: list[tuple[int, tuple[int, ...], bool] | None]
) -> int:
    """Read the definition message at ``p`` into ``local``; return where the next one starts."""
    if p + 6 > end:
        raise ValueError(f"the definition at byte {p} runs past the end of the FIT data")
    architecture = data[p + 2]
    if architecture not in (0, 1):
        raise ValueError(f"the definition at byte {p} has an unknown byte order ({architecture})")
    is_little = architecture == 0
    global_num = int.from_bytes(data[p + 3 : p + 5], "little" if is_little else "big")
    count = data[p + 5]
    q = p + 6 + 3 * count
    if q > end:
        raise ValueError(f"the definition at byte {p} runs past the end of the FIT data")
    wanted = DATE_FIELDS.get(global_num, NO_DATE_FIELDS)
    dates: list[int] = []
    size = 0
    for i in range(count):
        number, width = data[p + 6 + 3 * i], data[p + 7 + 3 * i]
        if width == 4 and (number == TIMESTAMP_FIELD or number in wanted):
            dates.append(size)
        size += width
    if data[p] & 0x20:  # developer field definitions: counted for size, never moved
        if q >= end:
            raise ValueError(f"the definition at byte {p} runs past the end of the FIT data")
        dev_count = data[q]
        dev_end = q + 1 + 3 * dev_count
        if dev_end > end:
            raise ValueError(f"the definition at byte {p} runs past the end of the FIT data")
        size += sum(data[q + 2 : dev_end : 3])
        q = dev_end
    local[data[p] & 0x0F] = (size, tuple(dates), is_little)
    return q
