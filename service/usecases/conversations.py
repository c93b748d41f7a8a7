"""Tutoring conversations: start one, post a message, read one, list a learner's.

Each turn runs the pure engine (:mod:`service.tutor.engine`) between a read
and one commit: the conversation's state, the learner's mastery and the
context are read, the engine computes the turn, and
:func:`service.usecases.turn_records.record_turn` adds every row the turn
produced; one commit writes them all or none.

Two messages posted at once on one conversation must neither lose nor
duplicate a turn. The conversation row is read ``FOR UPDATE`` (PostgreSQL
then serialises the two turns; SQLite ignores the clause), its ``version``
counter makes a write based on a stale read fail with ``StaleDataError``,
and message positions are unique per conversation, so the loser of a race
fails at commit. It then rolls back and runs the whole turn again on the
fresh state, a few times, before giving up with :class:`Conflict` (409).

A start or a message sent with an idempotency key
(:mod:`service.usecases.idempotency`) stores its reply in the same
transaction; the same request sent again returns that reply, and a copy
racing the first loses at commit and then finds it.
"""

from __future__ import annotations

import random
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from service.calculus import ExpressionTooCostly
from service.compute import assess, is_heavy
from service.compute.turns import run_engine
from service.models import Conversation, Course, Enrolment, Message, new_public_id
from service.observability.metrics import observe_turn
from service.tutor.engine import ACTION_WORDS, Action, Turn, resume, start
from service.usecases.access import Principal, may_read_work, visible_learner, work_scope
from service.usecases.course_models import course_model_update, read_course_model
from service.usecases.errors import Conflict, NotFound
from service.usecases.idempotency import IdempotencyKey, remember, replay
from service.usecases.learners import normalise_code
from service.usecases.outcomes import abandon_open_problems
from service.usecases.turn_records import (
    ConversationRecord,
    read_beliefs,
    read_conversation_for_turn,
    read_mastery,
    record_turn,
)
from service.usecases.tutor_context import build_context

MAX_TRIES = 5


@dataclass(frozen=True)
class MessageView:
    """One message of a transcript (``verdict`` on the learner's checked answers)."""

    position: int
    role: str
    kind: str
    text: str
    latex: str | None = None
    mathml: str | None = None
    derivative: str | None = None
    verdict: dict[str, Any] | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class TurnView:
    """A turn's outcome: the tutor's replies, the new state, the verdict if any."""

    id: str
    messages: list[MessageView]
    state: dict[str, Any]
    verdict: dict[str, Any] | None = None
    # True when this is the stored reply to an earlier request with the same idempotency key.
    replayed: bool = False
    # False when nothing was written (the maths was over its budget, or its lane busy):
    # such a reply is not kept under the idempotency key, so a resend is a fresh try.
    recorded: bool = True


@dataclass(frozen=True)
class ConversationView:
    """A whole conversation: its transcript in order and its state."""

    id: str
    learner_id: str
    course_id: int | None
    expression: str
    variable: str
    status: str
    state: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    messages: list[MessageView]


@dataclass(frozen=True)
class ConversationSummary:
    """One line of a learner's list of conversations."""

    id: str
    expression: str
    variable: str
    status: str
    step: str | None
    created_at: datetime
    updated_at: datetime


@observe_turn("start")
def start_conversation(session: Session, learner_id: str, expression: str | None = None,
                       variable: str | None = None, course_id: int | None = None,
                       course_code: str | None = None, *,
                       idempotency: IdempotencyKey | None = None) -> TurnView:
    """Start a conversation: the tutor greets and asks the first question.

    With no ``expression`` the tutor picks a problem for the learner's
    weakest skill. ``course_id`` (or ``course_code``, the join code a widget
    carries) files the conversation and its attempts under that course (the
    learner must be enrolled in it); by default, under the course the
    learner joined last, if any. Only that course's instructor reads them. An unreadable expression raises
    the core's ``ExpressionError``; :class:`NotFound` for a course the
    learner is not in.
    """
    for _ in range(MAX_TRIES):
        try:
            if (stored := replay(session, learner_id, idempotency)) is not None:
                return turn_view_from_reply(stored)
            view = _start_once(session, learner_id, expression, variable, course_id, course_code)
            remember(session, learner_id, idempotency, asdict(view), purge=True)
            session.commit()
            return view
        except IntegrityError:
            session.rollback()
            if idempotency is None:
                raise
            # A copy of this request, sent with the same key, committed first: answer with its reply.
    raise Conflict("The conversation could not be started; send the request again.")


