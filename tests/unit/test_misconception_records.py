"""One declarative record per misconception, and the skills each is evidence against."""

from __future__ import annotations

import pytest

from service.calculus import MISCONCEPTIONS, check_answer, check_step
from service.calculus.checking import possible_misconceptions
from service.calculus.misconceptions import RECORDS, Misconception, evidence_against, label, rank
from service.calculus.skills import SKILL_NAMES

CONTRACT = {
    "missing_inner_derivative", "outer_not_at_inner", "power_rule_exponent", "sign_error",
    "added_instead_of_multiplied", "composed_derivatives", "missing_link",
}

# The issue's attribution table: misconception -> skills a final answer showing it is evidence against.
ATTRIBUTION = {
    "missing_inner_derivative": ("inner_derivative",),
    "outer_not_at_inner": ("outer_derivative",),
    "power_rule_exponent": ("outer_derivative",),
    "composed_derivatives": ("multiply_factors",),
    "added_instead_of_multiplied": ("multiply_factors",),
    "missing_link": ("long_chains",),
    "sign_error": ("outer_derivative", "inner_derivative"),
}


def test_every_contract_name_has_exactly_one_complete_record() -> None:
    assert set(RECORDS) == CONTRACT == set(MISCONCEPTIONS)
    assert sorted(record.priority for record in RECORDS.values()) == list(range(1, len(CONTRACT) + 1))
    for name, record in RECORDS.items():
        assert record.name is name and record.description and record.label and record.candidate
        assert callable(record.feedback)
        assert record.evidence_against and all(skill.value in SKILL_NAMES for skill in record.evidence_against)


def test_names_are_the_contract_strings() -> None:
    assert Misconception.MISSING_LINK == "missing_link"
    verdict = check_answer("(2x+1)^3", "3(2x+1)^2")
    assert type(verdict.misconception) is str and verdict.misconception == "missing_inner_derivative"


@pytest.mark.parametrize("name, skills", sorted(ATTRIBUTION.items()))
def test_a_final_answer_counts_against_the_skill_the_mistake_shows(name: str, skills: tuple[str, ...]) -> None:
    assert evidence_against(name, ["multiply_factors"], local_step=False) == skills


@pytest.mark.parametrize("name", ["power_rule_exponent", "sign_error", "outer_not_at_inner"])
def test_a_slip_in_one_local_derivative_counts_against_that_step(name: str) -> None:
    assert evidence_against(name, ["inner_derivative"], local_step=True) == ("inner_derivative",)


def test_an_unclassified_wrong_answer_counts_against_the_steps_own_skill() -> None:
    assert evidence_against(None, ["multiply_factors", "long_chains"], local_step=False) == ("multiply_factors",)


@pytest.mark.parametrize("problem, answer, name, skill", [
    ("(5x-3)^6", "dy/dx = 6(5x-3)^5", "missing_inner_derivative", "inner_derivative"),
    ("sin(x^2)", "2x cos(x)", "outer_not_at_inner", "outer_derivative"),
    ("(2x+1)^3", "6(2x+1)^3", "power_rule_exponent", "outer_derivative"),
    ("sin(cos(x^2))", "-cos(cos(x^2)) sin(x^2)", "missing_link", "long_chains"),
])
def test_the_issues_examples_reach_the_right_skill(problem: str, answer: str, name: str, skill: str) -> None:
    verdict = check_answer(problem, answer.removeprefix("dy/dx = "))
    assert verdict.misconception == name
    assert evidence_against(verdict.misconception, ["multiply_factors"], local_step=False)[0] == skill


def test_priority_and_labels_come_from_the_records() -> None:
    assert rank("missing_inner_derivative") < rank("missing_link") < rank("sign_error") < rank(None)
    assert label("added_instead_of_multiplied") == "Local derivatives added"
    assert check_step("(2x+1)^3", "dy/du", "3u^3").misconception == "power_rule_exponent"


def test_the_misconceptions_a_step_can_show_are_those_the_core_builds() -> None:
    assert possible_misconceptions("(2x+1)^3", "dy/du") == {"power_rule_exponent", "outer_not_at_inner", "sign_error"}
    assert "missing_link" in possible_misconceptions("sin(cos(x^2))")
    assert "missing_link" not in possible_misconceptions("(2x+1)^3")
