"""Fast FIT decoding: one pass over message headers in Python, field work in NumPy.

Python only steps from message to message (a header byte and a table lookup each); the
positions of the messages that matter are collected per definition, and their fields are
then gathered for all messages at once with NumPy, in the byte order each definition
declares. The summary messages (file id, sessions, laps, activity) are few and are decoded
one by one. The CRC is checked with a native CRC-16/ARC: a Python loop would cost more than
the whole decode.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from fastcrc import crc16

from rubdown.importers.fit import profile as P

Summary = dict[str, float | int | None]


class NotFit(Exception):
    """The bytes are not a FIT file at all."""


class Unsupported(Exception):
    """Well-formed FIT that this decoder does not handle; the slower fallback will."""


@dataclass
class _Layout:
    """One definition's fixed message layout; identical redefinitions share one layout."""

    global_num: int
    little: bool
    size: int  # bytes of field data after the one-byte header
    fields: tuple[tuple[int, int, int, int], ...]  # (number, offset, size, base type)
    offsets: list[int] = field(default_factory=list)  # where each message's data starts

    def field_at(self, number: int) -> tuple[int, int, int] | None:
        for num, offset, size, base in self.fields:
            if num == number:
                return offset, size, base
        return None


@dataclass
class FitContent:
    """What a FIT file holds for recovery: record columns and the summary messages.

    ``columns`` are float64 arrays in SI units with NaN for "no value"; ``timestamp`` is in
    FIT seconds. ``problem`` is the first thing wrong with the file, with its byte offset;
    everything decoded before it is still here.
    """

    columns: dict[str, np.ndarray[Any, np.dtype[np.float64]]]
    record_count: int
    summaries: dict[int, list[Summary]]
    file_types: list[int | None]
    segments: int
    problem: str | None = None

    @property
    def crc_ok(self) -> bool:
        return self.problem is None


_WANTED = frozenset({P.RECORD, *P.SUMMARY_FIELDS})
_HEADER_SIZES = (12, 14)


def decode(data: bytes) -> FitContent:
    """Decode every FIT file chained in ``data``; raises ``NotFit`` for anything else."""
    n = len(data)
    if n < 12 or data[8:12] != b".FIT" or data[0] < 12:
        raise NotFit("not a FIT file")
    layouts: dict[bytes, _Layout] = {}
    timestamps: dict[int, int] = {}  # data offset -> time, for compressed-timestamp messages
    file_types_at: list[int] = []  # where each file's data starts, to attribute file_id
    problem: str | None = None
    segments = 0
    pos = 0
    while pos < n:
        if n - pos < 12 or data[pos + 8 : pos + 12] != b".FIT" or data[pos] < 12:
            problem = f"the bytes after the FIT data at byte {pos} are not a FIT file"
            break
        header_size = data[pos]
        data_size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        start = pos + header_size
        end = start + data_size
        if header_size >= 14 and start <= n:
            header_crc = int.from_bytes(data[pos + 12 : pos + 14], "little")
            # A zero header CRC means "not computed", which the protocol allows.
            if header_crc and crc16.arc(data[pos : pos + 12]) != header_crc:
                problem = problem or f"header CRC mismatch at byte {pos + 12}"
        file_types_at.append(start)
        stop, walk_problem, compressed = _walk(data, start, min(end, n), layouts)
        if compressed:
            _time_compressed(data, start, stop, timestamps)
        segments += 1
        if walk_problem:
            problem = walk_problem
            break
        if end + 2 > n:
            problem = f"the file ends at byte {n} but its FIT data runs to byte {end + 2}"
            break
        stored_crc = int.from_bytes(data[end : end + 2], "little")
        if crc16.arc(data[pos:end]) != stored_crc:
            # Reported where the checksum ends, as the FIT SDK's own reader does.
            problem = problem or f"CRC mismatch at byte {end + 2}"
        pos = end + 2
    try:
        columns, count = _records(data, layouts, timestamps, strict=True)
    except Unsupported:
        if problem is None:
            raise
        # A damaged file: the odd field is more likely noise than a new kind of field, so it
        # is left out and the damage is what the runner hears about.
        columns, count = _records(data, layouts, timestamps, strict=False)
    summaries = _summaries(data, layouts)
    file_types = _file_types(summaries.get(P.FILE_ID, []), file_types_at)
    return FitContent(columns, count, summaries, file_types, segments, problem)


