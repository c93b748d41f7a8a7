"""Replies kept for a while so that a resent request gets the first answer again."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.models.base import Base, CreatedAtMixin


class IdempotentReply(CreatedAtMixin, Base):
    """The reply to a learner's request sent with an ``Idempotency-Key``.

    Keyed by learner and key: one learner's keys never meet another's.
    ``fingerprint`` hashes what the request asked (its target and body), so
    the same key sent with another request is recognised and refused.
    Written in the same transaction as the turn it answers, so a stored
    reply always means a stored turn, and the primary key makes the second
    of two concurrent requests with one key fail at commit.
    """

    __tablename__ = "idempotent_replies"

    learner_id: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    reply: Mapped[dict[str, Any]] = mapped_column()

    def __repr__(self) -> str:
        return f"<IdempotentReply {self.learner_id} {self.key!r}>"
