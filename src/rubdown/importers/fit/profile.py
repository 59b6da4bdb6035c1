"""The slice of the FIT profile that recovery needs: base types, a few messages, their fields.

Numbers follow the FIT SDK's Profile (messages and fields by number). Everything else in a
file is walked over by size and never decoded: the original file is kept for that.
"""

from __future__ import annotations

from dataclasses import dataclass

from rubdown.domain.activity import Sport

# FIT time counts seconds from 1989-12-31T00:00:00Z.
FIT_EPOCH_S = 631_065_600
# date_time values below this are "seconds since power-up", not a date (FIT protocol).
SYSTEM_TIME_LIMIT = 0x10000000


@dataclass(frozen=True)
class BaseType:
    size: int
    numpy_kind: str  # numpy type character without byte order: "u1", "i2", "f4" ...
    struct_char: str
    invalid: int | float | None  # the raw value that means "no value"; None: all bits set


# Indexed by the low five bits of the base-type byte; the high bit only says "has byte order".
BASE_TYPES: dict[int, BaseType] = {
    0x00: BaseType(1, "u1", "B", 0xFF),  # enum
    0x01: BaseType(1, "i1", "b", 0x7F),
    0x02: BaseType(1, "u1", "B", 0xFF),
    0x03: BaseType(2, "i2", "h", 0x7FFF),
    0x04: BaseType(2, "u2", "H", 0xFFFF),
    0x05: BaseType(4, "i4", "i", 0x7FFFFFFF),
    0x06: BaseType(4, "u4", "I", 0xFFFFFFFF),
    0x07: BaseType(1, "u1", "B", 0x00),  # string: NUL-padded bytes
    0x08: BaseType(4, "f4", "f", None),
    0x09: BaseType(8, "f8", "d", None),
    0x0A: BaseType(1, "u1", "B", 0x00),  # uint8z: zero is invalid
    0x0B: BaseType(2, "u2", "H", 0x0000),
    0x0C: BaseType(4, "u4", "I", 0x00000000),
    0x0D: BaseType(1, "u1", "B", 0xFF),  # byte: invalid only when every byte is 0xFF
    0x0E: BaseType(8, "i8", "q", 0x7FFFFFFFFFFFFFFF),
    0x0F: BaseType(8, "u8", "Q", 0xFFFFFFFFFFFFFFFF),
    0x10: BaseType(8, "u8", "Q", 0x0000000000000000),
}

BYTE_TYPE = 0x0D
STRING_TYPE = 0x07

# Global message numbers.
FILE_ID = 0
SPORT = 12
SESSION = 18
LAP = 19
RECORD = 20
ACTIVITY = 34

TIMESTAMP_FIELD = 253
FILE_TYPE_ACTIVITY = 4


@dataclass(frozen=True)
class FieldSpec:
    name: str
    scale: float = 1.0
    offset: float = 0.0


# Fields of the summary messages, by message then field number: (name, scale, offset).
SUMMARY_FIELDS: dict[int, dict[int, FieldSpec]] = {
    FILE_ID: {0: FieldSpec("type"), 4: FieldSpec("time_created")},
    SPORT: {0: FieldSpec("sport"), 1: FieldSpec("sub_sport")},
    SESSION: {
        253: FieldSpec("timestamp"),
        2: FieldSpec("start_time"),
        5: FieldSpec("sport"),
        6: FieldSpec("sub_sport"),
        7: FieldSpec("total_elapsed_time", 1000),
        8: FieldSpec("total_timer_time", 1000),
        9: FieldSpec("total_distance", 100),
        16: FieldSpec("avg_heart_rate"),
        17: FieldSpec("max_heart_rate"),
        22: FieldSpec("total_ascent"),
        59: FieldSpec("total_moving_time", 1000),
    },
    LAP: {
        253: FieldSpec("timestamp"),
        2: FieldSpec("start_time"),
        7: FieldSpec("total_elapsed_time", 1000),
        8: FieldSpec("total_timer_time", 1000),
        9: FieldSpec("total_distance", 100),
        15: FieldSpec("avg_heart_rate"),
        16: FieldSpec("max_heart_rate"),
        21: FieldSpec("total_ascent"),
        25: FieldSpec("sport"),
    },
    ACTIVITY: {253: FieldSpec("timestamp"), 5: FieldSpec("local_timestamp")},
}

# Record fields gathered column-wise: field number -> (column, scale, offset).
RECORD_FIELDS: dict[int, FieldSpec] = {
    253: FieldSpec("timestamp"),
    2: FieldSpec("altitude", 5, 500),
    3: FieldSpec("heart_rate"),
    4: FieldSpec("cadence"),
    5: FieldSpec("distance", 100),
    6: FieldSpec("speed", 1000),
    53: FieldSpec("fractional_cadence", 128),
    73: FieldSpec("enhanced_speed", 1000),
    78: FieldSpec("enhanced_altitude", 5, 500),
}
# A packed component field of old Garmin watches (FR70 and kin): 12 bits of speed in
# 1/100 m/s, then 12 bits of distance in 1/16 m that roll over and must be accumulated.
COMPRESSED_SPEED_DISTANCE = 8

# FIT's sport enum, folded into the sports rubdown tells apart.
_SPORTS = {
    1: Sport.RUNNING,
    2: Sport.CYCLING,
    5: Sport.SWIMMING,
    11: Sport.WALKING,
    12: Sport.SKIING,  # cross-country
    13: Sport.SKIING,  # alpine
    15: Sport.ROWING,
    16: Sport.HIKING,  # mountaineering
    17: Sport.HIKING,
    18: Sport.MULTISPORT,
    19: Sport.PADDLING,
    21: Sport.CYCLING,  # e-biking
    35: Sport.HIKING,  # snowshoeing
    37: Sport.PADDLING,  # stand-up paddleboarding
    41: Sport.PADDLING,  # kayaking
}
_TRAINING = 10
_STRENGTH_TRAINING = 20  # a sub-sport of "training"
_RUN_SUB_SPORTS = {1: Sport.TREADMILL, 3: Sport.TRAIL_RUNNING, 45: Sport.TREADMILL}


def sport_from(sport: int | None, sub_sport: int | None) -> Sport:
    if sport == 1:
        return _RUN_SUB_SPORTS.get(sub_sport or 0, Sport.RUNNING)
    if sport == _TRAINING and sub_sport == _STRENGTH_TRAINING:
        return Sport.STRENGTH
    return _SPORTS.get(sport or 0, Sport.OTHER)
