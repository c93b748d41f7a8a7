"""Reading and writing one tutor turn: the conversation's row and everything the turn produced.

A turn is the learner's message and the tutor's answer to it. Its record is
the messages (learner first, then the tutor's replies, at consecutive
positions), one attempt row per answer, the learner's mastery rows, the
conversation's new state, outbox events for the LMS, and the dashboards'
per-conversation sums of the attempts. :func:`record_turn` writes them in
the session's open transaction and the caller commits once, so all of it is
written or none of it.

Why SQLAlchemy Core and not the ORM here: a turn is the service's hottest
path (the benchmark asks for 200 a second on two cores) and its rows are
only ever added or overwritten, never navigated. The ORM's unit of work
cost more than the statements themselves; the statements below are built
once, run on the session's connection (so in its transaction), and each
table is touched by exactly one statement per turn. The conversation's
``version`` check that the ORM did at flush is done by the UPDATE itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

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
from service.usecases.upserts import upsert

# The events a later LMS integration delivers; the others (hints, problem
# started, solution shown) are visible in the messages and attempts already.
OUTBOX_EVENTS: frozenset[type[Event]] = frozenset({AttemptRecorded, ProblemSolved, MasteryChanged})

# How a learner's message is filed: an answer the tutor checked, or anything else.
LEARNER_ANSWER, LEARNER_TEXT = "answer", "text"

_conversations: sa.Table = Conversation.__table__  # type: ignore[assignment]
_mastery: sa.Table = Mastery.__table__  # type: ignore[assignment]

# PostgreSQL queues a second turn of the same conversation behind the first
# (FOR UPDATE); SQLite has no row locks (the clause is left out) and relies on
# the version check.
_READ_CONVERSATION_FOR_TURN = sa.select(
    _conversations.c.id, _conversations.c.learner_id, _conversations.c.course_id,
    _conversations.c.exercise_id, _conversations.c.expression, _conversations.c.variable,
    _conversations.c.state, _conversations.c.version, _conversations.c.message_count,
    _conversations.c.updated_at,
).where(_conversations.c.id == sa.bindparam("conversation_id")).with_for_update()

_MOVED_COLUMNS = ("expression", "variable", "exercise_id", "state", "status", "message_count", "updated_at")
_MOVE_CONVERSATION = (
    sa.update(_conversations)
    .where(_conversations.c.id == sa.bindparam("conversation_id"),
           _conversations.c.version == sa.bindparam("read_version"))
    .values(version=_conversations.c.version + 1,
            **{name: sa.bindparam(f"new_{name}", type_=_conversations.c[name].type) for name in _MOVED_COLUMNS})
)
_INSERT_CONVERSATION = sa.insert(_conversations)
_INSERT_MESSAGES = sa.insert(Message.__table__)
_INSERT_ATTEMPTS = sa.insert(Attempt.__table__)
_INSERT_OUTBOX = sa.insert(OutboxEvent.__table__)
_READ_MASTERY = sa.select(_mastery.c.skill, _mastery.c.probability).where(
    _mastery.c.learner_id == sa.bindparam("learner_id"))


@dataclass(frozen=True)
class ConversationRecord:
    """A conversation's row as a turn reads it; ``version`` 0 for one not written yet."""

    id: str
    learner_id: str
    course_id: int | None
    exercise_id: int | None
    expression: str
    variable: str
    state: Mapping[str, Any]
    version: int
    message_count: int
    updated_at: datetime | None  # when its last turn was written: the tutor's last words

    @classmethod
    def new(cls, id: str, learner_id: str, course_id: int | None) -> ConversationRecord:
        return cls(id=id, learner_id=learner_id, course_id=course_id, exercise_id=None, expression="",
                   variable="x", state={}, version=0, message_count=0, updated_at=None)


def read_conversation_for_turn(session: Session, conversation_id: str) -> ConversationRecord | None:
    """The conversation's row, or ``None``, locked until commit where the database can."""
    row = session.connection().execute(_READ_CONVERSATION_FOR_TURN,
                                       {"conversation_id": conversation_id}).one_or_none()
    return None if row is None else ConversationRecord(**row._mapping)


def read_mastery(session: Session, learner_id: str) -> dict[str, float]:
    """The learner's mastery probabilities by skill (skills never practised are absent)."""
    rows = session.connection().execute(_READ_MASTERY, {"learner_id": learner_id})
    return {skill: probability for skill, probability in rows}


def record_turn(session: Session, conversation: ConversationRecord, turn: Turn,
                text: str | None) -> list[dict[str, Any]]:
    """Write the turn's rows in the session's transaction and move the conversation on.

    ``conversation`` is the row as read at the start of the turn and
    ``text`` the learner's message (``None`` when the tutor speaks first, in
    a new conversation). Returns the tutor's reply messages as rows (with
    their positions), in order. Raises ``StaleDataError`` when another turn
    moved the conversation on since it was read; the caller rolls back and
    runs the turn again.
    """
    connection = session.connection()
    now = utcnow()  # one timestamp for the turn: its rows were written together
    rows = _messages(conversation, turn, text, now)
    exercise_id = _exercise_id(session, conversation, turn)
    _save_conversation(connection, conversation, turn, exercise_id, len(rows), now)
    latency_ms = _milliseconds_between(conversation.updated_at, now)
    attempts = [_attempt(conversation, exercise_id, event, latency_ms)
                for event in turn.events if isinstance(event, AttemptRecorded)]
    outbox = [_outbox(conversation, event, now) for event in turn.events if type(event) in OUTBOX_EVENTS]
    for statement, values in ((_INSERT_MESSAGES, rows), (_INSERT_ATTEMPTS, attempts), (_INSERT_OUTBOX, outbox)):
        if values:
            connection.execute(statement, values)
    count_attempts(session, attempts)  # the dashboards' per-conversation sums
    _save_mastery(connection, conversation.learner_id, turn, now)
    return [row for row in rows if row["role"] == "tutor"]


