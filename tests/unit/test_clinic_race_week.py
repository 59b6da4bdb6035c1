"""A team's race week from the clinic's data, on the in-memory clinic and team: who races
the event, which team therapists count, booked time kept free, liked times, and accepting
(the lead's sessions booked through the rules, a member's left as proposals)."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.support.fake_clinic import FakeClinicWorld, fake_clinic
from tests.support.fake_team import FakeTeamWorld

from rubdown.domain.availability import parse_hours
from rubdown.domain.clinic.booking_rules import ClientRef, ManagedClient, TherapistRules
from rubdown.domain.clinic.raceweek import DayPart, Phase, Preference
from rubdown.domain.clinic.services_menu import Service
from rubdown.domain.model import Priority, Race, SessionKind
from rubdown.errors import InvalidValue, NotFound
from rubdown.services.clinic.booking import BookingRequest, book
from rubdown.services.clinic.context import ClientRules, Clinic, managed_client_rules
from rubdown.services.clinic.race_week import TeamWeek, WeekAsk, accept_week, plan_week
from rubdown.services.clinic.records import add_client, add_service, save_rules
from rubdown.services.raceweek import Event
from rubdown.services.runner import Runner
from rubdown.solver.raceweek_cpsat import CpSatRaceWeekSolver

NOW = dt.datetime(2027, 4, 1, 9, 0, tzinfo=dt.UTC)
RACE_DAY = dt.date(2027, 4, 18)  # a Sunday
EVENT = Event("City Marathon", RACE_DAY)
LEAD, MEMBER, STRANGER = "lead-1", "member-1", "stranger-1"
SOLVER = CpSatRaceWeekSolver(time_limit_s=5)
WEEKDAYS_AND_SAT = ", ".join(f"{d} 09:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat"))
EVERY_DAY = ", ".join(f"{d} 08:00-20:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))


def _clinic(world: FakeClinicWorld, therapist_id: str, hours: str) -> Clinic:
    clinic, _ = fake_clinic(lambda: NOW, therapist_id, world)
    save_rules(clinic, TherapistRules(hours=parse_hours(hours), min_notice_h=24))
    return clinic


Setting = tuple[TeamWeek, FakeClinicWorld, FakeTeamWorld]


def _no_runner(runner_id: str) -> Runner:
    raise NotFound("no runner client in these tests")


def _week(clinic: Clinic, world: FakeClinicWorld, team: FakeTeamWorld) -> TeamWeek:
    def rules_for(ref: ClientRef) -> ClientRules:
        return managed_client_rules(clinic, clinic.data.get_client(ref.id), NOW.date())

    return TeamWeek(
        clinic=clinic,
        team=team.for_therapist(clinic.therapist_id),
        clinic_of=world.for_therapist,
        grants=list,
        runner=_no_runner,
        rules_for=rules_for,
    )


@pytest.fixture
def setting() -> Setting:
    world, team = FakeClinicWorld(), FakeTeamWorld(emails={MEMBER: "member@example.com"})
    lead = _clinic(world, LEAD, WEEKDAYS_AND_SAT)
    _clinic(world, MEMBER, EVERY_DAY)
    _clinic(world, STRANGER, EVERY_DAY)
    for kind, minutes in (
        (SessionKind.SPORTS, 60),
        (SessionKind.FLUSH, 30),
        (SessionKind.POST_EVENT, 30),
    ):
        add_service(lead, Service(kind, minutes, 50.0, buffer_min=15))
    return _week(lead, world, team), world, team


CITY = Race("City Marathon", RACE_DAY, Priority.A, 42.2)


def _racer(week: TeamWeek, name: str, race: Race = CITY) -> ManagedClient:
    return add_client(week.clinic, name, races=[race])


def test_every_client_racing_the_event_gets_a_pre_and_a_post_race_session(setting: Setting) -> None:
    week, _, _ = setting
    ann = _racer(week, "Ann")
    bob = _racer(week, "Bob")
    _racer(week, "Cy", Race("Other 10K", RACE_DAY, Priority.B, 10.0))
    proposal = plan_week(week, WeekAsk(event=EVENT), SOLVER)
    served = {(s.client, s.phase) for s in proposal.sessions}
    assert served == {(c.ref, p) for c in (ann, bob) for p in (Phase.PRE_RACE, Phase.POST_RACE)}
    assert proposal.clients == proposal.served_clients == 2
    assert any("Cy: not racing City Marathon" in note for note in proposal.notes)
    for session in proposal.sessions:
        days = (session.start.date() - RACE_DAY).days
        assert days < 0 if session.phase is Phase.PRE_RACE else days > 0


def test_only_accepted_members_lend_their_hours_to_the_team(setting: Setting) -> None:
    week, _, team = setting
    _racer(week, "Ann")
    team.for_therapist(LEAD).invite(MEMBER, NOW)
    pending = plan_week(week, WeekAsk(event=EVENT), SOLVER)
    assert {s.therapist_id for s in pending.sessions} == {LEAD}
    team.for_therapist(MEMBER).accept(LEAD, NOW)
    # The lead's own hours shrink to an hour the rules refuse (the day before the race):
    # only a member's hours can hold the clients now.
    save_rules(week.clinic, TherapistRules(hours=parse_hours("sat 09:00-10:00"), min_notice_h=24))
    _racer(week, "Bob")
    joined = plan_week(week, WeekAsk(event=EVENT), SOLVER)
    assert MEMBER in {s.therapist_id for s in joined.sessions}
    assert STRANGER not in {s.therapist_id for s in joined.sessions}


def test_time_already_booked_is_never_proposed_again(setting: Setting) -> None:
    week, _, _ = setting
    ann = _racer(week, "Ann")
    hours = parse_hours("fri 09:00-11:00")
    save_rules(week.clinic, TherapistRules(hours=hours, min_notice_h=24))
    flush = next(s for s in week.clinic.data.list_services() if s.kind is SessionKind.FLUSH)
    friday = dt.datetime(2027, 4, 16, 9, 0, tzinfo=dt.UTC)
    book(week.clinic, BookingRequest(ann.ref, flush.id, friday), week.rules_for(ann.ref))
    bob = _racer(week, "Bob")
    proposal = plan_week(
        week,
        WeekAsk(
            clients=(bob.ref,),
            first_day=RACE_DAY - dt.timedelta(days=7),
            last_day=RACE_DAY + dt.timedelta(days=7),
        ),
        SOLVER,
    )
    fridays = [s for s in proposal.sessions if s.start.date() == friday.date()]
    assert fridays, "the rest of Friday is still open"
    assert all(s.start >= friday + dt.timedelta(minutes=45) for s in fridays)


def test_a_liked_time_is_chosen_and_marked(setting: Setting) -> None:
    week, _, _ = setting
    ann = _racer(week, "Ann")
    week.team.set_preferences(ann.ref, (Preference(DayPart.EVENING, 10),), NOW)
    proposal = plan_week(week, WeekAsk(event=EVENT), SOLVER)
    assert proposal.sessions
    assert all(s.liked for s in proposal.sessions)
    assert all(s.start.hour >= 17 for s in proposal.sessions)


def test_accepting_books_the_leads_sessions_and_leaves_a_members_as_proposals(
    setting: Setting,
) -> None:
    week, world, team = setting
    team.for_therapist(LEAD).invite(MEMBER, NOW)
    team.for_therapist(MEMBER).accept(LEAD, NOW)
    # The member's one short morning cannot hold three clients: the lead must give most.
    save_rules(week.clinic, TherapistRules(hours=parse_hours("mon 09:00-11:00"), min_notice_h=24))
    member = world.for_therapist(MEMBER)
    member.save_therapist_rules(TherapistRules(hours=parse_hours("wed 09:00-10:00")))
    for name in ("Ann", "Bob", "Cy"):
        _racer(week, name)
    proposal = plan_week(week, WeekAsk(event=EVENT), SOLVER)
    outcome = accept_week(week, proposal.sessions)
    mine = [s for s in proposal.sessions if s.mine]
    assert mine
    assert len(outcome.booked) == len(mine)
    assert not outcome.refused
    assert {s.therapist_id for s in outcome.left_as_proposal} == {MEMBER}
    stored = week.clinic.data.bookings_between(NOW, NOW + dt.timedelta(days=60))
    assert {b.start for b in stored} == {s.start for s in mine}
    assert world.for_therapist(MEMBER).bookings_between(NOW, NOW + dt.timedelta(days=60)) == []


def test_accepting_again_is_refused_by_the_booking_rules_not_booked_twice(setting: Setting) -> None:
    week, _, _ = setting
    _racer(week, "Ann")
    proposal = plan_week(week, WeekAsk(event=EVENT), SOLVER)
    accept_week(week, proposal.sessions)
    again = accept_week(week, proposal.sessions)
    assert not again.booked
    assert len(again.refused) == len(proposal.sessions)
    assert all("not booked" in line for _, line in again.refused)


def test_a_client_the_rules_refuse_every_day_is_said_not_served_with_the_rule(
    setting: Setting,
) -> None:
    week, _, _ = setting
    ann = _racer(week, "Ann")
    save_rules(week.clinic, TherapistRules(hours=parse_hours("sat 09:00-10:00"), min_notice_h=24))
    one_day_either_side = WeekAsk(
        event=EVENT,
        first_day=RACE_DAY - dt.timedelta(days=1),
        last_day=RACE_DAY + dt.timedelta(days=1),
    )
    proposal = plan_week(week, one_day_either_side, SOLVER)
    assert proposal.served_clients == 0
    assert not proposal.sessions
    why = {u.phase: u for u in proposal.not_served if u.client == ann.ref}
    assert why[Phase.PRE_RACE].reason == "no-allowed-day"
    assert "(T" in why[Phase.PRE_RACE].detail
    assert why[Phase.POST_RACE].reason == "no-opening"


def test_a_chosen_set_needs_its_days_and_clients_of_the_therapist(setting: Setting) -> None:
    week, _, _ = setting
    ann = _racer(week, "Ann")
    with pytest.raises(InvalidValue, match="first and the last day"):
        plan_week(week, WeekAsk(clients=(ann.ref,)), SOLVER)
    other = ClientRef(ann.ref.kind, "not-mine")
    with pytest.raises(NotFound):
        plan_week(week, WeekAsk(clients=(other,), first_day=NOW.date(), last_day=RACE_DAY), SOLVER)
    with pytest.raises(InvalidValue):
        WeekAsk()


def test_the_lead_gives_every_session_they_have_room_for(setting: Setting) -> None:
    week, world, team = setting
    team.for_therapist(LEAD).invite(MEMBER, NOW)
    team.for_therapist(MEMBER).accept(LEAD, NOW)
    world.for_therapist(MEMBER).save_therapist_rules(
        TherapistRules(hours=parse_hours(WEEKDAYS_AND_SAT), min_notice_h=24)
    )
    for name in ("Ann", "Bob"):
        _racer(week, name)
    proposal = plan_week(week, WeekAsk(event=EVENT), SOLVER)
    assert len(proposal.sessions) == 4
    assert all(s.mine for s in proposal.sessions)


def test_bookings_made_before_count_towards_the_weekly_cap(setting: Setting) -> None:
    week, _, _ = setting
    ann = _racer(week, "Ann")
    rules = TherapistRules(
        hours=parse_hours("fri 09:00-17:00"), min_notice_h=24, max_sessions_per_week=1
    )
    save_rules(week.clinic, rules)
    flush = next(s for s in week.clinic.data.list_services() if s.kind is SessionKind.FLUSH)
    friday = dt.datetime(2027, 4, 16, 9, 0, tzinfo=dt.UTC)
    book(week.clinic, BookingRequest(ann.ref, flush.id, friday), week.rules_for(ann.ref))
    bob = _racer(week, "Bob")
    ask = WeekAsk(clients=(bob.ref,), first_day=friday.date(), last_day=RACE_DAY)
    proposal = plan_week(week, ask, SOLVER)
    assert proposal.sessions == ()
    (why,) = [u for u in proposal.not_served if u.phase is Phase.PRE_RACE]
    assert why.reason == "capacity-full"
    assert "1 sessions a week reached" in why.detail
