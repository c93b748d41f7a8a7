"""A learner's progress: attempts, problems by outcome, hints, mastery per skill, misconceptions.

The numbers are the ones every other page shows: problems are counted by
:mod:`service.usecases.outcomes`, a skill is *assessed* once BKT has had an
observation of it (before that its probability is only the prior, and pages
say "not yet assessed"), and the misconception probabilities are the
beliefs the tutor keeps (:mod:`service.tutor.beliefs`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import (
    Attempt, Conversation, Course, CourseMastery, CourseMisconceptionBelief, Enrolment, Mastery, Message,
    MisconceptionBelief,
)
from service.tutor.beliefs import full_beliefs
from service.tutor.mastery import DEFAULT_PARAMS
from service.tutor.skills import SKILL_LABELS, SKILL_NAMES
from service.usecases.access import Principal, visible_learner, work_scope
from service.usecases.errors import Forbidden, NotFound
from service.usecases.outcomes import OutcomeCounts, outcome_counts

# Bayesian Knowledge Tracing's P(L0) (0.2), the tutor's own: the probability
# that a learner knows a skill before any evidence. A skill the learner has
# never practised has no mastery row and is reported at this prior, so every
# skill always appears.
MASTERY_PRIOR = DEFAULT_PARAMS.p_init
RECENT_ATTEMPTS = 10


@dataclass(frozen=True)
class SkillProgress:
    skill: str
    label: str
    probability: float
    attempts: int  # BKT observations (opportunities)

    @property
    def assessed(self) -> bool:
        """Whether any evidence bears on the skill yet (else the probability is the prior)."""
        return self.attempts > 0


@dataclass(frozen=True)
class RecentAttempt:
    conversation_id: str
    step: str
    answer: str
    correct: bool
    misconception: str | None
    skill: str | None
    hints_used: int
    created_at: datetime


@dataclass(frozen=True)
class Progress:
    learner_id: str
    attempts: int
    outcomes: OutcomeCounts
    hints: int
    conversations: int
    skills: list[SkillProgress]
    misconceptions: dict[str, float]
    recent: list[RecentAttempt]
    # Whose evidence ``skills`` and ``misconceptions`` weigh: None for the
    # learner's whole work, else the one course's (service.usecases.course_models).
    model_course_id: int | None = None

    @property
    def solved(self) -> int:
        """Problems the learner reached the answer of, with or without hints (not given up)."""
        return self.outcomes.solved

    @property
    def problems(self) -> int:
        """Problems set, whatever their outcome."""
        return self.outcomes.problems

    @property
    def mastery(self) -> dict[str, float]:
        """``{skill: probability}`` for every skill the tutor traces."""
        return {s.skill: s.probability for s in self.skills}


def get_progress(session: Session, principal: Principal, learner_id: str,
                 course_id: int | None = None) -> Progress:
    """The learner's progress, for the learner itself or an instructor of its courses.

    ``hints`` counts the hint messages the tutor gave; ``outcomes`` counts
    the learner's problems by outcome (a conversation may hold several).

    An instructor's counts cover only the work filed under their courses
    (``course_id`` narrows them to one: another instructor's course is
    :class:`NotFound`), never what the learner did in another instructor's
    course. So do ``skills`` and ``misconceptions``: an instructor reads one
    course's copy of the learner model (``course_id``'s, else that of their
    course the learner last worked in, named by ``model_course_id``); the
    learner reads its whole model, or a course's copy when it names one.
    """
    learner = visible_learner(session, principal, learner_id)
    if course_id is not None and principal.is_instructor:
        _check_owned(session, int(principal.id), course_id)
    model_course = course_id
    if course_id is None and principal.is_instructor:
        model_course = _latest_course(session, int(principal.id), learner.id)
    in_scope = sa.select(Conversation.id).where(
        Conversation.learner_id == learner.id, work_scope(principal, Conversation.course_id, course_id))
    attempts = session.scalar(
        sa.select(sa.func.count(Attempt.id))
        .where(Attempt.learner_id == learner.id, work_scope(principal, Attempt.course_id, course_id)))
    conversations = session.scalar(sa.select(sa.func.count()).select_from(in_scope.subquery()))
    return Progress(
        learner_id=learner.id,
        attempts=attempts or 0,
        outcomes=outcome_counts(session, [learner.id], conversations=in_scope),
        hints=_hints(session, in_scope),
        conversations=conversations or 0,
        skills=_skills(session, learner.id, model_course),
        misconceptions=_misconceptions(session, learner.id, model_course),
        recent=_recent(session, learner.id, work_scope(principal, Attempt.course_id, course_id)),
        model_course_id=model_course,
    )


def _check_owned(session: Session, instructor_id: int, course_id: int) -> None:
    if session.scalar(sa.select(Course.instructor_id).where(Course.id == course_id)) != instructor_id:
        raise NotFound(f"You have no course with id {course_id}.")


def _latest_course(session: Session, instructor_id: int, learner_id: str) -> int:
    """The instructor's course the learner last worked in (else the first they are enrolled in).

    An instructor never reads the learner's whole model, so there must be one:
    :func:`visible_learner` has checked that the learner is in a course of theirs.
    """
    worked = session.scalar(
        sa.select(Conversation.course_id)
        .join(Course, Course.id == Conversation.course_id)
        .where(Conversation.learner_id == learner_id, Course.instructor_id == instructor_id)
        .order_by(Conversation.updated_at.desc()).limit(1))
    if worked is not None:
        return worked
    enrolled = session.scalar(
        sa.select(Enrolment.course_id).join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.learner_id == learner_id, Course.instructor_id == instructor_id)
        .order_by(Enrolment.course_id).limit(1))
    if enrolled is None:  # not reachable past visible_learner; never fall back to the whole model
        raise Forbidden("You may only see the learners of your own courses.")
    return enrolled


def _hints(session: Session, conversations: sa.Select[tuple[str]]) -> int:
    query = (
        sa.select(sa.func.count(Message.id))
        .where(Message.conversation_id.in_(conversations), Message.role == "tutor", Message.kind == "hint")
    )
    return session.scalar(query) or 0


def _misconceptions(session: Session, learner_id: str, course_id: int | None) -> dict[str, float]:
    """The learner's beliefs, or (``course_id``) the course's copy of them."""
    if course_id is None:
        query = sa.select(MisconceptionBelief.misconception, MisconceptionBelief.probability).where(
            MisconceptionBelief.learner_id == learner_id)
    else:
        query = sa.select(CourseMisconceptionBelief.misconception, CourseMisconceptionBelief.probability).where(
            CourseMisconceptionBelief.learner_id == learner_id, CourseMisconceptionBelief.course_id == course_id)
    return full_beliefs({name: probability for name, probability in session.execute(query)})


def _skills(session: Session, learner_id: str, course_id: int | None) -> list[SkillProgress]:
    """The learner's mastery by skill, or (``course_id``) the course's copy of it."""
    if course_id is None:
        query = sa.select(Mastery.skill, Mastery.probability, Mastery.attempts).where(
            Mastery.learner_id == learner_id)
    else:
        query = sa.select(CourseMastery.skill, CourseMastery.probability, CourseMastery.attempts).where(
            CourseMastery.learner_id == learner_id, CourseMastery.course_id == course_id)
    rows = {skill: (probability, attempts) for skill, probability, attempts in session.execute(query)}
    return [
        SkillProgress(skill=skill, label=SKILL_LABELS[skill],
                      probability=rows[skill][0] if skill in rows else MASTERY_PRIOR,
                      attempts=rows[skill][1] if skill in rows else 0)
        for skill in SKILL_NAMES
    ]


def _recent(session: Session, learner_id: str, scope: sa.ColumnElement[bool]) -> list[RecentAttempt]:
    query = (
        sa.select(Attempt)
        .where(Attempt.learner_id == learner_id, scope)
        .order_by(Attempt.created_at.desc(), Attempt.id.desc())
        .limit(RECENT_ATTEMPTS)
    )
    return [
        RecentAttempt(
            conversation_id=a.conversation_id, step=a.step, answer=a.answer, correct=a.correct,
            misconception=a.misconception, skill=a.skill, hints_used=a.hints_used,
            created_at=a.created_at,
        )
        for a in session.scalars(query)
    ]
