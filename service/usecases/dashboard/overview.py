"""The course overview: headline figures and the solve rate day by day.

Definitions (the page repeats them beside each figure):

learners
    enrolled in the course (and matching the name search, if any);
active this week
    those of them seen by the service in the last seven days
    (``learners.last_seen_at``, kept by every authenticated request);
attempts
    answers the learners gave in the date range (and skill, if any);
solve rate
    of the problems they were set in the date range (a conversation may hold
    several), the share they solved themselves, with or without hints
    (``solved``, ``solved_with_hints``; a shown solution is ``gave_up``),
    counted as every page counts them (:mod:`service.usecases.outcomes`);
time on task
    the sum of each attempt's latency (the time from the tutor's question
    to the learner's answer), each capped at :data:`~service.usecases.dashboard.filters.IDLE_CAP_MS` (five
    minutes) so that a tab left open overnight does not count as work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import (
    Attempt,
    CourseDayAttempts,
    Enrolment,
    Learner,
    LearnerProblemStats,
    ProblemRecord,
    utcnow,
)
from service.tutor.outcomes import SOLVED_OUTCOMES
from service.usecases.dashboard.filters import (
    CourseRef,
    DashboardFilter,
    as_date,
    attempt_conditions,
    capped_latency_ms,
    day_of,
    owned_course,
    problem_conditions,
    problem_stats_conditions,
    ratio,
)
from service.usecases.dashboard.day_summaries import day_conditions, day_sums_answer
from service.usecases.dashboard.job_summaries import add_days, counted_before, stored_days
from service.usecases.dashboard.summaries import summaries_answer

ACTIVE_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class DayRate:
    """The problems started on one day and how many of them were solved."""

    day: date
    started: int
    solved: int

    @property
    def solve_rate(self) -> float | None:
        return ratio(self.solved, self.started)


@dataclass(frozen=True)
class CourseOverview:
    """The headline figures of a course under a filter."""

    course: CourseRef
    learners: int
    active_this_week: int
    attempts: int
    correct_attempts: int
    problems_started: int
    problems_solved: int
    time_on_task_ms: int
    solve_rate_by_day: list[DayRate]

    @property
    def solve_rate(self) -> float | None:
        return ratio(self.problems_solved, self.problems_started)

    @property
    def correct_rate(self) -> float | None:
        return ratio(self.correct_attempts, self.attempts)


def course_overview(session: Session, instructor_id: int, flt: DashboardFilter,
                    now: datetime | None = None) -> CourseOverview:
    """The overview of one of the instructor's courses (see the module's definitions).

    Raises :class:`NotFound` for a course the instructor does not own.
    """
    course = owned_course(session, instructor_id, flt.course_id)
    learners, active = _learner_counts(session, flt, (now or utcnow()) - ACTIVE_WINDOW)
    attempts, correct, time_ms = _attempt_totals(session, flt)
    days = solve_rate_by_day(session, flt)
    return CourseOverview(
        course=course, learners=learners, active_this_week=active,
        attempts=attempts, correct_attempts=correct,
        problems_started=sum(d.started for d in days), problems_solved=sum(d.solved for d in days),
        time_on_task_ms=time_ms, solve_rate_by_day=days,
    )


def _learner_counts(session: Session, flt: DashboardFilter, active_since: datetime) -> tuple[int, int]:
    active = sa.func.count(Learner.id).filter(Learner.last_seen_at >= active_since)
    query = (
        sa.select(sa.func.count(Learner.id), active)
        .join(Enrolment, Enrolment.learner_id == Learner.id)
        .where(Enrolment.course_id == flt.course_id)
    )
    if flt.search:
        query = query.where(Learner.name.icontains(flt.search, autoescape=True))
    total, recent = session.execute(query).one()
    return total, recent


def _attempt_totals(session: Session, flt: DashboardFilter) -> tuple[int, int, int]:
    """Attempts, correct ones and time on task: from the summaries, unless a search comes with dates or a skill."""
    if day_sums_answer(flt):
        # All time, a date range, a skill or both: a few rows per day and skill of the course
        # (dashboard.day_summaries), fewer than the course's (learner, problem) pairs.
        days = CourseDayAttempts
        conditions = [days.course_id == flt.course_id, *day_conditions(days.day, flt)]
        if flt.skill:
            conditions.append(days.skill == flt.skill)
        return _summed_totals(session, days.__table__, conditions)  # type: ignore[arg-type]
    if summaries_answer(flt):
        # A name search, all time: the searched learners' rows per problem (dashboard.problem_summaries).
        return _summed_totals(session, LearnerProblemStats.__table__,  # type: ignore[arg-type]
                              problem_stats_conditions(flt))
    # count() rather than count(id): the id is not among the columns the
    # attempts' covering index carries, and naming it would force a visit
    # to every row of the table (PostgreSQL then prefers a full scan).
    query = sa.select(
        sa.func.count(),
        sa.func.count().filter(Attempt.correct),
        sa.func.coalesce(sa.func.sum(capped_latency_ms()), 0),
    ).where(*attempt_conditions(flt))
    attempts, correct, time_ms = session.execute(query).one()
    return attempts, correct, int(time_ms)


def _summed_totals(session: Session, table: sa.Table,
                   conditions: list[sa.ColumnElement[bool]]) -> tuple[int, int, int]:
    """Attempts, correct ones and time on task summed over a summary table's rows."""
    summed = sa.select(*(sa.func.coalesce(sa.func.sum(table.c[name]), 0)
                         for name in ("attempts", "correct", "latency_ms"))).where(*conditions)
    attempts, correct, time_ms = session.execute(summed).one()
    return int(attempts), int(correct), int(time_ms)


def solve_rate_by_day(session: Session, flt: DashboardFilter) -> list[DayRate]:
    """Problems started and solved per UTC day, oldest first, for the solve-rate chart.

    Days without any problem are left out (the chart's time axis spaces them).
    The problems set before the job's last run are counted by the job
    (:mod:`~service.usecases.dashboard.job_summaries`, per course, so not
    for a name search); the others here.
    """
    since = None if flt.search else counted_before(session)
    conditions = problem_conditions(flt)
    if since is not None:
        conditions.append(ProblemRecord.created_at >= since)
    day = day_of(session, ProblemRecord.created_at).label("day")
    query = (
        sa.select(day, sa.func.count(),
                  sa.func.count().filter(ProblemRecord.outcome.in_(SOLVED_OUTCOMES)))
        .where(*conditions)
        .group_by(day)
    )
    days = {as_date(d): (started, solved) for d, started, solved in session.execute(query)}
    if since is not None:
        days = add_days(stored_days(session, flt), days)
    return [DayRate(day=d, started=started, solved=solved) for d, (started, solved) in sorted(days.items())]
