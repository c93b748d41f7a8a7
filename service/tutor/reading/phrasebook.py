"""The phrasings of each intent and the concept question bank, as content.

Both live in ``content/tutor/`` (``phrasings.yaml``, ``questions.yaml``), so
a teacher adds a phrasing or a question without touching code. They are read
once per process (:func:`phrasebook`) and validated by
``chain-tutor content check`` (:func:`check_phrasebook`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..intents import Intent

# The repository's content/tutor, or CONTENT_DIR/tutor when the operator moved content.
_DEFAULT_DIR = Path(__file__).resolve().parents[3] / "content"
_WORD = re.compile(r"[a-z0-9α-ω'/]+")


def words_of(text: str) -> list[str]:
    """The words of ``text`` as the phrasebook compares them: lower case, no apostrophes."""
    return [word.replace("'", "") for word in _WORD.findall(text.lower())]


class PhrasebookError(ValueError):
    """The phrasings or the question bank cannot be used (each problem listed)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Phrasing:
    """One way of saying something, with the words it is scored on."""

    label: str                 # an Intent value, or "question:<id>"
    text: str
    words: frozenset[str]
    exact: bool = False        # only filler words: matches a message saying exactly this
    alone: bool = False        # only question words ("what", "how"): matches them said alone
    with_maths: bool = False   # a lead-in to maths ("what about"): counts only when the message holds some


@dataclass(frozen=True)
class Question:
    """A concept question of the bank and its answer in the lesson's voice."""

    id: str
    answer: str
    for_problem: str | None = None   # an answer worked out for the problem at hand


@dataclass(frozen=True, eq=False)  # hashed by identity: one per content folder
class Phrasebook:
    """Everything the reading scores a message against."""

    phrasings: tuple[Phrasing, ...]
    questions: dict[str, Question]
    fillers: frozenset[str]
    takes_expression: frozenset[Intent]
    intent_threshold: float
    question_threshold: float
    vocabulary: frozenset[str]      # every keyword, for correcting typos
    short_words: frozenset[str] = frozenset()  # words of two letters the phrasings use ("du")

    def words(self, text: str) -> frozenset[str]:
        """The words of ``text`` that carry meaning (fillers dropped)."""
        return frozenset(word for word in words_of(text) if word not in self.fillers)


def content_dir() -> Path:
    """Where ``content/`` is: the ``CONTENT_DIR`` environment setting, else the repository's."""
    configured = os.environ.get("CONTENT_DIR")
    return Path(configured) if configured else _DEFAULT_DIR


@lru_cache(maxsize=4)
def phrasebook(directory: Path | None = None) -> Phrasebook:
    """The phrasebook of ``directory`` (default :func:`content_dir`), read once."""
    book, problems = read_phrasebook(directory or content_dir())
    if problems:
        raise PhrasebookError(problems)
    return book


def check_phrasebook(directory: Path) -> list[str]:
    """Every problem with ``directory``'s tutor phrasings and questions (empty: all valid)."""
    return read_phrasebook(directory)[1]


