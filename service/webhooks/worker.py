"""The delivery worker: outbox events out to webhook endpoints, at least once, in order per learner.

Two steps, each its own short transaction, so a worker may die anywhere:

1. **Hand out** (:func:`hand_out`): take the oldest outbox rows not yet
   handed out (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers take
   different rows; SQLite runs one writer at a time anyway), write one
   delivery per subscribed endpoint of the event's course, mark the rows
   handed out (``delivered_at``), commit. A worker killed before the commit
   has handed out nothing; the rows are taken again.
2. **Send** (:func:`claim` / :func:`send` / :func:`record`): lease due
   deliveries (a ``lease_until`` a minute ahead, set in one UPDATE whose
   rows are chosen with ``SKIP LOCKED``: two workers never lease the same
   one), commit, post them outside any transaction, then record each
   outcome only while still holding its lease. A worker killed mid-send
   leaves a lease that runs out; another worker sends the same event again,
   with the same ``webhook-id``, so receivers can deduplicate.

In order per learner: a delivery is due only when no earlier event of the
same learner is still pending for the same endpoint, and none is still
waiting to be handed out. So at most one delivery per (endpoint, learner)
is ever in flight, and a failing one holds the learner's later events back
until it succeeds or is given up.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import OutboxEvent, WebhookDelivery, WebhookEndpoint, utcnow
from service.webhooks import schedule as retry
from service.webhooks import xapi
from service.webhooks.events import WebhookEvent, public_type, webhook_event
from service.webhooks.signing import signed_headers
from service.webhooks.targets import TargetRefused, resolve
from service.webhooks.transport import TIMEOUT_SECONDS, SendResult, post

log = logging.getLogger(__name__)

_outbox: sa.Table = OutboxEvent.__table__  # type: ignore[assignment]
_deliveries: sa.Table = WebhookDelivery.__table__  # type: ignore[assignment]
_endpoints: sa.Table = WebhookEndpoint.__table__  # type: ignore[assignment]

GONE = 410


@dataclass(frozen=True)
class WorkerSettings:
    """How the worker runs; :func:`settings_from_config` reads them from an app's config."""

    allow_private_targets: bool = False
    schedule: Sequence[float] = retry.DEFAULT_SCHEDULE
    timeout: float = TIMEOUT_SECONDS
    lease_seconds: float = 60.0
    batch: int = 100
    poll_seconds: float = 0.2
    senders: int = 8
    # The service's public address when events also carry their xAPI statement
    # (XAPI_ENABLED); None leaves events as they are.
    xapi_base_url: str | None = None


def settings_from_config(config: Any) -> WorkerSettings:
    """The worker's settings from a Flask config (``WEBHOOK_*``, ``DELIVERY_*``, ``XAPI_*``)."""
    if config.get("XAPI_ENABLED"):
        xapi.require_models()
    return WorkerSettings(
        allow_private_targets=bool(config.get("WEBHOOK_ALLOW_PRIVATE_TARGETS", False)),
        schedule=tuple(config.get("WEBHOOK_RETRY_SCHEDULE", retry.DEFAULT_SCHEDULE)),
        timeout=float(config.get("WEBHOOK_TIMEOUT", TIMEOUT_SECONDS)),
        lease_seconds=float(config.get("DELIVERY_LEASE_SECONDS", 60.0)),
        poll_seconds=float(config.get("DELIVERY_POLL_SECONDS", 0.2)),
        xapi_base_url=config.get("XAPI_BASE_URL", "http://localhost:5000") if config.get("XAPI_ENABLED") else None,
    )


# An outbox row (id, type, learner_id, payload, created_at) handed to each sink:
# the webhooks here, LTI grades in service.lti.grades.
OutboxRow = sa.Row[Any]
Sink = Callable[[Session, Sequence[OutboxRow], datetime], None]


@dataclass(frozen=True)
class Queue:
    """Another kind of delivery the worker runs beside webhooks (LTI scores): hand out, lease, send, record."""

    sink: Sink
    claim: Callable[[Session, WorkerSettings], list[Any]]
    send: Callable[[Any, WorkerSettings], SendResult]
    record: Callable[[Session, Sequence[tuple[Any, SendResult]], WorkerSettings], None]


