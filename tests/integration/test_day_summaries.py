"""The date and skill filters' summaries stay exactly what the attempts say: after real tutor
turns and older attempts on other days, after a rebuild, after migration 0012's backfill; and the
pages read from them show what the attempts themselves show.
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
    CourseDayAttempts,
    CourseDayWrongAnswers,
    LearnerDayMisconceptions,
    LearnerMisconceptionCount,
    LearnerSkillMisconceptions,
)
from service.usecases import dashboard as queries
from service.usecases.conversations import post_message, start_conversation
from service.usecases.dashboard import misconceptions, overview
from service.usecases.dashboard.day_summaries import days_answer, rebuild_day_summaries
from service.usecases.dashboard.misconception_summaries import rebuild_misconception_counts
from service.usecases.dashboard.summaries import capped, count_attempts
from tests.factories import make_course, make_instructor, make_learner
from tests.integration.conftest import *

TODAY = datetime.now(UTC).date()
# Wrong answers of two known kinds, one the tutor cannot explain, a hint, the right answer.
DIALOGUE = ["-6(2x+1)^2", "3(2x+1)^2", "7x", "hint", "-6(2x+1)^2", "6(2x+1)^2"]
Summaries = dict[str, Counter[tuple[object, ...]]]


def stored(session: Session) -> Summaries:
    """The four tables as counters of their keys (the stats table by its five sums)."""
    days = Counter({(r.course_id, r.day, r.skill): (r.attempts, r.correct, r.hints_used, r.latency_ms,
                                                      r.timed_attempts)
                    for r in session.scalars(sa.select(CourseDayAttempts))})
    answers = Counter({(r.course_id, r.day, r.skill, r.misconception, r.answer, r.step): r.attempts
                       for r in session.scalars(sa.select(CourseDayWrongAnswers))})
    learner_days = Counter({(r.course_id, r.misconception, r.learner_id, r.day): r.attempts
                            for r in session.scalars(sa.select(LearnerDayMisconceptions))})
    learner_skills = Counter({(r.course_id, r.skill, r.misconception, r.learner_id): r.attempts
                              for r in session.scalars(sa.select(LearnerSkillMisconceptions))})
    spans = Counter({(r.course_id, r.learner_id, r.misconception): (r.first_day, r.last_day)
                     for r in session.scalars(sa.select(LearnerMisconceptionCount))})
    return {"days": days, "answers": answers, "learner_days": learner_days, "learner_skills": learner_skills,
            "spans": spans}


def recounted(session: Session) -> Summaries:
    """The same, counted by hand in Python from every attempt row."""
    sums: dict[tuple[object, ...], list[int]] = {}
    answers: Counter[tuple[object, ...]] = Counter()
    learner_days: Counter[tuple[object, ...]] = Counter()
    learner_skills: Counter[tuple[object, ...]] = Counter()
    for a in session.scalars(sa.select(Attempt)):
        if a.course_id is None:
            continue
        day, skill, name = a.created_at.astimezone(UTC).date(), a.skill or "", a.misconception or ""
        total = sums.setdefault((a.course_id, day, skill), [0, 0, 0, 0, 0])
        for index, value in enumerate((1, int(a.correct), a.hints_used, capped(a.latency_ms),
                                       int(a.latency_ms is not None))):
            total[index] += value
        if not a.correct:
            answers[(a.course_id, day, skill, name, a.answer, a.step)] += 1
            learner_days[(a.course_id, name, a.learner_id, day)] += 1
            learner_skills[(a.course_id, skill, name, a.learner_id)] += 1
    days = Counter({key: tuple(values) for key, values in sums.items()})
    spans: dict[tuple[object, ...], tuple[date, date]] = {}
    for course, name, learner, day in learner_days:
        first, last = spans.get((course, learner, name), (day, day))
        spans[(course, learner, name)] = (min(first, day), max(last, day))
    return {"days": days, "answers": answers, "learner_days": learner_days, "learner_skills": learner_skills,
            "spans": Counter(spans)}


def days_ago(n: int, hour: int = 12) -> datetime:
    return datetime.combine(TODAY - timedelta(days=n), time(hour), UTC)


@pytest.fixture
def tutored(db_session: Session) -> tuple[int, int]:
    """Two learners of a course talked with the tutor today; older wrong answers on other days."""
    teacher = make_instructor(db_session, email="t@example.org")
    course = make_course(db_session, teacher.id)
    learners = [make_learner(db_session, name, courses=(course.code,)).id for name in ("Ada", "Bob")]
    conversations = []
    for learner in learners:
        conversations.append(start_conversation(db_session, learner, expression="(2x+1)^3").id)
        for text in DIALOGUE:
            post_message(db_session, learner, conversations[-1], text)
    # Older work, as the turns of those days left it: Ada 3 and 10 days ago, Bob 10 days ago,
    # one of them just before midnight (UTC), one with no skill.
    older = [(learners[0], 3, 23, "sign_error", "inner_derivative", False),
             (learners[0], 10, 1, "sign_error", "outer_derivative", False),
             (learners[0], 10, 2, None, None, False),
             (learners[1], 10, 5, "sign_error", "outer_derivative", False),
             (learners[1], 10, 6, None, "outer_derivative", True)]
    for learner, ago, hour, name, skill, correct in older:
        conversation = conversations[learners.index(learner)]
        row = {"conversation_id": conversation, "learner_id": learner, "course_id": course.id, "step": "dy/dx",
               "answer": "-6(2x+1)^2" if name else "42", "correct": correct, "misconception": name,
               "skill": skill, "hints_used": 1, "latency_ms": 400_000, "created_at": days_ago(ago, hour)}
        db_session.add(Attempt(**row))
        count_attempts(db_session, [row])
    db_session.commit()
    return teacher.id, course.id


def test_turns_and_older_attempts_keep_the_four_summaries_exact(db_session: Session,
                                                                tutored: tuple[int, int]) -> None:
    kept = stored(db_session)
    assert kept == recounted(db_session)
    # Several days, a no-skill key, named and unexplained wrong answers: the keys were exercised.
    assert len({day for _, day, _ in kept["days"]}) == 3
    assert "" in {skill for _, _, skill in kept["days"]}
    assert {"sign_error", ""} <= {name for _, name, _, _ in kept["learner_days"]}


def test_rebuilding_from_the_attempts_gives_the_same_rows(db_session: Session, tutored: tuple[int, int]) -> None:
    kept = stored(db_session)
    rebuild_misconception_counts(db_session)
    assert rebuild_day_summaries(db_session) == len(kept["days"])
    db_session.commit()
    assert stored(db_session) == kept


def read_attempts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the pages read the attempts themselves, as they did before the day summaries."""
    monkeypatch.setattr(misconceptions, "days_answer", lambda flt: False)
    monkeypatch.setattr(overview, "day_sums_answer", lambda flt: False)


