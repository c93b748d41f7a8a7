"""The checkable steps of a problem, named as the lesson names them.

For ``sin((3x)²)`` (links ``v = 3x``, ``u = v²``, ``y = sin u``) the steps are
the functions ``v``, ``u``, ``y``, the local derivatives ``dv/dx``, ``du/dv``,
``dy/du`` and the final ``dy/dx``; a two-link chain adds ``inner`` and
``outer``. Each step knows its expected expression in the variable and which
link letters an answer to it may use (those below it: ``dy/du`` may be written
in ``u``). Chains inside sums and products contribute their own steps (their
letters never clash: ``naming.py`` uses each letter once per tree).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum

import sympy as sp

from .derivation import (
    ChainRule, ConstantMultiple, Derivation, GeneralPower, Link, ProductRule, QuotientRule, SumRule,
)
from .printing import to_text


class TargetKind(Enum):
    """What a checkable step is: the core's one taxonomy of steps (the tutor maps its own onto it)."""

    FUNCTION = "function"  # a link's function: u = 2x + 1
    LOCAL = "local"        # a link's local derivative: dy/du
    SPAN = "span"          # the derivative across several links of a longer chain: dy/du past w
    FINAL = "final"        # the whole derivative: dy/dx


@dataclass(frozen=True)
class StepTarget:
    """One step: what is expected, in the variable, and how to talk about it.

    ``kind`` says which (:class:`TargetKind`); ``substitutions`` maps the link
    letters the answer may use to what they stand for. A span target's
    ``index`` is its top link and ``start`` its bottom one.
    """

    kind: TargetKind
    name: str
    expected: sp.Expr
    variable: sp.Symbol
    substitutions: dict[sp.Symbol, sp.Expr] = field(default_factory=dict)
    chain: ChainRule | None = None
    index: int = 0
    start: int = 0

    @property
    def link(self) -> Link | None:
        """The link this step is about (None for the final derivative)."""
        return None if self.chain is None or self.kind is TargetKind.FINAL else self.chain.links[self.index]

    def shown(self) -> str:
        """``dy/du = 3u² = 3(2x + 1)²``: the step and its value, for a "right" message."""
        link = self.link
        in_variable = to_text(self.expected)
        if link is None or self.kind is TargetKind.SPAN:
            return f"{self.name} = {in_variable}"
        in_input = to_text(link.expression if self.kind is TargetKind.FUNCTION else link.derivative)
        return f"{self.name} = {in_input}" + ("" if in_input == in_variable else f" = {in_variable}")

    def describe(self, name: str | None = None, reveal: bool = False) -> str:
        """The step in words: ``u, the inner function``; ``reveal`` adds its value (``u = 2x + 1``)."""
        name = name or self.name
        if self.kind is TargetKind.FINAL:
            return f"{name}, the whole derivative"
        link = self.link
        if self.kind is TargetKind.SPAN:
            return f"{name}, the derivative of {link.name} by {self.bottom_input}"
        if self.kind is TargetKind.FUNCTION:
            shown = f"{name} = {to_text(link.expression)}" if reveal else name
            return f"{shown}, {self.role()}"
        return f"{name}, the derivative of {link.name} = {to_text(link.expression)} by {link.input}"

    def role(self) -> str:
        """Where the link sits: ``the inner function``, ``the outer function`` or between."""
        if self.index == len(self.chain.links) - 1:
            return "the outer function"
        if self.index == 0:
            return "the inner function"
        return f"the function applied to {self.link.input}"

    def hint(self) -> str:
        """A generic nudge for a wrong answer to this step."""
        link = self.link
        if self.kind is TargetKind.FUNCTION:
            return f"{link.name} is {self.role()}; peel the expression from the outside in."
        if self.kind is TargetKind.SPAN:
            between = " · ".join(self.chain.links[i].leibniz for i in range(self.index, self.start - 1, -1))
            written = link.expression
            for lower in reversed(self.chain.links[self.start:self.index]):
                written = written.subs(lower.name, lower.expression)
            return (f"In terms of {self.bottom_input}, {link.name} = {to_text(written)}: "
                    f"multiply the local derivatives between them, {self.name} = {between}.")
        if self.kind is TargetKind.LOCAL:
            return f"Differentiate {link.name} = {to_text(link.expression)} by {link.input} alone."
        return "Find each local derivative and multiply them."

    @property
    def bottom_input(self) -> sp.Symbol:
        """What a span target differentiates by: the input of its bottom link."""
        return self.chain.links[self.start].input

    def allowed_symbols(self, problem: sp.Expr) -> set[sp.Symbol]:
        """The symbols an answer to this step may contain (by name, assumptions aside)."""
        allowed = set(problem.free_symbols) | set(self.substitutions) | {self.variable}
        return {sp.Symbol(symbol.name) for symbol in allowed}


