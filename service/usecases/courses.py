"""Courses: instructors create them, learners join them with a code."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import Course, Enrolment, Learner
from service.usecases.errors import Conflict, Forbidden, NotFound
from service.usecases.learners import course_by_code
from service.usecases.transactions import commit_unique

# No 0/O or 1/I/L: codes are read aloud in class and typed by hand.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# 31**8 codes make a clash rare; a few retries make it impossible in practice.
CODE_ATTEMPTS = 5


@dataclass(frozen=True)
class CourseView:
    id: int
    title: str
    code: str
    created_at: datetime
    learners: int


@dataclass(frozen=True)
class EnrolmentView:
    course_id: int
    course_title: str
    learner_id: str
    enrolled_at: datetime


@dataclass(frozen=True)
class CourseLearner:
    id: str
    name: str | None
    enrolled_at: datetime
    last_seen_at: datetime | None


def new_course_code() -> str:
    """A random join code.

    >>> code = new_course_code()
    >>> len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    True
    """
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def create_course(session: Session, instructor_id: int, title: str) -> CourseView:
    """Create a course owned by the instructor, with a fresh unique join code."""
    for _ in range(CODE_ATTEMPTS):
        course = Course(instructor_id=instructor_id, title=title, code=new_course_code())
        session.add(course)
        try:
            commit_unique(session, "course code taken")
        except Conflict:
            continue  # The code was taken (the only unique column): draw another.
        return _course_view(course, learners=0)
    raise Conflict("Could not find a free course code; try again.")


def list_courses(session: Session, instructor_id: int) -> list[CourseView]:
    """The instructor's own courses, oldest first, with their learner counts."""
    count = sa.func.count(Enrolment.id)
    query = (
        sa.select(Course, count)
        .outerjoin(Enrolment, Enrolment.course_id == Course.id)
        .where(Course.instructor_id == instructor_id)
        .group_by(Course.id)
        .order_by(Course.id)
    )
    return [_course_view(course, learners) for course, learners in session.execute(query)]


def enrol_learner(session: Session, learner_id: str, code: str) -> EnrolmentView:
    """Enrol the learner in the course whose join code is ``code``.

    Raises :class:`NotFound` for an unknown code and :class:`Conflict` when
    the learner is already enrolled.
    """
    course = course_by_code(session, code)
    enrolment = Enrolment(learner_id=learner_id, course_id=course.id)
    session.add(enrolment)
    commit_unique(session, f"You are already enrolled in {course.title!r}.")
    return EnrolmentView(
        course_id=course.id,
        course_title=course.title,
        learner_id=learner_id,
        enrolled_at=enrolment.created_at,
    )


def list_course_learners(session: Session, instructor_id: int, course_id: int) -> list[CourseLearner]:
    """The learners of a course, for the instructor who owns it only."""
    course = session.get(Course, course_id)
    if course is None:
        raise NotFound(f"There is no course with id {course_id}.")
    if course.instructor_id != instructor_id:
        raise Forbidden("Only the instructor of this course may list its learners.")
    query = (
        sa.select(Learner, Enrolment.created_at)
        .join(Enrolment, Enrolment.learner_id == Learner.id)
        .where(Enrolment.course_id == course_id)
        .order_by(Enrolment.created_at, Learner.id)
    )
    return [
        CourseLearner(id=learner.id, name=learner.name, enrolled_at=enrolled_at,
                      last_seen_at=learner.last_seen_at)
        for learner, enrolled_at in session.execute(query)
    ]


def _course_view(course: Course, learners: int) -> CourseView:
    return CourseView(id=course.id, title=course.title, code=course.code,
                      created_at=course.created_at, learners=learners)
