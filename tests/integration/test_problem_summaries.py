"""The per-problem summary stays exactly what the attempts and their conversations say:
after tutor turns that move a conversation to a new problem (its attempts go
with it), for bank exercises and typed problems, after migration 0010's
backfill, and through the exercise page and the overview that read it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from service.extensions import MIGRATIONS_DIR, db
from service.models import Attempt, Conversation, LearnerProblemStats
from service.models.summaries import CONVERSATION_STATS_COLUMNS
from service.usecases import dashboard as queries
from service.usecases.conversations import post_message, start_conversation
from service.usecases.dashboard.problem_summaries import rebuild_problem_stats
from service.usecases.dashboard.summaries import capped
from service.tutor.skills import SKILL_NAMES
from tests.factories import make_course, make_exercise, make_instructor, make_learner
from tests.integration.conftest import *

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]
Key = tuple[object, ...]

# Wrong, hint, right; then a new problem in the same conversation, wrong then right.
DIALOGUE = ["-6(2x+1)^2", "hint", "6(2x+1)^2", "differentiate sin(x^2)", "cos(x^2)", "2x cos(x^2)"]


def stored(session: Session) -> dict[Key, tuple[int, ...]]:
    """The summary's rows with any attempts (a row emptied by a move counts for nothing)."""
    return {(row.course_id, row.expression, row.exercise_key, row.learner_id):
            tuple(getattr(row, name) for name in CONVERSATION_STATS_COLUMNS)
            for row in session.scalars(sa.select(LearnerProblemStats)) if row.attempts}


def recounted(session: Session) -> dict[Key, tuple[int, ...]]:
    """The summary summed by hand, in Python, from every attempt and its conversation's current problem."""
    sums: dict[Key, Counter[str]] = {}
    query = sa.select(Attempt, Conversation).join(Conversation, Conversation.id == Attempt.conversation_id)
    for attempt, conversation in session.execute(query):
        if conversation.course_id is None:
            continue
        key = (conversation.course_id, conversation.expression, conversation.exercise_id or 0,
               conversation.learner_id)
        row = sums.setdefault(key, Counter())
        row.update(attempts=1, correct=int(attempt.correct), hints_used=attempt.hints_used,
                   latency_ms=capped(attempt.latency_ms), timed_attempts=int(attempt.latency_ms is not None))
    return {key: tuple(row[name] for name in CONVERSATION_STATS_COLUMNS) for key, row in sums.items()}


@pytest.fixture
def tutored(db_session: Session) -> tuple[int, int]:
    """Two learners: a typed problem that moves on to another, and a problem from the bank."""
    teacher = make_instructor(db_session, email="t@example.org")
    course = make_course(db_session, teacher.id)
    ada, bob = (make_learner(db_session, name, courses=(course.code,)).id for name in ("Ada", "Bob"))
    # For every skill, so it is the bank's candidate whichever skill is the weakest.
    make_exercise(db_session, slug="bank-1", expression="(3x+1)^2", skills=SKILL_NAMES)
    conversation = start_conversation(db_session, ada, expression="(2x+1)^3").id
    for text in DIALOGUE:
        post_message(db_session, ada, conversation, text)
    picked = start_conversation(db_session, bob).id  # the tutor picks the bank's exercise
    for text in ("3(3x+1)", "6(3x+1)"):
        post_message(db_session, bob, picked, text)
    return teacher.id, course.id


def test_turns_keep_the_summary_exact_when_a_conversation_moves_on(db_session: Session,
                                                                  tutored: tuple[int, int]) -> None:
    rows = stored(db_session)
    assert rows == recounted(db_session)
    problems = {(expression, exercise) for _, expression, exercise, _ in rows}
    # Ada's attempts at (2x+1)^3 went with her conversation to sin(x^2); Bob's problem is the bank's.
    assert ("sin(x^2)", 0) in problems and not any(e == "(2x+1)^3" for e, _ in problems)
    assert any(exercise != 0 for _, exercise in problems)
    assert sum(row[0] for row in rows.values()) == db_session.scalar(sa.select(sa.func.count()).select_from(Attempt))
    # The move left the old problem's row empty rather than deleting it.
    emptied = db_session.scalars(sa.select(LearnerProblemStats).where(LearnerProblemStats.attempts == 0)).all()
    assert [row.expression for row in emptied] == ["(2x+1)^3"]
    assert all(getattr(emptied[0], name) == 0 for name in CONVERSATION_STATS_COLUMNS)


