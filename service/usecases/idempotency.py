"""Idempotent requests: a resent request with the same key gets the first reply back.

A client that timed out cannot know whether its chat message was answered.
It sends the message again with the same ``Idempotency-Key`` header, and
must get the turn that was taken, never a second one. The reply is stored
by the same transaction as the turn (:func:`remember`), keyed by learner and
key; a request that finds it (:func:`replay`) returns it without running
the engine. Two copies of one request racing each other both run, but only
one can insert the key: the other fails at commit (the primary key), rolls
back its whole turn, and on its retry finds the winner's reply.

The key answers for ``ttl_seconds`` (``IDEMPOTENCY_KEY_TTL``, a day by
default); after that it is forgotten: an expired row is deleted when its key
comes again, and a learner's expired keys whenever it starts a conversation
with a key (a message costs one statement less that way).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import IdempotentReply
from service.usecases.errors import UseCaseError

DEFAULT_TTL_SECONDS = 24 * 3600
REPLIES = IdempotentReply.__table__


class IdempotencyKeyReused(UseCaseError):
    """The key was already used for another request (another body or target)."""


@dataclass(frozen=True)
class IdempotencyKey:
    """A client's key for one request, with the fingerprint of what that request asks."""

    key: str
    fingerprint: str
    ttl_seconds: int = DEFAULT_TTL_SECONDS

    @classmethod
    def for_request(cls, key: str, target: str, body: Any, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> IdempotencyKey:
        """The key ``key`` for a request to ``target`` (e.g. a conversation) with ``body``.

        >>> a = IdempotencyKey.for_request("k1", "conv1", {"text": "hint"})
        >>> a == IdempotencyKey.for_request("k1", "conv1", {"text": "hint"})
        True
        >>> a.fingerprint == IdempotencyKey.for_request("k1", "conv2", {"text": "hint"}).fingerprint
        False
        """
        canonical = json.dumps({"target": target, "body": body}, sort_keys=True, separators=(",", ":"))
        return cls(key, hashlib.sha256(canonical.encode()).hexdigest(), ttl_seconds)


def replay(session: Session, learner_id: str, key: IdempotencyKey | None) -> dict[str, Any] | None:
    """The stored reply for ``key``, or None when there is none (or it expired).

    Raises :class:`IdempotencyKeyReused` when the key was stored for another request.
    """
    if key is None:
        return None
    found = session.execute(
        sa.select(REPLIES.c.fingerprint, REPLIES.c.reply, REPLIES.c.created_at)
        .where(REPLIES.c.learner_id == learner_id, REPLIES.c.key == key.key)).one_or_none()
    if found is None:
        return None
    if found.created_at < _expiry(key):
        session.execute(sa.delete(REPLIES).where(REPLIES.c.learner_id == learner_id, REPLIES.c.key == key.key))
        return None
    if found.fingerprint != key.fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for a different request; use a new key for a new request.")
    return found.reply


def remember(session: Session, learner_id: str, key: IdempotencyKey | None, reply: dict[str, Any], *,
             purge: bool = False) -> None:
    """Store ``reply`` under ``key`` in the current transaction (nothing without a key).

    One INSERT, sent at once: a copy of the request that committed first
    makes it fail here (PostgreSQL waits for that commit, then reports the
    duplicate key), and the caller's retry then finds that copy's reply.
    ``purge`` also deletes the learner's expired keys (the caller does it
    now and then, not on every turn: it is one more statement).
    """
    if key is None:
        return
    if purge:
        session.execute(sa.delete(REPLIES).where(
            REPLIES.c.learner_id == learner_id, REPLIES.c.created_at < _expiry(key)))
    session.execute(sa.insert(REPLIES).values(learner_id=learner_id, key=key.key, fingerprint=key.fingerprint,
                                              reply=_jsonable(reply), created_at=datetime.now(timezone.utc)))


def _expiry(key: IdempotencyKey) -> datetime:
    return datetime.now(timezone.utc) - timedelta(seconds=key.ttl_seconds)


def _jsonable(value: Any) -> Any:
    """``value`` with its datetimes as ISO strings, ready for a JSON column."""
    if isinstance(value, dict):
        return {name: _jsonable(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
