"""The textbook tidy of a final derivative, without a blanket ``simplify``.

``simplify`` is slow and expands what a textbook keeps factored. The tidy
here is cheap and predictable: the numeric coefficient first, then the
monomials (``x``, ``x²``), then the other factors in the order the chain
produced them (outermost local derivative first, as backpropagation goes);
bracketed sums keep their factored form (``(2x + 1)²`` stays), common
numeric factors of a sum come out (``2a − 2y`` → ``2(a − y)``), equal bases
merge, and ``together`` runs only on a sum that holds a nested fraction. The
result is an unevaluated product, whose order the printers keep.

>>> x = sp.Symbol("x")
>>> tidy_product([3*(2*x + 1)**2, sp.Integer(2)])
6*(2*x + 1)**2
>>> tidy_product([sp.cos(9*x**2), 6*x, sp.Integer(3)])
18*x*cos(9*x**2)
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from .printing import Kind, kind_of


def _has_nested_fraction(expr: sp.Expr) -> bool:
    """A sum with a term that has a non-numeric denominator (``1 + 1/x``)."""
    for node in sp.preorder_traversal(expr):
        if node.is_Add and any(not term.as_numer_denom()[1].is_number for term in node.args):
            return True
    return False


def _pieces(factor: sp.Expr) -> list[sp.Expr]:
    """A factor split into coefficient and factors, sums factored cheaply."""
    if factor.is_Add:
        if _has_nested_fraction(factor):
            factor = sp.together(factor)
        factor = sp.factor_terms(factor)
    if factor.is_Mul:
        # A product's own factors in printing order: σ(z)(1 − σ(z)).
        return [piece for arg in sorted(factor.args, key=kind_of) for piece in _pieces(arg)]
    # Only a sum of negative terms turns its sign out: 1 − σ stays as it is.
    if factor.is_Add and all(term.could_extract_minus_sign() for term in factor.args):
        return [sp.Integer(-1), -factor]
    if factor.is_Pow and factor.exp.is_Integer and factor.base.is_Add and _has_nested_fraction(factor.base):
        # 1/(1 + 1/x) → x/(x + 1): no fraction inside a fraction.
        return _pieces(sp.Pow(sp.together(factor.base), factor.exp))
    if factor.is_Pow and factor.base.is_Add and factor.exp.is_Integer:
        base = sp.factor_terms(factor.base)
        if base.is_Mul:
            return _pieces(sp.Mul(*(arg**factor.exp for arg in base.args)))
    return [factor]


def tidy_product(factors: Sequence[sp.Expr]) -> sp.Expr:
    """The product of ``factors`` in textbook order (see the module docstring).

    >>> a, y = sp.symbols("a y")
    >>> tidy_product([2*a - 2*y])
    2*(a - y)
    """
    coefficient: sp.Expr = sp.Integer(1)
    exponents: dict[sp.Expr, sp.Expr] = {}
    for factor in factors:
        for piece in _pieces(factor):
            if piece.is_Number:
                coefficient *= piece
                continue
            base, exponent = piece.as_base_exp()
            exponents[base] = exponents.get(base, sp.Integer(0)) + exponent
    if coefficient == 0:
        return sp.Integer(0)
    ordered = [sp.Pow(base, exponent) for base, exponent in exponents.items() if exponent != 0]
    # Merging bases can leave numbers (2**3) or a sum under a number power.
    for piece in [p for p in ordered if p.is_Number]:
        coefficient *= piece
        ordered.remove(piece)
    monomials = sorted((p for p in ordered if kind_of(p) is Kind.MONOMIAL), key=sp.default_sort_key)
    others = [p for p in ordered if kind_of(p) is not Kind.MONOMIAL]
    body = monomials + others
    if not body:
        return coefficient
    if coefficient == 1 and len(body) == 1:
        return body[0]
    head = [] if coefficient == 1 else [coefficient]
    return sp.Mul(*head, *body, evaluate=False)


def tidy(expr: sp.Expr) -> sp.Expr:
    """A derivative in textbook form: each term of a sum a tidy product.

    >>> x = sp.Symbol("x")
    >>> tidy(-x*sp.exp(-x) - sp.exp(-x))
    -(x + 1)*exp(-x)
    """
    if expr.is_Add:
        if _has_nested_fraction(expr):
            expr = sp.together(expr)
        else:
            expr = sp.factor_terms(expr)
    if expr.is_Add:
        return sp.Add(*(tidy_product([term]) for term in expr.args), evaluate=False)
    return tidy_product([expr])


__all__ = ["tidy", "tidy_product"]
