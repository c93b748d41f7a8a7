"""Writing one tutor turn into the session: everything the turn produced.

A turn is the learner's message and the tutor's answer to it. Its record is
the messages (learner first, then the tutor's replies, at consecutive
positions), one attempt row per answer, the learner's mastery rows, the
conversation's new state, outbox events for the LMS, and the dashboards'
per-conversation sums of the attempts. :func:`record_turn`
writes them in the session's open transaction and the caller commits once,
so all of it is written or none of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import (
    Attempt,
    Conversation,
    Exercise,
    Mastery,
    Message,
    OutboxEvent,
    utcnow,
)
from service.tutor.engine import Turn
from service.tutor.events import AttemptRecorded, Event, MasteryChanged, ProblemSolved
from service.tutor.mastery import DEFAULT_PARAMS
from service.usecases.dashboard.summaries import count_attempts

# The events a later LMS integration delivers; the others (hints, problem
# started, solution shown) are visible in the messages and attempts already.
OUTBOX_EVENTS: frozenset[type[Event]] = frozenset({AttemptRecorded, ProblemSolved, MasteryChanged})

# How a learner's message is filed: an answer the tutor checked, or anything else.
LEARNER_ANSWER, LEARNER_TEXT = "answer", "text"


@dataclass(frozen=True)
class TurnInput:
    """What the learner sent, where it goes, and how long they took."""

    text: str | None          # None when the tutor speaks first (a new conversation)
    position: int             # the position of the turn's first message
    latency_ms: int | None    # since the tutor's last message


def record_turn(session: Session, conversation: Conversation, turn: Turn, given: TurnInput,
                mastery_rows: dict[str, Mastery]) -> list[dict[str, Any]]:
    """Write the turn's rows in the session's transaction and move the conversation on.

    Returns the tutor's reply messages as rows (with their positions), in
    order. Messages, attempts and outbox events are inserted at once, in
    bulk, without the ORM's bookkeeping (they are only ever added); the
    conversation and the mastery rows go through the ORM and are flushed at
    commit, where the conversation's version check happens.
    ``mastery_rows`` are the learner's rows read at the start of the turn;
    they are updated in place and new ones added.
    """
    rows = _messages(conversation.id, turn, given)
    _move_conversation(session, conversation, turn)
    attempts = [_attempt(conversation, event, given.latency_ms)
                for event in turn.events if isinstance(event, AttemptRecorded)]
    outbox = [_outbox(conversation, event) for event in turn.events if type(event) in OUTBOX_EVENTS]
    for model, values in ((Message, rows), (Attempt, attempts), (OutboxEvent, outbox)):
        if values:
            session.execute(sa.insert(model.__table__), values)
    # The dashboards' per-conversation sums, in this same transaction (one upsert).
    count_attempts(session, attempts)
    _save_mastery(session, conversation.learner_id, turn, mastery_rows)
    return [row for row in rows if row["role"] == "tutor"]


def _messages(conversation_id: str, turn: Turn, given: TurnInput) -> list[dict[str, Any]]:
    """The turn's message rows: the learner's (if any), then the tutor's replies."""
    rows: list[dict[str, Any]] = []
    now = utcnow()  # one timestamp for the turn: its messages were written together
    if given.text is not None:
        verdict = turn.verdict.to_dict() if turn.verdict is not None else None
        rows.append({"role": "learner", "kind": LEARNER_ANSWER if verdict else LEARNER_TEXT,
                     "text": given.text, "payload": {"verdict": verdict} if verdict else {}})
    rows.extend({"role": "tutor", "kind": reply.kind, "text": reply.text,
                 "payload": _maths(reply.to_dict())} for reply in turn.replies)
    for offset, row in enumerate(rows):
        row.update(conversation_id=conversation_id, position=given.position + offset, created_at=now)
    return rows


def _maths(shaped: dict[str, Any]) -> dict[str, Any]:
    """The extras of a tutor message worth keeping beside its text."""
    return {key: shaped[key] for key in ("latex", "mathml", "derivative") if key in shaped}


def _move_conversation(session: Session, conversation: Conversation, turn: Turn) -> None:
    """The conversation's new state, and the columns that mirror it for queries."""
    state = turn.state
    previous_slug = (conversation.state or {}).get("exercise_slug")
    conversation.state = state.to_dict()
    conversation.status = "solved" if state.solved else "active"
    if state.expression is not None:
        conversation.expression = state.expression
        conversation.variable = state.variable
    if state.exercise_slug != previous_slug or (state.exercise_slug and conversation.exercise_id is None):
        conversation.exercise_id = _exercise_id(session, state.exercise_slug)


def _exercise_id(session: Session, slug: str | None) -> int | None:
    if slug is None:
        return None
    return session.scalar(sa.select(Exercise.id).where(Exercise.slug == slug))


def _attempt(conversation: Conversation, event: AttemptRecorded, latency_ms: int | None) -> dict[str, Any]:
    return {
        "learner_id": conversation.learner_id, "conversation_id": conversation.id,
        "exercise_id": conversation.exercise_id, "course_id": conversation.course_id,
        "step": event.step, "answer": event.answer, "correct": event.correct,
        "misconception": event.misconception, "skill": event.skill, "latency_ms": latency_ms,
        "hints_used": event.hints_used,
    }


def _outbox(conversation: Conversation, event: Event) -> dict[str, Any]:
    payload = {**event.to_dict(), "conversation_id": conversation.id,
               "course_id": conversation.course_id}
    return {"type": type(event).__name__, "learner_id": conversation.learner_id, "payload": payload}


def _save_mastery(session: Session, learner_id: str, turn: Turn, rows: dict[str, Mastery]) -> None:
    """Upsert the mastery rows the turn touched: moved probabilities, counted attempts.

    Two turns of one learner (in two conversations) may both insert a new
    row for the same skill; the second commit then fails on the primary key
    and the caller retries the whole turn, which then finds the row.
    """
    practised: dict[str, int] = {}
    for event in turn.events:
        if isinstance(event, AttemptRecorded):
            for skill in dict.fromkeys(event.skills):
                practised[skill] = practised.get(skill, 0) + 1
    moved = {event.skill for event in turn.events if isinstance(event, MasteryChanged)}
    for skill in sorted(moved | set(practised)):
        row = rows.get(skill)
        if row is None:
            row = rows[skill] = Mastery(learner_id=learner_id, skill=skill, attempts=0)
            session.add(row)
        row.probability = turn.mastery.get(skill, DEFAULT_PARAMS.p_init)
        row.attempts = (row.attempts or 0) + practised.get(skill, 0)


def last_message(session: Session, conversation_id: str) -> tuple[int, datetime | None]:
    """The highest message position of a conversation (-1 when none) and when it was written."""
    position, written = session.execute(
        sa.select(sa.func.coalesce(sa.func.max(Message.position), -1), sa.func.max(Message.created_at))
        .where(Message.conversation_id == conversation_id)
    ).one()
    return int(position), written
