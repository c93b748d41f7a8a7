"""Scripted dialogues for issue 12: the tutor understands learners as they talk.

One section per numbered point of the issue; the state goes through JSON
every turn (see dialogue.py), so each dialogue also resumes after every turn.
"""

from __future__ import annotations

import pytest
import sympy as sp

from service.calculus import parse_expression
from service.calculus.unevaluated import evaluate_tree
from service.tutor.plan import StepKind
from service.tutor.skills import SKILL_LABELS

from service.tutor.engine import respond, start
from service.tutor.events import AttemptRecorded, HintGiven, ProblemStarted
from service.tutor.turn import TutorContext
from tests.unit.tutor.dialogue import Chat, event_types, joined, texts

BANK = [
    {"slug": "power-linear", "expression": "(2x + 1)^3", "difficulty": 1, "family": "power",
     "skills": ["identify_functions", "outer_derivative"]},
    {"slug": "power-quadratic", "expression": "(x^2 + 1)^5", "difficulty": 2, "family": "power",
     "skills": ["outer_derivative"]},
    {"slug": "log-quadratic", "expression": "ln(x^2 + 1)", "difficulty": 2, "family": "log",
     "skills": ["outer_derivative"]},
    {"slug": "trig-three", "expression": "sin((3x)^2)", "difficulty": 4, "family": "trig",
     "skills": ["long_chains"]},
]


@pytest.fixture
def chat() -> Chat:
    return Chat(exercises=BANK)


def attempts(turn) -> list[AttemptRecorded]:
    return [event for event in turn.events if isinstance(event, AttemptRecorded)]


# 1. Maths inside prose --------------------------------------------------------------------


@pytest.mark.parametrize(("said", "shown"), [
    ("could you find the derivative of sqrt(3x+1) for me?", "√(3x + 1)"),
    ("differentiate e to the 3x", "e^(3x)"),
    ("differentiate ln(x^2+1) please", "ln(x² + 1)"),
    ("how do I differentiate (x^2+1)^5", "(x² + 1)⁵"),
    ("can you help me with the derivative of sin(x^2) please?", "sin(x²)"),
    ("find dy/dx if y = cos(3x+2)", "cos(3x + 2)"),
])
def test_a_problem_in_a_sentence_is_taken_without_the_english_around_it(chat, said, shown):
    chat.start()
    turn = chat.say(said)
    assert f"Let's differentiate {shown}" in joined(turn)
    assert "forme" not in joined(turn) and "please" not in chat.state.expression


def test_a_word_is_never_read_as_a_product_of_letters(chat):
    chat.start("(2x+1)^3")
    for said in ("huh?", "idk", "how?", "umm", "I don't know what you want"):
        turn = chat.say(said)
        assert "are not part of this step" not in joined(turn) and attempts(turn) == []


def test_a_keyword_with_a_typo_is_understood(chat):
    chat.start("(2x+1)^3")
    assert texts(chat.say("hnit"), "hint")
    assert "Let's differentiate sin(3x)" in joined(chat.say("derivitive of sin(3x)"))


# 2. Intents in the learner's words -----------------------------------------------------------


def test_a_new_problem_in_words_after_solving_is_that_problem(chat):
    chat.start("(2x+1)^3")
    chat.say("6(2x+1)^2")
    turn = chat.say("next problem: differentiate e^(5x)")
    assert chat.state.expression == "e^(5x)" and not chat.state.solved
    turn = chat.say("now d/dw (σ(wx) - y)^2")
    assert chat.state.variable == "w" and "ProblemStarted" in event_types(turn)


@pytest.mark.parametrize("said", ["I'm confused", "what?", "huh", "idk", "lost", "say it differently"])
def test_confusion_climbs_the_ladder_never_the_command_list(chat, said):
    chat.start("(2x+1)^3")
    turn = chat.say(said)
    assert texts(turn, "hint") and "I understand answers such as" not in joined(turn)
    assert any(isinstance(event, HintGiven) for event in turn.events)


def test_why_after_feedback_explains_that_feedback(chat):
    chat.start("sin(x^2)")
    chat.say("u = x^2")
    chat.say("cos(u)")
    wrong = chat.say("dy/dx = cos(x^2) + 2x")
    assert wrong.verdict.misconception == "added_instead_of_multiplied"
    turn = chat.say("why?")
    assert "gear" in texts(turn, "explanation")[0] and attempts(turn) == []


