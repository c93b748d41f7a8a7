"""Lessons and exercises, as loaded from ``content/``: read-only for everyone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from service.models import Exercise, Lesson
from service.usecases.errors import NotFound


@dataclass(frozen=True)
class SectionView:
    slug: str
    title: str
    kind: str
    position: int
    body: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LessonView:
    slug: str
    title: str
    summary: str
    position: int
    sections: list[SectionView] = field(default_factory=list)


@dataclass(frozen=True)
class ExerciseView:
    slug: str
    expression: str
    variable: str
    difficulty: int
    skills: list[str]
    family: str | None
    prompt: str | None
    lesson: str | None


@dataclass(frozen=True)
class ExercisePage:
    items: list[ExerciseView]
    total: int
    page: int
    per_page: int


def list_lessons(session: Session) -> list[LessonView]:
    """Every lesson in order, without its sections."""
    lessons = session.scalars(sa.select(Lesson).order_by(Lesson.position, Lesson.slug))
    return [_lesson_view(lesson, sections=False) for lesson in lessons]


def get_lesson(session: Session, slug: str) -> LessonView:
    """One lesson with its sections in order; :class:`NotFound` if there is none."""
    query = sa.select(Lesson).where(Lesson.slug == slug).options(selectinload(Lesson.sections))
    lesson = session.scalar(query)
    if lesson is None:
        raise NotFound(f"There is no lesson {slug!r}.")
    return _lesson_view(lesson, sections=True)


def list_exercises(
    session: Session,
    skill: str | None = None,
    difficulty: int | None = None,
    page: int = 1,
    per_page: int = 20,
) -> ExercisePage:
    """A page of the exercise bank, in bank order, optionally filtered.

    ``skill`` keeps exercises tagged with that skill. Skills are a JSON list,
    which SQLite and PostgreSQL query differently, so the skill filter runs
    here over the (small, bounded) bank rather than in SQL.
    """
    query = sa.select(Exercise).options(selectinload(Exercise.lesson)).order_by(
        Exercise.position, Exercise.slug)
    if difficulty is not None:
        query = query.where(Exercise.difficulty == difficulty)
    exercises = [e for e in session.scalars(query) if skill is None or skill in (e.skills or [])]
    start = (page - 1) * per_page
    items = [_exercise_view(e) for e in exercises[start:start + per_page]]
    return ExercisePage(items=items, total=len(exercises), page=page, per_page=per_page)


def get_exercise(session: Session, slug: str) -> ExerciseView:
    """One exercise by slug; :class:`NotFound` if there is none."""
    exercise = session.scalar(sa.select(Exercise).where(Exercise.slug == slug))
    if exercise is None:
        raise NotFound(f"There is no exercise {slug!r}.")
    return _exercise_view(exercise)


def _lesson_view(lesson: Lesson, sections: bool) -> LessonView:
    return LessonView(
        slug=lesson.slug,
        title=lesson.title,
        summary=lesson.summary,
        position=lesson.position,
        sections=[
            SectionView(slug=s.slug, title=s.title, kind=s.kind, position=s.position,
                        body=s.body, meta=dict(s.meta or {}))
            for s in lesson.sections
        ] if sections else [],
    )


def _exercise_view(exercise: Exercise) -> ExerciseView:
    return ExerciseView(
        slug=exercise.slug,
        expression=exercise.expression,
        variable=exercise.variable,
        difficulty=exercise.difficulty,
        skills=list(exercise.skills or []),
        family=exercise.family,
        prompt=exercise.prompt,
        lesson=exercise.lesson.slug if exercise.lesson is not None else None,
    )
