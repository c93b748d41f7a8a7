"""Worked solutions: :func:`solve` and the :class:`Solution` it returns.

>>> sol = solve("(2x+1)^3")
>>> sol.derivative_text
'6(2x + 1)²'
>>> [step["text"] for step in sol.to_dict()["steps"]][:2]
['Let u = 2x + 1 (inner) and y = u³ (outer).', 'dy/du = 3u² = 3(2x + 1)² (power rule).']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from .chain import decompose
from .derivation import ChainRule, Derivation, Elementary, Link, Rule
from .equivalence import compare, compare_derivative
from .errors import ExpressionError
from .functions import CONSTANTS, FUNCTIONS
from .gears import GearView, gear_view
from .naming import fresh_symbols
from .parsing import parse_expression
from .parts import describe, link_dict, link_names
from .printing import to_latex, to_mathml, to_text
from .tidy import tidy
from .unevaluated import evaluate_tree
from .worked import Leibniz, Step, StepWriter

DEFAULT_VARIABLE = "x"
_NAME = re.compile(r"[A-Za-zα-ωΑ-Ω][A-Za-z0-9_]{0,15}")


@dataclass(frozen=True)
class Solution:
    """A worked solution of ``d/d(variable) expression``.

    ``derivative`` is the final derivative (checked equal to sympy's ``diff``),
    ``display`` the same in textbook form (an unevaluated product whose order
    the printers keep), ``tree`` the derivation and ``chain`` the tree when it
    is a chain. :meth:`to_dict` holds, besides the contract's keys
    (``variable``, ``expression``, ``derivative``, ``latex``, ``mathml``,
    ``pure_chain``, ``links``, ``steps``):

    * ``expression_text``, ``expression_latex``, ``derivative_text``: Unicode
      and LaTeX forms; ``output`` and ``leibniz``: the result's name (``y``,
      ``L``) and ``dy/dx``;
    * each link also has ``rule``, ``leibniz``, ``expression_in_variable``,
      ``derivative_in_variable`` and ``*_text`` forms; ``links`` lists every
      link of a chain (also a one-link chain such as ``sin(x)``, or one whose
      innermost function is a product), and is empty otherwise;
    * each step has ``kind`` (``decompose``, ``derivative``, ``rule``,
      ``note``, ``combine``, ``gears``) and ``rule`` where one applies;
    * ``gears``: for a chain, ``{"point", "factors": [{"leibniz", "value"}],
      "product", "text"}`` -- every local derivative at a simple point and
      their product; otherwise None;
    * ``parts``: the derivation tree, each node ``{"rule", "expression",
      "expression_text", "derivative", "derivative_text"}`` plus, by rule,
      ``links`` (a chain, with ``inner`` when its innermost function is a
      sum, product...), ``terms`` (sum), ``factors`` (product),
      ``numerator``/``denominator`` (quotient), ``constant``/``inner``
      (constant multiple), ``base``/``exponent``/``rewritten`` (``f^g``).
    """

    expression: sp.Expr
    variable: sp.Symbol
    tree: Derivation
    derivative: sp.Expr
    display: sp.Expr
    output: sp.Symbol
    steps: tuple[Step, ...]
    gears: GearView | None

    @property
    def chain(self) -> ChainRule | None:
        """The chain, when the expression is one (even a one-link chain)."""
        return self.tree if isinstance(self.tree, ChainRule) else None

    @property
    def pure_chain(self) -> bool:
        """One composition of two or more functions, elementary at its core."""
        chain = self.chain
        return chain is not None and chain.inner is None and len(chain.links) >= 2

    @property
    def links(self) -> tuple[Link, ...]:
        return self.chain.links if self.chain is not None else ()

    @property
    def derivative_text(self) -> str:
        return to_text(self.display)

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON (see the class docstring for the keys)."""
        return {
            "variable": str(self.variable),
            "expression": sp.sstr(self.expression),
            "expression_text": to_text(self.expression),
            "expression_latex": to_latex(self.expression),
            "output": str(self.output),
            "leibniz": f"d{self.output}/d{self.variable}",
            "derivative": sp.sstr(self.display),
            "derivative_text": self.derivative_text,
            "latex": to_latex(self.display),
            "mathml": to_mathml(self.display),
            "pure_chain": self.pure_chain,
            "links": [link_dict(link) for link in self.links],
            "steps": [step.to_dict() for step in self.steps],
            "gears": self.gears.to_dict() if self.gears is not None else None,
            "parts": describe(self.tree),
        }


