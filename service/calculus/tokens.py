"""The tokenizer of the expression reader: text a learner typed -> tokens.

It reads characters from a fixed alphabet only (ASCII digits and letters,
Greek letters, a few operator symbols and Unicode superscripts); anything else
is an :class:`ExpressionError` naming the character and its position. Words
are resolved here against the whitelist in :mod:`functions`, so the parser
never sees a name it does not know:

>>> [t.text for t in tokenize("2sinx")]
['2', 'sin', 'x', '']
>>> [t.kind.name for t in tokenize("wx")]
['SYMBOL', 'SYMBOL', 'END']
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import Enum, auto

import sympy as sp

from .errors import ExpressionError
from .functions import CONSTANTS, FUNCTIONS

MAX_LITERAL_DIGITS = 30
# A run of more single letters than this is a word, not a product: learners
# type ``wx`` for w·x, but ``exec`` or ``lambda`` is not maths.
MAX_LETTER_RUN = 3

# ``log10(x)`` and ``log2(x)``: logarithms to a fixed base, read as log(x)/log(b).
LOG_BASES: dict[str, int] = {"log10": 10, "log2": 2}

_GREEK = {chr(c) for c in range(0x391, 0x3AA) if c != 0x3A2} | {
    chr(c) for c in range(0x3B1, 0x3CA)
} | {"ϑ", "ϕ", "ϵ"}
_ASCII_LETTERS = {chr(c) for c in range(ord("a"), ord("z") + 1)} | {
    chr(c) for c in range(ord("A"), ord("Z") + 1)
}
LETTERS = frozenset(_ASCII_LETTERS | _GREEK)
DIGITS = frozenset("0123456789")
SUBSCRIPT_DIGITS = {chr(0x2080 + d): str(d) for d in range(10)}

SUPERSCRIPTS: dict[str, str] = {
    "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4",
    "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9",
    "⁻": "-", "⁺": "+", "⁽": "(", "⁾": ")",
    "ˣ": "x", "ʸ": "y", "ᶻ": "z", "ᵘ": "u", "ᵛ": "v", "ʷ": "w", "ⁿ": "n",
    "ᵃ": "a", "ᵇ": "b", "ᶜ": "c", "ᵗ": "t", "ᵉ": "e", "ⁱ": "i", "ᵏ": "k",
    "ᵐ": "m", "ᵖ": "p", "ʳ": "r", "ˢ": "s", "ᵈ": "d", "ᵍ": "g", "ʰ": "h",
    "ʲ": "j", "ˡ": "l", "ᵒ": "o", "ᶠ": "f",
}

# Every spelling of an operator, mapped to its one canonical text.
OPERATORS: dict[str, str] = {
    "+": "+", "-": "-", "−": "-", "–": "-", "—": "-",
    "*": "*", "·": "*", "×": "*", "⋅": "*", "∙": "*",
    "/": "/", "÷": "/", "∕": "/",
    "^": "^", "**": "^",
}
OPENERS: dict[str, str] = {"(": ")", "[": "]", "{": "}"}
CLOSERS = frozenset(OPENERS.values())
ROOTS: dict[str, int] = {"√": 2, "∛": 3, "∜": 4}
SPACES = frozenset(" \t\n\r\f\v\u00a0\u2002\u2003\u2005\u2009\u200a\u202f")


class Kind(Enum):
    """What a token is."""

    NUMBER = auto()      # value: sympy Integer or Rational
    SYMBOL = auto()      # value: the symbol's name
    CONSTANT = auto()    # value: sympy constant (pi, E)
    FUNCTION = auto()    # value: canonical function name (a FUNCTIONS or LOG_BASES key)
    OPERATOR = auto()    # text: canonical operator: + - * / ^
    OPEN = auto()        # value: the matching closer
    CLOSE = auto()
    ROOT = auto()        # value: 2, 3 or 4
    BAR = auto()         # | for absolute value
    SUPERSCRIPT = auto()  # value: (ascii text, original position of each char)
    END = auto()


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, the text as typed, where it starts, and its value."""

    kind: Kind
    text: str
    pos: int
    value: object = None

    @property
    def op(self) -> str | None:
        """The canonical operator text, or None if this is not an operator."""
        return self.value if self.kind is Kind.OPERATOR else None  # type: ignore[return-value]


