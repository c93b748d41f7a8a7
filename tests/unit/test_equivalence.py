"""Equivalence: robust to form, domain-aware, and never "equal" for different functions."""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from service.calculus import parse_expression, sigmoid
from service.calculus.equivalence import MIN_VALID_POINTS, are_equivalent, compare, compare_derivative
from service.calculus.numeric import (
    MP, derivative_value, numeric_value, sample_points, values_agree,
)

x, w, y = sp.symbols("x w y")


def parsed(text: str) -> sp.Expr:
    return parse_expression(text)


@pytest.mark.parametrize(("left", "right"), [
    ("6(2x+1)^2", "24x^2 + 24x + 6"),
    ("6(2x+1)^2", "6*(2*x+1)**2"),
    ("e^(-x^2)", "1/e^(x^2)"),
    ("-2x e^(-x^2)", "-2x/e^(x^2)"),
    ("sin²x", "sin(x)^2"),
    ("sin^2(x)", "1 - cos(x)^2"),
    ("2sin(x)cos(x)", "sin(2x)"),
    ("σ(x)", "1/(1 + e^(-x))"),
    ("σ(x)(1 - σ(x))", "e^(-x)/(1 + e^(-x))^2"),
    ("sqrt(x)^2", "x"),
    ("tan(x)", "sin(x)/cos(x)"),
    ("cosh(x)^2 - sinh(x)^2", "1"),
    ("0.5x", "x/2"),
    ("π x", "pi*x"),
])
def test_equal_forms_are_equal(left: str, right: str) -> None:
    comparison = compare(parsed(left), parsed(right))
    assert comparison.equal, (left, right)
    assert len(comparison.points) >= MIN_VALID_POINTS


@pytest.mark.parametrize(("left", "right"), [
    ("6(2x+1)^2", "3(2x+1)^2"),
    ("6(2x+1)^2", "6(2x+1)^2 + 1"),
    ("x^2", "x^2 + 0.000001"),
    ("sin(x)", "sin(x + 0.000001)"),
    ("sqrt(x^2)", "x"),  # |x|, not x: the negative points tell them apart
    ("e^(-x^2)", "e^(x^2)"),
    ("σ(x)", "σ(-x)"),
    ("ln(x)", "ln(2x)"),
])
def test_different_functions_are_not_equal(left: str, right: str) -> None:
    assert not compare(parsed(left), parsed(right)).equal


def test_a_relative_difference_far_below_display_precision_is_still_caught() -> None:
    answer = 6 * (2 * x + 1) ** 2 * (1 + sp.Rational(1, 10**8))
    assert not are_equivalent(6 * (2 * x + 1) ** 2, answer)


@pytest.mark.parametrize(("expected", "answer"), [
    ("-x/sqrt(1-x^2)", "-x(1-x^2)^(-1/2)"),  # real only for |x| < 1
    ("1/x", "x^(-1)"),
    ("2/sqrt(1-4x^2)", "2/√(1-(2x)^2)"),  # asin(2x)': real only for |x| < 1/2
    ("1/(x ln x)", "1/(x ln(x))"),  # real only for x > 0
])
def test_functions_with_a_narrow_domain_still_get_enough_valid_points(expected: str, answer: str) -> None:
    comparison = compare(parsed(expected), parsed(answer))
    assert comparison.equal
    assert len(comparison.points) >= MIN_VALID_POINTS


def test_points_outside_the_problem_domain_are_skipped() -> None:
    # ln(x²) = 2 ln x only where ln x is real.
    assert not compare(parsed("ln(x^2)"), parsed("2ln(x)")).equal
    assert compare(parsed("ln(x^2)"), parsed("2ln(x)"), domain=(sp.log(x),)).equal
    comparison = compare(1 / x, 1 / x, domain=(sp.log(x),))
    assert comparison.equal
    assert all(point["x"] > 0 for point in comparison.points)


def test_an_answer_not_real_where_the_expected_value_is_real_is_wrong() -> None:
    # Equal to 2x for x > 0, complex for x < 0: the negative points reject it.
    answer = 2 * x + sp.sqrt(x) - sp.sqrt(sp.Abs(x))
    assert compare(2 * x, answer, domain=(sp.log(x),)).equal
    assert not compare(2 * x, answer).equal


def test_with_too_few_valid_points_only_a_proof_says_equal() -> None:
    never_real = sp.sqrt(-1 - x**2)
    comparison = compare(never_real, never_real + 1)
    assert not comparison.equal
    assert comparison.method == "undecided"
    assert compare(never_real, sp.sqrt(-1 - x**2)).equal  # structurally the same


def test_prove_confirms_algebraically() -> None:
    comparison = compare(6 * (2 * x + 1) ** 2, 24 * x**2 + 24 * x + 6, prove=True)
    assert comparison.equal and comparison.method == "algebraic"
    assert compare(6 * (2 * x + 1) ** 2, 24 * x**2 + 24 * x + 6).method == "numeric"


def test_several_symbols_are_all_sampled() -> None:
    expected = 2 * x * (sigmoid(w * x) - y) * sigmoid(w * x) * (1 - sigmoid(w * x))
    assert are_equivalent(expected, expected.rewrite(sp.exp))
    assert not are_equivalent(expected, expected.subs(y, 2 * y))


