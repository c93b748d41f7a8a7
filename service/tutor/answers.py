"""Reading a learner's answer: an optional Leibniz tag and the maths after it.

Learners may write ``u = 2x + 1``, ``du/dx = 2``, ``dy/du = 3u^2``,
``dy/dx = 6(2x+1)^2``, ``y' = ...`` or just ``6(2x+1)^2``. :func:`read_answer`
splits the tag from the body; the engine decides which step a tag names.
Telling maths from English is the reading's job (:mod:`service.tutor.reading.spans`);
:func:`answer_of` turns an answer reading into a tag and a body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .intents import Reading

# The final derivative, whatever the letters: dy/dx, dL/dw, y', f'(x).
FINAL_TAG = "final"

_LEIBNIZ = re.compile(r"^\s*(d\s*[A-Za-zα-ω]\s*/\s*d\s*[A-Za-zα-ω])\s*=\s*(.*)$", re.DOTALL)
_PRIME = re.compile(r"^\s*(?:[A-Za-z]\s*['′]|[A-Za-z]\s*['′]\s*\(\s*[A-Za-z]\s*\))\s*=\s*(.*)$", re.DOTALL)
_NAMED = re.compile(r"^\s*([A-Za-zα-ω])\s*=\s*(.*)$", re.DOTALL)
_INNER_OUTER = re.compile(r"^\s*(inner|outer)(?:\s+function)?\s*(?:=|:|is)\s*(.*)$",
                          re.DOTALL | re.IGNORECASE)

# Chat around an answer: "I think it's 3u^2", "is it 2?", "the answer is 6x".
_PREAMBLE = re.compile(
    r"^\s*(?:(?:i\s+think|maybe|perhaps|so|well|hmm+|ok(?:ay)?)\s*,?\s*)*"
    r"(?:(?:it'?s|it\s+is|is\s+it|that'?s|that\s+is|the\s+answer\s+is|i\s+get|i\s+got)\s*:?\s+)?",
    re.IGNORECASE)
_TRAILER = re.compile(r"\s*[?!]+\s*$")


@dataclass(frozen=True)
class Answer:
    """A learner's answer.

    ``tag`` is a Leibniz name (``"du/dx"``), a link name (``"u"``),
    ``"inner"``/``"outer"``, :data:`FINAL_TAG` for a prime-notation final
    (``y' = ...``), or None for an untagged expression; ``body`` is the maths.
    """

    tag: str | None
    body: str


def read_answer(text: str) -> Answer:
    """Split a Leibniz-style tag from the maths.

    >>> read_answer("du/dx = 2")
    Answer(tag='du/dx', body='2')
    >>> read_answer("u = 2x + 1")
    Answer(tag='u', body='2x + 1')
    >>> read_answer("y' = 6(2x+1)^2")
    Answer(tag='final', body='6(2x+1)^2')
    >>> read_answer("6(2x+1)^2")
    Answer(tag=None, body='6(2x+1)^2')
    >>> read_answer("I think it's 3u^2?")
    Answer(tag=None, body='3u^2')
    """
    text = _TRAILER.sub("", _PREAMBLE.sub("", text, count=1))
    leibniz = _LEIBNIZ.match(text)
    if leibniz is not None:
        return Answer(re.sub(r"\s+", "", leibniz.group(1)), leibniz.group(2).strip())
    prime = _PRIME.match(text)
    if prime is not None:
        return Answer(FINAL_TAG, prime.group(1).strip())
    inner_outer = _INNER_OUTER.match(text)
    if inner_outer is not None:
        return Answer(inner_outer.group(1).lower(), inner_outer.group(2).strip())
    named = _NAMED.match(text)
    if named is not None:
        return Answer(named.group(1), named.group(2).strip())
    return Answer(None, text.strip())


def answer_of(reading: Reading) -> Answer:
    """The tag and body of an answer reading ("u is 2x+1" came tagged; "u = 2x+1" is split here)."""
    body = reading.expression or ""
    if reading.tag in (None, "inner", "outer") or (reading.tag and "/" not in reading.tag
                                                    and reading.tag != "named"):
        return Answer(reading.tag, body)
    return read_answer(body)
