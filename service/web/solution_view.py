"""A worked solution shaped for the ``/solve`` page: every piece of maths as MathML.

The calculus core gives each step as plain text and LaTeX; the page shows
the LaTeX converted to presentation MathML (the same converter as the
lesson's), falling back to the plain text for a step it cannot convert.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from service.content.render import MathError, MathSpan, render_math
from service.web.chain_svg import ACROSS, DOWN, chain_svg


@dataclass(frozen=True)
class StepView:
    """One step: its words, and its MathML when the LaTeX converts."""

    text: str
    kind: str
    mathml: Markup | None


@dataclass(frozen=True)
class LinkView:
    """One link of a pure chain, as the table under the picture lists it."""

    name: str
    expression: str
    leibniz: str
    derivative: str
    rule: str


@dataclass(frozen=True)
class ChainView:
    """One chain drawn on the page: the whole expression's, or one inside a mixed expression.

    ``inside`` names the sub-expression for a chain inside a sum, product or
    quotient, and is None for the expression's own chain.
    """

    inside: str | None
    svg: Markup
    rows: list[LinkView]
    svg_down: Markup = Markup("")  # the same chain top to bottom, for narrow screens

    @property
    def output(self) -> str:
        """The last link's name: the chain gives d(output)/d(variable)."""
        return self.rows[-1].name


@dataclass(frozen=True)
class SolutionView:
    """What the solution page shows."""

    variable: str
    expression_text: str
    expression_mathml: Markup | None
    derivative_text: str
    derivative_mathml: Markup
    pure_chain: bool
    steps: list[StepView]
    chains: list[ChainView] = field(default_factory=list)
    gears: str | None = None


def solution_view(solution: Mapping[str, Any]) -> SolutionView:
    """Shape ``Solution.to_dict()`` for the page.

    >>> from service import calculus
    >>> view = solution_view(calculus.solve("(2x+1)^3").to_dict())
    >>> view.derivative_text, [row.leibniz for row in view.chains[0].rows]
    ('6(2x + 1)²', ['du/dx', 'dy/du'])
    """
    gears = solution.get("gears") or {}
    return SolutionView(
        variable=solution["variable"],
        expression_text=solution.get("expression_text") or solution["expression"],
        expression_mathml=latex_mathml(solution.get("expression_latex"), display=False),
        derivative_text=solution.get("derivative_text") or solution["derivative"],
        # From the tidy LaTeX, like the steps, so the headline reads as the last step
        # does; the core's own MathML (sympy's order) only if that cannot convert.
        derivative_mathml=latex_mathml(solution.get("latex")) or Markup(solution["mathml"]),
        pure_chain=bool(solution.get("pure_chain")),
        steps=[StepView(text=s["text"], kind=s.get("kind", ""), mathml=latex_mathml(s.get("latex")))
               for s in solution.get("steps") or [] if s.get("kind") != "gears"],
        chains=chains_of(solution),
        gears=gears.get("text"),
    )


def latex_mathml(latex: str | None, display: bool = True) -> Markup | None:
    r"""LaTeX as a ``<math>`` element (a block by default), or None when it cannot be converted.

    >>> str(latex_mathml(r"\frac{dy}{dx} = 2"))[:5]
    '<math'
    >>> latex_mathml(None) is None
    True
    """
    if not latex:
        return None
    try:
        return Markup(render_math(MathSpan(latex, display=display, offset=0)))
    except MathError:
        return None


def chains_of(solution: Mapping[str, Any]) -> list[ChainView]:
    """The chains to draw: the expression's own, or else every chain inside its parts.

    >>> from service import calculus
    >>> [c.inside for c in chains_of(calculus.solve("x·sin(x^2)").to_dict())]
    ['sin(x²)']
    """
    variable = solution["variable"]
    if solution.get("links"):
        return [_chain_view(None, solution["links"], variable, "chain")]
    found: list[tuple[str, list[Mapping[str, Any]]]] = []
    _collect_chains(solution.get("parts"), found)
    return [_chain_view(inside, links, variable, f"chain{number}")
            for number, (inside, links) in enumerate(found, start=1)]


def _collect_chains(part: Any, found: list[tuple[str, list[Mapping[str, Any]]]]) -> None:
    # The parts tree nests sums, products and quotients; a node with links is a chain.
    if isinstance(part, Mapping):
        if part.get("links"):
            found.append((part.get("expression_text") or str(part.get("expression", "")), part["links"]))
            return
        part = list(part.values())
    if isinstance(part, list):
        for item in part:
            if isinstance(item, (Mapping, list)):
                _collect_chains(item, found)


def _chain_view(inside: str | None, links: list[Mapping[str, Any]], variable: str, ident: str) -> ChainView:
    return ChainView(inside=inside, svg=Markup(chain_svg(links, variable, ident, ACROSS)),
                     svg_down=Markup(chain_svg(links, variable, f"{ident}-down", DOWN)),
                     rows=[_link_row(link) for link in links])


def _link_row(link: Mapping[str, Any]) -> LinkView:
    name = str(link["name"])
    return LinkView(
        name=name,
        expression=link.get("expression_text") or link["expression"],
        leibniz=link.get("leibniz") or f"d{name}/d{link['input']}",
        derivative=link.get("derivative_text") or link["derivative"],
        rule=link.get("rule") or "",
    )