def _walk(
    data: bytes, start: int, end: int, layouts: dict[bytes, _Layout]
) -> tuple[int, str | None, bool]:
    """Step through one file's messages, noting where the wanted ones are.

    Returns where it stopped, the problem that stopped it (or None), and whether any message
    used a compressed-timestamp header (whose time must then be worked out in order).
    """
    # Per local type: (bytes to skip including the header byte, where to note its position).
    defs: list[tuple[int, Any] | None] = [None] * 16
    compressed = False
    p = start
    while p < end:
        h = data[p]
        if h < 0x40:
            entry = defs[h & 0x0F]
        elif h < 0x80:
            q, layout, problem = _definition(data, p, end, layouts)
            if problem:
                return p, problem, compressed
            assert layout is not None
            note = layout.offsets.append if layout.global_num in _WANTED else None
            defs[h & 0x0F] = (layout.size + 1, note)
            p = q
            continue
        else:
            compressed = True
            entry = defs[(h >> 5) & 0x03]
        if entry is None:
            local = h & 0x0F if h < 0x80 else (h >> 5) & 0x03
            return p, f"the message at byte {p} uses local type {local}, never defined", compressed
        step, note = entry
        if p + step > end:
            return p, f"the message at byte {p} runs past the end of the FIT data", compressed
        if note is not None:
            note(p + 1)
        p += step
    return p, None, compressed


def _definition(
    data: bytes, p: int, end: int, layouts: dict[bytes, _Layout]
) -> tuple[int, _Layout | None, str | None]:
    if p + 6 > end:
        return p, None, f"the definition at byte {p} runs past the end of the FIT data"
    arch = data[p + 2]
    if arch > 1:
        return p, None, f"the definition at byte {p} has an unknown byte order ({arch})"
    field_count = data[p + 5]
    q = p + 6 + 3 * field_count
    dev_size = 0
    if data[p] & 0x20:  # developer fields follow: sized here, decoded never
        if q >= end:
            return p, None, f"the definition at byte {p} runs past the end of the FIT data"
        dev_count = data[q]
        dev = data[q + 1 : q + 1 + 3 * dev_count]
        dev_size = sum(dev[1::3])
        q += 1 + 3 * dev_count
    if q > end:
        return p, None, f"the definition at byte {p} runs past the end of the FIT data"
    key = data[p + 2 : q]
    layout = layouts.get(key)
    if layout is None:
        layout = _new_layout(data, p, field_count, dev_size)
        layouts[key] = layout
    return q, layout, None


def _new_layout(data: bytes, p: int, field_count: int, dev_size: int) -> _Layout:
    little = data[p + 2] == 0
    number = int.from_bytes(data[p + 3 : p + 5], "little" if little else "big")
    fields = []
    offset = 0
    for i in range(field_count):
        num, size, base = data[p + 6 + 3 * i : p + 9 + 3 * i]
        fields.append((num, offset, size, base))
        offset += size
    return _Layout(number, little, offset + dev_size, tuple(fields))


def _time_compressed(data: bytes, start: int, stop: int, timestamps: dict[int, int]) -> None:
    """Work out the time of every compressed-timestamp message, in file order.

    Such a header carries only the low five bits of the time; the rest comes from the last
    full timestamp seen in any message (FIT protocol, "compressed timestamp header").
    """
    sizes: list[tuple[int, int | None, bool] | None] = [None] * 16
    last: int | None = None
    p = start
    scratch: dict[bytes, _Layout] = {}
    while p < stop:
        h = data[p]
        if h & 0x80:
            entry = sizes[(h >> 5) & 0x03]
            if entry is None:
                return
            if last is not None:
                last += ((h & 0x1F) - (last & 0x1F)) & 0x1F
                timestamps[p + 1] = last
            p += entry[0]
        elif h & 0x40:
            q, layout, problem = _definition(data, p, stop, scratch)
            if problem or layout is None:
                return
            at = layout.field_at(P.TIMESTAMP_FIELD)
            ts_offset = at[0] if at is not None and at[1] == 4 else None
            sizes[h & 0x0F] = (layout.size + 1, ts_offset, layout.little)
            p = q
        else:
            entry = sizes[h & 0x0F]
            if entry is None:
                return
            step, ts_offset, little = entry
            if ts_offset is not None:
                raw = data[p + 1 + ts_offset : p + 5 + ts_offset]
                value = int.from_bytes(raw, "little" if little else "big")
                if value != 0xFFFFFFFF:
                    last = value
            p += step


