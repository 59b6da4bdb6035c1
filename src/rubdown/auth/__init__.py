"""Adapters for logging in: password hashing with Argon2id (``auth.passwords``)."""
