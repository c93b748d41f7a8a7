"""The per-problem summaries stay exactly what the attempts and their conversations say:
after tutor turns that move a conversation to a new problem (its attempts,
of every day, go with it), for bank exercises and typed problems, after
migrations 0010's and 0013's backfills; and the exercise page read from them,
all time and under date and skill filters, shows what the attempts show.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from service.extensions import MIGRATIONS_DIR, db
from service.models import (
    Attempt,
    Conversation,
    CourseProblemDays,
    LearnerProblemDays,
    LearnerProblemSkills,
    LearnerProblemStats,
)
from service.models.summaries import CONVERSATION_STATS_COLUMNS
from service.usecases import dashboard as queries
from service.usecases.conversations import post_message, start_conversation
from service.usecases.dashboard import exercises
from service.usecases.dashboard import overview as overview_module
from service.usecases.dashboard.day_summaries import days_answer
from service.usecases.dashboard.problem_summaries import rebuild_problem_days, rebuild_problem_stats
from service.usecases.dashboard.summaries import capped, count_attempts, summaries_answer
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


Summaries = dict[str, dict[Key, tuple[int, ...]]]
TODAY = datetime.now(UTC).date()


def stored(session: Session) -> Summaries:
    """The four summaries' rows with any attempts (a row emptied by a move counts for nothing)."""
    def rows(model: type, keys: tuple[str, ...], sums: tuple[str, ...]) -> dict[Key, tuple[int, ...]]:
        return {tuple(getattr(row, name) for name in keys): tuple(getattr(row, name) for name in sums)
                for row in session.scalars(sa.select(model)) if row.attempts}

    problem = ("course_id", "expression", "exercise_key")
    return {
        "learners": rows(LearnerProblemStats, (*problem, "learner_id"), CONVERSATION_STATS_COLUMNS),
        "days": rows(CourseProblemDays, (*problem, "day", "skill"), CONVERSATION_STATS_COLUMNS),
        "learner_days": rows(LearnerProblemDays, (*problem, "day", "learner_id"), ("attempts",)),
        "learner_skills": rows(LearnerProblemSkills, (*problem, "skill", "learner_id"), ("attempts",)),
    }


def recounted(session: Session) -> Summaries:
    """The same, summed by hand in Python from every attempt and its conversation's current problem."""
    sums: dict[str, dict[Key, Counter[str]]] = {name: {} for name in ("learners", "days", "learner_days",
                                                                      "learner_skills")}
    query = sa.select(Attempt, Conversation).join(Conversation, Conversation.id == Attempt.conversation_id)
    for attempt, conversation in session.execute(query):
        if conversation.course_id is None:
            continue
        problem = (conversation.course_id, conversation.expression, conversation.exercise_id or 0)
        day, skill, learner = attempt.created_at.astimezone(UTC).date(), attempt.skill or "", conversation.learner_id
        for name, key in (("learners", (*problem, learner)), ("days", (*problem, day, skill)),
                          ("learner_days", (*problem, day, learner)), ("learner_skills", (*problem, skill, learner))):
            sums[name].setdefault(key, Counter()).update(
                attempts=1, correct=int(attempt.correct), hints_used=attempt.hints_used,
                latency_ms=capped(attempt.latency_ms), timed_attempts=int(attempt.latency_ms is not None))
    columns = {"learners": CONVERSATION_STATS_COLUMNS, "days": CONVERSATION_STATS_COLUMNS,
               "learner_days": ("attempts",), "learner_skills": ("attempts",)}
    return {name: {key: tuple(row[column] for column in columns[name]) for key, row in table.items()}
            for name, table in sums.items()}


def days_ago(n: int, hour: int = 12) -> datetime:
    return datetime.combine(TODAY - timedelta(days=n), time(hour), UTC)


def add_older_attempt(session: Session, conversation_id: str, ago: int, skill: str | None, correct: bool) -> None:
    """An attempt of ``ago`` days ago, counted as that day's turn counted it."""
    conversation = session.get(Conversation, conversation_id)
    assert conversation is not None
    row = {"conversation_id": conversation_id, "learner_id": conversation.learner_id,
           "course_id": conversation.course_id, "step": "dy/dx", "answer": "42", "correct": correct,
           "misconception": None, "skill": skill, "hints_used": 1, "latency_ms": 400_000,
           "created_at": days_ago(ago)}
    session.add(Attempt(**row))
    count_attempts(session, [row])
    session.commit()


