"""The mastery heatmap: a course's learners × the skills the tutor traces.

Each cell is the course's copy of the learner model
(:mod:`service.usecases.course_models`): evidence from this course's
conversations only. A skill a learner has never practised here has no row; its cell shows
the tutor's prior (:data:`service.usecases.progress.MASTERY_PRIOR`) marked
as not practised, so that "not seen yet" and "struggling" look different.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import CourseMastery, Enrolment, Learner
from service.tutor.skills import SKILL_LABELS, SKILL_NAMES
from service.usecases.dashboard.labels import label_of
from service.usecases.dashboard.filters import (
    CourseRef,
    DashboardFilter,
    Page,
    PageRequest,
    course_learner_ids,
    owned_course,
    page_of,
)
from service.usecases.progress import MASTERY_PRIOR


@dataclass(frozen=True)
class SkillColumn:
    """A skill of the heatmap, with the course's mean mastery of it."""

    skill: str
    label: str
    course_mean: float | None
    practised_by: int


@dataclass(frozen=True)
class MasteryCell:
    skill: str
    probability: float
    attempts: int
    practised: bool


@dataclass(frozen=True)
class LearnerRow:
    """One learner of the heatmap: only what the page shows of them."""

    learner_id: str
    name: str | None
    last_seen_at: datetime | None
    cells: list[MasteryCell]
    label: str = ""  # the name, or "Learner 3f2a9c, via widget on example.org" (labels.py)


@dataclass(frozen=True)
class MasteryHeatmap:
    course: CourseRef
    skills: list[SkillColumn]
    rows: Page[LearnerRow]


def mastery_heatmap(session: Session, instructor_id: int, flt: DashboardFilter,
                    request: PageRequest) -> MasteryHeatmap:
    """One page of the course's learners (by name) with their mastery of each skill.

    ``flt.skill`` narrows the columns to that skill; ``flt.search`` the
    learners. Raises :class:`NotFound` for a course the instructor does not own.
    """
    course = owned_course(session, instructor_id, flt.course_id)
    skills = [flt.skill] if flt.skill else list(SKILL_NAMES)
    learners = _learner_page(session, flt, request)
    stored = _mastery_of(session, flt.course_id, [learner.id for learner in learners.items], skills)
    rows = [
        LearnerRow(learner_id=learner.id, name=learner.name, last_seen_at=learner.last_seen_at,
                   cells=[_cell(stored.get((learner.id, skill)), skill) for skill in skills],
                   label=label_of(learner))
        for learner in learners.items
    ]
    return MasteryHeatmap(course=course, skills=_columns(session, flt, skills),
                          rows=page_of(rows, learners.total, request))


def _learner_page(session: Session, flt: DashboardFilter, request: PageRequest) -> Page[Learner]:
    enrolled = (
        sa.select(Learner)
        .join(Enrolment, Enrolment.learner_id == Learner.id)
        .where(Enrolment.course_id == flt.course_id)
    )
    if flt.search:
        enrolled = enrolled.where(Learner.name.icontains(flt.search, autoescape=True))
    total = session.scalar(sa.select(sa.func.count()).select_from(enrolled.subquery())) or 0
    # Unnamed learners last; the id breaks ties so that pages never overlap.
    ordered = enrolled.order_by(Learner.name.is_(None), Learner.name, Learner.id)
    items = list(session.scalars(ordered.limit(request.limit).offset(request.offset)))
    return page_of(items, total, request)


def _mastery_of(session: Session, course_id: int, learner_ids: list[str],
                skills: list[str]) -> dict[tuple[str, str], CourseMastery]:
    """The course's copy of these learners' mastery (service.usecases.course_models)."""
    if not learner_ids:
        return {}
    query = sa.select(CourseMastery).where(CourseMastery.course_id == course_id,
                                           CourseMastery.learner_id.in_(learner_ids), CourseMastery.skill.in_(skills))
    return {(m.learner_id, m.skill): m for m in session.scalars(query)}


def _cell(mastery: CourseMastery | None, skill: str) -> MasteryCell:
    if mastery is None:
        return MasteryCell(skill=skill, probability=MASTERY_PRIOR, attempts=0, practised=False)
    return MasteryCell(skill=skill, probability=mastery.probability, attempts=mastery.attempts,
                       practised=True)


def _columns(session: Session, flt: DashboardFilter, skills: list[str]) -> list[SkillColumn]:
    """Each skill with the mean mastery of the (searched) learners who practised it."""
    query = (
        sa.select(CourseMastery.skill, sa.func.avg(CourseMastery.probability), sa.func.count())
        .where(CourseMastery.course_id == flt.course_id, CourseMastery.learner_id.in_(course_learner_ids(flt)),
               CourseMastery.skill.in_(skills))
        .group_by(CourseMastery.skill)
    )
    means = {skill: (mean, count) for skill, mean, count in session.execute(query)}
    return [
        SkillColumn(skill=skill, label=SKILL_LABELS.get(skill, skill),
                    course_mean=float(means[skill][0]) if skill in means else None,
                    practised_by=means[skill][1] if skill in means else 0)
        for skill in skills
    ]
