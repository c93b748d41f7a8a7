"""The overview's summaries kept by a job: problems per course and UTC day, conversations per outcome.

Why a job and not the turns: the solve-rate chart counts a problem on the
day it was set, and whether it is solved now; "problems by outcome" counts
conversations by their outcome now. A turn that solves a problem set last
week would have to read that problem's day first; and outcomes also change
outside turns (a new conversation abandons the learner's open ones). Both
are figures a teacher reads as a trend, where minutes of delay on old
problems change nothing.

What is exact and what lags: :func:`refresh_dashboards` (``chain-tutor
dashboards refresh``, run every few minutes) counts every problem set (and
conversation started) before the moment it started, less a minute, and
records that moment. The pages then add the stored counts to a live count
of what was set since (index ranges of ``problems.created_at`` and
``conversations (course_id, created_at)``, migration 0010). A new problem
shows at once; an old problem solved since the last run shows after the
next one. Until the job has run once, everything is counted live, as before.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import (
    Conversation,
    CourseDayProblems,
    CourseOutcomeCount,
    ProblemRecord,
    SummaryRefresh,
    utcnow,
)
from service.tutor.outcomes import SOLVED_OUTCOMES
from service.usecases.dashboard.filters import DashboardFilter, as_date, day_of

PROBLEM_DAYS = "course_day_problems"
OUTCOMES = "course_outcome_counts"

DayCounts = dict[date, tuple[int, int]]  # day -> (started, solved)


# A turn stamps its problem rows before it commits, within a request's time
# bound (5 s). The job counts the rows set before this long ago, so a row its
# snapshot could not see yet is newer and counted live instead, never lost.
IN_FLIGHT_MARGIN = timedelta(minutes=1)


def refresh_problem_days(session: Session, before: datetime | None = None) -> int:
    """Recount every course's problems per day, those set ``before`` (now less
    :data:`IN_FLIGHT_MARGIN`); return how many day rows.

    One transaction (the caller commits): a reader sees the old counts or
    the new ones with their new moment, never a mix.
    """
    counted_before = before or utcnow() - IN_FLIGHT_MARGIN
    day = day_of(session, ProblemRecord.created_at)
    counts = (
        sa.select(Conversation.course_id, day, sa.func.count(),
                  sa.func.count().filter(ProblemRecord.outcome.in_(SOLVED_OUTCOMES)))
        .join(Conversation, Conversation.id == ProblemRecord.conversation_id)
        .where(Conversation.course_id.is_not(None), ProblemRecord.created_at < counted_before)
        .group_by(Conversation.course_id, day)
    )
    session.execute(sa.delete(CourseDayProblems))
    rows = [{"course_id": course, "day": as_date(d), "started": started, "solved": solved}
            for course, d, started, solved in session.execute(counts)]
    if rows:
        session.execute(sa.insert(CourseDayProblems), rows)
    _counted(session, PROBLEM_DAYS, counted_before)
    return len(rows)


def refresh_course_outcomes(session: Session, before: datetime | None = None) -> int:
    """Recount every course's conversations by outcome, those started ``before``; return how many rows."""
    counted_before = before or utcnow() - IN_FLIGHT_MARGIN
    counts = (
        sa.select(Conversation.course_id, Conversation.status, sa.func.count())
        .where(Conversation.course_id.is_not(None), Conversation.created_at < counted_before)
        .group_by(Conversation.course_id, Conversation.status)
    )
    session.execute(sa.delete(CourseOutcomeCount))
    rows = [{"course_id": course, "status": status, "conversations": n} for course, status, n in session.execute(counts)]
    if rows:
        session.execute(sa.insert(CourseOutcomeCount), rows)
    _counted(session, OUTCOMES, counted_before)
    return len(rows)


def refresh_dashboards(session: Session) -> dict[str, int]:
    """Everything ``chain-tutor dashboards refresh`` recounts: rows per summary. The caller commits."""
    return {PROBLEM_DAYS: refresh_problem_days(session), OUTCOMES: refresh_course_outcomes(session)}


def _counted(session: Session, name: str, counted_before: datetime) -> None:
    refresh = session.get(SummaryRefresh, name)
    if refresh is None:
        session.add(SummaryRefresh(name=name, counted_before=counted_before))
    else:
        refresh.counted_before = counted_before
    session.flush()


def counted_before(session: Session, name: str = PROBLEM_DAYS) -> datetime | None:
    """When the job last counted summary ``name`` (``None``: never, so count everything live)."""
    return session.scalar(sa.select(SummaryRefresh.counted_before).where(SummaryRefresh.name == name))


def stored_outcomes(session: Session, course_id: int) -> dict[str, int]:
    """The job's counts of the course's conversations by stored status."""
    query = sa.select(CourseOutcomeCount.status, CourseOutcomeCount.conversations).where(
        CourseOutcomeCount.course_id == course_id)
    return {status: int(n) for status, n in session.execute(query)}


def stored_days(session: Session, flt: DashboardFilter) -> DayCounts:
    """The job's counts of the course's days in the filter's range (whole UTC days)."""
    conditions = [CourseDayProblems.course_id == flt.course_id]
    if flt.since is not None:
        conditions.append(CourseDayProblems.day >= flt.since)
    if flt.until is not None:
        conditions.append(CourseDayProblems.day <= flt.until)
    query = sa.select(CourseDayProblems.day, CourseDayProblems.started, CourseDayProblems.solved).where(*conditions)
    return {as_date(d): (int(started), int(solved)) for d, started, solved in session.execute(query)}


def add_days(stored: DayCounts, live: DayCounts) -> DayCounts:
    """Both counts, day by day.

    >>> add_days({date(2025, 1, 1): (3, 1)}, {date(2025, 1, 1): (1, 1), date(2025, 1, 2): (2, 0)})
    {datetime.date(2025, 1, 1): (4, 2), datetime.date(2025, 1, 2): (2, 0)}
    """
    days = dict(stored)
    for day, (started, solved) in live.items():
        before = days.get(day, (0, 0))
        days[day] = (before[0] + started, before[1] + solved)
    return days