@pytest.fixture
def tutored(db_session: Session) -> tuple[int, int]:
    """Two learners: a typed problem that moves on to another, and a problem from the bank.

    Ada's first problem also has attempts of 3 and 10 days ago (one with no
    skill), which go with her conversation to its next problem; an earlier
    conversation of hers on the same problem keeps its answer there.
    """
    teacher = make_instructor(db_session, email="t@example.org")
    course = make_course(db_session, teacher.id)
    ada, bob = (make_learner(db_session, name, courses=(course.code,)).id for name in ("Ada", "Bob"))
    # For every skill, so it is the bank's candidate whichever skill is the weakest.
    make_exercise(db_session, slug="bank-1", expression="(3x+1)^2", skills=SKILL_NAMES)
    earlier = start_conversation(db_session, ada, expression="(2x+1)^3").id
    post_message(db_session, ada, earlier, "6(2x+1)^2")
    conversation = start_conversation(db_session, ada, expression="(2x+1)^3").id
    for text in DIALOGUE[:3]:
        post_message(db_session, ada, conversation, text)
    add_older_attempt(db_session, conversation, 3, "outer_derivative", correct=False)
    add_older_attempt(db_session, conversation, 10, None, correct=True)
    for text in DIALOGUE[3:]:
        post_message(db_session, ada, conversation, text)
    picked = start_conversation(db_session, bob).id  # the tutor picks the bank's exercise
    add_older_attempt(db_session, picked, 3, "outer_derivative", correct=True)
    for text in ("3(3x+1)", "6(3x+1)"):
        post_message(db_session, bob, picked, text)
    return teacher.id, course.id


def test_turns_keep_the_summaries_exact_when_a_conversation_moves_on(db_session: Session,
                                                                    tutored: tuple[int, int]) -> None:
    kept = stored(db_session)
    assert kept == recounted(db_session)
    rows = kept["learners"]
    problems = {(expression, exercise) for _, expression, exercise, _ in rows}
    # Ada's attempts at (2x+1)^3, older ones too, went with her conversation to sin(x^2), but for her
    # earlier conversation's answer; Bob's problem is the bank's.
    assert ("sin(x^2)", 0) in problems and any(exercise != 0 for _, exercise in problems)
    assert [row[:2] for key, row in rows.items() if key[1] == "(2x+1)^3"] == [(1, 1)]  # attempts, correct
    assert sum(row[0] for row in rows.values()) == db_session.scalar(sa.select(sa.func.count()).select_from(Attempt))
    assert {day for _, expression, _, day, _ in kept["days"] if expression == "sin(x^2)"} == {
        TODAY - timedelta(days=10), TODAY - timedelta(days=3), TODAY}
    # The move deleted the learner's rows it emptied: each row left is one learner (the earlier
    # conversation's today and at its skill stay). The course's day rows it emptied stay, at zero.
    for model in (LearnerProblemStats, LearnerProblemDays, LearnerProblemSkills):
        assert not db_session.scalars(sa.select(model).where(model.attempts <= 0)).all(), model
    emptied = db_session.scalars(sa.select(CourseProblemDays).where(CourseProblemDays.attempts == 0)).all()
    assert {(row.expression, row.day) for row in emptied} == {
        ("(2x+1)^3", TODAY - timedelta(days=10)), ("(2x+1)^3", TODAY - timedelta(days=3))}
    assert all(getattr(row, name) == 0 for row in emptied for name in CONVERSATION_STATS_COLUMNS)


def test_rebuilding_gives_the_same_rows(db_session: Session, tutored: tuple[int, int]) -> None:
    kept = stored(db_session)
    rebuild_problem_stats(db_session)
    assert rebuild_problem_days(db_session) == len(kept["days"])
    db_session.commit()
    assert stored(db_session) == kept


