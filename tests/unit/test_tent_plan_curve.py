"""The finish curve: the log-normal model per distance, a previous year's results rescaled,
and the results CSV read whatever the timing company's columns and delimiter."""

from __future__ import annotations

import re
import statistics

import pytest

from rubdown.domain.tent.finish_curve import (
    MODELS,
    model_for,
    modelled_finish_times,
    rescaled_finish_times,
)
from rubdown.domain.tent.results_csv import parse_finish_time, read_results
from rubdown.errors import FileFormatError, InvalidValue, UnknownName


def test_the_marathon_model_puts_half_the_field_home_by_its_published_median() -> None:
    times = modelled_finish_times(model_for("marathon"), 10_001)
    assert statistics.median(times) == pytest.approx(4 * 3600 + 28 * 60, rel=1e-6)
    assert times == sorted(times)


def test_the_half_model_matches_the_published_deciles_within_a_minute() -> None:
    # La Crosse half 2012: 10th percentile 97.25 min, 90th 153.18 min.
    times = modelled_finish_times(model_for("half"), 10_000)
    deciles = statistics.quantiles(times, n=10)
    assert deciles[0] / 60 == pytest.approx(97.25, abs=1.0)
    assert deciles[-1] / 60 == pytest.approx(153.18, abs=1.0)


def test_every_model_names_its_source() -> None:
    for model in MODELS.values():
        assert "http" in model.source, model.distance


def test_distance_names_have_their_common_spellings() -> None:
    assert model_for("Half-Marathon").distance == "half"
    assert model_for("42k").distance == "marathon"
    with pytest.raises(UnknownName, match="ultra"):
        model_for("ultra")


def test_a_curve_needs_at_least_one_finisher() -> None:
    with pytest.raises(InvalidValue, match="finishers"):
        modelled_finish_times(model_for("10k"), 0)


def test_a_previous_year_is_rescaled_to_the_expected_field_on_the_same_quantiles() -> None:
    last_year = [3600.0 + 60 * i for i in range(101)]  # 1:00:00 to 2:40:00, evenly
    doubled = rescaled_finish_times(last_year, 202)
    assert len(doubled) == 202
    assert doubled[0] >= last_year[0]
    assert doubled[-1] <= last_year[-1]
    assert statistics.median(doubled) == pytest.approx(statistics.median(last_year), abs=1)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("3:59:59", 3 * 3600 + 59 * 60 + 59),
        ("04:05:06.7", 4 * 3600 + 5 * 60 + 6.7),
        ("52:13", 52 * 60 + 13),
        ("75:30", 75 * 60 + 30),
        ("1:02:03,5", 3723.5),
    ],
)
def test_finish_times_read_as_the_timing_companies_write_them(text: str, seconds: float) -> None:
    assert parse_finish_time(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["DNF", "dns", "", "  ", "DQ", "-"])
def test_rows_without_a_finish_have_no_time(text: str) -> None:
    assert parse_finish_time(text) is None


@pytest.mark.parametrize("text", ["fast", "4:61:00", "1:00:75", "0:00:00"])
def test_text_that_is_no_time_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape(text)):
        parse_finish_time(text)


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("Bib,Name,Chip Time\n1,Ana,3:01:02\n2,Ben,4:10:00\n3,Cy,DNF\n", "Chip Time"),
        ("Startnummer;Name;Netto\n1;Ana;3:01:02\n2;Ben;4:10:00\n3;Cy;\n", "Netto"),
        ("bib\tfinish_time\n1\t3:01:02\n2\t4:10:00\n3\tDNS\n", "finish_time"),
        ("\ufeffBIB|Gun Time|Time\n1|3:02:00|3:01:02\n2|4:11:00|4:10:00\n3|DNF|DNF\n", "Time"),
    ],
)
def test_results_are_read_whatever_the_delimiter_and_column_names(text: str, column: str) -> None:
    results = read_results(text, "results.csv")
    assert results.finish_times_s == (3 * 3600 + 62.0, 4 * 3600 + 600.0)
    assert results.column == column
    assert results.skipped_rows == 1


def test_net_time_is_preferred_over_gun_time() -> None:
    results = read_results("bib,gun time,chip time\n7,3:10:00,3:00:00\n", "r.csv")
    assert results.column == "chip time"
    assert results.bib_column == "bib"


def test_a_results_file_without_a_finish_column_names_its_header_in_one_line() -> None:
    with pytest.raises(FileFormatError, match=r"r\.csv: no finish-time column") as raised:
        read_results("bib,name,club\n1,Ana,Harriers\n", "r.csv")
    assert "bib, name, club" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_finish_column_with_no_times_is_refused() -> None:
    with pytest.raises(FileFormatError, match='no finish times in column "time"'):
        read_results("bib,time\n1,DNF\n2,\n", "r.csv")


def test_a_bad_time_names_its_line_and_column() -> None:
    with pytest.raises(FileFormatError, match=r'r\.csv, line 3: "soon" in column "time"'):
        read_results("bib,time\n1,3:00:00\n2,soon\n", "r.csv")


def test_an_empty_results_file_is_refused() -> None:
    with pytest.raises(FileFormatError, match="empty"):
        read_results("\n\n", "r.csv")


def test_a_bad_time_names_its_line_in_the_file_blank_lines_counted() -> None:
    with pytest.raises(FileFormatError, match=r"r\.csv, line 5: \"soon\""):
        read_results("bib,time\n\n1,3:00:00\n\n2,soon\n", "r.csv")


def test_a_bad_cell_spanning_lines_is_quoted_on_one_line() -> None:
    with pytest.raises(FileFormatError) as raised:
        read_results('bib,time\n1,"3:00\n:00"\n', "r.csv")
    assert "\n" not in str(raised.value)
    assert "line 3" in str(raised.value)


def test_a_binary_file_is_refused_as_not_a_csv() -> None:
    with pytest.raises(FileFormatError, match="not a CSV file"):
        read_results("PK\x03\x04\x00\x00results.xlsx", "results.xlsx")