def _start_once(session: Session, learner_id: str, expression: str | None, variable: str | None,
                course_id: int | None, course_code: str | None) -> TurnView:
    course_id = _course_of(session, learner_id, course_id, course_code)
    mastery = read_mastery(session, learner_id)
    abandon_open_problems(session, learner_id)
    context = build_context(session, learner_id, mastery, misconceptions=read_beliefs(session, learner_id))
    # Within the compute budget (service.compute); over it, ExpressionTooCostly (a 422).
    turn = run_engine(start, context, expression, variable, heavy=is_heavy(expression))
    conversation = ConversationRecord.new(new_public_id(), learner_id, course_id)
    course_model = read_course_model(session, course_id, learner_id) if course_id is not None else None
    replies = record_turn(session, conversation, turn, None,
                          course_model_update(course_id, course_model, turn, context.params))
    return _turn_view(conversation.id, turn, replies)


@observe_turn("message")
def post_message(session: Session, learner_id: str, conversation_id: str, text: str, *,
                 action: str | None = None, idempotency: IdempotencyKey | None = None) -> TurnView:
    """The learner ``learner_id`` says ``text`` (or presses ``action``) in its conversation.

    An action (:class:`service.tutor.engine.Action`) is handled as asking for
    it in words; the transcript keeps it as the words it stands for.

    Raises :class:`NotFound` when the conversation does not exist or is
    another learner's, and :class:`Conflict` when concurrent messages kept
    winning the race :data:`MAX_TRIES` times. With ``idempotency``, a
    message already answered under that key gets its stored reply.
    """
    for attempt in range(1, MAX_TRIES + 1):
        try:
            if (stored := replay(session, learner_id, idempotency)) is not None:
                return turn_view_from_reply(stored)
            view = _post_once(session, learner_id, conversation_id, text, action)
            if view.recorded:
                remember(session, learner_id, idempotency, asdict(view))
            session.commit()
            return view
        except (StaleDataError, IntegrityError):
            # Another turn was written since we read the state: redo ours on top of it.
            session.rollback()
            time.sleep(random.uniform(0, 0.004 * attempt))  # de-synchronise the racers
    raise Conflict("The conversation kept changing while your message was being answered; send it again.")


def _post_once(session: Session, learner_id: str, conversation_id: str, text: str,
               action: str | None) -> TurnView:
    read = read_conversation_for_turn(session, conversation_id)
    if read is None or read.conversation.learner_id != learner_id:
        raise NotFound(f"There is no conversation {conversation_id!r}.")
    conversation = read.conversation
    context = build_context(session, learner_id, read.mastery, conversation.id, read.beliefs)
    cost = assess(text, conversation.expression)
    if cost.refusal is not None:  # refused by the core's estimate, before any work
        return _too_costly_view(conversation, cost.refusal)
    # resume reads the stored state (upgrading old versions); an action is a plain
    # keyword argument, bound with partial so that the move stays picklable.
    move = partial(resume, action=action) if action is not None else resume
    try:
        turn = run_engine(move, conversation.state, text, context, heavy=cost.heavy)
    except ExpressionTooCostly as error:  # over the compute budget, or its lane busy
        return _too_costly_view(conversation, error.message)
    said = ACTION_WORDS[Action(action)] if action is not None else text
    replies = record_turn(session, conversation, turn, said,
                          course_model_update(conversation.course_id, read.course_model, turn, context.params))
    return _turn_view(conversation.id, turn, replies)


def _too_costly_view(conversation: ConversationRecord, reason: str) -> TurnView:
    """A turn whose maths is too costly, or whose work ran over its budget: a friendly word, nothing written.

    The conversation stays as it was (no message, attempt or state change
    is recorded), so the learner can simply say something else.
    """
    text = (f"Sorry, I couldn't work that out: {reason}. "
            "Your conversation is unchanged; send another answer or ask for a hint.")
    reply = MessageView(position=conversation.message_count, role="tutor", kind="info", text=text)
    return TurnView(id=conversation.id, messages=[reply], state=dict(conversation.state), recorded=False)