def read_attempts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the exercise page read the attempts themselves, as it did before the summaries."""
    monkeypatch.setattr(exercises, "summaries_answer", lambda flt: False)
    monkeypatch.setattr(exercises, "days_answer", lambda flt: False)


FILTERS = {
    "all time": {},
    "all time, a name": {"search": "ada"},
    "last 7 days": {"since": TODAY - timedelta(days=7)},
    "up to 4 days ago": {"until": TODAY - timedelta(days=4)},
    "one day": {"since": TODAY - timedelta(days=3), "until": TODAY - timedelta(days=3)},
    "a day nobody worked": {"since": TODAY - timedelta(days=5), "until": TODAY - timedelta(days=5)},
    "one skill": {"skill": "outer_derivative"},
    "a skill nobody practised": {"skill": "long_chains"},
}


@pytest.mark.parametrize("fields", FILTERS.values(), ids=FILTERS.keys())
def test_the_exercise_page_from_the_summaries_agrees_with_the_attempts(
        db_session: Session, tutored: tuple[int, int], monkeypatch: pytest.MonkeyPatch,
        fields: dict[str, object]) -> None:
    instructor, course = tutored
    flt = queries.DashboardFilter(course_id=course, **fields)  # type: ignore[arg-type]
    assert summaries_answer(flt) or days_answer(flt)
    # A page of one row too: the total comes with the rows.
    for page in (queries.PageRequest(), queries.PageRequest(per_page=1), queries.PageRequest(page=9)):
        summarised = queries.exercise_difficulty(db_session, instructor, flt, page).exercises
        with monkeypatch.context() as patched:
            read_attempts(patched)
            counted = queries.exercise_difficulty(db_session, instructor, flt, page).exercises
        assert (summarised.items, summarised.total) == (counted.items, counted.total)


def test_the_week_leaves_older_days_out_and_counts_each_learner_once(db_session: Session,
                                                                    tutored: tuple[int, int]) -> None:
    instructor, course = tutored
    week = queries.DashboardFilter(course_id=course, since=TODAY - timedelta(days=7))
    rows = {row.expression: row for row in queries.exercise_difficulty(
        db_session, instructor, week, queries.PageRequest()).exercises.items}
    everything = {row.expression: row for row in queries.exercise_difficulty(
        db_session, instructor, queries.DashboardFilter(course_id=course), queries.PageRequest()).exercises.items}
    # Ada's attempt of 10 days ago is out of the week; she is one learner of sin(x^2) over two days.
    assert rows["sin(x^2)"].attempts == everything["sin(x^2)"].attempts - 1
    assert rows["sin(x^2)"].learners == 1
    assert rows["(3x+1)^2"] == everything["(3x+1)^2"]


@pytest.mark.parametrize("search", [None, "ada"])
def test_the_overview_from_the_summaries_agrees_with_the_attempts(
        db_session: Session, tutored: tuple[int, int], monkeypatch: pytest.MonkeyPatch, search: str | None) -> None:
    instructor, course = tutored
    # All time: the course's day rows; with a name search, the searched learners' problem rows.
    overview = queries.course_overview(db_session, instructor, queries.DashboardFilter(
        course_id=course, search=search))
    # From the attempts themselves: a date range before every attempt, not read from the day summaries.
    monkeypatch.setattr(overview_module, "day_sums_answer", lambda flt: False)
    reference = queries.course_overview(db_session, instructor, queries.DashboardFilter(
        course_id=course, search=search, since=date(2000, 1, 1)))
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
        rows = stored(db.session)["learners"]
        # The learner's two sin(x^2) conversations are one row, summed.
        assert rows == {(course, "sin(x^2)", 0, "l1"): (4, 1, 3, 1000, 3),
                        (course, "(3x+1)^2", exercise, "l1"): (2, 2, 0, 0, 0)}
        db.session.rollback()
        flask_migrate.downgrade(directory=str(MIGRATIONS_DIR), revision="0009")
        assert "learner_problem_stats" not in sa.inspect(db.engine).get_table_names()
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
        assert stored(db.session)["learners"] == rows
        db.session.rollback()


# Migration 0013's backfill -----------------------------------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_0013_backfills_the_problems_by_day_and_skill(
        backend: str, app_factory: Callable[..., Flask], empty_database_factory: Callable[[str], str]) -> None:
    app = app_factory(empty_database_factory(backend))
    with app.app_context():
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR), revision="0012")
        with db.engine.begin() as connection:
            course = seed_before_0010(connection)
            # Attempts at the conversations' problems: two days (one just before midnight UTC), two skills and none,
            # and one of a conversation filed under no course.
            connection.execute(sa.text("INSERT INTO conversations (id, learner_id, expression, state, status) "
                                       "VALUES ('c4', 'l1', 'sin(x^2)', '{}', 'in_progress')"))
            for conversation, correct, skill, latency, when in (
                    ("c1", False, "outer_derivative", 500_000, days_ago(2, 23)),
                    ("c1", True, "outer_derivative", None, days_ago(1, 1)),
                    ("c3", False, None, 1_000, days_ago(1, 2)), ("c2", True, "inner_derivative", 2_000, days_ago(0)),
                    ("c4", True, "inner_derivative", 2_000, days_ago(0))):
                connection.execute(sa.insert(Attempt.__table__).values(
                    learner_id="l1", conversation_id=conversation, course_id=None if conversation == "c4" else course,
                    step="dy/dx", answer="-1", correct=correct, skill=skill, hints_used=1, latency_ms=latency,
                    created_at=when))
            # A row a move emptied before 0013 (0013 deletes them; turns delete them since).
            connection.execute(sa.text(
                "INSERT INTO learner_problem_stats (course_id, expression, exercise_key, learner_id, attempts, "
                "correct, hints_used, latency_ms, timed_attempts) VALUES (:c, '(2x+1)^3', 0, 'l1', 0, 0, 0, 0, 0)"),
                {"c": course})
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LearnerProblemStats)) == 0
        kept = stored(db.session)
        # (The all-time rows are 0010's, from the seeded per-conversation sums, not from these attempts.)
        assert {name: rows for name, rows in kept.items() if name != "learners"} == {
            name: rows for name, rows in recounted(db.session).items() if name != "learners"}
        assert kept["days"][(course, "sin(x^2)", 0, TODAY - timedelta(days=2), "outer_derivative")] == (
            1, 0, 1, 300_000, 1)
        # c1 and c3 are the learner's two sin(x^2) conversations: one learner a day.
        assert kept["learner_days"][(course, "sin(x^2)", 0, TODAY - timedelta(days=1), "l1")] == (2,)
        assert sum(attempts for (attempts,) in kept["learner_skills"].values()) == 4  # c4 has no course
        db.session.rollback()
        flask_migrate.downgrade(directory=str(MIGRATIONS_DIR), revision="0012")
        assert "course_problem_days" not in sa.inspect(db.engine).get_table_names()
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
        assert stored(db.session) == kept
        db.session.rollback()
