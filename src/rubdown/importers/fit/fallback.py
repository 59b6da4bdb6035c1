"""The slow but thorough path: fitdecode, for any file the fast decoder cannot handle.

It fills the same ``FitContent`` as the fast path, so everything downstream is shared. The
fast path is checked against it value by value on the whole test corpus.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import warnings
from typing import Any

import fitdecode
import numpy as np

from rubdown.importers.fit import profile as P
from rubdown.importers.fit.decoder import FitContent, Summary

_RECORD_COLUMNS = {spec.name: num for num, spec in P.RECORD_FIELDS.items()}


def decode_slowly(data: bytes) -> FitContent:
    rows: list[dict[str, float]] = []
    summaries: dict[int, list[Summary]] = {}
    file_types: list[int | None] = []
    problem: str | None = None
    try:
        with warnings.catch_warnings():
            # fitdecode warns about odd field sizes; those fields are simply left out.
            warnings.simplefilter("ignore")
            with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as fit:
                for frame in fit:
                    if isinstance(frame, fitdecode.FitHeader):
                        file_types.append(None)
                    elif isinstance(frame, fitdecode.FitDataMessage):
                        _take(frame, rows, summaries, file_types)
    except fitdecode.FitCRCError:
        problem = "CRC mismatch"
    except fitdecode.FitError as error:
        problem = f"{type(error).__name__}: {error}"
    except (ValueError, TypeError, KeyError, IndexError, struct.error) as error:
        # fitdecode meets some damage with plain Python errors; they still mean "damaged".
        problem = f"unreadable FIT data ({type(error).__name__}: {error})"
    columns = _columns(rows)
    return FitContent(columns, len(rows), summaries, file_types, len(file_types), problem)


def _take(
    frame: Any,
    rows: list[dict[str, float]],
    summaries: dict[int, list[Summary]],
    file_types: list[int | None],
) -> None:
    number = frame.global_mesg_num
    if number == P.RECORD:
        row: dict[str, float] = {}
        for field in frame.fields:
            if field.def_num in P.RECORD_FIELDS or field.def_num == P.COMPRESSED_SPEED_DISTANCE:
                value = _plain(field.value)
                if value is not None:
                    row[field.name] = value
        rows.append(row)
        return
    specs = P.SUMMARY_FIELDS.get(number)
    if not specs:
        return
    message: Summary = {"_offset": len(rows)}
    for field in frame.fields:
        spec = specs.get(field.def_num)
        if spec is not None:
            raw = field.raw_value
            message[spec.name] = _scaled(raw, spec) if isinstance(raw, int | float) else None
    if number == P.FILE_ID and file_types and file_types[-1] is None:
        value = message.get("type")
        file_types[-1] = value if isinstance(value, int) else None
    summaries.setdefault(number, []).append(message)


def _scaled(raw: float, spec: P.FieldSpec) -> float | int:
    if spec.scale != 1.0 or spec.offset:
        return raw / spec.scale - spec.offset
    return raw


def _plain(value: object) -> float | None:
    if isinstance(value, tuple):
        value = value[0] if value else None
    if isinstance(value, dt.datetime):
        return value.timestamp() - P.FIT_EPOCH_S
    if isinstance(value, int | float):
        return float(value)
    return None


def _columns(rows: list[dict[str, float]]) -> dict[str, np.ndarray[Any, np.dtype[np.float64]]]:
    names = {name for row in rows for name in row}
    columns = {name: np.array([row.get(name, np.nan) for row in rows]) for name in names}
    for plain, enhanced in (("speed", "enhanced_speed"), ("altitude", "enhanced_altitude")):
        better = columns.pop(enhanced, None)
        if better is not None:
            old = columns.get(plain)
            columns[plain] = better if old is None else np.where(np.isnan(better), old, better)
    return {k: v for k, v in columns.items() if k in _RECORD_COLUMNS or k in {"speed", "altitude"}}
