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
On PostgreSQL, where each statement is a round trip, the reads are one
statement and the writes another (:mod:`service.usecases.postgres_turn`).
"""

from __future__ import annotations

import functools
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
    MisconceptionBelief,
    OutboxEvent,
    ProblemRecord,
    utcnow,
)
from service.tutor.engine import Turn
from service.tutor.events import (
    AttemptRecorded, Event, MasteryChanged, ProblemSolved,
)
from service.tutor.mastery import DEFAULT_PARAMS
from service.tutor.learner_model import LearnerModel
from service.usecases import postgres_turn
from service.usecases.course_models import CourseModelUpdate, course_beliefs, course_mastery, read_course_model
from service.usecases.dashboard.problem_summaries import (
    PROBLEM_SUMMARIES,
    delete_emptied,
    problem_summary_rows,
    problem_sums,
)
from service.usecases.dashboard.summaries import ATTEMPT_SUMMARIES
from service.usecases.outcomes import problem_rows
from service.usecases.upserts import RowTable

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
_CONVERSATION_COLUMNS = (
    _conversations.c.id, _conversations.c.learner_id, _conversations.c.course_id,
    _conversations.c.exercise_id, _conversations.c.expression, _conversations.c.variable,
    _conversations.c.state, _conversations.c.version, _conversations.c.message_count,
    _conversations.c.updated_at, _conversations.c.status,
)
_READ_CONVERSATION_FOR_TURN = sa.select(*_CONVERSATION_COLUMNS).where(
    _conversations.c.id == sa.bindparam("conversation_id")).with_for_update()
_READ_CONVERSATION_AND_MASTERY_FOR_TURN = sa.select(
    *_CONVERSATION_COLUMNS, postgres_turn.mastery_column(_conversations.c.learner_id).label("mastery"),
    postgres_turn.beliefs_column(_conversations.c.learner_id).label("beliefs"),
    postgres_turn.course_mastery_column(_conversations.c.course_id, _conversations.c.learner_id).label("course_mastery"),
    postgres_turn.course_beliefs_column(_conversations.c.course_id, _conversations.c.learner_id).label("course_beliefs"),
).where(_conversations.c.id == sa.bindparam("conversation_id")).with_for_update(of=_conversations)

_MOVED_COLUMNS = ("expression", "variable", "exercise_id", "state", "status", "message_count", "updated_at")
_MOVE_CONVERSATION = (
    sa.update(_conversations)
    .where(_conversations.c.id == sa.bindparam("conversation_id"),
           _conversations.c.version == sa.bindparam("read_version"))
    .values(version=_conversations.c.version + 1,
            **{name: sa.bindparam(f"new_{name}", type_=_conversations.c[name].type) for name in _MOVED_COLUMNS})
)
_INSERT_CONVERSATION = sa.insert(_conversations).values(
    id=sa.bindparam("conversation_id"), learner_id=sa.bindparam("conversation_learner_id"),
    course_id=sa.bindparam("conversation_course_id"), version=1,
    created_at=sa.bindparam("new_updated_at", type_=_conversations.c.created_at.type),
    **{name: sa.bindparam(f"new_{name}", type_=_conversations.c[name].type) for name in _MOVED_COLUMNS})
# The same two as CTEs of PostgreSQL's one write statement, which counts the rows they return.
_INSERT_CONVERSATION_RETURNING = _INSERT_CONVERSATION.returning(_conversations.c.id)
_MOVE_CONVERSATION_RETURNING = _MOVE_CONVERSATION.returning(_conversations.c.id)
# Every table a turn writes to besides conversations, by the name of its rows
# in record_turn.
ROW_TABLES: dict[str, RowTable] = {
    "messages": RowTable(Message.__table__, None),  # type: ignore[arg-type]
    "attempts": RowTable(Attempt.__table__, None),  # type: ignore[arg-type]
    "outbox": RowTable(OutboxEvent.__table__, None),  # type: ignore[arg-type]
    "mastery": RowTable(_mastery, ("learner_id", "skill"), add=("attempts",), replace=("probability", "updated_at")),
    "problems": RowTable(ProblemRecord.__table__, ("conversation_id", "position"),  # type: ignore[arg-type]
                         replace=("outcome", "updated_at")),
    "beliefs": RowTable(MisconceptionBelief.__table__, ("learner_id", "misconception"),  # type: ignore[arg-type]
                        replace=("probability", "updated_at")),
    "course_mastery": RowTable(course_mastery, ("course_id", "learner_id", "skill"), add=("attempts",),
                               replace=("probability", "updated_at")),
    "course_beliefs": RowTable(course_beliefs, ("course_id", "learner_id", "misconception"),
                               replace=("probability", "updated_at")),
    # The dashboards' summaries of the attempts (dashboard.summaries), by table name.
    **{row_table.table.name: row_table for row_table, _ in ATTEMPT_SUMMARIES},
    # The exercise page's sums per problem (dashboard.problem_summaries), by table name.
    **{row_table.table.name: row_table for row_table in PROBLEM_SUMMARIES},
}
_beliefs: sa.Table = MisconceptionBelief.__table__  # type: ignore[assignment]
_READ_BELIEFS = sa.select(_beliefs.c.misconception, _beliefs.c.probability).where(
    _beliefs.c.learner_id == sa.bindparam("learner_id"))
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
    status: str = ""  # the outcome of its current problem, as stored

    @classmethod
    def new(cls, id: str, learner_id: str, course_id: int | None) -> ConversationRecord:
        return cls(id=id, learner_id=learner_id, course_id=course_id, exercise_id=None, expression="",
                   variable="x", state={}, version=0, message_count=0, updated_at=None)


@dataclass(frozen=True)
class TurnRead:
    """What a turn reads: the conversation's row, its learner's mastery and misconception beliefs,
    and the course's copy of them (None for a conversation outside any course)."""

    conversation: ConversationRecord
    mastery: dict[str, float]
    beliefs: dict[str, float]
    course_model: LearnerModel | None = None


