"""The grammar of what learners type: a recursive-descent parser over tokens.

It builds sympy objects directly (never ``eval``, ``sympify`` or
``parse_expr`` on user text), so only whitelisted functions, constants and
symbols can ever appear. Grammar, loosest binding first::

    sum      := term (('+' | '-') term)*
    term     := signed (('*' | '/') signed | <juxtaposed> power)*
    signed   := ('+' | '-')* power
    power    := primary ('^' signed | superscript)?      (right-associative)
    primary  := number | symbol | constant | '(' sum ')' | '|' sum '|'
              | root signed | function

    function := name [('^' int | superscript)] ('(' sum ')' | juxtaposed argument)

A function without parentheses takes the juxtaposed factors up to the next
function, operator or bracket: ``sin 2x`` is sin(2x), ``sin x cos x`` is
sin(x)·cos(x), ``sin x^2`` is sin(x²). ``sin^2(3x)`` is sin(3x)², and
``sin^-1(x)`` is asin(x). Implicit products bind like ``*``, so ``1/2x`` is x/2.

:mod:`parsing` is the way in: it checks the text against MAX_LENGTH before
anything else, tokenizes and caches. The parser refuses more than
MAX_TOKENS tokens and nesting deeper than MAX_DEPTH.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sympy as sp

from .errors import ExpressionError
from .functions import FUNCTIONS, INVERSES
from .tokens import LOG_BASES, Kind, Token, check_brackets, tokenize
from .unevaluated import (
    check_degree,
    evaluate_tree,
    negative,
    power,
    product,
    reciprocal,
    total,
)

MAX_LENGTH = 500
MAX_DEPTH = 40
MAX_TOKENS = 500

# Tokens that can begin a factor written right after another (``2x``, ``x(x+1)``).
_FACTOR_STARTS = frozenset({Kind.NUMBER, Kind.SYMBOL, Kind.CONSTANT, Kind.FUNCTION,
                            Kind.OPEN, Kind.ROOT, Kind.BAR})
# Inside a juxtaposed function argument, another function ends the argument.
_ARGUMENT_STARTS = _FACTOR_STARTS - {Kind.FUNCTION, Kind.BAR}


class Parser:
    """Recursive descent over one list of tokens."""

    def __init__(self, tokens: list[Token], variable: str | None, depth: int = 0) -> None:
        if len(tokens) > MAX_TOKENS:
            raise ExpressionError(f"the expression is too long (at most {MAX_LENGTH} characters)")
        self.tokens = tokens
        self.variable = variable
        self.i = 0
        self.depth = depth
        self.open_bars = 0

    # -- token access -------------------------------------------------------

    def peek(self) -> Token:
        return self.tokens[self.i]

    def previous(self) -> Token | None:
        return self.tokens[self.i - 1] if self.i else None

    def advance(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def at_operator(self, *ops: str) -> bool:
        return self.peek().op in ops

    @contextmanager
    def nested(self, position: int) -> Iterator[None]:
        """One level deeper; refuses depth beyond MAX_DEPTH before Python's stack is at risk."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError("nesting is too deep", position)
        try:
            yield
        finally:
            self.depth -= 1

    # -- grammar ------------------------------------------------------------

    def parse(self) -> sp.Expr:
        """The whole token list as one expression."""
        if self.peek().kind is Kind.END:
            raise ExpressionError("empty expression")
        check_brackets(self.tokens, MAX_DEPTH)
        expr = self.sum()
        token = self.peek()
        if token.kind is not Kind.END:
            raise self.unexpected(token)
        # Products add degrees: (x+1)^100·(x+1)^100·… is refused as a whole.
        check_degree(expr)
        _check_defined(expr)
        return expr

    def sum(self) -> sp.Expr:
        terms = [self.term()]
        while self.at_operator("+", "-"):
            sign = self.advance()
            term = self.term_after(sign)
            terms.append(negative(term) if sign.op == "-" else term)
        return total(terms)

    def term_after(self, sign: Token) -> sp.Expr:
        self.require_operand(sign)
        return self.term()

    def term(self) -> sp.Expr:
        factors = [self.signed()]
        while True:
            token = self.peek()
            if token.op in ("*", "/"):
                self.advance()
                self.require_operand(token)
                factor = self.signed()
                factors.append(reciprocal(factor, token.pos) if token.op == "/" else factor)
            elif self.starts_juxtaposed(token, _FACTOR_STARTS):
                factors.append(self.power())
            else:
                return product(factors, token.pos)

    def signed(self) -> sp.Expr:
        """A factor with leading signs: ``-x^2`` is -(x²), ``--x`` is x."""
        minus = False
        while self.at_operator("+", "-"):
            sign = self.advance()
            minus ^= sign.op == "-"
            self.require_operand(sign)
        value = self.power()
        return negative(value) if minus else value

    def power(self) -> sp.Expr:
        base = self.primary()
        token = self.peek()
        if token.op == "^":
            self.advance()
            self.require_operand(token)
            with self.nested(token.pos):
                exponent = self.signed()
            return power(base, exponent, token.pos)
        if token.kind is Kind.SUPERSCRIPT:
            self.advance()
            return power(base, self.superscript(token), token.pos)
        return base

    def primary(self) -> sp.Expr:
        token = self.peek()
        kind = token.kind
        if kind is Kind.NUMBER or kind is Kind.CONSTANT:
            self.advance()
            return token.value  # type: ignore[return-value]
        if kind is Kind.SYMBOL:
            self.advance()
            return sp.Symbol(str(token.value))
        if kind is Kind.OPEN:
            return self.group()
        if kind is Kind.FUNCTION:
            return self.call()
        if kind is Kind.ROOT:
            self.advance()
            self.require_operand(token)
            with self.nested(token.pos):
                radicand = self.signed()
            return power(radicand, sp.Rational(1, int(token.value)), token.pos)  # type: ignore[arg-type]
        if kind is Kind.BAR:
            return self.absolute()
        raise self.missing_operand(token)

    def group(self) -> sp.Expr:
        opener = self.advance()
        self.require_operand(opener)
        with self.nested(opener.pos):
            saved_bars, self.open_bars = self.open_bars, 0
            inner = self.sum()
            self.open_bars = saved_bars
        closer = self.peek()
        if closer.kind is not Kind.CLOSE:
            raise self.unexpected(closer)
        self.advance()
        return inner

    def absolute(self) -> sp.Expr:
        bar = self.advance()
        self.require_operand(bar)
        with self.nested(bar.pos):
            self.open_bars += 1
            inner = self.sum()
            self.open_bars -= 1
        if self.peek().kind is not Kind.BAR:
            raise ExpressionError("missing closing '|'", bar.pos)
        self.advance()
        return sp.Abs(inner, evaluate=False)

    def call(self) -> sp.Expr:
        """A function application, with ``sin^2``/``sin²`` and ``sin^-1`` forms."""
        name_token = self.advance()
        name = str(name_token.value)
        exponent = self.function_power(name_token)
        if exponent == -1:
            if name not in INVERSES:
                raise ExpressionError(
                    f"'{name_token.text}^-1' is ambiguous: write 1/{name_token.text}(x) "
                    "for the reciprocal", name_token.pos)
            name, exponent = INVERSES[name], None
        with self.nested(name_token.pos):
            argument = self.argument(name_token)
        result = _apply(name, argument, name_token.pos)
        return result if exponent is None else power(result, sp.Integer(exponent),
                                                     name_token.pos)

    def function_power(self, name_token: Token) -> int | None:
        """The power written on a function's name (``sin^2 x``), if any."""
        token = self.peek()
        if token.kind is Kind.SUPERSCRIPT:
            self.advance()
            value = self.superscript(token)
        elif token.op == "^":
            self.advance()
            value = self.small_integer()
        else:
            return None
        if value is None or not value.is_Integer:
            raise ExpressionError(
                f"the power of '{name_token.text}' must be a whole number, "
                f"as in {name_token.text}^2(x)", token.pos)
        return int(value)

    def small_integer(self) -> sp.Expr | None:
        """``2``, ``-1`` or ``(-1)`` after ``sin^``; None for anything else."""
        parenthesized = self.peek().kind is Kind.OPEN
        if parenthesized:
            self.advance()
        minus = False
        while self.at_operator("+", "-"):
            minus ^= self.advance().op == "-"
        token = self.peek()
        if token.kind is not Kind.NUMBER:
            return None
        self.advance()
        if parenthesized:
            if self.peek().kind is not Kind.CLOSE:
                return None
            self.advance()
        value: sp.Expr = token.value  # type: ignore[assignment]
        return -value if minus else value

    def argument(self, name_token: Token) -> sp.Expr:
        """A function's argument: parenthesized, or the juxtaposed factors."""
        token = self.peek()
        if token.kind is Kind.OPEN:
            return self.group()
        if token.kind in _FACTOR_STARTS or token.op in ("+", "-"):
            factors = [self.signed()]
            while self.starts_juxtaposed(self.peek(), _ARGUMENT_STARTS):
                factors.append(self.power())
            return product(factors, token.pos)
        raise ExpressionError(
            f"'{name_token.text}' needs an argument, as in {name_token.text}(x)",
            name_token.pos)

    def superscript(self, token: Token) -> sp.Expr:
        """A superscript run, read as its own small expression."""
        text, origin = token.value  # type: ignore[misc]
        with self.nested(token.pos):
            return Parser(tokenize(text, self.variable, origin), self.variable,
                          self.depth).parse()

    # -- juxtaposition and errors --------------------------------------------

    def starts_juxtaposed(self, token: Token, starts: frozenset[Kind]) -> bool:
        """Does ``token`` begin a factor multiplied by juxtaposition?"""
        if token.kind not in starts or (token.kind is Kind.BAR and self.open_bars):
            return False
        before = self.previous()
        if token.kind is Kind.NUMBER and before is not None and before.kind is Kind.NUMBER:
            raise ExpressionError(
                f"two numbers in a row: write {before.text}·{token.text} or "
                f"{before.text}{token.text}", token.pos)
        return True

    def require_operand(self, after: Token) -> None:
        """Raise unless the next token can begin an expression."""
        token = self.peek()
        if token.kind in _FACTOR_STARTS or token.op in ("+", "-"):
            return
        raise ExpressionError(f"expected an expression after '{after.text}'", token.pos)

    def missing_operand(self, token: Token) -> ExpressionError:
        before = self.previous()
        if before is None:
            if token.kind is Kind.OPERATOR:
                return ExpressionError(f"expected an expression before '{token.text}'", token.pos)
            return self.unexpected(token)
        return ExpressionError(f"expected an expression after '{before.text}'", token.pos)

    def unexpected(self, token: Token) -> ExpressionError:
        if token.kind is Kind.END:
            return ExpressionError("the expression ends too early", token.pos)
        return ExpressionError(f"unexpected '{token.text}'", token.pos)


def _apply(name: str, argument: sp.Expr, position: int) -> sp.Expr:
    """``name(argument)``, unevaluated, from the whitelist only."""
    if name in LOG_BASES:
        base = sp.log(sp.Integer(LOG_BASES[name]), evaluate=False)
        return product([sp.log(argument, evaluate=False), sp.Pow(base, -1, evaluate=False)])
    if name == "sqrt":
        return power(argument, sp.Rational(1, 2), position)
    function = FUNCTIONS[name]
    return function(argument, evaluate=False)  # type: ignore[operator]


def _check_defined(expr: sp.Expr) -> None:
    """Refuse an expression with a part that has no value: ``1/(x-x)``, ``ln(0)``.

    Nothing downstream can solve or check such an expression, and the learner
    is better told here, where the cause is plain.
    """
    if evaluate_tree(expr).has(sp.zoo, sp.nan):
        raise ExpressionError(
            "this expression is undefined: part of it has no value (like 1/0 or ln 0)")
