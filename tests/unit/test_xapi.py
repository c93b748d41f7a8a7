"""Webhook events as xAPI statements: verbs, actors, objects, each checked by ralph-malph's models."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from ralph.models.xapi.base.statements import BaseXapiStatement

from service.config import default_settings, settings_from_env
from service.webhooks.events import webhook_event
from service.webhooks.worker import settings_from_config
from service.webhooks.xapi import actor, statement, statement_data

BASE = "https://tutor.example/"
LMS = {"iss": "https://canvas.example.edu", "sub": "a6d1-77"}
WHEN = datetime(2026, 3, 4, 5, 6, 7, 891000, tzinfo=timezone.utc)
COMMON = {"conversation_id": "c-1", "course_id": 4, "expression": "sin(x^2)", "variable": "x"}


def event(outbox_type: str, lti: dict[str, str] | None = None, **payload: Any):
    made = webhook_event(11, outbox_type, "learner-1", {**COMMON, **payload}, WHEN, lti)
    assert made is not None
    return made


def verb(made: dict[str, Any]) -> str:
    return made["verb"]["id"].removeprefix("http://adlnet.gov/expapi/verbs/")


@pytest.mark.parametrize("correct", [True, False])
def test_an_attempt_is_answered_with_its_success_and_response(correct: bool) -> None:
    made = statement(event("AttemptRecorded", step="du/dx", answer="2x", correct=correct,
                           misconception=None if correct else "forgot_inner", hints_used=0), BASE)
    assert verb(made) == "answered"
    assert made["result"] == {"success": correct, "response": "2x"}
    extensions = made["context"]["extensions"]
    assert extensions["https://tutor.example/xapi/extensions/course-id"] == 4
    assert ("https://tutor.example/xapi/extensions/misconception" in extensions) is not correct


def test_an_attempt_without_an_answer_leaves_the_response_out() -> None:
    made = statement(event("AttemptRecorded", step="u", answer="", correct=False), BASE)
    assert made["result"] == {"success": False}


def test_a_solved_problem_is_passed_and_complete() -> None:
    made = statement(event("ProblemSolved", by_learner=True, attempts=3, hints_used=1), BASE)
    assert verb(made) == "passed"
    assert made["result"] == {"success": True, "completion": True}


def test_a_problem_given_up_is_failed() -> None:
    made = statement(event("ProblemSolved", by_learner=False, attempts=1, hints_used=2), BASE)
    assert verb(made) == "failed"
    assert made["result"] == {"success": False, "completion": True}


@pytest.mark.parametrize("after, expected", [(0.4, "progressed"), (0.97, "mastered")])
def test_mastery_is_progressed_or_mastered_with_a_scaled_score(after: float, expected: str) -> None:
    made = statement(event("MasteryChanged", skill="outer", before=0.3, after=after), BASE)
    assert verb(made) == expected
    assert made["result"] == {"score": {"scaled": after}}
    assert made["object"]["id"] == "https://tutor.example/activities/skill/outer"
    parent = made["context"]["contextActivities"]["parent"][0]
    assert parent["id"].startswith("https://tutor.example/activities/problem?")


def test_the_problem_is_an_activity_named_by_its_expression_and_variable() -> None:
    made = statement(event("ProblemSolved", by_learner=True, attempts=1, hints_used=0), BASE)
    activity = made["object"]
    assert activity["objectType"] == "Activity"
    assert parse_qs(urlsplit(activity["id"]).query) == {"expression": ["sin(x^2)"], "variable": ["x"]}
    assert activity["definition"]["name"]["en-US"] == "Differentiate sin(x^2) with respect to x"


def test_an_lti_learner_is_their_platform_account() -> None:
    made = statement(event("ProblemSolved", lti=LMS, by_learner=True), BASE)
    assert made["actor"] == {"objectType": "Agent",
                             "account": {"homePage": "https://canvas.example.edu", "name": "a6d1-77"}}


def test_any_other_learner_is_an_account_under_the_service() -> None:
    assert actor({"learner_id": "learner-1"}, BASE) == {
        "objectType": "Agent", "account": {"homePage": "https://tutor.example", "name": "learner-1"}}


def test_the_statement_id_is_stable_per_event_and_the_time_is_the_events() -> None:
    first = statement(event("ProblemSolved", by_learner=True), BASE)
    again = statement(event("ProblemSolved", by_learner=True), BASE)
    other = statement(webhook_event(12, "ProblemSolved", "learner-1", COMMON, WHEN), BASE)
    assert first["id"] == again["id"] != other["id"]
    assert first["timestamp"] == "2026-03-04T05:06:07.891Z" and first["version"] == "1.0.3"


@pytest.mark.parametrize("outbox_type, payload", [
    ("AttemptRecorded", {"step": "u", "answer": "x^2", "correct": True, "hints_used": 0}),
    ("ProblemSolved", {"by_learner": True, "attempts": 2}),
    ("ProblemSolved", {"by_learner": False}),
    ("MasteryChanged", {"skill": "inner", "before": 0.1, "after": 0.2}),
])
@pytest.mark.parametrize("lti", [LMS, None])
def test_every_statement_passes_the_xapi_models(outbox_type: str, payload: dict, lti: dict | None) -> None:
    made = statement(event(outbox_type, lti, **payload), BASE)
    BaseXapiStatement.model_validate(made)
    assert None not in made.values()


def test_the_models_really_check_what_is_built() -> None:
    """A statement without an actor account name is rejected, so the validation is not a formality."""
    data = statement_data(event("ProblemSolved", by_learner=True), BASE)
    data["actor"]["account"]["name"] = ""
    with pytest.raises(ValueError, match="account.name"):  # pydantic's ValidationError
        BaseXapiStatement.model_validate(data)
    with pytest.raises(ValueError, match="No xAPI statement"):
        statement_data(event("ProblemSolved").__class__("evt_1", "course.renamed", WHEN, {}), BASE)


def test_the_setting_is_read_from_the_environment_and_off_by_default() -> None:
    assert default_settings("/srv/ct")["XAPI_ENABLED"] is False
    assert settings_from_env({"XAPI_ENABLED": "yes", "XAPI_BASE_URL": "https://t.example"}) == {
        "XAPI_ENABLED": True, "XAPI_BASE_URL": "https://t.example"}
    assert settings_from_config(default_settings("/srv/ct")).xapi_base_url is None
    assert settings_from_config({"XAPI_ENABLED": True, "XAPI_BASE_URL": BASE}).xapi_base_url == BASE


def test_the_worker_will_not_start_with_the_export_on_and_the_models_missing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ralph.models.xapi.base.statements", None)  # as if not installed
    with pytest.raises(RuntimeError, match=r"chain-tutor\[xapi\]"):
        settings_from_config({"XAPI_ENABLED": True})
    assert settings_from_config({"XAPI_ENABLED": False}).xapi_base_url is None


def test_an_event_the_models_reject_still_goes_out_without_a_statement(caplog: pytest.LogCaptureFixture) -> None:
    """A bad statement must not hold the learner's later events back."""
    from service.webhooks.worker import _with_statement

    good = event("ProblemSolved", lti=LMS, by_learner=True)
    assert _with_statement(good, BASE).data["xapi"]["actor"]["account"]["name"] == "a6d1-77"
    assert "xapi" not in good.data  # the event itself is left as it was
    bad = event("ProblemSolved", lti={"iss": "https://lms.example", "sub": ""}, by_learner=True)
    assert _with_statement(bad, BASE) is bad
    assert "No xAPI statement for evt_11" in caplog.text