def hand_out(session: Session, limit: int = 500, sinks: Sequence[Sink] = ()) -> int:
    """Turn up to ``limit`` outbox rows into deliveries and commit; how many rows were taken.

    The rows are taken by the UPDATE that marks them handed out, so the
    transaction writes first: on SQLite it holds the one write lock from
    its first statement (a read that later wrote could find another
    worker's commit in between and fail), on PostgreSQL its rows are
    chosen with ``SKIP LOCKED``.
    """
    connection = session.connection()
    now = utcnow()
    oldest = (sa.select(_outbox.c.id).where(_outbox.c.delivered_at.is_(None))
              .order_by(_outbox.c.id).limit(limit))
    if connection.dialect.name == "postgresql":
        oldest = oldest.with_for_update(skip_locked=True)
    rows = connection.execute(
        sa.update(_outbox).where(_outbox.c.id.in_(oldest.scalar_subquery())).values(delivered_at=now)
        .returning(_outbox.c.id, _outbox.c.type, _outbox.c.learner_id, _outbox.c.payload,
                   _outbox.c.created_at)).all()
    if not rows:
        session.rollback()
        return 0
    rows.sort(key=lambda row: row.id)
    for sink in (_webhook_sink, *sinks):
        sink(session, rows, now)
    session.commit()
    return len(rows)


def _webhook_sink(session: Session, rows: Sequence[OutboxRow], now: datetime) -> None:
    """One pending delivery per active endpoint of the event's course that takes its type."""
    courses = {row.payload.get("course_id") for row in rows} - {None}
    if not courses:
        return
    connection = session.connection()
    endpoints = connection.execute(
        sa.select(_endpoints.c.id, _endpoints.c.course_id, _endpoints.c.events)
        .where(_endpoints.c.course_id.in_(courses), _endpoints.c.state == "active")).all()
    by_course: dict[int, list[Any]] = {}
    for endpoint in endpoints:
        by_course.setdefault(endpoint.course_id, []).append(endpoint)
    values = []
    for row in rows:
        kind = public_type(row.type, row.payload)
        for endpoint in by_course.get(row.payload.get("course_id"), ()):
            if kind is not None and (not endpoint.events or kind in endpoint.events):
                values.append({"endpoint_id": endpoint.id, "event_id": row.id, "event_type": kind,
                               "learner_id": row.learner_id, "status": "pending", "attempts": 0,
                               "next_attempt_at": now, "created_at": now})
    if values:
        connection.execute(sa.insert(_deliveries), values)


@dataclass(frozen=True)
class Claimed:
    """A leased delivery with everything needed to send it."""

    id: int
    lease_token: str
    attempts: int
    endpoint_id: str
    url: str
    secrets: tuple[str, ...]
    event: WebhookEvent | None


def _due(now: datetime, postgres: bool, limit: int) -> sa.Select[Any]:
    """The ids of deliveries that may be sent now, oldest due first."""
    earlier = _deliveries.alias("earlier")
    query = (
        sa.select(_deliveries.c.id)
        .join(_endpoints, _endpoints.c.id == _deliveries.c.endpoint_id)
        .where(
            _deliveries.c.status == "pending",
            _deliveries.c.next_attempt_at <= now,
            sa.or_(_deliveries.c.lease_until.is_(None), _deliveries.c.lease_until < now),
            _endpoints.c.state == "active",
            ~sa.exists().where(earlier.c.endpoint_id == _deliveries.c.endpoint_id,
                               earlier.c.learner_id == _deliveries.c.learner_id,
                               earlier.c.status == "pending",
                               earlier.c.event_id < _deliveries.c.event_id),
            ~sa.exists().where(_outbox.c.learner_id == _deliveries.c.learner_id,
                               _outbox.c.delivered_at.is_(None),
                               _outbox.c.id < _deliveries.c.event_id),
        )
        .order_by(_deliveries.c.next_attempt_at, _deliveries.c.id)
        .limit(limit)
    )
    if postgres:
        query = query.with_for_update(skip_locked=True, of=_deliveries)
    return query


def lease(connection: sa.Connection, table: sa.Table, due: sa.Select[Any], seconds: float,
          now: datetime) -> tuple[str, list[int]]:
    """Lease the rows ``due`` selects (ids) for ``seconds``: one UPDATE, so no two workers take one row.

    Returns the lease token, which recording an outcome must present, and the ids leased.
    """
    token = secrets.token_hex(8)
    leased = connection.execute(
        sa.update(table).where(table.c.id.in_(due.scalar_subquery()))
        .values(lease_until=now + timedelta(seconds=seconds), lease_token=token)
        .returning(table.c.id)).scalars().all()
    return token, list(leased)


