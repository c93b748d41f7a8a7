"""Secrets: bearer tokens, API keys and passwords, and how they are stored.

Tokens are opaque random strings with a readable prefix (``lt_`` for a
learner token, ``ik_`` for an instructor API key) so that a leaked one is
recognisable in logs and secret scanners. They carry 256 bits of entropy,
so a plain SHA-256 is enough to store them: there is nothing to brute-force,
and a fast hash lets every request look its token up by index. Passwords
are low-entropy and get scrypt (werkzeug's default).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

LEARNER_TOKEN_PREFIX = "lt_"
API_KEY_PREFIX = "ik_"


def new_token(prefix: str) -> str:
    """A fresh opaque token: ``prefix`` and 43 URL-safe characters.

    >>> token = new_token("lt_")
    >>> token.startswith("lt_"), len(token)
    (True, 46)
    """
    return prefix + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of a token: its SHA-256, hex.

    >>> hash_token("lt_abc") == hash_token("lt_abc") != hash_token("lt_abd")
    True
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    """The stored form of a password (scrypt, salted)."""
    return generate_password_hash(password, method="scrypt")


def check_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (constant time)."""
    return check_password_hash(stored_hash, password)


def same_secret(a: str, b: str) -> bool:
    """Compare two secrets without leaking where they differ through timing."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
