"""The therapist's workspace: a team's clients, their bookings and a race week's schedule."""
