"""The skills the tutor traces, one mastery probability each.

They are the parts of a chain-rule derivative a learner can get right or
wrong on their own; exercises in ``content/`` are tagged with these names.
"""

from __future__ import annotations

from enum import Enum


class Skill(str, Enum):
    """A skill of the chain rule a learner shows (or lacks) in one step."""

    IDENTIFY_FUNCTIONS = "identify_functions"  # naming the inner and outer function
    OUTER_DERIVATIVE = "outer_derivative"      # differentiating the outer function
    INNER_DERIVATIVE = "inner_derivative"      # differentiating the inner function
    MULTIPLY_FACTORS = "multiply_factors"      # multiplying the local derivatives
    LONG_CHAINS = "long_chains"                # chains of three or more links
    MIXED_RULES = "mixed_rules"                # chains inside products, quotients and sums


SKILL_NAMES: tuple[str, ...] = tuple(skill.value for skill in Skill)

SKILL_LABELS: dict[str, str] = {
    Skill.IDENTIFY_FUNCTIONS.value: "Naming the inner and outer function",
    Skill.OUTER_DERIVATIVE.value: "Differentiating the outer function",
    Skill.INNER_DERIVATIVE.value: "Differentiating the inner function",
    Skill.MULTIPLY_FACTORS.value: "Multiplying the local derivatives",
    Skill.LONG_CHAINS.value: "Chains of three or more links",
    Skill.MIXED_RULES.value: "Chains inside products, quotients and sums",
}
