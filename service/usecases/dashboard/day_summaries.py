"""The summaries the pages' date and skill filters read: attempts by day and skill.

Why they exist: the all-time summaries (:mod:`.summaries`,
:mod:`.misconception_summaries`) cannot answer "the last 7 days" or "one
skill", so those views read the attempts themselves: 0.7-2.3 s for one
course of 10,000 learners at 10,000,000 attempts (``bench/bench_dashboard.py``).
Four tables keyed by the UTC day and the skill of the attempts answer them
instead (migration 0012):

- ``course_day_attempts`` (course, day, skill): the overview's attempts,
  correct answers and time on task;
- ``course_day_wrong_answers`` (course, day, skill, misconception, answer,
  step): the misconception page's counts and example answers;
- ``learner_day_misconceptions`` (course, misconception, learner, day): the
  days a learner showed a misconception. How many learners showed it in a
  date range comes mostly from each learner's first and last day of it
  (kept on ``learner_misconception_counts``); only for a learner whose
  answers began before a two-ended range and ended after it are these rows
  looked up;
- ``learner_skill_misconceptions`` (course, skill, misconception, learner):
  the same for one skill (a row is one learner).

The overview's sums under both dates and a skill come from
``course_day_attempts`` too; the misconception page under both, and any
filtered view with a name search, still read the attempts (a name search
narrows them to a few learners' rows).

How they stay exact: like every per-turn summary, a turn adds its attempts
to them in its own transaction (on PostgreSQL in its one write statement);
nothing is ever subtracted, since an attempt's course, learner, day, skill,
answer and verdict never change. Attempts filed under no course are not
counted (no page shows them). :func:`rebuild_day_summaries` recounts them
with the SQL of migration 0012's backfill.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import (
    CourseDayAttempts,
    CourseDayWrongAnswers,
    LearnerDayMisconceptions,
    LearnerSkillMisconceptions,
    utcnow,
)
from service.models.summaries import CONVERSATION_STATS_COLUMNS, NO_SKILL, UNEXPLAINED
from service.usecases.dashboard.filters import IDLE_CAP_MS, DashboardFilter, capped
from service.usecases.upserts import RowTable

Row = dict[str, Any]


def day_of_attempt(attempt: Mapping[str, Any]) -> date:
    """The UTC day of an attempt row (``created_at``; now when it is not set yet).

    >>> from datetime import timedelta, timezone
    >>> day_of_attempt({"created_at": datetime(2025, 3, 1, 23, 30, tzinfo=timezone(-timedelta(hours=2)))})
    datetime.date(2025, 3, 2)
    """
    created = attempt.get("created_at") or utcnow()
    return (created if created.tzinfo else created.replace(tzinfo=UTC)).astimezone(UTC).date()


def _in_a_course(attempts: Iterable[Mapping[str, Any]], wrong_only: bool) -> list[Mapping[str, Any]]:
    return [attempt for attempt in attempts if attempt.get("course_id") is not None
            and not (wrong_only and attempt["correct"])]


def summed(attempts: Iterable[Mapping[str, Any]], keys: Sequence[str],
            key_of: Callable[[Mapping[str, Any]], tuple[Hashable, ...]],
            add: Callable[[Row, Mapping[str, Any]], None]) -> list[Row]:
    """Rows keyed by ``keys`` (``key_of`` each attempt), each attempt added by ``add``, sorted by key.

    (Attempts here; :mod:`.problem_summaries` sums its own rows with it too.)

    Sorted so that two turns writing the same rows lock them in the same
    order (a course's day rows are shared by its turns): no deadlock.
    """
    rows: dict[tuple[Hashable, ...], Row] = {}
    for attempt in attempts:
        key = key_of(attempt)
        row = rows.get(key)
        if row is None:
            row = rows[key] = dict(zip(keys, key, strict=True))
        add(row, attempt)
    return [rows[key] for key in sorted(rows, key=repr)]


def _count(row: Row, attempt: Mapping[str, Any]) -> None:
    row["attempts"] = row.get("attempts", 0) + 1


def _add_stats(row: Row, attempt: Mapping[str, Any]) -> None:
    if "attempts" not in row:
        row.update(dict.fromkeys(CONVERSATION_STATS_COLUMNS, 0))
    row["attempts"] += 1
    row["correct"] += int(bool(attempt["correct"]))
    row["hints_used"] += attempt.get("hints_used") or 0
    row["latency_ms"] += capped(attempt.get("latency_ms"))
    row["timed_attempts"] += int(attempt.get("latency_ms") is not None)


def _skill(attempt: Mapping[str, Any]) -> str:
    return attempt.get("skill") or NO_SKILL


def _misconception(attempt: Mapping[str, Any]) -> str:
    return attempt.get("misconception") or UNEXPLAINED


def sums_by_day_and_skill(attempts: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Attempt rows summed per UTC day and skill (as :func:`course_day_attempt_rows`, for any course or none)."""
    return summed(attempts, ("day", "skill"), lambda a: (day_of_attempt(a), _skill(a)), _add_stats)


# The sums of the attempts, in SQL: the same columns as ``conversation_stats`` (capped latency, timed attempts).
STATS_SQL = (f"count(*), sum(CASE WHEN correct THEN 1 ELSE 0 END), coalesce(sum(hints_used), 0), "
             f"coalesce(sum(CASE WHEN latency_ms > {IDLE_CAP_MS} THEN {IDLE_CAP_MS} ELSE latency_ms END), 0), "
             f"count(latency_ms)")


def course_day_attempt_rows(attempts: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Attempt rows (as inserted into ``attempts``) summed per course, UTC day and skill.

    >>> rows = course_day_attempt_rows([
    ...     {"course_id": 1, "created_at": datetime(2025, 3, 1, 9, tzinfo=UTC), "skill": "inner_derivative",
    ...      "correct": False, "hints_used": 1, "latency_ms": 400_000},
    ...     {"course_id": 1, "created_at": datetime(2025, 3, 1, 9, tzinfo=UTC), "skill": "inner_derivative",
    ...      "correct": True, "hints_used": 0, "latency_ms": None}])
    >>> rows  # doctest: +NORMALIZE_WHITESPACE
    [{'course_id': 1, 'day': datetime.date(2025, 3, 1), 'skill': 'inner_derivative', 'attempts': 2,
      'correct': 1, 'hints_used': 1, 'latency_ms': 300000, 'timed_attempts': 1}]
    """
    return summed(_in_a_course(attempts, wrong_only=False), ("course_id", "day", "skill"),
                   lambda a: (a["course_id"], day_of_attempt(a), _skill(a)), _add_stats)


def course_day_wrong_answer_rows(attempts: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Wrong answers in a course counted per day, skill, misconception, answer and step."""
    return summed(_in_a_course(attempts, wrong_only=True),
                   ("course_id", "day", "skill", "misconception", "answer", "step"),
                   lambda a: (a["course_id"], day_of_attempt(a), _skill(a), _misconception(a), a["answer"],
                              a["step"]), _count)


def learner_day_misconception_rows(attempts: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Wrong answers in a course counted per misconception, learner and day."""
    return summed(_in_a_course(attempts, wrong_only=True), ("course_id", "misconception", "learner_id", "day"),
                   lambda a: (a["course_id"], _misconception(a), a["learner_id"], day_of_attempt(a)), _count)


def learner_skill_misconception_rows(attempts: Iterable[Mapping[str, Any]]) -> list[Row]:
    """Wrong answers in a course counted per skill, misconception and learner."""
    return summed(_in_a_course(attempts, wrong_only=True), ("course_id", "skill", "misconception", "learner_id"),
                   lambda a: (a["course_id"], _skill(a), _misconception(a), a["learner_id"]), _count)


# Each table (how it takes rows: its key, the columns an upsert adds to) and its rows for some attempt rows.
DAY_SUMMARIES: tuple[tuple[RowTable, Callable[[Iterable[Mapping[str, Any]]], list[Row]]], ...] = (
    (RowTable(CourseDayAttempts.__table__, ("course_id", "day", "skill"),  # type: ignore[arg-type]
              add=CONVERSATION_STATS_COLUMNS), course_day_attempt_rows),
    (RowTable(CourseDayWrongAnswers.__table__,  # type: ignore[arg-type]
              ("course_id", "day", "skill", "misconception", "answer", "step"), add=("attempts",)),
     course_day_wrong_answer_rows),
    (RowTable(LearnerDayMisconceptions.__table__,  # type: ignore[arg-type]
              ("course_id", "misconception", "learner_id", "day"), add=("attempts",)), learner_day_misconception_rows),
    (RowTable(LearnerSkillMisconceptions.__table__,  # type: ignore[arg-type]
              ("course_id", "skill", "misconception", "learner_id"), add=("attempts",)),
     learner_skill_misconception_rows),
)


def days_answer(flt: DashboardFilter) -> bool:
    """Whether the day summaries give the filter's figures: a date range or a skill, not both, no search.

    >>> from datetime import date
    >>> days_answer(DashboardFilter(course_id=1, since=date(2025, 1, 1)))
    True
    >>> days_answer(DashboardFilter(course_id=1, since=date(2025, 1, 1), skill="inner_derivative"))
    False
    """
    dated = flt.since is not None or flt.until is not None
    return not flt.search and dated != (flt.skill is not None)


def day_sums_answer(flt: DashboardFilter) -> bool:
    """Whether the sums by day and skill (``course_day_attempts``) give the filter's sums: no search.

    They are keyed by both, so dates with a skill too; counting learners needs :func:`days_answer`.

    >>> from datetime import date
    >>> day_sums_answer(DashboardFilter(course_id=1, since=date(2025, 1, 1), skill="inner_derivative"))
    True
    """
    return not flt.search


def day_conditions(day: sa.ColumnElement[date], flt: DashboardFilter) -> list[sa.ColumnElement[bool]]:
    """Conditions keeping a day column within the filter's days (both ends included)."""
    conditions: list[sa.ColumnElement[bool]] = []
    if flt.since is not None:
        conditions.append(day >= flt.since)
    if flt.until is not None:
        conditions.append(day <= flt.until)
    return conditions


def utc_day_sql(dialect: str, column: str = "created_at") -> str:
    """SQL for the UTC day of a timestamp column, in ``dialect``.

    >>> utc_day_sql("sqlite")
    'substr(created_at, 1, 10)'
    """
    if dialect == "postgresql":
        return f"date(timezone('UTC', {column}))"
    # SQLite keeps UTC timestamps as text that starts with the day (whatever follows it).
    return f"substr({column}, 1, 10)"


def rebuild_day_summaries(session: Session) -> int:
    """Recount the four tables from the attempts; return how many ``course_day_attempts`` rows. The caller commits.

    For tools that load attempts around the use cases (the benchmark's seeding) and for checking them.
    """
    connection = session.connection()
    for row_table, _ in DAY_SUMMARIES:
        session.execute(sa.delete(row_table.table))
    for statement in backfill_sql(connection.dialect.name):
        connection.execute(sa.text(statement))
    return session.scalar(sa.select(sa.func.count()).select_from(CourseDayAttempts)) or 0


def backfill_sql(dialect: str) -> tuple[str, ...]:
    """The SQL of migration 0012's backfill (frozen there), for ``dialect``'s UTC day of a timestamp."""
    day = utc_day_sql(dialect)
    wrong = "FROM attempts WHERE NOT correct AND course_id IS NOT NULL"
    return (
        f"""INSERT INTO course_day_attempts (course_id, day, skill, attempts, correct, hints_used, latency_ms,
                                             timed_attempts)
            SELECT course_id, {day}, coalesce(skill, ''), {STATS_SQL}
            FROM attempts WHERE course_id IS NOT NULL GROUP BY course_id, {day}, coalesce(skill, '')""",
        f"""INSERT INTO course_day_wrong_answers (course_id, day, skill, misconception, answer, step, attempts)
            SELECT course_id, {day}, coalesce(skill, ''), coalesce(misconception, ''), answer, step, count(*) {wrong}
            GROUP BY course_id, {day}, coalesce(skill, ''), coalesce(misconception, ''), answer, step""",
        f"""INSERT INTO learner_day_misconceptions (course_id, misconception, learner_id, day, attempts)
            SELECT course_id, coalesce(misconception, ''), learner_id, {day}, count(*) {wrong}
            GROUP BY course_id, coalesce(misconception, ''), learner_id, {day}""",
        f"""INSERT INTO learner_skill_misconceptions (course_id, skill, misconception, learner_id, attempts)
            SELECT course_id, coalesce(skill, ''), coalesce(misconception, ''), learner_id, count(*) {wrong}
            GROUP BY course_id, coalesce(skill, ''), coalesce(misconception, ''), learner_id""",
    )
