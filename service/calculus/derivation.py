"""The derivation tree: how an expression's derivative is put together.

Rules are data, as in sympy's ``manualintegrate``: each node is a small
dataclass holding its parts and its derivative, one function builds the tree
(``decompose`` in ``chain.py``), and printers walk it (``solution.py``).

A pure chain is a :class:`ChainRule` whose innermost link is elementary in the
variable; sums, products, quotients and general powers hold the chains found
inside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import sympy as sp


class Rule(str, Enum):
    """The differentiation rule that gives one local derivative."""

    CONSTANT = "constant rule"
    LINEAR = "linear function"
    POWER = "power rule"
    ROOT = "power rule (a root is a power)"
    POLYNOMIAL = "sum and power rules"
    EXPONENTIAL = "exponential rule"
    GENERAL_EXPONENTIAL = "exponential rule for a^u"
    LOGARITHM = "logarithm rule"
    TRIG = "trigonometric rule"
    INVERSE_TRIG = "inverse trigonometric rule"
    HYPERBOLIC = "hyperbolic rule"
    INVERSE_HYPERBOLIC = "inverse hyperbolic rule"
    SIGMOID = "sigmoid derivative σ(1 − σ)"
    ABSOLUTE = "absolute value rule"
    # The rule of a whole sub-derivation, for a chain whose innermost
    # function is not elementary (``sin(x·eˣ)``: the inner link's rule).
    SUM = "sum rule"
    PRODUCT = "product rule"
    QUOTIENT = "quotient rule"
    GENERAL_POWER = "general power rule, through e^(g·ln f)"
    CHAIN = "chain rule"


@dataclass(frozen=True)
class Link:
    """One function of a chain: ``name = expression(input)``.

    ``expression`` and ``derivative`` are written in ``input`` (``u = v**2``,
    ``du/dv = 2*v``); the ``*_in_variable`` forms substitute the links below
    and evaluate, as the lesson does (``du/dv = 2v = 6x``).
    """

    name: sp.Symbol
    input: sp.Symbol
    expression: sp.Expr
    derivative: sp.Expr
    rule: Rule
    expression_in_variable: sp.Expr
    derivative_in_variable: sp.Expr

    @property
    def leibniz(self) -> str:
        """The local derivative's Leibniz name, e.g. ``du/dv``."""
        return f"d{self.name}/d{self.input}"


@dataclass(frozen=True)
class Derivation:
    """A node of the tree: an expression and its derivative by ``variable``."""

    expression: sp.Expr
    variable: sp.Symbol
    derivative: sp.Expr


@dataclass(frozen=True)
class Elementary(Derivation):
    """No chain: a constant, the variable, a power of it or a polynomial."""

    rule: Rule = Rule.POLYNOMIAL


@dataclass(frozen=True)
class ChainRule(Derivation):
    """A composition, innermost link first.

    When the innermost function is not elementary (``sin(x·eˣ)``), ``inner``
    holds the derivation of that innermost function, and ``links[0]`` is the
    link naming it.
    """

    links: tuple[Link, ...] = ()
    inner: Derivation | None = None


@dataclass(frozen=True)
class SumRule(Derivation):
    terms: tuple[Derivation, ...] = ()


@dataclass(frozen=True)
class ProductRule(Derivation):
    factors: tuple[Derivation, ...] = ()


@dataclass(frozen=True)
class QuotientRule(Derivation):
    numerator: Derivation | None = None
    denominator: Derivation | None = None


@dataclass(frozen=True)
class ConstantMultiple(Derivation):
    """``c·f(x)``: the constant rides along (used inside sums and products)."""

    constant: sp.Expr = sp.Integer(1)
    inner: Derivation | None = None


@dataclass(frozen=True)
class GeneralPower(Derivation):
    """``f(x)^g(x)``, differentiated through ``e^(g·ln f)``."""

    base: Derivation | None = None
    exponent: Derivation | None = None
    rewritten: Derivation | None = None


__all__ = [
    "Rule", "Link", "Derivation", "Elementary", "ChainRule", "SumRule",
    "ProductRule", "QuotientRule", "ConstantMultiple", "GeneralPower",
]
