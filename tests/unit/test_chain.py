"""Chain decomposition: links, names, rules and the derivation tree."""

from __future__ import annotations

import pytest
import sympy as sp

from service.calculus import decompose, decompose_chain, parse_expression
from service.calculus.derivation import (
    ChainRule, ConstantMultiple, Elementary, GeneralPower, ProductRule, QuotientRule, Rule, SumRule,
)
from service.calculus.equivalence import are_equivalent
from service.calculus.naming import LinkKind, LinkNamer, fresh_symbols
from service.calculus.rules import differentiate, is_application, is_elementary, rule_for_link
from service.calculus.unevaluated import evaluate_tree

x, w, u = sp.symbols("x w u")

# (expression, variable, the outermost link's rule or None when not one chain)
EXPRESSIONS: list[tuple[str, str, Rule | None]] = [
    ("(2x+1)^3", "x", Rule.POWER),
    ("sqrt(1-x^2)", "x", Rule.ROOT),
    ("(x^2+1)^(1/3)", "x", Rule.ROOT),
    ("1/(2x+1)", "x", Rule.POWER),
    ("3/(x^2+1)^2", "x", Rule.POWER),
    ("e^(-x^2)", "x", Rule.EXPONENTIAL),
    ("exp(cos(2x))", "x", Rule.EXPONENTIAL),
    ("2^(3x)", "x", Rule.GENERAL_EXPONENTIAL),
    ("ln(x^2+1)", "x", Rule.LOGARITHM),
    ("ln(ln(x))", "x", Rule.LOGARITHM),
    ("sin(3x)", "x", Rule.TRIG),
    ("cos(x^2)", "x", Rule.TRIG),
    ("tan(2x+1)", "x", Rule.TRIG),
    ("cot(x^3)", "x", Rule.TRIG),
    ("sec(2x)", "x", Rule.TRIG),
    ("csc(1-x)", "x", Rule.TRIG),
    ("arcsin(2x)", "x", Rule.INVERSE_TRIG),
    ("arccos(x^2)", "x", Rule.INVERSE_TRIG),
    ("arctan(2x)", "x", Rule.INVERSE_TRIG),
    ("arccot(3x)", "x", Rule.INVERSE_TRIG),
    ("arcsec(2x)", "x", Rule.INVERSE_TRIG),
    ("arccsc(x^2+1)", "x", Rule.INVERSE_TRIG),
    ("sinh(2x)", "x", Rule.HYPERBOLIC),
    ("cosh(x^2)", "x", Rule.HYPERBOLIC),
    ("tanh(3x+1)", "x", Rule.HYPERBOLIC),
    ("arsinh(x^2)", "x", Rule.INVERSE_HYPERBOLIC),
    ("artanh(x/2)", "x", Rule.INVERSE_HYPERBOLIC),
    ("σ(2x+1)", "x", Rule.SIGMOID),
    ("sigmoid(w x)", "w", Rule.SIGMOID),
    ("(σ(w·x) − y)^2", "w", Rule.POWER),
    ("sin((3x)^2)", "x", Rule.TRIG),
    ("sin(cos(tan(x)))", "x", Rule.TRIG),
    ("sqrt(sin(x))", "x", Rule.ROOT),
    ("sin^2(3x)", "x", Rule.POWER),
    ("6(2x+1)^2", "x", Rule.POWER),
    ("3sin(x^2)+1", "x", Rule.TRIG),
    ("sin(x e^x)", "x", Rule.TRIG),
    ("e^(w^2 x)", "w", Rule.EXPONENTIAL),
    ("x sin(x^2)", "x", None),
    ("e^(-x)/x", "x", None),
    ("x^x", "x", None),
    ("sin(x)+cos(x^2)", "x", None),
    ("x^2 e^(3x)", "x", None),
    ("(2x+1)^3 (x-1)^2", "x", None),
    ("x^5", "x", None),
    ("7", "x", None),
    ("3w^2", "x", None),
    ("w x^2 + sin(w)", "x", None),
]


def _tree(text: str, variable: str):
    expr = parse_expression(text, variable)
    return expr, sp.Symbol(variable), decompose(expr, sp.Symbol(variable))


