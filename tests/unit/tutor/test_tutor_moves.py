"""The teaching moves: feedback, hints, next factor, solution, explanations."""

from __future__ import annotations

import pytest

from service.calculus import check_answer, check_step
from service.tutor.events import AttemptRecorded, HintGiven, MasteryChanged
from service.tutor.explanations import CHAIN_RULE, DEFAULT_EXPLANATIONS, GEARS, WHY_MULTIPLY
from service.tutor.mastery import update
from tests.unit.tutor.dialogue import Chat, event_types, joined, texts


@pytest.mark.parametrize(("problem", "answer", "misconception"), [
    ("(2x+1)^3", "3(2x+1)^2", "missing_inner_derivative"),
    ("(2x+1)^3", "6x^2", "outer_not_at_inner"),
    ("(2x+1)^3", "6(2x+1)^3", "power_rule_exponent"),
    ("(2x+1)^3", "-6(2x+1)^2", "sign_error"),
    ("(2x+1)^3", "3(2x+1)^2 + 2", "added_instead_of_multiplied"),
    ("sin(x^2)", "cos(2x)", "composed_derivatives"),
    ("sin((3x)^2)", "6x cos(9x^2)", "missing_link"),
])
def test_each_misconception_reaches_the_learner(chat, problem, answer, misconception):
    chat.start(problem)
    turn = chat.say(f"dy/dx = {answer}")
    expected = check_answer(problem, answer)
    assert expected.misconception == misconception
    assert turn.verdict.to_dict() == {"correct": False, "misconception": misconception,
                                      "step": "dy/dx", "feedback": expected.feedback}
    assert texts(turn, "feedback") == [expected.feedback]
    assert not chat.state.solved
    attempt = next(event for event in turn.events if isinstance(event, AttemptRecorded))
    assert (attempt.step, attempt.misconception, attempt.correct) == ("dy/dx", misconception, False)


def test_a_wrong_step_stays_open_and_the_second_try_brings_the_next_hint(chat):
    chat.start("(2x+1)^3")
    chat.say("u = 2x + 1")
    first = chat.say("3u^3")
    assert first.verdict.misconception == "power_rule_exponent"
    assert texts(first, "feedback") == [check_step("(2x+1)^3", "dy/du", "3u^3").feedback]
    assert texts(first, "hint") == [] and chat.state.step == "dy/du"
    second = chat.say("3u^3")
    assert chat.state.step == "dy/du"
    assert texts(second, "hint") == [chat.state.plan.step("dy/du").hints[0]]
    assert "HintGiven" in event_types(second)


def test_hint_ladder_order_pointing_teaching_bottom_out(chat):
    chat.start("(2x+1)^3")
    chat.say("u = 2x + 1")
    levels, hints = [], []
    for _ in range(4):
        turn = chat.say("hint")
        hints.append((texts(turn, "hint") or texts(turn, "explanation"))[0])
        levels.append(next(e.level for e in turn.events if isinstance(e, HintGiven)))
    assert levels == ["pointing", "teaching", "bottom_out", "bottom_out"]
    # past the bottom-out the rule is taught again on a simpler case, with this step's answer
    assert "simpler case" in hints[3] and "Power rule" in hints[3] and "3u²" in hints[3]
    assert "y = u³" in hints[0] and "3u²" not in hints[0]
    assert hints[1].startswith("Power rule")
    assert hints[2] == "dy/du = 3u² = 3(2x + 1)²"
    assert chat.state.hints_used == 4 and chat.state.to_dict()["hints_used"] == 4
    # The next step starts its own ladder at the bottom rung.
    chat.say("3(2x+1)^2")
    assert texts(chat.say("hint"), "hint")[0] == chat.state.plan.step("du/dx").hints[0]


def test_a_step_found_after_a_hint_counts_as_incorrect_for_bkt(chat):
    chat.start("(2x+1)^3")
    chat.say("hint")
    turn = chat.say("u = 2x + 1")
    assert turn.verdict.correct
    attempt = next(e for e in turn.events if isinstance(e, AttemptRecorded))
    assert attempt.correct and not attempt.counted_correct and attempt.hints_used == 1
    assert turn.mastery["identify_functions"] == pytest.approx(update(0.2, False))
    alone = Chat()
    alone.start("(2x+1)^3")
    assert alone.say("u = 2x + 1").mastery["identify_functions"] == pytest.approx(0.6)


def test_mastery_changes_are_events(chat):
    chat.start("(2x+1)^3")
    turn = chat.say("u = 2x + 1")
    changes = [e for e in turn.events if isinstance(e, MasteryChanged)]
    assert [(c.skill, c.before, c.after) for c in changes] == [("identify_functions", 0.2, 0.6)]


