"""The knowledge model in the engine: outcomes, model-tracing evidence, per-skill parameters, beliefs."""

from __future__ import annotations

import pytest

from service.tutor.beliefs import DEFAULT_BELIEFS, most_likely, observe_answer, update_belief
from service.tutor.mastery import BKTParams, SkillParams, observe, update
from service.tutor.state import ConversationState
from tests.unit.tutor.dialogue import Chat, event_types

PRIOR = 0.2


def moved(chat: Chat, before: dict[str, float]) -> set[str]:
    return {skill for skill, p in chat.mastery.items() if p != pytest.approx(before.get(skill, PRIOR))}


# --- BKT arithmetic with per-skill parameters ------------------------------------------------------

def test_forgetting_is_applied_after_the_posterior():
    params = BKTParams(p_init=0.2, p_transit=0.1, p_slip=0.1, p_guess=0.2, p_forget=0.05)
    # posterior 9/17 (as in the standard case); then 9/17·0.95 + 8/17·0.1
    assert update(0.2, True, params) == pytest.approx(9 / 17 * 0.95 + 8 / 17 * 0.1)


def test_each_skill_uses_its_own_fitted_parameters():
    fitted = SkillParams({"outer_derivative": BKTParams(p_init=0.5, p_transit=0.0, p_slip=0.0, p_guess=0.5)})
    new = observe({}, ["outer_derivative", "inner_derivative"], True, fitted)
    assert new["outer_derivative"] == pytest.approx(2 / 3)   # 0.5 / (0.5 + 0.25), no transit
    assert new["inner_derivative"] == pytest.approx(0.6)     # the defaults
    assert new["long_chains"] == PRIOR


# --- outcomes --------------------------------------------------------------------------------------

def test_solved_unaided_and_with_hints_are_told_apart():
    chat = Chat()
    chat.start("(2x+1)^3")
    chat.say("dy/dx = 6(2x+1)^2")
    assert chat.state.solved and chat.state.outcome == "solved"
    hinted = Chat()
    hinted.start("(2x+1)^3")
    hinted.say("hint")
    hinted.say("dy/dx = 6(2x+1)^2")
    assert hinted.state.solved and hinted.state.outcome == "solved_with_hints"


def test_a_new_problem_before_finishing_abandons_the_open_one():
    chat = Chat()
    chat.start("(2x+1)^3")
    turn = chat.say("differentiate sin(x^2)")
    assert "ProblemAbandoned" in event_types(turn)
    assert chat.state.expression == "sin(x^2)" and chat.state.outcome == "in_progress"


def test_a_state_stored_before_outcomes_reads_solved_as_finished():
    old = ConversationState(expression="(2x+1)^3").to_dict()
    old.update(solved=True, gave_up=True)
    del old["finished"]
    state = ConversationState.from_dict(old)
    assert state.finished and not state.solved and state.outcome == "gave_up"


# --- model tracing ---------------------------------------------------------------------------------

def test_a_forgotten_inner_derivative_lowers_only_the_inner_derivative():
    chat = Chat()
    chat.start("(5x-3)^6")
    chat.say("dy/dx = 6(5x-3)^5")
    assert chat.turns[-1].verdict.misconception == "missing_inner_derivative"
    assert moved(chat, {}) == {"inner_derivative"}
    assert chat.mastery["inner_derivative"] < PRIOR


def test_an_outer_derivative_taken_at_x_lowers_only_the_outer_derivative():
    chat = Chat()
    chat.start("sin(x^2)")
    chat.say("dy/dx = 2x cos(x)")
    assert moved(chat, {}) == {"outer_derivative"}


def test_only_the_first_attempt_at_a_step_is_observed():
    chat = Chat()
    chat.start("(2x+1)^3")
    chat.say("u = 2x + 1")
    chat.say("dy/du = 3u")            # first try: wrong
    after_first = dict(chat.mastery)
    chat.say("dy/du = 3u^2")          # second try: right, but not an observation
    assert chat.mastery["outer_derivative"] == after_first["outer_derivative"] < PRIOR


