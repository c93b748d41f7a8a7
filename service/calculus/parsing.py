"""Reading what learners type, safely, into sympy trees kept as typed.

The text is tokenized (:mod:`tokens`) and read by the hand-written
recursive-descent parser of :mod:`grammar`, which builds sympy objects
directly (never ``eval``, ``sympify`` or ``parse_expr`` on user text), so
only whitelisted functions, constants and symbols can ever appear; the
grammar and how juxtaposed function arguments read are described there.

Bounds, so that nothing typed can hang or exhaust the process: at most
MAX_LENGTH characters (checked before reading), MAX_DEPTH levels of nesting,
30-digit literals, the number, exponent, degree and root limits of
:mod:`unevaluated`, and the shape limits of :mod:`cost` (towers, products,
nesting, the size of values and of the derivative), all checked before sympy
computes anything.

>>> parse_expression("(3x)^2")
(3*x)**2
>>> parse_expression("e^(-x^2)")
exp(-x**2)
>>> parse_expression("sin x cos x")
sin(x)*cos(x)
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from .cost import estimate_cost, refuse_costly
from .errors import ExpressionError
from .grammar import MAX_DEPTH, MAX_LENGTH, Parser
from .tokens import tokenize
from .unevaluated import evaluate_tree

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "evaluate_tree", "parse_expression"]


def parse_expression(text: str, variable: str | None = None) -> sp.Expr:
    """Read ``text`` as a learner typed it into an unevaluated sympy expression.

    ``e`` is Euler's number unless ``variable`` is ``"e"``. Every problem is
    an :class:`ExpressionError` with a learner-facing message and the
    position where it was found.

    >>> parse_expression("6(2x+1)²")
    6*(2*x + 1)**2
    >>> parse_expression("sin^2(3x)")
    sin(3*x)**2
    >>> parse_expression("foo(x)")
    Traceback (most recent call last):
    ...
    service.calculus.errors.ExpressionError: unknown function 'foo' (at position 1)
    """
    if not isinstance(text, str):
        raise ExpressionError("the expression must be text")
    # Checked before anything else, so a megabyte of text costs nothing.
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is too long (at most {MAX_LENGTH} characters)")
    return _parse_text(text, _variable_name(variable))


# Learners send the same answers again and again ("2", "3u^2", "u = 2x + 1"),
# and reading one costs a good part of a turn. The trees are immutable; a text
# that cannot be read raises each time (errors are not cached).
@lru_cache(maxsize=2048)
def _parse_text(text: str, variable: str | None) -> sp.Expr:
    try:
        tokens = tokenize(text, variable)
        tree = Parser(tokens, variable).parse()
        # Refused here, before any sympy work, so every way in (solve, check, the tutor) is bounded.
        refuse_costly(estimate_cost(tree))
        return tree
    except ExpressionError:
        raise
    except RecursionError:
        raise ExpressionError("nesting is too deep") from None
    except Exception as exc:
        # Bounds above should make this unreachable; if sympy still objects
        # to something, the learner gets a readable error rather than a crash.
        raise ExpressionError("this expression cannot be read") from exc


def _variable_name(variable: object) -> str | None:
    """The variable as a plain name (a sympy Symbol is accepted too)."""
    if variable is None:
        return None
    if isinstance(variable, sp.Symbol):
        return variable.name
    if not isinstance(variable, str) or not variable.strip():
        raise ExpressionError("the variable must be a name such as x")
    return variable.strip()
