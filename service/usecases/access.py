"""Who is asking, and what they may see.

A :class:`Principal` is the caller as the use cases know it: plain values,
resolved from the request by ``service.auth``. The rules live here, beside
the data they read, so that the routes, the CLI and later integrations all
enforce the same ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import Course, Enrolment, Learner
from service.usecases.errors import Forbidden, NotFound

Role = Literal["learner", "instructor"]


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: a learner (``id`` a str) or an instructor (an int).

    >>> Principal("learner", "ab12").is_learner("ab12")
    True
    """

    role: Role
    id: str | int

    def is_learner(self, learner_id: str) -> bool:
        """Whether this caller is the learner ``learner_id`` itself."""
        return self.role == "learner" and self.id == learner_id

    @property
    def is_instructor(self) -> bool:
        return self.role == "instructor"


def teaches(session: Session, instructor_id: int, learner_id: str) -> bool:
    """Whether the learner is enrolled in one of the instructor's courses."""
    query = (
        sa.select(Enrolment.id)
        .join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.learner_id == learner_id, Course.instructor_id == instructor_id)
        .limit(1)
    )
    return session.scalar(query) is not None


def visible_learner(session: Session, principal: Principal, learner_id: str) -> Learner:
    """The learner ``learner_id``, if ``principal`` may see it.

    A learner sees itself; an instructor sees the learners of its courses.
    Raises :class:`NotFound` for an unknown id and :class:`Forbidden` otherwise.
    """
    learner = session.get(Learner, learner_id)
    if learner is None:
        raise NotFound(f"There is no learner with id {learner_id!r}.")
    if principal.is_learner(learner_id):
        return learner
    if principal.is_instructor and teaches(session, int(principal.id), learner_id):
        return learner
    raise Forbidden("You may only see yourself, or the learners of your own courses.")
