"""Reading a learner's message: a short pipeline of small stages.

1. :mod:`normalise`: one spelling for punctuation, spoken maths, keywords;
2. :mod:`spans`: the maths taken out with the expression grammar's own
   names (a word that is not a known name is a word);
3. slots: the variable ("with respect to w", ``d/dw``) and an answer's tag
   ("u is", "the inner function is", ``dy/du =``);
4. :mod:`scoring`: what is left scored against the phrasings and the
   question bank of ``content/tutor/``;
5. one :class:`~service.tutor.intents.Reading`, with its reasons.

The decision between the scored candidates is a short list of rules, each
of which names itself in the reasons (:mod:`rules` holds those that look at
the shape of a message: "one with e^x", "why …", "solve x^2-4=0"):

>>> read("could you find the derivative of sqrt(3x+1) for me?").expression
'sqrt(3x+1)'
>>> read("u is 3x^2+1").tag
'u'
>>> read("I'm confused").intent
<Intent.CONFUSED: 'confused'>
"""

from __future__ import annotations

import re

from ..intents import PROBLEM_REQUESTS, Intent, Reading
from . import rules
from .normalise import normalise
from .phrasebook import Phrasebook, phrasebook
from .scoring import Match, score_phrasings
from .spans import Maths, find_maths

__all__ = ["read", "Reading", "Intent"]

_VARIABLE = re.compile(
    r"\b(?:with\s+respect\s+to|w\.?\s?r\.?\s?t\.?|in\s+terms\s+of|by|respect\s+to)\s+"
    r"([A-Za-zα-ω])\b(?!\s*[-+*/^(=])", re.IGNORECASE)
# Words that name what an answer is, just before its maths.
_TAG_BEFORE = (
    (re.compile(r"(?:\binner|\binside)(?:\s+(?:function|part|bit|one))?\s*(?:is|=|:|would\s+be|equals)?\s*$",
                re.IGNORECASE), "inner"),
    (re.compile(r"(?:\bouter|\boutside)(?:\s+(?:function|part|bit|one))?\s*(?:is|=|:|would\s+be|equals)?\s*$",
                re.IGNORECASE), "outer"),
    (re.compile(r"(?<![A-Za-z])([A-Za-zα-ω])\s+(?:is|equals|would\s+be|should\s+be)\s*$"), None),
)
# ... or just after it.
_TAG_AFTER = re.compile(r"\s*(?:is|would\s+be|=|equals)\s+(?:the\s+|my\s+)?(inner|inside|outer|outside)\b",
                        re.IGNORECASE)
_NAMED = re.compile(r"^\s*([A-Za-zα-ω])(?:\s*\(\s*[A-Za-zα-ω]\s*\))?\s*=\s*(?=\S)")
_STOP = " ?!.,:;"
# Intents that win over a bare expression ("why is it 3u^2?" asks, "3u^2" answers).
_ASKING = frozenset({Intent.WHY, Intent.HINT, Intent.CONFUSED, Intent.SOLUTION, Intent.NEXT_FACTOR,
                     Intent.WHY_MULTIPLY, Intent.CHAIN_RULE})


