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
    """Whether the learner is enrolled in one of the instructor's courses.

    This lets the instructor see *who* the learner is, never what the
    learner did: their work is read through :func:`work_scope`, which keeps
    only the rows filed under the instructor's own courses.
    """
    query = (
        sa.select(Enrolment.id)
        .join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.learner_id == learner_id, Course.instructor_id == instructor_id)
        .limit(1)
    )
    return session.scalar(query) is not None


def courses_of(instructor_id: int) -> sa.Select[tuple[int]]:
    """The ids of the instructor's courses, as a subquery."""
    return sa.select(Course.id).where(Course.instructor_id == instructor_id)


def work_scope(principal: Principal, course_column: sa.ColumnElement[int | None],
               course_id: int | None = None) -> sa.ColumnElement[bool]:
    """The condition on a row's course (``course_column``) that ``principal`` may read.

    Conversations and attempts belong to one course (or none): a learner
    reads all of its own work, an instructor only the rows filed under one
    of their courses (``course_id``, when given, narrows it to that one,
    which the caller has checked is theirs). Callers also restrict the rows
    to the learner; this adds only the course.
    """
    if course_id is not None:
        return course_column == course_id
    if principal.is_instructor:
        return course_column.in_(courses_of(int(principal.id)))
    return sa.true()


def may_read_work(session: Session, principal: Principal, learner_id: str, course_id: int | None) -> bool:
    """Whether ``principal`` may read one conversation (or attempt) of ``learner_id`` filed under ``course_id``."""
    if principal.is_learner(learner_id):
        return True
    if not principal.is_instructor or course_id is None:
        return False
    owner = session.scalar(sa.select(Course.instructor_id).where(Course.id == course_id))
    return owner == principal.id


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
