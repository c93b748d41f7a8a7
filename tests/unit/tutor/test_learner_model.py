"""A turn's evidence, traced into another copy of the model, moves it exactly as the engine moved the learner's.

A course's copy of the learner model (what its instructor reads) is kept by
replaying each turn's evidence (:func:`service.tutor.learner_model.trace`).
It must be the same arithmetic as the engine's own update, step for step:
replayed into the model the turn started from, the evidence gives back the
turn's mastery and beliefs exactly.
"""

from __future__ import annotations

import pytest

from service.tutor.evidence import Observation
from service.tutor.learner_model import AnswerEvidence, LearnerModel, trace
from service.tutor.mastery import BKTParams, SkillParams
from tests.unit.tutor.dialogue import Chat

# Right, wrong with a named misconception, hints, a shown solution, questions, a second problem.
DIALOGUE = [
    "u = 2x + 1", "y = u^3", "dy/du = 3u", "hint", "dy/du = 3u^2", "du/dx = 2",
    "dy/dx = 3(2x+1)^2", "why?", "dy/dx = 6(2x+1)^2", "next", "I give up, show me the solution",
]


def replay(chat: Chat, params=None) -> list[tuple[LearnerModel, LearnerModel]]:
    """For each turn: the model the turn started from, traced by its evidence, and the turn's own result."""
    pairs = []
    before = LearnerModel()
    for turn in chat.turns:
        traced = trace(before, turn.evidence, *(params,) if params else ())
        pairs.append((traced, LearnerModel(turn.mastery, turn.misconceptions, turn.opportunities)))
        before = LearnerModel(turn.mastery, turn.misconceptions)
    return pairs


def test_tracing_a_dialogues_evidence_gives_the_engines_model_turn_by_turn():
    chat = Chat()
    chat.start("(2x+1)^3")
    for text in DIALOGUE:
        chat.say(text)
    pairs = replay(chat)
    assert any(turn.evidence for turn in chat.turns)  # the dialogue did observe things
    for traced, engine in pairs:
        assert traced.mastery == pytest.approx(engine.mastery)
        assert traced.beliefs == pytest.approx(engine.beliefs)
        assert dict(traced.opportunities) == dict(engine.opportunities)


def test_the_evidence_is_in_order_and_names_the_misconception_shown():
    chat = Chat()
    chat.start("sin(5x)")
    turn = chat.say("dy/dx = cos(5x)")
    kinds = [type(item) for item in turn.evidence]
    assert kinds == [Observation, AnswerEvidence]
    answer = turn.evidence[1]
    assert answer.misconception == "missing_inner_derivative" and not answer.correct
    assert "missing_inner_derivative" in answer.exposed


def test_a_copy_that_saw_none_of_the_earlier_work_moves_from_the_prior():
    """The course copy starts where its own evidence left it, not where the learner's model is."""
    chat = Chat(mastery={"outer_derivative": 0.9})
    chat.start("sin(5x)")
    turn = chat.say("dy/dx = 5cos(5x)")
    copy = trace(LearnerModel(), turn.evidence)
    assert turn.mastery["outer_derivative"] > copy.mastery["outer_derivative"] > 0.2


def test_fitted_parameters_apply_to_the_copy_too():
    fitted = SkillParams({"outer_derivative": BKTParams(p_init=0.5, p_transit=0.0, p_slip=0.0, p_guess=0.5)})
    copy = trace(LearnerModel(), [Observation(("outer_derivative",), True)], fitted)
    assert copy.mastery["outer_derivative"] == pytest.approx(2 / 3)