@pytest.mark.parametrize(("said", "wanted"), [
    ("harder", {"(x^2 + 1)^5", "ln(x^2 + 1)"}), ("one with ln please", {"ln(x^2 + 1)"}),
    ("a three-link one", {"sin((3x)^2)"}), ("similar one", {"(x^2 + 1)^5"}),
])
def test_a_problem_request_gets_a_problem_of_that_kind(chat, said, wanted):
    chat.start("(2x + 1)^3")
    chat.state = chat.state.evolve(exercise_slug="power-linear")
    chat.say(said)
    assert chat.state.expression in wanted


def test_how_am_i_doing_is_answered_in_words_from_mastery():
    chat = Chat(mastery={"identify_functions": 0.95, "outer_derivative": 0.3})
    chat.start("(2x+1)^3")
    said = joined(chat.say("how am I doing?"))
    assert "solid on naming the inner and outer function" in said
    assert "practise" in said and "%" not in said


def test_how_am_i_doing_stays_short_when_much_is_solid():
    chat = Chat(mastery={skill: 0.9 for skill in SKILL_LABELS} | {"mixed_rules": 0.3})
    chat.start("(2x+1)^3")
    said = texts(chat.say("how am I doing?"), "info")[0]
    assert said.startswith("You're solid on 5 of the 6 skills.") and len(said) < 120


def test_the_mastery_line_after_solving_is_one_short_sentence(chat):
    chat.start("sin((3x)^2)")
    for text in ("v = 3x", "u = v^2", "cos(u)", "2v", "3", "18x cos(9x^2)"):
        turn = chat.say(text)
    line = next(text for text in texts(turn, "info") if text.startswith("Your mastery"))
    assert len(line) < 120 and line.count("%") <= 2 and "→" not in line


def test_the_bottom_out_hint_asks_the_step_again_without_its_introduction(chat):
    chat.start("(2x+1)^3")
    chat.say("u = 2x + 1")
    for _ in range(3):
        turn = chat.say("hint")
    assert texts(turn, "question")[-1] == (
        "Type it in to go on. What is dy/du, the derivative of y = u³ with respect to u?")


def test_no_question_asks_with_three_dots(chat):
    for problem in ("(2x+1)^3", "sin((3x)^2)", "σ(2σ(3x))"):
        chat.start(problem)
        assert all("..." not in step.question and "…" not in step.question for step in chat.state.plan.steps)


def test_who_are_you_says_what_the_tutor_is(chat):
    chat.start("(2x+1)^3")
    assert "rule-based" in joined(chat.say("who are you?"))


# 3. Concept questions answered from the lesson ----------------------------------------------


@pytest.mark.parametrize(("said", "words"), [
    ("what is a composite function?", "function applied to the result"),
    ("how do I know which function is inside?", "compute first"),
    ("why not add them?", "gear ratios of 2 and 3 give 5"),
    ("what is backpropagation?", "layer by layer"),
    ("what comes next?", "multivariable chain rule"),
])
def test_a_concept_question_gets_the_lessons_answer(chat, said, words):
    chat.start("(2x+1)^3")
    turn = chat.say(said)
    assert words in texts(turn, "explanation")[0] and attempts(turn) == []


def test_is_this_the_product_rule_is_answered_for_the_problem_at_hand(chat):
    chat.start("sin(x^2)")
    assert "No: sin(x²) is not two functions multiplied" in joined(chat.say("is this the product rule?"))
    chat.say("differentiate x^2 * sin(x)")
    chat.say("product")
    assert "it is the product rule" in joined(chat.say("is this the product rule?"))


# 4. Out of scope said plainly -----------------------------------------------------------------


@pytest.mark.parametrize(("said", "words"), [
    ("integrate 2x cos(x^2)", "Integrals"), ("what is the limit of sin(x)/x", "Limits"),
    ("solve the equation 2x+1 = 5", "equations"), ("tell me a joke", "only teach derivatives"),
    ("what is the gradient vector of x^2 + y^2", "next lesson"),
])
def test_out_of_scope_is_said_plainly_and_nothing_is_recorded(chat, said, words):
    chat.start("(2x+1)^3")
    turn = chat.say(said)
    assert words in texts(turn, "info")[0]
    assert attempts(turn) == [] and chat.state.expression == "(2x+1)^3" and chat.state.step == "u"


