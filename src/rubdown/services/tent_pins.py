"""The tent's join PINs as kept in the day file: Argon2id digests under one salt per day.

A six-digit PIN has only a million values, so no hash makes a stolen day file safe; what the
KDF buys is time: at about 30 ms a guess on a laptop core, trying every PIN of one day takes
hours instead of a second, and a plain ``sqlite3`` glance at the file shows no PIN at all.
On the network the pause after ten wrong PINs (``services.tent_day``) does the guarding.

The salt is one per day file, not one per PIN, so a join computes one digest and compares it
with each role's, instead of paying the KDF once per role; and two roles can never be given
the same PIN (their digests would be equal). The cost is kept beside the salt, so a file made
with these settings still opens if they change later.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw

from rubdown.errors import FileFormatError

SALT_BYTES = 16
DIGEST_BYTES = 32
# OWASP's second Argon2id setting (19 MiB, two passes, one lane): about 30 ms on this VM.
DEFAULT_COST = "argon2id:m=19456:t=2:p=1"
_COST = re.compile(r"argon2id:m=(\d+):t=(\d+):p=(\d+)")


@dataclass(frozen=True)
class PinKdf:
    """The day's salt and cost: ``digest`` turns a PIN into what the day file keeps."""

    salt: bytes
    cost: str = DEFAULT_COST

    @classmethod
    def new(cls) -> PinKdf:
        return cls(secrets.token_bytes(SALT_BYTES))

    @classmethod
    def stored(cls, salt_hex: str, cost: str) -> PinKdf:
        try:
            salt = bytes.fromhex(salt_hex)
        except ValueError:
            salt = b""
        if len(salt) < 8 or not _COST.fullmatch(cost):
            raise FileFormatError(f"the day file's PIN settings are damaged ({cost!r})")
        return cls(salt, cost)

    def digest(self, pin: str) -> str:
        found = _COST.fullmatch(self.cost)
        assert found is not None  # checked when made
        memory_kib, passes, lanes = (int(g) for g in found.groups())
        raw = hash_secret_raw(
            pin.encode("utf-8"),
            self.salt,
            time_cost=passes,
            memory_cost=memory_kib,
            parallelism=lanes,
            hash_len=DIGEST_BYTES,
            type=Type.ID,
        )
        return raw.hex()
