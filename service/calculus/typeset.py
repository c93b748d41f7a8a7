"""Maths typeset as it was written: LaTeX in the writer's own order.

The printers in :mod:`printing` write an expression as sympy holds it, tidied
(``1 + x`` comes out ``x + 1``, ``3(2x+1)^2*2`` as ``6(2x + 1)²``). That is
right for a result, wrong for an echo: the live preview must show a learner
what *they* typed, and a tutor's sentence such as ``3 · 2 = 6`` must not be
typeset as ``6 = 6``. :func:`typed_latex` walks the tokens of the text with
the grammar of :mod:`grammar` (simplified: the text has already been parsed,
so it is known to be well formed) and writes LaTeX term by term, in order.
Only division and powers change shape (``a/b`` becomes a fraction, the
brackets around an exponent or a fraction's part are dropped), as in print.

>>> typed_latex("(sigmoid(wx) - y)^2")
'\\\\left(\\\\sigma\\\\left(w x\\\\right) - y\\\\right)^{2}'
>>> typed_latex("1 + x")
'1 + x'
>>> typed_latex("-2x/e^(x^2)")
'-\\\\frac{2 x}{e^{x^{2}}}'
"""

from __future__ import annotations

from functools import lru_cache

from .errors import ExpressionError
from .parsing import parse_expression
from .tokens import Kind, Token, tokenize

# LaTeX names of the functions LaTeX knows; others are \operatorname{...}.
_LATEX_FUNCTIONS = frozenset({
    "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan",
    "sinh", "cosh", "tanh", "coth", "exp", "ln", "log",
})
_SPELLINGS = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "cosec": "csc",
              "sigmoid": r"\sigma", "σ": r"\sigma", "sigma": r"\sigma"}
_CONSTANTS = {"pi": r"\pi", "π": r"\pi", "e": "e"}
_TIMES = {"×": r"\times", "*": r"\cdot", "·": r"\cdot", "⋅": r"\cdot", "∙": r"\cdot"}
_BRACKETS = {"(": (r"\left(", r"\right)"), "[": (r"\left[", r"\right]"), "{": (r"\left(", r"\right)")}
_FACTOR_STARTS = frozenset({Kind.NUMBER, Kind.SYMBOL, Kind.CONSTANT, Kind.FUNCTION,
                            Kind.OPEN, Kind.ROOT, Kind.BAR})
_ARGUMENT_STARTS = _FACTOR_STARTS - {Kind.FUNCTION, Kind.BAR}


class _Piece(str):
    """LaTeX of one operand; ``group`` holds its inside when it is one bracketed group."""

    group: str | None = None


def _grouped(inner: str, latex: str) -> _Piece:
    piece = _Piece(latex)
    piece.group = inner
    return piece


def _bare(piece: str) -> str:
    """An operand without its brackets, where the layout shows the grouping (exponent, fraction)."""
    return piece.group if isinstance(piece, _Piece) and piece.group is not None else piece


@lru_cache(maxsize=2048)
def typed_latex(text: str, variable: str | None = None) -> str:
    """``text`` (maths as a learner types it) as LaTeX in the order it was written.

    Raises :class:`ExpressionError` when the text is not an expression the
    core can read (it is parsed first, so this never typesets nonsense).

    >>> typed_latex("3(2x+1)^2*2")
    '3 \\\\left(2 x + 1\\\\right)^{2} \\\\cdot 2'
    >>> typed_latex("e^(−x²)"), typed_latex("sin^2(3x)"), typed_latex("√(4x + 1)")
    ('e^{-x^{2}}', '\\\\sin^{2}\\\\left(3 x\\\\right)', '\\\\sqrt{4 x + 1}')
    """
    parse_expression(text, variable=variable)
    return _Typesetter(tokenize(text, variable)).whole()


