"""A scripted dialogue for each example of the lesson, from "hi" to solved."""

from __future__ import annotations

from tests.unit.tutor.dialogue import Chat, event_types, joined, texts


def walk(chat: Chat, expression: str, answers: list[tuple[str, str]], variable: str | None = None):
    """Greet, ask for ``expression``, then answer each (expected step, text) in turn."""
    chat.start(expression="(x+2)^2")
    greeting = chat.say("hi")
    assert "Hello" in joined(greeting)
    command = f"differentiate {expression}" + (f" with respect to {variable}" if variable else "")
    turn = chat.say(command)
    assert chat.state.expression == expression
    assert "ProblemStarted" in event_types(turn)
    for expected_step, text in answers:
        assert chat.state.step == expected_step, joined(chat.turns[-1])
        turn = chat.say(text)
        assert turn.verdict is not None and turn.verdict.correct, joined(turn)
        assert turn.verdict.step == expected_step
    assert chat.state.solved and chat.state.step is None
    assert not chat.state.gave_up
    assert "ProblemSolved" in event_types(turn)
    assert any(text.startswith("To recap") for text in texts(turn, "explanation"))
    assert any("Your mastery" in text for text in texts(turn, "info"))
    assert "another problem" in texts(turn, "question")[-1]
    return turn


def test_power_example(chat):
    walk(chat, "(2x+1)^3", [
        ("u", "u = 2x + 1"),
        ("dy/du", "3u^2"),
        ("du/dx", "du/dx = 2"),
        ("dy/dx", "6(2x+1)^2"),
    ])


def test_gaussian_example(chat):
    turn = walk(chat, "e^(-x^2)", [
        ("u", "-x^2"),
        ("dy/du", "dy/du = e^u"),
        ("du/dx", "-2x"),
        ("dy/dx", "dy/dx = -2x e^(-x^2)"),
    ])
    assert "e" in texts(turn, "feedback")[0]


def test_three_layer_example(chat):
    walk(chat, "sin((3x)^2)", [
        ("v", "v = 3x"),
        ("u", "u = v^2"),
        ("dy/du", "cos(u)"),
        ("du/dv", "2v"),
        ("dv/dx", "3"),
        ("dy/dx", "18x cos(9x^2)"),
    ])


def test_neuron_example_by_w(chat):
    walk(chat, "(σ(wx) − y)^2", [
        ("z", "z = wx"),
        ("a", "a = σ(z)"),
        ("dL/da", "2(a - y)"),
        ("da/dz", "σ(z)(1 - σ(z))"),
        ("dz/dw", "x"),
        ("dL/dw", "2(σ(wx) - y) σ(wx)(1 - σ(wx)) x"),
    ], variable="w")


def test_the_first_question_of_a_chain_asks_for_the_inner_function(chat):
    turn = chat.start("(2x+1)^3")
    assert texts(turn, "info")[0].startswith("Hi!")
    assert "inner function" in texts(turn, "question")[-1]
    assert chat.state.to_dict()["step"] == "u"


def test_local_derivatives_are_asked_outermost_first(chat):
    chat.start("sin((3x)^2)")
    plan = chat.state.plan
    assert [step.name for step in plan.steps] == ["v", "u", "dy/du", "du/dv", "dv/dx", "dy/dx"]
    assert plan.factors == ("dy/du", "du/dv", "dv/dx")


def test_mixed_expression_walks_the_product_rule(chat):
    chat.start("x·sin(x^2)")
    assert chat.state.step == "rule"
    wrong = chat.say("the chain rule")
    assert not wrong.verdict.correct and "Not the chain rule" in texts(wrong, "feedback")[0]
    right = chat.say("product rule")
    assert right.verdict.correct and "f'·g + f·g'" in texts(right, "feedback")[0]
    assert chat.state.step == "part1"
    part = chat.say("2x cos(x^2)")
    assert part.verdict.correct and chat.state.step == "dy/dx"
    done = chat.say("sin(x^2) + 2x^2 cos(x^2)")
    assert done.verdict.correct and chat.state.solved
    assert done.mastery["mixed_rules"] > 0.2
