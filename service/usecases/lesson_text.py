"""Lesson sections as the plain text the tutor speaks.

Sections are Markdown with LaTeX between ``$...$`` and ``$$...$$``; the tutor's
replies are plain text (the chat escapes them and shows no Markdown), so the
maths is turned into readable Unicode (``\\frac{dy}{du}`` → ``dy/du``,
``u^3`` → ``u³``, ``\\sigma`` → ``σ``) and the Markdown marks are dropped.
This is a reading aid, not a LaTeX renderer: it covers what the lesson
files use, and anything else comes through with its backslash removed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from service.calculus.printing import superscript

_MATH = re.compile(r"\$\$(?P<display>.+?)\$\$|\$(?P<inline>[^$\n]+?)\$", re.DOTALL)
_FRAC = re.compile(r"\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_POWER = re.compile(r"\^\{([^{}]*)\}|\^(\w)")
_SUBSCRIPT = re.compile(r"_\{([^{}]*)\}")
_COMMAND = re.compile(r"\\([A-Za-z]+)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")
_HEADING = re.compile(r"^#{1,6}\s*", re.MULTILINE)
_LIST_ITEM = re.compile(r"^([-*+]|\d+[.)])\s")

# LaTeX commands and what a reader sees for them; unknown ones lose the backslash.
_SYMBOLS: dict[str, str] = {
    "cdot": "·", "times": "×", "sigma": "σ", "pi": "π", "to": "→", "rightarrow": "→",
    "Delta": "Δ", "delta": "δ", "theta": "θ", "alpha": "α", "beta": "β", "lambda": "λ",
    "infty": "∞", "approx": "≈", "le": "≤", "ge": "≥", "ne": "≠", "sqrt": "√",
    "left": "", "right": "", "qquad": "  ", "quad": " ",
}


def latex_to_text(latex: str) -> str:
    """LaTeX maths as plain Unicode text.

    >>> latex_to_text(r"\\frac{dy}{dx} = \\frac{dy}{du} \\cdot \\frac{du}{dx}")
    'dy/dx = dy/du · du/dx'
    >>> latex_to_text(r"y = e^{-x^2}, \\sigma(z)\\,(1 - \\sigma(z))")
    'y = e^(-x²), σ(z) (1 - σ(z))'
    """
    text = latex.replace(r"\,", " ").replace(r"\ ", " ").replace(r"\;", " ")
    while _FRAC.search(text):  # innermost fractions first, so nested ones unfold
        text = _FRAC.sub(lambda m: f"{_grouped(m[1])}/{_grouped(m[2])}", text)
    text = _COMMAND.sub(lambda m: _SYMBOLS.get(m[1], m[1]), text)
    text = _POWER.sub(lambda m: _raised(latex_to_text(m[1]) if m[1] is not None else m[2]), text)
    text = _SUBSCRIPT.sub(lambda m: m[1], text)
    return " ".join(text.replace("{", "").replace("}", "").split())


def _grouped(part: str) -> str:
    """A fraction's numerator or denominator, in parentheses when it has several terms."""
    part = part.strip()
    return f"({part})" if re.search(r"[\s+\-]", part) else part


def _raised(exponent: str) -> str:
    """An exponent: superscript characters where they exist, else ``^(...)``."""
    raised = superscript(exponent)
    if raised is not None:
        return raised
    return f"^{exponent}" if len(exponent) == 1 else f"^({exponent})"


@lru_cache(maxsize=256)
def markdown_to_text(markdown: str) -> str:
    """A section's Markdown as plain text: maths in Unicode, no Markdown marks.

    Paragraphs stay apart (a blank line); lines within one are joined.
    Cached: the lesson changes only when the content is loaded again, and
    then its text (the cache key) changes with it.

    >>> markdown_to_text("If $u = 2x + 1$ then **du/dx** is\\n$2$.")
    'If u = 2x + 1 then du/dx is 2.'
    """
    with_maths = _MATH.sub(lambda m: latex_to_text(m["display"] or m["inline"]), markdown)
    plain = _EMPHASIS.sub(lambda m: m[2], _HEADING.sub("", with_maths))
    paragraphs = (_join_lines(block) for block in re.split(r"\n\s*\n", plain))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def _join_lines(block: str) -> str:
    """One paragraph's lines joined by spaces; list items keep a line each."""
    lines: list[str] = []
    for line in block.splitlines():
        words = " ".join(line.split())
        if not words:
            continue
        if lines and not _LIST_ITEM.match(words):
            lines[-1] += " " + words
        else:
            lines.append(words)
    return "\n".join(lines)