def solve(expression: str | sp.Expr, variable: str | sp.Symbol | None = DEFAULT_VARIABLE) -> Solution:
    """Differentiate ``expression`` by ``variable``, worked as the lesson does.

    With ``variable=None`` the expression's only symbol is used (``x`` when
    it has none or several). A variable that does not occur gives 0.

    >>> solve("sin((3x)^2)").derivative_text
    '18x·cos(9x²)'
    >>> solve("(σ(w·x) − y)^2", "w").derivative_text
    '2x(σ(wx) − y)σ(wx)(1 − σ(wx))'
    """
    expr, symbol = _read(expression, variable)
    tree = decompose(expr, symbol)
    output = _output_name(expr, symbol, tree)
    writer = StepWriter(symbol)
    if expr.free_symbols and not expr.has(symbol):
        steps, display = _absent(expr, symbol, output), sp.Integer(0)
    else:
        steps, display = writer.steps(tree, output)
        if isinstance(tree, Elementary):
            steps.insert(0, _no_chain(expr, symbol))
    display, checked = _verified(expr, symbol, display)
    if display.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        # 0^x, (x − x)^x: sympy's own derivative is nan; nothing to teach.
        raise ExpressionError("this expression has no derivative to work out "
                              "(it holds 0 to a variable power or a division by zero)")
    if not checked:
        steps.append(Step((Leibniz(str(output), str(symbol)), " = ", display, "."), "combine"))
    view = gear_view(tree) if isinstance(tree, ChainRule) else None
    if view is not None:
        steps.append(Step(("Gear view. ", view.text), "gears"))
    return Solution(expr, symbol, tree, evaluate_tree(display), display, output, tuple(steps), view)


def _read(expression: str | sp.Expr, variable: str | sp.Symbol | None) -> tuple[sp.Expr, sp.Symbol]:
    """The parsed expression and the variable symbol, checked."""
    name = variable.name if isinstance(variable, sp.Symbol) else variable
    if name is not None:
        name = str(name).strip()
        if not _NAME.fullmatch(name) or (name in FUNCTIONS or name in CONSTANTS) and name != "e":
            raise ExpressionError(f"'{name}' cannot be the variable: use a letter such as x")
    expr = parse_expression(expression, name) if isinstance(expression, str) else sp.sympify(expression)
    symbols = {s.name: s for s in expr.free_symbols}
    if name is None:
        name = next(iter(symbols)) if len(symbols) == 1 else DEFAULT_VARIABLE
    return expr, symbols.get(name, sp.Symbol(name))


def _output_name(expr: sp.Expr, variable: sp.Symbol, tree: Derivation) -> sp.Symbol:
    """The result's name: the chain's outer link, else ``y`` when it is free."""
    if isinstance(tree, ChainRule):
        return tree.links[-1].name
    taken = {str(s) for s in expr.free_symbols} | {str(variable)}
    if "y" not in taken:
        return sp.Symbol("y")
    return fresh_symbols(taken | link_names(tree), 1)[0]


def _absent(expr: sp.Expr, variable: sp.Symbol, output: sp.Symbol) -> list[Step]:
    return [Step((variable, " does not occur in ", expr, ": as far as ", variable,
                  " goes it is a constant, so ", Leibniz(str(output), str(variable)), " = ", sp.Integer(0),
                  " (constant rule)."), "combine", Rule.CONSTANT)]


def _no_chain(expr: sp.Expr, variable: sp.Symbol) -> Step:
    what = "a constant" if not expr.has(variable) else "not a composition of functions"
    return Step((expr, f" is {what}: there is no chain to unwind."), "decompose")


def _verified(expr: sp.Expr, variable: sp.Symbol, display: sp.Expr) -> tuple[sp.Expr, bool]:
    """``display`` when it is the derivative, else sympy's ``diff`` tidied.

    The flag says whether ``display`` passed; a tidy that went wrong must
    never reach a learner. The answer checker's own test decides (exact
    derivative values at sampled points, sympy's ``diff`` only when too few
    points are valid), so solutions and verdicts agree on what is right.
    """
    function = evaluate_tree(expr)
    if compare_derivative(function, variable, evaluate_tree(display)).equal:
        return display, True
    reference = sp.diff(function, variable)
    tidied = tidy(reference)
    if compare(reference, evaluate_tree(tidied), (function,)).equal:
        return tidied, False
    return reference, False


__all__ = ["Solution", "solve", "DEFAULT_VARIABLE"]