def test_d_by_dy_of_a_product_in_x_and_y_is_in_scope(chat):
    chat.start()
    chat.say("d/dy (x^2 y^3)")
    assert chat.state.variable == "y" and chat.state.expression == "(x^2 y^3)"


# 5. An answer answers what it answers ----------------------------------------------------------


@pytest.mark.parametrize("said", ["u is 2x+1", "the inner function is 2x+1", "inner: 2x+1",
                                  "the inside is 2x + 1", "I think u = 2x+1"])
def test_the_inner_function_said_in_words_is_an_answer(chat, said):
    chat.start("(2x+1)^3")
    turn = chat.say(said)
    assert turn.verdict.correct and chat.state.step == "dy/du"


def test_a_wrong_final_answer_before_the_first_step_is_diagnosed(chat):
    chat.start("sin(x^2)")
    turn = chat.say("cos(x)*2x")
    assert turn.verdict.misconception == "outer_not_at_inner"
    assert [event.step for event in attempts(turn)] == ["dy/dx"]


def test_a_correct_final_answer_solves_a_sum_at_once(chat):
    chat.start("sin(x^2) + e^(2x)")
    turn = chat.say("2x cos(x^2) + 2e^(2x)")
    assert turn.verdict.correct and chat.state.solved
    assert "unknown step" not in joined(turn)


# 9. The ladder keeps teaching; over-long messages get a reply -------------------------------


def test_past_the_bottom_out_the_rule_is_taught_again_on_a_simpler_case(chat):
    chat.start("(2x+1)^3")
    for _ in range(3):
        chat.say("hint")
    turn = chat.say("I'm stuck")
    assert "simpler case" in texts(turn, "explanation")[0]


def test_after_the_worked_solution_why_explains(chat):
    chat.start("(2x+1)^3")
    chat.say("show me the solution")
    turn = chat.say("I still don't understand why")
    assert "multiply" in texts(turn, "explanation")[0]


def test_an_over_long_message_gets_a_chat_reply():
    first = start(TutorContext(), "(2x+1)^3")
    turn = respond(first.state, "x" * 2500, TutorContext())
    assert "too long" in turn.replies[0].text and turn.state.step == "u"


# 10. Learner-facing text ------------------------------------------------------------------------


def test_no_reply_lists_internal_steps_or_labels(chat):
    chat.start("(2x+1)^3")
    said = "\n".join(joined(chat.say(text)) for text in
                     ("q = 5", "hint", "blah blah", "u = 2x+1", "3u^2", "2", "6(2x+1)^2"))
    assert "unknown step" not in said and "Recap." not in said and "Back to our problem: Now" not in said


# Actions: the widget's buttons ------------------------------------------------------------------


@pytest.mark.parametrize(("action", "words"), [("hint", "hint"), ("next_factor", "next factor"),
                                               ("solution", "show me the solution"), ("repeat", "repeat")])
def test_an_action_is_handled_exactly_as_its_words(action, words):
    first = start(TutorContext(), "(2x+1)^3")
    pressed = respond(first.state, "", TutorContext(), action=action)
    said = respond(first.state, words, TutorContext())
    assert [(r.kind, r.text) for r in pressed.replies] == [(r.kind, r.text) for r in said.replies]
    assert pressed.reading.reasons == (f"action: {action}",)


def test_an_action_does_not_read_the_text():
    first = start(TutorContext(), "(2x+1)^3")
    turn = respond(first.state, "u = 2x + 1", TutorContext(), action="hint")
    assert turn.verdict is None and turn.state.step == "u" and turn.replies[0].kind == "hint"


def test_the_new_problem_action_sets_one():
    first = start(TutorContext(), "(2x+1)^3")
    turn = respond(first.state, "", TutorContext(), action="new_problem")
    assert any(isinstance(event, ProblemStarted) for event in turn.events)


# 8. Names follow the problem and the learner ------------------------------------------------


def test_a_loss_around_the_target_y_is_named_L(chat):
    chat.start("(w*x - y)^2", "w")
    assert chat.state.plan.final_name == "dL/dw"