def test_a_hint_before_the_first_attempt_makes_it_incorrect():
    chat = Chat()
    chat.start("(2x+1)^3")
    chat.say("hint")
    chat.say("u = 2x + 1")
    assert chat.mastery["identify_functions"] < PRIOR


def test_a_correct_unaided_step_credits_its_skills_once():
    chat = Chat()
    chat.start("(2x+1)^3")
    turn = chat.say("u = 2x + 1")
    assert turn.opportunities == {"identify_functions": 1}
    assert chat.mastery["identify_functions"] == pytest.approx(0.6)


def test_a_shown_solution_is_incorrect_for_the_revealed_steps_not_yet_observed():
    chat = Chat()
    chat.start("(2x+1)^3")
    chat.say("u = 2x + 1")
    before = dict(chat.mastery)
    turn = chat.say("show me the solution")
    assert chat.mastery["identify_functions"] == before["identify_functions"]   # observed already
    assert {"outer_derivative", "inner_derivative", "multiply_factors"} <= set(turn.opportunities)
    assert all(chat.mastery[s] < PRIOR for s in ("outer_derivative", "inner_derivative", "multiply_factors"))
    assert not chat.state.solved and chat.state.outcome == "gave_up"


# --- misconception beliefs -------------------------------------------------------------------------

def test_belief_update_against_hand_computed_values():
    # matched: 0.1·0.7 / (0.1·0.7 + 0.9·0.03) = 0.07 / 0.097
    assert update_belief(0.1, True) == pytest.approx(0.07 / 0.097)
    # right where it could show: 0.1·0.2 / (0.1·0.2 + 0.9·0.85) = 0.02 / 0.785
    assert update_belief(0.1, False) == pytest.approx(0.02 / 0.785)


def test_a_match_raises_a_right_answer_lowers_another_mistake_leaves_it():
    beliefs = observe_answer({}, ["sign_error"], False, "sign_error")
    assert beliefs["sign_error"] > DEFAULT_BELIEFS.prior
    lowered = observe_answer(beliefs, ["sign_error"], True, None)
    assert lowered["sign_error"] < beliefs["sign_error"]
    unchanged = observe_answer(beliefs, ["sign_error"], False, "missing_link")
    assert unchanged["sign_error"] == beliefs["sign_error"]
    assert most_likely(beliefs) == "sign_error"


def test_the_engine_raises_the_belief_the_answer_shows():
    chat = Chat()
    chat.start("(5x-3)^6")
    chat.say("dy/dx = 6(5x-3)^5")
    assert max(chat.misconceptions, key=chat.misconceptions.get) == "missing_inner_derivative"


def test_a_probable_misconception_picks_a_problem_that_exposes_it():
    import random

    from service.tutor.problems import Exercise, choose_problem

    bank = [Exercise("two", "(2x+1)^3", "x", 1, ("identify_functions",), None),
            Exercise("three", "sin(cos(x^2))", "x", 5, ("long_chains",), None)]
    for seed in range(5):
        chosen = choose_problem(bank, {}, set(), random.Random(seed), beliefs={"missing_link": 0.8})
        assert chosen.expression == "sin(cos(x^2))"   # the only one where a link can go missing
    # Without a probable misconception the weakest skill decides, as before.
    plain = choose_problem(bank, {"identify_functions": 0.1}, set(), random.Random(0), beliefs={"missing_link": 0.2})
    assert plain.expression == "(2x+1)^3"


def test_the_mastery_line_never_claims_certainty():
    """Three right steps of a long chain take BKT to ~0.99: the learner reads 99%, not 100%."""
    chat = Chat()
    chat.start("(2x+1)^3")
    for text in ("u = 2x", "v = u + 1", "y = v^3", "dy/dv = 3v^2", "dv/du = 1", "du/dx = 2"):
        chat.say(text)
    turn = chat.say("dy/dx = 6(2x+1)^2")
    line = next(reply.text for reply in turn.replies if reply.text.startswith("Your mastery"))
    assert "100%" not in line and "99%" in line
