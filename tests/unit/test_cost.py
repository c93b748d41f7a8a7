"""The cost estimate: the corpora fit well inside the limits, explosive input is refused before any work."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp
import yaml

from service.calculus import ExpressionError, ExpressionTooCostly, check_answer, estimate_cost, parse_expression, solve
from service.calculus.cost import HEAVY, LIMITS, Cost

DATA = Path(__file__).resolve().parents[1] / "data"
CONTENT = Path(__file__).resolve().parents[2] / "content" / "exercises"
TOWER = "(sin(x)+x)^(cos(x)+x)^(tan(x)+x)^(e^x)^(ln(x))"
# The inputs that held a worker for seconds to minutes before the estimate existed (issue 11).
EXPLOSIVE = {
    "power tower, three times": (TOWER * 3, "tower of 5"),
    "product of 79 binomials": ("".join(f"(x+{i})" for i in range(1, 80)), "derivative would have"),
    "continued fraction 38 deep": ("1/(x+" * 38 + "1" + ")" * 38, "levels of nesting"),
    "sin(x)^sin(x)^... 12 levels": ("^".join(["sin(x)"] * 12), "tower of 11"),
    "sine of a double exponential": ("sin(e^(e^(8x)))", "values too large"),
}


def corpus_texts() -> list[str]:
    texts = []
    for name in ("problems.yaml", "right_answers.yaml", "wrong_answers.yaml"):
        for entry in yaml.safe_load((DATA / name).read_text()):
            texts += [entry[key] for key in ("expression", "problem", "answer") if key in entry]
    for path in sorted(CONTENT.glob("*.yaml")):
        document = yaml.safe_load(path.read_text())
        entries = document if isinstance(document, list) else document.get("exercises", [])
        texts += [entry["expression"] for entry in entries if isinstance(entry, dict) and "expression" in entry]
    return texts


def readable(text: str) -> sp.Expr | None:
    body = text.split("=")[-1]
    try:
        return parse_expression(body)
    except ExpressionError:
        return None  # wrong answers include unreadable ones on purpose


def test_every_corpus_expression_is_within_the_limits_and_almost_all_are_ordinary() -> None:
    costs = [estimate_cost(expr) for expr in map(readable, corpus_texts()) if expr is not None]
    assert len(costs) > 500
    assert all(cost.over(LIMITS) is None for cost in costs)
    heavy = [cost for cost in costs if cost.is_heavy()]
    assert len(heavy) <= len(costs) // 100, heavy


@pytest.mark.parametrize("text, reason", EXPLOSIVE.values(), ids=EXPLOSIVE.keys())
def test_explosive_input_is_refused_while_parsing_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ExpressionTooCostly) as refused:
        parse_expression(text)
    assert reason in refused.value.message
    assert refused.value.message.startswith("that expression is too big to work with here")


@pytest.mark.parametrize("text, reason", EXPLOSIVE.values(), ids=EXPLOSIVE.keys())
def test_solve_and_check_refuse_explosive_input_as_too_costly(text: str, reason: str) -> None:
    with pytest.raises(ExpressionTooCostly):
        solve(text)
    with pytest.raises(ExpressionTooCostly, match="in your answer"):
        check_answer("x^2", text)


def test_a_too_costly_expression_is_still_an_expression_error() -> None:
    assert issubclass(ExpressionTooCostly, ExpressionError)


@pytest.mark.parametrize("text, tower", [("x^2", 0), ("e^x", 1), ("x^x", 1), ("e^(e^x)", 2),
                                         ("2^(3x)", 1), ("(x^2+1)^5", 0), ("x^x^x", 2), ("cosh(e^x)", 2)])
def test_the_tower_counts_exponentials_stacked_on_one_path(text: str, tower: int) -> None:
    assert estimate_cost(parse_expression(text)).tower == tower


def test_the_product_rule_makes_the_derivative_grow_with_the_square_of_the_factors() -> None:
    def derivative_size(factors: int) -> int:
        return estimate_cost(parse_expression("".join(f"(x+{i})" for i in range(1, factors + 1)))).derivative_size

    assert 3.5 < derivative_size(20) / derivative_size(10) < 4.5


def test_only_the_variable_varies_when_it_is_given() -> None:
    x, y = sp.symbols("x y")
    expr = sp.Mul(sp.sin(y), sp.cos(x), evaluate=False)
    assert estimate_cost(expr, x).derivative_size < estimate_cost(expr).derivative_size
    assert estimate_cost(sp.exp(y), x).derivative_size == 0


def test_heavy_is_stricter_than_the_limits() -> None:
    for measure in ("size", "depth", "tower", "derivative_size", "magnitude"):
        assert getattr(HEAVY, measure) < getattr(LIMITS, measure)
    assert Cost(size=HEAVY.size + 1, depth=1, tower=0, derivative_size=1).is_heavy()
    assert not Cost(size=10, depth=3, tower=1, derivative_size=20, magnitude=5.0).is_heavy()