@pytest.mark.parametrize(("text", "variable", "rule"), EXPRESSIONS, ids=[e[0] for e in EXPRESSIONS])
def test_the_tree_differentiates_correctly(text: str, variable: str, rule: Rule | None) -> None:
    expr, symbol, tree = _tree(text, variable)
    assert are_equivalent(tree.derivative, sp.diff(evaluate_tree(expr), symbol))


@pytest.mark.parametrize(("text", "variable", "rule"), [e for e in EXPRESSIONS if e[2] is not None],
                         ids=[e[0] for e in EXPRESSIONS if e[2] is not None])
def test_links_compose_back_and_multiply_to_the_derivative(text: str, variable: str, rule: Rule) -> None:
    expr, symbol, tree = _tree(text, variable)
    assert isinstance(tree, ChainRule)
    composed = None
    for link in tree.links:
        composed = link.expression if composed is None else link.expression.xreplace({link.input: composed})
        # Each link, its lower links substituted, is its expression in the variable.
        assert are_equivalent(composed, link.expression_in_variable)
        assert link.derivative == sp.diff(link.expression, link.input) or are_equivalent(
            link.derivative, sp.diff(link.expression, link.input))
    assert are_equivalent(composed, evaluate_tree(expr))
    product = sp.Mul(*(link.derivative_in_variable for link in tree.links))
    assert are_equivalent(product, sp.diff(evaluate_tree(expr), symbol))
    assert tree.links[-1].rule is rule
    # Each link's input is the name of the link below it; the innermost is the variable.
    assert [link.input for link in tree.links] == [symbol, *(link.name for link in tree.links[:-1])]


@pytest.mark.parametrize(("text", "variable", "rule"), EXPRESSIONS, ids=[e[0] for e in EXPRESSIONS])
def test_link_names_never_clash(text: str, variable: str, rule: Rule | None) -> None:
    expr, symbol, tree = _tree(text, variable)
    if not isinstance(tree, ChainRule):
        return
    names = [link.name for link in tree.links]
    assert len(set(names)) == len(names)
    assert not set(names) & (expr.free_symbols | {symbol})
    assert sp.Symbol("e") not in names


def test_mixed_expressions_give_their_rules_with_chains_inside() -> None:
    _, _, product = _tree("x sin(x^2)", "x")
    assert isinstance(product, ProductRule)
    assert [type(f) for f in product.factors] == [Elementary, ChainRule]
    _, _, quotient = _tree("e^(-x)/x", "x")
    assert isinstance(quotient, QuotientRule)
    assert isinstance(quotient.numerator, ChainRule) and quotient.denominator.expression == x
    _, _, power = _tree("x^x", "x")
    assert isinstance(power, GeneralPower) and isinstance(power.rewritten, ChainRule)
    _, _, total = _tree("sin(x)+cos(x^2)", "x")
    assert isinstance(total, SumRule) and all(isinstance(t, ChainRule) for t in total.terms)
    _, _, scaled = _tree("3x sin(x^2)", "x")
    assert isinstance(scaled, ConstantMultiple) and scaled.constant == 3
    assert isinstance(scaled.inner, ProductRule)


def test_sub_chains_use_their_own_letters_and_keep_y_for_the_whole() -> None:
    _, _, total = _tree("sin(2x)+cos(x^2)", "x")
    names = [link.name for term in total.terms for link in term.links]
    assert len(set(names)) == len(names) == 4
    assert sp.Symbol("y") not in names


def test_innermost_function_that_is_not_elementary_is_kept_as_the_inner_derivation() -> None:
    _, _, tree = _tree("sin(x e^x)", "x")
    assert isinstance(tree, ChainRule) and isinstance(tree.inner, ProductRule)
    assert tree.links[0].expression == x * sp.exp(x)
    assert tree.links[0].rule is Rule.PRODUCT


def test_plain_powers_and_constants_are_elementary() -> None:
    assert decompose_chain(x**5, x) is None
    tree = decompose(x**5, x)
    assert isinstance(tree, Elementary) and tree.rule is Rule.POWER and tree.derivative == 5 * x**4
    constant = decompose(sp.Integer(7), x)
    assert isinstance(constant, Elementary) and constant.rule is Rule.CONSTANT and constant.derivative == 0


