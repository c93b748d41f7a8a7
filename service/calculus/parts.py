"""The derivation tree as plain data, for ``Solution.to_dict()``.

Each node is ``{"rule", "expression", "expression_text", "derivative",
"derivative_text"}`` plus the parts its rule combines; a chain lists its
links (innermost first) in the contract's link shape.
"""

from __future__ import annotations

from collections.abc import Iterator

import sympy as sp

from .derivation import (
    ChainRule, ConstantMultiple, Derivation, GeneralPower, Link, ProductRule, QuotientRule, SumRule,
)
from .printing import to_latex, to_text
from .rules import rule_for_derivation
from .tidy import tidy
from .unevaluated import evaluate_tree


def link_dict(link: Link, printed: bool = True) -> dict[str, str]:
    """A link as the contract shapes it, with text, LaTeX and its rule.

    >>> u, x = sp.symbols("u x")
    >>> from .derivation import Rule
    >>> link_dict(Link(u, x, 2*x + 1, sp.Integer(2), Rule.LINEAR, 2*x + 1, sp.Integer(2)))["expression_text"]
    '2x + 1'
    """
    data = {
        "name": str(link.name),
        "input": str(link.input),
        "expression": sp.sstr(link.expression),
        "derivative": sp.sstr(link.derivative),
        "rule": link.rule.value,
        "leibniz": link.leibniz,
    }
    if not printed:
        return data
    return {
        **data,
        "expression_in_variable": sp.sstr(link.expression_in_variable),
        "derivative_in_variable": sp.sstr(link.derivative_in_variable),
        "expression_text": to_text(link.expression),
        "derivative_text": to_text(link.derivative),
        "expression_in_variable_text": to_text(link.expression_in_variable),
        "derivative_in_variable_text": to_text(link.derivative_in_variable),
        "expression_latex": to_latex(link.expression),
        "derivative_latex": to_latex(link.derivative),
    }


def _children(node: Derivation) -> dict[str, object]:
    """The parts a node's rule combines, by name."""
    if isinstance(node, ChainRule):
        # The contract's four keys; the solution's own "links" has the rest.
        parts: dict[str, object] = {"links": [
            link_dict(link, printed=False) for link in node.links]}
        if node.inner is not None:
            parts["inner"] = describe(node.inner)
        return parts
    if isinstance(node, SumRule):
        return {"terms": [describe(term) for term in node.terms]}
    if isinstance(node, ProductRule):
        return {"factors": [describe(factor) for factor in node.factors]}
    if isinstance(node, QuotientRule):
        return {"numerator": describe(node.numerator), "denominator": describe(node.denominator)}
    if isinstance(node, ConstantMultiple):
        return {"constant": sp.sstr(node.constant), "inner": describe(node.inner)}
    if isinstance(node, GeneralPower):
        return {"base": describe(node.base), "exponent": describe(node.exponent),
                "rewritten": describe(node.rewritten)}
    return {}


def describe(node: Derivation | None) -> dict[str, object] | None:
    """A derivation tree as nested plain data (see the module docstring)."""
    if node is None:
        return None
    derivative = tidy(node.derivative)
    return {
        "rule": rule_for_derivation(node).value,
        "expression": sp.sstr(node.expression),
        "expression_text": to_text(evaluate_tree(node.expression)),
        "derivative": sp.sstr(derivative),
        "derivative_text": to_text(derivative),
        **_children(node),
    }


def _nodes(node: Derivation | None) -> Iterator[Derivation]:
    if node is None:
        return
    yield node
    for name in ("inner", "numerator", "denominator", "base", "exponent", "rewritten"):
        yield from _nodes(getattr(node, name, None))
    for name in ("terms", "factors"):
        for child in getattr(node, name, ()):
            yield from _nodes(child)


def link_names(node: Derivation) -> set[str]:
    """Every link name used anywhere in the tree."""
    return {str(link.name) for sub in _nodes(node) if isinstance(sub, ChainRule) for link in sub.links}


__all__ = ["describe", "link_dict", "link_names"]
