"""The misconception page's summaries stay exactly what the attempts say: after real
tutor turns (two learners, two courses), after a rolled-back write, after
migration 0010's backfill of existing attempts, and through the page itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from service.extensions import MIGRATIONS_DIR, db
from service.models import Attempt, LearnerMisconceptionCount, WrongAnswerCount
from service.usecases import dashboard as queries
from service.usecases import enrol_learner
from service.usecases.conversations import post_message, start_conversation
from service.usecases.dashboard.misconception_summaries import rebuild_misconception_counts
from service.usecases.dashboard.summaries import count_attempts, summaries_answer
from tests.factories import make_course, make_instructor, make_learner
from tests.integration.conftest import *

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]
LONG_AGO = date.today() - timedelta(days=3650)

# Wrong answers of two known kinds, one the tutor cannot explain, a hint, the right answer.
DIALOGUE = ["-6(2x+1)^2", "3(2x+1)^2", "7x", "hint", "-6(2x+1)^2", "6(2x+1)^2"]


def stored(session: Session) -> tuple[Counter[tuple[object, ...]], Counter[tuple[object, ...]]]:
    """Both summaries as counters of their keys."""
    learners = Counter({(row.course_id, row.learner_id, row.misconception): row.attempts
                        for row in session.scalars(sa.select(LearnerMisconceptionCount))})
    answers = Counter({(row.course_id, row.misconception, row.answer, row.step): row.attempts
                       for row in session.scalars(sa.select(WrongAnswerCount))})
    return learners, answers


def recounted(session: Session) -> tuple[Counter[tuple[object, ...]], Counter[tuple[object, ...]]]:
    """Both summaries counted by hand, in Python, from every attempt row."""
    learners: Counter[tuple[object, ...]] = Counter()
    answers: Counter[tuple[object, ...]] = Counter()
    for attempt in session.scalars(sa.select(Attempt)):
        if attempt.correct or attempt.course_id is None:
            continue
        name = attempt.misconception or ""
        learners[(attempt.course_id, attempt.learner_id, name)] += 1
        answers[(attempt.course_id, name, attempt.answer, attempt.step)] += 1
    return learners, answers


@pytest.fixture
def tutored(db_session: Session) -> tuple[int, int, list[str]]:
    """Two learners of one course talked with the tutor, one also in a second course."""
    teacher = make_instructor(db_session, email="t@example.org")
    course = make_course(db_session, teacher.id)
    other = make_course(db_session, teacher.id, "Calculus II")
    learners = [make_learner(db_session, name, courses=(course.code,)).id for name in ("Ada", "Bob")]
    for learner in learners:
        conversation = start_conversation(db_session, learner, expression="(2x+1)^3").id
        for text in DIALOGUE:
            post_message(db_session, learner, conversation, text)
    enrol_learner(db_session, learners[1], other.code)
    second = start_conversation(db_session, learners[1], expression="sin(x^2)").id
    for text in ("cos(x^2)", "-2x cos(x^2)"):
        post_message(db_session, learners[1], second, text)
    return teacher.id, course.id, learners




def test_tutor_turns_keep_both_summaries_exact(db_session: Session, tutored: tuple[int, int, list[str]]) -> None:
    learners, answers = stored(db_session)
    assert (learners, answers) == recounted(db_session)
    # The dialogue really gave named and unexplained wrong answers, in both courses.
    names = {name for _, _, name in learners}
    assert {"sign_error", ""} <= names
    assert len({course for course, _, _ in learners}) == 2
    assert sum(learners.values()) == sum(answers.values()) == db_session.scalar(
        sa.select(sa.func.count()).select_from(Attempt).where(sa.not_(Attempt.correct)))
    # The same answer twice is one row counted twice, not two rows.
    assert max(answers.values()) >= 2


def test_rebuilding_from_the_attempts_gives_the_same_rows(db_session: Session,
                                                          tutored: tuple[int, int, list[str]]) -> None:
    kept = stored(db_session)
    assert rebuild_misconception_counts(db_session) == len(kept[0])
    db_session.commit()
    assert stored(db_session) == kept


def test_a_rolled_back_write_leaves_no_trace(db_session: Session, tutored: tuple[int, int, list[str]]) -> None:
    _, course, learners = tutored
    before = stored(db_session)
    conversation = db_session.scalar(sa.select(Attempt.conversation_id).where(Attempt.learner_id == learners[0]))
    count_attempts(db_session, [{"conversation_id": conversation, "learner_id": learners[0], "course_id": course,
                                 "correct": False, "misconception": "sign_error", "answer": "-1",
                                 "step": "dy/dx", "hints_used": 0, "latency_ms": None}])
    assert stored(db_session)[0][(course, learners[0], "sign_error")] == \
        before[0][(course, learners[0], "sign_error")] + 1
    db_session.rollback()
    assert stored(db_session) == before


@pytest.mark.parametrize("search", [None, "bob"])
def test_the_page_from_the_summaries_agrees_with_the_attempts(
        db_session: Session, tutored: tuple[int, int, list[str]], search: str | None) -> None:
    instructor, course, _ = tutored
    all_time = queries.DashboardFilter(course_id=course, search=search)
    # A date range that holds everything makes the page read the attempts themselves.
    from_attempts = queries.DashboardFilter(course_id=course, search=search, since=LONG_AGO)
    assert summaries_answer(all_time) and not summaries_answer(from_attempts)
    page = queries.PageRequest()
    summary = queries.frequent_misconceptions(db_session, instructor, all_time, page)
    counted = queries.frequent_misconceptions(db_session, instructor, from_attempts, page)
    assert summary.misconceptions.items == counted.misconceptions.items
    assert (summary.wrong_attempts, summary.misconceptions.total, summary.class_size) == (
        counted.wrong_attempts, counted.misconceptions.total, counted.class_size)
    names = [row.name for row in summary.misconceptions.items]
    assert "sign_error" in names and None in names  # "other" is a row of its own
    assert all(row.examples for row in summary.misconceptions.items)


# Migration 0010's backfill ----------------------------------------------------------------------

def seed_before_0010(connection: sa.Connection) -> None:
    """Attempts written before the summaries existed: two learners, a course, one answer outside it."""
    connection.execute(sa.text("INSERT INTO instructors (email, name, password_hash) VALUES ('i@x', 'I', 'h')"))
    connection.execute(sa.text("INSERT INTO courses (instructor_id, title, code) "
                               "SELECT id, 'C', 'C1' FROM instructors"))
    course = connection.scalar(sa.text("SELECT id FROM courses"))
    for learner in ("l1", "l2"):
        connection.execute(sa.text("INSERT INTO learners (id, token_hash) VALUES (:l, :l)"), {"l": learner})
        connection.execute(sa.text(
            "INSERT INTO conversations (id, learner_id, course_id, expression, state, status) "
            "VALUES (:c, :l, :course, '(2x+1)^3', '{}', 'in_progress')"), {"c": f"c{learner}", "l": learner,
                                                                            "course": course})
    rows = [("l1", course, False, "sign_error", "-6(2x+1)^2"), ("l1", course, False, "sign_error", "-6(2x+1)^2"),
            ("l1", course, False, None, "7x"), ("l2", course, False, "sign_error", "-6(2x+1)^2"),
            ("l2", course, True, None, "6(2x+1)^2"), ("l2", None, False, "sign_error", "-6(2x+1)^2")]
    for learner, course_id, correct, misconception, answer in rows:
        connection.execute(sa.text(
            "INSERT INTO attempts (learner_id, conversation_id, course_id, step, answer, correct, misconception, "
            "hints_used) VALUES (:l, :c, :course, 'dy/dx', :a, :ok, :m, 0)"),
            {"l": learner, "c": f"c{learner}", "course": course_id, "a": answer, "ok": correct, "m": misconception})


@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_0010_backfills_the_existing_attempts(
        backend: str, app_factory: Callable[..., Flask], empty_database_factory: Callable[[str], str]) -> None:
    app = app_factory(empty_database_factory(backend))
    with app.app_context():
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR), revision="0009")
        with db.engine.begin() as connection:
            seed_before_0010(connection)
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
        learners, answers = stored(db.session)
        assert (learners, answers) == recounted(db.session)
        course = db.session.scalar(sa.text("SELECT id FROM courses"))
        # The answer filed under no course is not counted; the unexplained one is ''.
        assert learners == Counter({(course, "l1", "sign_error"): 2, (course, "l1", ""): 1,
                                    (course, "l2", "sign_error"): 1})
        assert answers[(course, "sign_error", "-6(2x+1)^2", "dy/dx")] == 3
        db.session.rollback()
        # Down and up again: the tables go and come back refilled.
        flask_migrate.downgrade(directory=str(MIGRATIONS_DIR), revision="0009")
        tables = set(sa.inspect(db.engine).get_table_names())
        assert not {"learner_misconception_counts", "wrong_answer_counts"} & tables
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
        assert stored(db.session) == (learners, answers)
        db.session.rollback()