def get_conversation(session: Session, principal: Principal, conversation_id: str) -> ConversationView:
    """The whole conversation, for its learner or the instructor of the course it is filed under.

    Anyone else gets :class:`NotFound`, as for a conversation that does not
    exist: a conversation's id says nothing about whose it is. An
    instructor of the learner's other course is "anyone else".
    """
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not may_read_work(session, principal, conversation.learner_id,
                                                 conversation.course_id):
        raise NotFound(f"There is no conversation {conversation_id!r}.")
    messages = session.scalars(
        sa.select(Message).where(Message.conversation_id == conversation.id).order_by(Message.position))
    return ConversationView(
        id=conversation.id, learner_id=conversation.learner_id, course_id=conversation.course_id,
        expression=conversation.expression, variable=conversation.variable,
        status=conversation.status, state=dict(conversation.state or {}),
        created_at=conversation.created_at, updated_at=conversation.updated_at,
        messages=[message_view(message) for message in messages],
    )


def list_conversations(session: Session, principal: Principal, learner_id: str) -> list[ConversationSummary]:
    """The learner's conversations, most recently active first.

    For the learner itself (all of them) or an instructor of its courses
    (those filed under the instructor's courses; see
    :func:`service.usecases.access.work_scope`).
    """
    learner = visible_learner(session, principal, learner_id)
    rows = session.scalars(
        sa.select(Conversation)
        .where(Conversation.learner_id == learner.id, work_scope(principal, Conversation.course_id))
        .order_by(Conversation.updated_at.desc(), Conversation.id))
    return [
        ConversationSummary(id=row.id, expression=row.expression, variable=row.variable,
                            status=row.status, step=(row.state or {}).get("step"),
                            created_at=row.created_at, updated_at=row.updated_at)
        for row in rows
    ]


def message_view(message: Message) -> MessageView:
    """A stored message as the transcript shows it."""
    payload = message.payload or {}
    return MessageView(
        position=message.position, role=message.role, kind=message.kind, text=message.text,
        latex=payload.get("latex"), mathml=payload.get("mathml"),
        derivative=payload.get("derivative"), verdict=payload.get("verdict"),
        created_at=message.created_at,
    )


def _turn_view(conversation_id: str, turn: Turn, replies: list[dict[str, Any]]) -> TurnView:
    verdict = turn.verdict.to_dict() if turn.verdict is not None else None
    messages = [MessageView(position=row["position"], role=row["role"], kind=row["kind"], text=row["text"],
                            created_at=row["created_at"], **row["payload"]) for row in replies]
    return TurnView(id=conversation_id, messages=messages, state=turn.state.to_dict(), verdict=verdict)


def turn_view_from_reply(reply: dict[str, Any]) -> TurnView:
    """A turn stored by :func:`service.usecases.idempotency.remember`, as it was returned then."""
    messages = [MessageView(**{**message, "created_at": _datetime(message.get("created_at"))})
                for message in reply["messages"]]
    return TurnView(id=reply["id"], messages=messages, state=reply["state"], verdict=reply.get("verdict"),
                    replayed=True)


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _course_of(session: Session, learner_id: str, course_id: int | None, course_code: str | None) -> int | None:
    """The course a new conversation is filed under (see :func:`start_conversation`)."""
    query = sa.select(Enrolment.course_id).where(Enrolment.learner_id == learner_id)
    if course_code is not None:
        named = session.scalar(query.join(Course, Course.id == Enrolment.course_id)
                               .where(Course.code == normalise_code(course_code)))
        if named is None:
            raise NotFound(f"You are not enrolled in a course with the code {course_code!r}.")
        return named
    if course_id is not None:
        if session.scalar(query.where(Enrolment.course_id == course_id)) is None:
            raise NotFound(f"You are not enrolled in a course with id {course_id}.")
        return course_id
    latest = query.join(Course, Course.id == Enrolment.course_id).order_by(
        Enrolment.created_at.desc(), Enrolment.id.desc()).limit(1)
    return session.scalar(latest)
