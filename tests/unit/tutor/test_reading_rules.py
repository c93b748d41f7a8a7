"""The reading's shape rules and typo limits, each on messages that differ only in what it decides."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from service.tutor.intents import Intent
from service.tutor.reading import read
from service.tutor.reading.phrasebook import check_phrasebook, content_dir


@pytest.mark.parametrize(("text", "intent"), [
    ("what?", Intent.CONFUSED),
    ("wait what", Intent.CONFUSED),
    ("how??", Intent.HINT),
])
def test_a_question_word_is_a_plea_only_when_said_alone(text, intent):
    assert read(text).intent is intent


@pytest.mark.parametrize(("text", "not_read_as"), [
    ("what time is it", Intent.CONFUSED),
    ("how old are you", Intent.HINT),
])
def test_inside_a_sentence_a_question_word_is_no_plea(text, not_read_as):
    assert read(text).intent is not not_read_as


@pytest.mark.parametrize(("text", "intent"), [
    ("hnit", Intent.HINT),           # a swap
    ("whyy", Intent.WHY),            # a letter held down
    ("move on", Intent.NEW_PROBLEM),  # not "movie": one edit in four letters makes another word
    ("why does this matter in real life", Intent.QUESTION),  # "life" is not "like"
])
def test_a_short_word_is_a_typo_only_when_swapped_or_stretched(text, intent):
    assert read(text).intent is intent


def test_a_past_tense_is_not_its_verb():
    reading = read("how many have i solved")
    assert reading.intent is Intent.PROGRESS
    assert not any("typo" in reason for reason in reading.reasons)


def test_without_maths_a_derivative_request_loses_to_any_other_intent_that_scores():
    assert read("help me out here").intent is not Intent.DIFFERENTIATE
    assert read("help me with (2x+1)^3").intent is Intent.DIFFERENTIATE
    assert read("can you differentiate something for me").intent is Intent.DIFFERENTIATE  # nothing else scores


def test_a_why_question_never_requests_a_problem():
    assert read("why do you multiply the derivatives instead of something else").intent is not Intent.NEW_PROBLEM
    reading = read("why is e^x its own derivative")
    assert (reading.intent, reading.question) == (Intent.QUESTION, "exp-rule")


@pytest.mark.parametrize(("text", "intent"), [
    ("one with e^x", Intent.WITH_EXP),
    ("something with ln(x) in it", Intent.WITH_LOG),
    ("give me one with sin(x)", Intent.WITH_TRIG),
    ("a chain with 3 links pls", Intent.LONG_CHAIN),         # "3 links" is a count
    ("one with three functions nested", Intent.LONG_CHAIN),  # a request, not the question on longer chains
])
def test_a_problem_asked_for_by_what_is_in_it(text, intent):
    assert read(text).intent is intent


def test_solving_an_equation_and_a_gradient_in_several_variables_are_out_of_scope():
    assert read("solve x^2-4=0 for x").intent is Intent.OUT_OF_SCOPE
    assert read("find the gradient of x^2+y^2").intent is Intent.OUT_OF_SCOPE
    # one variable chosen, or a name on the left of "=": in scope
    assert read("gradient of (w*x+b)^2 with respect to w").intent is Intent.DIFFERENTIATE
    assert read("d/dy (x^2 y^3)").variable == "y"
    assert read("find dy/dx if y = ln(5x+2)").intent is Intent.DIFFERENTIATE


def test_a_stated_result_and_a_tag_after_the_maths_are_answers():
    stated = read("so the derivative is 12x(x^2+1)^5")
    assert (stated.intent, stated.expression) == (Intent.ANSWER, "12x(x^2+1)^5")
    assert read("what is the derivative of (x^2+1)^6").intent is Intent.DIFFERENTIATE
    tagged = read("x^2+1 is the inner function")
    assert (tagged.intent, tagged.expression, tagged.tag) == (Intent.ANSWER, "x^2+1", "inner")


def test_times_between_two_pieces_of_maths_multiplies():
    assert read("e^(3x) times 3").expression == "e^(3x)*3"
    assert read("ok so 3 times already").expression != "3*already"


def test_a_short_word_the_phrasings_use_is_scored_when_no_maths_is_read():
    reading = read("can you just cancel the du")
    assert (reading.intent, reading.question) == (Intent.QUESTION, "cancel-fractions")


def test_an_unquoted_on_in_the_phrasebook_is_a_problem(tmp_path: Path):
    shutil.copytree(content_dir() / "tutor", tmp_path / "tutor")
    phrasings = tmp_path / "tutor" / "phrasings.yaml"
    phrasings.write_text(phrasings.read_text().replace('"on"', "on", 1))
    assert any("reads as a true/false value" in problem for problem in check_phrasebook(tmp_path))


@pytest.mark.parametrize("text", ["what about it?", "umm what are you talking about", "how about",
                                  "let's do", "now do"])
def test_a_lead_in_to_maths_without_maths_starts_no_problem(text):
    assert read(text).intent not in (Intent.NEW_PROBLEM, Intent.DIFFERENTIATE)


@pytest.mark.parametrize(("text", "expression"), [
    ("what about e^x", "e^x"), ("how about sin(2x)", "sin(2x)"), ("now do ln(x^2+1)", "ln(x^2+1)"),
    ("let's do e^(3x)", "e^(3x)"), ("let's try (x^2+1)^5", "(x^2+1)^5"),
])
def test_a_lead_in_to_maths_with_maths_asks_for_that_problem(text, expression):
    reading = read(text)
    assert reading.intent is Intent.DIFFERENTIATE and reading.expression == expression


def test_lets_try_again_keeps_the_problem_and_asks_its_question_again():
    from tests.unit.tutor.dialogue import Chat, joined

    chat = Chat()
    chat.start("(2x+1)^3")
    turn = chat.say("let's try again")
    assert read("let's try again").intent is Intent.REPEAT
    assert chat.state.expression == "(2x+1)^3" and "inner function" in joined(turn)
