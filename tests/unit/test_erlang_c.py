"""Erlang C in closed form, against values worked by hand and M/M/1's textbook figures."""

from __future__ import annotations

import math

import pytest

from rubdown.domain.tent import erlang


def test_two_servers_at_one_erlang_make_a_third_of_arrivals_wait() -> None:
    # a^c/c! * c/(c-a) = 1 against 1 + a = 2 for the states below c: C = 1 / (2 + 1).
    assert erlang.erlang_c(2, 1.0) == pytest.approx(1 / 3)


def test_one_server_makes_arrivals_wait_as_often_as_it_is_busy() -> None:
    assert erlang.erlang_c(1, 0.75) == pytest.approx(0.75)


def test_mm1_mean_wait_is_rho_over_mu_minus_lambda() -> None:
    arrival_rate, mean_service_s = 1 / 60, 45.0
    rho = arrival_rate * mean_service_s
    expected = rho / (1 / mean_service_s - arrival_rate)
    assert erlang.mean_wait_s(arrival_rate, mean_service_s, 1) == pytest.approx(expected)


def test_an_unstable_queue_always_waits_and_waits_forever() -> None:
    assert erlang.erlang_c(3, 3.0) == 1.0
    assert erlang.mean_wait_s(1 / 60, 600, 10) == math.inf
    assert erlang.wait_exceeds_probability(1 / 60, 600, 10, 3600) == 1.0


def test_nobody_arriving_means_no_wait_and_no_servers_needed() -> None:
    assert erlang.erlang_c(4, 0.0) == 0.0
    assert erlang.mean_wait_s(0.0, 600, 4) == 0.0
    assert erlang.servers_for_wait(0.0, 600, 600) == 0


def test_a_large_tent_does_not_overflow() -> None:
    probability = erlang.erlang_c(400, 380.0)
    assert 0 < probability < 1


def test_servers_for_wait_is_the_fewest_that_meet_the_quantile() -> None:
    rate, mean_s, target_s = 20 / 900, 720.0, 600.0
    servers = erlang.servers_for_wait(rate, mean_s, target_s, 0.9)
    assert erlang.wait_exceeds_probability(rate, mean_s, servers, target_s) <= 0.1
    assert erlang.wait_exceeds_probability(rate, mean_s, servers - 1, target_s) > 0.1


def test_a_quantile_outside_zero_and_one_is_refused() -> None:
    with pytest.raises(ValueError, match="quantile"):
        erlang.servers_for_wait(0.01, 600, 600, 1.0)


def test_steadier_sessions_wait_less_and_need_no_more_servers() -> None:
    rate, mean_s, target_s = 100 / 900, 720.0, 600.0
    exponential = erlang.servers_for_wait(rate, mean_s, target_s, 0.9)
    assert erlang.servers_for_wait(rate, mean_s, target_s, 0.9, service_cv=1.0) == exponential
    assert erlang.servers_for_wait(rate, mean_s, target_s, 0.9, service_cv=0.2) <= exponential
    assert erlang.wait_exceeds_probability(
        rate, mean_s, exponential, target_s, service_cv=0.2
    ) < erlang.wait_exceeds_probability(rate, mean_s, exponential, target_s)