FILTERS = {
    "last 7 days": {"since": TODAY - timedelta(days=7)},
    "up to 4 days ago": {"until": TODAY - timedelta(days=4)},
    # Ada's sign errors began before it and ended after it: looked up day by day.
    "one day": {"since": TODAY - timedelta(days=3), "until": TODAY - timedelta(days=3)},
    "a day nobody worked": {"since": TODAY - timedelta(days=5), "until": TODAY - timedelta(days=5)},
    "yesterday to today": {"since": TODAY - timedelta(days=1), "until": TODAY},
    "one skill": {"skill": "outer_derivative"},
    "a skill nobody practised": {"skill": "long_chains"},
}


@pytest.mark.parametrize("fields", FILTERS.values(), ids=FILTERS.keys())
def test_pages_from_the_day_summaries_agree_with_the_attempts(
        db_session: Session, tutored: tuple[int, int], monkeypatch: pytest.MonkeyPatch,
        fields: dict[str, object]) -> None:
    instructor, course = tutored
    flt = queries.DashboardFilter(course_id=course, **fields)  # type: ignore[arg-type]
    assert days_answer(flt)
    page = queries.PageRequest()
    summarised = (queries.course_overview(db_session, instructor, flt),
                  queries.frequent_misconceptions(db_session, instructor, flt, page))
    read_attempts(monkeypatch)
    counted = (queries.course_overview(db_session, instructor, flt),
               queries.frequent_misconceptions(db_session, instructor, flt, page))
    assert summarised == counted


