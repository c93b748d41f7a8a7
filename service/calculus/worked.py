"""The worked solution as steps, in the lesson's style.

A printer that walks the derivation tree (as sympy's ``manualintegrate``
prints its rules): a chain says which functions it is made of, then each
local derivative from the outermost in (backpropagation's order), then their
product. Sums, products, quotients and general powers name their rule, work
each part (a chain inside gets its own "Let u = ..." block, with its own
letters) and combine.

Each :class:`Step` is written once as a list of pieces (prose, maths,
Leibniz symbols), and printed from that as Unicode text and as LaTeX, so the
two never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Union

import sympy as sp

from .derivation import (
    ChainRule, ConstantMultiple, Derivation, Elementary, GeneralPower, Link,
    ProductRule, QuotientRule, Rule, SumRule,
)
from .printing import to_latex, to_text
from .tidy import tidy, tidy_product
from .unevaluated import evaluate_tree


@dataclass(frozen=True)
class Leibniz:
    """A derivative's name, ``dy/du`` (``\\frac{dy}{du}`` in LaTeX)."""

    top: str
    bottom: str

    @property
    def text(self) -> str:
        return f"d{self.top}/d{self.bottom}"

    @property
    def latex(self) -> str:
        return rf"\frac{{d{self.top}}}{{d{self.bottom}}}"


Piece = Union[str, sp.Basic, Leibniz]
# Prose pieces that are maths operators print as operators in LaTeX.
_OPERATORS: dict[str, str] = {" = ": " = ", " · ": r" \cdot ", " × ": r" \times ", ", ": r",\ "}


@dataclass(frozen=True)
class Step:
    """One line of the worked solution."""

    pieces: tuple[Piece, ...]
    kind: str = "derivative"  # "decompose", "derivative", "combine", "rule", "gears", "note"
    rule: Rule | None = None

    @property
    def text(self) -> str:
        return "".join(_piece_text(piece) for piece in self.pieces)

    @property
    def latex(self) -> str:
        return "".join(_piece_latex(piece) for piece in self.pieces)

    def to_dict(self) -> dict[str, str]:
        """``{"text", "latex", "kind"}`` and ``"rule"`` when one applies."""
        data = {"text": self.text, "latex": self.latex, "kind": self.kind}
        if self.rule is not None:
            data["rule"] = self.rule.value
        return data


def _piece_text(piece: Piece) -> str:
    if isinstance(piece, str):
        return piece
    if isinstance(piece, Leibniz):
        return piece.text
    return to_text(piece)


def _piece_latex(piece: Piece) -> str:
    if isinstance(piece, Leibniz):
        return piece.latex
    if isinstance(piece, str):
        if piece in _OPERATORS:
            return _OPERATORS[piece]
        return rf"\text{{{piece}}}" if piece else ""
    return to_latex(piece)


def _joined(factors: Sequence[sp.Expr], separator: str = " · ") -> list[Piece]:
    """Factors side by side; a sum or a negative one after the first in brackets."""
    pieces: list[Piece] = []
    for index, factor in enumerate(factors):
        if index:
            pieces.append(separator)
        bracket = factor.is_Add or (index > 0 and factor.could_extract_minus_sign())
        pieces.extend(["(", factor, ")"] if bracket else [factor])
    return pieces


def _listing(items: Sequence[list[Piece]]) -> list[Piece]:
    """``a, b and c`` for any number of items."""
    pieces: list[Piece] = []
    for index, item in enumerate(items):
        if index:
            pieces.append(" and " if index == len(items) - 1 else ", ")
        pieces.extend(item)
    return pieces


def _rule_note(rule: Rule) -> str:
    return f" ({rule.value})."


def chain_result(chain: ChainRule) -> sp.Expr:
    """The chain's derivative: the local derivatives outermost first, tidied."""
    return tidy_product([link.derivative_in_variable for link in reversed(chain.links)])


