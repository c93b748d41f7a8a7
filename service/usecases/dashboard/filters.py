"""What every dashboard query shares: the filter, paging, and the course scope.

A dashboard always looks at one course of the calling instructor, and
shows the work filed under that course: a conversation belongs to the
course the learner came through when it started (``conversations.course_id``,
see :func:`service.usecases.conversations.start_conversation`) and its
attempts and summary rows carry the same course. A learner enrolled in two
courses therefore shows in both course's learner lists, but each
instructor sees only the conversations and attempts of their own course.
The course's *learners* (counts, the mastery heatmap's rows, the learner
page) are its enrolled learners.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session

from service.models import (
    Attempt,
    Conversation,
    Course,
    Enrolment,
    Learner,
    LearnerProblemStats,
    ProblemRecord,
)
from service.usecases.errors import NotFound

T = TypeVar("T")

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class DashboardFilter:
    """Which part of a course a page shows.

    ``since`` and ``until`` are whole UTC days, both included; ``skill`` is
    one of :data:`service.tutor.skills.SKILL_NAMES`; ``search`` matches
    learner names anywhere, without case.

    >>> DashboardFilter(course_id=3, since=date(2025, 1, 1)).course_id
    3
    """

    course_id: int
    since: date | None = None
    until: date | None = None
    skill: str | None = None
    search: str | None = None


@dataclass(frozen=True)
class PageRequest:
    """One page of a list: ``page`` counts from 1.

    >>> PageRequest(page=3, per_page=10).offset
    20
    """

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def offset(self) -> int:
        return (max(self.page, 1) - 1) * self.limit

    @property
    def limit(self) -> int:
        return min(max(self.per_page, 1), MAX_PER_PAGE)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and where it sits in the whole list.

    >>> Page(items=[1, 2], page=1, per_page=2, total=5).pages
    3
    """

    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // max(self.per_page, 1)))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class CourseRef:
    """The course a dashboard page is about."""

    id: int
    title: str
    code: str


def owned_course(session: Session, instructor_id: int, course_id: int) -> CourseRef:
    """The course, if the instructor owns it.

    Raises :class:`NotFound` both for an unknown course and for another
    instructor's, so that course ids of others are not revealed.
    """
    course = session.get(Course, course_id)
    if course is None or course.instructor_id != instructor_id:
        raise NotFound(f"You have no course with id {course_id}.")
    return CourseRef(id=course.id, title=course.title, code=course.code)


def course_learner_ids(flt: DashboardFilter) -> sa.Select[tuple[str]]:
    """The ids of the course's learners that the filter's name search keeps."""
    query = sa.select(Enrolment.learner_id).where(Enrolment.course_id == flt.course_id)
    if flt.search:
        query = query.join(Learner, Learner.id == Enrolment.learner_id).where(
            Learner.name.icontains(flt.search, autoescape=True))
    return query


def day_range(column: InstrumentedAttribute[datetime], flt: DashboardFilter) -> list[sa.ColumnElement[bool]]:
    """Conditions keeping ``column`` between the filter's first and last day."""
    conditions: list[sa.ColumnElement[bool]] = []
    if flt.since is not None:
        conditions.append(column >= start_of_day(flt.since))
    if flt.until is not None:
        conditions.append(column < start_of_day(flt.until + timedelta(days=1)))
    return conditions


def start_of_day(day: date) -> datetime:
    """Midnight UTC at the start of ``day``.

    >>> start_of_day(date(2025, 3, 1)).isoformat()
    '2025-03-01T00:00:00+00:00'
    """
    return datetime.combine(day, time.min, tzinfo=UTC)


def attempt_conditions(flt: DashboardFilter) -> list[sa.ColumnElement[bool]]:
    """Conditions keeping the attempts of the course that the filter selects."""
    conditions = [Attempt.course_id == flt.course_id, *day_range(Attempt.created_at, flt)]
    if flt.search:
        conditions.append(Attempt.learner_id.in_(course_learner_ids(flt)))
    if flt.skill:
        conditions.append(Attempt.skill == flt.skill)
    return conditions


def conversation_conditions(flt: DashboardFilter) -> list[sa.ColumnElement[bool]]:
    """Conditions keeping the conversations of the course started in the filter's days."""
    conditions = [Conversation.course_id == flt.course_id, *day_range(Conversation.created_at, flt)]
    if flt.search:
        conditions.append(Conversation.learner_id.in_(course_learner_ids(flt)))
    return conditions


def problem_conditions(flt: DashboardFilter) -> list[sa.ColumnElement[bool]]:
    """Conditions keeping the problems set in the course's conversations in the filter's days."""
    in_course = sa.select(Conversation.id).where(Conversation.course_id == flt.course_id)
    conditions = [ProblemRecord.conversation_id.in_(in_course), *day_range(ProblemRecord.created_at, flt)]
    if flt.search:
        conditions.append(ProblemRecord.learner_id.in_(course_learner_ids(flt)))
    return conditions


def problem_stats_conditions(flt: DashboardFilter) -> list[sa.ColumnElement[bool]]:
    """Conditions keeping the per-problem summary rows of the course (and its searched learners)."""
    conditions = [LearnerProblemStats.course_id == flt.course_id]
    if flt.search:
        conditions.append(LearnerProblemStats.learner_id.in_(course_learner_ids(flt)))
    return conditions


def day_of(session: Session, column: InstrumentedAttribute[datetime]) -> sa.ColumnElement[object]:
    """The UTC calendar day of a timestamp column, in SQL.

    PostgreSQL's ``date()`` of a ``timestamptz`` uses the connection's time
    zone, so the value is moved to UTC first; SQLite stores UTC text already.
    """
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.date(sa.func.timezone("UTC", column))
    return sa.func.date(column)


def as_date(value: object) -> date:
    """A day read back from :func:`day_of`: a ``date`` (PostgreSQL) or ISO text (SQLite).

    >>> as_date("2025-03-01"), as_date(date(2025, 3, 1))
    (datetime.date(2025, 3, 1), datetime.date(2025, 3, 1))
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def page_of(items: list[T], total: int, request: PageRequest) -> Page[T]:
    """Wrap the rows of one page (fetched with ``request.limit``/``offset``)."""
    return Page(items=items, page=max(request.page, 1), per_page=request.limit, total=total)


# Five minutes: longer than any honest pause over one step of one problem.
IDLE_CAP_MS = 5 * 60 * 1000


def capped_latency_ms() -> sa.ColumnElement[int]:
    """An attempt's latency capped at :data:`IDLE_CAP_MS`, NULL when unknown, in SQL.

    The cap keeps a tab left open overnight from counting as hours of work
    or from swamping an average. (A CASE rather than LEAST/MIN, because
    PostgreSQL's LEAST skips NULLs and SQLite's MIN returns them.)
    """
    return sa.case((Attempt.latency_ms > IDLE_CAP_MS, IDLE_CAP_MS), else_=Attempt.latency_ms)


def capped(latency_ms: int | None) -> int:
    """One attempt's contribution to time on task, in Python: capped at ``IDLE_CAP_MS``, 0 when unknown.

    >>> capped(4_000), capped(10_000_000), capped(None)
    (4000, 300000, 0)
    """
    return 0 if latency_ms is None else min(latency_ms, IDLE_CAP_MS)


def ratio(part: int | None, whole: int | None) -> float | None:
    """``part / whole``, or ``None`` when there is nothing to divide.

    >>> ratio(1, 4), ratio(0, 0)
    (0.25, None)
    """
    return (part or 0) / whole if whole else None