def read_conversation_for_turn(session: Session, conversation_id: str) -> TurnRead | None:
    """The conversation's row, locked until commit where the database can, and its learner's models.

    ``None`` when there is no such conversation. On PostgreSQL one statement.
    """
    connection = session.connection()
    params = {"conversation_id": conversation_id}
    if connection.dialect.name == "postgresql":
        row = connection.execute(_READ_CONVERSATION_AND_MASTERY_FOR_TURN, params).one_or_none()
        if row is None:
            return None
        *columns, mastery, beliefs, in_course_mastery, in_course_beliefs = row
        record = ConversationRecord(*columns)
        course_model = (None if record.course_id is None
                        else LearnerModel(dict(in_course_mastery or {}), dict(in_course_beliefs or {})))
        return TurnRead(record, dict(mastery or {}), dict(beliefs or {}), course_model)
    row = connection.execute(_READ_CONVERSATION_FOR_TURN, params).one_or_none()
    if row is None:
        return None
    record = ConversationRecord(*row)
    course_model = None if record.course_id is None else read_course_model(session, record.course_id,
                                                                            record.learner_id)
    return TurnRead(record, read_mastery(session, row.learner_id), read_beliefs(session, row.learner_id),
                    course_model)


def read_mastery(session: Session, learner_id: str) -> dict[str, float]:
    """The learner's mastery probabilities by skill (skills never practised are absent)."""
    rows = session.connection().execute(_READ_MASTERY, {"learner_id": learner_id})
    return {skill: probability for skill, probability in rows}