def _records(
    data: bytes, layouts: dict[bytes, _Layout], timestamps: dict[int, int], *, strict: bool
) -> tuple[dict[str, np.ndarray[Any, np.dtype[np.float64]]], int]:
    record_layouts = [lay for lay in layouts.values() if lay.global_num == P.RECORD and lay.offsets]
    if not record_layouts:
        return {}, 0
    buf = np.frombuffer(data, dtype=np.uint8)
    parts: list[tuple[np.ndarray[Any, np.dtype[np.int64]], dict[str, np.ndarray[Any, Any]]]] = []
    for layout in record_layouts:
        offsets = np.asarray(layout.offsets, dtype=np.int64)
        parts.append((offsets, _gather_layout(buf, offsets, layout, strict)))
    offsets = np.concatenate([o for o, _ in parts])
    order = np.argsort(offsets, kind="stable") if len(parts) > 1 else None
    names = {name for _, cols in parts for name in cols}
    columns: dict[str, np.ndarray[Any, np.dtype[np.float64]]] = {}
    for name in names:
        pieces = [cols.get(name) for _, cols in parts]
        joined = np.concatenate(
            [
                piece if piece is not None else _missing(name, len(o))
                for piece, (o, _) in zip(pieces, parts, strict=True)
            ]
        )
        columns[name] = joined[order] if order is not None else joined
    if order is not None:
        offsets = offsets[order]
    if timestamps:
        _fill_compressed_times(columns, offsets, timestamps)
    _expand_components(columns)
    return columns, len(offsets)


def _missing(name: str, count: int) -> np.ndarray[Any, Any]:
    """A column for messages whose definition lacks the field: no value in every row."""
    if name == "_packed":
        return np.full((count, 3), 0xFF, dtype=np.uint8)
    return np.full(count, np.nan)


def _gather_layout(
    buf: np.ndarray[Any, np.dtype[np.uint8]],
    offsets: np.ndarray[Any, np.dtype[np.int64]],
    layout: _Layout,
    strict: bool,
) -> dict[str, np.ndarray[Any, Any]]:
    columns: dict[str, np.ndarray[Any, Any]] = {}
    for num, offset, size, base in layout.fields:
        if num == P.COMPRESSED_SPEED_DISTANCE and size == 3:
            idx = offsets[:, None] + (offset + np.arange(3))
            columns["_packed"] = buf[idx]
            continue
        spec = P.RECORD_FIELDS.get(num)
        if spec is None:
            continue
        if (base & 0x1F) not in P.BASE_TYPES:
            if not strict:
                continue
            # A base type outside the protocol: let the thorough decoder judge the file.
            raise Unsupported(f"record field {num} has an unknown base type {base:#04x}")
        values = _gather_field(buf, offsets + offset, size, base, layout.little)
        if values is None:
            continue
        if spec.scale != 1.0 or spec.offset:
            values = values / spec.scale - spec.offset
        columns[spec.name] = values
    return columns


def _gather_field(
    buf: np.ndarray[Any, np.dtype[np.uint8]],
    starts: np.ndarray[Any, np.dtype[np.int64]],
    size: int,
    base: int,
    little: bool,
) -> np.ndarray[Any, np.dtype[np.float64]] | None:
    base_type = P.BASE_TYPES.get(base & 0x1F)
    if base_type is None or base_type.size > size:
        # A field narrower than its type (a 1-byte uint32) has no value to read.
        return None
    width = base_type.size
    if width == 1:
        raw = buf[starts]
    else:
        idx = starts[:, None] + np.arange(width)
        order = "<" if little else ">"
        raw = buf[idx].view(np.dtype(order + base_type.numpy_kind)).reshape(-1)
    values: np.ndarray[Any, np.dtype[np.float64]] = raw.astype(np.float64)
    if base_type.invalid is not None:
        values[raw == base_type.invalid] = np.nan
    return values