def tokenize(text: str, variable: str | None = None,
             origin: list[int] | None = None) -> list[Token]:
    """Split ``text`` into tokens, ending with an END token.

    ``origin`` maps each index of ``text`` to a position in the learner's
    original text (used for superscripts, which are re-read as ASCII).

    >>> [t.text for t in tokenize("(3x)^2")]
    ['(', '3', 'x', ')', '^', '2', '']
    """
    return _Scanner(text, variable, origin).run()


class _Scanner:
    """A single left-to-right pass over the text."""

    def __init__(self, text: str, variable: str | None, origin: list[int] | None) -> None:
        self.text = text
        self.variable = variable
        self.origin = origin
        self.i = 0
        self.tokens: list[Token] = []
        self.vocabulary = _vocabulary(variable)
        self.longest = max(len(name) for name in self.vocabulary)

    def where(self, index: int) -> int:
        """The learner-facing position of ``index``."""
        if self.origin is None:
            return index
        return self.origin[min(index, len(self.origin) - 1)] if self.origin else 0

    def add(self, kind: Kind, text: str, start: int, value: object = None) -> None:
        self.tokens.append(Token(kind, text, self.where(start), value))

    def run(self) -> list[Token]:
        text = self.text
        while self.i < len(text):
            ch = text[self.i]
            if ch in SPACES:
                self.i += 1
            elif ch in DIGITS or (ch == "." and text[self.i + 1:self.i + 2] in DIGITS):
                self.number()
            elif ch in LETTERS:
                self.word()
            elif ch in SUPERSCRIPTS:
                self.superscript()
            else:
                self.symbol(ch)
        self.add(Kind.END, "", len(text))
        return self.tokens

    def symbol(self, ch: str) -> None:
        """Operators, brackets and the characters that are refused."""
        start = self.i
        pair = self.text[start:start + 2]
        if pair == "**":
            self.add(Kind.OPERATOR, pair, start, "^")
            self.i += 2
            return
        self.i += 1
        if ch in OPERATORS:
            self.add(Kind.OPERATOR, ch, start, OPERATORS[ch])
        elif ch in OPENERS:
            self.add(Kind.OPEN, ch, start, OPENERS[ch])
        elif ch in CLOSERS:
            self.add(Kind.CLOSE, ch, start)
        elif ch in ROOTS:
            self.add(Kind.ROOT, ch, start, ROOTS[ch])
        elif ch == "|":
            self.add(Kind.BAR, ch, start)
        else:
            raise _refused(ch, self.where(start))

    def number(self) -> None:
        """A decimal literal, read exactly: ``0.5`` is 1/2, never a float."""
        text, start = self.text, self.i
        end = _span(text, start, DIGITS)
        whole = text[start:end]
        fraction = ""
        # (slicing past the end gives '', which is not a digit)
        if text[end:end + 1] == "." and text[end + 1:end + 2] in DIGITS:
            end = _span(text, end + 1, DIGITS)
            fraction = text[start + len(whole) + 1:end]
        if len(whole) + len(fraction) > MAX_LITERAL_DIGITS:
            raise ExpressionError(
                f"number too large (at most {MAX_LITERAL_DIGITS} digits)", self.where(start))
        self.i = end
        value = sp.Rational(int(whole or "0") * 10 ** len(fraction) + int(fraction or "0"),
                            10 ** len(fraction))
        self.add(Kind.NUMBER, text[start:end], start, value)

    def superscript(self) -> None:
        """A run of superscripts: ``⁻ˣ²`` becomes the ASCII exponent ``-x^2``.

        Inside a run, digits right after a letter are that letter's power,
        as the lesson writes ``e⁻ˣ²`` for e^(-x²).
        """
        start = self.i
        chars: list[str] = []
        origin: list[int] = []
        while self.i < len(self.text) and self.text[self.i] in SUPERSCRIPTS:
            ascii_char = SUPERSCRIPTS[self.text[self.i]]
            if ascii_char in DIGITS and chars and chars[-1] in LETTERS:
                chars.append("^")
                origin.append(self.where(self.i))
            chars.append(ascii_char)
            origin.append(self.where(self.i))
            self.i += 1
        self.add(Kind.SUPERSCRIPT, self.text[start:self.i], start, ("".join(chars), origin))

    def word(self) -> None:
        """A run of letters: names from the whitelist, else single-letter symbols."""
        text, start = self.text, self.i
        end = _span(text, start, LETTERS)
        word = text[start:end]
        pieces = self.split(word)
        self.i = end
        suffix, suffix_end = _subscript(text, end)
        last_offset, last_name, last_kind = pieces[-1]
        if last_kind is Kind.FUNCTION and last_name == "log" and suffix in ("10", "2") \
                and _next_visible(text, suffix_end) in OPENERS:
            pieces[-1] = (last_offset, "log" + suffix, Kind.FUNCTION)
            self.i = suffix_end
        elif last_kind is Kind.SYMBOL and suffix:
            pieces[-1] = (last_offset, last_name + _suffix_name(text, end, suffix), Kind.SYMBOL)
            self.i = suffix_end
        followed_by_paren = _next_visible(text, self.i) in OPENERS
        if pieces[-1] == (last_offset, "σ", Kind.SYMBOL) and followed_by_paren \
                and self.variable != "σ":
            pieces[-1] = (last_offset, "σ", Kind.FUNCTION)
        self.check_word(word, pieces, start, followed_by_paren)
        for offset, name, kind in pieces:
            piece_text = name if kind is Kind.SYMBOL else word[offset:offset + len(name)]
            value: object = CONSTANTS[name] if kind is Kind.CONSTANT else name
            self.add(kind, piece_text, start + offset, value)

    def check_word(self, word: str, pieces: list[tuple[int, str, Kind]], start: int,
                   followed_by_paren: bool) -> None:
        """Refuse words that are not maths: ``foo(x)``, ``exec``."""
        if followed_by_paren and len(word) > 1 and pieces[-1][2] is not Kind.FUNCTION \
                and len(pieces) > 1:
            name = word + self.text[start + len(word):self.i]
            raise ExpressionError(f"unknown function '{name}'", self.where(start))
        run = 0
        for _, name, kind in pieces:
            run = run + 1 if len(name) == 1 and kind is not Kind.FUNCTION else 0
            if run > MAX_LETTER_RUN:
                raise ExpressionError(
                    f"unknown word '{word}' (to multiply letters, write them apart, "
                    f"as in {'·'.join(word[:3])})", self.where(start))

    def split(self, word: str) -> list[tuple[int, str, Kind]]:
        """Cut a letter run into known names, longest first, else single letters.

        ``sinx`` is sin and x, ``xy`` is x and y, ``pix`` is π and x.
        """
        pieces: list[tuple[int, str, Kind]] = []
        i = 0
        while i < len(word):
            for size in range(min(self.longest, len(word) - i), 0, -1):
                candidate = word[i:i + size]
                # Names are matched case-blind (``Sin``, ``PI``), single letters exactly.
                known = self.vocabulary.get(candidate if size == 1 else candidate.lower())
                if known is not None:
                    pieces.append((i, known[1], known[0]))
                    i += size
                    break
            else:
                pieces.append((i, word[i], Kind.SYMBOL))
                i += 1
        return pieces


