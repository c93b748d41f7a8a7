"""A cheap estimate of what working on an expression will cost, before any work.

sympy's work on a derivative grows much faster than the text that asks for
it: a product of 80 binomials (465 characters) differentiates into 80 terms
of 79 factors each and took 8.7 s to simplify; a continued fraction 38 deep
5.3 s; ``sin(x)^sin(x)^…`` twelve levels ran mpmath out of memory; a tower of
variable powers ran for minutes. The parser already bounds the text (length,
nesting, the size of numbers and exponents); this module bounds the *shape*,
in one walk over the unevaluated tree the parser built, with no sympy
arithmetic:

- ``size``: the nodes of the tree;
- ``depth``: the longest path from the root to a leaf;
- ``tower``: the most exponentials stacked on one path (``e^(e^x)`` is 2,
  ``x^x^x`` is 3; a power with a constant exponent does not count), since
  every level of a tower makes the values sampled to check an answer
  exponentially larger;
- ``derivative_size``: the nodes of the derivative as the rules write it,
  before simplifying (the product rule copies every other factor once per
  factor, so ``n`` factors give about ``n²`` nodes).

:func:`refuse_costly` turns a cost above :data:`LIMITS` into
:class:`ExpressionTooCostly`, whose message says what is too big and what to
try; :meth:`Cost.is_heavy` tells the service which expressions to run apart
from the ordinary ones (see ``service.compute``). The limits were set from
the test corpora and the content (the largest there: size 30, depth 9, tower 3, derivative size
175, magnitude 5e8 for ``e^(e^(e^x))``) and the explosive inputs above.

- ``magnitude``: an upper bound on the natural log of the largest value met
  at the points where answers are sampled (``sin(e^(e^(8x)))`` reaches about
  ``e^(e^22)``, a number of 10^9 digits, which mpmath then reduces modulo 2π).

>>> estimate_cost(sp.Pow(sp.Symbol("x"), sp.Symbol("x"), evaluate=False)).tower
1
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy as sp

from .errors import ExpressionError
from .functions import sigmoid

__all__ = ["Cost", "CostLimits", "ExpressionTooCostly", "HEAVY", "LIMITS", "estimate_cost", "refuse_costly"]

# Functions that grow like an exponential: each one stacked adds a level to a tower.
_EXPONENTIAL = (sp.exp, sp.sinh, sp.cosh)
# Functions whose values stay within a few units whatever their argument.
_BOUNDED = (sp.sin, sp.cos, sp.tanh, sp.atan, sp.acot, sp.asin, sp.acos)
# The answer checker samples the variable up to this size (numeric._SCALES).
_SAMPLE_LOG = math.log(3.0)
# Above this a log-magnitude counts as infinite (math.exp overflows near 709).
_HUGE = 700.0


class ExpressionTooCostly(ExpressionError):
    """An expression that can be read but is too big to work with here.

    Raised before any work when :func:`estimate_cost` is over the limits,
    and by the service when the work itself runs over its time or memory
    budget. The message says why and what to try instead.
    """


@dataclass(frozen=True)
class CostLimits:
    """Bounds on each measure of :class:`Cost`."""

    size: int
    depth: int
    tower: int
    derivative_size: int
    magnitude: float


# Refused at once: far beyond anything a chain-rule learner types (about 5x
# the largest corpus expression), below where sympy's time takes off.
LIMITS = CostLimits(size=300, depth=40, tower=3, derivative_size=1500, magnitude=1e10)
# Read, but worked on apart from ordinary learners (service.compute): the
# largest corpus expression is well below these.
HEAVY = CostLimits(size=120, depth=16, tower=2, derivative_size=400, magnitude=1e3)


@dataclass(frozen=True)
class Cost:
    """The measures of one expression (see the module docstring)."""

    size: int
    depth: int
    tower: int
    derivative_size: int
    magnitude: float = 0.0

    def over(self, limits: CostLimits) -> str | None:
        """What exceeds ``limits``, in words for a learner, or None when nothing does.

        >>> Cost(size=10, depth=12, tower=4, derivative_size=30).over(LIMITS)
        'a tower of 4 stacked powers or exponentials (at most 3)'
        """
        if self.tower > limits.tower:
            return f"a tower of {self.tower} stacked powers or exponentials (at most {limits.tower})"
        if self.depth > limits.depth:
            return f"{self.depth} levels of nesting (at most {limits.depth})"
        if self.size > limits.size:
            return f"{self.size} parts (at most {limits.size})"
        if self.derivative_size > limits.derivative_size:
            return (f"its derivative would have about {self.derivative_size} parts before simplifying "
                    f"(at most {limits.derivative_size})")
        if self.magnitude > limits.magnitude:
            return "values too large to compute with (a power or exponential of an exponential)"
        return None

    def is_heavy(self) -> bool:
        """Whether the expression is within :data:`LIMITS` but beyond :data:`HEAVY`."""
        return self.over(HEAVY) is not None


def estimate_cost(expr: sp.Basic, variable: sp.Symbol | None = None) -> Cost:
    """The cost measures of ``expr``, a tree as the parser builds it.

    Only ``variable`` counts as varying; with none, every symbol does (an
    upper bound, for text read before its variable is known). Linear in the
    size of the tree; no sympy arithmetic.

    >>> x = sp.Symbol("x")
    >>> cost = estimate_cost(sp.exp(sp.exp(8 * x)))
    >>> cost.size, cost.depth, cost.tower, cost.derivative_size, f"{cost.magnitude:.0e}"
    (5, 4, 2, 23, '7e+20')
    """
    return _walk(expr, variable)[0]


def refuse_costly(cost: Cost, limits: CostLimits = LIMITS) -> None:
    """Raise :class:`ExpressionTooCostly` when ``cost`` is over ``limits``.

    >>> refuse_costly(Cost(size=400, depth=5, tower=0, derivative_size=400))
    Traceback (most recent call last):
    ...
    service.calculus.cost.ExpressionTooCostly: that expression is too big to work with here: 400 parts (at most 300); try a shorter one, or one chain at a time
    """
    reason = cost.over(limits)
    if reason is not None:
        raise ExpressionTooCostly(
            f"that expression is too big to work with here: {reason}; try a shorter one, or one chain at a time")


def _walk(expr: sp.Basic, variable: sp.Symbol | None) -> tuple[Cost, float]:
    """One node's cost and its own log-magnitude, from its children's (post-order)."""
    if not expr.args:
        varies = isinstance(expr, sp.Symbol) and (variable is None or expr == variable)
        value_log = _leaf_log(expr)
        return Cost(size=1, depth=1, tower=0, derivative_size=1 if varies else 0,
                    magnitude=value_log), value_log
    walked = [_walk(arg, variable) for arg in expr.args]
    parts = [part for part, _ in walked]
    value_log = _value_log(expr, [log for _, log in walked])
    size = 1 + sum(part.size for part in parts)
    depth = 1 + max(part.depth for part in parts)
    tower = max(part.tower for part in parts)
    magnitude = max(value_log, *(part.magnitude for part in parts))
    if not any(part.derivative_size for part in parts):  # constant in the variable
        return Cost(size=size, depth=depth, tower=tower, derivative_size=0, magnitude=magnitude), value_log
    if isinstance(expr, sp.Add):
        derivative = sum(part.derivative_size for part in parts)
    elif isinstance(expr, sp.Mul):
        # The product rule: each varying factor's derivative times a copy of the others.
        derivative = sum(part.derivative_size + size - part.size for part in parts if part.derivative_size)
    elif isinstance(expr, sp.Pow):
        base, exponent = parts
        if exponent.derivative_size:
            tower = 1 + max(base.tower, exponent.tower)
            derivative = size + base.size + exponent.size + base.derivative_size + exponent.derivative_size
        else:
            derivative = base.derivative_size + base.size + exponent.size + 3
    else:
        # f(g): f' at g (a copy of g and a few nodes) times g'.
        if isinstance(expr, _EXPONENTIAL):
            tower += 1
        derivative = sum(part.derivative_size + 2 * part.size for part in parts) + 3
    return Cost(size=size, depth=depth, tower=tower, derivative_size=derivative, magnitude=magnitude), value_log


def _leaf_log(leaf: sp.Basic) -> float:
    """An upper bound on ``ln |leaf|`` at the sample points (a symbol is at most 3)."""
    if isinstance(leaf, sp.Rational):
        return max(_int_log(leaf.p), _int_log(leaf.q))
    if isinstance(leaf, sp.Float):
        return max(0.0, math.log(abs(float(leaf)) or 1.0))
    return _SAMPLE_LOG if isinstance(leaf, sp.Symbol) else 1.0


def _int_log(number: int) -> float:
    return number.bit_length() * math.log(2)


def _value_log(expr: sp.Basic, logs: list[float]) -> float:
    """An upper bound on ``ln |expr|`` from its arguments' bounds (never below 0).

    Crude on purpose: it only has to tell numbers a computer can work with
    from numbers with millions of digits.
    """
    if isinstance(expr, sp.Add):
        return max(logs) + math.log(len(logs))
    if isinstance(expr, sp.Mul):
        return sum(logs)
    if isinstance(expr, sp.Pow):
        base, exponent = logs
        if isinstance(expr.exp, sp.Number):
            return abs(float(expr.exp)) * max(base, 1.0)
        return _exp(exponent) * max(base, 1.0)
    if isinstance(expr, _EXPONENTIAL):
        return _exp(logs[0])
    if isinstance(expr, _BOUNDED) or isinstance(expr, sigmoid):
        return 1.0
    if isinstance(expr, sp.log):
        return math.log(1.0 + logs[0])
    return max(logs, default=0.0)


def _exp(log: float) -> float:
    """``e**log``, infinite where it would overflow."""
    return math.inf if log > _HUGE else math.exp(log)