def _fill_compressed_times(
    columns: dict[str, np.ndarray[Any, np.dtype[np.float64]]],
    offsets: np.ndarray[Any, np.dtype[np.int64]],
    timestamps: dict[int, int],
) -> None:
    at = np.fromiter(timestamps.keys(), dtype=np.int64, count=len(timestamps))
    times = np.fromiter(timestamps.values(), dtype=np.float64, count=len(timestamps))
    where = np.searchsorted(offsets, at)
    inside = where < len(offsets)
    where, at, times = where[inside], at[inside], times[inside]
    hit = offsets[where] == at
    column = columns.get("timestamp")
    if column is None:
        column = np.full(len(offsets), np.nan)
        columns["timestamp"] = column
    column[where[hit]] = times[hit]


def _expand_components(columns: dict[str, np.ndarray[Any, Any]]) -> None:
    """Fold the FIT profile's component fields into the plain columns."""
    packed = columns.pop("_packed", None)
    if packed is not None:
        invalid = (packed == 0xFF).all(axis=1)
        speed = (packed[:, 0].astype(np.float64) + (packed[:, 1] & 0x0F) * 256.0) / 100.0
        raw_distance = (packed[:, 1] >> 4).astype(np.int64) + packed[:, 2].astype(np.int64) * 16
        speed[invalid] = np.nan
        columns.setdefault("speed", speed)
        if "distance" not in columns:
            columns["distance"] = _accumulate(raw_distance, invalid, 4096) / 16.0
    for plain, enhanced in (("speed", "enhanced_speed"), ("altitude", "enhanced_altitude")):
        better = columns.pop(enhanced, None)
        if better is not None:
            old = columns.get(plain)
            columns[plain] = better if old is None else np.where(np.isnan(better), old, better)


def _accumulate(
    raw: np.ndarray[Any, np.dtype[np.int64]], invalid: np.ndarray[Any, Any], modulus: int
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Undo the roll-over of an accumulated component: add up the steps modulo its range."""
    result = np.full(len(raw), np.nan)
    valid = np.flatnonzero(~invalid)
    if len(valid) == 0:
        return result
    values = raw[valid]
    steps = np.diff(values) % modulus
    result[valid] = values[0] + np.concatenate(([0], np.cumsum(steps)))
    return result


def _summaries(data: bytes, layouts: dict[bytes, _Layout]) -> dict[int, list[Summary]]:
    found: dict[int, list[tuple[int, Summary]]] = {}
    for layout in layouts.values():
        specs = P.SUMMARY_FIELDS.get(layout.global_num)
        if not specs or not layout.offsets:
            continue
        readers = []
        for num, offset, size, base in layout.fields:
            spec = specs.get(num)
            base_type = P.BASE_TYPES.get(base & 0x1F)
            if spec is None or base_type is None or base_type.size > size:
                continue
            fmt = ("<" if layout.little else ">") + base_type.struct_char
            readers.append((spec, offset, struct.Struct(fmt), base_type.invalid))
        for at in layout.offsets:
            message: Summary = {"_offset": at}
            for spec, offset, reader, invalid in readers:
                (value,) = reader.unpack_from(data, at + offset)
                if value == invalid or value != value:  # NaN floats are "no value" too
                    message[spec.name] = None
                elif spec.scale != 1.0 or spec.offset:
                    message[spec.name] = value / spec.scale - spec.offset
                else:
                    message[spec.name] = value
            found.setdefault(layout.global_num, []).append((at, message))
    return {num: [m for _, m in sorted(items, key=lambda x: x[0])] for num, items in found.items()}


def _file_types(file_ids: list[Summary], starts: list[int]) -> list[int | None]:
    """The declared file type of each chained file (None when a file has no file_id)."""
    types: list[int | None] = [None] * len(starts)
    for message in file_ids:
        at = message["_offset"]
        assert isinstance(at, int)
        index = max(i for i, start in enumerate(starts) if start <= at) if starts else 0
        value = message.get("type")
        if types[index] is None and isinstance(value, int):
            types[index] = value
    return types