def check_brackets(tokens: list[Token], max_depth: int) -> None:
    """Match brackets before parsing, so the message names the right one.

    >>> check_brackets(tokenize("sin(x"), 40)
    Traceback (most recent call last):
    ...
    service.calculus.errors.ExpressionError: unbalanced parenthesis after 'sin(' (at position 4)
    """
    stack: list[int] = []
    for index, token in enumerate(tokens):
        if token.kind is Kind.OPEN:
            stack.append(index)
            if len(stack) > max_depth:
                raise ExpressionError("nesting is too deep", token.pos)
        elif token.kind is Kind.CLOSE:
            if not stack:
                raise ExpressionError(f"unexpected '{token.text}'", token.pos)
            opener = tokens[stack.pop()]
            if opener.value != token.text:
                raise ExpressionError(
                    f"'{opener.text}' is closed by '{token.text}': expected '{opener.value}'",
                    token.pos)
    if stack:
        index = stack[0]
        raise ExpressionError(
            f"unbalanced parenthesis after '{_opening_context(tokens, index)}'",
            tokens[index].pos)


def _opening_context(tokens: list[Token], index: int) -> str:
    """The opener as the learner sees it: ``sin(`` rather than ``(``."""
    start = index
    # Step back over a function's power (``sin^2(``, ``sin²(``) to its name.
    while start > 0 and index - start < 4 and (
            tokens[start - 1].kind in (Kind.NUMBER, Kind.SUPERSCRIPT)
            or tokens[start - 1].op in ("^", "-")):
        start -= 1
    if start > 0 and tokens[start - 1].kind is Kind.FUNCTION:
        return "".join(t.text for t in tokens[start - 1:index + 1])
    return tokens[index].text


