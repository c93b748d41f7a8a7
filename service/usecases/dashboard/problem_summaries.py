"""The exercise page's summary: each learner's attempts at each problem of a course, summed.

Why it exists: all time, the exercise difficulty page summed one
``conversation_stats`` row per conversation and joined each to its
conversation for the problem (1,000,000 of each for a course of 10,000
learners at 10,000,000 attempts). ``learner_problem_stats`` holds the same
sums per (course, problem, learner), with the problem in the row, so the page
and the overview's all-time totals sum a course's rows with no join.

How it stays exact: the turn adds its attempts to the row of the problem the
conversation is on after the turn. A problem is the conversation's *current*
expression and exercise (a conversation's attempts go with it to its next
problem, as the page has always counted them), so a turn that moves a
conversation with attempts to a new problem also moves the conversation's
sums (read from ``conversation_stats``, one more statement on such a turn):
subtracted from the old problem's row, added to the new one's. Like the other
summaries it is written in the turn's own transaction (on PostgreSQL in its
one write statement). :func:`rebuild_problem_stats` recomputes it with the
SQL of migration 0010's backfill.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import ConversationStats, LearnerProblemStats
from service.models.summaries import CONVERSATION_STATS_COLUMNS, NO_EXERCISE

Problem = tuple[str, int | None]  # a conversation's (expression, exercise_id)
PROBLEM_STATS_KEY = ("course_id", "expression", "exercise_key", "learner_id")

_READ_SUMS = sa.select(*(ConversationStats.__table__.c[name] for name in CONVERSATION_STATS_COLUMNS)).where(
    ConversationStats.__table__.c.conversation_id == sa.bindparam("conversation_id"))


def problem_stats_rows(connection: sa.Connection, conversation_id: str, learner_id: str, course_id: int | None,
                       before: Problem, after: Problem,
                       added: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows a turn adds to: ``added`` (its per-conversation sums, ``stats_rows``) on ``after``.

    When the turn moved the conversation from problem ``before`` to
    ``after``, its sums so far move too (read here, in the turn's
    transaction, after the conversation's row was locked). Nothing for a
    conversation filed under no course.
    """
    if course_id is None:
        return []
    sums = dict.fromkeys(CONVERSATION_STATS_COLUMNS, 0)
    for row in added:
        for name in CONVERSATION_STATS_COLUMNS:
            sums[name] += row[name]
    rows = []
    if before != after and before[0]:
        moved = connection.execute(_READ_SUMS, {"conversation_id": conversation_id}).one_or_none()
        if moved is not None:
            rows.append(_row(course_id, learner_id, before, {name: -value for name, value in moved._mapping.items()}))
            sums = {name: sums[name] + moved._mapping[name] for name in CONVERSATION_STATS_COLUMNS}
    if any(sums.values()):
        rows.append(_row(course_id, learner_id, after, sums))
    return rows


def _row(course_id: int, learner_id: str, problem: Problem, sums: Mapping[str, int]) -> dict[str, Any]:
    expression, exercise_id = problem
    return {"course_id": course_id, "expression": expression,
            "exercise_key": NO_EXERCISE if exercise_id is None else exercise_id, "learner_id": learner_id,
            **{name: sums[name] for name in CONVERSATION_STATS_COLUMNS}}


def rebuild_problem_stats(session: Session) -> int:
    """Recompute the summary from ``conversation_stats``; return how many rows it has. The caller commits."""
    session.execute(sa.delete(LearnerProblemStats))
    session.execute(sa.text(BACKFILL))
    return session.scalar(sa.select(sa.func.count()).select_from(LearnerProblemStats)) or 0


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
