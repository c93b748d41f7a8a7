"""The plan of a problem, built from the core's derivation tree."""

from __future__ import annotations

from service.calculus import solve
from service.tutor.plan import Plan, build_plan


def names(expression: str, variable: str = "x") -> list[str]:
    return [step.name for step in build_plan(solve(expression, variable)).steps]


def test_two_link_chain():
    plan = build_plan(solve("(2x+1)^3"))
    assert [step.name for step in plan.steps] == ["u", "dy/du", "du/dx", "dy/dx"]
    assert [step.kind for step in plan.steps] == ["identify", "derivative", "derivative", "final"]
    assert plan.chain == "u = 2x + 1, y = u³"
    assert plan.steps[0].after == "So the outer function is y = u³."
    assert plan.steps[1].skills == ("outer_derivative",)
    assert plan.steps[2].skills == ("inner_derivative",)
    assert plan.steps[3].answer == "dy/dx = 6(2x + 1)²"


def test_three_link_chain_exercises_long_chains():
    plan = build_plan(solve("sin((3x)^2)"))
    assert [step.name for step in plan.steps] == ["v", "u", "dy/du", "du/dv", "dv/dx", "dy/dx"]
    assert all("long_chains" in step.skills for step in plan.steps)
    assert plan.step("du/dv").answer == "du/dv = 2v = 6x"


def test_the_neuron_uses_the_lessons_letters():
    plan = build_plan(solve("(σ(wx) − y)^2", "w"))
    assert [step.name for step in plan.steps] == ["z", "a", "dL/da", "da/dz", "dz/dw", "dL/dw"]
    assert plan.factors == ("dL/da", "da/dz", "dz/dw")


def test_mixed_expression_walks_the_rule_and_the_chain_inside():
    plan = build_plan(solve("x·sin(x^2)"))
    assert [step.kind for step in plan.steps] == ["rule", "part", "final"]
    assert plan.steps[0].answer == "the product rule"
    assert plan.steps[1].problem == "sin(x**2)"
    assert all("mixed_rules" in step.skills for step in plan.steps)
    assert [step.kind for step in build_plan(solve("e^(-x)/x")).steps] == ["rule", "part", "final"]


def test_no_chain_is_one_step():
    assert names("x^5") == ["dy/dx"]


def test_plan_round_trips():
    plan = build_plan(solve("sin((3x)^2)"))
    assert Plan.from_dict(plan.to_dict()) == plan
