"""A chain cut where the learner cut it.

The core decomposes ``(2x + 1)³`` as ``u = 2x + 1``, ``y = u³``; a learner may
cut it finer (``u = 2x``, then ``v = u + 1``, ``y = v³``), coarser (``u = 9x²``
for ``sin((3x)²)``, skipping ``v = 3x``) or move a constant between links
(``z = 2σ(u)`` in ``σ(2σ(3x))``). All are right. :func:`chain_through` builds
the chain whose lowest links are the ones given (each written in the variable)
and whose links above the last one are the core's own decomposition of what is
left: the whole expression with the last cut replaced by its letter.

>>> x = sp.Symbol("x")
>>> chain = chain_through(sp.Pow(2*x + 1, 3, evaluate=False), x, (("u", 2*x),))
>>> [f"{link.name} = {link.expression}" for link in chain.links]
['u = 2*x', 'v = u + 1', 'y = v**3']
>>> [str(link.derivative) for link in chain.links]
['2', '1', '3*v**2']
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from .chain import decompose_with
from .derivation import ChainRule, Elementary, Link
from .naming import LinkKind, LinkNamer
from .rules import differentiate, rule_for_link
from .unevaluated import evaluate_tree

Cut = tuple[str, sp.Expr]  # a link's letter and its function, written in the variable


def chain_through(expr: sp.Expr, variable: sp.Symbol, cuts: Sequence[Cut]) -> ChainRule | None:
    """The chain of ``expr`` whose lowest links are ``cuts`` (innermost first), or None
    when they do not cut it: a cut that is not a function of the one below it (or is
    it), the whole expression itself, or a remainder that is not one chain.

    >>> x = sp.Symbol("x")
    >>> chain_through(sp.sin(x**2) + x, x, (("u", x**2),)) is None
    True
    """
    whole = evaluate_tree(expr)
    links: list[Link] = []
    below, below_value = variable, None
    for name, value in cuts:
        value = evaluate_tree(value)
        written = value if below_value is None else value.subs(below_value, below)
        if (variable in written.free_symbols and below != variable or below not in written.free_symbols
                or written == below):  # a link that does nothing is no cut
            return None
        local = differentiate(written, below)  # by the link's input, then written in the variable
        links.append(_link(sp.Symbol(name), below, written, value,
                           local if below_value is None else _factored(local.subs(below, below_value))))
        below, below_value = sp.Symbol(name), value
    if below_value is None:
        return None
    outer = whole.subs(below_value, below)
    if variable in outer.free_symbols or below not in outer.free_symbols or outer == below:
        return None
    taken = {str(s) for s in expr.free_symbols} | {str(variable), "e"} | {name for name, _ in cuts}
    rest = decompose_with(outer, below, LinkNamer(taken=set(taken)))
    if isinstance(rest, Elementary):
        output = LinkNamer(taken=set(taken)).name_chain([LinkKind.OTHER])[0]
        above = [_link(output, below, outer, None, None)]
    elif isinstance(rest, ChainRule) and rest.inner is None:
        above = list(rest.links)
    else:
        return None
    for link in above:
        links.append(_in_variable(link, below, below_value))
    derivative = sp.Mul(*(link.derivative_in_variable for link in links))
    return ChainRule(expr, variable, derivative, links=tuple(links), inner=None)


def _link(name: sp.Symbol, source: sp.Symbol, written: sp.Expr, value: sp.Expr | None,
          in_variable: sp.Expr | None) -> Link:
    """``name = written(source)``; the in-variable forms default to the written ones."""
    derivative = differentiate(written, source)
    return Link(name, source, written, derivative, rule_for_link(written, source),
                written if value is None else value, derivative if in_variable is None else in_variable)


def _in_variable(link: Link, cut: sp.Symbol, value: sp.Expr) -> Link:
    """A link of the remainder (written in the cut's letter) with its in-variable forms in the variable."""
    return Link(link.name, link.input, link.expression, link.derivative, link.rule,
                evaluate_tree(link.expression_in_variable.subs(cut, value)),
                _factored(link.derivative_in_variable.subs(cut, value)))


def _factored(expr: sp.Expr) -> sp.Expr:
    """``2(wx − y)`` rather than ``2wx − 2y``, as ``chain.py`` writes a local derivative."""
    return sp.factor_terms(expr) if expr.is_Add else expr


__all__ = ["Cut", "chain_through"]
