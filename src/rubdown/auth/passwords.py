"""Argon2id password hashes (argon2-cffi), the ``domain.accounts.PasswordHashing`` port.

argon2-cffi's defaults follow RFC 9106's second recommendation (64 MiB, 3 passes, 4 lanes) and
move with the library: a hash made with older parameters still verifies, says it
``needs_rehash``, and the accounts service stores a new one at the next good login.

A login for an e-mail address nobody has must not answer faster than a wrong password, or
the time tells which addresses have accounts: ``waste_time`` verifies against a hash made once
per process, with the same parameters.
"""

from __future__ import annotations

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2Hashing:
    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._dummy: str | None = None
        self._dummy_lock = threading.Lock()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def waste_time(self, password: str) -> None:
        with self._dummy_lock:
            if self._dummy is None:
                self._dummy = self._hasher.hash("no such account, no such password")
            dummy = self._dummy
        self.verify(dummy, password)