def test_a_letter_the_learner_chose_is_accepted_from_then_on(chat):
    chat.start("(w*x - y)^2", "w")
    turn = chat.say("v = wx - y")
    assert turn.verdict.correct and "I'll read your v as my u" in joined(turn)
    turn = chat.say("dL/dv = 2v")
    assert turn.verdict.correct and turn.verdict.step == "dL/du"
    assert chat.state.aliases == {"v": "u"}


# 7. Feedback fits the rule --------------------------------------------------------------------


@pytest.mark.parametrize(("problem", "wrong", "words"), [
    ("sin(x^2) + e^(2x)", "cos(x^2) + e^(2x)", "sum of its parts' derivatives"),
    ("x^2 * sin(x)", "2x*cos(x)", "two terms"),
])
def test_a_wrong_whole_derivative_gets_the_feedback_of_its_rule(chat, problem, wrong, words):
    chat.start(problem)
    turn = chat.say(wrong)
    assert words in turn.verdict.feedback and "multiply" not in turn.verdict.feedback.lower()


# 10. Learner-facing text ------------------------------------------------------------------------


def test_the_derivative_of_tan_is_written_sec_squared_and_other_forms_get_a_note(chat):
    chat.start("tan(3x)")
    chat.say("u = 3x")
    turn = chat.say("1/cos(u)^2")
    assert "sec²(u)" in joined(turn) and "tan²" not in joined(turn)
    assert "Your 1/cos²(u) is the same thing, written another way" in joined(turn)


def test_the_derivative_of_ln_is_one_over_its_input(chat):
    chat.start("ln(x^2 + 1)")
    chat.say("u = x^2 + 1")
    assert "dy/du = 1/u" in joined(chat.say("1/u"))


def test_putting_the_question_another_way_never_gives_the_answer_away(chat):
    chat.start("sin(x^2)")
    first, second = chat.say("huh"), chat.say("idk")
    assert "x²" not in texts(first, "hint")[0] and "another way" in texts(first, "hint")[0]
    assert not any("another way" in text for text in texts(second, "hint"))


# 6. Valid chains the plan did not expect ------------------------------------------------------


def _stated_derivatives_are_right(chat: Chat) -> None:
    """Every derivative the (re-formed) plan states, re-derived with sympy from its chain."""
    state = chat.state
    x = sp.Symbol(state.variable)
    in_x: dict[str, sp.Expr] = {state.variable: x}
    for link in state.plan.chain.split(", "):  # "u = 2x, v = u + 1, y = v³", innermost first
        name, written = link.split(" = ")
        in_x[name] = evaluate_tree(parse_expression(written, state.variable)).subs(
            {sp.Symbol(k): v for k, v in in_x.items()})
    problem = evaluate_tree(parse_expression(state.expression, state.variable))
    assert sp.simplify(in_x[state.plan.final_name[1:].split("/")[0]] - problem) == 0
    for step in state.plan.steps:
        if step.kind is StepKind.DERIVATIVE:
            top, bottom = step.name[1:].split("/d")
            stated = evaluate_tree(parse_expression(step.answer.split(" = ")[-1], state.variable))
            expected = sp.diff(in_x[top], x) / sp.diff(in_x[bottom], x)
            assert sp.simplify(stated - expected) == 0, step.answer
    final = evaluate_tree(parse_expression(state.plan.steps[-1].answer.split(" = ")[-1], state.variable))
    assert sp.simplify(final - sp.diff(problem, x)) == 0


@pytest.mark.parametrize(("problem", "said", "kind", "chain", "next_step"), [
    # an equivalent form of a coarser link: (3x)² written 9x², v = 3x skipped
    ("sin((3x)^2)", ["u = 9x^2"], "a coarser chain", "u = 9x², y = sin(u)", "dy/du"),
    # coarser, as typed and untagged: the open step's letter is kept
    ("sin((3x)^2)", ["(3x)^2"], "a coarser chain", "v = 9x², y = sin(v)", "dy/dv"),
    ("sin((2x)^3)", ["v = 8x^3"], "a coarser chain", "v = 8x³, y = sin(v)", "dy/dv"),
    # finer: 2x inside 2x + 1
    ("(2x+1)^3", ["u = 2x"], "a finer chain", "u = 2x, v = u + 1, y = v³", "v"),
    ("e^(-x^2)", ["the inside is x^2"], "a finer chain", "u = x², v = −u, y = eᵛ", "v"),
    # the constant 2 moved into the link
    ("σ(2σ(3x))", ["u = 3x", "z = 2σ(u)"], "another right way to cut this chain",
     "u = 3x, z = 2σ(u), y = σ(z)", "dy/dz"),
])
def test_a_valid_cut_the_plan_did_not_expect_re_forms_the_plan(chat, problem, said, kind, chain, next_step):
    chat.start(problem)
    for text in said:
        turn = chat.say(text)
    assert turn.verdict.correct and f"that's {kind}" in joined(turn)
    assert "We'll use those names." in joined(turn)
    assert chat.state.plan.chain == chain and chat.state.step == next_step
    assert chat.state.plan.cuts and all(event.correct for event in attempts(turn))
    asked = texts(turn, "question")[-1]
    assert chat.state.plan.step(next_step).question in asked
    _stated_derivatives_are_right(chat)