def chains_in(tree: Derivation) -> Iterator[ChainRule]:
    """Every chain in a derivation tree, outermost first.

    >>> x = sp.Symbol("x")
    >>> list(chains_in(SumRule(x, x, sp.Integer(1))))
    []
    """
    if isinstance(tree, ChainRule):
        yield tree
        children = [tree.inner]
    elif isinstance(tree, SumRule):
        children = list(tree.terms)
    elif isinstance(tree, ProductRule):
        children = list(tree.factors)
    elif isinstance(tree, QuotientRule):
        children = [tree.numerator, tree.denominator]
    elif isinstance(tree, ConstantMultiple):
        children = [tree.inner]
    elif isinstance(tree, GeneralPower):
        children = [tree.rewritten]
    else:
        children = []
    for child in children:
        if child is not None:
            yield from chains_in(child)


def _below(chain: ChainRule, index: int) -> dict[sp.Symbol, sp.Expr]:
    return {link.name: link.expression_in_variable for link in chain.links[:index]}


def _final_name(tree: Derivation) -> str:
    if isinstance(tree, ChainRule) and tree.links:
        return f"d{tree.links[-1].name}/d{tree.variable}"
    return f"dy/d{tree.variable}"


def step_targets(tree: Derivation) -> dict[str, StepTarget]:
    """The steps of a problem by name (spaces removed), the final derivative first.

    ``dy/dx`` always names the final derivative, whatever the letters.

    >>> from .chain import decompose
    >>> x = sp.Symbol("x")
    >>> list(step_targets(decompose(sp.Pow(2*x + 1, 3, evaluate=False), x)))
    ['dy/dx', 'u', 'du/dx', 'y', 'dy/du', 'inner', 'outer']
    """
    variable = tree.variable
    chains = list(chains_in(tree))
    letters: dict[sp.Symbol, sp.Expr] = {}
    for chain in chains:
        letters.update(_below(chain, len(chain.links) - 1))
    final = StepTarget(TargetKind.FINAL, _final_name(tree), tree.derivative, variable, letters)
    targets = {final.name: final}
    targets.setdefault("dy/dx", final)
    for chain in chains:
        for index, link in enumerate(chain.links):
            below = _below(chain, index)
            targets.setdefault(str(link.name), StepTarget(
                TargetKind.FUNCTION, str(link.name), link.expression_in_variable, variable, below, chain, index))
            targets.setdefault(link.leibniz, StepTarget(
                TargetKind.LOCAL, link.leibniz, link.derivative_in_variable, variable, below, chain, index))
    for chain in chains:
        for name, target in _spans(chain):
            targets.setdefault(name, target)
    if isinstance(tree, ChainRule) and len(tree.links) == 2:
        targets["inner"] = targets[str(tree.links[0].name)]
        targets["outer"] = targets[str(tree.links[1].name)]
    return targets


def _spans(chain: ChainRule) -> Iterator[tuple[str, StepTarget]]:
    """``dy/du`` across ``w`` in ``u = 2x, w = u + 1, y = w³``: one target per run of two or
    more links, so a learner who writes ``dy/du = 3u²`` there is checked, not told the
    step does not exist (it is the slip of reading ``u = 2x`` as the inner function)."""
    links = chain.links
    for start in range(len(links)):
        below = _below(chain, start)
        for top in range(start + 1, len(links)):
            name = f"d{links[top].name}/d{links[start].input}"
            expected = sp.Mul(*(link.derivative_in_variable for link in links[start:top + 1]))
            yield name, StepTarget(TargetKind.SPAN, name, expected, chain.variable, below, chain,
                                   top, start)


__all__ = ["StepTarget", "TargetKind", "step_targets", "chains_in"]