def claim(session: Session, settings: WorkerSettings, lookup_lti: Callable[[Session, set[str]], dict[str, dict[str, str]]] | None = None
          ) -> list[Claimed]:
    """Lease up to ``settings.batch`` due deliveries, commit, and return them ready to send."""
    connection = session.connection()
    now = utcnow()
    due = _due(now, connection.dialect.name == "postgresql", settings.batch)
    token, leased = lease(connection, _deliveries, due, settings.lease_seconds, now)
    if not leased:
        session.rollback()
        return []
    rows = connection.execute(
        sa.select(_deliveries.c.id, _deliveries.c.attempts, _deliveries.c.endpoint_id,
                  _endpoints.c.url, _endpoints.c.secret, _endpoints.c.previous_secret,
                  _endpoints.c.previous_secret_expires_at,
                  _outbox.c.id.label("event_id"), _outbox.c.type, _outbox.c.learner_id,
                  _outbox.c.payload, _outbox.c.created_at)
        .join(_endpoints, _endpoints.c.id == _deliveries.c.endpoint_id)
        .outerjoin(_outbox, _outbox.c.id == _deliveries.c.event_id)
        .where(_deliveries.c.id.in_(leased))
        .order_by(_deliveries.c.id)).all()
    lti = lookup_lti(session, {row.learner_id for row in rows if row.learner_id}) if lookup_lti else {}
    session.commit()
    return [_claimed(row, token, now, lti, settings.xapi_base_url) for row in rows]


def _claimed(row: Any, token: str, now: datetime, lti: dict[str, dict[str, str]],
             xapi_base_url: str | None = None) -> Claimed:
    signing = [row.secret]
    if row.previous_secret and row.previous_secret_expires_at and row.previous_secret_expires_at > now:
        signing.append(row.previous_secret)
    event = None
    if row.event_id is not None:
        event = webhook_event(row.event_id, row.type, row.learner_id, row.payload, row.created_at,
                              lti.get(row.learner_id) if row.learner_id else None)
    if event is not None and xapi_base_url is not None:
        event = _with_statement(event, xapi_base_url)
    return Claimed(id=row.id, lease_token=token, attempts=row.attempts, endpoint_id=row.endpoint_id,
                   url=row.url, secrets=tuple(signing), event=event)


def _with_statement(event: WebhookEvent, base_url: str) -> WebhookEvent:
    """The event with its xAPI statement in ``data["xapi"]``; as it was if none can be made.

    A statement the models reject must not hold the learner's events back:
    the event goes out without it and the log says why.
    """
    try:
        return replace(event, data={**event.data, "xapi": xapi.statement(event, base_url)})
    except ValueError as invalid:  # pydantic's ValidationError is a ValueError
        log.warning("No xAPI statement for %s: %s", event.id, invalid)
        return event


def send(claimed: Claimed, settings: WorkerSettings) -> SendResult:
    """One attempt to post the event, its target checked first (never raises)."""
    if claimed.event is None:
        return SendResult(None, error="The event is no longer in the outbox.")
    try:
        target = resolve(claimed.url, allow_private=settings.allow_private_targets)
    except TargetRefused as refused:
        return SendResult(None, error=str(refused)[:500])
    body = claimed.event.body()
    headers = signed_headers(claimed.event.id, body, claimed.secrets)
    return post(target, body.encode(), headers, timeout=settings.timeout)


def record(session: Session, claimed: Claimed, result: SendResult, settings: WorkerSettings) -> None:
    """Write one attempt's outcome (if the lease is still ours) and the endpoint's health; commit."""
    record_all(session, [(claimed, result)], settings)


