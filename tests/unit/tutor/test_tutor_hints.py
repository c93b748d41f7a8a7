"""The hint ladder: pointing, then teaching, then bottom-out."""

from __future__ import annotations

from service.calculus.derivation import Rule
from service.tutor.explanations import DEFAULT_EXPLANATIONS, GEARS, explanation
from service.tutor.hints import (
    LADDER, HintLadder, HintLevel, derivative_ladder, identify_ladder, multiply_ladder,
    rule_ladder,
)


def test_ladder_order_and_bottom_out_repeats():
    ladder = HintLadder("where", "rule", "answer")
    assert LADDER == (HintLevel.POINTING, HintLevel.TEACHING, HintLevel.BOTTOM_OUT)
    assert [ladder.hint(given) for given in range(4)] == [
        (HintLevel.POINTING, "where"), (HintLevel.TEACHING, "rule"),
        (HintLevel.BOTTOM_OUT, "answer"), (HintLevel.BOTTOM_OUT, "answer"),
    ]
    assert HintLadder.from_list(ladder.to_list()) == ladder


def test_derivative_ladder_points_then_teaches_the_rule_then_gives_the_factor():
    ladder = derivative_ladder("dy/du", "y", "u", "u³", Rule.POWER, "dy/du = 3u² = 3(2x + 1)²")
    assert "y = u³" in ladder.pointing and "3u²" not in ladder.pointing
    assert ladder.teaching.startswith("Power rule")
    assert "3(2x + 1)²" not in ladder.teaching
    assert ladder.bottom_out == "dy/du = 3u² = 3(2x + 1)²"


def test_every_rule_of_the_core_has_a_teaching_example():
    from service.tutor.hints import RULE_EXAMPLES
    from service.calculus.derivation import Rule

    assert set(Rule) <= set(RULE_EXAMPLES)


def test_identify_ladder_does_not_give_the_answer_before_bottom_out():
    ladder = identify_ladder("v", "3x", "x", innermost=True)
    assert "3x" not in ladder.pointing and "3x" not in ladder.teaching
    assert ladder.bottom_out == "v = 3x"


def test_multiply_ladder_teaches_with_the_gears():
    ladder = multiply_ladder(["dy/du = 3", "du/dx = 2"], "dy/dx", "6")
    assert "dy/du = 3" in ladder.pointing
    assert "gears" in ladder.teaching
    assert ladder.bottom_out == "dy/dx = 6"


def test_rule_ladder_teaches_the_product_rule():
    ladder = rule_ladder("product")
    assert "f'·g + f·g'" in ladder.teaching
    assert ladder.bottom_out == "It is the product rule."


def test_explanations_prefer_the_lesson_and_fall_back_to_ours():
    assert explanation({GEARS: "  Gears from the lesson.  "}, GEARS) == "Gears from the lesson."
    assert explanation({GEARS: ""}, GEARS) == DEFAULT_EXPLANATIONS[GEARS]
