"""The exercise page's summaries: a course's attempts at each problem, summed.

Why they exist: the exercise difficulty page sums a course's attempts per
problem. All time, it used to sum one ``conversation_stats`` row per
conversation joined to its conversation for the problem (1,000,000 of each
for a course of 10,000 learners at 10,000,000 attempts); under a date range
it read every attempt of the range (1.7 s). Four tables, with the problem in
the row, answer it instead (``bench/bench_dashboard.py``):

- ``learner_problem_stats`` (course, problem, learner), migration 0010: all
  time, and the overview's all-time totals; a row with attempts is one
  learner of the problem;
- ``course_problem_days`` (course, UTC day, skill, problem), migration 0013:
  the sums under a date range or a skill;
- ``learner_problem_days`` (course, day, problem, learner) and
  ``learner_problem_skills`` (course, skill, problem, learner): how many
  learners tried each problem in the range, or at the skill.

How they stay exact: the turn adds its attempts to the rows of the problem
the conversation is on after the turn. A problem is the conversation's
*current* expression and exercise (a conversation's attempts go with it to
its next problem, as the page has always counted them), so a turn that
moves a conversation with attempts to a new problem also moves the
conversation's attempts so far (read from ``attempts``, summed per day and
skill: one more statement on such a turn), subtracted from the old
problem's rows and added to the new one's. The learner's rows the move left
at zero attempts are then deleted (:func:`delete_emptied`), so that every row
of the three tables keyed by learner is one learner who tried the problem:
the page counts learners from the key alone, an index-only scan. Like the
other summaries they are written in the turn's own transaction (on
PostgreSQL in its one write statement).
:func:`rebuild_problem_stats` and :func:`rebuild_problem_days` recompute
them with the SQL of the migrations' backfills.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import CourseProblemDays, LearnerProblemDays, LearnerProblemSkills, LearnerProblemStats
from service.models.summaries import CONVERSATION_STATS_COLUMNS, NO_EXERCISE
from service.usecases.dashboard.day_summaries import STATS_SQL, summed, sums_by_day_and_skill, utc_day_sql
from service.usecases.dashboard.filters import as_date
from service.usecases.upserts import RowTable

Problem = tuple[str, int | None]  # a conversation's (expression, exercise_id)
Row = dict[str, Any]

# Each table, keyed by the course and the problem and some of: the learner, the UTC day, the skill.
PROBLEM_SUMMARIES: tuple[RowTable, ...] = (
    RowTable(LearnerProblemStats.__table__,  # type: ignore[arg-type]
             ("course_id", "expression", "exercise_key", "learner_id"), add=CONVERSATION_STATS_COLUMNS),
    RowTable(CourseProblemDays.__table__,  # type: ignore[arg-type]
             ("course_id", "day", "skill", "expression", "exercise_key"), add=CONVERSATION_STATS_COLUMNS),
    RowTable(LearnerProblemDays.__table__,  # type: ignore[arg-type]
             ("course_id", "day", "expression", "exercise_key", "learner_id"), add=("attempts",)),
    RowTable(LearnerProblemSkills.__table__,  # type: ignore[arg-type]
             ("course_id", "skill", "expression", "exercise_key", "learner_id"), add=("attempts",)),
)


def problem_sums(connection: sa.Connection, conversation_id: str, learner_id: str, course_id: int | None,
                 before: Problem, after: Problem, attempts: Iterable[Mapping[str, Any]]) -> list[Row]:
    """What a turn adds to the summaries: its ``attempts`` (rows as inserted) on problem ``after``.

    Each row is a day and skill's sums, with the course, learner and problem
    they count for. When the turn moved the conversation from problem
    ``before`` to ``after``, its attempts so far move too (read here, in the
    turn's transaction, after the conversation's row was locked): negative
    sums on ``before``, the same sums on ``after``. Nothing for a
    conversation filed under no course.
    """
    if course_id is None:
        return []
    owner = {"course_id": course_id, "learner_id": learner_id}
    sums = [{**owner, **_problem(after), **row} for row in sums_by_day_and_skill(attempts)]
    if before != after and before[0]:
        for row in _conversation_sums(connection, conversation_id):
            sums.append({**owner, **_problem(before), **{name: -value if name in CONVERSATION_STATS_COLUMNS
                                                         else value for name, value in row.items()}})
            sums.append({**owner, **_problem(after), **row})
    return sums


def problem_summary_rows(sums: Iterable[Mapping[str, Any]]) -> dict[str, list[Row]]:
    """Each summary table's rows for ``sums`` (:func:`problem_sums`), by table name.

    Summed per row key and sorted by it, so that two turns writing the same
    rows (a course's day rows are shared by its turns) lock them in the same
    order: no deadlock.
    """
    sums = list(sums)
    return {row_table.table.name: summed(sums, row_table.keys or (), _key_of(row_table.keys or ()),
                                         _adding(row_table.add))
            for row_table in PROBLEM_SUMMARIES}


def _key_of(names: tuple[str, ...]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    return lambda row: tuple(row[name] for name in names)


def _adding(columns: tuple[str, ...]) -> Callable[[Row, Mapping[str, Any]], None]:
    def add(row: Row, sums: Mapping[str, Any]) -> None:
        for name in columns:
            row[name] = row.get(name, 0) + sums[name]
    return add


def delete_emptied(connection: sa.Connection, sums: Iterable[Mapping[str, Any]]) -> None:
    """Delete the learner's rows that a move (the negative ``sums``) left at zero attempts.

    Run after the turn's write, in its transaction; nothing when the turn
    moved nothing. One DELETE per table keyed by learner, each row found
    by its whole key.
    """
    emptied = [row for row in sums if row["attempts"] < 0]
    if not emptied:
        return
    for row_table in PROBLEM_SUMMARIES:
        key_names = row_table.keys or ()
        if "learner_id" not in key_names:
            continue  # course_problem_days: a course's row, summed over its learners when read
        keys = sorted({tuple(row[name] for name in key_names) for row in emptied}, key=repr)
        connection.execute(_delete_emptied(row_table.table, key_names),
                           [dict(zip(key_names, key, strict=True)) for key in keys])


@functools.cache
def _delete_emptied(table: sa.Table, key_names: tuple[str, ...]) -> sa.Delete:
    return sa.delete(table).where(*(table.c[name] == sa.bindparam(name) for name in key_names),
                                  table.c.attempts == 0)


def _problem(problem: Problem) -> Row:
    expression, exercise_id = problem
    return {"expression": expression, "exercise_key": NO_EXERCISE if exercise_id is None else exercise_id}


def _conversation_sums(connection: sa.Connection, conversation_id: str) -> list[Row]:
    """The conversation's attempts so far, summed per UTC day and skill."""
    rows = connection.execute(_sums_by_day_and_skill(connection.dialect.name), {"conversation_id": conversation_id})
    return [{"day": as_date(day), "skill": skill, **dict(zip(CONVERSATION_STATS_COLUMNS, sums, strict=True))}
            for day, skill, *sums in rows]


@functools.cache
def _sums_by_day_and_skill(dialect: str) -> sa.TextClause:
    return sa.text(f"""SELECT {utc_day_sql(dialect)}, coalesce(skill, ''), {STATS_SQL} FROM attempts
                       WHERE conversation_id = :conversation_id GROUP BY 1, 2""")


def rebuild_problem_stats(session: Session) -> int:
    """Recompute ``learner_problem_stats`` from ``conversation_stats``; return how many rows. The caller commits."""
    session.execute(sa.delete(LearnerProblemStats))
    session.execute(sa.text(BACKFILL))
    return session.scalar(sa.select(sa.func.count()).select_from(LearnerProblemStats)) or 0


def rebuild_problem_days(session: Session) -> int:
    """Recompute the three tables by day and skill from the attempts; return how many
    ``course_problem_days`` rows. The caller commits."""
    connection = session.connection()
    for row_table in PROBLEM_SUMMARIES[1:]:
        session.execute(sa.delete(row_table.table))
    for statement in days_backfill_sql(connection.dialect.name):
        connection.execute(sa.text(statement))
    return session.scalar(sa.select(sa.func.count()).select_from(CourseProblemDays)) or 0


# The same SQL as migration 0010's backfill (frozen there). From the
# per-conversation sums, which migration 0003 made exact.
BACKFILL = """
    INSERT INTO learner_problem_stats (course_id, expression, exercise_key, learner_id, attempts, correct,
                                       hints_used, latency_ms, timed_attempts)
    SELECT c.course_id, c.expression, coalesce(c.exercise_id, 0), c.learner_id, sum(s.attempts), sum(s.correct),
           sum(s.hints_used), sum(s.latency_ms), sum(s.timed_attempts)
    FROM conversation_stats s JOIN conversations c ON c.id = s.conversation_id
    WHERE c.course_id IS NOT NULL
    GROUP BY c.course_id, c.expression, coalesce(c.exercise_id, 0), c.learner_id
"""


def days_backfill_sql(dialect: str) -> tuple[str, ...]:
    """The SQL of migration 0013's backfill (frozen there), for ``dialect``'s UTC day of a timestamp.

    Each attempt counts for its conversation's current problem.
    """
    day = utc_day_sql(dialect, "a.created_at")
    problem = "c.expression, coalesce(c.exercise_id, 0)"
    joined = "FROM attempts a JOIN conversations c ON c.id = a.conversation_id WHERE c.course_id IS NOT NULL"
    return (
        f"""INSERT INTO course_problem_days (course_id, day, skill, expression, exercise_key, attempts, correct,
                                             hints_used, latency_ms, timed_attempts)
            SELECT c.course_id, {day}, coalesce(a.skill, ''), {problem}, {STATS_SQL} {joined}
            GROUP BY c.course_id, {day}, coalesce(a.skill, ''), {problem}""",
        f"""INSERT INTO learner_problem_days (course_id, day, expression, exercise_key, learner_id, attempts)
            SELECT c.course_id, {day}, {problem}, c.learner_id, count(*) {joined}
            GROUP BY c.course_id, {day}, {problem}, c.learner_id""",
        f"""INSERT INTO learner_problem_skills (course_id, skill, expression, exercise_key, learner_id, attempts)
            SELECT c.course_id, coalesce(a.skill, ''), {problem}, c.learner_id, count(*) {joined}
            GROUP BY c.course_id, coalesce(a.skill, ''), {problem}, c.learner_id""",
    )
