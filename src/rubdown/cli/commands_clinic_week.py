"""``rubdown clinic week`` and ``rubdown clinic team``: a team's race week from the command
line, and the team it is planned across.

``clinic week EVENT --from DAY --to DAY`` proposes a pre-race and a post-race session for
every client of the therapist racing the event (the race's name as the clients' calendars
say it; the day is the first one, in the days given, on which one of them races it), or for
the clients chosen with ``--client``; ``--accept`` books the therapist's own sessions through
the booking rules. The team: ``clinic team invite EMAIL`` (the lead), ``clinic team accept
EMAIL`` (the member, naming the lead), ``clinic team list``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from rubdown.cli.context import json_option
from rubdown.cli.params import DAY
from rubdown.domain.clinic.booking_rules import ClientRef
from rubdown.errors import InvalidValue, NotFound

if TYPE_CHECKING:
    from rubdown.domain.clinic.team import TeamData, TeamMember
    from rubdown.services.clinic.race_week import AcceptOutcome, TeamWeek, WeekProposal


@contextmanager
def opened_week(ctx: click.Context) -> Iterator[tuple[TeamWeek, Any]]:
    """The race week of the therapist ``--therapist`` names, and their consents (for looking
    up the team's therapists by e-mail)."""
    from rubdown.cli.commands_clinic import therapist_database

    with therapist_database(ctx) as opened:
        yield opened.team_week("rubdown clinic week"), opened.consents()


@click.command("week")
@click.argument("event", required=False)
@click.option("--client", "clients", multiple=True, help="managed:ID or runner:ID; repeatable.")
@click.option("--from", "first_day", type=DAY, help="The first day planned (YYYY-MM-DD).")
@click.option("--to", "last_day", type=DAY, help="The last day planned (YYYY-MM-DD).")
@click.option(
    "--time-limit",
    "time_limit_s",
    type=float,
    default=10.0,
    show_default=True,
    help="Seconds the optimiser may take.",
)
@click.option("--accept", is_flag=True, help="Book your own proposed sessions (rules re-checked).")
@json_option
@click.pass_context
def week(
    ctx: click.Context,
    event: str | None,
    clients: tuple[str, ...],
    first_day: dt.date | None,
    last_day: dt.date | None,
    time_limit_s: float,
    accept: bool,
    as_json: bool,
) -> None:
    """Propose pre-race and post-race sessions across your team for the clients racing EVENT
    (or the --client ones), serving as many as possible at the times they like best."""
    from rubdown.services.clinic.race_week import WeekAsk, accept_week, plan_week
    from rubdown.services.clinic.race_week_views import accept_view, proposal_view
    from rubdown.solver.raceweek_cpsat import CpSatRaceWeekSolver

    if not event and not clients:
        raise InvalidValue("name the EVENT, or choose clients with --client")
    with opened_week(ctx) as (opened, _):
        found = event_of(opened, event, first_day, last_day) if event else None
        ask = WeekAsk(
            found,
            tuple(ClientRef.parse(c) for c in clients),
            first_day,
            last_day,
            time_limit_s,
        )
        proposal = plan_week(opened, ask, CpSatRaceWeekSolver(time_limit_s))
        outcome = accept_week(opened, proposal.sessions) if accept else None
    if as_json:
        from rubdown.cli.render import emit_json

        document = proposal_view(proposal)
        if outcome is not None:
            document["accepted"] = accept_view(outcome)
        emit_json(document)
        return
    show_proposal(proposal)
    if outcome is not None:
        show_outcome(outcome)


def event_of(opened: TeamWeek, name: str, first: dt.date | None, last: dt.date | None) -> Any:
    """The event by the name the clients' calendars give it: its day is the first day one
    of the therapist's clients races it, inside the days given when there are any."""
    from rubdown.services.clinic.race_week import event_named

    return event_named(opened, name, first, last)


def show_proposal(proposal: WeekProposal) -> None:
    from rich.table import Table

    from rubdown.cli.render import console

    title = (
        f"{proposal.served_clients} of {proposal.clients} clients served, "
        f"{proposal.first_day} to {proposal.last_day} ({proposal.status}, "
        f"gap {proposal.gap:.1%})"
    )
    table = Table(title=title, title_justify="left", header_style="bold")
    for column in ("client", "therapist", "day", "time", "kind", "pre/post", "liked"):
        # An e-mail is folded rather than cut: the therapist must stay readable in full.
        table.add_column(column, no_wrap=column in ("day", "time"), overflow="fold")
    for s in proposal.sessions:
        table.add_row(
            s.client_name,
            s.therapist_name,
            f"{s.start:%a %d %b}",
            f"{s.start:%H:%M}",
            s.kind.label,
            str(s.phase),
            "yes" if s.liked else "",
        )
    console.print(table)
    if proposal.not_served:
        left = Table(title="Not served", title_justify="left", header_style="bold")
        for column in ("client", "session", "why"):
            left.add_column(column)
        for u in proposal.not_served:
            left.add_row(u.client_name, str(u.phase), f"{u.reason}: {u.detail}")
        console.print(left)
    for note in proposal.notes:
        console.print(note)


def show_outcome(outcome: AcceptOutcome) -> None:
    from rubdown.cli.render import console

    console.print(f"booked {len(outcome.booked)} sessions")
    for session, line in outcome.refused:
        console.print(f"{session.client_name} {session.phase}: {line}")
    if outcome.left_as_proposal:
        console.print(
            f"{len(outcome.left_as_proposal)} sessions with other team members stay proposals: "
            "they have no consent to your clients, so settle those with them"
        )


# -- the team ------------------------------------------------------------------------------


@click.group("team")
def team() -> None:
    """Your race-week team: therapists you invite by e-mail, who accept."""


def member_document(member: TeamMember) -> dict[str, Any]:
    return {
        "lead_email": member.lead_email,
        "member_id": member.member_id,
        "member_email": member.member_email,
        "invited_at": member.invited_at.isoformat(),
        "accepted_at": member.accepted_at.isoformat() if member.accepted_at else None,
    }


def _emit(document: dict[str, Any], text: str, as_json: bool) -> None:
    from rubdown.cli.commands_clinic import emit

    emit(document, text, as_json)


def _therapist_id(consents: Any, email: str) -> str:
    found: str | None = consents.therapist_for_email(email)
    if found is None:
        raise NotFound("no therapist account with that e-mail address")
    return found


@team.command("invite")
@click.argument("email")
@json_option
@click.pass_context
def team_invite(ctx: click.Context, email: str, as_json: bool) -> None:
    """Invite the therapist with this e-mail into your team."""
    with opened_week(ctx) as (opened, consents):
        member = _team(opened).invite(_therapist_id(consents, email), opened.clinic.now())
    _emit(member_document(member), f"invited {member.member_email}", as_json)


@team.command("accept")
@click.argument("lead_email")
@json_option
@click.pass_context
def team_accept(ctx: click.Context, lead_email: str, as_json: bool) -> None:
    """Join the team of the therapist with this e-mail, who invited you."""
    with opened_week(ctx) as (opened, consents):
        member = _team(opened).accept(_therapist_id(consents, lead_email), opened.clinic.now())
    _emit(member_document(member), f"joined the team of {member.lead_email}", as_json)


@team.command("list")
@json_option
@click.pass_context
def team_list(ctx: click.Context, as_json: bool) -> None:
    """Your team's members and invitations, and the teams you are in."""
    with opened_week(ctx) as (opened, _):
        members, invitations = _team(opened).members(), _team(opened).invitations()
    lines = [f"{m.member_email}  {'member' if m.accepted else 'invited'}" for m in members] + [
        f"team of {m.lead_email}  {'joined' if m.accepted else 'invites you'}" for m in invitations
    ]
    document = {
        "members": [member_document(m) for m in members],
        "invitations": [member_document(m) for m in invitations],
    }
    _emit(document, "\n".join(lines) or "no team yet", as_json)


def _team(opened: TeamWeek) -> TeamData:
    return opened.team


@click.command("likes")
@click.argument("client")
@click.argument("times", nargs=-1)
@json_option
@click.pass_context
def likes(ctx: click.Context, client: str, times: tuple[str, ...], as_json: bool) -> None:
    """Note the times CLIENT likes, as PART:WEIGHT[:WEEKDAY] (evening:8, morning:5:sat); none
    clears them. The race week places their sessions at the best-liked first."""
    from rubdown.domain.clinic.team import parse_preference, preference_text

    ref = ClientRef.parse(client)
    preferences = tuple(parse_preference(t) for t in times)
    with opened_week(ctx) as (opened, _):
        opened.clinic.known(ref)
        opened.team.set_preferences(ref, preferences, opened.clinic.now())
    texts = [preference_text(p) for p in preferences]
    _emit(
        {"client": str(ref), "likes": texts},
        f"{ref} likes {', '.join(texts) or 'any time'}",
        as_json,
    )
