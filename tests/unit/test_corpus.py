"""The corpus of ``tests/data/problems.yaml`` against sympy's own ``diff``.

For every problem: the solution's derivative equals ``sympy.diff`` of the
parsed expression (numerically at several points, and symbolically); the
``pure_chain`` flag is the one the corpus expects; a pure chain's links
compose back to the expression and their local derivatives multiply to the
derivative; every step has text and LaTeX; ``to_dict()`` is JSON; the printed
derivative reads back into sympy; and ``check_answer`` accepts the solution's
own derivative and rejects its negation as a sign error.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import sympy as sp
import yaml

from service.calculus import check_answer, parse_expression, sigmoid, solve

CORPUS = Path(__file__).resolve().parents[1] / "data" / "problems.yaml"
FAMILIES = {"textbook", "deep_chain", "ml", "mixed", "trig", "exp_log", "inverse_trig",
            "hyperbolic", "power_root", "no_chain"}
# Points away from 0 and 1 and from each other, so that a wrong derivative that
# happens to agree at one point is caught at another; a few sit outside the
# real domain of roots and logs, where both sides must still agree.
POINTS = (0.37, 0.61, 0.83, 1.27, 1.9, -0.45)
MIN_COMPARED_POINTS = 3


@dataclass(frozen=True)
class Problem:
    expression: str
    variable: str
    family: str
    pure_chain: bool

    def __str__(self) -> str:
        return f"{self.expression} d/d{self.variable}"


def load_corpus() -> list[Problem]:
    """The problems of the corpus file, with the variable defaulting to ``x``."""
    entries = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    return [Problem(entry["expression"], str(entry.get("variable", "x")), entry["family"],
                    entry["pure_chain"]) for entry in entries]


PROBLEMS = load_corpus()


@cache
def solved(problem: Problem):
    return solve(problem.expression, variable=problem.variable)


@cache
def solution_dict(problem: Problem) -> dict[str, Any]:
    return solved(problem).to_dict()


@cache
def parsed(problem: Problem) -> sp.Expr:
    return parse_expression(problem.expression, variable=problem.variable)


@cache
def reference_derivative(problem: Problem) -> sp.Expr:
    return sp.diff(parsed(problem), sp.Symbol(problem.variable))


def sample_values(problem: Problem) -> list[dict[sp.Symbol, sp.Float]]:
    """Points at which to compare: the variable moves, other symbols are fixed."""
    variable = sp.Symbol(problem.variable)
    others = sorted(parsed(problem).free_symbols - {variable}, key=str)
    fixed = {symbol: sp.Float(0.3 + 0.17 * index, 30) for index, symbol in enumerate(others)}
    return [{variable: sp.Float(point, 30), **fixed} for point in POINTS]


def numeric(expr: sp.Expr, values: dict[sp.Symbol, sp.Float]) -> complex | None:
    """``expr`` at ``values`` as a complex number, or None where it is not finite."""
    try:
        value = complex(expr.xreplace(values).evalf(30))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not (math.isfinite(value.real) and math.isfinite(value.imag)):
        return None
    return value


def assert_numerically_equal(actual: sp.Expr, expected: sp.Expr, problem: Problem) -> None:
    compared = 0
    for values in sample_values(problem):
        want = numeric(expected, values)
        if want is None:
            continue
        got = numeric(actual, values)
        assert got is not None, f"{actual} is not finite at {values}, expected {want}"
        assert abs(got - want) <= 1e-9 * max(1.0, abs(want)), (
            f"{actual} != {expected} at {values}: {got} vs {want}")
        compared += 1
    assert compared >= MIN_COMPARED_POINTS, f"too few points where {expected} is finite"


def without_sigmoid(expr: sp.Expr) -> sp.Expr:
    """``expr`` with σ(z) written as 1/(1 + e^(−z)), its definition."""
    return expr.replace(sigmoid, lambda arg: 1 / (1 + sp.exp(-arg)))


def read_back(text: str, names: set[str]) -> sp.Expr:
    """A printed sympy string read back; ``names`` are symbols that must stay symbols."""
    local_dict: dict[str, object] = {name: sp.Symbol(name) for name in names}
    local_dict["sigmoid"] = sigmoid
    return sp.parse_expr(text, local_dict=local_dict)


def symbol_names(problem: Problem) -> set[str]:
    return {str(symbol) for symbol in parsed(problem).free_symbols} | {problem.variable}


def test_corpus_is_large_and_well_formed() -> None:
    assert len(PROBLEMS) >= 150
    assert {problem.family for problem in PROBLEMS} == FAMILIES
    keys = [(problem.expression, problem.variable) for problem in PROBLEMS]
    assert len(keys) == len(set(keys)), "a problem appears twice"


@pytest.mark.parametrize("problem", PROBLEMS, ids=str)
def test_derivative_equals_sympy_diff(problem: Problem) -> None:
    solution = solved(problem)
    expected = reference_derivative(problem)
    assert_numerically_equal(solution.derivative, expected, problem)
    # Symbolic confirmation, with σ written out so that simplify sees through it.
    difference = without_sigmoid(solution.derivative - expected)
    assert sp.simplify(difference) == 0


@pytest.mark.parametrize("problem", PROBLEMS, ids=str)
def test_pure_chain_is_recognised(problem: Problem) -> None:
    assert solution_dict(problem)["pure_chain"] is problem.pure_chain


@pytest.mark.parametrize("problem", PROBLEMS, ids=str)
def test_links_compose_back_to_the_expression(problem: Problem) -> None:
    links = solution_dict(problem)["links"]
    if problem.pure_chain:
        assert len(links) >= 2, "a composition has two links or more"
    if not links:
        assert not problem.pure_chain
        return
    names = symbol_names(problem)
    link_names = {link["name"] for link in links}
    assert len(link_names) == len(links), "two links share a name"
    assert not link_names & names, "a link name clashes with a symbol of the expression"
    names |= link_names

    variable = sp.Symbol(problem.variable)
    assert links[0]["input"] == problem.variable
    composed: sp.Expr = variable
    product: sp.Expr = sp.Integer(1)
    for below, link in zip([None, *links], links):
        if below is not None:
            assert link["input"] == below["name"], "each link reads the one below it"
        link_input = sp.Symbol(link["input"])
        expression = read_back(link["expression"], names)
        derivative = read_back(link["derivative"], names)
        # The local derivative is the derivative of the link in its own input.
        assert sp.simplify(sp.diff(expression, link_input) - derivative) == 0
        product *= derivative.subs(link_input, composed)
        composed = expression.subs(link_input, composed)

    assert_numerically_equal(composed, parsed(problem), problem)
    assert_numerically_equal(product, reference_derivative(problem), problem)


@pytest.mark.parametrize("problem", PROBLEMS, ids=str)
def test_steps_and_json(problem: Problem) -> None:
    data = solution_dict(problem)
    assert data["variable"] == problem.variable
    assert data["steps"], "a solution has steps"
    for step in data["steps"]:
        assert step["text"].strip() and step["latex"].strip()
    assert data["latex"].strip() and data["mathml"].strip()
    assert json.loads(json.dumps(data)) == data


@pytest.mark.parametrize("problem", PROBLEMS, ids=str)
def test_printed_derivative_reads_back(problem: Problem) -> None:
    text = solution_dict(problem)["derivative"]
    assert_numerically_equal(read_back(text, symbol_names(problem)),
                             reference_derivative(problem), problem)


@pytest.mark.parametrize("problem", PROBLEMS, ids=str)
def test_check_answer_accepts_own_derivative_and_rejects_its_negation(problem: Problem) -> None:
    answer = solution_dict(problem)["derivative"]
    verdict = check_answer(problem=problem.expression, answer=answer, variable=problem.variable)
    assert verdict.correct, verdict.feedback
    assert verdict.misconception is None

    if solved(problem).derivative == 0:
        return  # -0 is 0: there is no wrong sign to find
    wrong = check_answer(problem=problem.expression, answer=f"-({answer})",
                         variable=problem.variable)
    assert not wrong.correct
    assert wrong.feedback
    expected = {"sign_error"}
    if any(link["derivative"] == "-1" for link in solution_dict(problem)["links"]):
        # Leaving out a local derivative of −1 also flips the sign: that reading fits as well.
        expected |= {"missing_inner_derivative", "missing_link"}
    assert wrong.misconception in expected
