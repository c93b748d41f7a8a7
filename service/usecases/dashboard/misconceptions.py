"""The most frequent misconceptions of a course, with the answers that showed them.

Every wrong answer counts: those no known misconception explains are one
more row, ``name=None`` ("other"), with their commonest answers too, so the
rows add up to ``wrong_attempts``. ``class_size`` (the course's learners
under the filter's search) lets the page say what share of the class
holds each misconception.

All time (no dates, no skill) the counts and examples are sums of the
per-turn summaries of :mod:`.misconception_summaries`, whose size does not
grow with the attempts; with dates or a skill, those of :mod:`.day_summaries`.
With both, the page reads the wrong answers through the partial index of
migration 0003.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.calculus.misconceptions import MISCONCEPTIONS
from service.models import (
    Attempt,
    CourseDayWrongAnswers,
    LearnerDayMisconceptions,
    LearnerMisconceptionCount,
    LearnerSkillMisconceptions,
    WrongAnswerCount,
)
from service.models.summaries import UNEXPLAINED
from service.usecases.dashboard.filters import (
    CourseRef,
    DashboardFilter,
    Page,
    PageRequest,
    attempt_conditions,
    course_learner_ids,
    owned_course,
    page_of,
)
from service.usecases.dashboard.day_summaries import day_conditions, days_answer
from service.usecases.dashboard.misconception_summaries import misconception_name
from service.usecases.dashboard.summaries import summaries_answer

EXAMPLES_PER_MISCONCEPTION = 3


@dataclass(frozen=True)
class ExampleAnswer:
    """An answer that showed the misconception, and how many times it was given."""

    answer: str
    step: str
    times: int


@dataclass(frozen=True)
class MisconceptionCount:
    name: str | None  # None: wrong answers no known misconception explains ("other")
    description: str
    attempts: int
    learners: int
    examples: list[ExampleAnswer]


@dataclass(frozen=True)
class MisconceptionReport:
    course: CourseRef
    wrong_attempts: int
    misconceptions: Page[MisconceptionCount]
    class_size: int = 0


def frequent_misconceptions(session: Session, instructor_id: int, flt: DashboardFilter,
                            request: PageRequest) -> MisconceptionReport:
    """The course's misconceptions, most frequent first, each with its commonest answers.

    ``wrong_attempts`` counts every wrong answer under the filter, so the
    page can say what share a misconception explains. Raises
    :class:`NotFound` for a course the instructor does not own.
    """
    course = owned_course(session, instructor_id, flt.course_id)
    conditions = attempt_conditions(flt)
    summarised, by_day = summaries_answer(flt), days_answer(flt)
    if by_day:
        grouped: Sequence[tuple[str | None, int, int]] = _day_counts(session, flt)
    else:
        grouped = session.execute(_summed_counts(flt) if summarised else _counts(conditions)).all()  # type: ignore[assignment]
    # A handful of misconceptions at most (the vocabulary has seven, and
    # "other"), so the page is cut from the full, already-grouped list.
    rows = [(misconception_name(name), int(n), int(learners)) for name, n, learners in grouped]
    page_rows = rows[request.offset:request.offset + request.limit]
    names = [name for name, _, _ in page_rows]
    # The example answers of the whole course are summed per answer; a name
    # search narrows them to a few learners, whose own wrong answers are read.
    if by_day:
        examples = _day_examples(session, flt, names)
    elif summarised and not flt.search:
        examples = _summed_examples(session, flt.course_id, names)
    else:
        examples = _examples(session, conditions, names)
    items = [
        MisconceptionCount(name=name, description=_description(name), attempts=n,
                           learners=learners, examples=examples.get(name, []))
        for name, n, learners in page_rows
    ]
    class_size = session.scalar(sa.select(sa.func.count()).select_from(course_learner_ids(flt).subquery())) or 0
    return MisconceptionReport(course=course, wrong_attempts=sum(n for _, n, _ in rows),
                               misconceptions=page_of(items, len(rows), request), class_size=class_size)


def _counts(conditions: list[sa.ColumnElement[bool]]) -> sa.Select[tuple[str | None, int, int]]:
    """Every wrong answer grouped by its misconception (NULL: one the tutor did not recognise).

    One pass gives both the counts and the total.
    """
    return (
        sa.select(Attempt.misconception, sa.func.count().label("n"),
                  sa.func.count(sa.distinct(Attempt.learner_id)))
        .where(*conditions, sa.not_(Attempt.correct))
        .group_by(Attempt.misconception)
        # "Other" after a named misconception of the same count, on SQLite and PostgreSQL alike.
        .order_by(sa.desc("n"), Attempt.misconception.is_(None), Attempt.misconception)
    )


def _summed_counts(flt: DashboardFilter) -> sa.Select[tuple[str, int, int]]:
    """The same counts, all time, from the per-learner summary: a row is one learner."""
    counts = LearnerMisconceptionCount
    conditions = [counts.course_id == flt.course_id]
    if flt.search:
        conditions.append(counts.learner_id.in_(course_learner_ids(flt)))
    return (
        sa.select(counts.misconception, sa.func.sum(counts.attempts).label("n"), sa.func.count())
        .where(*conditions)
        .group_by(counts.misconception)
        # "Other" ('') after a named misconception of the same count, as above.
        .order_by(sa.desc("n"), counts.misconception == UNEXPLAINED, counts.misconception)
    )


def _summed_examples(session: Session, course_id: int,
                     names: list[str | None]) -> dict[str | None, list[ExampleAnswer]]:
    """The commonest answers of each misconception, all time, from the course's answer counts.

    An answer given at several steps is one example, at the first step (by
    name) it was given at, as :func:`_examples` counts them.
    """
    answers = WrongAnswerCount
    return _commonest_answers(session, answers.misconception, answers.answer, answers.step,
                              sa.func.sum(answers.attempts), [answers.course_id == course_id], names)


def _day_counts(session: Session, flt: DashboardFilter) -> list[tuple[str, int, int]]:
    """Wrong answers and learners per misconception under a date range or a skill (:mod:`.day_summaries`).

    The answers are summed from the course's day rows. The learners: at one
    skill, counted as rows (a row is one learner); in a date range, from each
    (misconception, learner) row's first and last day (:func:`_in_the_days`).
    """
    answers = CourseDayWrongAnswers
    answer_conditions = [answers.course_id == flt.course_id, *day_conditions(answers.day, flt)]
    if flt.skill:
        answer_conditions.append(answers.skill == flt.skill)
    counts = dict(session.execute(sa.select(answers.misconception, sa.func.sum(answers.attempts))
                                  .where(*answer_conditions).group_by(answers.misconception)).all())
    if flt.skill:
        at_skill = LearnerSkillMisconceptions
        learners_query = (sa.select(at_skill.misconception, sa.func.count())
                          .where(at_skill.course_id == flt.course_id, at_skill.skill == flt.skill)
                          .group_by(at_skill.misconception))
    else:
        learners_query = (sa.select(LearnerMisconceptionCount.misconception, sa.func.count())
                          .where(LearnerMisconceptionCount.course_id == flt.course_id, *_in_the_days(flt))
                          .group_by(LearnerMisconceptionCount.misconception))
    learners = dict(session.execute(learners_query).all())
    rows = [(name, int(n), int(learners.get(name, 0))) for name, n in counts.items() if n]
    # Most frequent first; "other" ('') after a named misconception of the same count, as in SQL.
    return sorted(rows, key=lambda row: (-row[1], row[0] == UNEXPLAINED, row[0]))


def _in_the_days(flt: DashboardFilter) -> list[sa.ColumnElement[bool]]:
    """Conditions keeping the (misconception, learner) rows with a wrong answer in the filter's days.

    A learner's first and last day decide it for "since" or "until" alone, and
    for a range that holds either of them; only a learner whose answers
    began before the range and ended after it is looked up day by day.
    """
    pairs, days = LearnerMisconceptionCount, LearnerDayMisconceptions
    conditions = []
    if flt.since is not None:
        conditions.append(pairs.last_day >= flt.since)
    if flt.until is not None:
        conditions.append(pairs.first_day <= flt.until)
    if flt.since is not None and flt.until is not None:
        in_range = sa.select(days.day).where(
            days.course_id == pairs.course_id, days.misconception == pairs.misconception,
            days.learner_id == pairs.learner_id, *day_conditions(days.day, flt))
        conditions.append(sa.or_(pairs.first_day >= flt.since, pairs.last_day <= flt.until, in_range.exists()))
    return conditions


def _day_examples(session: Session, flt: DashboardFilter,
                  names: list[str | None]) -> dict[str | None, list[ExampleAnswer]]:
    """The commonest answers of each misconception in a date range or at a skill, from the day rows."""
    answers = CourseDayWrongAnswers
    conditions = [answers.course_id == flt.course_id, *day_conditions(answers.day, flt)]
    if flt.skill:
        conditions.append(answers.skill == flt.skill)
    return _commonest_answers(session, answers.misconception, answers.answer, answers.step,
                              sa.func.sum(answers.attempts), conditions, names)


def _description(name: str | None) -> str:
    if name is None:
        return "Wrong answers that no known misconception explains: read the examples."
    record = MISCONCEPTIONS.get(name, name)
    return str(getattr(record, "description", record))


def _examples(session: Session, conditions: list[sa.ColumnElement[bool]],
              names: list[str | None]) -> dict[str | None, list[ExampleAnswer]]:
    """The commonest answers of each misconception, in one pass over the wrong answers.

    The pass ranks the answers of every misconception and the page's are
    kept here, rather than asking SQL for ``misconception IN (page)``: on
    PostgreSQL that condition looks selective to the planner, which then
    reads every wrong answer of every course through the misconception
    index and the table (about 160 ms at the benchmark's volume) instead of
    the course's wrong answers from the partial index of migration 0003
    (about 15 ms). The vocabulary is small, so the extra ranks cost nothing.
    """
    # count() rather than count(id): the id is not in the index the pass reads.
    return _commonest_answers(session, Attempt.misconception, Attempt.answer, Attempt.step, sa.func.count(),
                              [*conditions, sa.not_(Attempt.correct)], names)


def _commonest_answers(session: Session, misconception: sa.ColumnElement[str | None],
                       answer: sa.ColumnElement[str], step: sa.ColumnElement[str], times: sa.ColumnElement[int],
                       conditions: list[sa.ColumnElement[bool]],
                       names: list[str | None]) -> dict[str | None, list[ExampleAnswer]]:
    """Rank the answers of each misconception by ``times`` and keep the first few of ``names``'."""
    if not names:
        return {}
    ranked = (
        sa.select(
            misconception.label("misconception"), answer.label("answer"), sa.func.min(step).label("step"),
            times.label("times"),
            sa.func.row_number().over(partition_by=misconception, order_by=(times.desc(), answer)).label("rank"),
        )
        .where(*conditions)
        .group_by(misconception, answer)
    ).subquery()
    query = (
        sa.select(ranked.c.misconception, ranked.c.answer, ranked.c.step, ranked.c.times)
        .where(ranked.c.rank <= EXAMPLES_PER_MISCONCEPTION)
        .order_by(ranked.c.misconception, ranked.c.rank)
    )
    wanted = set(names)
    found: dict[str | None, list[ExampleAnswer]] = {}
    for stored, text, first_step, n in session.execute(query):
        name = misconception_name(stored)
        if name in wanted:
            found.setdefault(name, []).append(ExampleAnswer(answer=text, step=first_step, times=int(n)))
    return found
