"""Choosing the next problem: the weakest skill, the bank, fresh problems."""

from __future__ import annotations

import random

import pytest

from service.calculus import solve
from service.calculus.derivation import ProductRule, QuotientRule
from service.tutor.problems import (
    FAMILIES, Exercise, choose_problem, generate_mixed_problem, generate_problem, target_difficulty,
)
from service.tutor.skills import SKILL_NAMES
from tests.unit.tutor.dialogue import Chat

BANK = [
    {"slug": "easy-power", "expression": "(3x - 2)^4", "difficulty": 1,
     "skills": ["identify_functions", "outer_derivative"]},
    {"slug": "mid-power", "expression": "(x^2 + 1)^5", "difficulty": 2,
     "skills": ["identify_functions", "outer_derivative"]},
    {"slug": "deep", "expression": "sin(e^(2x))^2", "difficulty": 4, "skills": ["long_chains"]},
    {"slug": "product", "expression": "x·e^(x^2)", "difficulty": 3, "skills": ["mixed_rules"]},
]


def strong_except(skill: str) -> dict[str, float]:
    return {name: 0.9 for name in SKILL_NAMES} | {skill: 0.3}


def test_the_bank_exercise_for_the_weakest_skill_is_chosen():
    problem = choose_problem(BANK, strong_except("long_chains"), set(), random.Random(1))
    assert (problem.exercise_slug, problem.skill) == ("deep", "long_chains")
    problem = choose_problem(BANK, strong_except("mixed_rules"), set(), random.Random(1))
    assert problem.exercise_slug == "product"


def test_the_difficulty_suits_the_mastery():
    assert target_difficulty(0.2) == 2
    problem = choose_problem(BANK, {}, set(), random.Random(1))  # identify_functions at 0.2
    assert problem.exercise_slug == "mid-power"


def test_problems_seen_are_not_repeated_and_then_generated():
    seen = {"(x^2 + 1)^5"}
    assert choose_problem(BANK, {}, seen, random.Random(1)).exercise_slug == "easy-power"
    seen.add("(3x - 2)^4")
    fresh = choose_problem(BANK, {}, seen, random.Random(1))
    assert fresh.exercise_slug is None and fresh.expression not in seen
    assert len(solve(fresh.expression).chain.links) == 2


def test_exercises_may_be_dataclasses():
    exercise = Exercise.from_data(BANK[2])
    assert exercise.skills == ("long_chains",)
    problem = choose_problem([exercise], strong_except("long_chains"), set(), random.Random(3))
    assert problem.expression == "sin(e^(2x))^2"


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("depth", [2, 3])
def test_generated_chains_have_the_depth_and_are_solvable(family, depth):
    rng = random.Random(f"{family}{depth}")
    seen: set[str] = set()
    for _ in range(3):
        problem = generate_problem(depth, family, rng, seen)
        assert problem.expression not in seen
        seen.add(problem.expression)
        assert len(solve(problem.expression).chain.links) == depth


def test_generated_mixed_problems_are_products_or_quotients():
    problem = generate_mixed_problem("trig", random.Random(5))
    assert isinstance(solve(problem.expression).tree, (ProductRule, QuotientRule))


def test_unknown_family_is_refused():
    with pytest.raises(ValueError, match="unknown family"):
        generate_problem(2, "banana", random.Random(1))


def test_start_without_expression_picks_for_the_weakest_skill():
    chat = Chat(exercises=BANK, mastery=strong_except("long_chains"))
    turn = chat.start()
    assert chat.state.expression == "sin(e^(2x))^2" and chat.state.exercise_slug == "deep"
    assert turn.events[0].to_dict() == {"type": "ProblemStarted", "expression": "sin(e^(2x))^2",
                                        "variable": "x", "exercise_slug": "deep"}


def test_a_learners_history_is_not_repeated_across_conversations():
    chat = Chat(exercises=BANK, mastery=strong_except("long_chains"), seen=["sin(e^(2x))^2"])
    chat.start()
    assert chat.state.expression != "sin(e^(2x))^2"
    assert len(solve(chat.state.expression).chain.links) == 3  # a fresh long chain instead
