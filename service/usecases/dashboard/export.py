"""CSV exports of a course's attempts, problems (with their outcomes) and mastery, streamed row by row.

The rows are read with ``yield_per`` (a server-side cursor on PostgreSQL),
so a million-row export never sits in memory.

Readable in a spreadsheet as it is: the file starts with a byte-order mark
(so Excel reads it as UTF-8: ``·``, ``²``, ``σ``), each attempt names its
problem and the conversation's outcome (``solved``, ``solved_with_hints``,
``gave_up``, ``abandoned``, ``in_progress``), probabilities are written
with at most three decimals (``0.6``, never ``0.5999999999999999``), and an
unnamed learner is labelled as the dashboard labels them.

Formula injection (OWASP's CSV injection advice): a cell a spreadsheet
would run as a formula gets a leading ``'``. That is every cell starting
with ``=``, ``@``, a tab or a line break, and a cell starting with ``+`` or
``-`` that calls a function other than a maths one (``-HYPERLINK(...)``) or
holds DDE or reference syntax (``|``, ``!``, quotes). A maths answer such
as ``-2x`` or ``-sin(x)·2x`` is left as it is, so it shows as the learner
typed it (tests/integration/test_csv_in_libreoffice.py opens an export
in LibreOffice to check both).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.calculus.functions import FUNCTIONS
from service.models import Attempt, Conversation, CourseMastery, Learner, ProblemRecord
from service.usecases.dashboard.filters import (
    DashboardFilter,
    attempt_conditions,
    course_learner_ids,
    owned_course,
    problem_conditions,
)
from service.usecases.dashboard.labels import learner_label

ATTEMPT_COLUMNS: tuple[str, ...] = (
    "created_at", "learner_id", "learner", "learner_name", "conversation_id", "problem", "outcome",
    "step", "answer", "correct", "misconception", "skill", "hints_used", "latency_ms",
)
MASTERY_COLUMNS: tuple[str, ...] = (
    "learner_id", "learner", "learner_name", "skill", "probability", "attempts", "assessed", "updated_at",
)
PROBLEM_COLUMNS: tuple[str, ...] = (
    "created_at", "learner_id", "learner_name", "conversation_id", "position", "expression", "outcome",
    "updated_at",
)
BATCH = 1000
BOM = "\ufeff"
DECIMALS = 3
# The stored status of a conversation still in progress; exports use the contract's word.
_OUTCOMES = {"active": "in_progress"}
_ALWAYS_FORMULA = ("=", "@", "\t", "\r", "\n")
_SIGNS = ("+", "-")
_FORMULA_STARTS = frozenset(_ALWAYS_FORMULA + _SIGNS)
_CALLS = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*\(")
_REFERENCE_SYNTAX = re.compile(r"[|!\"';]")
# Letter runs this short are products of variables (2x(x+1), wx(...)), not spreadsheet functions.
_SHORT_NAME = 3
_MATHS_NAMES = frozenset(name.lower() for name in FUNCTIONS)


def export_attempts_csv(session: Session, instructor_id: int, flt: DashboardFilter) -> Iterator[str]:
    """The course's attempts under the filter as CSV text chunks, header first.

    Rows come learner by learner (by learner id), each learner's in time order.

    The course is checked before the first chunk is produced, so a caller
    that asks for the first chunk gets :class:`NotFound` up front.
    """
    owned_course(session, instructor_id, flt.course_id)
    query = (
        sa.select(Attempt.created_at, Attempt.learner_id, Learner.name, Learner.source, Learner.source_host,
                  Attempt.conversation_id, Conversation.expression, Conversation.status,
                  Attempt.step, Attempt.answer, Attempt.correct, Attempt.misconception, Attempt.skill,
                  Attempt.hints_used, Attempt.latency_ms)
        .join(Learner, Learner.id == Attempt.learner_id)
        .join(Conversation, Conversation.id == Attempt.conversation_id)
        .where(*attempt_conditions(flt))
        # Learner by learner, each in time order: the order of the
        # (learner_id, created_at) index, so the first rows stream at once
        # instead of after a sort of the whole course.
        .order_by(Attempt.learner_id, Attempt.created_at, Attempt.id)
    )
    return _csv_chunks(ATTEMPT_COLUMNS, map(_attempt_cells, _stream(session, query)))


def export_mastery_csv(session: Session, instructor_id: int, flt: DashboardFilter) -> Iterator[str]:
    """The course's copy of its (searched) learners' mastery as CSV chunks.

    Only evidence from this course's conversations counts
    (:mod:`service.usecases.course_models`). Only skills a learner has practised here have a row; ``flt.skill`` keeps one
    skill. Dates do not apply: mastery is the learner's current estimate.
    """
    owned_course(session, instructor_id, flt.course_id)
    query = (
        sa.select(CourseMastery.learner_id, Learner.name, Learner.source, Learner.source_host, CourseMastery.skill,
                  CourseMastery.probability, CourseMastery.attempts, CourseMastery.attempts > 0,
                  CourseMastery.updated_at)
        .join(Learner, Learner.id == CourseMastery.learner_id)
        .where(CourseMastery.course_id == flt.course_id, CourseMastery.learner_id.in_(course_learner_ids(flt)))
        .order_by(CourseMastery.learner_id, CourseMastery.skill)
    )
    if flt.skill:
        query = query.where(CourseMastery.skill == flt.skill)
    return _csv_chunks(MASTERY_COLUMNS, map(_mastery_cells, _stream(session, query)))


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
    return _csv_chunks(PROBLEM_COLUMNS, ([csv_cell(value) for value in row] for row in _stream(session, query)))


def _stream(session: Session, query: sa.Select[tuple[object, ...]]) -> Iterator[Sequence[object]]:
    yield from session.execute(query.execution_options(yield_per=BATCH))


# A first page of 10,000 attempts is 140,000 cells: the two big exports format
# each row in one call, knowing which of its cells are text a spreadsheet could
# run (ids, numbers and NULLs the csv module writes as they are), instead of
# asking csv_cell about every cell (bench/bench_dashboard.py: about a third of
# the export's time went there).

def _attempt_cells(row: Sequence[Any]) -> tuple[object, ...]:
    """One ``attempts.csv`` row (:data:`ATTEMPT_COLUMNS`) from the export's query row."""
    (created, learner_id, name, source, host, conversation_id, problem, status, step, answer, correct,
     misconception, skill, hints_used, latency_ms) = row
    return (created.isoformat(), learner_id, _text(learner_label(name, learner_id, source, host)), _text(name),
            conversation_id, _text(problem), _OUTCOMES.get(status, status), _text(step), _text(answer),
            "true" if correct else "false", _text(misconception), _text(skill), hints_used, latency_ms)


