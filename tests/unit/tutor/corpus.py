"""The learner-message corpus (tests/data/learner_messages.yaml) and how a reading is judged.

Shared by the corpus test and ``bench/bench_reading.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from service.calculus import parse_expression
from service.tutor.intents import Intent, Reading

CORPUS = Path(__file__).resolve().parents[2] / "data" / "learner_messages.yaml"
# Written blind, before its author read the phrasings (see its header).
HELD_OUT = CORPUS.with_name("learner_messages_heldout.yaml")


@dataclass(frozen=True)
class Expected:
    """One message and what it should be read as."""

    kind: str                   # by_intent, requests, answers, questions
    text: str
    intent: Intent
    expression: str | None = None
    variable: str | None = None
    tag: str | None = None
    question: str | None = None

    def misreading(self, reading: Reading) -> str | None:
        """Why ``reading`` is wrong for this message, or None when it is right.

        Expressions match when they are the same text up to spaces, or parse to
        the same expression (``(x^2 y^3)`` and ``x^2 y^3`` set the same problem).
        """
        got = (reading.intent, reading.expression, reading.variable, reading.tag, reading.question)
        wanted = (self.intent, self.expression, self.variable, self.tag, self.question)
        compared = {"by_intent": (0,), "requests": (0, 1, 2), "answers": (0, 1, 3),
                    "questions": (0, 4)}[self.kind]
        if all(_same(index, got[index], wanted[index]) for index in compared):
            return None
        because = "; ".join(reading.reasons) or "no reasons"
        shown = tuple(_bare(wanted[i]) if i == 1 else wanted[i] for i in compared)
        read_as = tuple(_bare(got[i]) if i == 1 else got[i] for i in compared)
        return f"{self.text!r}: expected {shown}, read {read_as} because {because}"


def _same(index: int, got: object, wanted: object) -> bool:
    if index != 1 or got is None or wanted is None:
        return got == wanted
    if _bare(got) == _bare(wanted):
        return True
    parsed = _parsed(str(wanted))
    return parsed is not None and _parsed(str(got)) == parsed


@lru_cache(maxsize=4096)
def _parsed(text: str) -> object | None:
    """The expression ``text`` parses to, or None when it is not one expression."""
    try:
        return parse_expression(text)
    except ValueError:  # ExpressionError, or sympy refusing it
        return None


def _bare(expression: object) -> str | None:
    return None if expression is None else "".join(str(expression).split())


def load_corpus(path: Path = CORPUS) -> list[Expected]:
    """Every message of the corpus with its expected reading."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    corpus = [Expected("by_intent", str(text), Intent(intent))
              for intent, texts in data["by_intent"].items() for text in texts]
    corpus += [Expected("requests", str(text), Intent.DIFFERENTIATE, str(expression), variable)
               for text, expression, variable in data["requests"]]
    corpus += [Expected("answers", str(text), Intent.ANSWER, str(expression), tag=tag)
               for text, tag, expression in data["answers"]]
    corpus += [Expected("questions", str(text), Intent.QUESTION, question=question)
               for text, question in data["questions"]]
    return corpus