@pytest.mark.parametrize(("problem", "said"), [
    ("(2x+1)^3", ["u = 2x", "v = u + 1", "3v^2", "1", "2", "6(2x+1)^2"]),
    ("sin((3x)^2)", ["u = 9x^2", "cos(u)", "18x", "18x cos(9x^2)"]),
    ("σ(2σ(3x))", ["u = 3x", "z = 2σ(u)", "σ(z)(1-σ(z))", "2σ(u)(1-σ(u))", "3"]),
])
def test_a_re_formed_plan_is_followed_to_the_end(chat, problem, said):
    chat.start(problem)
    for text in said:
        turn = chat.say(text)
        assert turn.verdict.correct, (text, joined(turn))
    if not chat.state.finished:
        turn = chat.say(chat.state.plan.steps[-1].answer)
    assert chat.state.solved


def test_a_finer_cut_still_catches_the_classic_slip_at_the_derivative_step(chat):
    chat.start("(2x+1)^3")
    chat.say("u = 2x")
    chat.say("v = u + 1")
    tagged = chat.say("dy/du = 3u^2")
    assert not tagged.verdict.correct and "y = (u + 1)³" in joined(tagged)
    untagged = chat.say("3u^2")
    assert not untagged.verdict.correct and untagged.verdict.step == "dy/dv"
    assert chat.state.step == "dy/dv"
    assert [event.correct for event in attempts(untagged)] == [False]


def test_the_worked_solution_after_a_re_formed_plan_says_both_cuts(chat):
    chat.start("(2x+1)^3")
    chat.say("u = 2x")
    turn = chat.say("show me the solution")
    said = texts(turn, "explanation")[0]
    assert said.startswith("On the chain as you cut it, u = 2x, v = u + 1, y = v³:")
    assert "dy/dx = 6(2x + 1)²" in said and "its letters mean other links" in said
    assert "u = 2x + 1" in texts(turn, "solution")[0]


def test_a_step_found_before_the_cut_stays_found_when_it_means_the_same(chat):
    chat.start("σ(2σ(3x))")
    chat.say("u = 3x")
    chat.say("du/dx = 3")
    chat.say("z = 2σ(u)")
    assert "du/dx" in chat.state.done and "dz/du" not in chat.state.done
    chat.start("sqrt(3x+1)")
    chat.say("du/dx = 3")  # the derivative of u = 3x + 1: after the cut u = 3x it is another step
    chat.say("u = 3x")
    assert chat.state.done == ("u",)


def test_a_wrong_cut_is_still_wrong(chat):
    chat.start("(2x+1)^3")
    for text in ("u = x", "u = 2", "u = x + 1", "u = (2x+1)^3"):
        assert not chat.say(text).verdict.correct, text
    assert chat.state.plan.cuts == ()


def test_words_after_an_answer_are_not_read_as_letters_of_it(chat):
    chat.start("(3x^2+1)^4")
    chat.say("the inside is 3x^2+1")
    turn = chat.say("4u^3 i think")
    assert turn.verdict.correct and turn.verdict.step == "dy/du"


def test_a_question_asked_again_does_not_repeat_its_introduction(chat):
    chat.start("(2x+1)^3")
    chat.say("u = 2x + 1")
    turn = chat.say("du/dx = 2")
    assert "Now the local derivatives" not in joined(turn)
    assert "Now the local derivatives" not in joined(chat.say("who are you"))
