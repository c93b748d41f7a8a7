"""The content directory read into plain values, with every problem found.

Layout::

    content/
      lessons/<lesson-slug>/lesson.yaml     the lesson: slug, title, summary, position
      lessons/<lesson-slug>/NN-name.md      one section each, YAML front matter + Markdown
      exercises/<anything>.yaml             the exercise bank

:func:`read_catalog` checks structure only (YAML, fields, types, slugs and
references); whether the core can solve the maths is checked in
``service.content.verification``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.content.files import (
    MarkdownDocument, YamlDocument, read_markdown_file, read_yaml_file, relative_path,
)
from service.content.problems import ContentInvalid, ContentProblem
from service.content.schemas import (
    DEFAULT_VARIABLE, ExerciseFileSchema, ExerciseSchema, FieldError, LessonSchema,
    SectionSchema, load,
)

LESSON_FILE = "lesson.yaml"
EXERCISE_PATTERNS = ("*.yaml", "*.yml")


@dataclass(frozen=True)
class SectionEntry:
    """One section, as its file says it. ``meta`` holds a worked example's
    ``expression``, ``variable`` and ``derivative``; ``lines`` the file line
    of each front-matter field and of the body, for later messages."""

    slug: str
    title: str
    kind: str
    position: int
    body: str
    meta: dict[str, str]
    source_path: str
    lines: dict[str, int] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class LessonEntry:
    """One lesson and its sections, ordered by position."""

    slug: str
    title: str
    summary: str
    position: int
    source_path: str
    sections: tuple[SectionEntry, ...]


@dataclass(frozen=True)
class ExerciseEntry:
    """One exercise of the bank; ``position`` orders the whole bank."""

    slug: str
    expression: str
    variable: str
    difficulty: int
    skills: tuple[str, ...]
    family: str
    prompt: str | None
    lesson: str | None
    source_path: str
    position: int
    lines: dict[str, int] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Catalog:
    """Everything in a content directory that passed the structural checks."""

    lessons: tuple[LessonEntry, ...]
    exercises: tuple[ExerciseEntry, ...]

    @property
    def sections(self) -> tuple[SectionEntry, ...]:
        """Every section of every lesson."""
        return tuple(section for lesson in self.lessons for section in lesson.sections)

    def summary(self) -> str:
        """A one-line count, e.g. ``1 lesson, 12 sections, 60 exercises``."""
        counts = ((len(self.lessons), "lesson"), (len(self.sections), "section"),
                  (len(self.exercises), "exercise"))
        return ", ".join(f"{n} {noun}{'' if n == 1 else 's'}" for n, noun in counts)


def read_catalog(content_dir: Path) -> tuple[Catalog, list[ContentProblem]]:
    """Read ``content_dir``: the entries that are valid, and every problem found."""
    content_dir = Path(content_dir)
    if not content_dir.is_dir():
        missing = ContentProblem(str(content_dir), None, "content directory not found")
        return Catalog((), ()), [missing]
    problems: list[ContentProblem] = []
    lessons = _read_lessons(content_dir, problems)
    exercises = _read_exercises(content_dir, problems)
    problems += _check_references(lessons, exercises)
    return Catalog(lessons, exercises), problems


def _field_problems(document: YamlDocument, errors: list[FieldError],
                    prefix: tuple[str | int, ...] = ()) -> list[ContentProblem]:
    return [ContentProblem(document.path, document.line_of(prefix + error.path), str(error))
            for error in errors]


def _lines(document: YamlDocument, keys: tuple[str, ...],
           prefix: tuple[str | int, ...] = ()) -> dict[str, int]:
    found = {key: document.line_of(prefix + (key,)) for key in keys}
    return {key: line for key, line in found.items() if line is not None}


def _read_lessons(content_dir: Path, problems: list[ContentProblem]) -> tuple[LessonEntry, ...]:
    lesson_files = sorted((content_dir / "lessons").glob(f"*/{LESSON_FILE}"))
    if not lesson_files:
        problems.append(ContentProblem("lessons", None,
                                       f"no lesson found (expected lessons/<slug>/{LESSON_FILE})"))
    lessons = [_read_lesson(path, content_dir, problems) for path in lesson_files]
    found = tuple(lesson for lesson in lessons if lesson is not None)
    problems += _duplicates([(lesson.slug, lesson.source_path, None) for lesson in found], "lesson")
    return tuple(sorted(found, key=lambda lesson: (lesson.position, lesson.slug)))


def _read_lesson(path: Path, content_dir: Path,
                 problems: list[ContentProblem]) -> LessonEntry | None:
    try:
        document = read_yaml_file(path, content_dir)
    except ContentInvalid as err:
        problems += err.problems
        return None
    values, errors = load(LessonSchema(), document.data)
    problems += _field_problems(document, errors)
    sections = _read_sections(path.parent, content_dir, problems)
    if values is None:
        return None
    return LessonEntry(slug=values["slug"], title=values["title"], summary=values["summary"],
                       position=values["position"], source_path=document.path,
                       sections=sections)


def _read_sections(folder: Path, content_dir: Path,
                   problems: list[ContentProblem]) -> tuple[SectionEntry, ...]:
    sections: list[SectionEntry] = []
    for path in sorted(folder.glob("*.md")):
        try:
            document = read_markdown_file(path, content_dir)
        except ContentInvalid as err:
            problems += err.problems
            continue
        section = _section_entry(document, problems)
        if section is not None:
            sections.append(section)
    if not sections:
        problems.append(ContentProblem(relative_path(folder, content_dir), None,
                                       "the lesson has no sections (*.md files)"))
    problems += _duplicates([(s.slug, s.source_path, s.lines.get("slug")) for s in sections],
                            "section")
    problems += _duplicates([(str(s.position), s.source_path, s.lines.get("position"))
                             for s in sections], "section position")
    return tuple(sorted(sections, key=lambda section: (section.position, section.slug)))


def _section_entry(document: MarkdownDocument,
                   problems: list[ContentProblem]) -> SectionEntry | None:
    values, errors = load(SectionSchema(), document.front.data)
    problems += _field_problems(document.front, errors)
    if values is None:
        return None
    meta = {key: values[key] for key in ("expression", "derivative") if key in values}
    if meta:
        meta["variable"] = values.get("variable", DEFAULT_VARIABLE)
    lines = _lines(document.front, ("slug", "position", "expression", "derivative", "variable"))
    lines["body"] = document.body_line
    return SectionEntry(slug=values["slug"], title=values["title"], kind=values["kind"],
                        position=values["position"], body=document.body, meta=meta,
                        source_path=document.path, lines=lines)


def _read_exercises(content_dir: Path, problems: list[ContentProblem]) -> tuple[ExerciseEntry, ...]:
    paths = sorted({path for pattern in EXERCISE_PATTERNS
                    for path in (content_dir / "exercises").glob(pattern)})
    exercises: list[ExerciseEntry] = []
    for path in paths:
        try:
            document = read_yaml_file(path, content_dir)
        except ContentInvalid as err:
            problems += err.problems
            continue
        exercises += _exercise_entries(document, len(exercises), problems)
    problems += _duplicates([(e.slug, e.source_path, e.lines.get("slug")) for e in exercises],
                            "exercise")
    return tuple(exercises)


def _exercise_entries(document: YamlDocument, first_position: int,
                      problems: list[ContentProblem]) -> list[ExerciseEntry]:
    values, errors = load(ExerciseFileSchema(), document.data)
    problems += _field_problems(document, errors)
    if values is None:
        return []
    defaults = {key: values[key] for key in ("family", "lesson") if key in values}
    entries = []
    for index, item in enumerate(values["exercises"]):
        prefix = ("exercises", index)
        exercise, item_errors = load(ExerciseSchema(), {**defaults, **item})
        problems += _field_problems(document, item_errors, prefix)
        if exercise is not None:
            entries.append(_exercise_entry(exercise, document, prefix,
                                           first_position + len(entries)))
    return entries


def _exercise_entry(values: dict[str, Any], document: YamlDocument,
                    prefix: tuple[str | int, ...], position: int) -> ExerciseEntry:
    return ExerciseEntry(
        slug=values["slug"], expression=values["expression"], variable=values["variable"],
        difficulty=values["difficulty"], skills=tuple(values["skills"]), family=values["family"],
        prompt=values["prompt"], lesson=values["lesson"], source_path=document.path,
        position=position, lines=_lines(document, ("slug", "expression", "variable"), prefix),
    )


def _duplicates(named: list[tuple[str, str, int | None]], what: str) -> list[ContentProblem]:
    """A problem for each repeat of a name: (name, file, line) triples in reading order."""
    first: dict[str, str] = {}
    problems = []
    for name, path, line in named:
        if name in first:
            problems.append(ContentProblem(
                path, line, f"duplicate {what} {name!r} (already used in {first[name]})"))
        first.setdefault(name, path)
    return problems


def _check_references(lessons: tuple[LessonEntry, ...],
                      exercises: tuple[ExerciseEntry, ...]) -> list[ContentProblem]:
    known = {lesson.slug for lesson in lessons}
    return [ContentProblem(exercise.source_path, exercise.lines.get("slug"),
                           f"lesson: no lesson {exercise.lesson!r} (lessons are: "
                           f"{', '.join(sorted(known)) or 'none'})")
            for exercise in exercises if exercise.lesson and exercise.lesson not in known]