@pytest.mark.parametrize("fields", [{"since": TODAY - timedelta(days=7), "skill": "outer_derivative"},
                                    {"since": TODAY - timedelta(days=10), "until": TODAY - timedelta(days=3),
                                     "skill": "inner_derivative"}], ids=["last 7 days", "a past week"])
def test_the_overview_under_dates_and_a_skill_agrees_with_the_attempts(
        db_session: Session, tutored: tuple[int, int], monkeypatch: pytest.MonkeyPatch,
        fields: dict[str, object]) -> None:
    instructor, course = tutored
    flt = queries.DashboardFilter(course_id=course, **fields)  # type: ignore[arg-type]
    summarised = queries.course_overview(db_session, instructor, flt)
    read_attempts(monkeypatch)
    counted = queries.course_overview(db_session, instructor, flt)
    assert summarised == counted and summarised.attempts > 0


def test_the_week_counts_each_learner_once_and_leaves_older_days_out(
        db_session: Session, tutored: tuple[int, int]) -> None:
    instructor, course = tutored
    week = queries.DashboardFilter(course_id=course, since=TODAY - timedelta(days=7))
    report = queries.frequent_misconceptions(db_session, instructor, week, queries.PageRequest())
    sign_error = next(row for row in report.misconceptions.items if row.name == "sign_error")
    # Ada's sign errors today and 3 days ago, Bob's today: two learners; 10 days ago is out.
    assert sign_error.learners == 2
    assert sign_error.attempts == db_session.scalar(sa.select(sa.func.count()).select_from(Attempt).where(
        Attempt.misconception == "sign_error", Attempt.created_at >= days_ago(7, 0)))
    overview_week = queries.course_overview(db_session, instructor, week)
    everything = queries.course_overview(db_session, instructor, queries.DashboardFilter(course_id=course))
    assert overview_week.attempts == everything.attempts - 4


# Migration 0012's backfill -----------------------------------------------------------------------

@pytest.mark.parametrize("backend", [pytest.param("sqlite", id="sqlite"),
                                     pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)])
def test_migration_0012_backfills_the_existing_attempts(
        backend: str, app_factory: Callable[..., Flask], empty_database_factory: Callable[[str], str]) -> None:
    app = app_factory(empty_database_factory(backend))
    with app.app_context():
        # Attempts from before 0010, so that 0010 counts them per learner and 0012 adds their days.
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR), revision="0009")
        with db.engine.begin() as connection:
            connection.execute(sa.text("INSERT INTO instructors (email, name, password_hash) VALUES ('i@x', 'I', 'h')"))
            connection.execute(sa.text("INSERT INTO courses (instructor_id, title, code) "
                                       "SELECT id, 'C', 'C1' FROM instructors"))
            course = connection.scalar(sa.text("SELECT id FROM courses"))
            connection.execute(sa.text("INSERT INTO learners (id, token_hash) VALUES ('l1', 'h')"))
            connection.execute(sa.text(
                "INSERT INTO conversations (id, learner_id, course_id, expression, state, status) "
                "VALUES ('c1', 'l1', :course, '(2x+1)^3', '{}', 'in_progress')"), {"course": course})
            rows = [(course, False, "sign_error", "outer_derivative", days_ago(2, 23)),
                    (course, False, None, None, days_ago(2, 1)), (course, True, None, "outer_derivative", days_ago(0)),
                    (None, False, "sign_error", "outer_derivative", days_ago(0))]
            for course_id, correct, name, skill, when in rows:
                connection.execute(sa.insert(Attempt.__table__).values(
                    learner_id="l1", conversation_id="c1", course_id=course_id, step="dy/dx", answer="-1",
                    correct=correct, misconception=name, skill=skill, hints_used=0, latency_ms=500_000,
                    created_at=when))
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
        kept = stored(db.session)
        assert kept == recounted(db.session)
        assert kept["days"][(course, TODAY - timedelta(days=2), "outer_derivative")] == (1, 0, 0, 300_000, 1)
        assert sum(kept["learner_skills"].values()) == 2  # the answer filed under no course is not counted
        db.session.rollback()
        flask_migrate.downgrade(directory=str(MIGRATIONS_DIR), revision="0011")
        assert "course_day_attempts" not in sa.inspect(db.engine).get_table_names()
        flask_migrate.upgrade(directory=str(MIGRATIONS_DIR))
        assert stored(db.session) == kept
        db.session.rollback()
