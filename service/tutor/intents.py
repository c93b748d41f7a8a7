"""Reading what a learner means, with patterns (no language model).

:func:`recognise` tries the patterns in order and returns the first intent
that matches; text that matches none is :attr:`Intent.NONE`, which the engine
then reads as a maths answer or answers with what the tutor understands.
Learner text is only ever matched, never interpreted as markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Intent(str, Enum):
    """Everything the tutor understands besides a maths answer."""

    HINT = "hint"
    SOLUTION = "solution"
    NEXT_FACTOR = "next_factor"
    WHY_MULTIPLY = "why_multiply"
    CHAIN_RULE = "chain_rule"
    REPEAT = "repeat"
    SKIP = "skip"
    DIFFERENTIATE = "differentiate"
    GREETING = "greeting"
    THANKS = "thanks"
    HELP = "help"
    YES = "yes"
    NO = "no"
    NONE = "none"


@dataclass(frozen=True)
class IntentMatch:
    """A recognised intent; for ``DIFFERENTIATE`` the expression and variable.

    ``variable`` is None when the learner did not name one.
    """

    intent: Intent
    expression: str | None = None
    variable: str | None = None


_FLAGS = re.IGNORECASE

# "d/dw (σ(wx) − y)^2"; "dy/dx = ..." has a letter between d and / so it is
# an answer, not this command.
_D_BY = re.compile(r"^\s*d\s*/\s*d([a-zA-Zα-ω])\s*(?:of\s+)?(.+?)\s*$", _FLAGS)
_WITH_RESPECT = re.compile(
    r"^(?P<expr>.+?)\s*(?:,\s*)?(?:with\s+respect\s+to|w\.?r\.?t\.?|by)\s+(?P<var>[a-zA-Z])\s*[.?!]*\s*$",
    _FLAGS)
_DIFFERENTIATE = re.compile(
    r"^\s*(?:(?:can|could|would)\s+you\s+|please\s+|let'?s\s+|i\s+want\s+to\s+|now\s+)*"
    r"(?:differentiate|derive|find\s+the\s+derivative\s+of|"
    r"(?:what(?:'s|\s+is)\s+)?the\s+derivative\s+of|derivative\s+of|"
    r"what(?:'s|\s+is)\s+d\s*/\s*d[a-z]\s+(?:of\s+)?)"
    r"\s*:?\s*(?P<expr>.+?)\s*[?.!]*\s*$",
    _FLAGS)

# Order matters: the more specific questions come before the bare keywords
# ("why do we multiply" before "why", "give up" before "help").
_PATTERNS: tuple[tuple[Intent, re.Pattern[str]], ...] = tuple(
    (intent, re.compile(pattern, _FLAGS)) for intent, pattern in (
        (Intent.NEXT_FACTOR, r"\bnext\s+(?:factor|derivative|piece|link)\b|"
                             r"\bwhich\s+(?:factor|derivative|piece)\b|\bwhat(?:'s|\s+is)?\s+missing\b|"
                             r"\bmissing\s+(?:factor|piece)\b|\bwhat\s+(?:factors?|derivatives?)\s+do\s+i\s+have\b"),
        (Intent.SOLUTION, r"\bgive\s+up\b|\b(?:show|tell|give)\s+(?:me\s+)?(?:the\s+)?(?:full\s+|whole\s+|worked\s+)?"
                          r"(?:solution|answer)\b|\bsolve\s+it\b|\bjust\s+solve\b|^\s*(?:the\s+)?solution\s*[?!.]*\s*$|"
                          r"\bi\s+(?:quit|surrender)\b|\bworked\s+solution\b"),
        (Intent.WHY_MULTIPLY, r"\bwhy\b.*\bmultipl|\bwhy\s+(?:do|does|is)\s+(?:it|this|that)\s+work"),
        (Intent.CHAIN_RULE, r"\bwhat(?:'s|\s+is|\s+was)\s+(?:the\s+|a\s+)?chain\s+rule\b|\bgears?\b|"
                            r"\bremind\s+me\b.*\bchain\s+rule\b|^\s*(?:the\s+)?chain\s+rule\s*\?\s*$|"
                            r"\bexplain\b.*\bchain\s+rule\b|\bhow\s+does\s+the\s+chain\s+rule\s+work\b"),
        (Intent.WHY_MULTIPLY, r"^\s*(?:please\s+)?explain\b|^\s*why\s*[?!.]*\s*$|\bexplain\s+(?:it|this|that|why)\b"),
        (Intent.REPEAT, r"\brepeat\b|\bsay\s+(?:that|it)\s+again\b|\bwhat\s+was\s+the\s+question\b|"
                        r"\bwhat\s+(?:is|was)\s+the\s+(?:question|problem|task)\b|\bcome\s+again\b|\bpardon\b"),
        (Intent.SKIP, r"\bskip\b|\bnew\s+(?:problem|question|exercise|one)\b|\banother\s+(?:problem|question|one|exercise)\b|"
                      r"\bnext\s+(?:problem|question|exercise|one)\b|^\s*next\s*[?!.]*\s*$|\bsomething\s+else\b|"
                      r"\bdifferent\s+(?:problem|question|one)\b"),
        (Intent.HINT, r"\bhints?\b|\bclue\b|\bnudge\b|\bi(?:'m|\s+am)\s+stuck\b|\bstuck\b|\bi\s+don'?t\s+know\b|"
                      r"\bno\s+idea\b|\bhow\s+do\s+i\s+(?:start|begin|do\s+(?:this|it))\b|\bwhere\s+do\s+i\s+start\b|"
                      r"^\s*\?+\s*$"),
        (Intent.HELP, r"^\s*(?:help|menu|commands|options)\s*[?!.]*\s*$|\bwhat\s+can\s+(?:you|i)\s+(?:do|say|ask)\b|"
                      r"\bhow\s+does\s+this\s+work\b|\bhelp\s+me\b|\bi\s+need\s+help\b"),
        (Intent.YES, r"^\s*(?:yes|yeah|yep|yup|sure|ok(?:ay)?|go\s+(?:on|ahead)|let'?s\s+go|please|"
                     r"of\s+course|why\s+not|ready)\s*[!.]*\s*$"),
        (Intent.NO, r"^\s*(?:no|nope|nah|not\s+now|no\s+thanks?|later|stop|i'?m\s+done|done|bye|goodbye)\s*[!.]*\s*$"),
        (Intent.THANKS, r"\b(?:thanks|thank\s+you|thx|ty|cheers|merci)\b"),
        (Intent.GREETING, r"^\s*(?:hi+|hello+|hey+|hiya|howdy|yo|greetings|good\s+(?:morning|afternoon|evening)|"
                          r"hallo|bonjour|hola)\b[\s\w,!.]*$"),
    )
)


def recognise(text: str) -> IntentMatch:
    """The learner's intent in ``text``.

    >>> recognise("can I have a hint?").intent
    <Intent.HINT: 'hint'>
    >>> recognise("differentiate (2x+1)^3")
    IntentMatch(intent=<Intent.DIFFERENTIATE: 'differentiate'>, expression='(2x+1)^3', variable=None)
    >>> recognise("d/dw (σ(wx) − y)^2").variable
    'w'
    >>> recognise("6(2x+1)^2").intent
    <Intent.NONE: 'none'>
    """
    command = _differentiate_command(text)
    if command is not None:
        return command
    for intent, pattern in _PATTERNS:
        if pattern.search(text):
            return IntentMatch(intent)
    return IntentMatch(Intent.NONE)


def _differentiate_command(text: str) -> IntentMatch | None:
    """A request to start on an expression, with its variable if named."""
    by = _D_BY.match(text)
    if by is not None:
        return IntentMatch(Intent.DIFFERENTIATE, _strip_end(by.group(2)), by.group(1))
    command = _DIFFERENTIATE.match(text)
    if command is None:
        return None
    expression, variable = command.group("expr"), None
    named = _WITH_RESPECT.match(expression)
    if named is not None:
        expression, variable = named.group("expr"), named.group("var")
    expression = _strip_end(expression)
    if not expression:
        return None
    return IntentMatch(Intent.DIFFERENTIATE, expression, variable)


# "differentiate L = (σ(wx) − y)^2": the name a learner gives the function is
# not part of it (an equation is not an expression the parser reads).
_FUNCTION_NAME = re.compile(r"^\s*[a-zA-Zα-ω](?:\s*\(\s*[a-zA-Z]\s*\))?\s*=\s*(?=\S)")


def _strip_end(expression: str) -> str:
    """The expression without the name it was given or trailing punctuation a sentence adds.

    >>> _strip_end("L = (a - y)^2.")
    '(a - y)^2'
    >>> _strip_end("f(x) = sin(x^2)?")
    'sin(x^2)'
    """
    return _FUNCTION_NAME.sub("", expression, count=1).strip().rstrip("?!.,;:").strip()
