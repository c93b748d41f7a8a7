"""Checking the content directory and loading it into the database.

``chain-tutor content check`` and ``content load`` (and ``chain-tutor run``
on an empty database) call these. Loading is all or nothing: the content is
validated first, and then lessons, sections and exercises are upserted by
slug in one transaction, so a second load of the same files changes nothing.

Rows whose file entry was removed are deleted. For an exercise this keeps
the learners' history: attempts and conversations point at exercises with
``ON DELETE SET NULL`` and keep their own copy of the expression.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from service.content.catalog import Catalog, ExerciseEntry, LessonEntry, SectionEntry, read_catalog
from service.content.problems import ContentInvalid, ContentProblem
from service.content.verification import verify_catalog
from service.models.content import Exercise, Lesson, Section

Row = TypeVar("Row", Lesson, Section, Exercise)


@dataclass
class Tally:
    """How many rows of one kind a load created, updated, left alone or removed."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    def __str__(self) -> str:
        return (f"{self.created} created, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.removed} removed")


@dataclass
class LoadReport:
    """What :func:`load_content` did, per kind of row.

    >>> report = LoadReport()
    >>> report.exercises.created = 3
    >>> print(report)
    lessons: 0 created, 0 updated, 0 unchanged, 0 removed
    sections: 0 created, 0 updated, 0 unchanged, 0 removed
    exercises: 3 created, 0 updated, 0 unchanged, 0 removed
    >>> report.changed
    True
    """

    lessons: Tally = field(default_factory=Tally)
    sections: Tally = field(default_factory=Tally)
    exercises: Tally = field(default_factory=Tally)

    @property
    def changed(self) -> bool:
        """Whether the load wrote anything."""
        return any(tally.created or tally.updated or tally.removed for tally in self._tallies())

    def _tallies(self) -> tuple[Tally, Tally, Tally]:
        return self.lessons, self.sections, self.exercises

    def __str__(self) -> str:
        names = ("lessons", "sections", "exercises")
        return "\n".join(f"{name}: {tally}" for name, tally in zip(names, self._tallies()))


def validate_content(content_dir: str | Path) -> tuple[Catalog, list[ContentProblem]]:
    """Read and fully check ``content_dir``: the catalog and every problem found.

    Structure first (files, fields, slugs); the maths (solvable by the core,
    stated derivatives right, LaTeX renderable) only for what is well formed.
    """
    catalog, problems = read_catalog(Path(content_dir))
    problems = problems + verify_catalog(catalog) + _tutor_problems(Path(content_dir))
    return catalog, sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.message))


def _tutor_problems(content_dir: Path) -> list[ContentProblem]:
    """The tutor's phrasings and question bank (``tutor/``), when the folder has them."""
    if not (content_dir / "tutor").is_dir():
        return []
    from service.tutor.reading.phrasebook import check_phrasebook

    problems = []
    for problem in check_phrasebook(content_dir):
        file, _, message = problem.partition(": ")
        problems.append(ContentProblem(f"tutor/{file}", None, message))
    return problems


def check_content(content_dir: str | Path) -> list[ContentProblem]:
    """Every problem in ``content_dir``; an empty list when it can be loaded.

    >>> from service.config import DEFAULT_CONTENT_DIR
    >>> check_content(DEFAULT_CONTENT_DIR)
    []
    """
    return validate_content(content_dir)[1]


def load_content(session: Session, content_dir: str | Path) -> LoadReport:
    """Validate ``content_dir`` and upsert it into the database, then commit.

    Raises :class:`ContentInvalid` (listing every problem) and writes
    nothing when the content has any problem. Rolls back on any error, so
    the database never holds half a load.
    """
    catalog, problems = validate_content(content_dir)
    if problems:
        raise ContentInvalid(problems)
    try:
        report = _upsert(session, catalog)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return report


def _upsert(session: Session, catalog: Catalog) -> LoadReport:
    report = LoadReport()
    stored = session.scalars(sa.select(Lesson).options(selectinload(Lesson.sections))).all()
    lessons, gone = _sync({lesson.slug: lesson for lesson in stored}, catalog.lessons,
                          _lesson_fields, lambda values: _added(session, Lesson(**values)),
                          report.lessons)
    for lesson in gone:
        report.sections.removed += len(lesson.sections)
        session.delete(lesson)
    report.lessons.removed = len(gone)
    for entry in catalog.lessons:
        _sync_sections(lessons[entry.slug], entry, report.sections)
    _sync_exercises(session, catalog.exercises, lessons, report.exercises)
    session.flush()
    return report


def _added(session: Session, row: Row) -> Row:
    session.add(row)
    return row


def _sync(stored: dict[str, Row], entries: Iterable[Any],
          fields_of: Callable[[Any], dict[str, Any]], create: Callable[[dict[str, Any]], Row],
          tally: Tally) -> tuple[dict[str, Row], list[Row]]:
    """Make ``stored`` rows match ``entries`` by slug: create missing rows,
    update those that differ; the rows by slug, and the rows no entry wants."""
    rows: dict[str, Row] = {}
    leftover = dict(stored)
    for entry in entries:
        values = fields_of(entry)
        row = leftover.pop(entry.slug, None)
        if row is None:
            row = create(values)
            tally.created += 1
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            tally.updated += 1
        else:
            tally.unchanged += 1
        rows[entry.slug] = row
    return rows, list(leftover.values())


def _sync_sections(lesson: Lesson, entry: LessonEntry, tally: Tally) -> None:
    stored = {section.slug: section for section in lesson.sections}
    rows, gone = _sync(stored, entry.sections, _section_fields,
                       lambda values: Section(**values), tally)
    # Sections left out of the list are orphans, deleted by the relationship's cascade.
    lesson.sections = [rows[section.slug] for section in entry.sections]
    tally.removed += len(gone)


def _sync_exercises(session: Session, entries: tuple[ExerciseEntry, ...],
                    lessons: dict[str, Lesson], tally: Tally) -> None:
    stored = {exercise.slug: exercise for exercise in session.scalars(sa.select(Exercise))}
    _, gone = _sync(stored, entries, lambda entry: _exercise_fields(entry, lessons),
                    lambda values: _added(session, Exercise(**values)), tally)
    for exercise in gone:
        session.delete(exercise)
    tally.removed += len(gone)


def _lesson_fields(entry: LessonEntry) -> dict[str, Any]:
    return {"slug": entry.slug, "title": entry.title, "summary": entry.summary,
            "position": entry.position, "source_path": entry.source_path}


def _section_fields(entry: SectionEntry) -> dict[str, Any]:
    return {"slug": entry.slug, "title": entry.title, "kind": entry.kind, "body": entry.body,
            "position": entry.position, "meta": dict(entry.meta)}


def _exercise_fields(entry: ExerciseEntry, lessons: dict[str, Lesson]) -> dict[str, Any]:
    return {"slug": entry.slug, "expression": entry.expression, "variable": entry.variable,
            "difficulty": entry.difficulty, "skills": list(entry.skills), "family": entry.family,
            "prompt": entry.prompt, "lesson": lessons.get(entry.lesson) if entry.lesson else None,
            "source_path": entry.source_path, "position": entry.position}
