"""Format detection from content, and the bounded gunzip in front of it."""

from __future__ import annotations

import gzip
import io
import os
import zipfile
import zlib
from pathlib import Path

import pytest

from rubdown.importers.archive import Limits
from rubdown.importers.base import HEAD_BYTES, Format, ImportProblem
from rubdown.importers.sniff import detect, gunzip_head, unwrap

CORPUS = Path(__file__).resolve().parents[1] / "data" / "activities"

STRAVA_HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
    "Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,"
    "Filename,Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,"
    "Average Speed,Elevation Gain,Elevation Loss,Media"
)
# A Czech header as public importers of translated exports show it: no English name in it.
CZECH_HEADER = (
    "ID aktivity,Datum aktivity,Název aktivity,Typ aktivity,Popis aktivity,Uplynulý čas,"
    "Vzdálenost,Max. tepová frekvence,Relativní úsilí,Dojíždění,Soukromá poznámka,Vybavení,"
    "Soubor,Hmotnost sportovce,Hmotnost kola,Uplynulý čas,Čas pohybu,Vzdálenost,Max. rychlost"
)


def head_of(relative: str) -> bytes:
    return (CORPUS / relative).read_bytes()[:HEAD_BYTES]


def gzip_bomb(total: int = 2 * 1024**3) -> bytes:
    """gzip of ``total`` zeros in a few MB, built without deflating them all: after a full
    flush the compressor starts afresh, so every further MiB of zeros compresses the same."""
    block = bytes(1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    return first + repeated * (total // len(block) - 1) + compressor.flush()


# --- detect --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("GoldenCheetah/3386684871.fit", Format.FIT),
        ("GoldenCheetah/2012_02_05_09_03_59.fit", Format.FIT),
        ("fitparse-rs/sample_mulitple_header.fit", Format.FIT),
        ("GoldenCheetah/1292585194-20906.gpx", Format.GPX),
        ("gpxpy/gpx1.0_with_all_fields.gpx", Format.GPX),
        ("gpxpy/unicode_with_bom.gpx", Format.GPX),
        ("GoldenCheetah/10kUNLP2014-Garmin15.tcx", Format.TCX),
        ("python-tcxparser/test.tcx", Format.TCX),
        ("GoldenCheetah/GarminFR955v18.zip", Format.ZIP),
    ],
)
def test_corpus_files_are_detected_from_their_content(relative: str, expected: Format) -> None:
    assert detect(head_of(relative)) is expected


def test_a_mislabelled_file_is_detected_by_content_not_by_name() -> None:
    gpx = head_of("GoldenCheetah/1292585194-20906.gpx")
    fit = head_of("GoldenCheetah/3386684871.fit")
    assert detect(gpx, "activities/123.fit") is Format.GPX
    assert detect(fit, "run.gpx") is Format.FIT
    assert detect(b"just some notes about my run\n", "run.tcx") is Format.UNKNOWN


def test_xml_root_is_found_past_bom_declaration_comments_and_doctype_subset() -> None:
    xml = (
        b"\xef\xbb\xbf<?xml version='1.0' encoding='UTF-8'?>\n"
        b"<!-- written by a watch > app -->\n<?xml-stylesheet href='a.xsl'?>\n"
        b'<!DOCTYPE g:gpx [ <!ENTITY x "a ] > b"> <!-- ] > --> <!ELEMENT g:gpx ANY> ]>\n'
        b'<g:gpx xmlns:g="http://www.topografix.com/GPX/1/1"/>'
    )
    assert detect(xml) is Format.GPX


def test_tcx_root_with_a_namespace_prefix_is_recognised() -> None:
    xml = b'<?xml version="1.0"?><ns0:TrainingCenterDatabase xmlns:ns0="urn:x">'
    assert detect(xml) is Format.TCX


def test_apple_health_export_is_recognised_even_when_its_doctype_fills_the_head() -> None:
    subset = "".join(f"<!ATTLIST Record attr{i} CDATA #IMPLIED>\n" for i in range(200))
    text = f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE HealthData [\n{subset}]>\n'
    xml = (text + '<HealthData locale="en_GB">').encode()
    assert len(text) > HEAD_BYTES
    assert detect(xml[:HEAD_BYTES]) is Format.APPLE_HEALTH
    assert detect(b'<?xml version="1.0"?>\n<HealthData locale="en">') is Format.APPLE_HEALTH


def test_utf16_xml_is_recognised() -> None:
    xml = '<?xml version="1.0" encoding="UTF-16"?><gpx version="1.1">'.encode("utf-16")
    assert detect(xml) is Format.GPX


def test_other_xml_and_html_are_unknown() -> None:
    assert detect(b"<?xml version='1.0'?><kml xmlns='x'/>") is Format.UNKNOWN
    assert detect(b"<!DOCTYPE html><html><body>hi</body></html>") is Format.UNKNOWN