def test_compare_derivative_uses_the_problem_itself() -> None:
    problem = parsed("sin((3x)^2)")
    assert compare_derivative(problem, x, parsed("18x cos(9x^2)")).equal
    assert not compare_derivative(problem, x, parsed("cos(9x^2)")).equal
    assert compare_derivative(sp.Integer(7), x, sp.Integer(0)).equal


def test_compare_derivative_skips_points_where_the_function_is_undefined() -> None:
    comparison = compare_derivative(sp.log(x), x, 1 / x)
    assert comparison.equal
    assert all(point["x"] > 0 for point in comparison.points)


def test_matches_recognises_a_candidate_at_the_sampled_points() -> None:
    comparison = compare(6 * (2 * x + 1) ** 2, 3 * (2 * x + 1) ** 2)
    assert comparison.matches(3 * (2 * x + 1) ** 2)
    assert comparison.matches(12 * x**2 + 12 * x + 3)
    assert not comparison.matches(6 * x**2)


# Every function the parser accepts, so the automatic differentiation table is
# checked against sympy's own diff at a point inside each domain.
FUNCTIONS = [
    sp.sin, sp.cos, sp.tan, sp.cot, sp.sec, sp.csc, sp.asin, sp.acos, sp.atan, sp.acot,
    sp.asec, sp.acsc, sp.sinh, sp.cosh, sp.tanh, sp.coth, sp.sech, sp.csch, sp.asinh,
    sp.acosh, sp.atanh, sp.acoth, sp.asech, sp.acsch, sp.exp, sp.log, sp.Abs, sigmoid,
]


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.__name__)
def test_automatic_derivative_matches_sympy(function) -> None:
    # A real x, so that sympy's diff of |u| is sign(u)·u' rather than re/im parts.
    real = sp.Symbol("x", real=True)
    inner = 3 * real**2 + real / 2  # chain through an inner function too
    checked = 0
    for point in ("0.3", "0.45", "1.7", "-0.4", "-2.2", "0.1", "-0.05"):
        value = {"x": MP.mpf(point)}
        expected = numeric_value(sp.diff(function(inner), real).doit(), value)
        pair = derivative_value(function(inner), "x", value)
        if expected is None or numeric_value(function(inner), value) is None:
            continue  # off the function's domain: nothing to compare
        assert pair is not None, point
        assert values_agree(pair[1], expected), (function, point, pair[1], expected)
        checked += 1
    assert checked >= 2


def test_automatic_derivative_of_a_general_power() -> None:
    value = {"x": MP.mpf("1.3")}
    slope = derivative_value(x**x, "x", value)[1]
    assert values_agree(slope, numeric_value(x**x * (sp.log(x) + 1), value))


def test_numeric_value_is_none_off_the_domain() -> None:
    assert numeric_value(sp.sqrt(1 - x**2), {"x": MP.mpf(2)}) is None
    assert numeric_value(sp.log(x), {"x": MP.mpf(-1)}) is None
    assert numeric_value(sp.asin(x), {"x": MP.mpf(3)}) is None
    assert numeric_value(1 / x, {"x": MP.mpf(0)}) is None
    assert numeric_value(x + y, {"x": MP.mpf(1)}) is None  # y has no value


def test_numeric_value_keeps_34_digits() -> None:
    value = numeric_value(sp.pi * x, {"x": MP.mpf(1)})
    assert abs(value - MP.pi) < MP.mpf("1e-32")


def test_sample_points_are_seeded_non_integer_and_mixed_in_sign() -> None:
    first = [p["x"] for _, p in zip(range(12), sample_points(["x"]))]
    again = [p["x"] for _, p in zip(range(12), sample_points(["x"]))]
    assert first == again
    assert all(v != int(v) for v in first)
    assert any(v < 0 for v in first[:6]) and any(v > 0 for v in first[:6])
    assert all(0.3 <= abs(v) <= 2.7 for v in first)


def test_two_symbols_meet_in_every_sign_combination_early() -> None:
    signs = {(p["w"] > 0, p["x"] > 0) for _, p in zip(range(6), sample_points(["w", "x"]))}
    assert len(signs) == 4


@pytest.mark.parametrize(("expected", "answer"), [
    ("2x", "2|x|"), ("2x", "2sqrt(x^2)"), ("x w", "|x| w"), ("x w", "x |w|"), ("x w", "|x w|"),
])
def test_answers_right_only_for_positive_values_are_wrong(expected: str, answer: str) -> None:
    assert not compare(parsed(expected), parsed(answer)).equal


polynomials = st.lists(st.integers(-6, 6), min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(roots=polynomials, scale=st.integers(1, 5), shift=st.integers(1, 9), power=st.integers(0, 4))
def test_factored_and_expanded_polynomials_agree_and_perturbed_ones_never_do(
        roots: list[int], scale: int, shift: int, power: int) -> None:
    factored = scale * sp.Mul(*(x - root for root in roots))
    expanded = sp.expand(factored)
    assert are_equivalent(factored, expanded)
    assert not are_equivalent(factored, expanded + shift * x**power)
