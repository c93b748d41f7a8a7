"""The misconception page's summaries: wrong answers counted per learner and per answer.

Why they exist: the misconception page counted every wrong answer of a
course (350,000 for a course of 10,000 learners at 1,000,000 attempts; its
p99 was 2.2 s in ``bench/bench_dashboard.py``). All time, it now sums the
course's rows of two small tables instead:

- ``learner_misconception_counts``: per (course, learner, misconception),
  the learner's wrong answers. Summed per misconception they give the
  attempts; counted, the learners (each row is one learner); narrowed to
  the searched learners for a name search.
- ``wrong_answer_counts``: per (course, misconception, answer, step), how
  often that wrong answer was given: the commonest answers of each
  misconception, and the first step they came at.

How they stay exact: like ``conversation_stats`` (:mod:`.summaries`), a turn
adds its wrong answers with upserts in its own transaction (on PostgreSQL in
its one write statement); nothing is ever subtracted, because an attempt's
course, learner, answer and misconception never change. A filter with dates
or a skill reads the attempts (the summaries hold all-time counts).
:func:`rebuild_misconception_counts` recomputes both from the attempts, with
the SQL migration 0010 backfills with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import LearnerMisconceptionCount, WrongAnswerCount
from service.models.summaries import UNEXPLAINED
from service.usecases.dashboard.day_summaries import day_of_attempt, utc_day_sql
from service.usecases.upserts import RowTable


def _wrong_in_a_course(attempts: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [attempt for attempt in attempts
            if not attempt["correct"] and attempt.get("course_id") is not None]


def learner_misconception_rows(attempts: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Attempt rows (as inserted into ``attempts``) counted per course, learner and misconception,
    with the first and last UTC day of those answers.

    Only wrong answers filed under a course count.

    >>> from datetime import UTC, datetime
    >>> monday, tuesday = datetime(2025, 3, 3, tzinfo=UTC), datetime(2025, 3, 4, tzinfo=UTC)
    >>> learner_misconception_rows([
    ...     {"course_id": 1, "learner_id": "l", "correct": False, "misconception": "sign_error", "created_at": tuesday},
    ...     {"course_id": 1, "learner_id": "l", "correct": False, "misconception": "sign_error", "created_at": monday},
    ...     {"course_id": 1, "learner_id": "l", "correct": False, "misconception": None, "created_at": monday},
    ...     {"course_id": 1, "learner_id": "l", "correct": True, "misconception": None},
    ...     {"course_id": None, "learner_id": "l", "correct": False, "misconception": "sign_error"}])
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'course_id': 1, 'learner_id': 'l', 'misconception': 'sign_error', 'attempts': 2,
      'first_day': datetime.date(2025, 3, 3), 'last_day': datetime.date(2025, 3, 4)},
     {'course_id': 1, 'learner_id': 'l', 'misconception': '', 'attempts': 1,
      'first_day': datetime.date(2025, 3, 3), 'last_day': datetime.date(2025, 3, 3)}]
    """
    counted: dict[tuple[Any, ...], dict[str, Any]] = {}
    for attempt in _wrong_in_a_course(attempts):
        key = (attempt["course_id"], attempt["learner_id"], attempt.get("misconception") or UNEXPLAINED)
        day = day_of_attempt(attempt)
        row = counted.setdefault(key, {"course_id": key[0], "learner_id": key[1], "misconception": key[2],
                                       "attempts": 0, "first_day": day, "last_day": day})
        row["attempts"] += 1
        row["first_day"], row["last_day"] = min(row["first_day"], day), max(row["last_day"], day)
    return list(counted.values())


# How a turn's rows join the table: the answers added, the first and last days kept
# whatever order two turns commit in.
MISCONCEPTION_COUNTS = RowTable(LearnerMisconceptionCount.__table__,  # type: ignore[arg-type]
                                ("course_id", "learner_id", "misconception"), add=("attempts",),
                                earliest=("first_day",), latest=("last_day",))


def wrong_answer_rows(attempts: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Attempt rows counted per course, misconception, answer and step (wrong answers in a course).

    >>> wrong_answer_rows([
    ...     {"course_id": 1, "correct": False, "misconception": None, "answer": "3x", "step": "dy/dx"},
    ...     {"course_id": 1, "correct": False, "misconception": None, "answer": "3x", "step": "dy/dx"}])
    [{'course_id': 1, 'misconception': '', 'answer': '3x', 'step': 'dy/dx', 'attempts': 2}]
    """
    counted: dict[tuple[Any, ...], dict[str, Any]] = {}
    for attempt in _wrong_in_a_course(attempts):
        key = (attempt["course_id"], attempt.get("misconception") or UNEXPLAINED, attempt["answer"], attempt["step"])
        row = counted.setdefault(key, {"course_id": key[0], "misconception": key[1], "answer": key[2],
                                       "step": key[3], "attempts": 0})
        row["attempts"] += 1
    return list(counted.values())


def rebuild_misconception_counts(session: Session) -> int:
    """Recompute both tables from the attempts; return how many learner rows there are.

    For tools that load attempts around the use cases (the benchmark's
    seeding) and for checking the summaries. The caller commits.
    """
    session.execute(sa.delete(LearnerMisconceptionCount))
    session.execute(sa.delete(WrongAnswerCount))
    connection = session.connection()
    for statement in backfill_sql(connection.dialect.name):
        connection.execute(sa.text(statement))
    return session.scalar(sa.select(sa.func.count()).select_from(LearnerMisconceptionCount)) or 0


def backfill_sql(dialect: str) -> tuple[str, ...]:
    """Migration 0010's backfill (frozen there), with the first and last days migration 0012 added."""
    day = utc_day_sql(dialect)
    return (
        f"""
        INSERT INTO learner_misconception_counts (course_id, learner_id, misconception, attempts, first_day,
                                                  last_day)
        SELECT course_id, learner_id, coalesce(misconception, ''), count(*), min({day}), max({day})
        FROM attempts WHERE NOT correct AND course_id IS NOT NULL
        GROUP BY course_id, learner_id, coalesce(misconception, '')
        """,
        """
        INSERT INTO wrong_answer_counts (course_id, misconception, answer, step, attempts)
        SELECT course_id, coalesce(misconception, ''), answer, step, count(*)
        FROM attempts WHERE NOT correct AND course_id IS NOT NULL
        GROUP BY course_id, coalesce(misconception, ''), answer, step
        """,
    )


def misconception_name(stored: str) -> str | None:
    """The page's name for a stored key: ``None`` for the unexplained ("other").

    >>> misconception_name(""), misconception_name("sign_error")
    (None, 'sign_error')
    """
    return stored or None