def read(text: str, *, book: Phrasebook | None = None) -> Reading:
    """What ``text`` means, with the reasons for reading it so."""
    book = book or phrasebook()
    if text.strip() and not text.strip("? "):
        return Reading(Intent.HINT, score=100.0, reasons=("rule: only question marks: a plea for help",))
    folded = normalise(text, book)
    reasons = list(folded.corrections)
    variable, stripped = _variable(folded.text)
    if variable:
        reasons.append(f"variable named: {variable}")
    maths = find_maths(stripped, book.vocabulary)
    main = maths.main
    tag, rest = _tag(maths, stripped, book.short_words)
    ranked = score_phrasings(rest, book, has_maths=main is not None)
    unless_alone, never = rules.excluded_intents(folded.text, main is not None)
    intents = [m for m in ranked if not m.label.startswith("question:") and Intent(m.label) not in never]
    preferred = next((m for m in intents if Intent(m.label) not in unless_alone), None)
    intent_match = (preferred if preferred is not None and preferred.score >= book.intent_threshold
                    else next(iter(intents), None))
    question_match = next((m for m in ranked if m.label.startswith("question:")), None)
    if intent_match is not None:
        reasons.append(f"phrasing {intent_match.phrasing!r} → {intent_match.label} ({intent_match.score:.0f})")
    if question_match is not None:
        reasons.append(f"question {question_match.phrasing!r} → {question_match.label} "
                       f"({question_match.score:.0f})")
    intent = _intent(intent_match, book.intent_threshold)
    question = (question_match if question_match is not None
                and question_match.score >= book.question_threshold else None)
    if question is not None and intent in PROBLEM_REQUESTS and rules.asks_for_a_problem(folded.text):
        reasons.append("rule: opens as a request for a problem, not a question")
        question = None
    request_op = next((op for op in maths.operators if not op.tags_answer), None)
    variable = variable or (request_op.by if request_op is not None else None)

    def reading(chosen: Intent, rule: str, score: float = 0.0, **slots: str | None) -> Reading:
        return Reading(chosen, score=score, reasons=(*reasons, f"rule: {rule}"), **slots)

    if intent is Intent.OUT_OF_SCOPE and (main is None or request_op is None) and not (
            question is not None and _beats(question, intent_match)):
        return reading(intent, "out of scope", intent_match.score, topic=intent_match.phrasing)
    if main is not None:
        expression = main.text.strip(_STOP)
        if tag is not None and tag != "named" and "/" not in tag:
            expression = expression.lstrip("=: ")  # "outer = u^3": the "=" came with the maths
        before = stripped[:main.start]
        topic = rules.topic_request(before, expression) if tag is None else None
        if topic is not None:
            return reading(topic, "a problem asked for by what is in it", 100.0)
        outside = rules.out_of_scope_maths(intent, intent_match.phrasing if intent_match else None,
                                           expression, variable)
        if outside is not None:
            return reading(Intent.OUT_OF_SCOPE, f"out of scope: {outside}", intent_match.score, topic=outside)
        if tag is None and request_op is None and rules.states_a_result(before):
            return reading(Intent.ANSWER, "a result stated", 100.0, expression=expression)
        takes = intent in book.takes_expression or any(
            m.label in {i.value for i in book.takes_expression} and m.score >= book.intent_threshold
            for m in intents)
        if request_op is not None or (takes and tag in (None, "named")):
            return reading(Intent.DIFFERENTIATE, "an expression with a request for its derivative",
                           intent_match.score if intent_match else 100.0,
                           expression=_NAMED.sub("", expression, count=1).strip(), variable=variable)
        if tag is None and question is not None and _beats(question, intent_match):
            return reading(Intent.QUESTION, "a question about the ideas", question.score,
                           question=question.label.removeprefix("question:"))
        if tag is None and intent in _ASKING:
            return reading(intent, "a request that mentions maths", intent_match.score)
        return reading(Intent.ANSWER, "maths, read as an answer", 100.0, expression=expression, tag=tag)
    if question is not None and (_beats(question, intent_match) or intent is Intent.DIFFERENTIATE):
        return reading(Intent.QUESTION, "a question about the ideas", question.score,
                       question=question.label.removeprefix("question:"))
    if intent is not None and intent is not Intent.ANSWER:
        return reading(intent, "the best phrasing", intent_match.score)
    if maths.spans:
        return reading(Intent.NONE, "maths too unclear to read as an expression")
    return reading(Intent.NONE, "no phrasing scored above the threshold")


def _intent(match: Match | None, threshold: float) -> Intent | None:
    if match is None or match.score < threshold:
        return None
    return Intent(match.label)


def _beats(question: Match, intent: Match | None) -> bool:
    """A question wins over an intent that scored less (ties go to the intent)."""
    return intent is None or question.score > intent.score


def _variable(text: str) -> tuple[str | None, str]:
    """The variable named in words, and the text without those words."""
    match = _VARIABLE.search(text)
    if match is None:
        return None, text
    return match.group(1), text[:match.start()] + " " * (match.end() - match.start()) + text[match.end():]


def _tag(maths: Maths, text: str, short_words: frozenset[str]) -> tuple[str | None, str]:
    """What the main span answers, if the message says so, and the words left to score."""
    main = maths.main
    rest = maths.rest
    if main is None:
        # No maths is used, so a short word the phrasings use is scored: "do the du cancel".
        for span in maths.spans:
            if span.text.strip().lower() in short_words:
                rest = rest[:span.start] + span.text + rest[span.end:]
        return None, rest
    op = next((op for op in maths.operators if op.tags_answer and op.start >= main.start), None)
    if op is not None:
        return f"d{op.top}/d{op.by}", rest
    if _NAMED.match(main.text) or re.match(r"^\s*[A-Za-z]\s*['′]", main.text):
        return "named", rest
    after = _TAG_AFTER.match(text, main.end)
    if after is not None:  # "x^2+1 is the inner function"
        name = "inner" if after.group(1).lower() in ("inner", "inside") else "outer"
        return name, rest[:main.end] + " " * (after.end() - main.end) + rest[after.end():]
    before = text[:main.start]
    for pattern, tag in _TAG_BEFORE:
        found = pattern.search(before)
        if found is not None:
            name = tag or found.group(1)
            start = found.start()
            return name, rest[:start] + " " * (main.start - start) + rest[main.start:]
    return None, rest


__all__ += ["PROBLEM_REQUESTS"]
