"""Loading content/ into a real database: idempotent, in place, all or nothing."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session

from service.cli import main
from service.config import DEFAULT_CONTENT_DIR
from service.content.catalog import read_catalog
from service.content.loader import load_content
from service.content.problems import ContentInvalid
from service.extensions import db
from service.models import Attempt, Conversation, Exercise, Lesson, Section
from service.tutor.reading.phrasebook import phrasebook
from tests.factories import make_attempt, make_conversation, make_learner

SHIPPED, _ = read_catalog(DEFAULT_CONTENT_DIR)
FIRST_EXERCISE = """\
  - slug: power-linear-fourth
    expression: (3x - 2)^4
    difficulty: 1
"""


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A copy of the shipped content that a test may edit."""
    return Path(shutil.copytree(DEFAULT_CONTENT_DIR, tmp_path / "content"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every content row, every column, in id order."""
    session.expire_all()
    tables = {"lessons": Lesson, "sections": Section, "exercises": Exercise}
    return {name: [tuple(row) for row in session.execute(
                sa.select(*model.__table__.columns).order_by(model.id))]
            for name, model in tables.items()}


def exercise(session: Session, slug: str) -> Exercise | None:
    return session.scalar(sa.select(Exercise).where(Exercise.slug == slug))


def test_first_load_creates_everything(db_session: Session, content_dir: Path) -> None:
    report = load_content(db_session, content_dir)
    assert (report.lessons.created, report.sections.created, report.exercises.created) == (
        len(SHIPPED.lessons), len(SHIPPED.sections), len(SHIPPED.exercises))
    lesson = db_session.scalars(sa.select(Lesson)).one()
    assert lesson.slug == "chain-rule" and lesson.source_path == "lessons/chain-rule/lesson.yaml"
    assert [section.slug for section in lesson.sections] == [s.slug for s in SHIPPED.sections]
    neuron = next(section for section in lesson.sections if section.slug == "example-neuron")
    assert neuron.kind == "example"
    assert neuron.meta["expression"] == "(σ(wx) - y)^2" and neuron.meta["variable"] == "w"
    stored = exercise(db_session, "sigmoid-neuron-weight")
    assert stored is not None and stored.lesson_id == lesson.id
    assert (stored.variable, stored.family, stored.source_path) == (
        "w", "ml", "exercises/machine-learning.yaml")
    assert "inner_derivative" in stored.skills


def test_second_load_changes_nothing(db_session: Session, content_dir: Path) -> None:
    load_content(db_session, content_dir)
    before = snapshot(db_session)
    report = load_content(db_session, content_dir)
    assert not report.changed
    assert (report.lessons.unchanged, report.sections.unchanged, report.exercises.unchanged) == (
        len(SHIPPED.lessons), len(SHIPPED.sections), len(SHIPPED.exercises))
    assert snapshot(db_session) == before


def test_edits_update_rows_in_place(db_session: Session, content_dir: Path) -> None:
    load_content(db_session, content_dir)
    before = snapshot(db_session)
    lesson_folder = content_dir / "lessons/chain-rule"
    edit(lesson_folder / "lesson.yaml", "title: The chain rule for one variable",
         "title: The chain rule, one variable")
    edit(lesson_folder / "02-composition.md", "The order matters", "Order matters")
    edit(content_dir / "exercises/power.yaml", FIRST_EXERCISE,
         FIRST_EXERCISE.replace("difficulty: 1", "difficulty: 2"))

    report = load_content(db_session, content_dir)

    assert (report.lessons.updated, report.sections.updated, report.exercises.updated) == (1, 1, 1)
    assert report.sections.unchanged == len(SHIPPED.sections) - 1
    after = snapshot(db_session)
    assert [row[0] for row in after["exercises"]] == [row[0] for row in before["exercises"]]
    assert [row[0] for row in after["sections"]] == [row[0] for row in before["sections"]]
    assert db_session.scalars(sa.select(Lesson.title)).one() == "The chain rule, one variable"
    body = db_session.scalar(sa.select(Section.body).where(Section.slug == "composition"))
    assert "Order matters" in body
    assert exercise(db_session, "power-linear-fourth").difficulty == 2


def test_removed_entries_are_deleted_and_history_kept(db_session: Session,
                                                      content_dir: Path) -> None:
    load_content(db_session, content_dir)
    removed = exercise(db_session, "power-linear-fourth")
    learner = make_learner(db_session)
    conversation = make_conversation(db_session, learner.id, expression=removed.expression)
    conversation.exercise_id = removed.id
    attempt = make_attempt(db_session, conversation, exercise_id=removed.id)
    bank = content_dir / "exercises/power.yaml"
    text = bank.read_text(encoding="utf-8")
    start, end = text.index(FIRST_EXERCISE), text.index("  - slug: power-quadratic-fifth")
    bank.write_text(text[:start] + text[end:], encoding="utf-8")
    (content_dir / "lessons/chain-rule/11-backpropagation.md").unlink()

    report = load_content(db_session, content_dir)

    assert (report.exercises.removed, report.sections.removed) == (1, 1)
    assert exercise(db_session, "power-linear-fourth") is None
    db_session.expire_all()
    # The learner's history stays; it just no longer points at a bank entry.
    assert db_session.get(Attempt, attempt.id).exercise_id is None
    assert db_session.get(Conversation, conversation.id).exercise_id is None
    assert "backpropagation" not in db_session.scalars(sa.select(Section.slug)).all()


def test_invalid_content_writes_nothing(db_session: Session, content_dir: Path) -> None:
    load_content(db_session, content_dir)
    before = snapshot(db_session)
    edit(content_dir / "lessons/chain-rule/lesson.yaml", "position: 1", "position: 2")
    edit(content_dir / "exercises/power.yaml", FIRST_EXERCISE,
         FIRST_EXERCISE.replace("difficulty: 1", "difficulty: 9"))

    with pytest.raises(ContentInvalid) as raised:
        load_content(db_session, content_dir)

    assert [str(problem) for problem in raised.value.problems] == [
        "exercises/power.yaml:13: difficulty: must be between 1 and 5"]
    assert snapshot(db_session) == before


def test_invalid_content_on_an_empty_database(db_session: Session, content_dir: Path) -> None:
    edit(content_dir / "exercises/trigonometric.yaml", "expression: sin(4x)", "expression: sin(4x")
    with pytest.raises(ContentInvalid):
        load_content(db_session, content_dir)
    assert snapshot(db_session) == {"lessons": [], "sections": [], "exercises": []}


def test_a_renamed_lesson_replaces_the_old_one(db_session: Session, content_dir: Path) -> None:
    load_content(db_session, content_dir)
    edit(content_dir / "lessons/chain-rule/lesson.yaml", "slug: chain-rule", "slug: chain-rule-1")
    for bank in (content_dir / "exercises").glob("*.yaml"):
        edit(bank, "lesson: chain-rule\n", "lesson: chain-rule-1\n")

    report = load_content(db_session, content_dir)

    assert (report.lessons.created, report.lessons.removed) == (1, 1)
    assert report.sections.removed == report.sections.created == len(SHIPPED.sections)
    [lesson] = db_session.scalars(sa.select(Lesson)).all()
    assert lesson.slug == "chain-rule-1"
    assert set(db_session.scalars(sa.select(Exercise.lesson_id))) == {lesson.id}


def test_check_command(runner: FlaskCliRunner, content_dir: Path) -> None:
    result = runner.invoke(main, ["content", "check", "--content-dir", str(content_dir)])
    assert result.exit_code == 0, result.output
    counts = f"1 lesson, {len(SHIPPED.sections)} sections, {len(SHIPPED.exercises)} exercises"
    book = phrasebook()
    tutor = f"{len(book.phrasings)} tutor phrasings, {len(book.questions)} questions"
    assert result.output.strip() == f"{counts}, {tutor}: all valid"

    edit(content_dir / "exercises/power.yaml", FIRST_EXERCISE,
         FIRST_EXERCISE.replace("difficulty: 1", "difficulty: 0"))
    result = runner.invoke(main, ["content", "check", "--content-dir", str(content_dir)])
    assert result.exit_code == 1
    assert "exercises/power.yaml:13: difficulty: must be between 1 and 5" in result.output


def test_load_command(runner: FlaskCliRunner, content_dir: Path) -> None:
    result = runner.invoke(main, ["content", "load", "--content-dir", str(content_dir)])
    assert result.exit_code == 0, result.output
    assert f"exercises: {len(SHIPPED.exercises)} created, 0 updated" in result.output

    result = runner.invoke(main, ["content", "load", "--content-dir", str(content_dir)])
    assert result.exit_code == 0, result.output
    assert f"exercises: 0 created, 0 updated, {len(SHIPPED.exercises)} unchanged" in result.output

    edit(content_dir / "exercises/power.yaml", "difficulty: 1", "difficulty: 6")
    result = runner.invoke(main, ["content", "load", "--content-dir", str(content_dir)])
    assert result.exit_code == 1
    assert "nothing was loaded" in result.output


def test_load_command_uses_the_configured_content_dir(app_factory: Any, database_url: str,
                                                      content_dir: Path) -> None:
    app = app_factory(database_url, CONTENT_DIR=str(content_dir))
    result = app.test_cli_runner().invoke(main, ["content", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Exercise)) == len(
            SHIPPED.exercises)
