"""Wrong derivatives built from the decomposition, one misconception at a time."""

from __future__ import annotations

import pytest
import sympy as sp

from service.calculus import MISCONCEPTIONS, decompose, parse_expression, sigmoid
from service.calculus.derivation import ChainRule, Elementary
from service.calculus.equivalence import are_equivalent
from service.calculus.candidates import wrong_derivatives, wrong_local_derivatives
from service.calculus.misconceptions import PRIORITY, WrongDerivative, unlowered_power_derivative

x, u, v, w, y = sp.symbols("x u v w y")

CONTRACT_VOCABULARY = {
    "missing_inner_derivative", "outer_not_at_inner", "power_rule_exponent", "sign_error",
    "added_instead_of_multiplied", "composed_derivatives", "missing_link",
}


def tree_of(text: str, variable: sp.Symbol = x):
    return decompose(parse_expression(text, str(variable)), variable)


def named(candidates: list[WrongDerivative], misconception: str) -> list[sp.Expr]:
    return [c.derivative for c in candidates if c.misconception == misconception]


def has(candidates: list[WrongDerivative], misconception: str, expected: sp.Expr) -> bool:
    return any(are_equivalent(expected, d) for d in named(candidates, misconception))


def test_vocabulary_is_the_contracts() -> None:
    assert set(MISCONCEPTIONS) == CONTRACT_VOCABULARY
    assert all(isinstance(text, str) and text for text in MISCONCEPTIONS.values())
    assert set(PRIORITY) == CONTRACT_VOCABULARY | {None}


@pytest.mark.parametrize(("misconception", "expected"), [
    ("missing_inner_derivative", 3 * (2 * x + 1) ** 2),
    ("outer_not_at_inner", 3 * x**2 * 2),
    ("power_rule_exponent", 3 * (2 * x + 1) ** 3 * 2),
    ("sign_error", -6 * (2 * x + 1) ** 2),
    ("added_instead_of_multiplied", 3 * (2 * x + 1) ** 2 + 2),
    ("composed_derivatives", sp.Integer(12)),
])
def test_each_misconception_on_the_lessons_first_example(misconception: str, expected: sp.Expr) -> None:
    assert has(wrong_derivatives(tree_of("(2x+1)^3")), misconception, expected)


def test_the_gaussian_example() -> None:
    candidates = wrong_derivatives(tree_of("e^(-x^2)"))
    assert has(candidates, "missing_inner_derivative", sp.exp(-x**2))
    assert has(candidates, "outer_not_at_inner", sp.exp(x) * -2 * x)
    assert has(candidates, "power_rule_exponent", -2 * x**2 * sp.exp(-x**2))  # on the inner -x²
    assert has(candidates, "composed_derivatives", sp.exp(-2 * x))
    assert has(candidates, "sign_error", 2 * x * sp.exp(-x**2))


def test_three_links_give_one_missing_link_per_local_derivative() -> None:
    candidates = wrong_derivatives(tree_of("sin((3x)^2)"))
    missing = [c for c in candidates if c.misconception == "missing_link"]
    assert sorted(str(c.missing[0].name) for c in missing) == ["u", "v", "y"]
    assert has(candidates, "missing_link", 6 * x * sp.cos(9 * x**2))  # dv/dx = 3 left out
    assert has(candidates, "missing_link", 3 * sp.cos(9 * x**2))  # du/dv = 6x left out
    assert has(candidates, "missing_link", 18 * x)  # dy/du left out
    # All inner factors dropped is the missing inner derivative, naming both.
    inner = [c for c in candidates if c.misconception == "missing_inner_derivative"]
    assert [sorted(str(link.name) for link in c.missing) for c in inner] == [["u", "v"]]
    assert are_equivalent(inner[0].derivative, sp.cos(9 * x**2))


def test_three_links_outer_not_at_inner_and_sums() -> None:
    candidates = wrong_derivatives(tree_of("sin((3x)^2)"))
    assert has(candidates, "outer_not_at_inner", 18 * x * sp.cos(x))
    assert has(candidates, "added_instead_of_multiplied", sp.cos(9 * x**2) + 6 * x + 3)
    assert has(candidates, "power_rule_exponent", 54 * x**2 * sp.cos(9 * x**2))


def test_the_neuron_by_w() -> None:
    a = sigmoid(w * x)
    candidates = wrong_derivatives(tree_of("(σ(w·x) − y)^2", w))
    assert has(candidates, "missing_link", 2 * (a - y) * a * (1 - a))  # dz/dw = x left out
    assert has(candidates, "missing_inner_derivative", 2 * (a - y))
    assert has(candidates, "power_rule_exponent", 2 * (a - y) ** 2 * a * (1 - a) * x)
    assert has(candidates, "outer_not_at_inner", 2 * (w - y) * a * (1 - a) * x)


