"""The wrong derivatives a problem's misconceptions produce, built from its derivation tree.

Nothing here is a per-problem table: every wrong derivative is built from
the derivation tree, as each misconception's record in
:mod:`service.calculus.misconceptions` describes (``candidate``). For a
chain with local derivatives D₁ … Dₙ (in the variable, innermost first) the
correct derivative is D₁·…·Dₙ; :func:`wrong_local_derivatives` builds the
wrong versions of one Dᵢ and :func:`wrong_derivatives` those of the whole.

Sums, products and quotients are differentiated by their own rule from their
parts' derivatives; a wrong derivative of one part, put back into that rule,
is a wrong derivative of the whole, with the same misconception. So
``x·sin(x²)`` answered as ``sin(x²) + x·cos(x²)`` is a missing inner
derivative. A few recognisable slips outside the vocabulary (the product rule
forgotten) carry ``misconception=None`` and a ``slip`` naming them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from itertools import islice

import sympy as sp

from .derivation import (
    ChainRule, ConstantMultiple, Derivation, Elementary, GeneralPower, ProductRule, QuotientRule, SumRule,
)
from .misconceptions import Misconception as M
from .misconceptions import WrongDerivative, rank, unlowered_power_derivative

# Enough to cover every slip in a deep mixed expression, few enough that
# matching a wrong answer stays in the milliseconds.
MAX_CANDIDATES = 80


def _in_variable(chain: ChainRule, index: int, expr: sp.Expr) -> sp.Expr:
    """Rewrite an expression in link ``index``'s input into the variable."""
    if index == 0:
        return expr
    link = chain.links[index]
    return expr.xreplace({link.input: chain.links[index - 1].expression_in_variable})


def wrong_local_derivatives(chain: ChainRule, index: int) -> list[WrongDerivative]:
    """Wrong versions of one link's local derivative, written in the variable.

    Used for single steps (``dy/du = 3u³``) and, multiplied by the other local
    derivatives, for the whole chain. The sign error of a local derivative is
    included here; for the whole chain it is the same as the final sign error.
    """
    link = chain.links[index]
    local = link.derivative_in_variable
    wrongs: list[WrongDerivative] = []
    unlowered = unlowered_power_derivative(link.expression, link.input)
    if unlowered is not None:
        wrong = _in_variable(chain, index, unlowered)
        wrongs.append(WrongDerivative(M.POWER_RULE_EXPONENT, wrong, link=link, wrong_factor=wrong,
                                      chain=chain))
    if index > 0 and link.derivative.has(link.input):
        at_variable = link.derivative.xreplace({link.input: chain.variable})
        wrongs.append(WrongDerivative(M.OUTER_NOT_AT_INNER, at_variable, link=link, wrong_factor=at_variable,
                                      chain=chain))
    if index == 0 and chain.inner is not None:
        wrongs.extend(_node_candidates(chain.inner))
    wrongs.append(WrongDerivative(M.SIGN_ERROR, -local, link=link, chain=chain))
    return wrongs


def _product(factors: Sequence[sp.Expr]) -> sp.Expr:
    return sp.Mul(*factors)


def _chain_candidates(chain: ChainRule) -> Iterator[WrongDerivative]:
    links = chain.links
    locals_ = [link.derivative_in_variable for link in links]
    outer = links[-1]
    if len(links) >= 2:
        yield WrongDerivative(M.MISSING_INNER_DERIVATIVE, locals_[-1], link=outer, missing=links[:-1],
                              chain=chain)
    if len(links) >= 3:
        for i, link in enumerate(links):
            yield WrongDerivative(M.MISSING_LINK, _product(locals_[:i] + locals_[i + 1:]), link=link,
                                  missing=(link,), chain=chain)
    # One factor's sign flipped flips the whole product: the chain's own sign
    # error (from _node_candidates) already says that.
    whole_factor = (None, chain.inner.expression if chain.inner is not None else None)
    for i in range(len(links)):
        for wrong in wrong_local_derivatives(chain, i):
            if wrong.misconception == M.SIGN_ERROR and wrong.context in whole_factor:
                continue
            factors = locals_[:i] + [wrong.derivative] + locals_[i + 1:]
            yield replace(wrong, derivative=_product(factors))
    if len(links) >= 2:
        inner_derivative = _product(locals_[:-1])
        composed = outer.derivative.xreplace({outer.input: inner_derivative})
        yield WrongDerivative(M.COMPOSED_DERIVATIVES, composed, link=outer, chain=chain)
        nested = locals_[0]
        for link in links[1:]:
            nested = link.derivative.xreplace({link.input: nested})
        if nested != composed:  # the same thing for two links
            yield WrongDerivative(M.COMPOSED_DERIVATIVES, nested, link=outer, chain=chain)
        yield WrongDerivative(M.ADDED_INSTEAD_OF_MULTIPLIED, sp.Add(*locals_), link=outer, chain=chain)


