"""Each course's copy of the learner model, kept per turn from that course's evidence.

The tutor adapts to the learner's whole model; instructors read the
course's copy (:mod:`service.models.course_models`), traced from the same
evidence (:func:`service.tutor.learner_model.trace`) but only the evidence
of conversations filed under that course. A turn of a course conversation
reads the course's copy with the conversation (on PostgreSQL in the same
statement, :mod:`service.usecases.postgres_turn`) and writes the rows it
moved with the rest of the turn, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import CourseMastery, CourseMisconceptionBelief
from service.tutor.engine import Turn
from service.tutor.events import MasteryChanged
from service.tutor.learner_model import AnswerEvidence, LearnerModel, trace
from service.tutor.mastery import Params

course_mastery: sa.Table = CourseMastery.__table__  # type: ignore[assignment]
course_beliefs: sa.Table = CourseMisconceptionBelief.__table__  # type: ignore[assignment]

_READ_MASTERY = sa.select(course_mastery.c.skill, course_mastery.c.probability).where(
    course_mastery.c.course_id == sa.bindparam("course_id"),
    course_mastery.c.learner_id == sa.bindparam("learner_id"))
_READ_BELIEFS = sa.select(course_beliefs.c.misconception, course_beliefs.c.probability).where(
    course_beliefs.c.course_id == sa.bindparam("course_id"),
    course_beliefs.c.learner_id == sa.bindparam("learner_id"))


def read_course_model(session: Session, course_id: int, learner_id: str) -> LearnerModel:
    """The course's copy of the learner's model (empty: nothing seen in this course yet)."""
    connection = session.connection()
    params = {"course_id": course_id, "learner_id": learner_id}
    return LearnerModel(mastery=dict(connection.execute(_READ_MASTERY, params).all()),
                        beliefs=dict(connection.execute(_READ_BELIEFS, params).all()))


@dataclass(frozen=True)
class CourseModelUpdate:
    """What a turn does to one course's copy of the model: ``before`` as read, ``after`` traced."""

    course_id: int
    before: LearnerModel
    after: LearnerModel
    answered: bool  # the turn observed an answer (the beliefs are written then, as the learner's are)

    def mastery_rows(self, learner_id: str, now: datetime) -> list[dict[str, Any]]:
        """The skills the turn moved or observed: probabilities overwritten, opportunities added."""
        before, after = self.before.mastery, self.after.mastery
        touched = {skill for skill, p in after.items() if before.get(skill) != p} | set(self.after.opportunities)
        return [{"course_id": self.course_id, "learner_id": learner_id, "skill": skill,
                 "attempts": self.after.opportunities.get(skill, 0), "probability": after[skill],
                 "updated_at": now} for skill in sorted(touched)]

    def mastery_changes(self) -> list[MasteryChanged]:
        """The course copy's moves, as the engine reports the learner's (what the course's LMS is told)."""
        before = self.before.mastery
        return [MasteryChanged(skill, round(before[skill], 6), round(after, 6))
                for skill, after in self.after.mastery.items() if after != before[skill]]

    def belief_rows(self, learner_id: str, now: datetime) -> list[dict[str, Any]]:
        if not self.answered:
            return []
        # Only the beliefs that moved: one absent reads as the prior, and a turn moves a few.
        before = self.before.beliefs
        return [{"course_id": self.course_id, "learner_id": learner_id, "misconception": name,
                 "probability": probability, "updated_at": now}
                for name, probability in sorted(self.after.beliefs.items()) if probability != before.get(name)]


def course_model_update(course_id: int | None, read: LearnerModel | None, turn: Turn,
                        params: Params) -> CourseModelUpdate | None:
    """The turn's evidence traced into the course's copy read at its start (None outside a course)."""
    if course_id is None or read is None:
        return None
    before = trace(read, (), params)  # the prior filling the gaps, as the engine starts
    return CourseModelUpdate(course_id, before, trace(read, turn.evidence, params),
                             answered=any(isinstance(item, AnswerEvidence) for item in turn.evidence))
