"""The tutor's phrasings and question bank are content, validated like the rest of content/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from service.content.loader import check_content
from service.tutor.reading import read
from service.tutor.reading.phrasebook import check_phrasebook, content_dir, phrasebook, read_phrasebook


@pytest.fixture
def tutor_content(tmp_path: Path) -> Path:
    shutil.copytree(content_dir() / "tutor", tmp_path / "tutor")
    return tmp_path


def test_the_shipped_phrasebook_is_valid_and_has_25_questions_or_more():
    assert check_phrasebook(content_dir()) == []
    assert len(phrasebook().questions) >= 25


def test_an_unknown_intent_a_vague_question_and_a_thin_bank_are_problems(tutor_content: Path):
    phrasings = tutor_content / "tutor" / "phrasings.yaml"
    phrasings.write_text(phrasings.read_text() + "\n  dance:\n    phrasings: [let's dance]\n")
    questions = tutor_content / "tutor" / "questions.yaml"
    text = questions.read_text()
    head, _, _ = text.partition("  - id: inner-vs-outer")
    questions.write_text(head.replace("what is composition,", "what is composition, what is it,"))
    problems = check_phrasebook(tutor_content)
    assert any("intents.dance: not an intent" in p for p in problems)
    assert any("'what is it' has one short word" in p for p in problems)
    assert any("at least 25 questions" in p for p in problems) or len(problems) >= 2


def test_content_check_reports_the_tutor_files_with_the_rest(tutor_content: Path):
    (tutor_content / "tutor" / "questions.yaml").write_text("questions: [: broken")
    problems = check_content(tutor_content)
    assert any(p.path == "tutor/questions.yaml" and "not valid YAML" in p.message for p in problems)


def test_a_teacher_adds_a_phrasing_and_the_reading_follows(tutor_content: Path):
    book, _ = read_phrasebook(tutor_content)
    assert read("gimme a wee pointer", book=book).intent.value == "none"
    phrasings = tutor_content / "tutor" / "phrasings.yaml"
    phrasings.write_text(phrasings.read_text().replace("    phrasings: [hint, hints,",
                                                       "    phrasings: [wee pointer, hint, hints,"))
    book, problems = read_phrasebook(tutor_content)
    assert problems == [] and read("gimme a wee pointer", book=book).intent.value == "hint"