def test_an_untagged_answer_answers_the_step_it_is_right_for(chat):
    chat.start("(2x+1)^3")
    chat.say("u = 2x + 1")
    turn = chat.say("2")  # du/dx's value, while the open question is dy/du
    assert turn.verdict.step == "du/dx" and turn.verdict.correct
    assert chat.state.step == "dy/du" and "du/dx" in chat.state.done


def test_an_untagged_wrong_answer_stays_with_the_open_question(chat):
    chat.start("(2x+1)^3")
    chat.say("u = 2x + 1")
    turn = chat.say("7u")
    assert turn.verdict.step == "dy/du" and not turn.verdict.correct
    assert chat.state.step == "dy/du"


def test_a_tagged_answer_goes_to_its_step_even_out_of_order(chat):
    chat.start("(2x+1)^3")
    chat.say("u = 2x + 1")
    turn = chat.say("du/dx = 2")
    assert turn.verdict.correct and turn.verdict.step == "du/dx"
    assert chat.state.step == "dy/du"  # still the open question
    assert texts(turn, "question")[-1].startswith("Back to the open step. What is dy/du")
    chat.say("3u^2")
    assert chat.state.step == "dy/dx"  # du/dx is not asked again


@pytest.mark.parametrize("text", ["6(2x+1)^2", "dy/dx = 24x^2 + 24x + 6", "y' = 6(2x+1)^2"])
def test_a_correct_final_derivative_is_accepted_at_any_time(chat, text):
    chat.start("(2x+1)^3")
    turn = chat.say(text)
    assert turn.verdict.correct and turn.verdict.step == "dy/dx"
    assert chat.state.solved and not chat.state.gave_up
    attempt = next(e for e in turn.events if isinstance(e, AttemptRecorded))
    assert set(attempt.skills) == {"multiply_factors", "identify_functions",
                                   "outer_derivative", "inner_derivative"}


@pytest.mark.parametrize(("text", "message"), [
    ("sin(3x", "unbalanced parenthesis after 'sin('"),
    ("u = 2x +", "expected an expression after '+'"),
    ("cso(x)", "unknown function 'cso'"),
])
def test_a_typo_gets_the_parsers_actionable_message(chat, text, message):
    chat.start("(2x+1)^3")
    turn = chat.say(text)
    assert message in texts(turn, "feedback")[0]
    assert turn.verdict is None and chat.state.step == "u"
    assert "AttemptRecorded" not in event_types(turn)


def test_next_factor_at_each_point_of_a_three_link_chain(chat):
    chat.start("sin((3x)^2)")
    reports = []
    for answer in ["v = 3x", "u = v^2", "cos(u)", "2v", "3", "18x cos(9x^2)"]:
        reports.append(texts(chat.say("what is the next factor?"), "info")[0])
        chat.say(answer)
    reports.append(texts(chat.say("next factor"), "info")[0])
    naming, naming2, none_yet, one, two, every, solved = reports
    assert "dy/dx = dy/du · du/dv · dv/dx" in naming and "name the links" in naming
    assert "Call it v." in naming and "u in terms of v" in naming2
    assert "none of them yet" in none_yet and "next factor to find is dy/du" in none_yet
    assert "Still missing: dy/du, du/dv, dv/dx" in none_yet
    assert "You already have dy/du = cos(u) = cos(9x²)" in one
    assert "Still missing: du/dv, dv/dx" in one and "next factor to find is du/dv" in one
    assert "du/dv = 2v = 6x" in two and "next factor to find is dv/dx" in two
    assert "Still missing: dv/dx." in two
    assert "every factor" in every and "dv/dx = 3" in every
    assert "All the factors are in" in solved and "18x·cos(9x²)" in solved


def test_the_worked_solution_on_request(chat):
    chat.start("(2x+1)^3")
    chat.say("u = 2x + 1")
    turn = chat.say("I give up, show me the solution")
    solution = [reply for reply in turn.replies if reply.kind == "solution"]
    assert len(solution) == 1
    message = solution[0].to_dict()
    assert message["derivative"] == "6*(2*x + 1)**2"
    assert "u = 2x + 1" in message["text"] and "du/dx = 2" in message["text"]
    assert message["text"].count("At x = 1: dy/du = 27, du/dx = 2") == 1  # the gear view
    assert message["latex"] and message["mathml"].startswith("<math")
    # "show me the solution" is giving up: finished, never solved (issue 13).
    assert not chat.state.solved and chat.state.finished and chat.state.gave_up
    assert chat.state.outcome == "gave_up" and chat.state.to_dict()["solved"] is False
    assert event_types(turn)[:2] == ["SolutionShown", "ProblemSolved"]
    # The steps not found count as not known (BKT), the named link keeps its credit.
    assert turn.mastery["outer_derivative"] == pytest.approx(update(0.2, False))
    assert turn.mastery["identify_functions"] == pytest.approx(0.6)
    assert "another problem" in texts(turn, "question")[-1]


