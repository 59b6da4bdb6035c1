"""The race-day tent's queue: who is called next, what each action may do, the wait estimate,
and that replaying the stored actions gives the same queue."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support.tent import record_of

from rubdown.domain.tent.day import (
    action_of,
    export_rows,
    kind_of,
    payload_of,
    percentile,
    replay_records,
    summarise,
)
from rubdown.domain.tent.queue import (
    Action,
    Call,
    CheckIn,
    Configure,
    Done,
    NoShow,
    Requeue,
    TentQueue,
    VisitState,
)
from rubdown.domain.tent.triage import Triage
from rubdown.errors import InvalidValue, NotFound, TentRefused

START = dt.datetime(2027, 4, 25, 11, 0, tzinfo=dt.UTC)
CLEAR = Triage(())


def at(minutes: float) -> dt.datetime:
    return START + dt.timedelta(minutes=minutes)


def check_in(queue: TentQueue, visit_id: str, distance: str = "", minute: float = 0) -> None:
    queue.apply(
        CheckIn(visit_id, f"b{visit_id}", f"Runner {visit_id}", distance, CLEAR), at(minute)
    )


def called(queue: TentQueue, table: int, minute: float = 0) -> str | None:
    visit = queue.apply(Call(table), at(minute)).visit
    return visit.id if visit else None


def test_without_priorities_the_first_to_check_in_is_called_first() -> None:
    queue = TentQueue(tables=2)
    for number, name in enumerate(("a", "b", "c")):
        check_in(queue, name, "10k" if name == "a" else "marathon", minute=number)
    assert [called(queue, 1, 5), called(queue, 2, 5)] == ["a", "b"]


def test_the_leads_priorities_call_marathoners_before_10k_runners() -> None:
    queue = TentQueue(tables=3)
    queue.apply(Configure(priorities=("Marathon", "half")), at(0))
    check_in(queue, "ten", "10K", 1)
    check_in(queue, "half", "Half", 2)
    check_in(queue, "full", "marathon ", 3)
    assert [called(queue, n, 4) for n in (1, 2, 3)] == ["full", "half", "ten"]


def test_changing_priorities_reorders_those_already_waiting() -> None:
    queue = TentQueue(tables=1)
    check_in(queue, "ten", "10k", 1)
    check_in(queue, "full", "marathon", 2)
    queue.apply(Configure(priorities=("marathon",)), at(3))
    assert queue.position("full") == 1
    assert called(queue, 1, 4) == "full"


def test_a_call_to_a_busy_table_is_refused_and_changes_nothing() -> None:
    queue = TentQueue(tables=1)
    check_in(queue, "a")
    check_in(queue, "b")
    called(queue, 1)
    with pytest.raises(TentRefused, match="table 1 is busy"):
        queue.apply(Call(1), at(1))
    assert queue.waiting() == 1
    assert queue.visits["b"].state is VisitState.WAITING


def test_a_call_with_nobody_waiting_touches_no_visit() -> None:
    assert TentQueue().apply(Call(1), at(0)).visit is None


def test_a_table_outside_the_tent_is_refused() -> None:
    with pytest.raises(InvalidValue, match="tables 1 to 2"):
        TentQueue(tables=2).apply(Call(3), at(0))


def test_done_frees_the_table_and_records_the_wait_and_the_session() -> None:
    queue = TentQueue(tables=1)
    check_in(queue, "a", minute=0)
    called(queue, 1, minute=4)
    visit = queue.apply(Done("a"), at(14)).visit
    assert visit is not None
    assert visit.state is VisitState.DONE
    assert (visit.wait_s, visit.session_s) == (240, 600)
    assert queue.at_table == {}


def test_done_for_a_runner_not_at_a_table_is_refused() -> None:
    queue = TentQueue()
    check_in(queue, "a")
    with pytest.raises(TentRefused, match="not at a table"):
        queue.apply(Done("a"), at(1))


def test_an_unknown_visit_is_not_found() -> None:
    with pytest.raises(NotFound):
        TentQueue().apply(Done("nobody"), at(0))


def test_a_no_show_frees_the_table_and_back_in_the_queue_keeps_the_first_place() -> None:
    queue = TentQueue(tables=1)
    check_in(queue, "a", minute=0)
    check_in(queue, "b", minute=1)
    check_in(queue, "c", minute=2)
    called(queue, 1, 3)
    queue.apply(NoShow("a"), at(4))
    assert queue.at_table == {}
    queue.apply(Requeue("a"), at(5))
    assert queue.position("a") == 1  # before b and c, who checked in later
    assert [v.id for v in queue.waiting_visits()] == ["a", "b", "c"]
    assert called(queue, 1, 6) == "a"


def test_a_runner_at_a_table_can_go_back_in_the_queue() -> None:
    queue = TentQueue(tables=1)
    check_in(queue, "a")
    called(queue, 1)
    outcome = queue.apply(Requeue("a"), at(1))
    assert outcome.position == 1
    assert queue.at_table == {}


def test_a_bib_already_waiting_cannot_check_in_twice() -> None:
    queue = TentQueue()
    check_in(queue, "a")
    with pytest.raises(TentRefused, match="already checked in"):
        queue.apply(CheckIn("a2", "ba", "Runner a", "", CLEAR), at(1))
    assert len(queue.visits) == 1


def test_a_runner_served_may_check_in_again_later() -> None:
    queue = TentQueue()
    check_in(queue, "a")
    called(queue, 1)
    queue.apply(Done("a"), at(10))
    queue.apply(CheckIn("a2", "ba", "Runner a", "", CLEAR), at(20))
    assert queue.waiting() == 1


def test_a_triage_sign_sends_the_runner_to_medical_never_to_the_queue() -> None:
    queue = TentQueue()
    outcome = queue.apply(CheckIn("m", "7", "Mo", "", Triage(("chest_pain",))), at(0))
    assert outcome.visit is not None
    assert outcome.visit.state is VisitState.MEDICAL
    assert outcome.position is None
    assert queue.waiting() == 0
    assert queue.apply(Call(1), at(1)).visit is None


def test_a_check_in_needs_a_bib_or_a_name() -> None:
    with pytest.raises(InvalidValue, match="bib number or"):
        TentQueue().apply(CheckIn("x", " ", " ", "", CLEAR), at(0))


def test_the_position_counts_better_ranks_and_earlier_arrivals() -> None:
    queue = TentQueue()
    queue.apply(Configure(priorities=("marathon",)), at(0))
    check_in(queue, "t1", "10k")
    check_in(queue, "m1", "marathon")
    check_in(queue, "t2", "10k")
    assert [queue.position(v) for v in ("m1", "t1", "t2")] == [1, 2, 3]


def test_the_wait_is_none_with_a_free_table_and_grows_with_the_queue() -> None:
    queue = TentQueue(tables=2, cap_s=600)
    assert queue.estimated_wait_s(0, at(0)) == 0
    assert queue.estimated_wait_s(1, at(0)) == 0
    for name in "abcd":
        check_in(queue, name)
    called(queue, 1)
    called(queue, 2)
    # Both tables busy, no session done yet: each takes one runner per cap (10 min).
    assert queue.estimated_wait_s(0, at(1)) == 300  # half a session: the next free table
    assert queue.estimated_wait_s(2, at(1)) == 900  # the second round
    queue.apply(Done("a"), at(8))
    queue.apply(Done("b"), at(8))
    called(queue, 1, 8)
    called(queue, 2, 8)
    # Sessions of 8 min now set the pace.
    assert queue.estimated_wait_s(2, at(8)) == pytest.approx((2 - 0.5) * 480)


def test_the_board_shows_bibs_not_names_and_each_table() -> None:
    queue = TentQueue(tables=2, cap_s=600)
    check_in(queue, "a", "marathon")
    called(queue, 2, minute=1)
    board = queue.board(at(2))
    assert board.tables_busy == 1
    assert board.tables[1].bib == "ba"
    assert board.tables[1].due_at == at(11)
    assert "Runner a" not in repr(board)


def test_settings_out_of_range_are_refused() -> None:
    queue = TentQueue()
    with pytest.raises(InvalidValue):
        queue.apply(Configure(cap_s=10), at(0))
    with pytest.raises(InvalidValue):
        queue.apply(Configure(tables=0), at(0))


def test_tables_in_use_cannot_be_removed() -> None:
    queue = TentQueue(tables=5)
    check_in(queue, "a")
    called(queue, 5)
    with pytest.raises(TentRefused, match="table 5 is busy"):
        queue.apply(Configure(tables=4), at(1))
    assert queue.tables == 5


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        TentQueue().apply(Call(1), dt.datetime(2027, 4, 25, 11))


def test_the_summary_counts_outcomes_and_the_served_waits() -> None:
    queue = TentQueue(tables=1)
    check_in(queue, "a", minute=0)
    check_in(queue, "b", minute=0)
    queue.apply(CheckIn("m", "m", "M", "", Triage(("cold",))), at(0))
    called(queue, 1, minute=2)
    queue.apply(Done("a"), at(12))
    called(queue, 1, minute=12)
    queue.apply(NoShow("b"), at(13))
    summary = summarise(queue)
    assert (summary.checked_in, summary.served, summary.medical, summary.no_shows) == (3, 1, 1, 1)
    assert summary.wait_p50_s == 120
    assert summary.mean_session_s == 600


def test_the_export_has_one_row_per_visit_with_its_triage_rules() -> None:
    queue = TentQueue()
    queue.apply(CheckIn("m", "9", "Mo", "", Triage(("heat", "sharp_pain"))), at(0))
    (row,) = export_rows(queue)
    assert row[5] == "medical"
    assert row[6:8] == ("heat sharp_pain", "E5 X1")


def test_percentiles_by_nearest_rank() -> None:
    values = list(range(1, 101))
    assert [percentile(values, p) for p in (0.5, 0.9, 0.99)] == [50, 90, 99]
    assert percentile([], 0.5) is None


def test_a_malformed_stored_action_is_refused_with_its_reason() -> None:
    with pytest.raises(InvalidValue, match="whole number"):
        action_of("call", {"table": "3"})
    with pytest.raises(InvalidValue, match="unknown tent action"):
        action_of("dance", {})


# -- replay: the same actions give the same queue ------------------------------------------

_ids = st.sampled_from([f"v{n}" for n in range(8)])
_actions = st.one_of(
    st.builds(
        lambda visit_id, distance, sign: CheckIn(
            visit_id, visit_id.upper(), visit_id, distance, Triage(("heat",) if sign else ())
        ),
        _ids,
        st.sampled_from(["marathon", "10k", ""]),
        st.booleans(),
    ),
    st.builds(Call, st.integers(1, 3)),
    st.builds(Done, _ids),
    st.builds(NoShow, _ids),
    st.builds(Requeue, _ids),
    st.builds(Configure, priorities=st.sampled_from([("marathon",), ("10k", "marathon"), ()])),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_actions, max_size=40))
def test_replaying_the_stored_actions_gives_the_same_queue(actions: list[Action]) -> None:
    queue = TentQueue(tables=3)
    records = [record_of(1, Configure(tables=3), START)]
    for minute, action in enumerate(actions, start=1):
        try:
            queue.apply(action, at(minute))
        except (TentRefused, InvalidValue, NotFound):
            continue  # refused: nothing stored, nothing changed
        stored = action_of(kind_of(action), payload_of(action))
        records.append(record_of(len(records) + 1, stored, at(minute)))
    again = replay_records(records)
    assert again.visits == queue.visits
    assert again.at_table == queue.at_table
    assert [v.id for v in again.waiting_visits()] == [v.id for v in queue.waiting_visits()]
    assert again.board(at(99)) == queue.board(at(99))
