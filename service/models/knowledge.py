"""What the tutor knows about learners beyond mastery: problem outcomes,
misconception beliefs, and the fitted BKT parameters (migration 0006).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.models.base import Base, CreatedAtMixin, utcnow
from service.tutor.outcomes import OUTCOMES


class ProblemRecord(CreatedAtMixin, Base):
    """One problem a learner was set, and how it ended (:mod:`service.tutor.outcomes`).

    A conversation may hold several problems in turn ("next"); ``position``
    numbers them in their conversation. Every count of problems (progress,
    learner page, overview, exports) counts these rows, so they agree.
    """

    __tablename__ = "problems"
    __table_args__ = (
        sa.UniqueConstraint("conversation_id", "position"),
        sa.CheckConstraint(f"outcome IN ({', '.join(repr(o) for o in OUTCOMES)})", name="outcome"),
        sa.Index(None, "learner_id", "created_at", postgresql_include=["outcome"]),
        # The problems set since the solve-rate job's last run (migration 0010).
        sa.Index(None, "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(sa.ForeignKey("conversations.id", ondelete="CASCADE"))
    learner_id: Mapped[str] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"))
    position: Mapped[int]
    expression: Mapped[str] = mapped_column(sa.String(500))
    outcome: Mapped[str] = mapped_column(sa.String(24), default="in_progress", server_default="in_progress")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=sa.func.current_timestamp())

    def __repr__(self) -> str:
        return f"<ProblemRecord {self.conversation_id}#{self.position} {self.outcome}>"


class MisconceptionBelief(Base):
    """The probability that a learner holds one misconception (:mod:`service.tutor.beliefs`)."""

    __tablename__ = "misconception_beliefs"

    learner_id: Mapped[str] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    misconception: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    probability: Mapped[float] = mapped_column(sa.Float)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=sa.func.current_timestamp())


class BKTParameterSet(CreatedAtMixin, Base):
    """One fit of the BKT parameters (``chain-tutor mastery fit``); the newest is used.

    ``params``: ``{skill: {"p_init", "p_transit", "p_slip", "p_guess"}}``;
    ``report``: the variants compared, their cross-validated AUC and RMSE,
    the data they saw. ``id`` is the version.
    """

    __tablename__ = "bkt_parameter_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(sa.String(32))
    params: Mapped[dict[str, Any]]
    report: Mapped[dict[str, Any]]
