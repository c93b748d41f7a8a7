"""The solve-rate chart's summary, kept by a job: problems set and solved per course and UTC day.

Why a job and not the turns: the chart counts a problem on the day it was
set, and whether it is solved now. A turn that solves a problem set last
week would have to read that problem's day first; and a problem's outcome
also changes outside turns (a new conversation abandons the learner's open
ones). The per-day counts are also the one figure a teacher reads as a
trend, where minutes of delay on old days change nothing.

What is exact and what lags: :func:`refresh_problem_days` (``chain-tutor
dashboards refresh``, run every few minutes) counts every problem set
before the moment it started, and records that moment. The chart then adds
the stored days to a live count of the problems set since (an index range
of ``problems.created_at``, migration 0010). A new problem shows at once;
an old problem solved since the last run shows after the next one. Until
the job has run once, the chart counts everything live, as before.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import Conversation, CourseDayProblems, ProblemRecord, SummaryRefresh, utcnow
from service.tutor.outcomes import SOLVED_OUTCOMES
from service.usecases.dashboard.filters import DashboardFilter, as_date, day_of

PROBLEM_DAYS = "course_day_problems"

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
    refresh = session.get(SummaryRefresh, PROBLEM_DAYS)
    if refresh is None:
        session.add(SummaryRefresh(name=PROBLEM_DAYS, counted_before=counted_before))
    else:
        refresh.counted_before = counted_before
    session.flush()
    return len(rows)


def counted_before(session: Session) -> datetime | None:
    """When the job last counted the problems (``None``: never, so count them all live)."""
    return session.scalar(sa.select(SummaryRefresh.counted_before).where(SummaryRefresh.name == PROBLEM_DAYS))


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
