"""Chains cut where the learner cut them (service/calculus/recut.py) and checking against them."""

from __future__ import annotations

import pytest
import sympy as sp

from service.calculus import ExpressionError, check_step, parse_expression
from service.calculus.recut import chain_through
from service.calculus.step_targets import TargetKind, step_targets
from service.calculus.unevaluated import evaluate_tree

CUTS = [
    ("(2x+1)^3", [("u", "2x")], ["u", "v", "y"]),                       # finer
    ("sin((3x)^2)", [("u", "9x^2")], ["u", "y"]),                       # coarser, equivalent form
    ("sin((3x)^2)", [("w", "(3x)^2")], ["w", "y"]),                     # coarser, the learner's letter
    ("sigmoid(2 sigmoid(3x))", [("u", "3x"), ("z", "2 sigmoid(3x)")], ["u", "z", "y"]),  # constant moved
    ("e^(-x^2)", [("u", "x^2")], ["u", "v", "y"]),
    ("ln(sin(3x))", [("u", "sin(3x)")], ["u", "y"]),
    ("(w x - y)^2", [("v", "w x")], ["v", "u", "L"]),                   # the loss keeps its L
]


def _chain(problem: str, cuts, variable: str = "x"):
    symbol = sp.Symbol(variable)
    parsed = [(name, parse_expression(value, variable)) for name, value in cuts]
    return parse_expression(problem, variable), symbol, chain_through(parse_expression(problem, variable), symbol, parsed)


@pytest.mark.parametrize(("problem", "cuts", "names"), CUTS)
def test_every_derivative_of_a_cut_chain_is_right(problem, cuts, names):
    variable = "w" if problem.startswith("(w") else "x"
    expr, x, chain = _chain(problem, cuts, variable)
    assert [str(link.name) for link in chain.links] == names
    whole = evaluate_tree(expr)
    assert sp.simplify(chain.derivative - sp.diff(whole, x)) == 0
    for name, value in cuts:
        link = next(link for link in chain.links if str(link.name) == name)
        assert sp.simplify(link.expression_in_variable - evaluate_tree(parse_expression(value, variable))) == 0
    for link in chain.links:
        source = next((l.expression_in_variable for l in chain.links if l.name == link.input), x)
        expected = sp.diff(link.expression_in_variable, x) / sp.diff(source, x)
        assert sp.simplify(link.derivative_in_variable - expected) == 0, link
        assert sp.simplify(link.derivative - sp.diff(link.expression, link.input)) == 0
    assert sp.simplify(chain.links[-1].expression_in_variable - whole) == 0


@pytest.mark.parametrize(("problem", "cuts"), [
    ("(2x+1)^3", [("u", "x")]),              # the variable itself
    ("(2x+1)^3", [("u", "(2x+1)^3")]),       # the whole expression
    ("(2x+1)^3", [("u", "x + 1")]),          # not inside it
    ("sin(x^2) + x", [("u", "x^2")]),        # what is left is not one chain
    ("sin((3x)^2)", [("v", "3x"), ("u", "x^2")]),  # not a function of the link below
])
def test_a_cut_that_does_not_cut_the_chain_is_none(problem, cuts):
    assert _chain(problem, cuts)[2] is None


def test_check_step_checks_against_the_cut_chain():
    cuts = [("u", "2*x")]
    assert check_step("(2x+1)^3", "v", "u + 1", "x", cuts=cuts).correct
    assert check_step("(2x+1)^3", "dy/dv", "3v^2", "x", cuts=cuts).correct
    # the classic slip, u = 2x read as the inner function of (2x + 1)³, is still wrong
    slip = check_step("(2x+1)^3", "dy/du", "3u^2", "x", cuts=cuts)
    assert not slip.correct and "y = (u + 1)³" in slip.feedback
    assert check_step("(2x+1)^3", "dy/du", "3(u+1)^2", "x", cuts=cuts).correct
    # without the cut, u is the core's 2x + 1 and 3u² is right
    assert check_step("(2x+1)^3", "dy/du", "3u^2", "x").correct
    with pytest.raises(ExpressionError):
        check_step("(2x+1)^3", "u", "2x", "x", cuts=[("u", "x")])


def test_a_span_target_runs_across_the_links_between():
    expr, x, chain = _chain("sin((3x)^2)", [("v", "3x")])
    targets = step_targets(chain)
    span = targets["dy/dv"]
    assert span.kind is TargetKind.SPAN and (span.start, span.index) == (1, 2)
    assert sp.simplify(span.expected - sp.cos(9 * x**2) * 6 * x) == 0
    assert {targets[name].kind for name in ("v", "du/dv", "dy/dx")} == {
        TargetKind.FUNCTION, TargetKind.LOCAL, TargetKind.FINAL}
