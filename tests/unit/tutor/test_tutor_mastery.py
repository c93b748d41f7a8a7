"""Bayesian Knowledge Tracing against values computed by hand."""

from __future__ import annotations

import pytest

from service.tutor.mastery import (
    DEFAULT_PARAMS, BKTParams, full_mastery, observe, probability, update, weakest_skill,
)
from service.tutor.skills import SKILL_NAMES


def test_documented_parameters():
    assert DEFAULT_PARAMS == BKTParams(p_init=0.2, p_transit=0.15, p_slip=0.1, p_guess=0.2)


def test_correct_answer_from_the_prior():
    # posterior = 0.2·0.9 / (0.2·0.9 + 0.8·0.2) = 0.18 / 0.34 = 9/17
    # learned   = 9/17 + (8/17)·0.15 = 0.6
    assert update(0.2, True) == pytest.approx(0.6)


def test_wrong_answer_from_the_prior():
    # posterior = 0.2·0.1 / (0.2·0.1 + 0.8·0.8) = 0.02 / 0.66 = 1/33
    # learned   = 1/33 + (32/33)·0.15 = 5.8/33
    assert update(0.2, False) == pytest.approx(5.8 / 33)


def test_two_correct_answers_in_a_row():
    # from 0.6: posterior = 0.54 / (0.54 + 0.4·0.2) = 0.54/0.62; + (0.08/0.62)·0.15
    expected = 0.54 / 0.62 + (0.08 / 0.62) * 0.15
    assert update(update(0.2, True), True) == pytest.approx(expected)


def test_other_parameters_are_used():
    params = BKTParams(p_init=0.5, p_transit=0.0, p_slip=0.0, p_guess=0.5)
    # no slip: a wrong answer proves the skill is not known
    assert update(0.5, False, params) == pytest.approx(0.0)
    # posterior = 0.5 / (0.5 + 0.25) = 2/3
    assert update(0.5, True, params) == pytest.approx(2 / 3)


def test_observe_updates_only_the_exercised_skills_and_keeps_the_input():
    before = {"outer_derivative": 0.2}
    after = observe(before, ["outer_derivative", "long_chains", "outer_derivative"], True)
    assert before == {"outer_derivative": 0.2}
    assert after["outer_derivative"] == pytest.approx(0.6)  # once, not twice
    assert after["long_chains"] == pytest.approx(0.6)
    assert after["inner_derivative"] == pytest.approx(0.2)
    assert set(after) == set(SKILL_NAMES)


def test_unseen_skills_get_the_prior():
    assert probability({}, "mixed_rules") == 0.2
    assert full_mastery({"long_chains": 0.7})["long_chains"] == 0.7


def test_weakest_skill_is_the_lowest_first_listed_on_ties():
    assert weakest_skill({}) == SKILL_NAMES[0]
    mastery = {name: 0.9 for name in SKILL_NAMES} | {"long_chains": 0.3}
    assert weakest_skill(mastery) == "long_chains"
