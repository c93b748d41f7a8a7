"""The core's caches and fast paths give exactly what the uncached code gives.

A tutor turn reuses what its problem fixes (printed steps, evaluators, the
wrong derivatives' values at the sample points, the worked solution) and the
parse of texts learners send again. Each cache is keyed on immutable values;
these tests pin that a hit is indistinguishable from computing afresh.
"""

from __future__ import annotations

from pathlib import Path

import mpmath
import pytest
import sympy as sp
import yaml

from service.calculus import ExpressionError, parse_expression, solve
from service.calculus.equivalence import compare, compare_derivative
from service.calculus.numeric import (
    _FUNCTIONS, MP, Undefined, _evaluate_with_sympy, _number, _power, numeric_value, sample_points,
)
from service.calculus.printing import TextPrinter, to_sympy_text, to_text
from service.tutor.engine import TutorContext, respond, start
from service.tutor.guidance import worked_solution

CORPUS = Path(__file__).resolve().parents[1] / "data" / "problems.yaml"
x = sp.Symbol("x")


def _walk(expr: sp.Basic, point: dict) -> object:
    """The evaluator as it was before it was compiled: one walk of the tree per point."""
    if expr.is_Symbol:
        try:
            return point[expr.name]
        except KeyError:
            raise Undefined(expr.name) from None
    if expr.is_Number or expr.is_NumberSymbol or expr is sp.I:
        return _number(expr)
    args = [_walk(arg, point) for arg in expr.args]
    if expr.is_Add:
        return MP.fsum(args)
    if expr.is_Mul:
        return MP.fprod(args)
    if expr.is_Pow:
        return _power(*args)
    entry = _FUNCTIONS.get(expr.func)
    if entry is None or len(args) != 1:
        return _evaluate_with_sympy(expr, point)
    return entry[0](args[0])


def _walked_value(expr: sp.Basic, point: dict) -> object:
    try:
        value = _walk(expr, point)
    except (Undefined, ArithmeticError, ValueError, TypeError, AttributeError, NotImplementedError,
            RecursionError):
        return None
    if isinstance(value, MP.mpc):
        if abs(value.imag) > 1e-25 + MP.mpf("1e-25") * abs(value.real):
            return None
        value = value.real
    return value if MP.isfinite(value) else None


def _corpus_expressions() -> list[sp.Expr]:
    entries = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    expressions = []
    for entry in entries[::4]:
        solution = solve(entry["expression"], entry.get("variable", "x"))
        expressions += [solution.expression, solution.derivative]
    return expressions


def test_compiled_evaluator_gives_the_walks_values_bit_for_bit() -> None:
    points = [p for _, p in zip(range(12), sample_points(["x", "y", "w", "z", "t", "a", "b"]))]
    for expr in _corpus_expressions():
        for point in points:
            expected, got = _walked_value(expr, point), numeric_value(expr, point)
            if expected is None:
                assert got is None, (expr, point)
            else:
                assert got is not None and got._mpf_ == expected._mpf_, (expr, point, got, expected)


def test_a_cached_evaluator_does_not_keep_the_point_it_first_saw() -> None:
    expr = sp.sin(x) * (2 * x + 1)
    first = numeric_value(expr, {"x": MP.mpf("0.7")})
    second = numeric_value(expr, {"x": MP.mpf("-1.3")})
    assert float(first) == pytest.approx(2.4 * mpmath.sin(0.7))
    assert float(second) == pytest.approx(-1.6 * mpmath.sin(-1.3))


def test_rare_constants_and_undefined_parts_stay_undefined_on_every_call() -> None:
    for expr in (sp.zoo * x, sp.log(x), sp.Symbol("q") + x):
        assert [numeric_value(expr, {"x": MP.mpf(-1)}) for _ in range(3)] == [None, None, None]
    assert float(numeric_value(sp.EulerGamma + x, {"x": MP.mpf(1)})) == pytest.approx(1.5772156649)


def test_the_product_is_fprod_exactly() -> None:
    point = {"a": MP.mpf(1) / 3, "b": MP.mpf("2.7"), "c": MP.mpf("-0.3"), "d": +MP.pi}
    product = sp.Mul(*sp.symbols("a b c d"), evaluate=False)
    assert numeric_value(product, point)._mpf_ == MP.fprod(point.values())._mpf_


def test_matching_and_agreeing_with_cached_values_decide_as_before() -> None:
    problem = sp.Pow(2 * x + 1, 3)
    comparison = compare_derivative(problem, x, 3 * (2 * x + 1) ** 2)
    assert not comparison.equal
    for _ in range(2):  # the second time from the cache
        assert comparison.matches(3 * (2 * x + 1) ** 2)
        assert not comparison.matches(6 * (2 * x + 1) ** 2)
        assert comparison.agree(3 * (2 * x + 1) ** 2, 12 * x**2 + 12 * x + 3)
        assert not comparison.agree(6 * (2 * x + 1) ** 2, 12 * x**2 + 12 * x + 3)


def test_values_are_cached_per_set_of_samples_not_shared_across_them() -> None:
    # 2|x| is 2x where x > 0 only: it matches 2x at the positive points of the
    # second comparison, whatever it took at the first one's mixed points.
    everywhere = compare(x**2, 2 * x)
    where_positive = compare(x**2, 2 * x, domain=(sp.sqrt(x),))
    assert not everywhere.matches(2 * sp.Abs(x))
    assert where_positive.matches(2 * sp.Abs(x))
    assert all(point["x"] > 0 for point in where_positive.points)


def test_parse_cache_keys_on_the_variable_and_never_caches_errors() -> None:
    assert parse_expression("e^x") == sp.exp(x)
    assert parse_expression("e^x", "e") != parse_expression("e^x")
    assert parse_expression("2x", sp.Symbol("x")) is parse_expression("2x", "x")
    for _ in range(2):
        with pytest.raises(ExpressionError, match="unknown function"):
            parse_expression("foo(x)")


def test_printing_cache_tells_apart_trees_that_print_differently() -> None:
    assert to_text(sp.Rational(1, 2) * x) != to_text(sp.Float(0.5) * x)
    kept = sp.Mul(sp.sin(x), x, evaluate=False)
    assert to_text(kept) == TextPrinter().doprint(kept) == "sin(x)·x"
    assert to_text(sp.Mul(x, sp.sin(x), evaluate=False)) == "x·sin(x)"
    assert to_sympy_text(6 * (2 * x + 1) ** 2) == sp.sstr(6 * (2 * x + 1) ** 2)
    assert to_text(2) == "2" and to_sympy_text(2) == "2"  # plain numbers are not cached


def test_worked_solution_is_the_solution_the_core_writes() -> None:
    worked = worked_solution("sin((3x)^2)", "x")
    data = solve("sin((3x)^2)", "x").to_dict()
    assert worked.derivative == data["derivative"] and worked.latex == data["latex"]
    assert worked.mathml == data["mathml"]
    assert worked.text.startswith("\n".join(step["text"] for step in data["steps"]))
    first = start(TutorContext(), "sin((3x)^2)")
    shown = [respond(first.state, "show me the solution", TutorContext()).replies[0] for _ in range(2)]
    assert shown[0] == shown[1] and shown[0].text == worked.text
