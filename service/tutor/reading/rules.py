"""The reading's decision rules that look at the shape of a message, not its words' scores.

Each answers one question the scores cannot, and the reading names the rule
it applied in its reasons:

- which intents cannot win a message (:func:`excluded_intents`): with no
  maths, a request for a derivative or an answer has nothing to be about;
  a message that asks "why …" asks, it does not request a problem;
- a problem asked for by what is in it (:func:`topic_request`): "one with
  e^x", "something with ln in it";
- maths the lesson does not cover (:func:`out_of_scope_maths`): an equation
  to solve, a gradient in several variables with none chosen;
- a result stated, not a problem asked (:func:`states_a_result`): "so the
  derivative is 12x(x^2+1)^5";
- a message that opens by asking for a problem (:func:`asks_for_a_problem`):
  "one with three functions nested" wants a problem, not the bank's answer
  about longer chains.
"""

from __future__ import annotations

import re

from ..intents import PROBLEM_REQUESTS, Intent

_WHY = re.compile(r"^\W*(?:but\s+|so\s+|ok\s+|wait\s+)?why\b", re.IGNORECASE)
_NEEDS_MATHS = frozenset({Intent.ANSWER, Intent.DIFFERENTIATE})
_NOT_ASKED_BY_WHY = PROBLEM_REQUESTS | _NEEDS_MATHS

# "one with", "something with", "a problem with", "give me one with" just before the maths.
_WITH_MATHS = re.compile(
    r"\b(?:one|ones|something|problem|problems|question|questions|example|exercise)\s+(?:with|using|that\s+has)"
    r"\s+(?:an?\s+|some\s+)?$", re.IGNORECASE)
# What a function in the maths says about the kind of problem wanted.
_TOPICS: tuple[tuple[re.Pattern[str], Intent], ...] = (
    (re.compile(r"\b(?:ln|log)\b", re.IGNORECASE), Intent.WITH_LOG),
    (re.compile(r"\b(?:sin|cos|tan|sec|csc|cot)\b", re.IGNORECASE), Intent.WITH_TRIG),
    (re.compile(r"(?:\bexp\b|(?<![A-Za-z])e(?![A-Za-z]))"), Intent.WITH_EXP),
)

# An equation: an "=" whose left side is not a single name ("y =", "f(x) =").
_EQUATION = re.compile(r"^(?!\s*[A-Za-zα-ω](?:\s*\([^)]*\))?\s*=)[^=]+=[^=]+$")
_SOLVING = frozenset({Intent.SOLUTION, Intent.OUT_OF_SCOPE})
# Single letters that are variables: not a function's name (followed by "(") nor part of a word.
_LETTER = re.compile(r"(?<![A-Za-z])([a-df-zα-ω])(?![A-Za-z(])")

_PROBLEM_OPENER = re.compile(
    r"^\W*(?:(?:can|could|may)\s+(?:i|we)\s+(?:have|get|do|try)\s+|give\s+me\s+|gimme\s+|i\s+want\s+)?"
    r"(?:a|an|another|one|some|something|a\s+problem|a\s+question)\s+(?:\w+\s+)?(?:with|that\s+has)\b",
    re.IGNORECASE)
_RESULT_BEFORE = re.compile(
    r"\b(?:derivative|answer|result|dy/dx)\s+(?:is|=|equals|would\s+be|should\s+be|comes\s+out\s+as)\s*:?\s*$",
    re.IGNORECASE)


def excluded_intents(text: str, has_maths: bool) -> tuple[frozenset[Intent], frozenset[Intent]]:
    """The intents ``text`` cannot mean: (unless nothing else scores, never).

    Without maths a request for a derivative loses to any other intent that
    scores, but stays the reading when nothing else does ("can you
    differentiate something?"); a "why" question never requests a problem.
    """
    unless_alone = frozenset() if has_maths else _NEEDS_MATHS
    never = _NOT_ASKED_BY_WHY if _WHY.search(text) else frozenset()
    return unless_alone, never


def topic_request(before_maths: str, maths: str) -> Intent | None:
    """The kind of problem asked for as "one with <maths>", or None (no kind the tutor offers)."""
    if _WITH_MATHS.search(before_maths) is None:
        return None
    return next((intent for pattern, intent in _TOPICS if pattern.search(maths)), None)


def out_of_scope_maths(intent: Intent | None, phrasing: str | None, expression: str,
                       variable: str | None) -> str | None:
    """What the lesson does not cover in a request about ``expression``, or None.

    - "solve x^2-4=0": solving an equation;
    - "the gradient of x^2+y^2": a gradient in several variables, none chosen
      ("d/dy (x^2 y^3)" and "gradient of … with respect to w" are in scope).
    """
    if intent in _SOLVING and _EQUATION.match(expression):
        return "solving an equation"
    if (phrasing is not None and "gradient" in phrasing and variable is None
            and len(set(_LETTER.findall(expression))) >= 2):
        return "a gradient in several variables"
    return None


def states_a_result(before_maths: str) -> bool:
    """Whether the words before the maths state it as the result ("the derivative is …")."""
    return _RESULT_BEFORE.search(before_maths) is not None


def asks_for_a_problem(text: str) -> bool:
    """Whether the message opens by asking for a problem ("one with …", "give me a … with")."""
    return _PROBLEM_OPENER.search(text) is not None
