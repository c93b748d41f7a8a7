"""Each webhook event as an xAPI 1.0.3 statement, for learning record stores.

Analytics teams (and most LMSs' data warehouses) read xAPI, not our webhook
shapes; with ``XAPI_ENABLED`` each delivered event carries its statement
under ``data["xapi"]`` so a receiver can forward it to its LRS unchanged.
The statement is checked against ralph-malph's pydantic models of the xAPI
specification (the ``xapi`` extra), imported only when the export is on so
the service starts without them.

Who did it: an LTI learner is named as the platform knows them
(``account{homePage: iss, name: sub}``), so the LMS's own records and ours
join; anyone else by their learner id under the service's base URL.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from service.tutor.mastery import MASTERY_THRESHOLD
from service.webhooks.events import (
    ATTEMPT_RECORDED, MASTERY_CHANGED, PROBLEM_GIVEN_UP, PROBLEM_SOLVED, WebhookEvent, iso_milliseconds,
)

XAPI_VERSION = "1.0.3"
_ADL = "http://adlnet.gov/expapi/verbs/"
# The ADL verb (IRI and English display) each event is told with.
VERBS: dict[str, tuple[str, str]] = {
    "answered": (_ADL + "answered", "answered"),
    "passed": (_ADL + "passed", "passed"),
    "failed": (_ADL + "failed", "failed"),
    "mastered": (_ADL + "mastered", "mastered"),
    "progressed": (_ADL + "progressed", "progressed"),
}
_INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
_OBJECTIVE = "http://adlnet.gov/expapi/activities/objective"


def statement(event: WebhookEvent, base_url: str) -> dict[str, Any]:
    """The xAPI statement of ``event`` as JSON-ready data, validated by ralph-malph.

    ``base_url`` is the service's public address: activity ids and the
    account of learners who did not come through an LMS live under it.
    Raises ``ImportError`` when the ``xapi`` extra is not installed.
    """
    from ralph.models.xapi.base.statements import BaseXapiStatement

    data = statement_data(event, base_url)
    # Validated, but sent as built: ralph's dump writes scores (Decimal) as strings,
    # where xAPI wants JSON numbers.
    BaseXapiStatement.model_validate(data)
    return data


def require_models() -> None:
    """Fail at start-up, not on every event, when the export is on but its extra is missing."""
    try:
        import ralph.models.xapi.base.statements  # noqa: F401
    except ImportError as missing:
        raise RuntimeError("XAPI_ENABLED needs the xapi extra: pip install 'chain-tutor[xapi]'") from missing


def statement_data(event: WebhookEvent, base_url: str) -> dict[str, Any]:
    """The statement as plain data, before validation (``None`` fields left out).

    >>> from datetime import datetime, timezone
    >>> event = WebhookEvent("evt_3", "problem.solved", datetime(2026, 1, 2, tzinfo=timezone.utc),
    ...     {"learner_id": "l1", "course_id": 2, "conversation_id": "c1", "expression": "sin(x**2)",
    ...      "variable": "x", "exercise_slug": None, "attempts": 2, "hints_used": 1})
    >>> data = statement_data(event, "https://tutor.example")
    >>> data["actor"]["account"], data["verb"]["id"]
    ({'homePage': 'https://tutor.example', 'name': 'l1'}, 'http://adlnet.gov/expapi/verbs/passed')
    """
    base = base_url.rstrip("/")
    data = event.data
    problem = _problem(base, data)
    subject, verb, result = problem, "answered", {}
    if event.type == ATTEMPT_RECORDED:
        result = {"success": bool(data.get("correct")), "response": _text(data.get("answer"))}
    elif event.type == PROBLEM_SOLVED:
        verb, result = "passed", {"success": True, "completion": True}
    elif event.type == PROBLEM_GIVEN_UP:
        verb, result = "failed", {"success": False, "completion": True}
    elif event.type == MASTERY_CHANGED:
        probability = float(data.get("probability") or 0.0)
        verb = "mastered" if probability >= MASTERY_THRESHOLD else "progressed"
        subject = _skill(base, str(data.get("skill")))
        result = {"score": {"scaled": round(probability, 4)}}
    else:
        raise ValueError(f"No xAPI statement for events of type {event.type!r}.")
    context: dict[str, Any] = {"platform": "Chain Tutor", "extensions": _extensions(base, event)}
    if subject is not problem:
        context["contextActivities"] = {"parent": [problem]}
    return _without_none({
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base}/events/{event.id}")),
        "actor": actor(data, base),
        "verb": {"id": VERBS[verb][0], "display": {"en-US": VERBS[verb][1]}},
        "object": subject,
        "result": result,
        "context": context,
        "timestamp": iso_milliseconds(event.timestamp),
        "version": XAPI_VERSION,
    })


def actor(data: Mapping[str, Any], base_url: str) -> dict[str, Any]:
    """The learner as an xAPI Agent: their LMS account when launched from one.

    >>> actor({"learner_id": "l1", "lti": {"iss": "https://lms.example", "sub": "u-9"}}, "https://t.example")
    {'objectType': 'Agent', 'account': {'homePage': 'https://lms.example', 'name': 'u-9'}}
    >>> actor({"learner_id": "l1"}, "https://t.example")["account"]
    {'homePage': 'https://t.example', 'name': 'l1'}
    """
    lti = data.get("lti")
    if lti:
        account = {"homePage": lti["iss"], "name": lti["sub"]}
    else:
        account = {"homePage": base_url.rstrip("/"), "name": str(data.get("learner_id"))}
    return {"objectType": "Agent", "account": account}


def _problem(base: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The problem as an Activity: its id names the expression and variable."""
    expression, variable = str(data.get("expression")), str(data.get("variable") or "x")
    query = urlencode({"expression": expression, "variable": variable})
    return {
        "objectType": "Activity",
        "id": f"{base}/activities/problem?{query}",
        "definition": {
            "name": {"en-US": f"Differentiate {expression} with respect to {variable}"},
            "type": _INTERACTION,
        },
    }


def _skill(base: str, skill: str) -> dict[str, Any]:
    """A chain-rule skill (``outer``, ``inner``, ...) as an objective Activity."""
    return {
        "objectType": "Activity",
        "id": f"{base}/activities/skill/{skill}",
        "definition": {"name": {"en-US": f"Chain rule skill: {skill}"}, "type": _OBJECTIVE},
    }


def _extensions(base: str, event: WebhookEvent) -> dict[str, Any]:
    """Our own identifiers, so a statement leads back to the course and conversation."""
    names = ("course_id", "conversation_id", "exercise_slug", "attempts", "hints_used", "misconception")
    return {f"{base}/xapi/extensions/{name.replace('_', '-')}": event.data[name]
            for name in names if event.data.get(name) is not None}


def _text(value: Any) -> str | None:
    """A response as text, or ``None`` when there was none (xAPI forbids empty strings)."""
    return str(value) if value not in (None, "") else None


def _without_none(value: Any) -> Any:
    """The data with ``None`` and empty containers dropped: xAPI statements may not hold them."""
    if isinstance(value, dict):
        cleaned = {key: _without_none(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if item not in (None, {}, [])}
    if isinstance(value, list):
        return [_without_none(item) for item in value]
    return value