def test_other_symbols_are_constants() -> None:
    expr = parse_expression("sin(w x^2)", "x")
    chain = decompose_chain(expr, x)
    assert chain is not None
    assert chain.links[0].expression == w * x**2
    assert chain.derivative == 2 * w * x * sp.cos(w * x**2)
    # By w instead, x is the constant.
    assert decompose_chain(expr, w).links[0].derivative == x**2


def test_a_top_level_wrap_rides_in_the_outermost_link() -> None:
    chain = decompose_chain(parse_expression("6(2x+1)^2"), x)
    assert [str(link.expression) for link in chain.links] == ["2*x + 1", "6*u**2"]


def test_machine_learning_names_follow_the_activation() -> None:
    namer = LinkNamer(taken={"x", "w", "y"})
    names = namer.name_chain([LinkKind.LOSS, LinkKind.ACTIVATION, LinkKind.OTHER])
    assert [str(n) for n in names] == ["L", "a", "z"]
    # Without a loss around it, the activation is the outer y (learners ask
    # for dy/dx) and its input is still z.
    chain = decompose_chain(parse_expression("tanh(3x+1)"), x)
    assert [str(link.name) for link in chain.links] == ["z", "y"]


def test_fresh_letters_skip_taken_ones() -> None:
    assert [str(s) for s in fresh_symbols({"u", "v", "x"}, 3)] == ["w", "t", "s"]
    namer = LinkNamer.for_expression(sp.Symbol("y") * sp.Symbol("u") * x, x)
    assert [str(s) for s in namer.name_chain([LinkKind.OTHER] * 3)] == ["v", "w", "t"]


def test_structure_predicates() -> None:
    square_of_3x = sp.Pow(sp.Mul(3, x, evaluate=False), 2, evaluate=False)
    assert is_application(square_of_3x, x) and not is_elementary(square_of_3x, x)
    assert is_elementary(x**5, x) and not is_application(x**5, x)
    assert is_elementary(w * x + 1 - x**2, x)
    assert is_application(2**x, x) and is_application(sp.sin(x), x)
    assert not is_application(x * sp.sin(x), x)


@pytest.mark.parametrize(("expr", "rule"), [
    (6 * u**2, Rule.POWER), (sp.sqrt(u), Rule.ROOT), (sp.exp(u), Rule.EXPONENTIAL),
    (3**u, Rule.GENERAL_EXPONENTIAL), (sp.log(u), Rule.LOGARITHM), (sp.sec(u), Rule.TRIG),
    (sp.acot(u), Rule.INVERSE_TRIG), (sp.cosh(u), Rule.HYPERBOLIC), (sp.acosh(u), Rule.INVERSE_HYPERBOLIC),
    (sp.Abs(u), Rule.ABSOLUTE), (2 * u + 1, Rule.LINEAR), (u**2 + u, Rule.POLYNOMIAL),
])
def test_rule_for_each_kind_of_link(expr: sp.Expr, rule: Rule) -> None:
    assert rule_for_link(expr, u) is rule


@pytest.mark.parametrize("expr", [
    u**3, sp.sin(3 * u**2 + 1), sp.exp(-u**2), 2**(3 * u), sp.log(u**2 + 1), sp.sqrt(1 - u**2),
    sp.atan(2 * u) * u, u**u, 5 * sp.cosh(u) / u,
])
def test_differentiate_agrees_with_sympy(expr: sp.Expr) -> None:
    assert are_equivalent(differentiate(expr, u), sp.diff(expr, u))


def test_absolute_value_is_a_link_with_the_sign_as_its_derivative() -> None:
    # sympy's diff of |u| over complex u is not the textbook's; for real x it is sign.
    chain = decompose_chain(parse_expression("|2x+1|"), x)
    assert chain.links[-1].rule is Rule.ABSOLUTE
    assert chain.links[-1].derivative == sp.sign(u)
    assert chain.derivative == 2 * sp.sign(2 * x + 1)
