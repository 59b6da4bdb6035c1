"""The notes therapists share with a runner (``domain.clinic.shared_notes.SharedNotes``).

First the therapists who have sharing on for this runner, then each one's notes on the
runner through that therapist's own clinic rows (``clinic_rows``), so every read of a note
is scoped by the therapist who wrote it and by the runner as the client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from rubdown.domain.clinic.booking_rules import ClientKind, ClientRef
from rubdown.domain.clinic.shared_notes import SharedNote
from rubdown.store import schema as tables
from rubdown.store.clinic_rows import clinic_for

if TYPE_CHECKING:
    from rubdown.store.store import Store


class StoredSharedNotes:
    def __init__(self, store: Store) -> None:
        self._store = store

    def shared_with(self, runner_id: str) -> list[SharedNote]:
        sharing, users = tables.clinic_note_sharing, tables.users
        query = (
            sa.select(sharing.c.therapist_id, users.c.email)
            .join(users, users.c.id == sharing.c.therapist_id)
            .where(
                sharing.c.client_kind == str(ClientKind.RUNNER),
                sharing.c.client_id == runner_id,
                sharing.c.allowed.is_(True),
            )
        )
        with self._store._reading("the shared notes") as connection:
            therapists = connection.execute(query).all()
        me = ClientRef(ClientKind.RUNNER, runner_id)
        shared = []
        for therapist_id, email in therapists:
            clinic = clinic_for(self._store, therapist_id)
            bookings = {b.id: b for b in clinic.bookings_of(me)}
            for history in clinic.notes_of_client(me):
                booking = bookings.get(history.note.booking_id)
                shared.append(
                    SharedNote(
                        therapist=email,
                        history=history,
                        session_start=booking.start if booking else None,
                        session_kind=booking.kind if booking else None,
                    )
                )
        return sorted(shared, key=lambda n: (n.history.note.written_at, n.history.note.id))