def _messages(conversation: ConversationRecord, turn: Turn, text: str | None,
              now: datetime) -> list[dict[str, Any]]:
    """The turn's message rows: the learner's (if any), then the tutor's replies."""
    rows: list[dict[str, Any]] = []
    if text is not None:
        verdict = turn.verdict.to_dict() if turn.verdict is not None else None
        rows.append({"role": "learner", "kind": LEARNER_ANSWER if verdict else LEARNER_TEXT,
                     "text": text, "payload": {"verdict": verdict} if verdict else {}})
    rows.extend({"role": "tutor", "kind": reply.kind, "text": reply.text,
                 "payload": _maths(reply.to_dict())} for reply in turn.replies)
    for offset, row in enumerate(rows):
        row.update(conversation_id=conversation.id, position=conversation.message_count + offset,
                   created_at=now)
    return rows


def _maths(shaped: dict[str, Any]) -> dict[str, Any]:
    """The extras of a tutor message worth keeping beside its text."""
    return {key: shaped[key] for key in ("latex", "mathml", "derivative") if key in shaped}


def _save_conversation(connection: sa.Connection, conversation: ConversationRecord, turn: Turn,
                       exercise_id: int | None, new_messages: int, now: datetime) -> None:
    """Insert the new conversation, or move it on if nobody else did since it was read."""
    state = turn.state
    moved = {
        "expression": state.expression if state.expression is not None else conversation.expression,
        "variable": state.variable if state.expression is not None else conversation.variable,
        "exercise_id": exercise_id, "state": state.to_dict(),
        "status": "solved" if state.solved else "active",
        "message_count": conversation.message_count + new_messages, "updated_at": now,
    }
    if conversation.version == 0:
        connection.execute(_INSERT_CONVERSATION, {
            "id": conversation.id, "learner_id": conversation.learner_id,
            "course_id": conversation.course_id, "version": 1, "created_at": now, **moved})
        return
    result = connection.execute(_MOVE_CONVERSATION, {
        "conversation_id": conversation.id, "read_version": conversation.version,
        **{f"new_{name}": value for name, value in moved.items()}})
    if result.rowcount != 1:
        raise StaleDataError(f"conversation {conversation.id} moved on since version {conversation.version}")


def _exercise_id(session: Session, conversation: ConversationRecord, turn: Turn) -> int | None:
    """The bank exercise the conversation is now on (looked up only when it changed)."""
    slug = turn.state.exercise_slug
    if slug == conversation.state.get("exercise_slug") and (slug is None or conversation.exercise_id is not None):
        return conversation.exercise_id
    if slug is None:
        return None
    return session.connection().scalar(sa.select(Exercise.id).where(Exercise.slug == slug))


def _attempt(conversation: ConversationRecord, exercise_id: int | None, event: AttemptRecorded,
             latency_ms: int | None) -> dict[str, Any]:
    return {
        "learner_id": conversation.learner_id, "conversation_id": conversation.id,
        "exercise_id": exercise_id, "course_id": conversation.course_id,
        "step": event.step, "answer": event.answer, "correct": event.correct,
        "misconception": event.misconception, "skill": event.skill, "latency_ms": latency_ms,
        "hints_used": event.hints_used,
    }


def _outbox(conversation: ConversationRecord, event: Event, now: datetime) -> dict[str, Any]:
    payload = {**event.to_dict(), "conversation_id": conversation.id,
               "course_id": conversation.course_id}
    return {"type": type(event).__name__, "learner_id": conversation.learner_id, "payload": payload,
            "created_at": now}


def _save_mastery(connection: sa.Connection, learner_id: str, turn: Turn, now: datetime) -> None:
    """Upsert the mastery rows the turn touched: moved probabilities, counted attempts.

    One statement for all of them. Attempts are added in the database, so
    two turns of one learner (in two conversations) both count; the
    probability is the engine's, computed from the value read at the start
    of the turn, and the later turn's value stands.
    """
    practised: dict[str, int] = {}
    for event in turn.events:
        if isinstance(event, AttemptRecorded):
            for skill in dict.fromkeys(event.skills):
                practised[skill] = practised.get(skill, 0) + 1
    moved = {event.skill for event in turn.events if isinstance(event, MasteryChanged)}
    rows = [{"learner_id": learner_id, "skill": skill, "attempts": practised.get(skill, 0),
             "probability": turn.mastery.get(skill, DEFAULT_PARAMS.p_init), "updated_at": now}
            for skill in sorted(moved | set(practised))]
    if rows:
        statement = upsert(connection.dialect.name, _mastery, ("learner_id", "skill"),
                           add=("attempts",), replace=("probability", "updated_at"))
        connection.execute(statement, rows)


def _milliseconds_between(earlier: datetime | None, later: datetime) -> int | None:
    if earlier is None:
        return None
    return max(0, round((later - earlier).total_seconds() * 1000))
