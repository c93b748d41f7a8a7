"""The printers (Unicode text, LaTeX, MathML) and the textbook tidy."""

from __future__ import annotations

import pytest
import sympy as sp

from service.calculus import sigmoid
from service.calculus.printing import superscript, to_latex, to_mathml, to_text
from service.calculus.tidy import tidy, tidy_product

x, y, z, u, w, a = sp.symbols("x y z u w a")


@pytest.mark.parametrize(("expr", "text"), [
    (6 * (2 * x + 1) ** 2, "6(2x + 1)²"),
    (-2 * x * sp.exp(-x**2), "−2x·e^(−x²)"),
    (18 * x * sp.cos(9 * x**2), "18x·cos(9x²)"),
    (sigmoid(z) * (1 - sigmoid(z)), "σ(z)(1 − σ(z))"),
    (sigmoid(w * x) - y, "σ(wx) − y"),
    (sp.sqrt(1 - x**2), "√(1 − x²)"),
    (sp.sqrt(u), "√u"),
    (x ** sp.Rational(1, 3), "∛x"),
    (-x / sp.sqrt(1 - x**2), "−x/√(1 − x²)"),
    (1 / (2 * sp.sqrt(u)), "1/(2√u)"),
    (sp.exp(u), "eᵘ"),
    (sp.exp(-x) / x, "e^(−x)/x"),
    (sp.log(x), "ln(x)"),
    (sp.asin(2 * x), "arcsin(2x)"),
    (sp.sin(x) ** 2, "sin²(x)"),
    (3 * u**2, "3u²"),
    (2**x, "2ˣ"),
    (x**-2, "1/x²"),
    (2 / (4 * x**2 + 1), "2/(4x² + 1)"),
    (x / 2, "x/2"),
    (sp.pi * x**2, "πx²"),
    (sp.Abs(x), "|x|"),
    (sp.Symbol("u1") ** 2, "u₁²"),
    (x**x * (sp.log(x) + 1), "xˣ(ln(x) + 1)"),
    (sp.Integer(-3), "−3"),
])
def test_text_is_written_as_a_textbook_writes_it(expr: sp.Expr, text: str) -> None:
    assert to_text(expr) == text


def test_a_product_built_in_order_keeps_its_order() -> None:
    ordered = sp.Mul(2, x, sigmoid(w * x) - y, sigmoid(w * x), 1 - sigmoid(w * x), evaluate=False)
    assert to_text(ordered) == "2x(σ(wx) − y)σ(wx)(1 − σ(wx))"
    assert to_latex(ordered) == (r"2 x \left(\sigma\left(w x\right) - y\right) \sigma\left(w x\right) "
                                 r"\left(1 - \sigma\left(w x\right)\right)")


def test_superscripts() -> None:
    assert superscript("-12") == "⁻¹²"
    assert superscript("x") == "ˣ"
    assert superscript("q") is None


def test_latex_uses_ln_sigma_and_full_inverse_names() -> None:
    assert to_latex(sp.log(x)) == r"\ln{\left(x \right)}"
    assert to_latex(sigmoid(z)) == r"\sigma\left(z\right)"
    assert to_latex(sp.atan(x)) == r"\arctan{\left(x \right)}"
    assert to_latex(6 * (2 * x + 1) ** 2) == r"6 \left(2 x + 1\right)^{2}"


def test_mathml_is_presentation_markup_with_sigma() -> None:
    markup = to_mathml(sigmoid(z) * (1 - sigmoid(z)))
    assert markup.startswith('<math xmlns="http://www.w3.org/1998/Math/MathML">')
    assert "&#963;" in markup or "σ" in markup
    assert "<mi>z</mi>" in markup and "sigmoid" not in markup
    assert "<msup>" in to_mathml(x**2)


@pytest.mark.parametrize(("factors", "text"), [
    ([3 * (2 * x + 1) ** 2, sp.Integer(2)], "6(2x + 1)²"),
    ([sp.exp(-x**2), -2 * x], "−2x·e^(−x²)"),
    ([sp.cos(9 * x**2), 6 * x, sp.Integer(3)], "18x·cos(9x²)"),
    ([2 * sigmoid(w * x) - 2 * y, sigmoid(w * x) * (1 - sigmoid(w * x)), x],
     "2x(σ(wx) − y)σ(wx)(1 − σ(wx))"),
    ([x, -1 / x**2], "−1/x"),                                    # equal bases merge
    ([1 / (1 + 1 / x), -1 / x**2], "−1/(x(x + 1))"),            # no nested fraction
    ([2 * a - 2 * y], "2(a − y)"),
])
def test_tidy_product(factors: list[sp.Expr], text: str) -> None:
    tidied = tidy_product(factors)
    assert to_text(tidied) == text
    assert sp.simplify(tidied - sp.Mul(*factors)) == 0


def test_tidy_keeps_factored_powers_and_pulls_common_factors() -> None:
    assert to_text(tidy(-x * sp.exp(-x) - sp.exp(-x))) == "−e^(−x)(x + 1)"
    # (2x + 1)² is not expanded.
    assert to_text(tidy(sp.Integer(6) * (2 * x + 1) ** 2)) == "6(2x + 1)²"
    assert tidy(sp.Integer(0)) == 0
