"""The conversation state survives JSON, and a resumed conversation carries on."""

from __future__ import annotations

import json

import pytest

from service.tutor.engine import respond, start
from service.tutor.state import STATE_VERSION, UPGRADES, ConversationState, StateVersionError
from service.tutor.turn import TutorContext


def test_round_trip_through_json_mid_problem():
    context = TutorContext()
    turn = start(context, "sin((3x)^2)")
    turn = respond(turn.state, "v = 3x", TutorContext(mastery=turn.mastery))
    turn = respond(turn.state, "hint", TutorContext(mastery=turn.mastery))
    data = turn.state.to_dict()
    restored = ConversationState.from_dict(json.loads(json.dumps(data)))
    assert restored == turn.state
    assert restored.to_dict() == data


def test_contract_fields_are_at_the_top_level():
    state = start(TutorContext(), "(2x+1)^3").state.to_dict()
    assert {"expression", "variable", "step", "solved", "hints_used"} <= set(state)
    assert (state["expression"], state["variable"], state["step"], state["solved"],
            state["hints_used"], state["version"]) == ("(2x+1)^3", "x", "u", False, 0, STATE_VERSION)


def test_a_resumed_conversation_answers_like_an_uninterrupted_one():
    context = TutorContext()
    first = start(context, "(2x+1)^3")
    live = respond(first.state, "u = 2x + 1", context)
    resumed_state = ConversationState.from_dict(json.loads(json.dumps(first.state.to_dict())))
    resumed = respond(resumed_state, "u = 2x + 1", context)
    assert resumed.to_dict() == live.to_dict()


def test_an_unknown_version_is_refused():
    data = start(TutorContext(), "(2x+1)^3").state.to_dict()
    data["version"] = STATE_VERSION + 1
    with pytest.raises(StateVersionError):
        ConversationState.from_dict(data)


def test_turn_to_dict_is_json():
    turn = start(TutorContext(), "(2x+1)^3")
    turn = respond(turn.state, "3(2x+1)^2", TutorContext())
    shaped = json.loads(json.dumps(turn.to_dict()))
    assert shaped["verdict"]["step"] == "dy/du" and shaped["reading"]["intent"] == "answer"
    assert all(message["role"] == "tutor" for message in shaped["messages"])
    assert {event["type"] for event in shaped["events"]} >= {"AttemptRecorded", "MasteryChanged"}


def _saved_by_version_2(state: ConversationState) -> dict:
    """``state`` as version 2 of the tutor stored it (before plans kept a learner's cut)."""
    data = json.loads(json.dumps(state.to_dict()))
    if data["plan"]:
        data["plan"].pop("cuts")
    return {**data, "version": 2}


def _saved_by_version_1(state: ConversationState) -> dict:
    """``state`` as version 1 of the tutor stored it (before issue 12)."""
    data = _saved_by_version_2(state)
    data.pop("last_feedback"), data.pop("aliases")
    for step in (data["plan"] or {}).get("steps", []):
        step.pop("rule")
    return {**data, "version": 1}


def test_version_1_to_2_adds_feedback_aliases_and_the_rule_as_data():
    first = start(TutorContext(), "x^2 * sin(x)")
    data = UPGRADES[1](_saved_by_version_1(first.state))
    assert data["version"] == 2 and data["last_feedback"] is None and data["aliases"] == {}
    assert "cuts" not in data["plan"]
    assert next(step for step in data["plan"]["steps"] if step["kind"] == "rule")["rule"] == "product"
    upgraded = ConversationState.from_dict(_saved_by_version_1(first.state))
    assert upgraded.plan.step("rule").rule == "product"
    turn = respond(upgraded, "product rule", TutorContext())
    assert turn.verdict.correct


@pytest.mark.parametrize("expression", ["(2x+1)^3", "x^2 * sin(x)"])
def test_version_2_to_3_gives_the_plan_no_cut(expression):
    first = start(TutorContext(), expression)
    data = UPGRADES[2](_saved_by_version_2(first.state))
    assert data["version"] == 3 and data["plan"]["cuts"] == []
    assert ConversationState.from_dict(data) == first.state


def test_version_2_to_3_without_a_plan():
    assert UPGRADES[2]({"version": 2, "plan": None}) == {"version": 3, "plan": None}


def test_a_version_2_chain_resumes_and_can_still_re_form():
    first = start(TutorContext(), "(2x+1)^3")
    state = ConversationState.from_dict(_saved_by_version_2(first.state))
    turn = respond(state, "u = 2x", TutorContext())
    assert turn.verdict.correct and turn.state.plan.cuts == (("u", "2*x"),)


def test_a_re_formed_plan_survives_json_and_answers_the_same_after_resume():
    context = TutorContext()
    turn = respond(start(context, "(2x+1)^3").state, "u = 2x", context)
    restored = ConversationState.from_dict(json.loads(json.dumps(turn.state.to_dict())))
    assert restored == turn.state and restored.plan.chain == "u = 2x, v = u + 1, y = v³"
    live, resumed = respond(turn.state, "v = u + 1", context), respond(restored, "v = u + 1", context)
    assert resumed.to_dict() == live.to_dict() and resumed.state.step == "dy/dv"


def test_a_version_1_chain_resumes_where_it_was():
    first = start(TutorContext(), "(2x+1)^3")
    turn = respond(ConversationState.from_dict(_saved_by_version_1(first.state)), "u = 2x + 1", TutorContext())
    assert turn.verdict.correct and turn.state.step == "dy/du"


def test_an_unknown_version_starts_afresh_with_a_word():
    from service.tutor.engine import resume
    turn = resume({"version": 7, "expression": "(2x+1)^3"}, "hint", TutorContext())
    assert turn.replies[0].text.startswith("I've been updated") and turn.state.expression is not None
    assert resume({"version": None}, "hint", TutorContext()).state.version == STATE_VERSION
