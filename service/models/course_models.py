"""The learner model as one course saw it (migration 0010-course).

The tutor adapts to its model of the whole learner (:class:`Mastery`,
:class:`MisconceptionBelief`). An instructor reads the course's copy: the
same model traced from the evidence of that course's conversations only
(:mod:`service.tutor.learner_model`), so work in another course never moves
what one course's instructor sees. A learner practising outside any course
has no course rows. Keyed by course first: a course's heatmap and its means
read one range of the primary key.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.models.base import Base, utcnow


class CourseMastery(Base):
    """A learner's probability of knowing one skill, from the evidence of one course."""

    __tablename__ = "course_mastery"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    learner_id: Mapped[str] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    skill: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    probability: Mapped[float] = mapped_column(sa.Float)
    attempts: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))  # BKT opportunities
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=sa.func.current_timestamp())

    def __repr__(self) -> str:
        return f"<CourseMastery {self.course_id}/{self.learner_id} {self.skill}={self.probability:.2f}>"


class CourseMisconceptionBelief(Base):
    """The probability that a learner holds one misconception, from the evidence of one course."""

    __tablename__ = "course_misconception_beliefs"

    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    learner_id: Mapped[str] = mapped_column(sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    misconception: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    probability: Mapped[float] = mapped_column(sa.Float)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=sa.func.current_timestamp())
