"""``rubdown clinic``: a therapist's workspace from the command line -- managed clients, the
menu and booking rules, intake, bookings checked against each client's races, cancellations
with the waitlist, and session notes.

Every subcommand acts as the therapist whose account ``--therapist EMAIL`` names, on the
database ``--database-url`` names (else ``RUBDOWN_DATABASE_URL``, else the local home). A
client is ``managed:ID`` (one the therapist entered: ``clinic client add``) or ``runner:ID``
(a runner who shares their calendar with the therapist).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import click

from rubdown.cli.context import State, json_option
from rubdown.cli.params import DAY, REGIONS, enum_param
from rubdown.domain.clinic.booking_rules import ClientRef
from rubdown.domain.model import Condition, PolicyName, Priority, SessionKind
from rubdown.errors import InvalidValue

if TYPE_CHECKING:
    from rubdown.bootstrap import TherapistClinic, TherapistDatabase
    from rubdown.domain.clinic.booking_rules import Booking, ManagedClient
    from rubdown.domain.clinic.notes import NoteHistory


@contextmanager
def therapist_database(ctx: click.Context) -> Iterator[TherapistDatabase]:
    """The database ``--database-url`` names (else as every command), opened for the therapist
    whose account ``--therapist`` names; closed when the command ends."""
    from rubdown.bootstrap import Settings, therapist_database

    state = ctx.find_object(State)
    settings = Settings.from_env(state.home if state is not None else None)
    options = ctx.find_root().meta.get("clinic", {})
    email = options.get("therapist")
    if not email:
        raise InvalidValue("say which therapist you are: --therapist EMAIL")
    with therapist_database(settings, email, options.get("database_url")) as opened:
        yield opened


@contextmanager
def opened_clinic(ctx: click.Context) -> Iterator[TherapistClinic]:
    """The clinic of the therapist ``--therapist`` names, and how each client's rules are read
    (a runner's through their grant, logged in their access log)."""
    with therapist_database(ctx) as opened:
        yield opened.clinic("rubdown clinic")


def parse_race(text: str) -> Any:
    """``"Boston Marathon,2027-04-18,A,42.2"`` (the distance may be left out)."""
    from rubdown.cli.params import parse_day
    from rubdown.domain.model import Race, parse_enum

    parts = [p.strip() for p in text.split(",")]
    if len(parts) not in (3, 4):
        raise InvalidValue(f"a race is NAME,YYYY-MM-DD,A|B|C[,KM], not {text!r}")
    distance = float(parts[3]) if len(parts) == 4 and parts[3] else None
    return Race(parts[0], parse_day(parts[1]), parse_enum(Priority, parts[2], "priority"), distance)


def emit(document: dict[str, Any], text: str, as_json: bool) -> None:
    if as_json:
        from rubdown.cli.render import emit_json

        emit_json(document)
    else:
        click.echo(text)


@click.group()
# Not required by click: it would be asked for before a subcommand's --help could answer.
@click.option(
    "--therapist",
    metavar="EMAIL",
    envvar="RUBDOWN_THERAPIST",
    help="The therapist's account (or RUBDOWN_THERAPIST); every subcommand needs it.",
)
@click.option("--database-url", metavar="URL", help="The database (default: as every command).")
@click.pass_context
def clinic(ctx: click.Context, therapist: str | None, database_url: str | None) -> None:
    """A therapist's workspace: clients, menu, rules, intake, bookings and session notes."""
    ctx.find_root().meta["clinic"] = {"therapist": therapist, "database_url": database_url}


# -- clients -----------------------------------------------------------------------------------


@clinic.group()
def client() -> None:
    """Managed clients: runners who do not use rubdown, with their races and policy."""


def client_document(found: ManagedClient) -> dict[str, Any]:
    return {
        "id": found.id,
        "client": f"managed:{found.id}",
        "name": found.name,
        "policy": str(found.policy),
        "conditions": sorted(str(c) for c in found.conditions),
        "races": [
            {
                "name": r.name,
                "day": r.day.isoformat(),
                "priority": str(r.priority),
                "distance_km": r.distance_km,
            }
            for r in found.races
        ],
    }


@client.command("add")
@click.argument("name")
@click.option("--race", "races", multiple=True, help="NAME,YYYY-MM-DD,A|B|C[,KM]; repeatable.")
@click.option("--policy", type=enum_param(PolicyName, "policy"), default="standard")
@click.option("--condition", "conditions", multiple=True, type=enum_param(Condition, "condition"))
@json_option
@click.pass_context
def client_add(
    ctx: click.Context,
    name: str,
    races: tuple[str, ...],
    policy: PolicyName,
    conditions: tuple[Condition, ...],
    as_json: bool,
) -> None:
    """Add a managed client."""
    from rubdown.services.clinic.records import add_client

    with opened_clinic(ctx) as opened:
        added = add_client(
            opened.clinic,
            name,
            races=[parse_race(r) for r in races],
            conditions=conditions,
            policy=policy,
        )
    emit(client_document(added), f"added managed:{added.id} {added.name}", as_json)


@client.command("list")
@json_option
@click.pass_context
def client_list(ctx: click.Context, as_json: bool) -> None:
    """List the managed clients."""
    with opened_clinic(ctx) as opened:
        found = opened.clinic.data.list_clients()
    lines = [f"managed:{c.id}  {c.name}  ({c.policy} policy)" for c in found]
    emit(
        {"clients": [client_document(c) for c in found]}, "\n".join(lines) or "no clients", as_json
    )


# -- the menu and the rules --------------------------------------------------------------------


@clinic.command("service")
@click.argument("kind", type=enum_param(SessionKind, "session kind"))
@click.option("--minutes", type=int, required=True, help="How long a session lasts.")
@click.option("--price", type=float, required=True)
@click.option("--buffer", "buffer_min", type=int, default=0, help="Turnover minutes after it.")
@click.option("--name", default="")
@json_option
@click.pass_context
def service(
    ctx: click.Context,
    kind: SessionKind,
    minutes: int,
    price: float,
    buffer_min: int,
    name: str,
    as_json: bool,
) -> None:
    """Add a service to the menu: kind, length, price and buffer."""
    from rubdown.domain.clinic.services_menu import Service
    from rubdown.services.clinic.records import add_service

    with opened_clinic(ctx) as opened:
        added = add_service(opened.clinic, Service(kind, minutes, price, buffer_min, name))
    document = {
        "id": added.id,
        "kind": str(added.kind),
        "length_min": added.length_min,
        "price": added.price,
        "buffer_min": added.buffer_min,
        "name": added.name,
    }
    emit(document, f"added service {added.id}: {added.label}, {added.price:.2f}", as_json)


@clinic.command("rules")
@click.option("--hours", help='Weekly hours, e.g. "tue 09:00-17:00, sat 09:00-13:00".')
@click.option("--day-off", "days_off", multiple=True, type=DAY, help="YYYY-MM-DD; repeatable.")
@click.option("--timezone", help="IANA name, e.g. Europe/London.")
@click.option("--notice", "notice_h", type=int, help="Minimum notice, in hours.")
@click.option("--max-hours", type=float, help="Most hands-on hours a day (default 6).")
@click.option("--max-week", type=int, help="Most sessions a week.")
@click.option("--buffer", "buffer_min", type=int, help="Least minutes between two sessions.")
@json_option
@click.pass_context
def rules(
    ctx: click.Context,
    hours: str | None,
    days_off: tuple[dt.date, ...],
    timezone: str | None,
    notice_h: int | None,
    max_hours: float | None,
    max_week: int | None,
    buffer_min: int | None,
    as_json: bool,
) -> None:
    """Show the booking rules, or change the ones given."""
    from rubdown.domain.availability import parse_hours
    from rubdown.services.clinic.records import save_rules

    with opened_clinic(ctx) as opened:
        current = opened.clinic.data.therapist_rules()
        changes: dict[str, Any] = {}
        if hours is not None:
            changes["hours"] = parse_hours(hours)
        if days_off:
            changes["days_off"] = frozenset(days_off)
        for key, value in (
            ("timezone", timezone),
            ("min_notice_h", notice_h),
            ("max_hands_on_h_per_day", max_hours),
            ("max_sessions_per_week", max_week),
            ("buffer_min", buffer_min),
        ):
            if value is not None:
                changes[key] = value
        saved = save_rules(opened.clinic, replace(current, **changes)) if changes else current
    document = {
        "hours": saved.hours.label(),
        "days_off": sorted(d.isoformat() for d in saved.days_off),
        "timezone": saved.timezone,
        "min_notice_h": saved.min_notice_h,
        "max_hands_on_h_per_day": saved.max_hands_on_h_per_day,
        "max_sessions_per_week": saved.max_sessions_per_week,
        "buffer_min": saved.buffer_min,
    }
    emit(document, "\n".join(f"{k}: {v}" for k, v in document.items()), as_json)


# -- bookings ----------------------------------------------------------------------------------


def booking_document(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.id,
        "client": str(booking.client),
        "kind": str(booking.kind),
        "start": booking.start.isoformat(),
        "length_min": booking.length_min,
        "price": booking.price,
        "regions": [str(r) for r in booking.regions],
        "override": None
        if booking.override is None
        else {
            "reason": booking.override.reason,
            "by": booking.override.by,
            "at": booking.override.at.isoformat(),
            "refused": list(booking.override.refused),
        },
        "cancelled": None
        if booking.cancelled is None
        else {"reason": booking.cancelled.reason, "at": booking.cancelled.at.isoformat()},
    }


@clinic.command("book")
@click.argument("client_text", metavar="CLIENT")
@click.argument("service_id")
@click.argument("start_text", metavar="START")
@click.option("--regions", type=REGIONS, default="", help="Regions to work on (default all).")
@click.option("--override", "override_reason", default="", help="Book anyway, for this reason.")
@json_option
@click.pass_context
def book_command(
    ctx: click.Context,
    client_text: str,
    service_id: str,
    start_text: str,
    regions: tuple[Any, ...],
    override_reason: str,
    as_json: bool,
) -> None:
    """Book CLIENT for SERVICE_ID at START (YYYY-MM-DDTHH:MM, the therapist's local time),
    once the client's rules, intake and the therapist's rules allow it."""
    from rubdown.services.clinic.booking import BookingRequest, book
    from rubdown.services.clinic.context import zone

    ref = ClientRef.parse(client_text)
    with opened_clinic(ctx) as opened:
        data = opened.clinic.data
        try:
            start = dt.datetime.fromisoformat(start_text.strip())
        except ValueError:
            raise InvalidValue(f"START is YYYY-MM-DDTHH:MM, not {start_text!r}") from None
        if start.tzinfo is None:
            start = start.replace(tzinfo=zone(data.therapist_rules().timezone))
        request = BookingRequest(ref, service_id, start, tuple(regions))
        booking, check = book(
            opened.clinic, request, opened.rules_for(ref), override_reason=override_reason
        )
    document = {**booking_document(booking), "warnings": list(check.warnings)}
    text = f"booked {booking.id}: {booking.kind.label} at {booking.start.isoformat()}"
    text += "".join(f"\n  warning: {w}" for w in check.warnings)
    emit(document, text, as_json)


@clinic.command("cancel")
@click.argument("booking_id")
@click.option("--reason", required=True, help="Why it is cancelled.")
@json_option
@click.pass_context
def cancel_command(ctx: click.Context, booking_id: str, reason: str, as_json: bool) -> None:
    """Cancel a booking; the freed slot is offered to the day's waitlist, in order."""
    from rubdown.services.clinic.booking import cancel

    with opened_clinic(ctx) as opened:
        cancelled, offers = cancel(opened.clinic, booking_id, reason, opened.rules_for)
    document = {
        **booking_document(cancelled),
        "offers": [{"client": str(o.entry.client), "start": o.start.isoformat()} for o in offers],
    }
    text = f"cancelled {cancelled.id}"
    text += "".join(f"\n  offer to {o.entry.client} at {o.start.isoformat()}" for o in offers)
    emit(document, text, as_json)


# -- intake and the waitlist -------------------------------------------------------------------


@clinic.command("intake")
@click.argument("client_text", metavar="CLIENT")
@click.option(
    "--yes",
    "yes_answers",
    multiple=True,
    metavar="QUESTION[=REGIONS]",
    help="A question answered yes (Q5, or Q10=left-calf); every other is no. Repeatable.",
)
@click.option("--signed", "signed_name", default="", help="The client's full name, typed.")
@click.option("--consent", is_flag=True, help="The client consents to treatment.")
@click.option("--history", default="", help="The client's health history, in their words.")
@click.option(
    "--share-notes/--keep-notes",
    "share_notes",
    default=None,
    help="Whether the client lets their session notes be shared with them (default: as before).",
)
@click.option("--questions", is_flag=True, help="List the questions and sign nothing.")
@json_option
@click.pass_context
def intake(
    ctx: click.Context,
    client_text: str,
    yes_answers: tuple[str, ...],
    signed_name: str,
    consent: bool,
    history: str,
    share_notes: bool | None,
    questions: bool,
    as_json: bool,
) -> None:
    """Sign CLIENT's intake form (valid a year), or show its questions with --questions."""
    from rubdown.domain.clinic.intake import Answer
    from rubdown.domain.regions import parse_regions
    from rubdown.services.clinic.records import intake_status, sign_intake
    from rubdown.services.clinic.records import share_notes as share_notes_with

    ref = ClientRef.parse(client_text)
    with opened_clinic(ctx) as opened:
        screening = opened.clinic.screening
        if questions:
            listed = [
                {
                    "id": q.id,
                    "asks": q.asks,
                    "effect": str(q.effect),
                    "sources": [screening.sources[k].url for k in q.sources],
                }
                for q in screening.questions
            ]
            text = "\n".join(f"{q['id']}: {q['asks']}" for q in listed)
            emit({"questions": listed}, text, as_json)
            return
        said: dict[str, tuple[Any, ...]] = {}
        for item in yes_answers:
            question_id, _, regions = item.partition("=")
            said[question_id.strip().upper()] = parse_regions(regions)
        answers = [Answer(q.id, q.id in said, said.get(q.id, ())) for q in screening.questions]
        unknown = sorted(set(said) - {q.id for q in screening.questions})
        if unknown:
            raise InvalidValue(f"no intake question {unknown[0]}: --questions lists them")
        signed = sign_intake(
            opened.clinic, ref, answers, signed_name, consent=consent, health_history=history
        )
        if share_notes is not None:
            share_notes_with(opened.clinic, ref, share_notes)
        status = intake_status(opened.clinic, ref)
        shared = opened.clinic.data.notes_shared(ref)
    document = {
        "id": signed.id,
        "client": str(ref),
        "signed_name": signed.signed_name,
        "signed_at": signed.signed_at.isoformat(),
        "expires_at": signed.expires_at.isoformat(),
        "yes": sorted(said),
        "notes_shared": shared,
    }
    emit(document, f"signed intake {signed.id}: {status.line}", as_json)


@clinic.command("waitlist")
@click.argument("client_text", metavar="CLIENT")
@click.argument("service_id")
@click.argument("day", type=DAY)
@click.option("--note", default="")
@json_option
@click.pass_context
def waitlist(
    ctx: click.Context, client_text: str, service_id: str, day: dt.date, note: str, as_json: bool
) -> None:
    """Put CLIENT on DAY's waitlist for SERVICE_ID: offered a freed slot in turn."""
    from rubdown.services.clinic.booking import join_waitlist

    with opened_clinic(ctx) as opened:
        entry = join_waitlist(opened.clinic, ClientRef.parse(client_text), day, service_id, note)
    document = {"id": entry.id, "client": str(entry.client), "day": entry.day.isoformat()}
    emit(document, f"on the waitlist of {entry.day.isoformat()}", as_json)


# -- session notes -----------------------------------------------------------------------------


@clinic.group()
def notes() -> None:
    """Session notes: write, amend (the original stays) and show."""


def parse_region_note(text: str) -> Any:
    """``left-calf:firm:trigger point mid-belly:stripping`` (findings and work optional)."""
    from rubdown.domain.clinic.notes import Pressure, RegionNote
    from rubdown.domain.model import parse_enum
    from rubdown.domain.regions import parse_region

    parts = text.split(":", 3)
    if len(parts) < 2:
        raise InvalidValue(f"a region note is REGION:PRESSURE[:FINDINGS[:DONE]], not {text!r}")
    parts += [""] * (4 - len(parts))
    return RegionNote(
        parse_region(parts[0]), parse_enum(Pressure, parts[1], "pressure"), parts[2], parts[3]
    )


def note_body(subjective: str, region: tuple[str, ...], assessment: str, advice: str) -> Any:
    from rubdown.domain.clinic.notes import NoteBody

    return NoteBody(subjective, tuple(parse_region_note(r) for r in region), assessment, advice)


def note_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            click.option("--subjective", default="", help="What the client reported."),
            click.option(
                "--region",
                multiple=True,
                help="REGION:PRESSURE[:FINDINGS[:DONE]]; pressure light|moderate|firm|deep.",
            ),
            click.option("--assessment", default=""),
            click.option("--advice", default="", help="What the client was advised."),
        ]
    ):
        command = option(command)
    return command