@dataclass
class StepWriter:
    """Writes the steps of a derivation tree by one variable."""

    variable: sp.Symbol

    def steps(self, node: Derivation, output: sp.Symbol) -> tuple[list[Step], sp.Expr]:
        """The steps for ``node`` (named ``output``) and its tidied derivative."""
        if isinstance(node, ChainRule):
            return self.chain(node)
        if isinstance(node, Elementary):
            return self.elementary(node, output)
        if isinstance(node, SumRule):
            return self.sum(node, output)
        if isinstance(node, ProductRule):
            return self.product(node, output)
        if isinstance(node, QuotientRule):
            return self.quotient(node, output)
        if isinstance(node, ConstantMultiple):
            return self.constant_multiple(node, output)
        if isinstance(node, GeneralPower):
            return self.general_power(node, output)
        result = tidy(node.derivative)
        return [self.result_step(output, [], result)], result

    def leibniz(self, output: sp.Symbol) -> Leibniz:
        return Leibniz(str(output), str(self.variable))

    def result_step(self, output: sp.Symbol, middle: list[Piece], result: sp.Expr,
                    rule: Rule | None = None) -> Step:
        if "".join(_piece_text(piece) for piece in middle) == to_text(result):
            middle = []  # "= cos(x) − 2x·sin(x²) = cos(x) − 2x·sin(x²)" says nothing
        pieces: list[Piece] = [self.leibniz(output), " = ", *middle]
        if middle:
            pieces.append(" = ")
        pieces.append(result)
        pieces.append(_rule_note(rule) if rule else ".")
        return Step(tuple(pieces), "combine", rule)

    # -- chains ---------------------------------------------------------------

    def chain(self, chain: ChainRule) -> tuple[list[Step], sp.Expr]:
        links = chain.links
        result = chain_result(chain)
        if len(links) == 1:
            (link,) = links
            intro = Step((link.name, " = ", link.expression,
                          " is one function of ", self.variable,
                          " itself: there is no inner function, so no chain to unwind."), "decompose")
            steps = [intro, *self.inner_steps(chain)]
            steps.append(self.result_step(link.name, [], result, link.rule))
            return steps, result
        # Outermost local derivative first; an innermost sum or product is
        # worked in full where its derivative is due.
        steps = [self.introduction(links)]
        steps.extend(self.local_step(link) for link in reversed(links[1:]))
        steps.extend(self.inner_steps(chain) or [self.local_step(links[0])])
        outer = links[-1].name
        factors = [Leibniz(str(link.name), str(link.input)) for link in reversed(links)]
        middle: list[Piece] = []
        for index, factor in enumerate(factors):
            middle.extend([" · ", factor] if index else [factor])
        middle.append(" = ")
        middle.extend(_joined([link.derivative_in_variable for link in reversed(links)]))
        steps.append(self.result_step(outer, middle, result, Rule.CHAIN))
        return steps, result

    def introduction(self, links: Sequence[Link]) -> Step:
        """``Let u = 2x + 1 (inner) and y = u³ (outer).``"""
        items = [[link.name, " = ", link.expression] for link in links]
        if len(links) == 2:
            items[0].append(" (inner)")
            items[1].append(" (outer)")
        return Step(("Let ", *_listing(items), "."), "decompose")

    def inner_steps(self, chain: ChainRule) -> list[Step]:
        """Working for an innermost function that is itself a sum, product, ..."""
        if chain.inner is None:
            return []
        steps, _ = self.steps(chain.inner, chain.links[0].name)
        return steps

    def local_step(self, link: Link) -> Step:
        """``dy/du = 3u² = 3(2x + 1)² (power rule).``"""
        pieces: list[Piece] = [Leibniz(str(link.name), str(link.input)), " = ", link.derivative]
        if to_text(link.derivative) != to_text(link.derivative_in_variable):
            pieces.extend([" = ", link.derivative_in_variable])
        pieces.append(_rule_note(link.rule))
        return Step(tuple(pieces), "derivative", link.rule)

    # -- no chain -------------------------------------------------------------------

    def elementary(self, node: Elementary, output: sp.Symbol) -> tuple[list[Step], sp.Expr]:
        result = tidy(node.derivative)
        return [self.result_step(output, [], result, node.rule)], result

    # -- sums, products, quotients, f^g ------------------------------------------

    def parts(self, nodes: Sequence[Derivation]) -> tuple[list[Step], list[sp.Expr]]:
        """Each part worked on its own: ``d/dx sin(x²) = ...``."""
        steps: list[Step] = []
        results: list[sp.Expr] = []
        for node in nodes:
            if isinstance(node, Elementary):
                result = tidy(node.derivative)
                steps.append(Step(("d/d", self.variable, " ", node.expression, " = ", result,
                                   _rule_note(node.rule)), "derivative", node.rule))
            else:
                steps.append(Step(("For ", evaluate_tree(node.expression), ":"), "note"))
                inner_steps, result = self.steps(node, _output_name(node))
                steps.extend(inner_steps)
            results.append(result)
        return steps, results

    def sum(self, node: SumRule, output: sp.Symbol) -> tuple[list[Step], sp.Expr]:
        intro = Step((output, " = ", node.expression,
                      " is a sum: by the sum rule, differentiate each term and add."), "rule", Rule.SUM)
        steps, results = self.parts(node.terms)
        result = tidy(node.derivative)
        middle: list[Piece] = []
        for index, term in enumerate(results):
            negative = index > 0 and term.could_extract_minus_sign()
            middle.extend([" − " if negative else " + "] if index else [])
            middle.append(-term if negative else term)
        steps.append(self.result_step(output, middle, result, Rule.SUM))
        return [intro, *steps], result

    def product(self, node: ProductRule, output: sp.Symbol) -> tuple[list[Step], sp.Expr]:
        names = [f"f{_subscript(i + 1)}" for i in range(len(node.factors))] if len(node.factors) > 2 else ["f", "g"]
        items = [[name, " = ", f.expression] for name, f in zip(names, node.factors)]
        formula = "f′g + fg′" if len(names) == 2 else "the sum of each factor's derivative times the others"
        intro = Step((output, " = ", node.expression, " is a product: ", *_listing(items),
                      f". By the product rule, {self.leibniz(output).text} = {formula}."), "rule", Rule.PRODUCT)
        steps, results = self.parts(node.factors)
        values = [evaluate_tree(f.expression) for f in node.factors]
        terms = [[*(_joined([r if j == i else v for j, v in enumerate(values)]))]
                 for i, r in enumerate(results)]
        middle: list[Piece] = []
        for index, term in enumerate(terms):
            middle.extend([" + ", *term] if index else term)
        result = tidy(node.derivative)
        steps.append(self.result_step(output, middle, result, Rule.PRODUCT))
        return [intro, *steps], result

    def quotient(self, node: QuotientRule, output: sp.Symbol) -> tuple[list[Step], sp.Expr]:
        assert node.numerator is not None and node.denominator is not None
        f, g = evaluate_tree(node.numerator.expression), evaluate_tree(node.denominator.expression)
        intro = Step((output, " = ", node.expression, " is a quotient f/g with f = ", f, " and g = ", g,
                      f". By the quotient rule, {self.leibniz(output).text} = (f′g − fg′)/g²."),
                     "rule", Rule.QUOTIENT)
        steps, (df, dg) = self.parts((node.numerator, node.denominator))
        result = tidy(node.derivative)
        middle: list[Piece] = ["(", *_joined([df, g]), " − ", *_joined([f, dg]), ")/",
                               sp.Pow(g, 2, evaluate=False)]
        steps.append(self.result_step(output, middle, result, Rule.QUOTIENT))
        return [intro, *steps], result

    def constant_multiple(self, node: ConstantMultiple, output: sp.Symbol) -> tuple[list[Step], sp.Expr]:
        assert node.inner is not None
        intro = Step(("The constant ", node.constant, " rides along: differentiate ",
                      evaluate_tree(node.inner.expression), " and multiply by it."), "rule")
        steps, inner_result = self.parts((node.inner,))
        result = tidy(node.derivative)
        steps.append(self.result_step(output, _joined([node.constant, *inner_result]), result))
        return [intro, *steps], result

    def general_power(self, node: GeneralPower, output: sp.Symbol) -> tuple[list[Step], sp.Expr]:
        assert node.rewritten is not None
        rewritten = evaluate_tree(node.rewritten.expression)
        intro = Step((output, " = ", node.expression, " has ", self.variable,
                      " in its base and its exponent: write it as ", rewritten,
                      ", since f^g = e^(g·ln f), and differentiate that."), "rule", Rule.GENERAL_POWER)
        steps, _ = self.steps(node.rewritten, _output_name(node.rewritten))
        result = tidy(node.derivative)
        steps.append(Step((self.leibniz(output), " = ", result, ", writing ", rewritten, " back as ",
                           evaluate_tree(node.expression), "."), "combine", Rule.GENERAL_POWER))
        return [intro, *steps], result


def _subscript(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _output_name(node: Derivation) -> sp.Symbol:
    """The name a sub-derivation's result goes by: its chain's outer link."""
    if isinstance(node, ChainRule) and node.links:
        return node.links[-1].name
    return sp.Symbol("f")


__all__ = ["Leibniz", "Step", "StepWriter", "chain_result"]
