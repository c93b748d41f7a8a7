"""Stage 2 of reading: find the maths in a message and take it out.

A message is cut into tokens; each is maths (a number, an operator, a
function or constant the calculus core knows, a single letter or a short
run of letters such as ``wx`` that is not an English word) or a word. A run
of maths tokens is a span. A word that is not a known name is a word, never
a product of one-letter symbols, so "please" or "forme" never reach the
parser. Leibniz operators (``d/dx``, ``dL/dw``) are found first: followed by
``=`` or "is" they tag an answer, otherwise they ask for a derivative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.calculus.functions import CONSTANTS, FUNCTIONS

_TOKEN = re.compile(r"""
   (?P<dop>(?<![A-Za-z])d\s*(?P<top>[A-Za-zα-ωσ]?)\s*/\s*d\s*(?P<by>[A-Za-zα-ω])(?![A-Za-z(]))
 | (?P<word>[A-Za-zα-ωΑ-Ω]+(?:'[a-z]+)?)
 | (?P<number>\d+(?:\.\d+)?)
 | (?P<strong>[-+*/^()\[\]{}²³⁴⁵⁶⁷⁸⁹¹⁰⁻√·×−–÷σπ])
 | (?P<weak>[=|'′])
 | (?P<space>\s+)
 | (?P<other>.)
""", re.VERBOSE | re.DOTALL)

# Short English words a learner writes around maths; any other run of at
# most three letters is maths (``wx``, ``xy``, ``dx``).
_SMALL_WORDS = frozenset("""
a i am an as at be by do go he hi if in is it me my no of oh ok on or so to up us we ya yo
all and any are but can did does for get got had has her him his how its let not now off
one our out own say see she the too two use was way who why yes yet you idk pls plz thx huh
lol hmm umm nah yep yup hey wut wat sup bye ty try new ask end put set sum add few big bad odd old
ago far got lot may mean saw yet ugh bot ai gpt joke lim eh ah aha ooh wow omg pfft hmm hm uh um er
""".split())
_NAMES = frozenset(name.lower() for name in FUNCTIONS) | frozenset(CONSTANTS)
_MAX_LETTER_RUN = 3


@dataclass(frozen=True)
class Span:
    """A run of maths in the message: its text and where it was."""

    text: str
    start: int
    end: int
    strong: bool       # has a number, an operator or a function: surely maths


@dataclass(frozen=True)
class Operator:
    """A Leibniz operator: ``d/dx`` (a request) or ``dy/dx =`` (an answer's tag)."""

    text: str
    top: str           # "" for d/dx
    by: str
    start: int
    end: int
    tags_answer: bool  # followed by "=" or "is"


@dataclass(frozen=True)
class Maths:
    """Everything stage 2 found: spans, operators, and the words left over."""

    spans: tuple[Span, ...]
    operators: tuple[Operator, ...]
    rest: str          # the message with the maths spans blanked out (operators kept: words to score)

    @property
    def main(self) -> Span | None:
        """The span the message is about: the longest strong one, else a lone weak one."""
        strong = [span for span in self.spans if span.strong]
        if strong:
            return max(strong, key=lambda span: len(span.text))
        if len(self.spans) == 1 and not self.rest.strip(" ?!.,:;"):
            return self.spans[0]  # the whole message is "x" or "u"
        return None


def find_maths(text: str, words: frozenset[str] = frozenset()) -> Maths:
    """The maths spans and Leibniz operators of ``text``; ``words`` are known to be words ("tip").

    >>> found = find_maths("could you find the derivative of sqrt(3x+1) for me?")
    >>> found.main.text
    'sqrt(3x+1)'
    >>> [op.by for op in find_maths("d/dw (σ(wx) − y)^2").operators]
    ['w']
    >>> find_maths("please").spans
    ()
    """
    tokens = [(match.lastgroup, match) for match in _TOKEN.finditer(text)]
    kinds = [_kind(tokens, index, words) for index in range(len(tokens))]
    spans: list[Span] = []
    operators: list[Operator] = []
    run: list[int] = []
    for index, (group, match) in enumerate(tokens):
        if group == "dop":
            tags = _followed_by_tag(text, match.end())
            operators.append(Operator(match.group(0), match.group("top") or "", match.group("by"),
                                      match.start(), match.end(), tags))
            if tags:  # "dy/du = 3u^2": the tag belongs to the answer's span
                run.append(index)
                continue
            _close(run, tokens, kinds, spans)
            run = []
            continue
        if kinds[index] in ("maths", "strong"):
            run.append(index)
        elif kinds[index] == "space" and run:
            run.append(index)
        else:
            _close(run, tokens, kinds, spans)
            run = []
    _close(run, tokens, kinds, spans)
    rest = list(text)
    for start, end in [(s.start, s.end) for s in spans]:
        rest[start:end] = " " * (end - start)
    return Maths(tuple(spans), tuple(operators), "".join(rest))


def _followed_by_tag(text: str, end: int) -> bool:
    return re.match(r"\s*(?:=|is\b|equals\b|:)", text[end:], re.IGNORECASE) is not None


def _kind(tokens: list[tuple[str, re.Match[str]]], index: int, words: frozenset[str]) -> str:
    """``strong``/``maths`` (a maths token), ``space``, or ``word``/``other``."""
    group, match = tokens[index]
    if group in ("number", "strong"):
        return "strong"
    if group == "dop":
        return "strong"
    if group == "weak":
        return "maths"
    if group != "word":
        return group
    word = match.group(0)
    lower = word.lower()
    if lower in _NAMES or _is_run_on_function(lower):
        return "strong"
    if len(word) == 1 and lower not in ("a", "i"):
        return "maths"
    if len(word) == 1:  # "a" and "I" are maths only beside maths ("a = σ(z)"), never before a word ("I think")
        return "maths" if _beside_maths(tokens, index) and not _word_follows(tokens, index) else "word"
    if len(word) <= _MAX_LETTER_RUN and lower not in _SMALL_WORDS and lower not in words:
        return "maths"
    return "word"


def _is_run_on_function(word: str) -> bool:
    """``sinx``, ``cos2``, ``lnx``: a function name run into a one- or two-letter argument."""
    return any(word.startswith(name) and 0 < len(word) - len(name) <= 2 and word[len(name):].isalpha()
               for name in _NAMES if len(name) >= 2)


def _beside_maths(tokens: list[tuple[str, re.Match[str]]], index: int) -> bool:
    for step in (-1, 1):
        at = index + step
        while 0 <= at < len(tokens) and tokens[at][0] == "space":
            at += step
        if 0 <= at < len(tokens) and tokens[at][0] in ("number", "strong", "weak", "dop"):
            return True
    return False


def _word_follows(tokens: list[tuple[str, re.Match[str]]], index: int) -> bool:
    at = index + 1
    while at < len(tokens) and tokens[at][0] == "space":
        at += 1
    return at < len(tokens) and tokens[at][0] == "word"


def _close(run: list[int], tokens: list[tuple[str, re.Match[str]]], kinds: list[str],
           spans: list[Span]) -> None:
    """Turn a run of maths tokens into a span (spaces at its ends trimmed)."""
    while run and kinds[run[-1]] == "space":
        run.pop()
    while run and kinds[run[0]] == "space":
        run.pop(0)
    if not run:
        return
    start, end = tokens[run[0]][1].start(), tokens[run[-1]][1].end()
    text = tokens[run[0]][1].string[start:end]
    strong = any(kinds[i] == "strong" and tokens[i][1].group(0) not in ("-",) for i in run)
    if text.strip().lower() in _NAMES - {"e", "π"}:
        return  # "one with ln": a function named, not maths to read
    if text.strip("=|'′ "):
        spans.append(Span(text, start, end, strong))
