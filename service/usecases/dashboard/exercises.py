"""Per-exercise difficulty: how a course fared on each problem it was given.

A problem is a conversation's expression: an exercise of the bank (then
its slug and stated difficulty are shown) or an expression a learner typed
or the tutor generated. Grouping by the conversation rather than by
``attempts.exercise_id`` keeps the generated and typed problems too.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import (
    Attempt,
    Conversation,
    CourseProblemDays,
    Exercise,
    LearnerProblemDays,
    LearnerProblemSkills,
    LearnerProblemStats,
)
from service.models.summaries import CONVERSATION_STATS_COLUMNS, NO_EXERCISE
from service.usecases.dashboard.day_summaries import day_conditions, days_answer
from service.usecases.dashboard.filters import (
    CourseRef,
    DashboardFilter,
    Page,
    PageRequest,
    attempt_conditions,
    capped_latency_ms,
    owned_course,
    page_of,
    problem_stats_conditions,
    ratio,
)
from service.usecases.dashboard.summaries import summaries_answer


@dataclass(frozen=True)
class ExerciseDifficulty:
    """The attempts at one problem and how they went."""

    expression: str
    exercise_slug: str | None
    stated_difficulty: int | None
    attempts: int
    learners: int
    correct: int
    average_hints: float
    # Capped per attempt like time on task (filters.IDLE_CAP_MS).
    average_latency_ms: float | None

    @property
    def correct_rate(self) -> float | None:
        return ratio(self.correct, self.attempts)


@dataclass(frozen=True)
class DifficultyReport:
    course: CourseRef
    exercises: Page[ExerciseDifficulty]


def exercise_difficulty(session: Session, instructor_id: int, flt: DashboardFilter,
                        request: PageRequest) -> DifficultyReport:
    """The course's problems, hardest (lowest share of correct answers) first.

    Raises :class:`NotFound` for a course the instructor does not own.
    """
    course = owned_course(session, instructor_id, flt.course_id)
    grouped = _per_problem(flt)
    hardest_first = (sa.cast(grouped.c.correct, sa.Float) / grouped.c.attempts).asc()
    query = (
        sa.select(grouped, Exercise.slug, Exercise.difficulty)
        .outerjoin(Exercise, Exercise.id == grouped.c.exercise_id)
        .order_by(hardest_first, grouped.c.attempts.desc(), grouped.c.expression)
        .limit(request.limit)
        .offset(request.offset)
    )
    rows = session.execute(query).all()
    total = rows[0].total if rows else _count_problems(session, flt)
    items = [
        ExerciseDifficulty(
            expression=row.expression, exercise_slug=row.slug, stated_difficulty=row.difficulty,
            attempts=int(row.attempts), learners=int(row.learners), correct=int(row.correct),
            average_hints=float(row.hints or 0) / int(row.attempts),
            average_latency_ms=float(row.latency) / int(row.timed) if row.timed else None,
        )
        for row in rows
    ]
    return DifficultyReport(course=course, exercises=page_of(items, total, request))


def _per_problem_searched(flt: DashboardFilter) -> sa.Subquery:
    """All time, for the learners a name search found: their rows per problem (each one learner)."""
    stats = LearnerProblemStats
    exercise_id = sa.case((stats.exercise_key == NO_EXERCISE, sa.null()), else_=stats.exercise_key)
    return (
        sa.select(
            stats.expression, exercise_id.label("exercise_id"),
            sa.func.sum(stats.attempts).label("attempts"),
            sa.func.count().label("learners"),
            sa.func.sum(stats.correct).label("correct"),
            sa.func.sum(stats.hints_used).label("hints"),
            sa.func.sum(stats.latency_ms).label("latency"),
            sa.func.sum(stats.timed_attempts).label("timed"),
            sa.func.count().over().label("total"),
        )
        .where(*problem_stats_conditions(flt))
        .group_by(stats.expression, stats.exercise_key)
    ).subquery()


def _per_problem_summed(flt: DashboardFilter) -> sa.Subquery:
    """The course's sums per problem, all time or in a date range or at a skill, and its learners.

    A few rows per problem, day and skill for the sums; for the learners,
    one row per learner and problem (and day, or skill), which a move never
    leaves at zero attempts (:func:`~.problem_summaries.delete_emptied`): a
    count of keys, from the index alone.
    """
    days = CourseProblemDays
    in_range = [days.course_id == flt.course_id, *day_conditions(days.day, flt)]
    if flt.skill is not None:
        in_range.append(days.skill == flt.skill)
    sums = (
        sa.select(days.expression, days.exercise_key, *(sa.func.sum(days.__table__.c[name]).label(name)
                                                        for name in CONVERSATION_STATS_COLUMNS))
        .where(*in_range)
        .group_by(days.expression, days.exercise_key)
    ).subquery()
    learners: type[LearnerProblemDays] | type[LearnerProblemSkills] | type[LearnerProblemStats]
    how_many = sa.func.count()  # a row is one learner...
    if flt.skill is not None:
        learners, conditions = LearnerProblemSkills, [LearnerProblemSkills.skill == flt.skill]
    elif flt.since is not None or flt.until is not None:
        learners, conditions = LearnerProblemDays, day_conditions(LearnerProblemDays.day, flt)
        how_many = sa.func.count(sa.distinct(LearnerProblemDays.learner_id))  # ...but here, a row per day
    else:
        learners, conditions = LearnerProblemStats, []
    counted = (
        sa.select(learners.expression, learners.exercise_key, how_many.label("learners"))
        .where(learners.course_id == flt.course_id, *conditions)
        .group_by(learners.expression, learners.exercise_key)
    ).subquery()
    exercise_id = sa.case((sums.c.exercise_key == NO_EXERCISE, sa.null()), else_=sums.c.exercise_key)
    return (
        sa.select(
            sums.c.expression, exercise_id.label("exercise_id"), sums.c.attempts, counted.c.learners,
            sums.c.correct, sums.c.hints_used.label("hints"), sums.c.latency_ms.label("latency"),
            sums.c.timed_attempts.label("timed"), sa.func.count().over().label("total"),
        )
        .join(counted, sa.and_(counted.c.expression == sums.c.expression,
                               counted.c.exercise_key == sums.c.exercise_key))
        # A problem a conversation's move left with nothing in the range counts for nothing.
        .where(sums.c.attempts > 0)
    ).subquery()


def _per_conversation(flt: DashboardFilter) -> sa.Subquery:
    """The filter's attempts summed per conversation, from the attempts' covering index (migration 0002).

    The join to conversations then touches one row per conversation instead
    of one per attempt. (All time, the sums per problem are stored.)
    """
    return (
        sa.select(
            Attempt.conversation_id, sa.func.min(Attempt.learner_id).label("learner_id"),
            sa.func.count().label("attempts"),
            sa.func.count().filter(Attempt.correct).label("correct"),
            sa.func.sum(Attempt.hints_used).label("hints"),
            sa.func.sum(capped_latency_ms()).label("latency"),
            sa.func.count(Attempt.latency_ms).label("timed"),
        )
        .where(*attempt_conditions(flt))
        .group_by(Attempt.conversation_id)
    ).subquery()


def _per_problem(flt: DashboardFilter) -> sa.Subquery:
    """The per-conversation sums added up per problem, with the number of problems.

    They are stored per problem, day and skill and per problem and learner
    (:mod:`~service.usecases.dashboard.problem_summaries`): all time, in a
    date range or at a skill, a course's rows are summed with no join. A
    name search all time sums the searched learners' rows; dates with a
    skill, or a name search with either, read the attempts.
    """
    if flt.search and summaries_answer(flt):
        return _per_problem_searched(flt)
    if not flt.search and (summaries_answer(flt) or days_answer(flt)):
        return _per_problem_summed(flt)
    pc = _per_conversation(flt)
    return (
        sa.select(
            Conversation.expression, Conversation.exercise_id,
            sa.func.sum(pc.c.attempts).label("attempts"),
            sa.func.count(sa.distinct(pc.c.learner_id)).label("learners"),
            sa.func.sum(pc.c.correct).label("correct"),
            sa.func.sum(pc.c.hints).label("hints"),
            sa.func.sum(pc.c.latency).label("latency"),
            sa.func.sum(pc.c.timed).label("timed"),
            # The whole list's length on every row: one query serves the page and its count.
            sa.func.count().over().label("total"),
        )
        .join(Conversation, Conversation.id == pc.c.conversation_id)
        .group_by(Conversation.expression, Conversation.exercise_id)
    ).subquery()


def _count_problems(session: Session, flt: DashboardFilter) -> int:
    """How many problems there are, for a page past the end (which has no rows to carry it)."""
    return session.scalar(sa.select(sa.func.count()).select_from(_per_problem(flt))) or 0
