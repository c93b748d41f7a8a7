"""The dashboards' per-conversation summary stays exactly what the attempts say:
after real tutor turns, after a rolled-back turn, after migration 0003's
backfill of existing data, and through the pages that read it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from service.extensions import MIGRATIONS_DIR, db
from service.models import Attempt, ConversationStats
from service.models.summaries import CONVERSATION_STATS_COLUMNS
from service.usecases import dashboard as queries
from service.usecases import enrol_learner
from service.usecases.conversations import post_message, start_conversation
from service.usecases.dashboard.summaries import (
    count_attempts,
    rebuild_conversation_stats,
    stats_rows,
    summaries_answer,
)
from tests.factories import make_course, make_instructor, make_learner
from tests.integration.conftest import *

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]
LONG_AGO = date.today() - timedelta(days=3650)

# A learner's session with the tutor: wrong answers of two kinds, a hint,
# the right answer; then a new problem in the same conversation.
DIALOGUE = ["-6(2x+1)^2", "hint", "3(2x+1)^2", "dy/dx = 6(2x+1)^2",
            "differentiate sin(x^2)", "cos(x^2)", "2x cos(x^2)"]


def stored_stats(session: Session) -> dict[str, dict[str, Any]]:
    rows = session.scalars(sa.select(ConversationStats)).all()
    return {row.conversation_id: {"conversation_id": row.conversation_id, "learner_id": row.learner_id,
                                  "course_id": row.course_id, **{name: getattr(row, name) for name in CONVERSATION_STATS_COLUMNS}}
            for row in rows}


def stats_from_attempts(session: Session) -> dict[str, dict[str, Any]]:
    """The summary recomputed by hand (in Python) from every attempt row."""
    attempts = session.execute(sa.select(Attempt.conversation_id, Attempt.learner_id, Attempt.course_id,
                                         Attempt.correct, Attempt.hints_used, Attempt.latency_ms)).mappings().all()
    return {row["conversation_id"]: row for row in stats_rows(attempts)}


@pytest.fixture
def tutored(db_session: Session) -> tuple[int, int, list[str]]:
    """A course whose two learners talked with the tutor; (instructor, course, learners)."""
    teacher = make_instructor(db_session, email="t@example.org")
    course = make_course(db_session, teacher.id)
    learners = [make_learner(db_session, name, courses=(course.code,)).id for name in ("Ada", "Bob")]
    for learner in learners:
        conversation = start_conversation(db_session, learner, expression="(2x+1)^3").id
        for text in DIALOGUE:
            post_message(db_session, learner, conversation, text)
    # Bob also starts a second problem and gets it wrong once.
    second = start_conversation(db_session, learners[1], expression="e^(-x^2)").id
    post_message(db_session, learners[1], second, "e^(-x^2)")
    return teacher.id, course.id, learners


def test_tutor_turns_keep_the_summary_exact(db_session: Session, tutored: tuple[int, int, list[str]]) -> None:
    stored = stored_stats(db_session)
    assert stored == stats_from_attempts(db_session)
    assert len(stored) == 3
    totals = {name: sum(row[name] for row in stored.values()) for name in CONVERSATION_STATS_COLUMNS}
    # The dialogue really recorded wrong and right answers, so the sums are not trivially zero.
    assert totals["attempts"] == db_session.scalar(sa.select(sa.func.count()).select_from(Attempt))
    assert 0 < totals["correct"] < totals["attempts"]


def test_rebuilding_from_the_attempts_gives_the_same_rows(db_session: Session,
                                                          tutored: tuple[int, int, list[str]]) -> None:
    kept = stored_stats(db_session)
    assert rebuild_conversation_stats(db_session) == len(kept)
    db_session.commit()
    assert stored_stats(db_session) == kept


def test_a_rolled_back_turn_leaves_no_trace_in_the_summary(db_session: Session,
                                                           tutored: tuple[int, int, list[str]]) -> None:
    before = stored_stats(db_session)
    conversation_id, row = next(iter(before.items()))
    count_attempts(db_session, [{"conversation_id": conversation_id, "learner_id": row["learner_id"],
                                 "correct": True, "hints_used": 2, "latency_ms": 1_000}])
    assert stored_stats(db_session)[conversation_id]["attempts"] == row["attempts"] + 1
    db_session.rollback()
    assert stored_stats(db_session) == before


def test_the_summary_adds_to_what_is_there() -> None:
    rows = stats_rows([
        {"conversation_id": "a", "learner_id": "l", "course_id": 7, "correct": False, "hints_used": 1,
         "latency_ms": 9_999_999},
        {"conversation_id": "a", "learner_id": "l", "course_id": 7, "correct": True, "hints_used": 0,
         "latency_ms": 2_000},
        {"conversation_id": "b", "learner_id": "l", "correct": True, "hints_used": 0, "latency_ms": None},
    ])
    assert rows == [
        {"conversation_id": "a", "learner_id": "l", "course_id": 7, "attempts": 2, "correct": 1, "hints_used": 1,
         "latency_ms": 300_000 + 2_000, "timed_attempts": 2},
        {"conversation_id": "b", "learner_id": "l", "course_id": None, "attempts": 1, "correct": 1, "hints_used": 0,
         "latency_ms": 0, "timed_attempts": 0},
    ]


@pytest.mark.parametrize("search", [None, "bob"])
def test_pages_read_from_the_summary_agree_with_the_attempts(
        db_session: Session, tutored: tuple[int, int, list[str]], search: str | None) -> None:
    instructor, course, _ = tutored
    all_time = queries.DashboardFilter(course_id=course, search=search)
    # A date range that holds everything makes the pages read the attempts themselves.
    from_attempts = queries.DashboardFilter(course_id=course, search=search, since=LONG_AGO)
    assert summaries_answer(all_time) and not summaries_answer(from_attempts)
    page = queries.PageRequest()

    summary = queries.exercise_difficulty(db_session, instructor, all_time, page).exercises
    counted = queries.exercise_difficulty(db_session, instructor, from_attempts, page).exercises
    assert summary.items == counted.items and summary.total == counted.total
    # A problem is a conversation's (current) expression: both (2x+1)^3
    # conversations moved on to sin(x^2), and their attempts went with them.
    assert {row.expression for row in summary.items} == {"sin(x^2)", "e^(-x^2)"}

    overview = queries.course_overview(db_session, instructor, all_time)
    reference = queries.course_overview(db_session, instructor, from_attempts)
    assert (overview.attempts, overview.correct_attempts, overview.time_on_task_ms) == (
        reference.attempts, reference.correct_attempts, reference.time_on_task_ms)
    assert overview.attempts > 0


def test_a_learner_joining_a_second_course_brings_no_history_into_it(
        db_session: Session, tutored: tuple[int, int, list[str]]) -> None:
    """Work belongs to the course it was done in: joining another course shows none of it there."""
    instructor, course, learners = tutored
    other = make_course(db_session, instructor, "Calculus II")
    flt = queries.DashboardFilter(course_id=other.id)
    before = queries.course_overview(db_session, instructor, queries.DashboardFilter(course_id=course)).attempts
    enrol_learner(db_session, learners[0], other.code)
    overview = queries.course_overview(db_session, instructor, flt)
    assert overview.learners == 1 and overview.attempts == 0
    assert queries.course_overview(db_session, instructor, queries.DashboardFilter(course_id=course)).attempts \
        == before > 0


# Migration 0003's backfill -------------------------------------------------------------------

LEARNERS = sa.table("learners", sa.column("id"), sa.column("token_hash"))
CONVERSATIONS = sa.table("conversations", sa.column("id"), sa.column("learner_id"), sa.column("expression"),
                         sa.column("state", sa.JSON), sa.column("status"))
ATTEMPTS = sa.table("attempts", sa.column("learner_id"), sa.column("conversation_id"), sa.column("step"),
                    sa.column("answer"), sa.column("correct", sa.Boolean), sa.column("misconception"),
                    sa.column("skill"), sa.column("latency_ms"), sa.column("hints_used"))


def seed_before_0003(connection: sa.Connection) -> None:
    """Attempts written before the summary existed: two learners, three conversations."""
    connection.execute(sa.insert(LEARNERS), [{"id": f"l{i}", "token_hash": f"h{i}"} for i in (1, 2)])
    connection.execute(sa.insert(CONVERSATIONS), [
        {"id": f"c{i}", "learner_id": f"l{1 + i % 2}", "expression": "(2x+1)^3", "state": {}, "status": "active"}
        for i in (1, 2, 3)])
    connection.execute(sa.insert(ATTEMPTS), [
        {"learner_id": f"l{1 + c % 2}", "conversation_id": f"c{c}", "step": "dy/dx", "answer": "6(2x+1)^2",
         "correct": k % 3 == 0, "misconception": None if k % 3 == 0 else "sign_error", "skill": "multiply_factors",
         "latency_ms": None if k == 1 else 100_000 * k, "hints_used": k % 2}
        for c in (1, 2) for k in range(5)])


@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_0003_backfills_the_existing_attempts(
        backend: str, app_factory: Callable[..., Flask], empty_database_factory: Callable[[str], str]) -> None:
    app = app_factory(empty_database_factory(backend))
    with app.app_context():
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR), revision="0002")
        with db.engine.begin() as connection:
            seed_before_0003(connection)
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
        stored = stored_stats(db.session)
        assert stored == stats_from_attempts(db.session)
        # c3 has no attempts, so no row; a latency over five minutes counts as five.
        assert set(stored) == {"c1", "c2"}
        assert stored["c1"]["latency_ms"] == 0 + 200_000 + 300_000 + 300_000  # 400,000 capped
        db.session.rollback()
        # Down and up again: the table goes and comes back refilled.
        flask_migrate.downgrade(directory=str(MIGRATIONS_DIR), revision="0002")
        assert "conversation_stats" not in sa.inspect(db.engine).get_table_names()
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
        assert stored_stats(db.session) == stored
        db.session.rollback()