def record_turn(session: Session, conversation: ConversationRecord, turn: Turn,
                text: str | None, course_update: CourseModelUpdate | None = None) -> list[dict[str, Any]]:
    """Write the turn's rows in the session's transaction and move the conversation on.

    ``conversation`` is the row as read at the start of the turn and
    ``text`` the learner's message (``None`` when the tutor speaks first, in
    a new conversation); ``course_update`` the turn's evidence traced into
    the course's copy of the learner model. Returns the tutor's reply messages as rows (with
    their positions), in order. Raises ``StaleDataError`` when another turn
    moved the conversation on since it was read; the caller rolls back and
    runs the turn again.
    """
    connection = session.connection()
    now = utcnow()  # one timestamp for the turn: its rows were written together
    messages = _messages(conversation, turn, text, now)
    exercise_id = _exercise_id(session, conversation, turn)
    latency_ms = _milliseconds_between(conversation.updated_at, now)
    attempts = [_attempt(conversation, exercise_id, event, latency_ms, now)
                for event in turn.events if isinstance(event, AttemptRecorded)]
    rows = {
        "messages": messages,
        "attempts": attempts,
        "outbox": [_outbox(conversation, event, now) for event in _outbox_events(turn, course_update)],
        "mastery": _mastery_rows(conversation.learner_id, turn, now),
        "problems": problem_rows(conversation.id, conversation.learner_id,
                                 len(conversation.state.get("seen") or ()), conversation.status, turn, now),
        "beliefs": _belief_rows(conversation.learner_id, turn, now),
        "course_mastery": course_update.mastery_rows(conversation.learner_id, now) if course_update else [],
        "course_beliefs": course_update.belief_rows(conversation.learner_id, now) if course_update else [],
        # The dashboards' summaries of the attempts: per conversation, misconception, day and skill.
        **{row_table.table.name: rows_of(attempts) for row_table, rows_of in ATTEMPT_SUMMARIES},
    }
    values = _conversation_values(conversation, turn, exercise_id, len(messages), now)
    sums = problem_sums(connection, conversation.id, conversation.learner_id, conversation.course_id,
                        (conversation.expression, conversation.exercise_id), (values["new_expression"], exercise_id),
                        attempts)
    rows.update(problem_summary_rows(sums))
    if connection.dialect.name == "postgresql":
        statement = _MOVE_CONVERSATION_RETURNING if conversation.version else _INSERT_CONVERSATION_RETURNING
        written = postgres_turn.write_turn(connection, statement, values, ROW_TABLES, rows)
    else:
        written = _write_each(connection, conversation, values, rows)
    if written != 1:
        raise StaleDataError(f"conversation {conversation.id} moved on since version {conversation.version}")
    delete_emptied(connection, sums)  # a move's emptied rows, so that each row is one learner
    return [row for row in messages if row["role"] == "tutor"]


def _write_each(connection: sa.Connection, conversation: ConversationRecord, values: dict[str, Any],
                rows: dict[str, list[dict[str, Any]]]) -> int:
    """One statement per table; how many conversation rows were written (0: its version moved on)."""
    written = connection.execute(_MOVE_CONVERSATION if conversation.version else _INSERT_CONVERSATION,
                                 values).rowcount
    if written != 1:
        return written  # moved on since it was read: the turn is redone, nothing more to write
    for name, table_rows in rows.items():
        if table_rows:
            connection.execute(_rows_statement(connection.dialect.name, name), table_rows)
    return written


@functools.cache
def _rows_statement(dialect: str, name: str) -> sa.Executable:
    """The INSERT or upsert of :data:`ROW_TABLES` ``name``, built once per database."""
    return ROW_TABLES[name].statement(dialect)


def _messages(conversation: ConversationRecord, turn: Turn, text: str | None,
              now: datetime) -> list[dict[str, Any]]:
    """The turn's message rows: the learner's (if any), then the tutor's replies."""
    rows: list[dict[str, Any]] = []
    if text is not None:
        verdict = turn.verdict.to_dict() if turn.verdict is not None else None
        payload: dict[str, Any] = {"verdict": verdict} if verdict else {}
        if turn.reading is not None:  # how the message was read, so every reply is traceable
            payload["reading"] = turn.reading.to_dict()
        rows.append({"role": "learner", "kind": LEARNER_ANSWER if verdict else LEARNER_TEXT,
                     "text": text, "payload": payload})
    rows.extend({"role": "tutor", "kind": reply.kind, "text": reply.text,
                 "payload": _maths(reply.to_dict())} for reply in turn.replies)
    for offset, row in enumerate(rows):
        row.update(conversation_id=conversation.id, position=conversation.message_count + offset,
                   created_at=now)
    return rows


def _maths(shaped: dict[str, Any]) -> dict[str, Any]:
    """The extras of a tutor message worth keeping beside its text."""
    return {key: shaped[key] for key in ("latex", "mathml", "derivative") if key in shaped}


