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

from service.models import Attempt, Conversation, Mastery, Message, MisconceptionBelief
from service.tutor.beliefs import full_beliefs
from service.tutor.mastery import DEFAULT_PARAMS
from service.tutor.skills import SKILL_LABELS, SKILL_NAMES
from service.usecases.access import Principal, visible_learner, work_scope
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
    (``course_id`` narrows them to one, checked by the caller), never what
    the learner did in another instructor's course. ``skills`` and
    ``misconceptions`` are the learner's own estimates, whichever course they
    practised in.
    """
    learner = visible_learner(session, principal, learner_id)
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
        skills=_skills(session, learner.id),
        misconceptions=_misconceptions(session, learner.id),
        recent=_recent(session, learner.id, work_scope(principal, Attempt.course_id, course_id)),
    )


def _hints(session: Session, conversations: sa.Select[tuple[str]]) -> int:
    query = (
        sa.select(sa.func.count(Message.id))
        .where(Message.conversation_id.in_(conversations), Message.role == "tutor", Message.kind == "hint")
    )
    return session.scalar(query) or 0


def _misconceptions(session: Session, learner_id: str) -> dict[str, float]:
    rows = session.execute(sa.select(MisconceptionBelief.misconception, MisconceptionBelief.probability)
                           .where(MisconceptionBelief.learner_id == learner_id))
    return full_beliefs({name: probability for name, probability in rows})


def _skills(session: Session, learner_id: str) -> list[SkillProgress]:
    rows = {m.skill: m for m in session.scalars(sa.select(Mastery).where(Mastery.learner_id == learner_id))}
    return [
        SkillProgress(
            skill=skill,
            label=SKILL_LABELS[skill],
            probability=rows[skill].probability if skill in rows else MASTERY_PRIOR,
            attempts=rows[skill].attempts if skill in rows else 0,
        )
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