def _in_context(wrong: WrongDerivative, part: Derivation, whole: sp.Expr) -> WrongDerivative:
    """The wrong derivative of ``part`` put back into the rule: ``whole`` is the new total."""
    context = wrong.context if wrong.context is not None else part.expression
    return replace(wrong, derivative=whole, context=context)


def _sum_candidates(node: SumRule) -> Iterator[WrongDerivative]:
    derivatives = [term.derivative for term in node.terms]
    for j, term in enumerate(node.terms):
        for wrong in _node_candidates(term):
            total = sp.Add(*derivatives[:j], wrong.derivative, *derivatives[j + 1:])
            yield _in_context(wrong, term, total)


def _product_rule(factors: Sequence[sp.Expr], derivatives: Sequence[sp.Expr]) -> sp.Expr:
    return sp.Add(*(
        _product([derivatives[i], *factors[:i], *factors[i + 1:]]) for i in range(len(factors))
    ))


def _product_candidates(node: ProductRule) -> Iterator[WrongDerivative]:
    factors = [factor.expression for factor in node.factors]
    derivatives = [factor.derivative for factor in node.factors]
    for j, factor in enumerate(node.factors):
        for wrong in _node_candidates(factor):
            changed = derivatives[:j] + [wrong.derivative] + derivatives[j + 1:]
            yield _in_context(wrong, factor, _product_rule(factors, changed))
    yield WrongDerivative(None, _product(derivatives), slip="product_rule")


def _quotient_candidates(node: QuotientRule) -> Iterator[WrongDerivative]:
    top, bottom = node.numerator, node.denominator
    if top is None or bottom is None:
        return

    def rule(top_derivative: sp.Expr, bottom_derivative: sp.Expr) -> sp.Expr:
        numerator = top_derivative * bottom.expression - top.expression * bottom_derivative
        return numerator / bottom.expression**2

    for wrong in _node_candidates(top):
        yield _in_context(wrong, top, rule(wrong.derivative, bottom.derivative))
    for wrong in _node_candidates(bottom):
        yield _in_context(wrong, bottom, rule(top.derivative, wrong.derivative))
    yield WrongDerivative(None, top.derivative / bottom.derivative, slip="quotient_rule")


def _node_candidates(node: Derivation) -> Iterator[WrongDerivative]:
    """Every wrong derivative of ``node``, its own sign error last."""
    if isinstance(node, ChainRule) and node.links:
        yield from _chain_candidates(node)
    elif isinstance(node, SumRule):
        yield from _sum_candidates(node)
    elif isinstance(node, ProductRule):
        yield from _product_candidates(node)
    elif isinstance(node, QuotientRule):
        yield from _quotient_candidates(node)
    elif isinstance(node, ConstantMultiple) and node.inner is not None:
        for wrong in _node_candidates(node.inner):
            yield replace(wrong, derivative=node.constant * wrong.derivative)
    elif isinstance(node, GeneralPower):
        yield from _general_power_candidates(node)
    elif isinstance(node, Elementary):
        unlowered = unlowered_power_derivative(node.expression, node.variable)
        if unlowered is not None:
            yield WrongDerivative(M.POWER_RULE_EXPONENT, unlowered, wrong_factor=unlowered,
                                  context=node.expression, subject=node)
    yield WrongDerivative(M.SIGN_ERROR, -node.derivative, context=node.expression)


def _general_power_candidates(node: GeneralPower) -> Iterator[WrongDerivative]:
    if node.rewritten is not None:
        for wrong in _node_candidates(node.rewritten):
            yield replace(wrong, context=wrong.context if wrong.context is not None else node.expression)
    base, exponent = node.base, node.exponent
    if base is not None and exponent is not None:
        # x^x differentiated as if the exponent were a constant.
        as_power = exponent.expression * base.expression ** (exponent.expression - 1) * base.derivative
        yield WrongDerivative(None, as_power, slip="general_power")


def wrong_derivatives(tree: Derivation) -> list[WrongDerivative]:
    """The wrong derivatives of ``tree``'s expression, most specific misconception first.

    The last sign error is the whole derivative negated; the top node's
    context is dropped (the slip is in the problem itself).

    >>> x = sp.Symbol("x")
    >>> [w.misconception.value for w in wrong_derivatives(Elementary(x**5, x, 5 * x**4))]
    ['power_rule_exponent', 'sign_error']
    """
    candidates = []
    for wrong in islice(_node_candidates(tree), MAX_CANDIDATES):
        if wrong.context is not None and wrong.context == tree.expression:
            wrong = replace(wrong, context=None)
        candidates.append(wrong)
    return sorted(candidates, key=lambda wrong: rank(wrong.misconception))


__all__ = ["MAX_CANDIDATES", "wrong_derivatives", "wrong_local_derivatives"]
