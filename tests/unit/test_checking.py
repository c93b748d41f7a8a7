"""Answer checking: right in any notation, wrong answers named, single steps, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from service.calculus import MISCONCEPTIONS, ExpressionError, Verdict, check_answer, check_step

DATA = Path(__file__).resolve().parents[1] / "data"
RIGHT = yaml.safe_load((DATA / "right_answers.yaml").read_text(encoding="utf-8"))
WRONG = yaml.safe_load((DATA / "wrong_answers.yaml").read_text(encoding="utf-8"))


def label(entry: dict) -> str:
    return f"{entry['problem']} | {entry['answer']}"


def test_the_corpora_are_large_and_cover_the_vocabulary() -> None:
    assert len(RIGHT) >= 60 and len(WRONG) >= 60
    assert {e["misconception"] for e in WRONG} == set(MISCONCEPTIONS) | {None}


@pytest.mark.parametrize("entry", RIGHT, ids=label)
def test_right_answers_in_any_notation_are_correct(entry: dict) -> None:
    verdict = check_answer(entry["problem"], entry["answer"], entry.get("variable", "x"))
    assert verdict.correct, verdict
    assert verdict.misconception is None
    assert verdict.feedback.startswith("Right")


@pytest.mark.parametrize("entry", WRONG, ids=label)
def test_wrong_answers_are_never_correct_and_name_their_misconception(entry: dict) -> None:
    verdict = check_answer(entry["problem"], entry["answer"], entry.get("variable", "x"))
    assert not verdict.correct
    assert verdict.misconception == entry["misconception"], verdict.feedback
    assert verdict.feedback and not verdict.feedback.startswith("Right")


PERTURBED = [e for e in RIGHT if "=" not in e["answer"]]


@pytest.mark.parametrize("entry", PERTURBED, ids=label)
def test_a_right_answer_slightly_changed_is_wrong(entry: dict) -> None:
    variable = entry.get("variable", "x")
    for changed in (f"({entry['answer']}) * 1.0001 + 0.0001", f"({entry['answer']}) + {variable}/1000"):
        assert not check_answer(entry["problem"], changed, variable).correct, changed


# The feedback names the missing or wrong factor in Unicode maths.
@pytest.mark.parametrize(("problem", "answer", "phrases"), [
    ("(2x+1)^3", "3(2x+1)^2", ["left out the inner factor du/dx = 2", "multiply by it"]),
    ("(2x+1)^3", "3x^2·2", ["dy/du = 3u²", "u = 2x + 1", "not at x"]),
    ("(2x+1)^3", "6(2x+1)^3", ["exponent drops by one", "3u²", "not 3u³"]),
    ("(2x+1)^3", "-6(2x+1)^2", ["sign"]),
    ("(2x+1)^3", "3(2x+1)^2 + 2", ["multiplies the local derivatives", "dy/dx = dy/du · du/dx"]),
    ("(2x+1)^3", "12", ["at the inner function u = 2x + 1", "not at the inner derivative"]),
    ("sin((3x)^2)", "3cos(9x^2)", ["you left out du/dv = 2v = 6x", "dy/du · du/dv · dv/dx"]),
    ("sin((3x)^2)", "cos(9x^2)", ["inner factors dv/dx = 3 and du/dv = 2v = 6x", "multiply by them"]),
    ("x sin(x^2)", "sin(x^2) + x cos(x^2)", ["In the derivative of sin(x²)", "2x"]),
    ("x sin(x^2)", "2x cos(x^2)", ["product rule"]),
    ("e^(-x)/x", "-e^(-x)", ["quotient rule"]),
    ("x sin(x^2)", "sin(x^2) - 2x^2 cos(x^2)", ["Check the sign of the derivative of sin(x²)."]),
    ("x^5", "5x^5", ["x⁵", "5x⁴", "not 5x⁵"]),
    ("(2x+1)^3", "(2x+1)^3", ["function itself"]),
    ("(2x+1)^3", "6(2x+1)", ["Not quite", "local derivative"]),
])
def test_feedback_names_the_factor(problem: str, answer: str, phrases: list[str]) -> None:
    feedback = check_answer(problem, answer).feedback
    for phrase in phrases:
        assert phrase in feedback, feedback


def test_a_slip_inside_a_larger_expression_is_placed_once() -> None:
    feedback = check_answer("x sin(x^2)", "sin(x^2) - 2x^2 cos(x^2)").feedback
    assert feedback.count("sin(x²)") == 1


def test_right_feedback_restates_the_answer() -> None:
    assert check_answer("(2x+1)^3", "6(2x+1)^2").feedback == "Right: dy/dx = 6(2x + 1)²."
    assert check_answer("(σ(wx) - y)^2", "2x(σ(wx) - y)σ(wx)(1 - σ(wx))", "w").correct


def test_wrong_feedback_does_not_give_the_final_answer_away() -> None:
    verdict = check_answer("(2x+1)^3", "3(2x+1)^2")
    assert "6(2x + 1)²" not in verdict.feedback


def test_verdict_to_dict_is_the_contracts_shape() -> None:
    verdict = check_answer("(2x+1)^3", "3(2x+1)^2")
    assert verdict.to_dict() == {
        "correct": False, "misconception": "missing_inner_derivative", "feedback": verdict.feedback,
    }
    assert verdict.to_dict(include_expected=True)["expected"] == "6*(2*x + 1)**2"
    assert isinstance(verdict, Verdict)


def test_an_answer_in_another_letter_is_told_so() -> None:
    verdict = check_answer("(2x+1)^3", "7t")
    assert not verdict.correct and "t" in verdict.feedback and "x" in verdict.feedback


@pytest.mark.parametrize(("problem", "answer", "start", "position"), [
    ("(2x+1", "2", "in the problem: ", 0),
    ("(2x+1)^3", "3(2x+", "in your answer: ", 1),
    ("(2x+1)^3", "dy/dx = 3(2x+", "in your answer: ", 9),  # counted in the text typed, tag included
    ("(2x+1)^3", "foo(x)", "in your answer: ", None),
    ("sin(", "2", "in the problem: ", None),
])
def test_bad_text_says_whether_the_problem_or_the_answer_is_wrong(problem, answer, start, position) -> None:
    with pytest.raises(ExpressionError) as raised:
        check_answer(problem, answer)
    assert str(raised.value).startswith(start)
    if position is not None:
        assert raised.value.position == position


def test_without_a_variable_the_problems_only_symbol_is_used() -> None:
    assert check_answer("(2t+1)^3", "6(2t+1)^2", variable=None).correct
    assert check_answer("(2x+1)^3", "6(2x+1)^2", variable=None).correct


def test_a_bad_variable_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError, match="not a variable name"):
        check_answer("x^2", "2x", variable="2x")


# check_step on the lesson's three-link chain: v = 3x, u = v², y = sin u.
@pytest.mark.parametrize(("step", "answer"), [
    ("v", "3x"),
    ("u", "v^2"), ("u", "(3x)^2"), ("u", "9x^2"),
    ("y", "sin(u)"), ("y", "sin u"), ("y", "sin(9x^2)"),
    ("dv/dx", "3"),
    ("du/dv", "2v"), ("du/dv", "6x"), ("du / dv", "2v"),
    ("dy/du", "cos(u)"), ("dy/du", "cos(9x^2)"), ("dy/du", "cos(v^2)"),
    ("dy/dx", "18x cos(9x^2)"), ("dy/dx", "cos(u)·2v·3"),
])
def test_every_step_of_a_three_link_chain_in_its_input_or_in_x(step: str, answer: str) -> None:
    verdict = check_step("sin((3x)^2)", step, answer)
    assert verdict.correct, verdict


@pytest.mark.parametrize(("step", "answer", "misconception"), [
    ("du/dv", "-2v", "sign_error"),
    ("du/dv", "2v^2", "power_rule_exponent"),
    ("dy/du", "cos(x)", "outer_not_at_inner"),
    ("dy/du", "-cos(u)", "sign_error"),
    ("dv/dx", "-3", "sign_error"),
    ("dy/dx", "6x cos(9x^2)", "missing_link"),
    ("u", "v^3", None),
    ("dv/dx", "3x", None),
])
def test_wrong_steps_of_a_three_link_chain(step: str, answer: str, misconception: str | None) -> None:
    verdict = check_step("sin((3x)^2)", step, answer)
    assert not verdict.correct
    assert verdict.misconception == misconception, verdict.feedback


def test_a_step_answered_with_another_steps_value_is_told_which() -> None:
    verdict = check_step("sin((3x)^2)", "u", "3x")
    assert verdict.feedback.startswith("That is v = 3x, the inner function")
    assert "u" in verdict.feedback and "9x" not in verdict.feedback  # not given away
    whole = check_step("sin((3x)^2)", "dy/du", "18x cos(9x^2)")
    assert "dy/dx, the whole derivative" in whole.feedback


def test_two_link_chains_accept_inner_and_outer() -> None:
    assert check_step("(2x+1)^3", "inner", "2x+1").correct
    assert check_step("(2x+1)^3", "outer", "u^3").correct
    assert check_step("(2x+1)^3", "Inner", "2x+1").correct
    assert check_step("(2x+1)^3", "dy/du", "3u^2").correct
    assert check_step("(2x+1)^3", "dy/du", "3(2x+1)^2").correct
    assert check_step("(2x+1)^3", "du/dx", "2").correct
    swapped = check_step("(2x+1)^3", "inner", "u^3")
    assert not swapped.correct and "the outer function" in swapped.feedback


def test_step_misconceptions_on_the_lessons_first_example() -> None:
    assert check_step("(2x+1)^3", "dy/du", "3u^3").misconception == "power_rule_exponent"
    assert check_step("(2x+1)^3", "dy/du", "3x^2").misconception == "outer_not_at_inner"
    assert check_step("(2x+1)^3", "du/dx", "-2").misconception == "sign_error"


def test_the_neurons_steps() -> None:
    problem, variable = "(σ(w·x) − y)^2", "w"
    assert check_step(problem, "z", "wx", variable).correct
    assert check_step(problem, "a", "σ(z)", variable).correct
    assert check_step(problem, "dz/dw", "x", variable).correct
    assert check_step(problem, "da/dz", "σ(z)(1 − σ(z))", variable).correct
    assert check_step(problem, "dL/da", "2(a − y)", variable).correct
    assert check_step(problem, "dL/dw", "2(a − y)·σ(z)(1 − σ(z))·x", variable).correct
    assert check_step(problem, "dL/da", "2(a − y)^2", variable).misconception == "power_rule_exponent"


def test_steps_of_a_chain_inside_a_product() -> None:
    # x·sin(x²): the chain sin(x²) inside brings its own letters.
    assert check_step("x sin(x^2)", "dy/dx", "sin(x^2) + 2x^2 cos(x^2)").correct
    assert not check_step("x sin(x^2)", "dy/dx", "2x cos(x^2)").correct


def test_an_unknown_step_lists_the_valid_ones() -> None:
    with pytest.raises(ExpressionError) as raised:
        check_step("(2x+1)^3", "dz/dq", "2")
    message = str(raised.value)
    for name in ("u", "du/dx", "dy/du", "dy/dx", "inner", "outer"):
        assert name in message


def test_check_step_accepts_a_parsed_problem() -> None:
    from service.calculus import parse_expression

    assert check_step(parse_expression("(2x+1)^3"), "du/dx", "2").correct


def test_a_leibniz_tag_in_front_of_the_answer_is_read_past() -> None:
    assert check_answer("(2x+1)^3", "dy/dx = 6(2x+1)^2").correct
    assert check_step("(2x+1)^3", "inner", "u = 2x + 1").correct


@pytest.mark.parametrize(("problem", "answer"), [
    ("sqrt(1-x^2)", "-x/sqrt(1-x^2)"),
    ("ln(x)", "1/x"),
    ("asin(x)", "1/sqrt(1-x^2)"),
    ("acos(3x)", "-3/sqrt(1-9x^2)"),
    ("ln(ln(x))", "1/(x ln x)"),
])
def test_functions_with_a_restricted_domain(problem: str, answer: str) -> None:
    assert check_answer(problem, answer).correct
    assert not check_answer(problem, f"-({answer})").correct


@pytest.mark.parametrize(("problem", "step", "answer", "letters"), [
    ("sin((3x)^2)", "du/dv", "2u", "write it in v or in x."),   # a middle link: its input, or x
    ("sin((3x)^2)", "dv/dx", "3u", "write it in x."),           # the innermost link's input is x
    ("(2x+1)^3", "dy/du", "3w^2", "write it in u or in x."),
])
def test_a_stray_letter_is_named_with_the_letters_the_step_allows(
        problem: str, step: str, answer: str, letters: str) -> None:
    verdict = check_step(problem, step, answer)
    assert not verdict.correct
    assert verdict.feedback.endswith(letters)
