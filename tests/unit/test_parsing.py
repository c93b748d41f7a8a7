"""The expression reader: every accepted form, its structure, and every error.

Structures are compared with trees built by hand with ``evaluate=False``
(``srepr`` equality, which sees the exact tree); forms where only the value
matters are compared after ``evaluate_tree`` with sympy's eager result.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from service.calculus import ExpressionError, parse_expression, sigmoid
from service.calculus.parsing import evaluate_tree

x, y, z, u, w, n = sp.symbols("x y z u w n")


def Mul(*args: object) -> sp.Expr:
    return sp.Mul(*args, evaluate=False)


def Add(*args: object) -> sp.Expr:
    return sp.Add(*args, evaluate=False)


def Pow(base: object, exp: object) -> sp.Expr:
    return sp.Pow(base, exp, evaluate=False)


def neg(expr: sp.Expr) -> sp.Expr:
    return Mul(-1, expr)


TWO_X_PLUS_1 = Add(Mul(2, x), 1)

# (typed text, the tree it must give, exactly)
STRUCTURES = [
    ("(2x+1)^3", Pow(TWO_X_PLUS_1, 3)),
    ("(3x)^2", Pow(Mul(3, x), 2)),
    ("e^(-x^2)", sp.exp(neg(Pow(x, 2)), evaluate=False)),
    ("e⁻ˣ²", sp.exp(neg(Pow(x, 2)), evaluate=False)),
    ("e^-x^2", sp.exp(neg(Pow(x, 2)), evaluate=False)),
    ("-x^2", neg(Pow(x, 2))),
    ("2x^2", Mul(2, Pow(x, 2))),
    ("x^-2", Pow(x, -2)),
    ("x^(-2)", Pow(x, -2)),
    ("x**2", Pow(x, 2)),
    ("6(2x+1)²", Mul(6, Pow(TWO_X_PLUS_1, 2))),
    ("3(2x + 1)^2 · 2", Mul(6, Pow(TWO_X_PLUS_1, 2))),
    ("sin^2(3x)", Pow(sp.sin(Mul(3, x), evaluate=False), 2)),
    ("sin²x", Pow(sp.sin(x), 2)),
    ("cos^2 x", Pow(sp.cos(x), 2)),
    ("sin(x)^2", Pow(sp.sin(x), 2)),
    ("sin x", sp.sin(x)),
    ("sinx", sp.sin(x)),
    ("sin 2x", sp.sin(Mul(2, x), evaluate=False)),
    ("sin x cos x", Mul(sp.sin(x), sp.cos(x))),
    ("sin x^2", sp.sin(Pow(x, 2), evaluate=False)),
    ("sin -x", sp.sin(neg(x), evaluate=False)),
    ("xsinx", Mul(x, sp.sin(x))),
    ("2 sin x cos x", Mul(2, sp.sin(x), sp.cos(x))),
    ("sin((3x)^2)", sp.sin(Pow(Mul(3, x), 2), evaluate=False)),
    ("√(1-x²)", Pow(Add(1, neg(Pow(x, 2))), sp.Rational(1, 2))),
    ("√x", sp.sqrt(x)),
    ("sqrt(x)", sp.sqrt(x)),
    ("∛x", Pow(x, sp.Rational(1, 3))),
    ("√-x", Pow(neg(x), sp.Rational(1, 2))),
    ("2^(1/99)", Pow(2, sp.Rational(1, 99))),
    ("ln x", sp.log(x)),
    ("log(x)", sp.log(x)),
    ("log10(x)", Mul(sp.log(x), Pow(sp.log(10, evaluate=False), -1))),
    ("log2(x)", Mul(sp.log(x), Pow(sp.log(2, evaluate=False), -1))),
    ("arctan(2x)", sp.atan(Mul(2, x), evaluate=False)),
    ("atan(2x)", sp.atan(Mul(2, x), evaluate=False)),
    ("σ(z)", sigmoid(z)),
    ("sigmoid(z)", sigmoid(z)),
    ("exp(x)", sp.exp(x)),
    ("2·x", Mul(2, x)),
    ("2×x", Mul(2, x)),
    ("2*x", Mul(2, x)),
    ("3sin(x)", Mul(3, sp.sin(x))),
    ("(x+1)(x-1)", Mul(Add(x, 1), Add(x, -1))),
    ("π", sp.pi),
    ("pi", sp.pi),
    ("2πx", Mul(2, sp.pi, x)),
    ("x − 1", Add(x, -1)),
    ("x – 1", Add(x, -1)),
    ("a - b", Add(sp.Symbol("a"), neg(sp.Symbol("b")))),
    ("x - 2y", Add(x, Mul(-2, y))),
    ("sin^-1(x)", sp.asin(x)),
    ("sin^(-1)(x)", sp.asin(x)),
    ("sin⁻¹x", sp.asin(x)),
    ("tan^-1 x", sp.atan(x)),
    ("2x", Mul(2, x)),
    ("xy", Mul(x, y)),
    ("wx", Mul(w, x)),
    ("x y", Mul(x, y)),
    ("2(x+1)", Mul(2, Add(x, 1))),
    ("(x+1)2", Mul(2, Add(x, 1))),
    ("x(x+1)", Mul(x, Add(x, 1))),
    ("0.5x", Mul(sp.Rational(1, 2), x)),
    (".25", sp.Rational(1, 4)),
    ("eᵘ", sp.exp(u)),
    ("x¹⁰", Pow(x, 10)),
    ("2ˣ", Pow(2, x)),
    ("xⁿ⁻¹", Pow(x, Add(n, -1))),
    ("e²ˣ", sp.exp(Mul(2, x), evaluate=False)),
    ("|x|", sp.Abs(x, evaluate=False)),
    ("ln|x|", sp.log(sp.Abs(x, evaluate=False), evaluate=False)),
    ("[x+1]^2", Pow(Add(x, 1), 2)),
    ("{x+1}^2", Pow(Add(x, 1), 2)),
    ("  x  +  1  ", Add(x, 1)),
    ("2^3^2", sp.Integer(512)),      # right-associative: 2^(3^2)
    ("2^10", sp.Integer(1024)),
    ("2^-1", sp.Rational(1, 2)),
    ("-3", sp.Integer(-3)),
    ("--x", x),
    ("-(x+1)", neg(Add(x, 1))),
    ("x/2", Mul(sp.Rational(1, 2), x)),
    ("1/x", Pow(x, -1)),
    ("x/(2y)", Mul(sp.Rational(1, 2), x, Pow(y, -1))),
    ("1/(x+1)", Pow(Add(x, 1), -1)),
    ("1/2x", Mul(sp.Rational(1, 2), x)),
    ("w1", sp.Symbol("w1")),
    ("x_1", sp.Symbol("x_1")),
    ("x₁", sp.Symbol("x_1")),
    ("θ^2", Pow(sp.Symbol("θ"), 2)),
    ("α β", Mul(sp.Symbol("α"), sp.Symbol("β"))),
    ("λx", Mul(sp.Symbol("λ"), x)),
    ("Sin(x)", sp.sin(x)),
    ("(σ(w·x) − y)^2", Pow(Add(sigmoid(Mul(w, x)), neg(y)), 2)),
    ("σ^2", Pow(sp.Symbol("σ"), 2)),
    ("2σ", Mul(2, sp.Symbol("σ"))),
    ("tanh(x)", sp.tanh(x)),
    ("x^x", Pow(x, x)),
]


@pytest.mark.parametrize(("text", "expected"), STRUCTURES, ids=[t for t, _ in STRUCTURES])
def test_structure_is_kept_as_typed(text: str, expected: sp.Expr) -> None:
    parsed = parse_expression(text)
    assert sp.srepr(parsed) == sp.srepr(expected)
    assert parsed == expected


@pytest.mark.parametrize(("text", "expected"), STRUCTURES, ids=[t for t, _ in STRUCTURES])
def test_derivative_of_the_tree_equals_derivative_of_the_eager_form(
        text: str, expected: sp.Expr) -> None:
    parsed = parse_expression(text)
    eager = evaluate_tree(parsed)
    assert sp.simplify(sp.diff(parsed, x) - sp.diff(eager, x)) == 0
    assert sp.simplify(parsed - eager) == 0


@pytest.mark.parametrize(("text", "printed"), [
    ("(3x)^2", "(3*x)**2"),
    ("e^(-x^2)", "exp(-x**2)"),
    ("6(2x+1)²", "6*(2*x + 1)**2"),
    ("sin^2(3x)", "sin(3*x)**2"),
    ("x/(2y)", "x/(2*y)"),
    ("x - 1/x", "x - 1/x"),
    ("-x^2", "-x**2"),
    ("√(1-x²)", "sqrt(1 - x**2)"),
])
def test_printed_form_looks_natural(text: str, printed: str) -> None:
    assert str(parse_expression(text)) == printed


def test_evaluate_tree_gives_sympys_eager_form() -> None:
    assert evaluate_tree(parse_expression("(3x)^2")) == 9 * x**2
    assert evaluate_tree(parse_expression("-(x+1)")) == -x - 1
    assert evaluate_tree(parse_expression("2(x+1)+3(x+1)")) == 5 * (x + 1)
    assert evaluate_tree(sp.Integer(3)) == 3


def test_e_is_eulers_number_unless_it_is_the_variable() -> None:
    assert parse_expression("e") is sp.E
    assert parse_expression("e^x") == sp.exp(x)
    e = sp.Symbol("e")
    assert parse_expression("e^x", variable="e") == Pow(e, x)
    assert parse_expression("2e", variable="e") == Mul(2, e)


def test_a_multi_letter_variable_is_one_symbol() -> None:
    theta = sp.Symbol("theta")
    assert parse_expression("sin(2theta)", variable="theta") == sp.sin(Mul(2, theta),
                                                                     evaluate=False)


def test_the_same_name_gives_the_same_plain_symbol() -> None:
    parsed = parse_expression("x·x_1 + x")
    names = {s.name: s for s in parsed.free_symbols}
    assert names["x"] == sp.Symbol("x") and names["x_1"] == sp.Symbol("x_1")
    assert names["x"].assumptions0 == sp.Symbol("x").assumptions0


def test_a_sympy_symbol_is_accepted_as_the_variable() -> None:
    assert parse_expression("e^x", variable=sp.Symbol("e")) == Pow(sp.Symbol("e"), x)


# (typed text, the start of the message, the 0-based position or None)
ERRORS = [
    ("", "empty expression", None),
    ("   ", "empty expression", None),
    ("sin(x", "unbalanced parenthesis after 'sin('", 3),
    ("sin^2(x", "unbalanced parenthesis after 'sin^2('", 5),
    ("(x+1", "unbalanced parenthesis after '('", 0),
    ("x)", "unexpected ')'", 1),
    ("(x]", "'(' is closed by ']'", 2),
    ("foo(x)", "unknown function 'foo'", 0),
    ("2 + bar (x)", "unknown function 'bar'", 4),
    ("x+", "expected an expression after '+'", 2),
    ("x +* 2", "expected an expression after '+'", 3),
    ("*x", "expected an expression before '*'", 0),
    ("x^", "expected an expression after '^'", 2),
    ("()", "expected an expression after '('", 1),
    ("x = 2", "'=' is not allowed here", 2),
    ("x $ 2", "unexpected character '$'", 2),
    ("x,5", "unexpected ','", 1),
    ("x\u200f", "unexpected invisible character U+200F", 1),
    ("x" * 501, "the expression is too long (at most 500 characters)", None),
    ("(" * 41 + "x" + ")" * 41, "nesting is too deep", 40),
    ("(x+1)**100000", "exponent 100000 is too large (at most 100)", 5),
    ("x^(10^30)", "exponent 1e+30 is too large (at most 100)", 1),
    ("9**9**9**9", "exponent 387420489 is too large (at most 100)", 4),
    ("1" * 31, "number too large (at most 30 digits)", 0),
    ("(10^30)^35", "number too large", 7),
    ("x/0", "division by zero", 1),
    ("1/(x-x)", "this expression is undefined", None),
    ("ln(0)", "this expression is undefined", None),
    ("982451653982451653982451653981^(97/99)", "a root of a number this large", 30),
    ("((2^40)^(1/10))^(1/10)", "a root of a number this large", 15),
    ("(10^29+1)^(1/99)", "a root of a number this large", 9),
    ("sin", "'sin' needs an argument", 0),
    ("sin^x(y)", "the power of 'sin' must be a whole number", 3),
    ("ln^-1(x)", "'ln^-1' is ambiguous", 0),
    ("2 3", "two numbers in a row", 2),
    ("|x", "missing closing '|'", 0),
    ("exec", "unknown word 'exec'", 0),
    ("x.y", "unexpected character '.'", 1),
    ("x²^3", "unexpected '^'", 2),
]


@pytest.mark.parametrize(("text", "message", "position"), ERRORS,
                         ids=[repr(t[:20]) for t, _, _ in ERRORS])
def test_bad_input_gets_an_actionable_message(text: str, message: str,
                                              position: int | None) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    assert caught.value.message.startswith(message)
    assert caught.value.position == position


def test_expression_error_is_a_value_error_with_a_one_based_position() -> None:
    with pytest.raises(ValueError, match=r"unknown function 'foo' \(at position 3\)"):
        parse_expression("2+foo(x)")


def test_the_variable_must_be_a_name() -> None:
    with pytest.raises(ExpressionError, match="variable"):
        parse_expression("x", variable="  ")


def test_the_reader_never_evaluates_text() -> None:
    """No eval, exec, compile, sympify or parse_expr anywhere in the reader."""
    forbidden = {"eval", "exec", "compile", "sympify", "parse_expr", "__import__",
                 "getattr", "S"}
    package = Path(__file__).resolve().parents[2] / "service" / "calculus"
    for module in ("parsing.py", "tokens.py", "unevaluated.py"):
        tree = ast.parse((package / module).read_text(encoding="utf-8"))
        used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        used |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        assert not used & forbidden, module


# A random expression as a learner would type it, beside the sympy
# expression it means: parsing then evaluating must give exactly that.
_LEAVES = st.sampled_from([("x", x), ("y", y), ("2", sp.Integer(2)), ("7", sp.Integer(7)),
                           ("0.5", sp.Rational(1, 2)), ("π", sp.pi), ("e", sp.E)])
_FUNCTIONS = [("sin", sp.sin), ("cos", sp.cos), ("ln", sp.log), ("exp", sp.exp),
              ("σ", sigmoid), ("arctan", sp.atan), ("√", sp.sqrt), ("tanh", sp.tanh)]


def _combine(children: st.SearchStrategy) -> st.SearchStrategy:
    pair = st.tuples(children, children)
    return st.one_of(
        pair.map(lambda p: (f"({p[0][0]})+({p[1][0]})", p[0][1] + p[1][1])),
        pair.map(lambda p: (f"({p[0][0]})-({p[1][0]})", p[0][1] - p[1][1])),
        pair.map(lambda p: (f"({p[0][0]})({p[1][0]})", p[0][1] * p[1][1])),
        pair.map(lambda p: (f"({p[0][0]})·({p[1][0]})", p[0][1] * p[1][1])),
        st.tuples(children, st.integers(-3, 4)).map(
            lambda p: (f"({p[0][0]})^{p[1]}", p[0][1] ** p[1])),
        st.tuples(st.sampled_from(_FUNCTIONS), children).map(
            lambda p: (f"{p[0][0]}({p[1][0]})", p[0][1](p[1][1]))),
    )


@settings(max_examples=200, deadline=None)
@given(st.recursive(_LEAVES, _combine, max_leaves=8))
def test_random_typed_expressions_mean_what_they_say(case: tuple[str, sp.Expr]) -> None:
    text, meaning = case
    assume(not meaning.has(sp.zoo, sp.nan, sp.oo, -sp.oo))
    try:
        parsed = parse_expression(text)
    except ExpressionError as error:
        # Only the bounds may refuse a well-formed expression.
        assert error.message.startswith(("division by zero", "number too large",
                                          "nesting is too deep"))
        return
    evaluated = evaluate_tree(parsed)
    assert evaluated == meaning or sp.simplify(evaluated - meaning) == 0
