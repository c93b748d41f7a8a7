"""Plain factory functions for test data: ``make_learner(session, ...)``.

They go through the use cases where one exists, so test data is made the
way the service makes it (hashed tokens, generated course codes), and
write rows directly only for what clients never create (content, attempts).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import (
    Attempt, Conversation, CourseMastery, Enrolment, Exercise, Lesson, Mastery, Message, OutboxEvent, ProblemRecord, Section,
    utcnow,
)
from service.usecases import create_course, create_instructor, create_learner, enrol_learner
from service.usecases.courses import CourseView
from service.usecases.dashboard.summaries import count_attempts
from service.usecases.instructors import NewInstructor

_serial = itertools.count(1)
DEFAULT_PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class LearnerHandle:
    """A learner made for a test: its id, its token and the header to send."""

    id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


def bearer(token: str) -> dict[str, str]:
    """The ``Authorization`` header for a bearer token."""
    return {"Authorization": f"Bearer {token}"}


def make_learner(session: Session, name: str | None = "Ada", courses: tuple[str, ...] = ()) -> LearnerHandle:
    """A learner enrolled in the courses with the given join codes."""
    created = create_learner(session, name=name)
    for code in courses:
        enrol_learner(session, created.id, code)
    return LearnerHandle(id=created.id, token=created.token)


def make_instructor(session: Session, email: str | None = None, name: str = "Grace",
                    password: str = DEFAULT_PASSWORD) -> NewInstructor:
    """An instructor account; ``.api_key`` is its bearer key."""
    email = email or f"teacher{next(_serial)}@example.org"
    return create_instructor(session, email=email, name=name, password=password)


@dataclass(frozen=True)
class TwoCourses:
    """One learner enrolled in course A (instructor A) and course B (instructor B)."""

    learner: LearnerHandle
    teacher_a: NewInstructor
    teacher_b: NewInstructor
    course_a: CourseView
    course_b: CourseView


def make_learner_in_two_courses(session: Session) -> TwoCourses:
    """Ada, in "Course A" of a@example.org and "Course B" of b@example.org: the course-isolation cast."""
    teacher_a = make_instructor(session, email="a@example.org")
    teacher_b = make_instructor(session, email="b@example.org")
    course_a = make_course(session, teacher_a.id, "Course A")
    course_b = make_course(session, teacher_b.id, "Course B")
    learner = make_learner(session, "Ada", courses=(course_a.code, course_b.code))
    return TwoCourses(learner, teacher_a, teacher_b, course_a, course_b)


def make_course(session: Session, instructor_id: int, title: str = "Calculus I") -> CourseView:
    """A course of the instructor; ``.code`` is its join code."""
    return create_course(session, instructor_id, title)


def make_lesson(session: Session, slug: str = "chain-rule", sections: int = 2) -> Lesson:
    """A lesson with ``sections`` sections, each with inline maths."""
    lesson = Lesson(slug=slug, title="The chain rule", summary="Derivatives of compositions.", position=1)
    for position in range(1, sections + 1):
        lesson.sections.append(Section(
            slug=f"part-{position}", title=f"Part {position}", kind="concept", position=position,
            body=f"If $u = 2x + {position}$ then **du/dx** is $2$.",
            meta={"expression": f"(2x+{position})^3"},
        ))
    session.add(lesson)
    session.commit()
    return lesson


def make_exercise(session: Session, slug: str | None = None, expression: str = "(2x+1)^3",
                  difficulty: int = 1, skills: tuple[str, ...] = ("outer_derivative",),
                  **fields: Any) -> Exercise:
    """An exercise of the bank."""
    exercise = Exercise(slug=slug or f"exercise-{next(_serial)}", expression=expression,
                        difficulty=difficulty, skills=list(skills), family="power",
                        position=next(_serial), **fields)
    session.add(exercise)
    session.commit()
    return exercise


def make_conversation(session: Session, learner_id: str, status: str = "in_progress",
                      hints_used: int = 0, expression: str = "(2x+1)^3",
                      course_id: int | None | Literal["latest"] = "latest") -> Conversation:
    """A conversation as the tutor would leave it: ``hints_used`` hint messages
    in its transcript, its problem's outcome row, and a ProblemSolved event
    when it is finished (``status`` is an outcome of service.tutor.outcomes).

    Filed under ``course_id``; by default, as ``start_conversation`` does,
    under the course the learner joined last (``None`` for no course)."""
    if course_id == "latest":
        course_id = _latest_course(session, learner_id)
    finished = status in ("solved", "solved_with_hints", "gave_up")
    conversation = Conversation(
        learner_id=learner_id, course_id=course_id, expression=expression, variable="x", status=status,
        state={"expression": expression, "variable": "x", "step": None if finished else "dy/dx",
               "solved": status in ("solved", "solved_with_hints"), "finished": finished,
               "gave_up": status == "gave_up", "hints_used": hints_used, "seen": [expression]},
    )
    session.add(conversation)
    session.flush()
    session.add(ProblemRecord(conversation_id=conversation.id, learner_id=learner_id, position=0,
                              expression=expression, outcome=status, created_at=conversation.created_at))
    session.add_all(
        Message(conversation_id=conversation.id, position=position, role="tutor", kind="hint",
                text=f"Hint {position + 1}", payload={})
        for position in range(hints_used))
    if finished:
        session.add(OutboxEvent(
            type="ProblemSolved", learner_id=learner_id,
            payload={"expression": expression, "variable": "x", "by_learner": status != "gave_up",
                     "outcome": status, "hints_used": hints_used, "conversation_id": conversation.id}))
    session.commit()
    return conversation


def make_attempt(session: Session, conversation: Conversation, correct: bool = True,
                 **fields: Any) -> Attempt:
    """One answer in a conversation."""
    values: dict[str, Any] = {"step": "dy/dx", "answer": "6(2x+1)^2", "skill": "multiply_factors",
                              "hints_used": 0, "misconception": None, "created_at": utcnow()}
    values.update(fields)
    attempt = Attempt(learner_id=conversation.learner_id, conversation_id=conversation.id,
                      course_id=conversation.course_id, correct=correct, **values)
    session.add(attempt)
    # As the turn writer does: the dashboards' per-conversation sums move with the attempt.
    count_attempts(session, [{"learner_id": conversation.learner_id, "conversation_id": conversation.id,
                              "course_id": conversation.course_id, "correct": correct, **values}])
    session.commit()
    return attempt


def make_mastery(session: Session, learner_id: str, skill: str, probability: float,
                 attempts: int = 1, course_id: int | None | Literal["latest"] = "latest") -> Mastery:
    """A learner's mastery of one skill, as a turn in ``course_id`` leaves it: the
    learner's own row and the course's copy (by default the course the learner
    joined last; ``None``: work outside any course, the learner's row only)."""
    course_id = _latest_course(session, learner_id) if course_id == "latest" else course_id
    mastery = Mastery(learner_id=learner_id, skill=skill, probability=probability, attempts=attempts)
    session.add(mastery)
    if course_id is not None:
        session.add(CourseMastery(course_id=course_id, learner_id=learner_id, skill=skill,
                                  probability=probability, attempts=attempts))
    session.commit()
    return mastery


def _latest_course(session: Session, learner_id: str) -> int | None:
    return session.scalar(
        sa.select(Enrolment.course_id).where(Enrolment.learner_id == learner_id)
        .order_by(Enrolment.created_at.desc(), Enrolment.id.desc()).limit(1))
