"""Scores back to the LMS (LTI Assignment and Grade Services), from the durable outbox.

When a learner who came through a launch solves or gives up a problem, the
delivery worker hands the outbox event out as a score delivery for the
learner's grade target (the AGS endpoint of their launch into that course),
then posts it with ``pylti1p3``'s AGS client: the platform's OAuth2 token
by a client assertion signed with the tool's key, the launch's line item or
one found or created by tag, the score with ``scoreGiven``/``scoreMaximum``,
``activityProgress``, ``gradingProgress``, a millisecond UTC ``timestamp``
and a comment in words. Deliveries are leased and retried like webhooks
(:mod:`service.webhooks.worker`); unique per (target, event), so an event
is scored once; a 409 is final.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
import sqlalchemy as sa
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.contrib.flask import FlaskServiceConnector
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.registration import Registration
from sqlalchemy.orm import Session

from service.lti.keys import signing_key
from service.lti.toolconf import registration_for
from service.models import LtiGradeTarget, LtiPlatform, LtiScoreDelivery, utcnow
from service.webhooks import schedule as retry
from service.webhooks.events import PROBLEM_GIVEN_UP, PROBLEM_SOLVED, iso_milliseconds, public_type
from service.webhooks.transport import TIMEOUT_SECONDS, SendResult
from service.webhooks.worker import OutboxRow, WorkerSettings, lease

_scores: sa.Table = LtiScoreDelivery.__table__  # type: ignore[assignment]
_targets: sa.Table = LtiGradeTarget.__table__  # type: ignore[assignment]
CONFLICT = 409
LINE_ITEM_TAG = "chain-tutor"


def score_for(outbox_type: str, payload: Mapping[str, Any], created_at: datetime) -> dict[str, Any] | None:
    """The AGS score of an outbox event, or ``None`` for events that are not graded.

    >>> from datetime import timezone
    >>> score = score_for("ProblemSolved", {"expression": "(2*x+1)**3", "by_learner": True, "attempts": 3,
    ...                   "hints_used": 1}, datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    >>> score["scoreGiven"], score["gradingProgress"], score["timestamp"]
    (1, 'FullyGraded', '2026-01-02T03:04:05.000Z')
    >>> score["comment"]
    'Solved (2*x+1)**3 in 3 answers with 1 hint.'
    """
    kind = public_type(outbox_type, payload)
    if kind not in (PROBLEM_SOLVED, PROBLEM_GIVEN_UP):
        return None
    expression = payload.get("expression") or "the problem"
    if kind == PROBLEM_SOLVED:
        hints = int(payload.get("hints_used") or 0)
        answers = int(payload.get("attempts") or 0)
        hint_words = "no hints" if hints == 0 else f"{hints} hint{'s' if hints != 1 else ''}"
        comment = f"Solved {expression} in {answers} answer{'s' if answers != 1 else ''} with {hint_words}."
    else:
        comment = f"Gave up on {expression} and was shown the worked solution."
    return {"scoreGiven": 1 if kind == PROBLEM_SOLVED else 0, "scoreMaximum": 1,
            "activityProgress": "Completed", "gradingProgress": "FullyGraded",
            "timestamp": iso_milliseconds(created_at), "comment": comment}


def grade_sink(session: Session, rows: Sequence[OutboxRow], now: datetime) -> None:
    """A score delivery for each graded event of a learner with a grade target in the event's course."""
    scored = [(row, score) for row in rows
              if (score := score_for(row.type, row.payload, row.created_at)) is not None and row.learner_id]
    if not scored:
        return
    connection = session.connection()
    targets = connection.execute(sa.select(_targets.c.id, _targets.c.learner_id, _targets.c.course_id).where(
        _targets.c.learner_id.in_({row.learner_id for row, _ in scored}))).all()
    by_pair = {(target.learner_id, target.course_id): target.id for target in targets}
    values = [{"target_id": by_pair[key], "event_id": row.id, "score": score, "status": "pending",
               "attempts": 0, "next_attempt_at": now, "created_at": now}
              for row, score in scored if (key := (row.learner_id, row.payload.get("course_id"))) in by_pair]
    if values:
        connection.execute(sa.insert(_scores), values)


@dataclass(frozen=True)
class ClaimedScore:
    id: int
    lease_token: str
    attempts: int
    score: dict[str, Any]
    sub: str
    scopes: list[str]
    lineitem_url: str | None
    lineitems_url: str | None
    resource_link_id: str
    label: str
    registration: Registration


def claim_scores(session: Session, settings: WorkerSettings) -> list[ClaimedScore]:
    """Lease due score deliveries (one per target at a time, oldest event first) and commit."""
    connection = session.connection()
    now = utcnow()
    earlier = _scores.alias("earlier")
    due = (sa.select(_scores.c.id).where(
        _scores.c.status == "pending", _scores.c.next_attempt_at <= now,
        sa.or_(_scores.c.lease_until.is_(None), _scores.c.lease_until < now),
        ~sa.exists().where(earlier.c.target_id == _scores.c.target_id, earlier.c.status == "pending",
                           earlier.c.event_id < _scores.c.event_id))
        .order_by(_scores.c.next_attempt_at, _scores.c.id).limit(settings.batch))
    if connection.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    token, leased = lease(connection, _scores, due, settings.lease_seconds, now)
    if not leased:
        session.rollback()
        return []
    rows = session.execute(sa.select(LtiScoreDelivery, LtiGradeTarget, LtiPlatform)
                           .join(LtiGradeTarget, LtiGradeTarget.id == LtiScoreDelivery.target_id)
                           .join(LtiPlatform, LtiPlatform.id == LtiGradeTarget.platform_id)
                           .where(LtiScoreDelivery.id.in_(leased))).all()
    key = signing_key(session)
    claimed = [ClaimedScore(
        id=delivery.id, lease_token=token, attempts=delivery.attempts, score=dict(delivery.score), sub=target.sub,
        scopes=list(target.scopes), lineitem_url=target.lineitem_url, lineitems_url=target.lineitems_url,
        resource_link_id=target.resource_link_id, label=target.resource_title or "Chain Tutor",
        registration=registration_for(platform, key.private_pem, key.public_pem)) for delivery, target, platform in rows]
    session.commit()
    return claimed


class TimedSession(requests.Session):
    """requests with a timeout on every call (the AGS client sets none)."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", TIMEOUT_SECONDS)
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


def send_score(claimed: ClaimedScore, settings: WorkerSettings) -> SendResult:
    """Post one score (never raises)."""
    connector = FlaskServiceConnector(claimed.registration, requests_session=TimedSession())
    service = AssignmentsGradesService(connector, {"scope": claimed.scopes, "lineitems": claimed.lineitems_url,
                                                   "lineitem": claimed.lineitem_url})
    score = claimed.score
    grade = (Grade().set_score_given(score["scoreGiven"]).set_score_maximum(score["scoreMaximum"])
             .set_activity_progress(score["activityProgress"]).set_grading_progress(score["gradingProgress"])
             .set_timestamp(score["timestamp"]).set_user_id(claimed.sub).set_comment(score["comment"]))
    line_item = None
    if not claimed.lineitem_url:
        line_item = (LineItem().set_tag(LINE_ITEM_TAG).set_score_maximum(score["scoreMaximum"])
                     .set_label(claimed.label).set_resource_link_id(claimed.resource_link_id))
    try:
        service.put_grade(grade, line_item)
    except LtiServiceException as error:
        return SendResult(error.response.status_code, error=str(error)[:500])
    except (LtiException, requests.RequestException) as error:
        return SendResult(None, error=f"{type(error).__name__}: {error}"[:500])
    return SendResult(200)


def record_scores(session: Session, outcomes: Sequence[tuple[ClaimedScore, SendResult]],
                  settings: WorkerSettings) -> None:
    """Write a round's outcomes (only under a lease still held); one commit."""
    connection = session.connection()
    now = utcnow()
    for claimed, result in outcomes:
        attempts = claimed.attempts + 1
        delay = None if result.ok or result.status_code == CONFLICT else retry.next_delay(settings.schedule, attempts)
        values = retry.attempt_values(claimed.attempts, result.ok, result.status_code, result.error, now, delay)
        connection.execute(sa.update(_scores).where(_scores.c.id == claimed.id,
                                                    _scores.c.lease_token == claimed.lease_token).values(**values))
    session.commit()
