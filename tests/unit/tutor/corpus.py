"""The learner-message corpus (tests/data/learner_messages.yaml) and how a reading is judged.

Shared by the corpus test and ``bench/bench_reading.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from service.tutor.intents import Intent, Reading

CORPUS = Path(__file__).resolve().parents[2] / "data" / "learner_messages.yaml"


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
        """Why ``reading`` is wrong for this message, or None when it is right."""
        got = (reading.intent, _bare(reading.expression), reading.variable, reading.tag, reading.question)
        wanted = (self.intent, _bare(self.expression), self.variable, self.tag, self.question)
        checked = {"by_intent": 1, "requests": 3, "answers": 4, "questions": 5}[self.kind]
        if self.kind == "answers":
            got, wanted = (got[0], got[1], got[3]), (wanted[0], wanted[1], wanted[3])
        elif self.kind == "questions":
            got, wanted = (got[0], got[4]), (wanted[0], wanted[4])
        else:
            got, wanted = got[:checked], wanted[:checked]
        if got == wanted:
            return None
        because = "; ".join(reading.reasons) or "no reasons"
        return f"{self.text!r}: expected {wanted}, read {got} because {because}"


def _bare(expression: str | None) -> str | None:
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
