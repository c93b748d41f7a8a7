"""Building sympy trees as typed: unevaluated sums, products and powers.

sympy evaluates eagerly (``(3*x)**2`` becomes ``9*x**2``), which would hide
the chain a learner typed. These constructors keep the structure with
``evaluate=False`` while avoiding silly trees: numbers in a product are
folded into one leading coefficient, ``a - b`` is ``a + (-1)·b`` and ``a/b``
is ``a·b⁻¹``. They also bound every number they build, so that nothing a
learner types makes sympy compute a huge integer.

>>> x = sp.Symbol("x")
>>> power(product([sp.Integer(3), x]), sp.Integer(2))
(3*x)**2
>>> evaluate_tree(_)
9*x**2
"""

from __future__ import annotations

import sympy as sp

from .errors import ExpressionError

MAX_EXPONENT = 100
# Powers of powers multiply: ((x^100)^100)^100 is x^1000000, which an answer
# checker expanding or sampling exactly would choke on. No learner needs more.
MAX_DEGREE = 1000
# About 10^308: no learner's number is larger, and sympy stays instant below it.
MAX_NUMBER_BITS = 1024
# sympy simplifies a root of a number by factoring it (``√12 = 2√3``), which
# takes seconds for large numbers with high roots (a 25-digit number to the
# 1/99 takes about a second). Measured instant: any root of a number up to
# 2^32, and up to twelfth roots of numbers up to 2^100 (30 digits).
MAX_ROOTED_BITS = 100
SMALL_ROOTED_BITS = 32
MAX_ROOT = 12


def evaluate_tree(expr: sp.Expr) -> sp.Expr:
    """Rebuild ``expr`` bottom-up with evaluation: sympy's eager form.

    >>> x = sp.Symbol("x")
    >>> evaluate_tree(sp.Pow(sp.Mul(3, x, evaluate=False), 2, evaluate=False))
    9*x**2
    """
    if not isinstance(expr, sp.Basic) or not expr.args:
        return expr
    return expr.func(*(evaluate_tree(arg) for arg in expr.args))


def total(terms: list[sp.Expr]) -> sp.Expr:
    """The sum of ``terms``, in the order typed.

    >>> x = sp.Symbol("x")
    >>> total([x, sp.Integer(1)])
    x + 1
    """
    if len(terms) == 1:
        return terms[0]
    return sp.Add(*terms, evaluate=False)


def product(factors: list[sp.Expr], position: int | None = None) -> sp.Expr:
    """The product of ``factors``, numbers folded into one leading coefficient.

    >>> x, y = sp.symbols("x y")
    >>> product([x, sp.Integer(2), y, sp.Integer(3)])
    6*x*y
    """
    coefficient: sp.Rational = sp.Integer(1)
    rest: list[sp.Expr] = []
    for factor in _flat_factors(factors):
        if factor.is_Rational:
            coefficient = _bounded(coefficient * factor, position)
        else:
            rest.append(factor)
    if not rest:
        return coefficient
    if coefficient == 1:
        return rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
    return sp.Mul(coefficient, *rest, evaluate=False)


def negative(expr: sp.Expr) -> sp.Expr:
    """``-expr``: a negative number, a negated coefficient, or ``(-1)·expr``.

    >>> x = sp.Symbol("x")
    >>> negative(sp.Integer(3)), negative(product([sp.Integer(2), x])), negative(x)
    (-3, -2*x, -x)
    """
    if expr.is_Rational:
        return -expr
    if expr.is_Mul and expr.args[0].is_Rational:
        return product([-expr.args[0], *expr.args[1:]])
    return sp.Mul(sp.Integer(-1), expr, evaluate=False)


def reciprocal(expr: sp.Expr, position: int | None = None) -> sp.Expr:
    """``1/expr``: an exact fraction for a number, ``expr**-1`` otherwise.

    A product is divided factor by factor and a numeric power flips its
    exponent, so ``x/(2y)`` prints as sympy would print it, not ``x/((2*y))``.

    >>> x, y = sp.symbols("x y")
    >>> reciprocal(sp.Integer(4)), reciprocal(x), reciprocal(product([sp.Integer(2), y]))
    (1/4, 1/x, 1/(2*y))
    """
    if expr.is_Rational:
        if expr == 0:
            raise ExpressionError("division by zero", position)
        return 1 / expr
    if expr.is_Mul:
        return product([reciprocal(factor, position) for factor in expr.args], position)
    if expr.is_Pow and expr.exp.is_number:
        return sp.Pow(expr.base, negative(expr.exp), evaluate=False)
    return sp.Pow(expr, sp.Integer(-1), evaluate=False)


def power(base: sp.Expr, exponent: sp.Expr, position: int | None = None) -> sp.Expr:
    """``base**exponent`` as typed, with the exponent bounded.

    ``e**u`` becomes ``exp(u)``; a power of two numbers is computed only when
    the result is small.

    >>> x = sp.Symbol("x")
    >>> power(sp.E, negative(power(x, sp.Integer(2))))
    exp(-x**2)
    >>> power(sp.Integer(2), sp.Integer(10))
    1024
    """
    _check_exponent(exponent, position)
    if exponent.is_Rational:
        check_degree(base, abs(exponent), position)
    if base is sp.E:
        return sp.exp(exponent, evaluate=False)
    if base.is_Rational and exponent.is_Integer:
        return _number_power(base, int(exponent), position)
    if exponent.is_Rational:
        _check_number_root(base, exponent, position)
    return sp.Pow(base, exponent, evaluate=False)


