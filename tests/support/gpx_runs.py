"""Small GPX runs written from scratch, at any start (year 1 and 9999 included)."""

from __future__ import annotations

import datetime as dt

GPX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gpx version="1.1" creator="rubdown tests" xmlns="http://www.topografix.com/GPX/1/1">'
)


def _stamp(moment: dt.datetime) -> str:
    # strftime pads years below 1000 differently per platform: spell the year out.
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}Z"


def gpx_run(start: dt.datetime, *, points: int = 60, step_s: int = 10, name: str = "Run") -> bytes:
    """A run of ``points`` track points ``step_s`` apart from ``start`` (UTC), heading north
    at about 3.3 m/s, with a heart rate, so it has a load."""
    moments = []
    for i in range(points):
        try:
            moments.append(start + dt.timedelta(seconds=i * step_s))
        except OverflowError:
            break  # a run at the very end of year 9999 stops there
    track = "".join(
        f'<trkpt lat="{45 + i * 0.0003:.6f}" lon="14.000000"><time>{_stamp(moment)}</time>'
        "<extensions><gpxtpx:TrackPointExtension"
        ' xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<gpxtpx:hr>{150 + i % 10}</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions>"
        "</trkpt>"
        for i, moment in enumerate(moments)
    )
    body = f"<trk><name>{name}</name><type>running</type><trkseg>{track}</trkseg></trk></gpx>"
    return (GPX_HEAD + body).encode()