def test_calendar_is_recognised() -> None:
    assert detect(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") is Format.ICS
    assert detect(b"\xef\xbb\xbf\r\nbegin:vcalendar\r\n") is Format.ICS


def test_english_strava_activities_csv_is_recognised() -> None:
    row = '123,"Oct 6, 2022, 11:19:20 PM",Morning Run,Run,,1800,5.01,170,,false,,,'
    row += "activities/987.fit.gz," + ",".join(["1"] * 10)
    assert detect(f"{STRAVA_HEADER}\n{row}\n".encode()) is Format.STRAVA_CSV


def test_translated_strava_header_is_recognised_by_its_repeated_columns() -> None:
    assert detect(CZECH_HEADER.encode() + b"\n") is Format.STRAVA_CSV


def test_translated_header_without_repeats_is_recognised_by_a_row_naming_its_file() -> None:
    header = ",".join(["Aktivitäts-ID", *(f"Spalte {i}" for i in range(1, 16))])
    row = ",".join(["1", *(["x"] * 11), "activities/55.gpx", "x", "x", "x"])
    assert detect(f"{header}\n{row}\n".encode()) is Format.STRAVA_CSV
    assert detect(f"{header}\n".encode()) is Format.UNKNOWN
    assert detect(f"{header}\n".encode(), "export/activities.csv") is Format.STRAVA_CSV


def test_other_csv_files_are_unknown() -> None:
    wide = ",".join(["Date", *(f"col{i}" for i in range(30))])
    narrow = "Activity ID,Date,Distance\n1,2024-01-01,5\n"
    assert detect(wide.encode() + b"\n") is Format.UNKNOWN
    assert detect(narrow.encode(), "activities.csv") is Format.UNKNOWN
    # An ID column and an empty 13th field are not enough to call it Strava's.
    ids = ",".join(["id", *(f"c{i}" for i in range(20))]) + "\n" + "1" + "," * 20 + "\n"
    assert detect(ids.encode()) is Format.UNKNOWN


def test_garmin_summaries_are_recognised_by_their_wrapper_key() -> None:
    data = b'[ {"summarizedActivitiesExport": [{"activityId": 1}]} ]'
    assert detect(data, "anything.json") is Format.GARMIN_SUMMARIES


def test_garmin_wellness_json_is_recognised_only_with_its_name() -> None:
    data = b'[{"calendarDate": "2024-01-01", "deepSleepSeconds": 3600}]'
    wellness = "DI_CONNECT/DI-Connect-Wellness/123_sleepData.json"
    assert detect(data, wellness) is Format.GARMIN_WELLNESS
    assert (
        detect(data, "DI_CONNECT/DI-Connect-Aggregator/UDSFile_1_2.json") is Format.GARMIN_WELLNESS
    )
    assert detect(data, "user_profile.json") is Format.UNKNOWN
    assert detect(b"not json at all", wellness) is Format.UNKNOWN


def test_zip_and_empty_zip_are_recognised() -> None:
    empty = io.BytesIO()
    zipfile.ZipFile(empty, "w").close()
    assert empty.getvalue().startswith(b"PK\x05\x06")
    assert detect(empty.getvalue()) is Format.ZIP


def test_gzip_and_noise_are_unknown_to_detect() -> None:
    assert detect(gzip.compress(head_of("GoldenCheetah/3386684871.fit"))) is Format.UNKNOWN
    assert detect(os.urandom(HEAD_BYTES)) is Format.UNKNOWN
    assert detect(b"") is Format.UNKNOWN


# --- unwrap --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("GoldenCheetah/14582164182.fit.gz", Format.FIT),
        ("activatr/running_example.gpx.gz", Format.GPX),
        ("activatr/running_example.tcx.gz", Format.TCX),
    ],
)
def test_gzipped_corpus_files_are_unwrapped_and_detected(relative: str, expected: Format) -> None:
    raw = (CORPUS / relative).read_bytes()
    unwrapped = unwrap(raw, relative, Limits())
    assert unwrapped.format is expected
    assert unwrapped.gzipped
    assert unwrapped.payload == gzip.decompress(raw)


def test_plain_files_pass_through_unwrap_untouched() -> None:
    raw = (CORPUS / "GoldenCheetah/3386684871.fit").read_bytes()
    unwrapped = unwrap(raw, "3386684871.fit", Limits())
    assert (unwrapped.payload, unwrapped.format, unwrapped.gzipped) == (raw, Format.FIT, False)


def test_multi_member_gzip_is_read_to_the_end() -> None:
    raw = gzip.compress(b"<gpx>" + b" " * 100) + gzip.compress(b"</gpx>")
    assert unwrap(raw, "a.gpx.gz", Limits()).payload == b"<gpx>" + b" " * 100 + b"</gpx>"


def test_zero_padding_after_gzip_data_is_ignored() -> None:
    raw = gzip.compress(b"<gpx/>") + bytes(512)
    assert unwrap(raw, "a.gpx.gz", Limits()).payload == b"<gpx/>"


