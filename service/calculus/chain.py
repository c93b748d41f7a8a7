"""Chain decomposition: the derivation tree of an expression.

Peeling a chain, as the lesson does: strip the constant wraps around the
expression down to one function application ``f(A)``. When ``A`` is (a wrap
of) another application ``B``, the link is ``f(wrap(□))`` and peeling goes on
with ``B``; otherwise the link is ``f(□)`` and ``A`` is the innermost link
(``u = 2x + 1``). A wrap at the very top rides along in the outermost link
(``6(2x+1)²`` gives ``y = 6u²``). Sums, products, quotients and ``f^g`` are
not chains: they become :class:`SumRule`, :class:`ProductRule`, ... nodes
holding the chains found inside them.

>>> x = sp.Symbol("x")
>>> tree = decompose(sp.Pow(2*x + 1, 3, evaluate=False), x)
>>> [(str(l.name), str(l.expression), str(l.derivative)) for l in tree.links]
[('u', '2*x + 1', '2'), ('y', 'u**3', '3*u**2')]
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .derivation import (
    ChainRule, ConstantMultiple, Derivation, Elementary, GeneralPower, Link,
    ProductRule, QuotientRule, Rule, SumRule,
)
from .naming import LinkKind, LinkNamer
from .rules import (
    applied_argument, depends, differentiate, is_activation, is_application, is_elementary,
    is_exp, is_loss_like, rule_for_derivation, rule_for_elementary, rule_for_link,
    strip_affine,
)
from .unevaluated import evaluate_tree


def decompose(expr: sp.Expr, variable: sp.Symbol) -> Derivation:
    """The derivation tree of ``expr`` by ``variable``.

    A pure chain gives a :class:`ChainRule` (links innermost first); sums,
    products, quotients and ``f^g`` give their rule's node with the chains
    inside as children; a polynomial or constant gives :class:`Elementary`.
    Link names are fresh letters that never clash with ``expr``'s symbols.

    >>> x = sp.Symbol("x")
    >>> tree = decompose(sp.sin(sp.Pow(sp.Mul(3, x, evaluate=False), 2, evaluate=False)), x)
    >>> [f"{l.name} = {l.expression}" for l in tree.links]
    ['v = 3*x', 'u = v**2', 'y = sin(u)']
    >>> type(decompose(x * sp.sin(x**2), x)).__name__
    'ProductRule'
    """
    return decompose_with(expr, variable, LinkNamer.for_expression(expr, variable))


def decompose_with(expr: sp.Expr, variable: sp.Symbol, namer: LinkNamer) -> Derivation:
    """:func:`decompose` with the caller's namer (``recut.py`` keeps the letters it already gave)."""
    if not is_application(strip_affine(expr, variable), variable):
        namer.reserve_output()
    return _Decomposer(variable, namer).node(expr)


def decompose_chain(expr: sp.Expr, variable: sp.Symbol) -> ChainRule | None:
    """The chain ``expr`` is, or ``None`` when it is not one chain.

    >>> x = sp.Symbol("x")
    >>> decompose_chain(x**5, x) is None
    True
    """
    tree = decompose(expr, variable)
    return tree if isinstance(tree, ChainRule) else None


def _common_factor_out(expr: sp.Expr) -> sp.Expr:
    """``2a − 2y`` as the lesson writes it, ``2(a − y)`` (cheap: sums only)."""
    return sp.factor_terms(expr) if expr.is_Add else expr


def _is_denominator(factor: sp.Expr) -> bool:
    """A factor ``g^(-n)`` of a product: ``e^(-x)/x`` is a quotient."""
    return bool(factor.is_Pow and not is_exp(factor) and factor.exp.is_number and factor.exp.is_negative)


def _flipped(factor: sp.Pow) -> sp.Expr:
    """``g`` for ``g^(-1)``, ``g^n`` for ``g^(-n)``, keeping ``g`` as typed."""
    exponent = -factor.exp
    return factor.base if exponent == 1 else sp.Pow(factor.base, exponent, evaluate=False)


@dataclass(frozen=True)
class _Stage:
    """One function of a chain before naming: ``expr`` holds ``inner``."""

    expr: sp.Expr
    inner: sp.Expr | None  # None for the innermost (elementary or mixed) stage


