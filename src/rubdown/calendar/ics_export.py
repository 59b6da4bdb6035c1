"""Write a plan as an RFC 5545 calendar: massage sessions, races and rest days.

Conventions (and the client behaviour behind them):

* Massage appointments are timed events in the runner's zone: ``DTSTART;TZID=...`` plus a
  matching VTIMEZONE, which RFC 5545 requires and Outlook enforces (it rejects the file or
  shifts the time by an hour without it). A profile in UTC gets plain ``...Z`` times.
* Races and rest days are all-day events: ``DTSTART;VALUE=DATE`` with an exclusive DTEND
  the next day (RFC 5545 3.6.1).
* UIDs are derived, never random (see ``conventions``); a changed session keeps its UID
  and carries the plan's SEQUENCE, a changed race the SEQUENCE its stored row counts, so
  clients update them in place.
* VALARMs only go into the one-off file: Google and Outlook ignore alarms in subscribed
  feeds, and Apple offers to strip them.
* ``busy_only`` is the variant for a work or shared calendar: every session and race is a
  private, opaque "Busy" block with the same UID and SEQUENCE as in the full calendar, and
  nothing else (no kind, regions, reasons, race names or distances: health and training
  detail stays out). Rest days are left out: they make nobody busy.
* Equal inputs give equal bytes (events sorted by day, then UID), so exports can be diffed.
* Only days inside the accepted years (``domain.dates``) are written: an older rubdown
  stored races in year 9999, whose all-day event would end on a day no date can hold. The
  plan's warnings name what is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from icalendar import Alarm, Calendar, Event, vDuration

from rubdown.calendar.conventions import (
    MASSAGE_CATEGORY,
    PRODID,
    RACE_CATEGORY,
    REST_CATEGORY,
    X_DISTANCE_KM,
    X_PRIORITY,
    X_START_TIME,
    is_utc,
    race_uid,
    rest_day_uid,
    session_uid,
    zone,
)
from rubdown.calendar.ics_bookings import runner_booking_event, runner_busy_booking_event
from rubdown.domain.booked import BookedSession
from rubdown.domain.dates import split_by_years
from rubdown.domain.knowledge import KnowledgeBase
from rubdown.domain.model import Profile, Race, Workout, WorkoutKind
from rubdown.domain.plan import Plan, PlannedSession
from rubdown.errors import InvalidValue, NotFound

NOT_MEDICAL_ADVICE = "Not medical advice."
# In front of a pinned session's reason, in the words its reason carried before pins had a
# field of their own (migration 7): a calendar that has the event sees nothing change.
MOVED_BY_RUNNER = (
    "You moved this session to this day, so the plan keeps it here and fits the rest around "
    "it. First planned as: "
)
BUSY = "Busy"
_DASH = "–"


def export_ics(
    plan: Plan,
    *,
    races: Sequence[Race],
    workouts: Sequence[Workout],
    profile: Profile,
    kb: KnowledgeBase | None,
    owner_id: str,
    stamp: dt.datetime,
    alarms: bool,
    busy_only: bool = False,
    refresh: dt.timedelta | None = None,
    bookings: Sequence[BookedSession] = (),
) -> bytes:
    """The plan's professional sessions, the races and the rest days as an ``.ics`` file.

    ``stamp`` (timezone-aware) becomes every event's DTSTAMP; pass the time of the export.
    ``alarms`` adds reminders (the day before, and one hour before) to each session.
    ``busy_only`` writes neutral "Busy" blocks instead (see the module notes).
    ``refresh`` is the polling interval a subscribed feed suggests to clients that read it.
    ``bookings`` are the sessions therapists booked (``calendar.ics_bookings``); a feed
    (``refresh`` given) leaves the cancelled ones out, a one-off file marks them cancelled.
    """
    if stamp.tzinfo is None or stamp.utcoffset() is None:
        raise ValueError("export_ics needs a timezone-aware stamp")
    stamp_utc = stamp.astimezone(dt.UTC)
    tz = zone(profile.timezone)

    sessions, _ = split_by_years(plan.professional, lambda s: s.day)
    races, _ = split_by_years(races, lambda r: r.day)
    workouts, _ = split_by_years(workouts, lambda w: w.day)
    dated: list[tuple[dt.date, str, Event]] = []
    for session in sessions:
        uid = session_uid(owner_id, session.key)
        if busy_only:
            event = _busy_session_event(session, uid, profile, tz)
        else:
            event = _session_event(session, uid, profile, tz, kb, alarms)
        dated.append((session.day, uid, event))
    for race in races:
        uid = race_uid(owner_id, race)
        event = _busy_race_event(race, uid) if busy_only else _race_event(race, uid)
        dated.append((race.day, uid, event))
    for booking in bookings:
        if booking.cancelled and refresh is not None:
            continue
        event = runner_busy_booking_event(booking) if busy_only else runner_booking_event(booking)
        dated.append((booking.day, str(event["uid"]), event))
    for workout in workouts:
        if workout.kind is WorkoutKind.REST and not busy_only:
            uid = rest_day_uid(owner_id, workout)
            dated.append((workout.day, uid, _rest_event(workout, uid)))

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # The busy calendar's name is seen wherever it is subscribed: no name, no "rubdown".
    name = BUSY if busy_only else f"rubdown {_DASH} {profile.name}"
    calendar.add("name", name)  # RFC 7986
    calendar.add("x-wr-calname", name)  # what Google, Apple and Outlook actually read
    if refresh is not None:
        # RFC 7986 for the clients that read it, the older X- name for Outlook and Apple;
        # Google polls on its own schedule whatever the feed says.
        calendar.add("refresh-interval", vDuration(refresh), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(refresh))
    for _day, _uid, event in sorted(dated, key=lambda item: (item[0], item[1])):
        event.add("dtstamp", stamp_utc)
        calendar.add_component(event)

    timed_days = [s.day for s in sessions]
    if timed_days and not is_utc(profile.timezone):
        # The VTIMEZONE only has to cover the events; the library's default span
        # (1970-2038) would add hundreds of lines to every file.
        first = dt.date(min(timed_days).year - 1, 1, 1)
        last = dt.date(max(timed_days).year + 2, 1, 1)
        calendar.add_missing_timezones(first_date=first, last_date=last)
        missing = calendar.get_missing_tzids()
        if missing:
            raise InvalidValue(f"cannot describe time zone {', '.join(sorted(missing))}")
    data: bytes = calendar.to_ical()
    return data.translate(None, _CONTROL_BYTES)


# RFC 5545 text allows no control characters but the tab (line breaks are escaped as \n).
# A name an older rubdown stored with a NUL in it would otherwise reach calendar clients raw.
# Byte-wise is safe: UTF-8 never uses these bytes inside a multi-byte character, and taking
# bytes out of a folded line only shortens it.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def session_summary(session: PlannedSession) -> str:
    """The title: the word Massage, the kind and the regions. The type has to be in the
    title because Google shows no per-event colour or category from a feed."""
    kind = session.kind.label.removesuffix(" massage")
    regions = ", ".join(region.label for region in session.regions)
    return f"Massage {_DASH} {kind}" + (f" ({regions})" if regions else "")


def race_summary(race: Race) -> str:
    return f"Race ({race.priority}) {_DASH} {race.name}"


def _session_event(
    session: PlannedSession,
    uid: str,
    profile: Profile,
    tz: dt.tzinfo,
    kb: KnowledgeBase | None,
    alarms: bool,
) -> Event:
    start, end = _session_span(session, profile, tz)
    summary = session_summary(session)

    event = Event()
    event.add("uid", uid)
    event.add("sequence", session.sequence)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("categories", [str(session.kind), MASSAGE_CATEGORY])
    event.add("description", session_description(session, kb))
    if alarms:
        event.add_component(
            _alarm(dt.timedelta(days=-1), f"Tomorrow: {summary} {_DASH} confirm your booking")
        )
        event.add_component(_alarm(dt.timedelta(hours=-1), f"In one hour: {summary}"))
    return event


def _busy_session_event(
    session: PlannedSession, uid: str, profile: Profile, tz: dt.tzinfo
) -> Event:
    start, end = _session_span(session, profile, tz)
    event = _busy_event(uid, start, end)
    # The same SEQUENCE as the full calendar: a moved session updates in place here too.
    event.add("sequence", session.sequence)
    return event


def _busy_race_event(race: Race, uid: str) -> Event:
    # All day, like the full calendar; a race day keeps the runner away, so it blocks time.
    event = _busy_event(uid, race.day, race.day + dt.timedelta(days=1))
    event.add("sequence", race.sequence)  # as in the full calendar: a moved race updates
    return event


def _busy_event(uid: str, start: dt.date, end: dt.date) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("summary", BUSY)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("transp", "OPAQUE")  # shows as busy in free/busy lookups
    event.add("class", "PRIVATE")  # and clients that share the calendar hide even "Busy"
    return event


def _session_span(
    session: PlannedSession, profile: Profile, tz: dt.tzinfo
) -> tuple[dt.datetime, dt.datetime]:
    start_time = session.start_time or profile.session_time
    start = dt.datetime.combine(session.day, start_time, tzinfo=tz)
    return start, start + dt.timedelta(minutes=session.duration_min)


def session_description(session: PlannedSession, kb: KnowledgeBase | None) -> str:
    """Why the session is there, the rules and their sources, the price, and the disclaimer."""
    reason = (MOVED_BY_RUNNER if session.pinned else "") + session.reason
    lines = [reason.strip(), ""] if reason.strip() else []
    if session.rules:
        lines.append("Rules behind this session:")
        lines.extend(f"- {_cited(rule_id, kb)}" for rule_id in session.rules)
    lines.append(f"Estimated price: {_amount(session.price)}")
    lines.append(NOT_MEDICAL_ADVICE)
    return "\n".join(lines)


def _cited(rule_id: str, kb: KnowledgeBase | None) -> str:
    if kb is None:
        return rule_id
    try:
        citation = kb.cite(rule_id)
    except NotFound:
        # A plan saved under an older knowledge base may name a rule that has since been
        # renamed; the export should still work and say so.
        return f"{rule_id} (no longer in the knowledge base)"
    return citation.with_files


def _amount(price: float) -> str:
    return f"{price:.0f}" if float(price).is_integer() else f"{price:.2f}"


def _alarm(trigger: dt.timedelta, text: str) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", trigger)  # relative to DTSTART (RFC 5545 3.8.6.3)
    alarm.add("description", text)  # required for DISPLAY alarms
    return alarm


def _race_event(race: Race, uid: str) -> Event:
    event = _all_day_event(uid, race.day, race_summary(race))
    # The store moves it on with every change a calendar shows, so the event updates in place.
    event.add("sequence", race.sequence)
    event.add("categories", [RACE_CATEGORY, f"{race.priority}-race"])
    event.add(X_PRIORITY, str(race.priority))
    details = []
    if race.distance_km is not None:
        # str() of a float round-trips exactly, unlike a fixed number of decimals.
        event.add(X_DISTANCE_KM, str(float(race.distance_km)))
        details.append(f"Distance: {race.distance_km:g} km")
    if race.start_time is not None:
        start = race.start_time.isoformat(timespec="minutes")
        event.add(X_START_TIME, start)
        details.append(f"Start: {start}")
    if details:
        event.add("description", "\n".join(details))
    return event


def _rest_event(workout: Workout, uid: str) -> Event:
    event = _all_day_event(uid, workout.day, "Rest day")
    event.add("categories", [REST_CATEGORY])
    event.add("transp", "TRANSPARENT")  # a rest day does not make the runner busy
    return event


def _all_day_event(uid: str, day: dt.date, summary: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("summary", summary)
    event.add("dtstart", day)  # a date value is written as DTSTART;VALUE=DATE
    event.add("dtend", day + dt.timedelta(days=1))  # exclusive end: one whole day
    return event
