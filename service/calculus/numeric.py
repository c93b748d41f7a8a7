"""Evaluating expressions, and their derivatives, at points, with mpmath at 34 digits.

The evaluator walks the sympy tree itself: no ``lambdify`` (it compiles code
and is slow on a cold cache) and no ``evalf`` on the common path. It walks
each expression once, into closures that are then called at every point. It
works on trees kept as typed (``evaluate=False``) as well as on evaluated ones.

:func:`derivative_value` differentiates as it evaluates (forward-mode
automatic differentiation: every node carries its value and its derivative),
so the right value of ``f'(x)`` at a point costs no symbolic ``diff``, which
on a cold sympy cache takes longer than the whole answer check may. It is
also a check independent of the symbolic derivative the solutions print.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache

import mpmath
import sympy as sp

from .functions import sigmoid

# A private mpmath context, so the precision is ours and never races other code
# that changes mpmath's global ``mp.dps``.
MP = mpmath.MPContext()
MP.dps = 34

Number = object  # an mpf or mpc of MP
Point = Mapping[str, Number]

RELATIVE_TOLERANCE = 1e-10
# Below this both sides count as zero: a derivative that vanishes at a point can
# come out as 1e-33 in one form and 0 in another.
ABSOLUTE_TOLERANCE = 1e-25
# The same tolerances as mpmath numbers (binary floats convert exactly), so
# comparing does not convert them again at every call.
_ABSOLUTE = MP.mpf(ABSOLUTE_TOLERANCE)
_RELATIVE = MP.mpf(RELATIVE_TOLERANCE)
SEED = 20240917
# Magnitude ranges tried in turn: moderate first, then smaller ones for
# functions defined only near zero (``asin(2x)`` needs |x| < 1/2).
_SCALES: tuple[tuple[float, float, int], ...] = ((0.3, 2.7, 12), (0.05, 0.95, 10), (0.01, 0.3, 8))


class Undefined(Exception):
    """Raised inside the evaluators when a point is outside the domain."""


def _sigmoid(z: Number) -> Number:
    return 1 / (1 + MP.exp(-z))


# Each function with its derivative, both as mpmath callables. The derivatives
# are the formulas sympy's ``diff`` gives, so both sides agree on every branch.
_FUNCTIONS: dict[type, tuple[Callable[[Number], Number], Callable[[Number], Number]]] = {
    sp.sin: (MP.sin, MP.cos),
    sp.cos: (MP.cos, lambda u: -MP.sin(u)),
    sp.tan: (MP.tan, lambda u: 1 + MP.tan(u) ** 2),
    sp.cot: (MP.cot, lambda u: -1 - MP.cot(u) ** 2),
    sp.sec: (MP.sec, lambda u: MP.sec(u) * MP.tan(u)),
    sp.csc: (MP.csc, lambda u: -MP.csc(u) * MP.cot(u)),
    sp.asin: (MP.asin, lambda u: 1 / MP.sqrt(1 - u**2)),
    sp.acos: (MP.acos, lambda u: -1 / MP.sqrt(1 - u**2)),
    sp.atan: (MP.atan, lambda u: 1 / (1 + u**2)),
    sp.acot: (MP.acot, lambda u: -1 / (1 + u**2)),
    sp.asec: (MP.asec, lambda u: 1 / (u**2 * MP.sqrt(1 - 1 / u**2))),
    sp.acsc: (MP.acsc, lambda u: -1 / (u**2 * MP.sqrt(1 - 1 / u**2))),
    sp.sinh: (MP.sinh, MP.cosh),
    sp.cosh: (MP.cosh, MP.sinh),
    sp.tanh: (MP.tanh, lambda u: 1 - MP.tanh(u) ** 2),
    sp.coth: (MP.coth, lambda u: 1 - MP.coth(u) ** 2),
    sp.sech: (MP.sech, lambda u: -MP.sech(u) * MP.tanh(u)),
    sp.csch: (MP.csch, lambda u: -MP.csch(u) * MP.coth(u)),
    sp.asinh: (MP.asinh, lambda u: 1 / MP.sqrt(u**2 + 1)),
    sp.acosh: (MP.acosh, lambda u: 1 / (MP.sqrt(u - 1) * MP.sqrt(u + 1))),
    sp.atanh: (MP.atanh, lambda u: 1 / (1 - u**2)),
    sp.acoth: (MP.acoth, lambda u: 1 / (1 - u**2)),
    sp.asech: (MP.asech, lambda u: -1 / (u * MP.sqrt(1 - u**2))),
    sp.acsch: (MP.acsch, lambda u: -1 / (u**2 * MP.sqrt(1 + 1 / u**2))),
    sp.exp: (MP.exp, MP.exp),
    sp.log: (MP.log, lambda u: 1 / u),
    sp.Abs: (MP.fabs, MP.sign),
    sigmoid: (_sigmoid, lambda u: _sigmoid(u) * (1 - _sigmoid(u))),
}


def _number(expr: sp.Expr) -> Number:
    """An mpmath number for a sympy number or constant (``π``, ``e``, ``3/4``)."""
    if expr.is_Integer:
        return MP.mpf(int(expr))
    if expr.is_Rational:
        return MP.mpf(int(expr.p)) / int(expr.q)
    if expr.is_Float:
        return MP.mpf(expr._mpf_)
    if expr is sp.pi:
        return +MP.pi
    if expr is sp.E:
        return +MP.e
    value = sp.N(expr, MP.dps)  # rare constants: EulerGamma, I, zoo ...
    real, imag = value.as_real_imag()
    if not (real.is_Float or real.is_Rational) or not (imag.is_Float or imag.is_Rational):
        raise Undefined(str(expr))
    return MP.mpc(_number(real), _number(imag)) if imag else _number(real)


def _power(base: Number, exponent: Number) -> Number:
    if base == 0 and exponent == 0:
        return MP.mpf(1)  # as sympy has it: 0**0 == 1
    if base == 0 and MP.re(exponent) <= 0:
        raise Undefined("0 to a negative power")
    return MP.power(base, exponent)


Evaluator = Callable[[Point], Number]


def _evaluate(expr: sp.Basic, point: Point) -> Number:
    return _evaluator(expr)(point)


# Keyed by the expression (immutable, and equal only to the same tree). The
# same expressions come back turn after turn: a step's expected value, the
# misconceptions' wrong derivatives, the problem as its own domain.
@lru_cache(maxsize=4096)
def _evaluator(expr: sp.Basic) -> Evaluator:
    """``expr`` as a function of a point, with the tree walked once.

    Each answer is evaluated at several points; walking the sympy tree (and
    converting its numbers to mpmath) again at every point cost more than the
    arithmetic. The closures do the same operations in the same order, so the
    values, and what raises, are exactly those of a walk per point.
    """
    return _compile(expr)


def _compile(expr: sp.Basic) -> Evaluator:
    if expr.is_Symbol:
        return _symbol_evaluator(expr.name)
    if expr.is_Number or expr.is_NumberSymbol or expr is sp.I:
        if expr.is_Rational or expr.is_Float or expr is sp.pi or expr is sp.E:
            value = _number(expr)  # these never raise; converted once
            return lambda point: value
        return lambda point: _number(expr)  # rare constants may raise, at each evaluation
    children = tuple(_compile(arg) for arg in expr.args)
    if expr.is_Add:
        return lambda point: MP.fsum([child(point) for child in children])
    if expr.is_Mul:
        return lambda point: _product(children, point)
    if expr.is_Pow:
        base, exponent = children
        return lambda point: _power(base(point), exponent(point))
    entry = _FUNCTIONS.get(expr.func)
    if entry is None or len(children) != 1:
        def with_sympy(point: Point) -> Number:
            for child in children:  # the arguments first: they may be undefined here
                child(point)
            return _evaluate_with_sympy(expr, point)
        return with_sympy
    function, (argument,) = entry[0], children
    return lambda point: function(argument(point))


def _product(factors: tuple[Evaluator, ...], point: Point) -> Number:
    """``MP.fprod`` of the factors' values, without its bookkeeping.

    The same multiplications in the same order, each rounded at ``MP``'s
    precision; fprod's final ``+v`` only rounds again what is already rounded.
    """
    value = MP.one
    for factor in factors:
        value = value * factor(point)
    return value


def _symbol_evaluator(name: str) -> Evaluator:
    def symbol(point: Point) -> Number:
        try:
            return point[name]
        except KeyError:
            raise Undefined(name) from None
    return symbol


def _evaluate_with_sympy(expr: sp.Basic, point: Point) -> Number:
    """Slow path for anything the walker does not know (a Piecewise, a Derivative...)."""
    floats = {s: sp.Float(point[s.name], MP.dps) for s in expr.free_symbols if s.name in point}
    value = sp.N(expr.rewrite(sp.exp).xreplace(floats), MP.dps)
    if not value.is_number:
        raise Undefined(str(expr))
    return _number(value)


def _dual(expr: sp.Basic, point: Point, variable: str) -> tuple[Number, Number]:
    """``(value, derivative by variable)`` of ``expr`` at ``point``."""
    if expr.is_Symbol:
        return _evaluate(expr, point), MP.mpf(1 if expr.name == variable else 0)
    if expr.is_Number or expr.is_NumberSymbol or expr is sp.I:
        return _number(expr), MP.mpf(0)
    if expr.is_Add:
        pairs = [_dual(arg, point, variable) for arg in expr.args]
        return MP.fsum(v for v, _ in pairs), MP.fsum(d for _, d in pairs)
    if expr.is_Mul:
        value, slope = MP.mpf(1), MP.mpf(0)
        for arg in expr.args:
            v, d = _dual(arg, point, variable)
            value, slope = value * v, slope * v + value * d
        return value, slope
    if expr.is_Pow:
        return _dual_power(expr, point, variable)
    entry = _FUNCTIONS.get(expr.func)
    if entry is None or len(expr.args) != 1:
        return _dual_with_sympy(expr, point, variable)
    inner, inner_slope = _dual(expr.args[0], point, variable)
    # A constant argument's derivative is 0 even where f' is undefined there.
    return entry[0](inner), (entry[1](inner) * inner_slope if inner_slope else MP.mpf(0))


def _dual_power(expr: sp.Pow, point: Point, variable: str) -> tuple[Number, Number]:
    (base, base_slope), (exponent, exponent_slope) = (_dual(arg, point, variable) for arg in expr.args)
    value = _power(base, exponent)
    slope = MP.mpf(0)
    if base_slope:
        slope += exponent * _power(base, exponent - 1) * base_slope
    # ln(base) enters only when the exponent moves ((-2)^x has no real
    # derivative), and 0^g stays 0 where it is defined.
    if exponent_slope and base != 0:
        slope += value * MP.log(base) * exponent_slope
    return value, slope


def _dual_with_sympy(expr: sp.Basic, point: Point, variable: str) -> tuple[Number, Number]:
    symbol = sp.Symbol(variable)
    derivative = sp.diff(expr, symbol) if any(s.name == variable for s in expr.free_symbols) else 0
    return _evaluate(expr, point), _evaluate(sp.sympify(derivative), point)


def _real(value: Number) -> Number | None:
    """``value`` as a finite real, or None."""
    if isinstance(value, MP.mpc):
        # An imaginary part at rounding level is a real value reached through
        # complex intermediates (sqrt(-x)²); anything larger is off the domain.
        if abs(value.imag) > ABSOLUTE_TOLERANCE + MP.mpf("1e-25") * abs(value.real):
            return None
        value = value.real
    return value if MP.isfinite(value) else None


# What evaluating at a point may raise (mpmath and sympy's slow path alike):
# each means "no real value here", never a crash of the check.
_FAILURES = (Undefined, ArithmeticError, ValueError, TypeError, AttributeError, NotImplementedError,
             RecursionError)


def numeric_value(expr: sp.Basic, point: Point) -> Number | None:
    """The value of ``expr`` at ``point`` (symbol name → number), or None.

    None means the expression is not real and finite there: outside the domain
    of a root, a logarithm or an inverse trig function, a division by zero, or
    a symbol the point does not give.

    >>> x = sp.Symbol("x")
    >>> float(numeric_value(sp.sqrt(1 - x**2), {"x": MP.mpf("0.6")}))
    0.8
    >>> numeric_value(sp.log(x), {"x": MP.mpf("-1.5")}) is None
    True
    """
    try:
        return _real(_evaluate(expr, point))
    except _FAILURES:
        return None


def derivative_value(expr: sp.Basic, variable: str, point: Point) -> tuple[Number, Number] | None:
    """``(f, f')`` at ``point``, both real and finite, or None.

    >>> x = sp.Symbol("x")
    >>> [float(v) for v in derivative_value((2*x + 1)**3, "x", {"x": MP.mpf(1)})]
    [27.0, 54.0]
    """
    try:
        value, slope = _dual(expr, point, variable)
    except _FAILURES:
        return None
    value, slope = _real(value), _real(slope)
    return None if value is None or slope is None else (value, slope)


def values_agree(a: Number, b: Number) -> bool:
    """True when two sampled values are equal to the relative tolerance.

    >>> values_agree(MP.mpf(1), MP.mpf(1) + MP.mpf("1e-20"))
    True
    >>> values_agree(MP.mpf(1), MP.mpf("1.001"))
    False
    """
    difference = abs(a - b)
    return difference <= _ABSOLUTE or difference <= _RELATIVE * max(abs(a), abs(b))


def sample_points(names: Iterable[str], seed: int = SEED) -> Iterator[dict[str, Number]]:
    """Seeded points giving each named symbol a non-integer value, half of them negative.

    Magnitudes are random; signs follow the bits of the point's number, so
    every symbol is negative at some of the first six points and any two
    symbols meet in all four sign combinations: an answer right only for
    positive values (``2|x|`` for ``x²``) cannot slip through. The first points
    have moderate size (0.3 to 2.7); later ones shrink so that functions
    defined only near zero still get enough valid points.

    >>> points = [p["x"] for _, p in zip(range(6), sample_points(["x"]))]
    >>> all(0.3 <= abs(float(v)) <= 2.7 for v in points), sum(v < 0 for v in points)
    (True, 3)
    """
    ordered = sorted(set(names))
    rng = random.Random(seed)
    number = 0
    for low, high, count in _SCALES:
        for _ in range(count):
            number += 1
            point = {}
            for position, name in enumerate(ordered):
                magnitude = MP.mpf(rng.uniform(low, high))
                point[name] = -magnitude if (number >> (position % 3)) & 1 else magnitude
            yield point


__all__ = [
    "MP", "Point", "Undefined", "numeric_value", "derivative_value", "values_agree", "sample_points",
    "RELATIVE_TOLERANCE", "ABSOLUTE_TOLERANCE",
]
