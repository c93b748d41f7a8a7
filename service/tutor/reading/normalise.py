"""Stage 1 of reading: fold the text so that later stages see one spelling.

- Unicode punctuation learners paste (’, “, …) becomes ASCII;
- maths said in words, where unambiguous, becomes maths ("e to the 2x" →
  ``e^(2x)``, "square root of (x+1)" → ``sqrt(x+1)``, "x squared" → ``x^2``);
- a misspelt keyword ("derivitive", "diferentiate", "hnit") becomes the
  keyword of the phrasebook it is closest to (rapidfuzz's optimal string
  alignment, which counts a swap of two letters as one edit), when that is
  close enough and starts with the same letter.

Maths is left as typed (case matters there: ``L``, ``σ``); words are
compared in lower case by the later stages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from service.calculus.functions import CONSTANTS, FUNCTIONS

from .phrasebook import Phrasebook

_NUMBER_WORDS = {"2": "two", "3": "three", "4": "four"}
_PUNCTUATION = str.maketrans({"’": "'", "‘": "'", "´": "'", "“": '"', "”": '"', "…": "...", "\u00a0": " "})
_TOKEN = r"(-?\(?[^\s,?!;]+)"   # the next maths token after a spoken operator

# (pattern, replacement) pairs: maths in words, read only where unambiguous.
_SPOKEN_MATHS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), replacement) for pattern, replacement in (
        (r"\be\s+to\s+the\s+(?:power\s+(?:of\s+)?)?" + _TOKEN, r"e^(\1)"),
        (r"\b(?:the\s+)?(?:square\s+root|sqrt|root)\s+of\s+(\([^)]*\))", r"sqrt\1"),
        (r"\b(?:the\s+)?(?:square\s+root|sqrt|root)\s+of\s+" + _TOKEN, r"sqrt(\1)"),
        (r"(\S+)\s+squared\b", r"\1^2"),
        (r"(\S+)\s+cubed\b", r"\1^3"),
        (r"\s*\bto\s+the\s+power\s+(?:of\s+)?" + _TOKEN, r"^(\1)"),
        (r"\b(sin|cos|tan|ln|log|exp|sqrt)\s+of\s+(\([^)]*\))", r"\1\2"),
        (r"\b(sin|cos|tan|ln|log|exp|sqrt)\s+of\s+" + _TOKEN, r"\1(\2)"),
        (r"(?<![A-Za-z])(d[A-Za-zα-ω]?\s*/\s*d[A-Za-zα-ω])\s+(?:is|equals)\s+", r"\1 = "),
        (r"\b(what|how|where|who)(?:'s|s)\b", r"\1 is"),
        # "3 links", "2 layers": a count of parts, not maths (the phrasings say "three links").
        (r"\b([234])(?=\s+(?:links?|functions?|layers?|parts?|levels?)\b)",
         lambda match: _NUMBER_WORDS[match.group(1)]),
        # "e^(3x) times 3": "times" between two pieces of maths (not "3 times already").
        (r"(?<=[\w)])\s+times\s+(?=[-\d(]|(?:sin|cos|tan|ln|log|exp|sqrt|e\^)|[A-Za-z](?![A-Za-z]))", "*"),
    )
)

_WORD = re.compile(r"[A-Za-z]{4,}")
_SIMILARITY = 0.75
_MATHS_NAMES = frozenset(FUNCTIONS) | frozenset(CONSTANTS)


@dataclass(frozen=True)
class Normalised:
    """The folded text and what folding changed (for the reading's reasons)."""

    text: str
    corrections: tuple[str, ...] = ()


def normalise(text: str, book: Phrasebook) -> Normalised:
    """The text with one spelling for punctuation, spoken maths and keywords.

    (A doctest would need the phrasebook; see tests/unit/tutor/test_reading.py.)
    """
    folded = text.translate(_PUNCTUATION).strip()
    changes: list[str] = []
    for pattern, replacement in _SPOKEN_MATHS:
        folded, count = pattern.subn(replacement, folded)
        if count:
            changes.append(f"rewritten: {pattern.pattern!r}")
    corrected = _WORD.sub(lambda match: _correct(match.group(0), book, changes), folded)
    return Normalised(corrected, tuple(changes))


def _correct(word: str, book: Phrasebook, changes: list[str]) -> str:
    """The phrasebook keyword ``word`` misspells, or ``word`` itself."""
    lower = word.lower()
    if lower in book.vocabulary or lower in book.fillers or _is_maths_name(lower):
        return word
    found = process.extractOne(lower, book.vocabulary, scorer=OSA.normalized_similarity,
                               score_cutoff=_SIMILARITY)
    if found is None or found[0][0] != lower[0] or not _plausible_typo(lower, found[0]):
        return word
    changes.append(f"typo: {word!r} read as {found[0]!r} ({found[1]:.2f})")
    return found[0]


def _plausible_typo(word: str, keyword: str) -> bool:
    """Whether ``word`` is a slip for ``keyword`` rather than another English word.

    In a word of four letters one edit is a quarter of it, and most single
    edits make another word ("wait"/"wat", "move"/"movie", "life"/"like"), so
    only a swap of two letters ("hnit") or a letter held down ("whyy") counts
    there. A past tense is its own word ("solved" is not "solve").
    """
    if _squeezed(word) == _squeezed(keyword):  # "whyy", "hiint": a letter held down
        return True
    if len(word) <= 4:
        return sorted(word) == sorted(keyword)
    return not (word.startswith(keyword) and word[len(keyword):] in ("d", "ed"))


def _squeezed(word: str) -> str:
    return re.sub(r"(.)\1+", r"\1", word)


def _is_maths_name(word: str) -> bool:
    """A function or constant name, or one run into a short argument (``sinx``, ``sqrtx``)."""
    return word in _MATHS_NAMES or any(word.startswith(name) and len(word) - len(name) <= 2
                                       for name in _MATHS_NAMES if len(name) >= 2)
