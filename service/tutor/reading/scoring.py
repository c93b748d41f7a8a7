"""Stage 3 of reading: score what is left of a message against the phrasebook.

A phrasing's score is how much of it the message says (recall, weighted
0.65) and how much of the message it covers (precision, 0.35), over the
words that carry meaning (fillers dropped): "can I have a hint please"
scores 100 on "hint". Words count by how telling they are (inverse
phrasing frequency, as in information retrieval): "limit" says more than
"what", so "what is the limit of …" is about limits. Ties go to the phrasing whose whole text is most like
the message (rapidfuzz's ratio), so "why?" matches "why" rather than "why do
we multiply". Phrasings made only of fillers ("ok") match a message made only
of fillers that says them ("ok let's do it" says "do it"); a phrasing made only
of question words ("what", "how") matches only a message that says nothing
else. A word the phrasebook only knows uninflected ("ones", "multiplying")
is scored as that word.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from .phrasebook import Phrasebook, Phrasing, words_of

RECALL_WEIGHT = 0.65
# A message of fillers only that holds a fillers-only phrasing: sure, short of saying it exactly.
_FILLERS_ONLY = 90.0
# Endings taken off a word the phrasebook does not know, and what the stem may need back.
_ENDINGS = (("s", ""), ("es", ""), ("ing", ""), ("ing", "e"))  # not "ed": "solved" is not "solve"


@dataclass(frozen=True)
class Match:
    """The best phrasing for one label, and its score (0-100)."""

    label: str
    phrasing: str
    score: float


def score_phrasings(rest: str, book: Phrasebook, has_maths: bool = True) -> list[Match]:
    """The best match per label, best first (labels that share no word are left out).

    Without maths in the message (``has_maths``), lead-ins to maths
    ("what about", "let's try") do not score: "what about it?" starts no problem.
    """
    weights = _weights(book)
    every = [_stem(word, weights, book.fillers) for word in words_of(rest)]
    words = frozenset(word for word in every if word not in book.fillers)
    said = " ".join(every)
    unknown = max(weights.values(), default=1.0)
    said_weight = sum(weights.get(word, unknown) for word in words)
    best: dict[str, tuple[float, float, Phrasing]] = {}
    for phrasing in _candidates(book, words, said):
        if phrasing.with_maths and not has_maths:
            continue
        if phrasing.exact and phrasing.text == said:
            score = 100.0
        elif phrasing.exact:
            score = _FILLERS_ONLY if not words and phrasing.words <= set(every) else 0.0
        elif phrasing.alone:
            score = 100.0 if words == phrasing.words else 0.0
        else:
            shared = sum(weights[word] for word in phrasing.words & words)
            if not shared:
                continue
            own = sum(weights[word] for word in phrasing.words)
            score = 100 * (RECALL_WEIGHT * shared / own + (1 - RECALL_WEIGHT) * shared / said_weight)
        if score <= 0:
            continue
        key = (score, fuzz.ratio(said, phrasing.text))
        if phrasing.label not in best or key > best[phrasing.label][:2]:
            best[phrasing.label] = (*key, phrasing)
    ranked = sorted(best.values(), key=lambda item: item[:2], reverse=True)
    return [Match(phrasing.label, phrasing.text, score) for score, _, phrasing in ranked]


def _stem(word: str, weights: dict[str, float], fillers: frozenset[str]) -> str:
    """``word``, or the phrasebook word it inflects ("ones" → one, "multiplying" → multiply)."""
    if word in weights or word in fillers:
        return word
    for ending, restore in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            stem = word[:-len(ending)] + restore
            if stem in weights or stem in fillers:
                return stem
    return word


def _candidates(book: Phrasebook, words: frozenset[str], said: str) -> list[Phrasing]:
    """The phrasings that could score: sharing a word, said exactly, or (fillers only) said within."""
    index = _index(book)
    found: dict[int, Phrasing] = {}
    if not words:
        for phrasing in index.get("=", ()):
            found[id(phrasing)] = phrasing
    for word in words:
        for phrasing in index.get(word, ()):
            found[id(phrasing)] = phrasing
    for phrasing in index.get(f"={said}", ()):
        found[id(phrasing)] = phrasing
    return list(found.values())


@lru_cache(maxsize=4)
def _weights(book: Phrasebook) -> dict[str, float]:
    """How telling each phrasebook word is: log(1 + phrasings / phrasings with it)."""
    counts: dict[str, int] = {}
    for phrasing in book.phrasings:
        for word in phrasing.words:
            counts[word] = counts.get(word, 0) + 1
    total = len(book.phrasings)
    return {word: math.log(1 + total / count) for word, count in counts.items()}


@lru_cache(maxsize=4)
def _index(book: Phrasebook) -> dict[str, tuple[Phrasing, ...]]:
    """Phrasings by word (and exact ones by ``=text``), built once per phrasebook."""
    index: dict[str, list[Phrasing]] = {}
    for phrasing in book.phrasings:
        keys = [f"={phrasing.text}", "="] if phrasing.exact else phrasing.words
        for key in keys:
            index.setdefault(key, []).append(phrasing)
    return {key: tuple(value) for key, value in index.items()}
