"""The body map and the soreness heat map (web.presenters.body_map), from check-ins alone."""

from __future__ import annotations

import datetime as dt

import pytest

from rubdown.domain.model import CheckIn, PainQuality, Sign
from rubdown.domain.regions import BodyPart, Side, parse_region
from rubdown.errors import InvalidValue, UnknownName
from rubdown.web.presenters.body_map import (
    Level,
    MapValues,
    body_map,
    episode_region,
    heatmap_grid,
    heatmap_view,
    level_at,
    map_region,
    map_regions,
    merge_map,
)

TODAY = dt.date(2027, 1, 4)
R = parse_region
LEFT_CALF = R("left-calf")
RIGHT_CALF = R("right-calf")
SHARP = PainQuality.SHARP
DULL = PainQuality.DULL


def day(offset: int) -> dt.date:
    return TODAY - dt.timedelta(days=offset)


# -- the map's regions ------------------------------------------------------------------------


def test_the_map_has_a_shape_per_side_of_each_paired_part_and_one_per_midline_part() -> None:
    regions = map_regions()
    for part in BodyPart:
        sides = {r.side for r in regions if r.part is part}
        assert sides == ({Side.LEFT, Side.RIGHT} if part.paired else {None})
    assert len(regions) == len(set(regions))


def test_body_map_keys_every_shape_by_part_and_side() -> None:
    spots = body_map(None)
    assert spots["calf:left"].region == LEFT_CALF
    assert spots["low-back:center"].region == R("low-back")
    assert spots["low-back:center"].view == "back"
    assert spots["quad:right"].view == "front"
    assert all(spot.level.empty for spot in spots.values())


def test_a_shape_name_reads_into_its_region() -> None:
    assert map_region("calf", "left") == LEFT_CALF
    assert map_region(" Upper-Back ", "center") == R("upper-back")