def _conversation_values(conversation: ConversationRecord, turn: Turn, exercise_id: int | None,
                         new_messages: int, now: datetime) -> dict[str, Any]:
    """The parameters of :data:`_INSERT_CONVERSATION` and :data:`_MOVE_CONVERSATION` for this turn."""
    state = turn.state
    moved = {
        "expression": state.expression if state.expression is not None else conversation.expression,
        "variable": state.variable if state.expression is not None else conversation.variable,
        "exercise_id": exercise_id, "state": state.to_dict(),
        "status": state.outcome.value,
        "message_count": conversation.message_count + new_messages, "updated_at": now,
    }
    return {"conversation_id": conversation.id, "read_version": conversation.version,
            "conversation_learner_id": conversation.learner_id, "conversation_course_id": conversation.course_id,
            **{f"new_{name}": value for name, value in moved.items()}}


def _exercise_id(session: Session, conversation: ConversationRecord, turn: Turn) -> int | None:
    """The bank exercise the conversation is now on (looked up only when it changed)."""
    slug = turn.state.exercise_slug
    if slug == conversation.state.get("exercise_slug") and (slug is None or conversation.exercise_id is not None):
        return conversation.exercise_id
    if slug is None:
        return None
    return session.connection().scalar(sa.select(Exercise.id).where(Exercise.slug == slug))


def _attempt(conversation: ConversationRecord, exercise_id: int | None, event: AttemptRecorded,
             latency_ms: int | None, now: datetime) -> dict[str, Any]:
    return {
        "learner_id": conversation.learner_id, "conversation_id": conversation.id,
        "exercise_id": exercise_id, "course_id": conversation.course_id,
        "step": event.step, "answer": event.answer, "correct": event.correct,
        "misconception": event.misconception, "skill": event.skill, "latency_ms": latency_ms,
        "hints_used": event.hints_used, "created_at": now,
    }


def _outbox_events(turn: Turn, course_update: CourseModelUpdate | None) -> list[Event]:
    """The events the LMS hears of; in a course, mastery moves are the course copy's, not the learner's."""
    events = [event for event in turn.events if type(event) in OUTBOX_EVENTS]
    if course_update is None:
        return events
    return [event for event in events if not isinstance(event, MasteryChanged)] + course_update.mastery_changes()


def _outbox(conversation: ConversationRecord, event: Event, now: datetime) -> dict[str, Any]:
    # The problem worked on, for events that do not name it themselves (a
    # mastery change): webhook receivers get it with every event.
    payload = {"expression": conversation.expression, "variable": conversation.variable,
               **event.to_dict(), "conversation_id": conversation.id, "course_id": conversation.course_id}
    return {"type": type(event).__name__, "learner_id": conversation.learner_id, "payload": payload,
            "created_at": now}


def _mastery_rows(learner_id: str, turn: Turn, now: datetime) -> list[dict[str, Any]]:
    """The mastery rows the turn touched: moved probabilities, counted opportunities.

    They are upserted, all in one statement. ``attempts`` counts the skill's
    BKT observations (model tracing's opportunities: a step's first attempt,
    a shown solution), added in the database, so two turns of one learner
    (in two conversations) both count; a skill with none is not assessed.
    The probability is the engine's, computed from the value read at the
    start of the turn, and the later turn's value stands.
    """
    moved = {event.skill for event in turn.events if isinstance(event, MasteryChanged)}
    return [{"learner_id": learner_id, "skill": skill, "attempts": turn.opportunities.get(skill, 0),
             "probability": turn.mastery.get(skill, DEFAULT_PARAMS.p_init), "updated_at": now}
            for skill in sorted(moved | set(turn.opportunities))]


def _belief_rows(learner_id: str, turn: Turn, now: datetime) -> list[dict[str, Any]]:
    """The learner's misconception probabilities, written when the turn observed an attempt."""
    if not any(isinstance(event, AttemptRecorded) for event in turn.events):
        return []
    return [{"learner_id": learner_id, "misconception": name, "probability": probability, "updated_at": now}
            for name, probability in sorted(turn.misconceptions.items())]


def read_beliefs(session: Session, learner_id: str) -> dict[str, float]:
    """The learner's misconception probabilities (misconceptions never assessed are absent)."""
    rows = session.connection().execute(_READ_BELIEFS, {"learner_id": learner_id})
    return {name: probability for name, probability in rows}


def _milliseconds_between(earlier: datetime | None, later: datetime) -> int | None:
    if earlier is None:
        return None
    return max(0, round((later - earlier).total_seconds() * 1000))
