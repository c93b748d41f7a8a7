"""Chains the plan did not expect: is what the learner named a valid inner function?

A plan names its links one way (``v = 2x``, ``u = v³`` for sin((2x)³)), but
another cut of the same expression is just as right: ``8x³`` as the inner
function of sin((2x)³), or ``2σ(u)`` as a link of σ(2σ(3x)). ``g`` is a valid
inner function of ``F`` when ``F`` is some ``f(g)``: replacing ``g`` by a fresh
symbol leaves nothing of the variable behind. Not every such cut teaches well
(``2x`` is a "valid" inner function of (2x + 1)³, and the classic slip), so
the cut must also be one of the plan's links written in the variable, or a
constant times one: a coarser chain, an equivalent form, or a constant that
moved between links.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from service.calculus import ExpressionError, parse_expression
from service.calculus.functions import sigmoid
from service.calculus.parsing import evaluate_tree


def is_valid_inner(expression: str, variable: str, answer: str, links: Mapping[str, str]) -> bool:
    """Whether ``answer`` (in the variable, or in the plan's ``links``, given as sympy strings
    in the variable) is an inner function of ``expression`` that cuts the plan's chain
    at one of its links (up to a constant factor).

    >>> is_valid_inner("sin((2x)^3)", "x", "8x^3", {"v": "2*x", "u": "8*x**3"})
    True
    >>> is_valid_inner("sigmoid(2 sigmoid(3x))", "x", "2σ(u)", {"u": "3*x", "z": "sigmoid(3*x)"})
    True
    >>> is_valid_inner("(2x+1)^3", "x", "2x", {"u": "2*x + 1"})
    False
    """
    symbol = sp.Symbol(variable)
    try:
        whole = evaluate_tree(parse_expression(expression, variable))
        inner = evaluate_tree(parse_expression(answer, variable))
        inner = inner.subs({sp.Symbol(name): sp.sympify(value, locals=_NAMES)
                            for name, value in links.items()})
    except (ExpressionError, sp.SympifyError, TypeError, ValueError):
        return False
    if symbol not in inner.free_symbols or inner == symbol or _ratio(inner, whole, symbol) == 1:
        return False
    if not any(_ratio(inner, sp.sympify(value, locals=_NAMES), symbol) for value in links.values()):
        return False
    hole = sp.Dummy("inner")
    outer = whole.subs(inner, hole)
    return hole in outer.free_symbols and symbol not in outer.free_symbols


_POINTS = (0.37, 0.71, 1.3)  # sample points: cheaper than sympy's simplify, and enough here


def _ratio(inner: sp.Expr, link: sp.Expr, symbol: sp.Symbol) -> float | None:
    """The constant ``inner / link`` when it is one at every sample point, else None."""
    ratios = []
    for point in _POINTS:
        try:
            top, bottom = complex(inner.evalf(subs={symbol: point})), complex(link.evalf(subs={symbol: point}))
        except (TypeError, ValueError):
            return None
        if bottom == 0 or top == 0:
            return None
        ratios.append(top / bottom)
    first = ratios[0]
    if all(abs(r - first) <= 1e-9 * max(1.0, abs(first)) for r in ratios):
        return round(first.real, 9) if abs(first.imag) < 1e-12 else None
    return None


_NAMES = {"sigmoid": sigmoid}