@pytest.mark.parametrize(
    ("part", "side", "error"),
    [
        ("elbow", "left", UnknownName),
        ("calf", "middle", UnknownName),
        ("calf", "center", UnknownName),
        ("low-back", "left", InvalidValue),
    ],
)
def test_an_unknown_part_or_side_is_an_input_error(
    part: str, side: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        map_region(part, side)


def test_an_episode_region_without_a_side_means_both_sides() -> None:
    assert episode_region("calf", "") == R("calf")
    assert episode_region("calf", "both") == R("calf")
    assert episode_region("heel", "left") == R("left-heel")
    assert episode_region("low-back", "") == R("low-back")
    with pytest.raises(UnknownName):
        episode_region("calf", "up")
    with pytest.raises(UnknownName):
        episode_region("low-back", "left")


# -- what a check-in says of one shape --------------------------------------------------------


def test_an_entry_without_a_side_covers_both_shapes() -> None:
    checkin = CheckIn(TODAY, soreness={R("calf"): 5})
    assert level_at(checkin, LEFT_CALF) == Level(5)
    assert level_at(checkin, RIGHT_CALF) == Level(5)
    assert level_at(checkin, R("left-shin")).empty


def test_overlapping_entries_show_the_highest_soreness_and_the_worst_pain() -> None:
    checkin = CheckIn(
        TODAY,
        soreness={R("calf"): 3, LEFT_CALF: 6},
        pain={R("calf"): DULL, RIGHT_CALF: SHARP},
    )
    assert level_at(checkin, LEFT_CALF) == Level(6, DULL)
    assert level_at(checkin, RIGHT_CALF) == Level(3, SHARP)
    assert level_at(checkin, RIGHT_CALF).red_flag


def test_no_check_in_means_nothing_recorded() -> None:
    assert level_at(None, LEFT_CALF).empty


# -- saving from the map ----------------------------------------------------------------------


def test_a_part_left_as_pre_filled_keeps_its_stored_entries_exactly() -> None:
    stored = CheckIn(TODAY, soreness={R("calf"): 4}, pain={R("calf"): DULL})
    sore = {LEFT_CALF: 4, RIGHT_CALF: 4}
    pain = {LEFT_CALF: DULL, RIGHT_CALF: DULL}
    assert merge_map(sore, pain, stored) == MapValues({R("calf"): 4}, {R("calf"): DULL}, {})


def test_a_changed_part_is_written_side_by_side() -> None:
    stored = CheckIn(TODAY, soreness={R("calf"): 4})
    values = merge_map({LEFT_CALF: 7, RIGHT_CALF: 4}, {LEFT_CALF: SHARP}, stored)
    assert values.soreness == {LEFT_CALF: 7, RIGHT_CALF: 4}
    assert values.pain == {LEFT_CALF: SHARP}


def test_a_value_not_given_keeps_what_was_stored_and_none_clears_it() -> None:
    stored = CheckIn(
        TODAY,
        soreness={R("low-back"): 2, R("left-heel"): 5},
        pain={R("left-heel"): DULL, R("right-knee"): SHARP},
    )
    values = merge_map({R("left-heel"): None}, {R("right-knee"): None}, stored)
    assert values.soreness == {R("low-back"): 2}
    assert values.pain == {R("left-heel"): DULL}


def test_without_a_stored_check_in_the_map_is_written_as_given() -> None:
    sore = {R("upper-back"): 0, R("left-quad"): None}
    pain = {R("left-heel"): DULL, R("right-heel"): None}
    assert merge_map(sore, pain, None) == MapValues(
        {R("upper-back"): 0}, {R("left-heel"): DULL}, {}
    )


def test_signs_left_as_pre_filled_keep_their_stored_entry_and_an_empty_set_clears_them() -> None:
    stored = CheckIn(TODAY, signs={R("calf"): frozenset({Sign.SWELLING})})
    kept = merge_map({}, {}, stored, {LEFT_CALF: frozenset({Sign.SWELLING})})
    cleared = merge_map({}, {}, stored, {LEFT_CALF: frozenset(), RIGHT_CALF: frozenset()})

    assert kept.signs == {R("calf"): frozenset({Sign.SWELLING})}
    assert cleared.signs == {}


def test_a_sign_given_on_one_side_is_written_side_by_side() -> None:
    values = merge_map({}, {}, None, {R("right-quad"): frozenset({Sign.BRUISE, Sign.KNOCK})})

    assert values.signs == {R("right-quad"): frozenset({Sign.BRUISE, Sign.KNOCK})}


def test_a_shape_shows_the_signs_of_every_entry_that_covers_it() -> None:
    checkin = CheckIn(
        TODAY,
        signs={R("calf"): frozenset({Sign.REDNESS}), LEFT_CALF: frozenset({Sign.STRAIN})},
    )

    left, right = level_at(checkin, LEFT_CALF), level_at(checkin, RIGHT_CALF)

    assert left.signs == frozenset({Sign.REDNESS, Sign.STRAIN})
    assert left.clot_sign
    assert left.fresh_injury
    assert right.sign_labels == ["redness"]
    assert not right.empty


def test_a_day_with_signs_only_gives_the_region_a_heat_map_row() -> None:
    checkin = CheckIn(TODAY, signs={R("left-shin"): frozenset({Sign.KNOCK})})

    (row,) = heatmap_grid([checkin], TODAY, weeks=1).rows

    assert row.region == R("left-shin")
    assert row.cells[-1] == Level(signs=frozenset({Sign.KNOCK}))


def test_a_region_not_on_the_map_is_refused() -> None:
    with pytest.raises(InvalidValue, match="calf"):
        merge_map({R("calf"): 3}, {}, None)


# -- the heat map -----------------------------------------------------------------------------


def test_the_window_is_the_given_weeks_of_days_up_to_the_last() -> None:
    grid = heatmap_grid([], TODAY, weeks=6)
    assert len(grid.days) == 42
    assert grid.last == TODAY
    assert grid.first == TODAY - dt.timedelta(days=41)
    assert grid.days == tuple(sorted(grid.days))


def test_an_empty_window_has_no_rows() -> None:
    outside = CheckIn(day(60), soreness={LEFT_CALF: 8})
    grid = heatmap_grid([outside], TODAY, weeks=2)
    assert grid.rows == ()
    assert grid.checked_in == frozenset()


def test_rows_are_the_regions_with_soreness_or_pain_head_to_foot_left_first() -> None:
    checkins = [
        CheckIn(day(0), soreness={R("calf"): 3, R("low-back"): 0}),
        CheckIn(day(3), soreness={R("upper-back"): 2}, pain={R("left-heel"): DULL}),
    ]
    grid = heatmap_grid(checkins, TODAY, weeks=1)
    assert [str(row.region) for row in grid.rows] == [
        "upper-back",
        "left-calf",
        "right-calf",
        "left-heel",
    ]  # the low back's 0 is no soreness: no row


def test_a_cell_holds_the_days_soreness_and_pain_and_days_without_check_in_are_known() -> None:
    checkins = [
        CheckIn(day(0), soreness={LEFT_CALF: 4}, pain={LEFT_CALF: SHARP}),
        CheckIn(day(2), soreness={LEFT_CALF: 1}),
    ]
    grid = heatmap_grid(checkins, TODAY, weeks=1)
    (row,) = grid.rows
    assert row.cells[-1] == Level(4, SHARP)
    assert row.cells[-1].red_flag
    assert row.cells[-3] == Level(1)
    assert row.cells[-2].empty
    assert row.peak == 4
    assert grid.checked_in == {day(0), day(2)}


def test_two_check_ins_on_one_day_give_the_highest_soreness_and_worst_pain() -> None:
    checkins = [
        CheckIn(TODAY, soreness={LEFT_CALF: 2}, pain={LEFT_CALF: SHARP}),
        CheckIn(TODAY, soreness={R("calf"): 5}, pain={R("calf"): DULL}),
    ]
    grid = heatmap_grid(checkins, TODAY, weeks=1)
    cells = {str(row.region): row.cells[-1] for row in grid.rows}
    assert cells["left-calf"] == Level(5, SHARP)
    assert cells["right-calf"] == Level(5, DULL)


def test_a_pain_flag_alone_gives_a_row() -> None:
    grid = heatmap_grid([CheckIn(TODAY, pain={R("low-back"): PainQuality.NUMBNESS})], TODAY, 1)
    (row,) = grid.rows
    assert row.cells[-1] == Level(None, PainQuality.NUMBNESS)
    assert row.peak is None


@pytest.mark.parametrize("weeks", [0, 27, -1])
def test_a_window_out_of_range_is_refused(weeks: int) -> None:
    with pytest.raises(InvalidValue, match="weeks"):
        heatmap_grid([], TODAY, weeks)


def test_the_heat_map_view_lines_cells_up_with_days() -> None:
    grid = heatmap_grid([CheckIn(TODAY, soreness={R("low-back"): 3})], TODAY, weeks=1)
    view = heatmap_view(grid)
    assert view["first"] == "2026-12-29"
    assert view["last"] == "2027-01-04"
    assert len(view["days"]) == len(view["checked_in"]) == 7
    (row,) = view["rows"]
    assert row["region"] == "low-back"
    assert row["side"] == "center"
    assert row["peak"] == 3
    assert len(row["cells"]) == 7
    nothing: dict[str, object] = {"pain": None, "red_flag": False, "signs": [], "clot_sign": False}
    assert row["cells"][-1] == {"soreness": 3, **nothing}
    assert row["cells"][0] == {"soreness": None, **nothing}


def test_a_side_on_a_midline_region_is_refused_naming_the_region_as_typed() -> None:
    with pytest.raises(UnknownName) as refused:
        parse_region("left-low-back")
    assert str(refused.value) == "body region low-back has no sides: use 'low-back' alone"