def history_document(history: NoteHistory) -> dict[str, Any]:
    from rubdown.services.clinic.card import note_view

    return dict(note_view(history))


@notes.command("add")
@click.argument("booking_id")
@note_options
@json_option
@click.pass_context
def notes_add(
    ctx: click.Context,
    booking_id: str,
    subjective: str,
    region: tuple[str, ...],
    assessment: str,
    advice: str,
    as_json: bool,
) -> None:
    """Write the note of a session."""
    from rubdown.services.clinic.records import write_note

    with opened_clinic(ctx) as opened:
        note = write_note(
            opened.clinic, booking_id, note_body(subjective, region, assessment, advice)
        )
        history = opened.clinic.data.note_history(note.id)
    emit(history_document(history), f"wrote note {note.id}", as_json)


@notes.command("amend")
@click.argument("note_id")
@click.option("--reason", required=True, help="Why the note is amended.")
@note_options
@json_option
@click.pass_context
def notes_amend(
    ctx: click.Context,
    note_id: str,
    reason: str,
    subjective: str,
    region: tuple[str, ...],
    assessment: str,
    advice: str,
    as_json: bool,
) -> None:
    """Amend a note: its whole new text, with a reason; the original stays readable."""
    from rubdown.services.clinic.records import amend_note

    with opened_clinic(ctx) as opened:
        body = note_body(subjective, region, assessment, advice)
        history = amend_note(opened.clinic, note_id, body, reason)
    emit(history_document(history), f"amended note {note_id}", as_json)


@notes.command("show")
@click.argument("booking_id")
@json_option
@click.pass_context
def notes_show(ctx: click.Context, booking_id: str, as_json: bool) -> None:
    """The notes of a session, each with its amendments."""
    with opened_clinic(ctx) as opened:
        opened.clinic.data.get_booking(booking_id)
        histories = opened.clinic.data.notes_of(booking_id)
    lines = []
    for history in histories:
        lines.append(f"note {history.note.id} ({history.note.written_at:%Y-%m-%d %H:%M})")
        for a in history.amendments:
            lines.append(f"  amended {a.written_at:%Y-%m-%d %H:%M}: {a.reason}")
        current = history.current
        lines.append(f"  advice: {current.advice}" if current.advice else "  (no advice)")
    emit(
        {"notes": [history_document(h) for h in histories]},
        "\n".join(lines) or "no notes",
        as_json,
    )


COMMANDS = [clinic]


def _add_race_week() -> None:
    """The race week and its team live in a module of their own (``commands_clinic_week``)."""
    from rubdown.cli.commands_clinic_week import likes, team, week

    clinic.add_command(week)
    clinic.add_command(team)
    clinic.add_command(likes)


_add_race_week()