def read_phrasebook(directory: Path) -> tuple[Phrasebook, list[str]]:
    """Read and validate ``tutor/phrasings.yaml`` and ``tutor/questions.yaml``."""
    problems: list[str] = []
    phrasings_file, questions_file = directory / "tutor" / "phrasings.yaml", directory / "tutor" / "questions.yaml"
    intents_data = _load(phrasings_file, problems)
    questions_data = _load(questions_file, problems)
    fillers = frozenset(str(word).lower().replace("'", "") for word in intents_data.get("fillers", []))
    problems += _unquoted_words(intents_data.get("fillers", []), f"{phrasings_file.name}: fillers")
    book_phrasings: list[Phrasing] = []
    takes: set[Intent] = set()
    where = phrasings_file.name
    known = {intent.value for intent in Intent}
    for name, entry in (intents_data.get("intents") or {}).items():
        if name not in known:
            problems.append(f"{where}: intents.{name}: not an intent the tutor knows "
                            f"({', '.join(sorted(known))})")
            continue
        if not isinstance(entry, dict) or not entry.get("phrasings"):
            problems.append(f"{where}: intents.{name}: needs a list of phrasings")
            continue
        if entry.get("takes_expression"):
            takes.add(Intent(name))
        book_phrasings += _phrasings(name, entry["phrasings"], fillers, f"{where}: intents.{name}", problems)
        if "with_maths" in entry:
            book_phrasings += [replace(phrasing, with_maths=True) for phrasing in _phrasings(
                name, entry["with_maths"], fillers, f"{where}: intents.{name}.with_maths", problems)]
    questions: dict[str, Question] = {}
    where = questions_file.name
    for index, entry in enumerate(questions_data.get("questions") or []):
        place = f"{where}: questions[{index}]"
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("answer"):
            problems.append(f"{place}: needs an id, phrasings and an answer")
            continue
        qid = str(entry["id"])
        if qid in questions:
            problems.append(f"{place}: the id {qid!r} is used twice")
        questions[qid] = Question(qid, " ".join(str(entry["answer"]).split()), entry.get("for_problem"))
        if entry.get("for_problem") not in (None, *PROBLEM_ANSWERS):
            problems.append(f"{place}: for_problem must be one of {', '.join(PROBLEM_ANSWERS)}")
        asked = _phrasings(f"question:{qid}", entry.get("phrasings") or [], fillers, f"{place} ({qid})", problems)
        for phrasing in asked:
            if len(phrasing.words) < 2 and max(map(len, phrasing.words)) < 6:
                problems.append(f"{place} ({qid}): the phrasing {phrasing.text!r} has one short word "
                                "that carries meaning, so it would answer unrelated messages")
        book_phrasings += asked
    if len(questions) < MIN_QUESTIONS and not problems:
        problems.append(f"{where}: the bank needs at least {MIN_QUESTIONS} questions, it has {len(questions)}")
    vocabulary = frozenset(word for phrasing in book_phrasings for word in phrasing.words
                           if word.isalpha() and len(word) >= 3)
    book = Phrasebook(tuple(book_phrasings), questions, fillers, frozenset(takes),
                      float(intents_data.get("threshold", 70)), float(questions_data.get("threshold", 72)),
                      vocabulary, frozenset(word for phrasing in book_phrasings for word in phrasing.words
                                            if len(word) <= 2))
    return book, problems


MIN_QUESTIONS = 25
_QUESTION_WORDS = frozenset({"what", "why", "how", "who", "which", "where", "when"})
PROBLEM_ANSWERS = ("rule_at_hand",)


def _load(path: Path, problems: list[str]) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        problems.append(f"{path.name}: cannot be read ({error.strerror})")
        return {}
    except yaml.YAMLError as error:
        problems.append(f"{path.name}: not valid YAML ({error})")
        return {}
    if not isinstance(data, dict):
        problems.append(f"{path.name}: must be a mapping")
        return {}
    return data


def _unquoted_words(items: list[Any], place: str) -> list[str]:
    """YAML reads a bare on, off, yes or no as true or false: such a word must be quoted."""
    return [f"{place}: {str(item).lower()} reads as a true/false value, not a word: "
            f"write the word in quotes (\"on\", \"no\")" for item in items if isinstance(item, bool)]


def _phrasings(label: str, texts: Any, fillers: frozenset[str], place: str,
               problems: list[str]) -> list[Phrasing]:
    if not isinstance(texts, list) or not texts:
        problems.append(f"{place}: needs a list of phrasings")
        return []
    problems += _unquoted_words(texts, place)
    kept = []
    for text in texts:
        text = str(text).lower().strip()
        every = words_of(text)
        if not every:
            problems.append(f"{place}: the phrasing {text!r} has no words")
            continue
        words = frozenset(word for word in every if word not in fillers)
        # "what is this": a question word and fillers only, too common to score on.
        exact = not words or (words <= _QUESTION_WORDS and len(every) > len(words))
        # "what" or "how" alone is a plea ("what?", "how??"); inside a sentence it
        # starts every other question, so it must not score there.
        alone = not exact and words <= _QUESTION_WORDS
        kept.append(Phrasing(label, " ".join(every), words or frozenset(every), exact=exact, alone=alone))
    return kept