def _vocabulary(variable: str | None) -> dict[str, tuple[Kind, str]]:
    """The names a word may be cut into: lookup key -> (kind, canonical name)."""
    names: dict[str, tuple[Kind, str]] = {}
    for name in FUNCTIONS:
        # σ alone is a symbol unless a parenthesis follows (decided in ``word``).
        if name != "σ":
            names[name] = (Kind.FUNCTION, name)
    for name in CONSTANTS:
        names[name] = (Kind.CONSTANT, name)
    if variable:
        # The variable wins over a constant of the same name (``e`` as a variable).
        names[variable if len(variable) == 1 else variable.lower()] = (Kind.SYMBOL, variable)
    return names


def _span(text: str, start: int, alphabet: frozenset[str]) -> int:
    """Where the run of ``alphabet`` characters beginning at ``start`` ends."""
    end = start
    while end < len(text) and text[end] in alphabet:
        end += 1
    return end


def _subscript(text: str, end: int) -> tuple[str, int]:
    """Digits right after a word (``w1``, ``x_1``, ``x₁``) and where they end."""
    i = end
    if text[i:i + 1] == "_":
        i += 1
    digits = ""
    while i < len(text) and (text[i] in DIGITS or text[i] in SUBSCRIPT_DIGITS):
        digits += SUBSCRIPT_DIGITS.get(text[i], text[i])
        i += 1
    if not digits or len(digits) > MAX_LITERAL_DIGITS:
        return "", end
    return digits, i


def _suffix_name(text: str, end: int, digits: str) -> str:
    """``w1`` stays ``w1``; ``x_1`` and ``x₁`` are both ``x_1``."""
    return digits if text[end] in DIGITS else "_" + digits


def _next_visible(text: str, i: int) -> str:
    """The next character that is not a space, or '' at the end."""
    while i < len(text) and text[i] in SPACES:
        i += 1
    return text[i:i + 1]


def _refused(ch: str, position: int) -> ExpressionError:
    """The error for a character outside the alphabet, named so a learner can find it."""
    if ch == "=":
        return ExpressionError("'=' is not allowed here", position)
    if ch == ",":
        return ExpressionError("unexpected ',' (write decimals with a point, as in 0.5)",
                               position)
    if unicodedata.category(ch)[0] in "CZ":
        # Invisible characters (controls, bidi marks, zero-width spaces) would
        # print as nothing, so name them by code point.
        return ExpressionError(f"unexpected invisible character U+{ord(ch):04X}", position)
    return ExpressionError(f"unexpected character '{ch}'", position)
