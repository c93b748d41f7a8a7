"""What the tutor says: replies and the verdict on an answer.

Replies are plain text (the web layer escapes them); maths may also come as
LaTeX and presentation MathML produced by the calculus core, never from the
learner's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

MessageKind = Literal["question", "feedback", "hint", "solution", "explanation", "info"]
MESSAGE_KINDS: tuple[str, ...] = ("question", "feedback", "hint", "solution", "explanation", "info")


@dataclass(frozen=True)
class TutorMessage:
    """One reply of the tutor.

    >>> TutorMessage("question", "What is u?").to_dict()
    {'role': 'tutor', 'kind': 'question', 'text': 'What is u?'}
    """

    kind: MessageKind
    text: str
    latex: str | None = None
    mathml: str | None = None
    derivative: str | None = None  # only on "solution" messages: sympy string of the result

    role: str = "tutor"

    def __post_init__(self) -> None:
        if self.kind not in MESSAGE_KINDS:
            raise ValueError(f"unknown message kind {self.kind!r}")

    def to_dict(self) -> dict[str, Any]:
        """The contract's message shape, leaving out absent fields."""
        shaped: dict[str, Any] = {"role": self.role, "kind": self.kind, "text": self.text}
        for key in ("latex", "mathml", "derivative"):
            value = getattr(self, key)
            if value is not None:
                shaped[key] = value
        return shaped


@dataclass(frozen=True)
class AnswerVerdict:
    """The verdict on a message that was read as an answer.

    ``step`` is the Leibniz name of the step it answered (``"du/dx"``);
    ``feedback`` is what the learner was told.
    """

    correct: bool
    misconception: str | None
    step: str
    feedback: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The contract's verdict: correct, misconception, step (and feedback)."""
        return {"correct": self.correct, "misconception": self.misconception,
                "step": self.step, "feedback": self.feedback}
