"""Warning signs on a check-in: how the command line reads them, and which the check-in
rules accept, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from rubdown.cli.params import parse_signs
from rubdown.domain.model import CheckIn, Sign
from rubdown.domain.regions import parse_region
from rubdown.errors import InvalidValue, UnknownName
from rubdown.services.daily import check_checkin
from rubdown.web import parse

TODAY = dt.date(2027, 1, 4)


def test_signs_are_read_per_region_and_joined_with_plus() -> None:
    assert parse_signs("left-calf=swelling+warmth,right-hamstring=strain") == {
        parse_region("left-calf"): frozenset({Sign.SWELLING, Sign.WARMTH}),
        parse_region("right-hamstring"): frozenset({Sign.STRAIN}),
    }


def test_a_region_named_twice_gets_the_signs_of_both() -> None:
    assert parse_signs("calf=redness, calf=knock") == {
        parse_region("calf"): frozenset({Sign.REDNESS, Sign.KNOCK})
    }


def test_an_empty_option_gives_no_sign() -> None:
    assert parse_signs("") == {}


def test_an_unknown_sign_is_named_with_the_signs_that_exist() -> None:
    with pytest.raises(UnknownName, match="unknown warning sign for left-calf 'swollen'") as error:
        parse_signs("left-calf=swollen")
    assert "swelling, warmth, redness, strain, bruise, knock" in str(error.value)


def test_an_unknown_region_is_named() -> None:
    with pytest.raises(UnknownName, match="unknown body region 'elbow'"):
        parse_signs("elbow=bruise")


@pytest.mark.parametrize("text", ["left-calf=", "left-calf=+", "left-calf"])
def test_a_region_without_a_sign_is_refused_in_one_line(text: str) -> None:
    with pytest.raises(InvalidValue) as error:
        parse_signs(text)
    assert "\n" not in str(error.value)


def test_the_api_reads_signs_as_lists_and_names_an_unknown_one() -> None:
    assert parse.signs({"right-quad": ["bruise", "knock"]}) == {
        parse_region("right-quad"): frozenset({Sign.BRUISE, Sign.KNOCK})
    }
    with pytest.raises(UnknownName, match="warning sign for right-quad 'itchy'"):
        parse.signs({"right-quad": ["itchy"]})


def test_a_checkin_may_say_only_signs() -> None:
    only_signs = CheckIn(TODAY, signs={parse_region("left-calf"): frozenset({Sign.SWELLING})})

    check_checkin(only_signs, TODAY)  # no error


def test_a_fresh_injury_sign_is_fine_outside_the_legs() -> None:
    bruised_back = CheckIn(TODAY, signs={parse_region("low-back"): frozenset({Sign.BRUISE})})

    check_checkin(bruised_back, TODAY)  # no error


@pytest.mark.parametrize("sign", [Sign.SWELLING, Sign.WARMTH, Sign.REDNESS])
def test_a_clot_sign_outside_the_legs_is_refused_saying_why_in_one_line(sign: Sign) -> None:
    back = CheckIn(TODAY, signs={parse_region("upper-back"): frozenset({sign})})

    with pytest.raises(InvalidValue, match=f"{sign.value} in the upper back") as error:
        check_checkin(back, TODAY)
    assert "in a leg only (R5)" in str(error.value)
    assert "see a doctor" in str(error.value)
    assert "\n" not in str(error.value)
