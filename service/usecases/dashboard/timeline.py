"""One learner's timeline: their conversations, newest first, each with its
transcript and the attempts (verdicts, misconceptions) it recorded."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import Attempt, Conversation, Enrolment, Learner, Message
from service.usecases.access import Principal
from service.usecases.dashboard.labels import label_of
from service.usecases.dashboard.filters import (
    CourseRef,
    DashboardFilter,
    Page,
    PageRequest,
    day_range,
    owned_course,
    page_of,
)
from service.usecases.errors import NotFound
from service.usecases.progress import Progress, get_progress

DEFAULT_CONVERSATIONS_PER_PAGE = 10


@dataclass(frozen=True)
class TranscriptLine:
    role: str
    kind: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class AttemptLine:
    step: str
    answer: str
    correct: bool
    misconception: str | None
    skill: str | None
    hints_used: int
    latency_ms: int | None
    created_at: datetime


@dataclass(frozen=True)
class ConversationEntry:
    id: str
    expression: str
    status: str
    created_at: datetime
    updated_at: datetime
    transcript: list[TranscriptLine]
    attempts: list[AttemptLine]


@dataclass(frozen=True)
class LearnerTimeline:
    """What the learner page shows: the learner's name, progress and conversations."""

    course: CourseRef
    learner_id: str
    name: str | None
    enrolled_at: datetime
    last_seen_at: datetime | None
    progress: Progress
    conversations: Page[ConversationEntry]
    label: str = ""  # the name, or "Learner 3f2a9c, via widget on example.org" (labels.py)


def learner_timeline(session: Session, instructor_id: int, flt: DashboardFilter, learner_id: str,
                     request: PageRequest) -> LearnerTimeline:
    """The timeline of a learner of one of the instructor's courses.

    Only the learner's work filed under this course shows (progress and
    conversations). ``flt.since``/``until`` select conversations by the day
    they started and ``flt.skill`` the attempts listed. Raises :class:`NotFound` for a course
    the instructor does not own or a learner not enrolled in it.
    """
    course = owned_course(session, instructor_id, flt.course_id)
    learner, enrolled_at = _enrolled(session, flt.course_id, learner_id)
    return LearnerTimeline(
        course=course, learner_id=learner.id, name=learner.name, enrolled_at=enrolled_at,
        last_seen_at=learner.last_seen_at,
        progress=get_progress(session, Principal("instructor", instructor_id), learner.id, flt.course_id),
        conversations=_conversations(session, flt, learner.id, request),
        label=label_of(learner),
    )


def _enrolled(session: Session, course_id: int, learner_id: str) -> tuple[Learner, datetime]:
    query = (
        sa.select(Learner, Enrolment.created_at)
        .join(Enrolment, Enrolment.learner_id == Learner.id)
        .where(Enrolment.course_id == course_id, Learner.id == learner_id)
    )
    found = session.execute(query).first()
    if found is None:
        raise NotFound(f"There is no learner {learner_id!r} in this course.")
    return found[0], found[1]


def _conversations(session: Session, flt: DashboardFilter, learner_id: str,
                   request: PageRequest) -> Page[ConversationEntry]:
    conditions = [Conversation.learner_id == learner_id, Conversation.course_id == flt.course_id,
                  *day_range(Conversation.created_at, flt)]
    total = session.scalar(sa.select(sa.func.count(Conversation.id)).where(*conditions)) or 0
    query = (
        sa.select(Conversation)
        .where(*conditions)
        .order_by(Conversation.updated_at.desc(), Conversation.id)
        .limit(request.limit)
        .offset(request.offset)
    )
    conversations = list(session.scalars(query))
    ids = [c.id for c in conversations]
    transcripts = _transcripts(session, ids)
    attempts = _attempts(session, ids, flt.skill)
    entries = [
        ConversationEntry(id=c.id, expression=c.expression, status=c.status, created_at=c.created_at,
                          updated_at=c.updated_at, transcript=transcripts[c.id], attempts=attempts[c.id])
        for c in conversations
    ]
    return page_of(entries, total, request)


def _transcripts(session: Session, ids: list[str]) -> dict[str, list[TranscriptLine]]:
    found: dict[str, list[TranscriptLine]] = defaultdict(list)
    if ids:
        query = (sa.select(Message).where(Message.conversation_id.in_(ids))
                 .order_by(Message.conversation_id, Message.position))
        for m in session.scalars(query):
            found[m.conversation_id].append(
                TranscriptLine(role=m.role, kind=m.kind, text=m.text, created_at=m.created_at))
    return found


def _attempts(session: Session, ids: list[str], skill: str | None) -> dict[str, list[AttemptLine]]:
    found: dict[str, list[AttemptLine]] = defaultdict(list)
    if ids:
        query = sa.select(Attempt).where(Attempt.conversation_id.in_(ids))
        if skill:
            query = query.where(Attempt.skill == skill)
        for a in session.scalars(query.order_by(Attempt.created_at, Attempt.id)):
            found[a.conversation_id].append(AttemptLine(
                step=a.step, answer=a.answer, correct=a.correct, misconception=a.misconception,
                skill=a.skill, hints_used=a.hints_used, latency_ms=a.latency_ms, created_at=a.created_at))
    return found
