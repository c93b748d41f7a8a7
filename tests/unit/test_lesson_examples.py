"""Every worked example of the lesson comes out exactly as the lesson does it."""

from __future__ import annotations

import sympy as sp

from service.calculus import parse_expression, solve
from service.calculus.derivation import Rule


def _texts(expression: str, variable: str = "x") -> list[str]:
    return [step["text"] for step in solve(expression, variable).to_dict()["steps"]]


def test_power_of_linear_inner_function() -> None:
    solution = solve("(2x+1)^3")
    data = solution.to_dict()
    assert [(l["name"], l["input"], l["expression"], l["derivative"]) for l in data["links"]] == [
        ("u", "x", "2*x + 1", "2"),
        ("y", "u", "u**3", "3*u**2"),
    ]
    assert [link.rule for link in solution.chain.links] == [Rule.LINEAR, Rule.POWER]
    assert _texts("(2x+1)^3")[:4] == [
        "Let u = 2x + 1 (inner) and y = u³ (outer).",
        "dy/du = 3u² = 3(2x + 1)² (power rule).",
        "du/dx = 2 (linear function).",
        "dy/dx = dy/du · du/dx = 3(2x + 1)² · 2 = 6(2x + 1)² (chain rule).",
    ]
    assert solution.derivative_text == "6(2x + 1)²"
    assert data["derivative"] == "6*(2*x + 1)**2"
    assert data["pure_chain"] is True


def test_gaussian() -> None:
    solution = solve("e^(-x^2)")
    x = sp.Symbol("x")
    u = sp.Symbol("u")
    inner, outer = solution.chain.links
    assert (inner.name, inner.expression, inner.derivative) == (u, -x**2, -2 * x)
    assert (outer.name, outer.expression, outer.derivative) == (sp.Symbol("y"), sp.exp(u), sp.exp(u))
    assert (inner.rule, outer.rule) == (Rule.POWER, Rule.EXPONENTIAL)
    assert _texts("e^(-x^2)")[:4] == [
        "Let u = −x² (inner) and y = eᵘ (outer).",
        "dy/du = eᵘ = e^(−x²) (exponential rule).",
        "du/dx = −2x (power rule).",
        "dy/dx = dy/du · du/dx = e^(−x²) · (−2x) = −2x·e^(−x²) (chain rule).",
    ]
    assert solution.derivative == -2 * x * sp.exp(-x**2)


def test_three_layer_computation() -> None:
    solution = solve("sin((3x)^2)")
    links = solution.to_dict()["links"]
    assert [(l["name"], l["input"], l["expression"], l["derivative"]) for l in links] == [
        ("v", "x", "3*x", "3"),
        ("u", "v", "v**2", "2*v"),
        ("y", "u", "sin(u)", "cos(u)"),
    ]
    # The lesson writes each local derivative in the variable too: du/dv = 2v = 6x.
    assert [l["derivative_in_variable"] for l in links] == ["3", "6*x", "cos(9*x**2)"]
    assert _texts("sin((3x)^2)")[:5] == [
        "Let v = 3x, u = v² and y = sin(u).",
        "dy/du = cos(u) = cos(9x²) (trigonometric rule).",
        "du/dv = 2v = 6x (power rule).",
        "dv/dx = 3 (linear function).",
        "dy/dx = dy/du · du/dv · dv/dx = cos(9x²) · 6x · 3 = 18x·cos(9x²) (chain rule).",
    ]
    assert solution.derivative_text == "18x·cos(9x²)"


def test_single_neuron_loss_by_the_weight() -> None:
    solution = solve("(σ(w·x) − y)^2", "w")
    data = solution.to_dict()
    assert [(l["name"], l["input"], l["expression"]) for l in data["links"]] == [
        ("z", "w", "w*x"), ("a", "z", "sigmoid(z)"), ("L", "a", "(a - y)**2"),
    ]
    assert [link.rule for link in solution.chain.links] == [Rule.LINEAR, Rule.SIGMOID, Rule.POWER]
    assert _texts("(σ(w·x) − y)^2", "w")[:5] == [
        "Let z = wx, a = σ(z) and L = (a − y)².",
        "dL/da = 2(a − y) = 2(σ(wx) − y) (power rule).",
        "da/dz = σ(z)(1 − σ(z)) = σ(wx)(1 − σ(wx)) (sigmoid derivative σ(1 − σ)).",
        "dz/dw = x (linear function).",
        "dL/dw = dL/da · da/dz · dz/dw = 2(σ(wx) − y) · σ(wx)(1 − σ(wx)) · x"
        " = 2x(σ(wx) − y)σ(wx)(1 − σ(wx)) (chain rule).",
    ]
    assert solution.derivative_text == "2x(σ(wx) − y)σ(wx)(1 − σ(wx))"
    assert data["leibniz"] == "dL/dw"


def test_gear_analogy_multiplies_the_ratios() -> None:
    gears = solve("(2x+1)^3").to_dict()["gears"]
    assert gears["point"] == {"x": "1"}
    assert gears["factors"] == [{"leibniz": "dy/du", "value": "27"}, {"leibniz": "du/dx", "value": "2"}]
    assert gears["product"] == "54"
    # 54 is the derivative 6(2x + 1)² at x = 1.
    assert sp.Integer(54) == (6 * (2 * sp.Symbol("x") + 1) ** 2).subs("x", 1)


def test_the_typed_structure_is_what_gets_decomposed() -> None:
    # (3x)^2 must reach the decomposer as a square of 3x, not as 9x².
    assert solve(parse_expression("sin((3x)^2)")).chain.links[1].expression == sp.Symbol("v") ** 2
