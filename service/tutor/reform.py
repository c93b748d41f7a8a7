"""Chains the plan did not expect: the plan re-forms around the learner's cut.

A plan names its links the core's way (``v = 3x``, ``u = v²``, ``y = sin u``
for sin((3x)²)), but another cut is just as right: coarser (``u = 9x²``, then
``y = sin u``), finer (``u = 2x``, ``v = u + 1``, ``y = v³`` for (2x + 1)³), or
with a constant moved between links (``z = 2σ(u)`` in σ(2σ(3x))). When the
learner names such a link, the core cuts the chain there (``recut.py``) and
the plan is rebuilt from that chain, with the learner's letter for the link
they named; the tutor says in one sentence how the links are named from then
on. Accepting ``u = 2x`` for (2x + 1)³ does not hide the classic slip: the
re-formed links are ``v = u + 1`` and ``y = v³``, so ``dy/du = 3u²`` is still
wrong, and said so, at the derivative step.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from service.calculus import ExpressionError, parse_expression
from service.calculus.chain import decompose_chain
from service.calculus.derivation import ChainRule
from service.calculus.printing import to_text
from service.calculus.recut import chain_through
from service.calculus.unevaluated import evaluate_tree
from service.calculus.functions import sigmoid

from .plan import Plan, reformed_plan


@dataclass(frozen=True)
class Reform:
    """A plan re-formed around the learner's cut, and how the tutor says so."""

    plan: Plan
    letter: str       # the learner's letter for the link they named
    cut_names: tuple[str, ...]  # the plan's identify steps now done, innermost first
    note: str         # "Good — that's a finer chain: u = 2x, then v = u + 1, and y = v³. ..."


def reform(expression: str, variable: str, plan: Plan, letter: str, body: str,
           below: tuple[str, ...]) -> Reform | None:
    """The plan cut at ``letter = body``, above the links named ``below`` (already found,
    innermost first); None when that is not a valid cut or changes nothing.

    >>> from service.calculus import solve
    >>> from service.tutor.plan import build_plan
    >>> plan = build_plan(solve("(2x+1)^3"))
    >>> reform("(2x+1)^3", "x", plan, "u", "2x", ()).note
    "Good — that's a finer chain: u = 2x, then v = u + 1, and y = v³. We'll use those names."
    >>> reform("(2x+1)^3", "x", plan, "u", "x", ()) is None
    True
    """
    symbol = sp.Symbol(variable)
    try:
        problem = parse_expression(expression, variable)
        current = _current_chain(problem, symbol, plan)
        if current is None:
            return None
        values = {link.name: link.expression_in_variable for link in current.links}
        cut = evaluate_tree(parse_expression(body, variable)).xreplace(
            {name: value for name, value in values.items() if str(name) in below})
    except (ExpressionError, TypeError, ValueError):
        return None
    if symbol not in cut.free_symbols or cut == symbol or not cut.free_symbols <= problem.free_symbols | {symbol}:
        return None
    cuts = tuple((name, values[sp.Symbol(name)]) for name in below if sp.Symbol(name) in values)
    chain = chain_through(problem, symbol, (*cuts, (letter, cut)))
    if chain is None or _shape(chain) == _shape(current):
        return None
    stored = tuple((name, sp.sstr(value)) for name, value in (*cuts, (letter, cut)))
    final = plan.steps[-1].answer.split(" = ", 1)[-1]
    new_plan = reformed_plan(chain, final, stored)
    return Reform(new_plan, letter, tuple(name for name, _ in stored),
                  _note(chain, len(chain.links) - len(current.links)))


def _current_chain(problem: sp.Expr, symbol: sp.Symbol, plan: Plan) -> ChainRule | None:
    if plan.cuts:
        return chain_through(problem, symbol, tuple(
            (name, sp.sympify(value, locals={"sigmoid": sigmoid})) for name, value in plan.cuts))
    return decompose_chain(problem, symbol)


def _shape(chain: ChainRule) -> tuple[tuple[str, sp.Expr], ...]:
    return tuple((str(link.name), link.expression) for link in chain.links)


def _note(chain: ChainRule, longer_by: int) -> str:
    """One sentence saying how the links are named from here."""
    links = [f"{link.name} = {to_text(link.expression)}" for link in chain.links]
    named = links[0] if len(links) == 1 else (
        ", then ".join(links[:-1]) + f", and {links[-1]}")
    kind = ("a finer chain" if longer_by > 0 else "a coarser chain" if longer_by < 0
            else "another right way to cut this chain")
    return f"Good — that's {kind}: {named}. We'll use those names."


__all__ = ["Reform", "reform"]
