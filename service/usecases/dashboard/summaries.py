"""The dashboards' summary table: each conversation's attempts, summed.

Why it exists: the all-time exercise difficulty page and the overview's
attempt totals used to aggregate every attempt of a course (100,000 for a
course of 1,000 learners in the benchmark); they now sum one row per
conversation (10,000), which :mod:`bench.bench_dashboard` measured to be
what brings them under the 200 ms target (see ``bench/README.md``).

Which course a row belongs to: its conversation's (``course_id``, a copy
kept since migration 0005), the same course the conversation's attempts are
filed under; a page sums the rows of its course, narrowed to the searched
learners when there is a name search.

When it is used: the summary holds all-time sums, so it answers a filter
without a date range or a skill (:func:`summaries_answer`); a page filtered
by dates or a skill reads the summaries by day and skill of
:mod:`.day_summaries` where they answer it, else the attempts themselves,
through the covering indexes of migrations 0002 and 0003.

How it stays exact: a turn adds its attempts' sums (:func:`stats_rows`) with
an upsert in the turn's own transaction (``turn_records``; on PostgreSQL as
part of the turn's one write statement), so a rolled-back turn leaves no
trace here either. :func:`count_attempts` does the same for attempts written
outside a turn (the test fixtures). :func:`rebuild_conversation_stats`
recomputes the whole table from the attempts (migration 0003 backfills
with the same SQL, frozen in the migration).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import (
    Attempt,
    Conversation,
    ConversationStats,
    WrongAnswerCount,
)
from service.models.summaries import CONVERSATION_STATS_COLUMNS
from service.usecases.dashboard.filters import (
    DashboardFilter,
    capped,
    capped_latency_ms,
)
from service.usecases.dashboard.day_summaries import DAY_SUMMARIES
from service.usecases.dashboard.misconception_summaries import (
    MISCONCEPTION_COUNTS,
    learner_misconception_rows,
    wrong_answer_rows,
)
from service.usecases.dashboard.problem_summaries import PROBLEM_SUMMARIES, problem_summary_rows, problem_sums
from service.usecases.upserts import RowTable


def summaries_answer(flt: DashboardFilter) -> bool:
    """Whether the all-time summaries give the filter's figures (no dates, no skill).

    The name search only narrows the learners, which the summary is keyed by.

    >>> summaries_answer(DashboardFilter(course_id=1, search="ada"))
    True
    >>> from datetime import date
    >>> summaries_answer(DashboardFilter(course_id=1, since=date(2025, 1, 1)))
    False
    """
    return flt.since is None and flt.until is None and flt.skill is None


def stats_rows(attempts: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Attempt rows (as inserted into ``attempts``) summed per conversation.

    >>> rows = [{"conversation_id": "c", "learner_id": "l", "course_id": 3, "correct": False,
    ...          "hints_used": 1, "latency_ms": 400_000}, {"conversation_id": "c", "learner_id": "l",
    ...          "course_id": 3, "correct": True, "hints_used": 0, "latency_ms": None}]
    >>> stats_rows(rows)  # doctest: +NORMALIZE_WHITESPACE
    [{'conversation_id': 'c', 'learner_id': 'l', 'course_id': 3, 'attempts': 2, 'correct': 1,
      'hints_used': 1, 'latency_ms': 300000, 'timed_attempts': 1}]
    """
    summed: dict[str, dict[str, Any]] = {}
    for attempt in attempts:
        row = summed.setdefault(attempt["conversation_id"], {
            "conversation_id": attempt["conversation_id"], "learner_id": attempt["learner_id"],
            "course_id": attempt.get("course_id"), **dict.fromkeys(CONVERSATION_STATS_COLUMNS, 0)})
        row["attempts"] += 1
        row["correct"] += int(bool(attempt["correct"]))
        row["hints_used"] += attempt.get("hints_used") or 0
        row["latency_ms"] += capped(attempt.get("latency_ms"))
        row["timed_attempts"] += int(attempt.get("latency_ms") is not None)
    return list(summed.values())


# Every summary kept from the attempts: how its table takes rows, and its rows
# for some attempt rows (as inserted into ``attempts``).
RowsOf = Callable[[Iterable[Mapping[str, Any]]], list[dict[str, Any]]]
ATTEMPT_SUMMARIES: tuple[tuple[RowTable, RowsOf], ...] = (
    (RowTable(ConversationStats.__table__, ("conversation_id",), add=CONVERSATION_STATS_COLUMNS),  # type: ignore[arg-type]
     stats_rows),
    (MISCONCEPTION_COUNTS, learner_misconception_rows),
    (RowTable(WrongAnswerCount.__table__, ("course_id", "misconception", "answer", "step"),  # type: ignore[arg-type]
              add=("attempts",)), wrong_answer_rows),
    *DAY_SUMMARIES,
)


def count_attempts(session: Session, attempts: Iterable[Mapping[str, Any]]) -> None:
    """Add attempts (rows as inserted into ``attempts``) to their conversations' sums.

    One upsert statement per summary table, in the session's open transaction: the caller's commit writes the
    attempts and their sums together, or neither.
    """
    attempts = list(attempts)
    connection = session.connection()
    # The sums are added to what is there, in the database: no read, so turns
    # of two conversations never race, and one conversation's turns are
    # already serialised by its row lock and version check.
    tables = {row_table.table.name: rows_of(attempts) for row_table, rows_of in ATTEMPT_SUMMARIES}
    tables.update(problem_summary_rows(_problem_sums(connection, attempts)))
    for row_table in (*(row_table for row_table, _ in ATTEMPT_SUMMARIES), *PROBLEM_SUMMARIES):
        if tables[row_table.table.name]:
            connection.execute(row_table.statement(connection.dialect.name), tables[row_table.table.name])


def _problem_sums(connection: sa.Connection, attempts: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The attempts on their conversations' problems (the conversations stay on the problem they are on)."""
    by_conversation: dict[str, list[Mapping[str, Any]]] = {}
    for attempt in attempts:
        by_conversation.setdefault(attempt["conversation_id"], []).append(attempt)
    sums = []
    for conversation_id, its_attempts in by_conversation.items():
        problem = connection.execute(sa.select(Conversation.expression, Conversation.exercise_id).where(
            Conversation.id == conversation_id)).one()
        first = its_attempts[0]
        sums += problem_sums(connection, conversation_id, first["learner_id"], first.get("course_id"),
                             tuple(problem), tuple(problem), its_attempts)
    return sums


def rebuild_conversation_stats(session: Session) -> int:
    """Recompute the whole summary from the attempts; return how many rows it has.

    For tools that load attempts in bulk around the use cases (the
    benchmark's seeding) and for checking that the summary is exact. Runs
    in the session's transaction; the caller commits.
    """
    session.execute(sa.delete(ConversationStats))
    sums = (
        sa.select(
            Attempt.conversation_id, Conversation.learner_id, Conversation.course_id, sa.func.count(),
            sa.func.count().filter(Attempt.correct),
            sa.func.coalesce(sa.func.sum(Attempt.hints_used), 0),
            sa.func.coalesce(sa.func.sum(capped_latency_ms()), 0),
            sa.func.count(Attempt.latency_ms),
        )
        .join(Conversation, Conversation.id == Attempt.conversation_id)
        .group_by(Attempt.conversation_id, Conversation.learner_id, Conversation.course_id)
    )
    columns = ["conversation_id", "learner_id", "course_id", *CONVERSATION_STATS_COLUMNS]
    session.execute(sa.insert(ConversationStats).from_select(columns, sums))
    return session.scalar(sa.select(sa.func.count()).select_from(ConversationStats)) or 0