@dataclass
class _Decomposer:
    variable: sp.Symbol
    namer: LinkNamer

    def node(self, expr: sp.Expr) -> Derivation:
        """The derivation of any expression."""
        x = self.variable
        if not depends(expr, x):
            return Elementary(expr, x, sp.Integer(0), Rule.CONSTANT)
        if is_elementary(expr, x):
            value = evaluate_tree(expr)
            return Elementary(expr, x, differentiate(value, x), rule_for_elementary(value, x))
        if is_application(strip_affine(expr, x), x):
            return self.chain(expr)
        if expr.is_Add:
            return self.sum(expr)
        if expr.is_Mul:
            return self.product(expr)
        if expr.is_Pow:
            return self.general_power(expr)
        # Anything else (a function of several arguments): sympy's derivative.
        return Elementary(expr, x, differentiate(evaluate_tree(expr), x), Rule.CHAIN)

    # -- chains -------------------------------------------------------------

    def stages(self, expr: sp.Expr) -> list[_Stage]:
        """The chain's functions, outermost first."""
        x = self.variable
        stages: list[_Stage] = []
        current = expr
        while current != x:
            argument = applied_argument(strip_affine(current, x), x)
            if argument is None:
                stages.append(_Stage(current, None))
                break
            core = strip_affine(argument, x)
            following = core if is_application(core, x) else argument
            stages.append(_Stage(current, following))
            current = following
        return stages

    def kind(self, stage: _Stage) -> LinkKind:
        if stage.inner is None:
            return LinkKind.OTHER
        if is_activation(stage.expr, self.variable):
            return LinkKind.ACTIVATION
        if is_loss_like(stage.expr, self.variable):
            return LinkKind.LOSS
        return LinkKind.OTHER

    def chain(self, expr: sp.Expr) -> ChainRule:
        """A chain of links, innermost first."""
        stages = self.stages(expr)
        names = self.namer.name_chain([self.kind(stage) for stage in stages])
        links: list[Link] = []
        inner_node: Derivation | None = None
        # Walk from the innermost stage out; each link's input is the name below.
        below = self.variable
        for stage, name in zip(reversed(stages), reversed(names)):
            if stage.inner is None:
                inner_node = None if is_elementary(stage.expr, self.variable) else self.node(stage.expr)
                links.append(self.innermost_link(stage.expr, name, inner_node))
            else:
                links.append(self.link(stage, name, below))
            below = name
        derivative = sp.Mul(*(link.derivative_in_variable for link in links))
        return ChainRule(expr, self.variable, derivative, links=tuple(links), inner=inner_node)

    def innermost_link(self, expr: sp.Expr, name: sp.Symbol, inner: Derivation | None) -> Link:
        """``u = 2x + 1``: the innermost link, written in the variable itself."""
        x = self.variable
        value = evaluate_tree(expr)
        derivative = differentiate(value, x) if inner is None else inner.derivative
        rule = rule_for_elementary(value, x) if inner is None else rule_for_derivation(inner)
        return Link(name, x, value, derivative, rule, value, derivative)

    def link(self, stage: _Stage, name: sp.Symbol, below: sp.Symbol) -> Link:
        """``y = f(u)``: a link written in the name of the stage below."""
        assert stage.inner is not None
        x = self.variable
        written = evaluate_tree(stage.expr.xreplace({stage.inner: below}))
        derivative = _common_factor_out(differentiate(written, below))
        inner_value = evaluate_tree(stage.inner)
        in_variable = derivative if below == x else _common_factor_out(derivative.xreplace({below: inner_value}))
        return Link(
            name=name, input=below, expression=written, derivative=derivative,
            rule=rule_for_link(written, below),
            expression_in_variable=evaluate_tree(stage.expr), derivative_in_variable=in_variable,
        )

    # -- sums, products, quotients, f^g ------------------------------------------

    def sum(self, expr: sp.Add) -> SumRule:
        terms = tuple(self.node(term) for term in expr.args)
        return SumRule(expr, self.variable, sp.Add(*(t.derivative for t in terms)), terms=terms)

    def product(self, expr: sp.Mul) -> Derivation:
        """``c·f·g/h``: the constant rides along; a negative power is a denominator."""
        x = self.variable
        constants = [arg for arg in expr.args if not depends(arg, x)]
        factors = [arg for arg in expr.args if depends(arg, x)]
        body = self.factors(factors)
        if not constants:
            return body
        constant = sp.Mul(*constants)
        return ConstantMultiple(expr, x, constant * body.derivative, constant=constant, inner=body)

    def factors(self, factors: list[sp.Expr]) -> Derivation:
        """The product (or quotient) of the factors that depend on the variable."""
        x = self.variable
        if len(factors) == 1:
            return self.node(factors[0])
        numerators = [f for f in factors if not _is_denominator(f)]
        denominators = [_flipped(f) for f in factors if _is_denominator(f)]
        if denominators:
            return self.quotient(
                sp.Mul(*factors, evaluate=False),
                sp.Mul(*numerators, evaluate=False) if numerators else sp.Integer(1),
                sp.Mul(*denominators, evaluate=False),
            )
        nodes = tuple(self.node(f) for f in factors)
        derivative = sp.Add(*(
            sp.Mul(node.derivative, *(evaluate_tree(other.expression) for other in nodes if other is not node))
            for node in nodes
        ))
        return ProductRule(sp.Mul(*factors, evaluate=False), x, derivative, factors=nodes)

    def quotient(self, expr: sp.Expr, numerator: sp.Expr, denominator: sp.Expr) -> QuotientRule:
        top, bottom = self.node(numerator), self.node(denominator)
        n, d = evaluate_tree(numerator), evaluate_tree(denominator)
        derivative = (top.derivative * d - n * bottom.derivative) / d**2
        return QuotientRule(expr, self.variable, derivative, numerator=top, denominator=bottom)

    def general_power(self, expr: sp.Pow) -> GeneralPower:
        """``f^g`` through ``e^(g·ln f)``: d/dx = f^g (g'·ln f + g·f'/f)."""
        base, exponent = expr.args
        rewritten = self.node(sp.exp(
            sp.Mul(exponent, sp.log(base, evaluate=False), evaluate=False), evaluate=False))
        f, g = self.node(base), self.node(exponent)
        fv, gv = evaluate_tree(base), evaluate_tree(exponent)
        derivative = evaluate_tree(expr) * (g.derivative * sp.log(fv) + gv * f.derivative / fv)
        return GeneralPower(expr, self.variable, derivative, base=f, exponent=g, rewritten=rewritten)


__all__ = ["decompose", "decompose_chain", "decompose_with"]
