"""CSV exports of a course's attempts, problems (with their outcomes) and mastery, streamed row by row.

The rows are read with ``yield_per`` (a server-side cursor on PostgreSQL),
so a million-row export never sits in memory. Text a learner typed is
neutralised against spreadsheet formula injection: a cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``
(OWASP's advice), so ``-2x`` exports as ``'-2x`` and opens as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import Attempt, Learner, Mastery, ProblemRecord
from service.usecases.dashboard.filters import (
    DashboardFilter,
    attempt_conditions,
    course_learner_ids,
    owned_course,
    problem_conditions,
)

ATTEMPT_COLUMNS: tuple[str, ...] = (
    "created_at", "learner_id", "learner_name", "conversation_id", "step", "answer",
    "correct", "misconception", "skill", "hints_used", "latency_ms",
)
MASTERY_COLUMNS: tuple[str, ...] = (
    "learner_id", "learner_name", "skill", "probability", "attempts", "assessed", "updated_at",
)
PROBLEM_COLUMNS: tuple[str, ...] = (
    "created_at", "learner_id", "learner_name", "conversation_id", "position", "expression", "outcome",
    "updated_at",
)
BATCH = 1000
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_attempts_csv(session: Session, instructor_id: int, flt: DashboardFilter) -> Iterator[str]:
    """The course's attempts under the filter as CSV text chunks, header first.

    Rows come learner by learner (by learner id), each learner's in time order.

    The course is checked before the first chunk is produced, so a caller
    that asks for the first chunk gets :class:`NotFound` up front.
    """
    owned_course(session, instructor_id, flt.course_id)
    query = (
        sa.select(Attempt.created_at, Attempt.learner_id, Learner.name, Attempt.conversation_id,
                  Attempt.step, Attempt.answer, Attempt.correct, Attempt.misconception, Attempt.skill,
                  Attempt.hints_used, Attempt.latency_ms)
        .join(Learner, Learner.id == Attempt.learner_id)
        .where(*attempt_conditions(flt))
        # Learner by learner, each in time order: the order of the
        # (learner_id, created_at) index, so the first rows stream at once
        # instead of after a sort of the whole course.
        .order_by(Attempt.learner_id, Attempt.created_at, Attempt.id)
    )
    return _csv_chunks(ATTEMPT_COLUMNS, _stream(session, query))


def export_mastery_csv(session: Session, instructor_id: int, flt: DashboardFilter) -> Iterator[str]:
    """The stored mastery of the course's (searched) learners as CSV chunks.

    Only skills a learner has practised have a row; ``flt.skill`` keeps one
    skill. Dates do not apply: mastery is the learner's current estimate.
    """
    owned_course(session, instructor_id, flt.course_id)
    query = (
        sa.select(Mastery.learner_id, Learner.name, Mastery.skill, Mastery.probability,
                  Mastery.attempts, Mastery.attempts > 0, Mastery.updated_at)
        .join(Learner, Learner.id == Mastery.learner_id)
        .where(Mastery.learner_id.in_(course_learner_ids(flt)))
        .order_by(Mastery.learner_id, Mastery.skill)
    )
    if flt.skill:
        query = query.where(Mastery.skill == flt.skill)
    return _csv_chunks(MASTERY_COLUMNS, _stream(session, query))


def export_problems_csv(session: Session, instructor_id: int, flt: DashboardFilter) -> Iterator[str]:
    """The problems the course's learners were set in the date range, with their outcomes, as CSV.

    ``outcome`` is one of :data:`service.tutor.outcomes.OUTCOMES`; the rows are
    the ones the overview's solve rate and the learner pages count.
    """
    owned_course(session, instructor_id, flt.course_id)
    query = (
        sa.select(ProblemRecord.created_at, ProblemRecord.learner_id, Learner.name, ProblemRecord.conversation_id,
                  ProblemRecord.position, ProblemRecord.expression, ProblemRecord.outcome, ProblemRecord.updated_at)
        .join(Learner, Learner.id == ProblemRecord.learner_id)
        .where(*problem_conditions(flt))
        .order_by(ProblemRecord.learner_id, ProblemRecord.created_at, ProblemRecord.id)
    )
    return _csv_chunks(PROBLEM_COLUMNS, _stream(session, query))


def _stream(session: Session, query: sa.Select[tuple[object, ...]]) -> Iterator[Sequence[object]]:
    yield from session.execute(query.execution_options(yield_per=BATCH))


def _csv_chunks(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """CSV text: the header, then one chunk per :data:`BATCH` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(value) for value in row])
        if count % BATCH == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def csv_cell(value: object) -> object:
    """A value as a safe CSV cell: ISO times, formula-looking text neutralised.

    >>> csv_cell("=HYPERLINK(1)"), csv_cell("6(2x+1)^2"), csv_cell(None), csv_cell(True)
    ("'=HYPERLINK(1)", '6(2x+1)^2', '', 'true')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