def test_explanations_use_the_lesson_when_given():
    chat = Chat(lesson={CHAIN_RULE: "Lesson: the chain rule.", GEARS: "Lesson: gears."})
    chat.start("(2x+1)^3")
    turn = chat.say("what is the chain rule?")
    assert texts(turn, "explanation") == ["Lesson: the chain rule.", "Lesson: gears."]
    assert texts(turn, "question")[-1].endswith("Call it u.")
    why = chat.say("why do we multiply?")
    assert texts(why, "explanation") == [DEFAULT_EXPLANATIONS[WHY_MULTIPLY]]


def test_repeat_the_question(chat):
    first = chat.start("(2x+1)^3")
    turn = chat.say("can you repeat the question?")
    # the problem as the rest of the chat shows it, never the raw text typed
    assert "We're differentiating (2x + 1)³ with respect to x." in joined(turn) and "^" not in joined(turn)
    assert texts(first, "question")[-1] == "First, what is the inner function? Call it u."
    assert texts(turn, "question")[-1].endswith("What is the inner function? Call it u.")


def test_greeting_thanks_help_and_anything_else(chat):
    chat.start("(2x+1)^3")
    assert "Hello" in joined(chat.say("hello"))
    assert "welcome" in joined(chat.say("thanks!"))
    assert "hint" in joined(chat.say("help"))
    other = chat.say("blorp zanzibar")
    assert "didn't quite catch" in texts(other, "info")[0]
    assert "hint" in texts(other, "info")[0]
    assert other.verdict is None and chat.state.step == "u"


def test_html_like_text_is_only_ever_text(chat):
    chat.start("(2x+1)^3")
    turn = chat.say("<img src=x onerror=alert(1)>")
    assert "<img" not in joined(turn)
    turn = chat.say("<b>2x+1</b>")
    assert all("<b>" not in reply.text for reply in turn.replies)


def test_skip_sets_a_new_problem(chat):
    chat.start("(2x+1)^3")
    turn = chat.say("skip")
    assert chat.state.expression != "(2x+1)^3" and not chat.state.solved
    assert chat.state.seen == ("(2x+1)^3", chat.state.expression)
    assert "ProblemStarted" in event_types(turn)


def test_differentiate_a_bad_expression_keeps_the_problem(chat):
    chat.start("(2x+1)^3")
    turn = chat.say("differentiate sin(x")
    assert "unbalanced parenthesis" in texts(turn, "feedback")[0]
    assert chat.state.expression == "(2x+1)^3"


def test_after_solving_yes_brings_a_new_problem_and_no_waits(chat):
    chat.start("(2x+1)^3")
    chat.say("6(2x+1)^2")
    assert "Alright" in joined(chat.say("no thanks"))
    assert chat.state.solved
    turn = chat.say("yes")
    assert not chat.state.solved and "ProblemStarted" in event_types(turn)


def test_hint_and_answers_after_solving_point_to_the_next_problem(chat):
    chat.start("(2x+1)^3")
    chat.say("6(2x+1)^2")
    assert "already solved" in joined(chat.say("hint"))
    turn = chat.say("6(2x+1)^2")
    assert "already solved" in joined(turn) and turn.verdict is None


def test_a_tagged_answer_outside_the_plan_is_checked_without_moving_on(chat):
    chat.start("(2x+1)^3")
    turn = chat.say("y = u^3")
    assert turn.verdict.correct and turn.verdict.step == "y"
    assert chat.state.step == "u"
    named = [event for event in turn.events if isinstance(event, AttemptRecorded)]
    assert [(e.step, e.correct, e.skills) for e in named] == [("y", True, ("identify_functions",))]
    wrong = chat.say("outer = u^2")
    assert not wrong.verdict.correct and chat.state.step == "u"
    assert [e.correct for e in wrong.events if isinstance(e, AttemptRecorded)] == [False]
    assert chat.state.attempts == 2
    unknown = chat.say("q = 5")
    assert "There is no q in this problem" in texts(unknown, "feedback")[0]
    assert "u = 2x + 1, y = u³" in texts(unknown, "feedback")[0]