def _mastery_cells(row: Sequence[Any]) -> tuple[object, ...]:
    """One ``mastery.csv`` row (:data:`MASTERY_COLUMNS`) from the export's query row."""
    learner_id, name, source, host, skill, probability, attempts, assessed, updated_at = row
    return (learner_id, _text(learner_label(name, learner_id, source, host)), _text(name), _text(skill),
            csv_cell(probability), attempts, "true" if assessed else "false", csv_cell(updated_at))


def _text(value: str | None) -> str | None:
    """A text cell, its formula neutralised (see :func:`csv_cell`); ``None`` stays empty."""
    if value and value[0] in _FORMULA_STARTS and runs_as_formula(value):
        return "'" + value
    return value


def _csv_chunks(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """CSV text: a byte-order mark and the header, then one chunk per :data:`BATCH` formatted rows."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow(header)
    rows = iter(rows)
    while batch := list(itertools.islice(rows, BATCH)):
        writer.writerows(batch)
        yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def csv_cell(value: object) -> object:
    """A value as a safe, readable CSV cell: ISO times, short decimals, formulas neutralised.

    >>> csv_cell("=HYPERLINK(1)"), csv_cell("-2x"), csv_cell(None), csv_cell(True)
    ("'=HYPERLINK(1)", '-2x', '', 'true')
    >>> csv_cell(0.5999999999999999), csv_cell(1.0), csv_cell(0.12345)
    ('0.6', '1', '0.123')
    """
    # Most cells are ids, names and numbers: answered before any other test
    # (a first page of 10,000 rows is 140,000 cells).
    kind = type(value)
    if kind is str:
        return "'" + value if value[:1] in _FORMULA_STARTS and runs_as_formula(value) else value  # type: ignore[operator]
    if kind is int:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.{DECIMALS}f}".rstrip("0").rstrip(".") or "0"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and runs_as_formula(value):
        return "'" + value
    return value


def runs_as_formula(text: str) -> bool:
    """Whether a spreadsheet could run ``text`` as a formula that does more than arithmetic.

    >>> [runs_as_formula(t) for t in ("=1+1", "@SUM(A1)", "-2x", "-sin(x)·2x", "-2x(x+1)")]
    [True, True, False, False, False]
    >>> [runs_as_formula(t) for t in ("+HYPERLINK(1)", "-cmd|' /C calc'!A0", "−2x")]
    [True, True, False]
    """
    if text.startswith(_ALWAYS_FORMULA):
        return True
    if not text.startswith(_SIGNS):
        return False
    if _REFERENCE_SYNTAX.search(text):
        return True
    return any(len(name) > _SHORT_NAME and name.lower() not in _MATHS_NAMES for name in _CALLS.findall(text))