def record_all(session: Session, outcomes: Sequence[tuple[Claimed, SendResult]], settings: WorkerSettings) -> None:
    """Write a round's outcomes in one transaction (one commit, not one per delivery)."""
    connection = session.connection()
    now = utcnow()
    for claimed, result in outcomes:
        values, endpoint_values = _outcome(claimed, result, settings, now)
        written = connection.execute(
            sa.update(_deliveries)
            .where(_deliveries.c.id == claimed.id, _deliveries.c.lease_token == claimed.lease_token)
            .values(**values)).rowcount
        if written:
            endpoint = sa.update(_endpoints).where(_endpoints.c.id == claimed.endpoint_id)
            if result.ok:  # touch (and lock) the endpoint's row only when it had failures to forget
                endpoint = endpoint.where(_endpoints.c.consecutive_failures > 0)
            connection.execute(endpoint.values(**endpoint_values))
    session.commit()


def _outcome(claimed: Claimed, result: SendResult, settings: WorkerSettings,
             now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """The delivery's new values and the endpoint's after one attempt."""
    attempts = claimed.attempts + 1
    if result.ok:
        return (retry.attempt_values(claimed.attempts, True, result.status_code, result.error, now, None),
                {"consecutive_failures": 0})
    endpoint_values: dict[str, Any] = {"consecutive_failures": _endpoints.c.consecutive_failures + 1}
    delay = None if result.status_code == GONE else retry.next_delay(
        settings.schedule, attempts, retry.parse_retry_after(result.retry_after, now))
    if delay is None:
        endpoint_values.update(state="disabled", disabled_at=now,
                               disabled_reason=_disabled_reason(result, attempts))
    return retry.attempt_values(claimed.attempts, False, result.status_code, result.error, now, delay), endpoint_values


def _disabled_reason(result: SendResult, attempts: int) -> str:
    if result.status_code == GONE:
        return "The receiver answered 410 Gone: it asked for no more events."
    last = f"HTTP {result.status_code}" if result.status_code is not None else (result.error or "no answer")
    return f"A delivery failed {attempts} times in a row (last: {last})."[:500]


@dataclass
class DeliveryWorker:
    """Hands out and sends until stopped; one per process (or thread) that delivers.

    ``session_scope`` gives a fresh session for each step and closes it
    (the Flask app's ``db.session`` inside an app context, for one).
    """

    session_factory: Callable[[], Session]
    settings: WorkerSettings = field(default_factory=WorkerSettings)
    lookup_lti: Callable[[Session, set[str]], dict[str, dict[str, str]]] | None = None
    queues: Sequence[Queue] = ()
    tasks: Sequence[Callable[[Session], int]] = ()  # more work each round (LMS notices in)
    stop: threading.Event = field(default_factory=threading.Event)

    def run_once(self) -> int:
        """One round: hand out, then send what is due; how many rows and deliveries were handled."""
        session = self.session_factory()
        try:
            handed = hand_out(session, sinks=[queue.sink for queue in self.queues])
            claimed = claim(session, self.settings, self.lookup_lti)
            others = [(queue, queue.claim(session, self.settings)) for queue in self.queues]
            done = sum(task(session) for task in self.tasks)
        finally:
            session.close()
        if claimed:
            self._send_all(claimed, send, record_all)
        for queue, items in others:
            if items:
                self._send_all(items, queue.send, queue.record)
        return handed + done + len(claimed) + sum(len(items) for _, items in others)

    def _send_all(self, claimed: list[Any], sender: Callable[[Any, WorkerSettings], SendResult],
                  recorder: Callable[[Session, Sequence[tuple[Any, SendResult]], WorkerSettings], None]) -> None:
        workers = min(self.settings.senders, len(claimed))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(lambda item: sender(item, self.settings), claimed))
        for item, result in zip(claimed, results):
            if not result.ok:
                log.info("delivery %s failed: %s", item.id, result.status_code or result.error)
        session = self.session_factory()
        try:
            recorder(session, list(zip(claimed, results)), self.settings)
        finally:
            session.close()

    def run_forever(self, on_error_sleep: float = 5.0) -> None:
        """Deliver until :attr:`stop` is set; a database that is down is waited for, not fatal."""
        while not self.stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # the database down, a bug in one event: log it, keep delivering
                log.exception("delivery round failed; trying again in %.0f s", on_error_sleep)
                self.stop.wait(on_error_sleep)
                continue
            if not busy:
                self.stop.wait(self.settings.poll_seconds)

    def drain(self, deadline_seconds: float = 30.0) -> None:
        """Run rounds until one does nothing (tests and benchmarks)."""
        end = time.monotonic() + deadline_seconds
        while self.run_once() and time.monotonic() < end:
            pass