def test_mixed_expressions_put_the_wrong_part_back_into_the_rule() -> None:
    candidates = wrong_derivatives(tree_of("x sin(x^2)"))
    missing = [c for c in candidates if c.misconception == "missing_inner_derivative"]
    assert any(are_equivalent(c.derivative, sp.sin(x**2) + x * sp.cos(x**2)) for c in missing)
    assert all(c.context == sp.sin(x**2) for c in missing)
    forgot = [c for c in candidates if c.slip == "product_rule"]
    assert len(forgot) == 1 and forgot[0].misconception is None
    assert are_equivalent(forgot[0].derivative, 2 * x * sp.cos(x**2))


def test_sums_and_quotients() -> None:
    in_sum = wrong_derivatives(tree_of("sin(2x) + cos(3x)"))
    assert has(in_sum, "missing_inner_derivative", sp.cos(2 * x) - 3 * sp.sin(3 * x))
    assert has(in_sum, "missing_inner_derivative", 2 * sp.cos(2 * x) - sp.sin(3 * x))
    quotient = wrong_derivatives(tree_of("e^(-x)/x"))
    assert has(quotient, "missing_inner_derivative", (x * sp.exp(-x) - sp.exp(-x)) / x**2)
    assert any(c.slip == "quotient_rule" and are_equivalent(c.derivative, -sp.exp(-x)) for c in quotient)


def test_general_power_treated_as_a_power_is_recognised() -> None:
    candidates = wrong_derivatives(tree_of("x^x"))
    assert any(c.slip == "general_power" and are_equivalent(c.derivative, x * x ** (x - 1))
               for c in candidates)


def test_no_chain_only_the_power_rule_and_the_sign() -> None:
    candidates = wrong_derivatives(Elementary(x**5, x, 5 * x**4))
    assert [c.misconception for c in candidates] == ["power_rule_exponent", "sign_error"]
    assert candidates[0].derivative == 5 * x**5


def test_candidates_are_ordered_by_priority() -> None:
    candidates = wrong_derivatives(tree_of("sin((3x)^2)"))
    ranks = [PRIORITY.index(c.misconception) for c in candidates]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize("problem", [
    "(2x+1)^3", "e^(-x^2)", "sin((3x)^2)", "cos(x^2)", "ln(x^2+1)", "sqrt(1-x^2)", "tan(2x)",
    "σ(3x)", "sin(cos(x^2))", "(x^2+1)^5", "x sin(x^2)", "e^(-x)/x", "sin(2x) + cos(3x)",
])
def test_no_named_candidate_is_the_right_derivative(problem: str) -> None:
    tree = tree_of(problem)
    for candidate in wrong_derivatives(tree):
        assert not are_equivalent(tree.derivative, candidate.derivative), (problem, candidate)


def test_wrong_local_derivatives_of_one_link() -> None:
    chain = tree_of("(2x+1)^3")
    assert isinstance(chain, ChainRule)
    outer = wrong_local_derivatives(chain, 1)
    assert has(outer, "power_rule_exponent", 3 * (2 * x + 1) ** 3)
    assert has(outer, "outer_not_at_inner", 3 * x**2)
    assert has(outer, "sign_error", -3 * (2 * x + 1) ** 2)
    inner = wrong_local_derivatives(chain, 0)
    assert [c.misconception for c in inner] == ["sign_error"]  # nothing else to get wrong in 2x + 1


@pytest.mark.parametrize(("expr", "symbol", "expected"), [
    (u**3, u, 3 * u**3),
    (6 * u**2, u, 12 * u**2),
    (-u**2 + 1, u, -2 * u**2),
    (sp.sqrt(u), u, sp.sqrt(u) / 2),
    (1 / u, u, -1 / u),
    ((u - y) ** 2, u, 2 * (u - y) ** 2),
    (u**2 + u, u, 2 * u**2 + 1),
])
def test_unlowered_power_derivative(expr: sp.Expr, symbol: sp.Symbol, expected: sp.Expr) -> None:
    assert sp.expand(unlowered_power_derivative(expr, symbol) - expected) == 0


@pytest.mark.parametrize("expr", [2 * u + 1, sp.sin(u), sp.Integer(3), u * sp.sin(u), 2**u])
def test_no_power_rule_no_unlowered_derivative(expr: sp.Expr) -> None:
    assert unlowered_power_derivative(expr, u) is None