def test_truncated_gzip_is_reported_as_ending_early() -> None:
    raw = (CORPUS / "GoldenCheetah/14582164182.fit.gz").read_bytes()
    with pytest.raises(ImportProblem, match=r"^gzip data ends early$"):
        unwrap(raw[: len(raw) // 2], "x.fit.gz", Limits())


def test_damaged_gzip_is_reported_in_one_line() -> None:
    raw = bytearray(gzip.compress(os.urandom(5000)))
    raw[-6] ^= 0xFF  # inside the CRC-32 trailer
    with pytest.raises(ImportProblem, match=r"^gzip data is damaged: ") as caught:
        unwrap(bytes(raw), "x.fit.gz", Limits())
    assert "\n" not in str(caught.value)


def test_empty_file_and_empty_gzip_are_problems() -> None:
    with pytest.raises(ImportProblem, match=r"^empty file$"):
        unwrap(b"", "x.fit", Limits())
    with pytest.raises(ImportProblem, match=r"^empty file"):
        unwrap(gzip.compress(b""), "x.fit.gz", Limits())


def test_gzip_bomb_is_refused_after_a_few_mebibytes() -> None:
    bomb = gzip_bomb()
    assert len(bomb) < 4 * 1024 * 1024
    with pytest.raises(
        ImportProblem, match=r"^compression ratio over 200:1: refused as a zip bomb$"
    ):
        unwrap(bomb, "bomb.fit.gz", Limits())


def test_gzip_growing_past_the_member_limit_is_refused() -> None:
    raw = gzip.compress(os.urandom(300 * 1024))
    with pytest.raises(ImportProblem, match=r"^gzip data expands beyond 256 KiB$"):
        unwrap(raw, "x.gpx.gz", Limits(max_member_bytes=256 * 1024))


def test_small_very_compressible_gzip_is_not_taken_for_a_bomb() -> None:
    payload = b"<gpx>" + bytes(512 * 1024)
    raw = gzip.compress(payload)
    assert len(payload) > 200 * len(raw)
    assert unwrap(raw, "x.gpx.gz", Limits()).payload == payload


def test_gzip_head_decompresses_only_the_start() -> None:
    raw = (CORPUS / "activatr/running_example.gpx.gz").read_bytes()
    head = gunzip_head(raw[:16384])
    assert len(head) == HEAD_BYTES
    assert gzip.decompress(raw).startswith(head)
    with pytest.raises(ImportProblem, match=r"^gzip data is damaged"):
        gunzip_head(b"\x1f\x8b\x08\x00" + bytes(6) + b"\xff" * 64)


def _zlib_words(raw: bytes) -> str:
    """What zlib itself says of damaged gzip data."""
    with pytest.raises(zlib.error) as caught:
        zlib.decompress(raw, 47)
    return str(caught.value)


def _damaged(offset_from_end: int) -> bytes:
    raw = bytearray(gzip.compress(os.urandom(5000) + bytes(20000), mtime=0))
    raw[-offset_from_end] ^= 0xFF
    return bytes(raw)


@pytest.mark.parametrize(
    "raw",
    [
        _damaged(6),  # the CRC-32
        _damaged(2),  # the length
        b"\x1f\x8b\x08\x00" + bytes(6) + b"\xff" * 64,  # no valid block
        gzip.compress(b"<gpx/>") + b"\x1f\x8b\x09" + bytes(20),  # a second member, bad method
    ],
    ids=["crc", "length", "block", "second-member"],
)
def test_damaged_gzip_is_described_in_zlib_s_words(raw: bytes) -> None:
    # The fast inflater has words of its own; the line shown stays the one it always was.
    try:
        zlib.decompress(raw, 47)
        words = _zlib_words(raw[len(gzip.compress(b"<gpx/>")) :])
    except zlib.error as error:
        words = str(error)
    with pytest.raises(ImportProblem) as caught:
        unwrap(raw, "x.gpx.gz", Limits())
    assert str(caught.value) == f"gzip data is damaged: {words}"


def test_a_long_member_goes_on_with_zlib_and_gives_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("rubdown.importers.sniff._IN_CHUNK", 1000)
    monkeypatch.setattr("rubdown.importers.sniff._REPLAY_BYTES", 5000)
    payload = b"<gpx>" + os.urandom(40_000) + bytes(200_000) + b"</gpx>"
    raw = gzip.compress(payload, mtime=0) + gzip.compress(payload[:30_000], mtime=0)
    assert unwrap(raw, "x.gpx.gz", Limits()).payload == payload + payload[:30_000]


def test_damage_past_the_kept_bytes_is_still_described_in_zlib_s_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("rubdown.importers.sniff._IN_CHUNK", 1000)
    monkeypatch.setattr("rubdown.importers.sniff._REPLAY_BYTES", 5000)
    raw = bytearray(gzip.compress(b"<gpx>" + os.urandom(40_000), mtime=0))
    raw[-6] ^= 0xFF
    with pytest.raises(ImportProblem) as caught:
        unwrap(bytes(raw), "x.gpx.gz", Limits())
    assert str(caught.value) == f"gzip data is damaged: {_zlib_words(bytes(raw))}"
