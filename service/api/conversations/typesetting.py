"""The tutor's sentences cut into words and maths, the maths as MathML.

The tutor writes its replies as plain text with Unicode maths inside
(``What is du/dx, the derivative of u = 2x + 1?``). The widget typesets the
maths: each reply also goes out as ``segments``, a list of
``{"text": ...}`` and ``{"math": <MathML>, "text": <the same maths as text>}``.
The text of a maths segment is its alternative for screen readers and for
clients that do not render MathML.

How maths is found: a run of words that look like maths (digits, operators,
brackets, superscripts, single letters beside an operator) is a candidate;
it counts only if the calculus core's own parser reads every side of it
(Leibniz names such as ``dy/du`` are read here), and a candidate that does
not read is shortened from its end until it does. So a sentence is never
typeset as a product of letters, and the MathML is always made by our
printers from parsed maths, never copied from text.

>>> [s.get("text") for s in segments("Right: u = 2x + 1. So y = u³.")]
['Right: ', 'u = 2x + 1', '. So ', 'y = u³', '.']
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from service.calculus import ExpressionError
from service.calculus.typeset import typed_latex
from service.content.render import MathError, MathSpan, render_math

_PIECES = re.compile(r"(\s+)")
_MATHS_CHARS = re.compile(r"^[\w()+\-−*/^·×=√'|.,⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ]+$")
_STRONG = re.compile(r"[0-9+\-−*/^·×=√()|⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵘᵛʷˣʸᶻⁿ]")
_OPERATOR_WORDS = frozenset({"=", "+", "-", "−", "·", "×", "*", "/"})
_TRAILING = ".,;:?!…"
_LEIBNIZ = re.compile(r"^d(\w)/d(\w)$")
_PRODUCT = re.compile(r"\s+·\s+")
_DIGITS_ONLY = re.compile(r"^[0-9.]+$")
_LETTERS = re.compile(r"^[a-zA-Zα-ω]{1,3}$")


@lru_cache(maxsize=4096)
def _cached(text: str) -> tuple[tuple[str, str | None], ...]:
    pieces = _PIECES.split(text)
    found: list[tuple[str, str | None]] = []
    plain = ""
    i = 0
    while i < len(pieces):
        span = _longest_maths(pieces, i)
        if span is None:
            plain += pieces[i]
            i += 1
            continue
        end, shown, mathml, rest = span
        if plain:
            found.append((plain, None))
            plain = ""
        found.append((shown, mathml))
        plain = rest
        i = end
    if plain:
        found.append((plain, None))
    return tuple(found)


def segments(text: str) -> list[dict[str, Any]]:
    """``text`` as words and maths (see the module's docstring)."""
    return [{"text": shown} if mathml is None else {"math": mathml, "text": shown}
            for shown, mathml in _cached(text)]


def _longest_maths(pieces: list[str], start: int) -> tuple[int, str, str, str] | None:
    """The longest maths starting at ``pieces[start]``: (end, maths text, MathML, trailing punctuation)."""
    if start % 2 or not _mathy(pieces[start]):  # odd pieces are the spaces between words
        return None
    end = start + 1
    while end + 1 < len(pieces) and _continues(pieces[end - 1], pieces[end + 1]):
        end += 2
    while end > start:
        words = "".join(pieces[start:end])
        shown = words.rstrip(_TRAILING)
        rest = words[len(shown):]
        mathml = _typeset(shown)
        if mathml is not None:
            return end, shown, mathml, rest
        end -= 2
    return None


def _continues(before: str, word: str) -> bool:
    """Whether ``word`` carries on the maths that ``before`` ended.

    Letters alone (``wx``) count only right after an operator (``z = wx``),
    so that ``u = 2x + 1 is`` stops before ``is``.
    """
    if before.endswith(tuple(_TRAILING)):
        return False
    return _mathy(word) or (before in _OPERATOR_WORDS and _LETTERS.match(word.rstrip(_TRAILING)) is not None)


def _mathy(word: str) -> bool:
    bare = word.rstrip(_TRAILING)
    return bool(bare) and _MATHS_CHARS.match(bare) is not None and (
        _STRONG.search(bare) is not None or len(bare) == 1 or bare in _OPERATOR_WORDS)


@lru_cache(maxsize=4096)
def _typeset(maths: str) -> str | None:
    """MathML of ``maths`` when every side of it reads as maths and it is worth typesetting."""
    if not _STRONG.search(maths) or _DIGITS_ONLY.match(maths) or maths.strip()[:1] in _OPERATOR_WORDS:
        return None
    sides = [side.strip() for side in maths.split("=")]
    if any(not side for side in sides):
        return None
    try:
        latex = " = ".join(_side_latex(side) for side in sides)
        return render_math(MathSpan(latex, display=False, offset=0))
    except (ExpressionError, MathError):
        return None


def _side_latex(side: str) -> str:
    """One side of an equation: Leibniz names (``dy/du · du/dx``) or an expression as written."""
    parts = _PRODUCT.split(side)
    leibniz = [_LEIBNIZ.match(part) for part in parts]
    if all(leibniz):
        return r" \cdot ".join(rf"\frac{{d{m[1]}}}{{d{m[2]}}}" for m in leibniz if m)
    if len(side) == 1 and not side.isalnum():
        raise ExpressionError(f"not maths: {side!r}")
    return typed_latex(side)
