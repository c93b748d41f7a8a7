"""Is this expression equal to that one? Numeric sampling, then cheap symbolic confirmation.

Learners write the same derivative in many forms (``6(2x+1)^2``, ``24x^2+24x+6``,
``-2x/e^(x^2)``), so structural comparison is useless and ``simplify`` is slow
and sometimes fails. Instead both sides are evaluated with mpmath at 34
significant digits (``numeric.py``) at seeded random points of moderate size
(not integers, where special cases hide), skipping points where the expected
side is not real and finite (roots and logarithms of negatives, ``asin``
beyond ±1) or where the problem itself is undefined. Any valid point where the
answer disagrees, or is undefined, makes them different; agreement at every
valid point (at least three) makes them equal.

Why numbers may decide "equal": two different elementary expressions agreeing
to 1e-10 at several random 34-digit points is overwhelmingly unlikely, whereas
symbolic simplification is slow (milliseconds even on small expressions with
a cold cache) and incomplete. So on that path only the nearly free structural
test runs, and ``prove=True`` asks for the algebraic one. With fewer than
three valid points only a symbolic proof can say "equal"; otherwise the
answer is "not equal", so a wrong answer is never called right.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from types import MappingProxyType

import sympy as sp

from .numeric import Number, Point, derivative_value, numeric_value, sample_points, values_agree

MIN_VALID_POINTS = 3
WANTED_POINTS = 6
MAX_TRIES = 30
# Beyond this many operations the algebraic confirmation is skipped: expanding
# large products costs more than the whole check may.
_CONFIRM_MAX_OPS = 40
# ``simplify`` has no time bound of its own: on a difference of 17 operations in
# two symbols (a hypothesis find) it ran for 8 s. It is the last resort for
# small, one-variable differences only, where it stays in milliseconds.
_SIMPLIFY_MAX_OPS = 12

Reference = Callable[[Point], Number | None]


@dataclass(frozen=True, eq=False)
class _Samples:
    """The valid sample points of one expected side, and the expected values there.

    Made once per expected side (cached, see :func:`_expected_samples`) and
    compared by identity, so that it can key the cache of what other
    expressions fixed by the problem take at these points (:func:`_values_at`).
    """

    points: tuple[Point, ...]
    expected_values: tuple[Number, ...]


@dataclass(frozen=True)
class Comparison:
    """The outcome of comparing an answer with what was expected.

    ``points`` are the valid sample points, with ``expected_values`` and
    ``answer_values`` there; misconception matching reuses them so each
    candidate costs one evaluation per point. ``method`` says what decided:
    ``"structural"``, ``"algebraic"``, ``"numeric"`` (agreement at every point
    with no cheap proof) or, for unequal ones, ``"numeric"`` or ``"undecided"``.
    """

    equal: bool
    method: str
    samples: _Samples = field(repr=False)
    answer_values: tuple[Number | None, ...] = field(repr=False)

    @property
    def points(self) -> tuple[Point, ...]:
        """The valid sample points."""
        return self.samples.points

    @property
    def expected_values(self) -> tuple[Number, ...]:
        """The expected side's values at :attr:`points`."""
        return self.samples.expected_values

    def matches(self, candidate: sp.Expr) -> bool:
        """True when ``candidate`` takes the answer's values at every valid point.

        Used to recognise which wrong derivative a learner wrote; with fewer
        than three points where the answer is defined nothing is recognised.
        The candidates are fixed by the problem, so their values are cached.
        """
        if sum(value is not None for value in self.answer_values) < MIN_VALID_POINTS:
            return False
        candidate_values = _values_at(candidate, self.samples)
        for value, answer_value in zip(candidate_values, self.answer_values):
            if answer_value is None:
                continue
            if value is None or not values_agree(value, answer_value):
                return False
        return True

    def agree(self, left: sp.Expr, right: sp.Expr) -> bool:
        """True when ``left`` and ``right`` are defined and equal at (at least three of) these points.

        A cheap second opinion that reuses the points already found valid,
        without sampling (or checking a domain) again. ``left`` is fixed by
        the problem (another step's expected value), so its values are cached.
        """
        defined = 0
        for point, a in zip(self.points, _values_at(left, self.samples)):
            if a is None:
                continue
            b = numeric_value(right, point)
            if b is None:
                continue
            if not values_agree(a, b):
                return False
            defined += 1
        return defined >= MIN_VALID_POINTS


# Keyed by an expression the problem fixes (a misconception's wrong derivative,
# another step's expected value, the problem itself) and the samples it is
# compared at: every wrong answer to a step is matched against the same ones.
@lru_cache(maxsize=8192)
def _values_at(expr: sp.Expr, samples: _Samples) -> tuple[Number | None, ...]:
    """``expr``'s values at the sample points (None where it is not real and finite)."""
    return tuple(numeric_value(expr, point) for point in samples.points)


def _reference_samples(reference: Reference, names: frozenset[str]) -> _Samples:
    """The valid sample points for ``names`` and the expected values there.

    They depend on the expected side alone, so the callers cache them: a
    tutor checks many answers against the same step (see :func:`_expected_samples`).
    """
    points, expected_values = [], []
    for tries, point in enumerate(sample_points(names), start=1):
        if len(points) >= WANTED_POINTS or tries > MAX_TRIES:
            break
        expected = reference(point)
        if expected is None:
            continue
        # Read-only: a cached point is shared by every comparison that uses it.
        points.append(MappingProxyType(point))
        expected_values.append(expected)
    return _Samples(tuple(points), tuple(expected_values))


