"""Use cases of a therapist's workspace: managed clients, the menu and booking rules, bookings
checked against each client's races and intake, the waitlist, and append-only session notes.

Each works on a ``Clinic``: one therapist's ``ClinicData`` (the port, bound to that therapist),
the knowledge base, the intake screen and a clock, so the tests run them on an in-memory
fake and the store serves them on SQLite and PostgreSQL alike.
"""
