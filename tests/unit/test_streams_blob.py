"""Sample streams packed for the store come back as they went in, to float32 precision."""

from __future__ import annotations

import json
import math
import struct
import zlib
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rubdown.domain.activity import STREAM_CHANNELS, Streams
from rubdown.keeping.streams import decode_streams, encode_streams

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, width=32)
sample = st.one_of(finite, st.just(math.nan))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.integers(0, 300).flatmap(
        lambda n: st.fixed_dictionaries(
            {"time_s": st.lists(finite, min_size=n, max_size=n)},
            optional={
                name: st.lists(sample, min_size=n, max_size=n) for name in STREAM_CHANNELS[1:]
            },
        )
    )
)
def test_streams_survive_the_blob_with_their_gaps(columns: dict[str, list[float]]) -> None:
    streams = Streams.from_lists(columns)
    back = decode_streams(encode_streams(streams))
    assert set(back.channels) == set(streams.channels)
    for name, values in streams.channels.items():
        for want, got in zip(values, back.channels[name], strict=True):
            if math.isnan(want):
                assert math.isnan(got)
            else:
                assert got == pytest.approx(want, rel=1e-6, abs=1e-6)


def test_something_else_is_refused() -> None:
    with pytest.raises(ValueError, match="not a rubdown streams blob"):
        decode_streams(b"PK\x03\x04 not streams")


def test_the_blob_holds_each_channel_as_little_endian_float32_rows_in_channel_order() -> None:
    # The stored bytes, pinned: the header, then one row per channel, rounded to float32.
    streams = Streams.from_lists(
        {"time_s": [0.0, 1.0, 2.5], "heart_rate_bpm": [150.0, None, 1 / 3], "speed_m_s": [3.1] * 3}
    )
    blob = encode_streams(streams)
    header = b'{"channels": ["time_s", "heart_rate_bpm", "speed_m_s"], "samples": 3}'
    assert blob[:8] == b"RDS1" + struct.pack("<I", len(header))
    assert blob[8 : 8 + len(header)] == header
    rows = [[0.0, 1.0, 2.5], [150.0, math.nan, 1 / 3], [3.1] * 3]
    body = b"".join(struct.pack("<3f", *row) for row in rows)
    assert zlib.decompress(blob[8 + len(header) :]) == body


@pytest.mark.parametrize("count", [1, 3, len(STREAM_CHANNELS)])
@pytest.mark.parametrize("samples", [0, 1, 86_400])
def test_the_header_is_the_json_of_the_channels_and_the_sample_count(
    count: int, samples: int
) -> None:
    names = STREAM_CHANNELS[:count]
    streams = Streams({name: array("d", [0.0] * samples) for name in names})
    blob = encode_streams(streams)
    (length,) = struct.unpack_from("<I", blob, 4)
    header = json.dumps({"channels": list(names), "samples": samples})
    assert blob[8 : 8 + length] == header.encode()
