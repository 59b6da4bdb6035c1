"""Argon2id through argon2-cffi: what the accounts service relies on from its hashing port."""

from __future__ import annotations

from argon2 import PasswordHasher

from rubdown.auth.passwords import Argon2Hashing

# Cheap parameters, as an older rubdown (or a weaker machine's setting) might have stored.
OLD = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


def test_a_hash_is_argon2id_salted_and_verifies_only_its_password() -> None:
    hashing = Argon2Hashing(OLD)
    first, second = hashing.hash("correct horse battery"), hashing.hash("correct horse battery")

    assert first.startswith("$argon2id$")
    assert first != second  # a salt of its own each
    assert hashing.verify(first, "correct horse battery")
    assert not hashing.verify(first, "correct horse batterY")
    assert not hashing.verify("not a hash", "correct horse battery")


def test_a_hash_made_with_other_parameters_verifies_and_asks_to_be_rehashed() -> None:
    old_hash = Argon2Hashing(OLD).hash("correct horse battery")
    current = Argon2Hashing()

    assert current.verify(old_hash, "correct horse battery")
    assert current.needs_rehash(old_hash)
    assert current.needs_rehash("not a hash")
    assert not Argon2Hashing(OLD).needs_rehash(old_hash)


def test_wasting_time_for_a_missing_account_verifies_against_a_real_hash() -> None:
    hashing = Argon2Hashing(OLD)
    hashing.waste_time("any password")
    dummy = hashing._dummy  # made once, with the same parameters as real hashes
    assert dummy is not None
    assert dummy.startswith("$argon2id$v=19$m=8192,t=1,p=1$")