def _sample(samples: _Samples, answer: sp.Expr) -> Comparison:
    """Evaluate the answer at the valid points, still undecided (``_confirm`` decides).

    Every point is evaluated, even after a disagreement: a wrong answer's
    values are what misconception matching compares with.
    """
    # None (the answer undefined where the expected value is real) counts against it.
    answer_values = tuple(numeric_value(answer, point) for point in samples.points)
    return Comparison(False, "numeric", samples, answer_values)


# Keyed by expressions and symbol names; sympy expressions are immutable, so a
# cached entry can never go stale. Sized for a few hundred problems' steps.
@lru_cache(maxsize=2048)
def _expected_samples(expected: sp.Expr, domain: tuple[sp.Expr, ...], names: frozenset[str]) -> _Samples:
    """The sample points of :func:`compare`, with ``expected``'s values there."""
    def reference(point: Point) -> Number | None:
        if any(numeric_value(d, point) is None for d in domain):
            return None
        return numeric_value(expected, point)

    return _reference_samples(reference, names)


@lru_cache(maxsize=1024)
def _derivative_samples(function: sp.Expr, variable: str, names: frozenset[str]) -> _Samples:
    """The sample points of :func:`compare_derivative`, with the derivative's values there."""
    def reference(point: Point) -> Number | None:
        pair = derivative_value(function, variable, point)
        return None if pair is None else pair[1]

    return _reference_samples(reference, names)


def _proof(expected: Callable[[], sp.Expr], answer: sp.Expr) -> str | None:
    """How the two were proven equal, or None: the evaluated difference is
    expanded and cancelled, and on small expressions ``simplify`` is the last resort."""
    try:
        difference = expected() - (answer.doit(deep=True) if not answer.is_Atom else answer)
        if difference == 0:
            return "structural"
        operations = sp.count_ops(difference)
        if operations <= _CONFIRM_MAX_OPS and sp.cancel(sp.together(sp.expand(difference))) == 0:
            return "algebraic"
        if (operations <= _SIMPLIFY_MAX_OPS and len(difference.free_symbols) <= 1
                and sp.simplify(difference) == 0):
            return "algebraic"
    except Exception:  # noqa: BLE001 - a proof that cannot be carried out proves nothing
        return None
    return None


def _confirm(sampled: Comparison, answer: sp.Expr, prove: bool, expected: sp.Expr | None = None,
             derive: Callable[[], sp.Expr] | None = None) -> Comparison:
    """Settle a sampled comparison with the symbolic tests (see the module docstring).

    ``expected`` is the expression when it is at hand (the free structural
    test then runs); ``derive`` computes it, only when a proof is needed.
    """
    pairs = zip(sampled.expected_values, sampled.answer_values)
    if any(v is None or not values_agree(e, v) for e, v in pairs):
        return sampled  # a valid point disagrees: no proof can make them equal
    enough = len(sampled.points) >= MIN_VALID_POINTS
    method = "structural" if expected is not None and answer == expected else None
    if method is None and (prove or not enough):
        method = _proof((lambda: expected) if expected is not None else derive, answer)
    if method is not None:
        return replace(sampled, equal=True, method=method)
    return replace(sampled, equal=enough, method="numeric" if enough else "undecided")


def compare(expected: sp.Expr, answer: sp.Expr, domain: Sequence[sp.Expr] = (),
            prove: bool = False) -> Comparison:
    """Compare a learner's ``answer`` with the ``expected`` expression.

    ``domain`` holds expressions that must be real at a sample point for it to
    count (the problem itself: a derivative is only asked where the function
    is defined). ``prove`` asks for the algebraic confirmation even when the
    numbers already agree.

    >>> x = sp.Symbol("x")
    >>> compare(6 * (2 * x + 1) ** 2, 24 * x**2 + 24 * x + 6).equal
    True
    >>> compare(6 * (2 * x + 1) ** 2, 24 * x**2 + 24 * x + 6, prove=True).method
    'algebraic'
    >>> compare(sp.exp(-x**2), 1 / sp.exp(x**2)).equal
    True
    >>> compare(6 * (2 * x + 1) ** 2, 3 * (2 * x + 1) ** 2).equal
    False
    """
    domain = tuple(domain)
    names = frozenset(s.name for e in (expected, answer, *domain) for s in e.free_symbols)
    sampled = _sample(_expected_samples(expected, domain, names), answer)
    return _confirm(sampled, answer, prove, expected=expected)


def compare_derivative(function: sp.Expr, variable: sp.Symbol, answer: sp.Expr) -> Comparison:
    """Compare ``answer`` with the derivative of ``function`` by ``variable``.

    The derivative's values come from automatic differentiation at each point
    (``numeric.derivative_value``), so no symbolic ``diff`` runs unless too
    few points are valid and a proof is needed. Points where ``function`` is
    not real are skipped.

    >>> x = sp.Symbol("x")
    >>> compare_derivative(sp.sin(x**2), x, 2 * x * sp.cos(x**2)).equal
    True
    >>> compare_derivative(sp.sin(x**2), x, sp.cos(x**2)).equal
    False
    """
    name = variable.name
    names = frozenset({s.name for e in (function, answer) for s in e.free_symbols} | {name})
    sampled = _sample(_derivative_samples(function, name, names), answer)
    return _confirm(sampled, answer, False, derive=lambda: sp.diff(function, variable))


def are_equivalent(a: sp.Expr, b: sp.Expr, domain: Sequence[sp.Expr] = ()) -> bool:
    """True when ``a`` and ``b`` are the same function (see :func:`compare`).

    >>> x = sp.Symbol("x")
    >>> are_equivalent(sp.sin(x)**2, 1 - sp.cos(x)**2)
    True
    >>> are_equivalent(sp.sqrt(x**2), x)
    False
    """
    return compare(a, b, domain).equal


__all__ = ["Comparison", "compare", "compare_derivative", "are_equivalent", "MIN_VALID_POINTS"]
