"""What one tutor turn writes, on each database (SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set): SQLite runs a statement per table, PostgreSQL one
statement for all the writes (service.usecases.postgres_turn). Both must
leave the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm.exc import StaleDataError

from service.extensions import db
from service.models import Attempt, Conversation, Mastery, Message, OutboxEvent
from service.tutor.engine import ConversationState, respond
from service.usecases.tutor_context import build_context
from service.usecases.turn_records import read_conversation_for_turn, record_turn
from tests.integration.test_conversation_persistence import new_learner, say, start


@contextmanager
def statements_run(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs inside the block."""
    run: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        run.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield run
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def test_a_turn_writes_its_messages_attempts_events_and_mastery_together(app: Flask) -> None:
    learner = new_learner(app)
    conversation = start(app, learner)
    say(app, learner, conversation, "u = 2x + 1")
    say(app, learner, conversation, "hi")  # no attempt: nothing but messages and the conversation
    with app.app_context():
        session = db.session
        messages = session.scalars(sa.select(Message).where(Message.conversation_id == conversation)
                                   .order_by(Message.position)).all()
        attempts = session.scalars(sa.select(Attempt)).all()
        events = session.scalars(sa.select(OutboxEvent).order_by(OutboxEvent.id)).all()
        mastery = session.scalars(sa.select(Mastery).where(Mastery.learner_id == learner.id)).all()
        row = session.get(Conversation, conversation)

    assert [m.position for m in messages] == list(range(len(messages))) and row.message_count == len(messages)
    answer = next(m for m in messages if m.text == "u = 2x + 1")
    assert answer.kind == "answer" and answer.payload["verdict"]["correct"] is True
    assert next(m for m in messages if m.text == "hi").kind == "text"
    assert row.version == 3 and row.updated_at == messages[-1].created_at

    [attempt] = attempts
    assert (attempt.step, attempt.answer, attempt.correct, attempt.skill) == (
        "u", "2x + 1", True, "identify_functions")
    assert attempt.created_at == answer.created_at and attempt.latency_ms is not None
    assert attempt.learner_id == learner.id and attempt.conversation_id == conversation

    assert [event.type for event in events][:2] == ["AttemptRecorded", "MasteryChanged"]
    assert {event.type for event in events} == {"AttemptRecorded", "MasteryChanged"}
    assert all(event.payload["conversation_id"] == conversation and event.attempts == 0
               and event.delivered_at is None for event in events)

    [identify] = [m for m in mastery if m.skill == "identify_functions"]
    # BKT from p_init 0.2 after one right answer: 0.18 / 0.34, then learning 0.15 of the rest.
    assert identify.attempts == 1 and identify.probability == pytest.approx(0.6)


def test_a_message_turn_on_postgresql_is_one_read_and_one_write(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite runs in the process: a statement per table costs microseconds there")
    learner = new_learner(app)
    conversation = start(app, learner)
    say(app, learner, conversation, "hi")  # the token is checked and trusted from here on
    with statements_run(app) as run:
        say(app, learner, conversation, "u = 2x + 1")
    assert len(run) == 2, run
    assert run[0].startswith("SELECT") and "FOR UPDATE OF conversations" in run[0]
    assert run[1].startswith("WITH") and "INSERT INTO attempts" in run[1] and "UPDATE conversations" in run[1]
    # psycopg keeps a statement's parsed form only up to 4096 characters; this
    # one, writing to every table, is the longest a turn sends.
    assert len(run[1]) <= 4096


def test_a_turn_computed_on_a_stale_read_writes_nothing(app: Flask) -> None:
    learner = new_learner(app)
    conversation = start(app, learner)
    with app.app_context():
        session = db.session
        read = read_conversation_for_turn(session, conversation)
        stale, mastery = read.conversation, read.mastery
        session.rollback()  # let the other turn through (PostgreSQL holds the row lock until then)
        say(app, learner, conversation, "hi")
        turn = respond(ConversationState.from_dict(stale.state), "u = 2x + 1",
                       build_context(session, learner.id, mastery, conversation))
        with pytest.raises(StaleDataError):
            record_turn(session, stale, turn, "u = 2x + 1")
        session.rollback()
        assert session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 0
        texts = session.scalars(sa.select(Message.text).where(Message.role == "learner")).all()
    assert texts == ["hi"]