class _Typesetter:
    """Recursive descent over tokens, writing LaTeX instead of building sympy."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.bars = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def whole(self) -> str:
        latex = self.sum()
        if self.peek().kind is not Kind.END:
            raise ExpressionError(f"unexpected '{self.peek().text}'", self.peek().pos)
        return latex

    def sum(self) -> str:
        latex = self.term()
        while self.peek().op in ("+", "-"):
            sign = self.advance().op
            latex += f" {sign} {self.term()}"
        return latex

    def term(self) -> str:
        latex: str = self.signed()
        while True:
            token = self.peek()
            if token.op == "/":
                self.advance()
                latex = _fraction(latex, self.signed())
            elif token.op == "*":
                self.advance()
                latex = f"{latex} {_TIMES.get(token.text, _TIMES['*'])} {self.signed()}"
            elif self.juxtaposed(token, _FACTOR_STARTS):
                latex = f"{latex} {self.power()}"
            else:
                return latex

    def signed(self) -> str:
        signs = ""
        while self.peek().op in ("+", "-"):
            signs += self.advance().op or ""
        value = self.power()
        return f"{signs}{value}" if signs else value

    def power(self) -> str:
        base = self.primary()
        token = self.peek()
        if token.op == "^":
            self.advance()
            return f"{base}^{{{_bare(self.signed())}}}"
        if token.kind is Kind.SUPERSCRIPT:
            self.advance()
            return f"{base}^{{{self.superscript(token)}}}"
        return base

    def primary(self) -> str:
        token = self.advance()
        kind = token.kind
        if kind is Kind.NUMBER:
            return token.text
        if kind is Kind.CONSTANT:
            return _CONSTANTS.get(token.text, token.text)
        if kind is Kind.SYMBOL:
            return _symbol(str(token.value))
        if kind is Kind.OPEN:
            inner = self.sum()
            self.advance()  # the closer
            left, right = _BRACKETS.get(token.text, _BRACKETS["("])
            return _grouped(inner, f"{left}{inner}{right}")
        if kind is Kind.FUNCTION:
            return self.call(token)
        if kind is Kind.ROOT:
            radicand = _bare(self.signed())
            degree = int(token.value)  # type: ignore[call-overload]
            return rf"\sqrt{{{radicand}}}" if degree == 2 else rf"\sqrt[{degree}]{{{radicand}}}"
        if kind is Kind.BAR:
            self.bars += 1
            inner = self.sum()
            self.bars -= 1
            self.advance()  # the closing bar
            return rf"\left|{inner}\right|"
        raise ExpressionError(f"unexpected '{token.text}'", token.pos)

    def call(self, name_token: Token) -> str:
        name = _function_name(name_token)
        token = self.peek()
        exponent = ""
        if token.kind is Kind.SUPERSCRIPT:
            self.advance()
            exponent = f"^{{{self.superscript(token)}}}"
        elif token.op == "^":
            self.advance()
            exponent = f"^{{{_bare(self.signed())}}}"
        if name == r"\sqrt":
            return rf"\sqrt{{{_bare(self.argument())}}}"
        return f"{name}{exponent}{self.argument()}"

    def argument(self) -> str:
        if self.peek().kind is Kind.OPEN:
            return self.primary()
        latex = " " + self.signed()
        while self.juxtaposed(self.peek(), _ARGUMENT_STARTS):
            latex += f" {self.power()}"
        return latex

    def superscript(self, token: Token) -> str:
        text, _origin = token.value  # type: ignore[misc]
        return _Typesetter(tokenize(text)).whole()

    def juxtaposed(self, token: Token, starts: frozenset[Kind]) -> bool:
        return token.kind in starts and not (token.kind is Kind.BAR and self.bars)


def _fraction(numerator: str, denominator: str) -> str:
    """``a/b`` as a fraction; a leading minus stays in front of it."""
    sign = ""
    if not isinstance(numerator, _Piece) and numerator.startswith("-"):
        sign, numerator = "-", numerator[1:]
    return f"{sign}\\frac{{{_bare(numerator)}}}{{{_bare(denominator)}}}"


def _symbol(name: str) -> str:
    """A symbol's LaTeX: ``x_1`` is x with a subscript 1."""
    base, _, sub = name.partition("_")
    return f"{base}_{{{sub}}}" if sub else base


def _function_name(token: Token) -> str:
    name = str(token.value)
    if name in ("log2", "log10"):
        return rf"\log_{{{name[3:]}}}"
    if name == "sqrt":
        return r"\sqrt"
    spelled = _SPELLINGS.get(name, name)
    if spelled.startswith("\\"):
        return spelled
    return f"\\{spelled}" if spelled in _LATEX_FUNCTIONS else rf"\operatorname{{{spelled}}}"