def test_rebuilding_gives_the_same_rows(db_session: Session, tutored: tuple[int, int]) -> None:
    kept = stored(db_session)
    rebuild_problem_stats(db_session)
    db_session.commit()
    assert stored(db_session) == kept


@pytest.mark.parametrize("search", [None, "ada"])
def test_the_pages_from_the_summary_agree_with_the_attempts(db_session: Session, tutored: tuple[int, int],
                                                            search: str | None) -> None:
    instructor, course = tutored
    all_time = queries.DashboardFilter(course_id=course, search=search)
    # A skill filter that every attempt passes would do too; a wide date range reads the attempts.
    from datetime import date
    from_attempts = queries.DashboardFilter(course_id=course, search=search, since=date(2000, 1, 1))
    page = queries.PageRequest()
    summary = queries.exercise_difficulty(db_session, instructor, all_time, page).exercises
    counted = queries.exercise_difficulty(db_session, instructor, from_attempts, page).exercises
    assert summary.items == counted.items and summary.total == counted.total
    # The emptied (2x+1)^3 row is no problem of the page.
    assert "(2x+1)^3" not in {row.expression for row in summary.items}
    assert any(row.exercise_slug == "bank-1" for row in summary.items) == (search is None)
    overview = queries.course_overview(db_session, instructor, all_time)
    reference = queries.course_overview(db_session, instructor, from_attempts)
    assert (overview.attempts, overview.correct_attempts, overview.time_on_task_ms) == (
        reference.attempts, reference.correct_attempts, reference.time_on_task_ms) != (0, 0, 0)


# Migration 0010's backfill ----------------------------------------------------------------------

def seed_before_0010(connection: sa.Connection) -> int:
    """Two conversations with their per-conversation sums, one of a bank exercise; returns the course."""
    connection.execute(sa.text("INSERT INTO instructors (email, name, password_hash) VALUES ('i@x', 'I', 'h')"))
    connection.execute(sa.text("INSERT INTO courses (instructor_id, title, code) "
                               "SELECT id, 'C', 'C1' FROM instructors"))
    connection.execute(sa.text("INSERT INTO exercises (slug, expression, difficulty, skills, family, position) "
                               "VALUES ('e', '(3x+1)^2', 1, '[]', 'power', 1)"))
    course = connection.scalar(sa.text("SELECT id FROM courses"))
    exercise = connection.scalar(sa.text("SELECT id FROM exercises"))
    connection.execute(sa.text("INSERT INTO learners (id, token_hash) VALUES ('l1', 'h')"))
    for conversation, exercise_id, expression, sums in (("c1", None, "sin(x^2)", (3, 1, 2, 900, 2)),
                                                       ("c2", exercise, "(3x+1)^2", (2, 2, 0, 0, 0)),
                                                       ("c3", None, "sin(x^2)", (1, 0, 1, 100, 1))):
        connection.execute(sa.text(
            "INSERT INTO conversations (id, learner_id, course_id, exercise_id, expression, state, status) "
            "VALUES (:c, 'l1', :course, :e, :x, '{}', 'in_progress')"),
            {"c": conversation, "course": course, "e": exercise_id, "x": expression})
        connection.execute(sa.text(
            "INSERT INTO conversation_stats (conversation_id, learner_id, course_id, attempts, correct, hints_used, "
            "latency_ms, timed_attempts) VALUES (:c, 'l1', :course, :a, :ok, :h, :ms, :t)"),
            dict(zip(("c", "course", "a", "ok", "h", "ms", "t"), (conversation, course, *sums))))
    return course


@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_0010_backfills_the_problems_from_the_conversation_sums(
        backend: str, app_factory: Callable[..., Flask], empty_database_factory: Callable[[str], str]) -> None:
    app = app_factory(empty_database_factory(backend))
    with app.app_context():
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR), revision="0009")
        with db.engine.begin() as connection:
            course = seed_before_0010(connection)
            exercise = connection.scalar(sa.text("SELECT id FROM exercises"))
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
        rows = stored(db.session)
        # The learner's two sin(x^2) conversations are one row, summed.
        assert rows == {(course, "sin(x^2)", 0, "l1"): (4, 1, 3, 1000, 3),
                        (course, "(3x+1)^2", exercise, "l1"): (2, 2, 0, 0, 0)}
        db.session.rollback()
        flask_migrate.downgrade(directory=str(MIGRATIONS_DIR), revision="0009")
        assert "learner_problem_stats" not in sa.inspect(db.engine).get_table_names()
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
        assert stored(db.session) == rows
        db.session.rollback()