def check_degree(expr: sp.Expr, factor: sp.Rational | None = None,
                 position: int | None = None) -> None:
    """Refuse ``expr`` (raised to ``factor``) when its degree bound exceeds MAX_DEGREE.

    >>> check_degree(sp.Symbol("x"), sp.Integer(10**4))
    Traceback (most recent call last):
    ...
    service.calculus.errors.ExpressionError: exponent too large: the powers multiply to 10000 (at most 1000)
    """
    degree = degree_bound(expr) * (1 if factor is None else factor)
    if degree > MAX_DEGREE:
        shown = str(degree) if len(str(degree)) <= 20 else f"{float(degree):.3g}"
        raise ExpressionError(
            f"exponent too large: the powers multiply to {shown} (at most {MAX_DEGREE})",
            position)


def degree_bound(expr: sp.Expr) -> sp.Rational:
    """An upper bound of the degree ``expr`` would have if expanded.

    Function applications count as their argument's degree (at least 1).

    >>> x = sp.Symbol("x")
    >>> degree_bound(power(product([x, sp.sin(x)]), sp.Integer(3)))
    6
    """
    if not expr.free_symbols:
        return sp.Integer(0)
    if expr.is_Atom:
        return sp.Integer(1)
    if expr.is_Add:
        return max(degree_bound(arg) for arg in expr.args)
    if expr.is_Pow and expr.exp.is_Rational:
        return degree_bound(expr.base) * abs(expr.exp)
    return max(sp.Integer(1), sum((degree_bound(arg) for arg in expr.args), sp.Integer(0)))


def _flat_factors(factors: list[sp.Expr]) -> list[sp.Expr]:
    """Factors with nested products opened: ``2·(-x)`` is one product."""
    flat: list[sp.Expr] = []
    for factor in factors:
        flat.extend(factor.args if factor.is_Mul else (factor,))
    return flat


def _check_exponent(exponent: sp.Expr, position: int | None) -> None:
    """Refuse numeric exponents beyond ±MAX_EXPONENT: ``(x+1)**100000``."""
    if exponent.is_Rational:
        size = abs(exponent)
    elif exponent.is_number:
        size = _magnitude(exponent)
    else:
        return
    if size is not None and size > MAX_EXPONENT:
        shown = str(exponent) if len(str(exponent)) <= 20 else f"{float(size):.3g}"
        raise ExpressionError(
            f"exponent {shown} is too large (at most {MAX_EXPONENT})", position)


def _magnitude(number: sp.Expr) -> sp.Expr | None:
    """|number| to a few digits, or None when it cannot be told cheaply.

    The numbers here are small trees of bounded literals, so evalf is cheap.
    """
    try:
        value = sp.Abs(number.evalf(15))
    except (ArithmeticError, TypeError, ValueError, RecursionError):
        return None
    return value if value.is_Number and value.is_finite else None


def _check_number_root(base: sp.Expr, exponent: sp.Rational, position: int | None) -> None:
    """Refuse a root of a number that sympy would take seconds to simplify.

    Powers of powers combine when evaluated (``(n^(1/12))^(1/12)`` is
    ``n^(1/144)``), so the exponents along the way are multiplied.
    """
    if base.is_Pow and base.exp.is_Rational:
        _check_number_root(base.base, base.exp * exponent, position)
    elif base.is_Mul:
        for factor in base.args:
            _check_number_root(factor, exponent, position)
    elif base.is_Add and all(term.is_Rational for term in base.args):
        _check_number_root(sum(base.args, sp.Integer(0)), exponent, position)
    elif base.is_Rational and not exponent.is_Integer:
        if exponent.q > MAX_ROOT and _bits(base) > SMALL_ROOTED_BITS:
            raise ExpressionError(
                f"a root of a number this large can be at most the {MAX_ROOT}th root",
                position)
        if _bits(base) > MAX_ROOTED_BITS or _bits(base) * abs(exponent.p) > MAX_NUMBER_BITS:
            raise ExpressionError("number too large to take a root of", position)


def _number_power(base: sp.Rational, exponent: int, position: int | None) -> sp.Rational:
    """``base**exponent`` for numbers, refused before computing when too large."""
    if base == 0 and exponent < 0:
        raise ExpressionError("division by zero", position)
    if abs(exponent) * _bits(base) > MAX_NUMBER_BITS:
        raise ExpressionError("number too large", position)
    return base ** exponent


def _bounded(number: sp.Rational, position: int | None) -> sp.Rational:
    """``number``, unless it has grown beyond MAX_NUMBER_BITS."""
    if _bits(number) > MAX_NUMBER_BITS:
        raise ExpressionError("number too large", position)
    return number


def _bits(number: sp.Rational) -> int:
    """The size of a fraction: bits of its larger part."""
    return max(int(number.p).bit_length(), int(number.q).bit_length())
