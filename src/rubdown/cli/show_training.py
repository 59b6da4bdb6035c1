"""How a booking and distances look in a terminal; shared by the season and training commands."""

from __future__ import annotations

from rubdown.cli import render
from rubdown.services import booking, training_views
from rubdown.services.runner import Runner


def show_booking(app: Runner, booked: booking.Booking, as_json: bool) -> None:
    if as_json:
        render.emit_json(training_views.booking_view(booked, app.kb))
        return
    session = booked.session
    render.console.print(
        f"Booked {session.kind.label} on {session.day} at {session.price:g} ({session.id[:8]})"
    )
    if booked.warnings:
        render.console.print(
            f"[bold yellow]Warning[/]: booked against the rules: {booking.refusal(booked.verdict)}"
        )
