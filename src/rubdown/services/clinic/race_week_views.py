"""The race week's proposal and acceptance as documents (the CLI's ``--json``, the API, the
page), and a proposed session read back from one to be accepted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from rubdown.domain.clinic.booking_rules import ClientKind, ClientRef
from rubdown.domain.clinic.raceweek import Phase
from rubdown.domain.model import SessionKind, parse_enum
from rubdown.errors import InvalidValue
from rubdown.services.clinic.race_week import AcceptOutcome, ProposedSession, WeekProposal


def session_view(session: ProposedSession) -> dict[str, Any]:
    return {
        "client": str(session.client),
        "client_name": session.client_name,
        "therapist_id": session.therapist_id,
        "therapist": session.therapist_name,
        "phase": str(session.phase),
        "kind": str(session.kind),
        "start_at": session.start.isoformat(),
        "day": session.start.date().isoformat(),
        "time": f"{session.start:%H:%M}",
        "length_min": session.length_min,
        "liked": session.liked,
        "mine": session.mine,
    }


def proposal_view(proposal: WeekProposal) -> dict[str, Any]:
    return {
        "first_day": proposal.first_day.isoformat(),
        "last_day": proposal.last_day.isoformat(),
        "sessions": [session_view(s) for s in proposal.sessions],
        "not_served": [
            {
                "client": str(u.client),
                "client_name": u.client_name,
                "phase": str(u.phase),
                "reason": u.reason,
                "detail": u.detail,
            }
            for u in proposal.not_served
        ],
        "clients": proposal.clients,
        "served_clients": proposal.served_clients,
        "status": proposal.status,
        "objective": proposal.objective,
        "bound": proposal.bound,
        "gap": round(proposal.gap, 4),
        "notes": list(proposal.notes),
    }


def accept_view(outcome: AcceptOutcome) -> dict[str, Any]:
    return {
        "booked": [{**session_view(s), "booking_id": b} for s, b in outcome.booked],
        "refused": [{**session_view(s), "refusal": line} for s, line in outcome.refused],
        "left_as_proposal": [session_view(s) for s in outcome.left_as_proposal],
        "note": (
            "sessions with another team member stay proposals: they have no consent to your "
            "clients, so settle those with them"
            if outcome.left_as_proposal
            else ""
        ),
    }


def parse_session(document: Mapping[str, Any], team: Sequence[str]) -> ProposedSession:
    """A proposed session sent back to be accepted (``session_view``'s shape): only what
    booking needs is read, each part checked; anything else is one clear line."""
    try:
        kind_text, id_ = str(document["client"]).split(":", 1)
        client = ClientRef(ClientKind(kind_text), id_)
        start = dt.datetime.fromisoformat(str(document["start_at"]))
        therapist_id = str(document["therapist_id"])
        phase = Phase(str(document.get("phase", Phase.PRE_RACE)))
    except (KeyError, ValueError):
        raise InvalidValue(
            "a session to accept needs client (managed:ID or runner:ID), therapist_id, kind, "
            "phase and start_at (ISO 8601 with its offset)"
        ) from None
    if start.tzinfo is None:
        raise InvalidValue("a session's start_at must carry its time zone offset")
    if therapist_id not in team:
        raise InvalidValue("a session to accept must be with you or a member of your team")
    kind = parse_enum(SessionKind, str(document.get("kind", "")), "session kind")
    return ProposedSession(
        client,
        str(document.get("client_name", "")),
        therapist_id,
        str(document.get("therapist", "")),
        phase,
        kind,
        start,
        int(document.get("length_min", 0) or 0),
        bool(document.get("liked", False)),
        therapist_id == team[0],
    )
