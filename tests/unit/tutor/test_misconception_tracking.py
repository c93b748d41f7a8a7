"""A simulated class: each learner holds one known misconception; after ten problems the tutor's
top-ranked misconception for a learner should be the true one for at least 90 % of them."""

from __future__ import annotations

import random

import sympy as sp

from service.calculus import check_answer, decompose, parse_expression
from service.calculus.candidates import wrong_derivatives
from service.calculus.checking import possible_misconceptions
from service.calculus.misconceptions import Misconception
from service.tutor.beliefs import observe_answer
from service.tutor.problems import Exercise, choose_problem

# A bank in which every misconception can show somewhere (three-link chains for missing_link).
BANK = [
    Exercise(f"e{i}", text, "x", 2, ("multiply_factors",), None)
    for i, text in enumerate([
        "(2x+1)^3", "(5x-3)^6", "(x^2+1)^4", "sin(x^2)", "cos(3x^2)", "e^(x^2)", "ln(x^2+1)",
        "sin(3x)", "sqrt(4x+1)", "(3x-2)^5", "cos(x^3)", "sin(cos(x^2))", "(sin(2x)+1)^3",
        "e^(sin(x^2))", "ln(cos(3x))", "tan(x^2)", "(1-x^2)^3", "cos((2x+1)^2)", "sin((3x)^2)",
        "(x^3+2)^2", "e^(3x+1)", "sqrt(x^2+9)", "ln(sin(x^2))", "cos(e^(2x))",
    ])
]
LEARNERS_PER_MISCONCEPTION = 5
PROBLEMS = 10
P_SHOW = 0.8  # a holder writes the misconception's answer where it can show


def answer_of(expression: str, holds: Misconception, rng: random.Random) -> str:
    """What a learner holding ``holds`` writes for the final derivative."""
    x = sp.Symbol("x")
    tree = decompose(parse_expression(expression, "x"), x)
    own = [w for w in wrong_derivatives(tree) if w.misconception is holds]
    if own and rng.random() < P_SHOW:
        return sp.sstr(own[0].derivative)
    return sp.sstr(tree.derivative)


def test_the_top_ranked_misconception_is_the_true_one_for_nine_learners_in_ten():
    rng = random.Random(13)
    right = total = 0
    for holds in Misconception:
        for learner in range(LEARNERS_PER_MISCONCEPTION):
            beliefs: dict[str, float] = {}
            seen: list[str] = []
            for _ in range(PROBLEMS):
                problem = choose_problem(BANK, {}, seen, rng, beliefs=beliefs)
                seen.append(problem.expression)
                verdict = check_answer(problem.expression, answer_of(problem.expression, holds, rng))
                exposed = possible_misconceptions(problem.expression)
                beliefs = observe_answer(beliefs, exposed, verdict.correct, verdict.misconception)
            top = max(beliefs, key=beliefs.get)
            right += top == holds
            total += 1
    print(f"{right} of {total} learners: top-ranked misconception is the true one")
    assert right / total >= 0.9, f"{right} of {total} learners ranked right"
