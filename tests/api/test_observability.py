"""Request ids, JSON error bodies that carry them, and the /metrics endpoint."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.observability import metrics
from tests.api.conftest import Cast


def sample(body: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text, 0 when absent."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in body.splitlines():
        if line.startswith("#"):
            continue
        found = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if found and found.group(1) == name:
            present = ",".join(sorted((found.group(2) or "").split(","))) if found.group(2) else ""
            if all(part in present.split(",") for part in wanted.split(",") if part):
                return float(found.group(3))
    return 0.0


def test_a_request_id_from_nginx_is_echoed(client: FlaskClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "3f2a9c0e7b1d4e5f8a6b2c9d0e1f7a3b"})
    assert response.headers["X-Request-ID"] == "3f2a9c0e7b1d4e5f8a6b2c9d0e1f7a3b"


def test_without_one_the_app_makes_a_fresh_id_per_request(client: FlaskClient) -> None:
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


def test_an_insane_request_id_is_replaced_not_trusted(client: FlaskClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


@pytest.mark.parametrize("call", [
    lambda client: client.post("/api/v1/solve", json={"expression": "sin((3x"}),   # 422 from the core
    lambda client: client.post("/api/v1/solve", json={}),                           # 422 from webargs
    lambda client: client.get("/api/v1/no-such-thing"),                              # 404 from werkzeug
    lambda client: client.post("/api/v1/solve", data="x", content_type="text/plain"),  # 415, before any view
])
def test_every_error_reply_names_its_request_id(client: FlaskClient, call: Callable[[FlaskClient], object]) -> None:
    response = call(client)
    assert 400 <= response.status_code < 500
    assert response.get_json()["error"]["request_id"] == response.headers["X-Request-ID"]


def test_metrics_count_requests_by_route_not_by_path(client: FlaskClient) -> None:
    for _ in range(3):
        client.get("/api/v1/conversations/" + "a" * 32)  # 401: no token, but a known route
    body = client.get("/metrics").get_data(as_text=True)
    assert sample(body, "chain_tutor_http_request_duration_seconds_count", method="GET",
                  route="/api/v1/conversations/<string(length=32):conversation_id>", status="401") >= 3
    assert "a" * 32 not in body


def test_metrics_count_turns_by_outcome(client: FlaskClient, cast: Cast) -> None:
    before = metrics.TURN_LATENCY.labels(kind="message", outcome="wrong_answer")._sum.get()
    count_before = _count(client, "message", "wrong_answer")
    opening = client.post("/api/v1/conversations", json={"expression": "(2x+1)^3"}, headers=cast.learner.headers)
    turn = client.post(f"/api/v1/conversations/{opening.get_json()['id']}/messages",
                       json={"text": "dy/dx = 3(2x+1)^2"}, headers=cast.learner.headers)
    assert turn.get_json()["verdict"]["correct"] is False
    assert _count(client, "message", "wrong_answer") == count_before + 1
    assert metrics.TURN_LATENCY.labels(kind="message", outcome="wrong_answer")._sum.get() > before


def _count(client: FlaskClient, kind: str, outcome: str) -> float:
    body = client.get("/metrics").get_data(as_text=True)
    return sample(body, "chain_tutor_turn_duration_seconds_count", kind=kind, outcome=outcome)


def test_the_counters_other_areas_call_show_up(client: FlaskClient) -> None:
    metrics.record_compute_budget_hit("solve")
    metrics.record_rate_limit_rejection("per-ip")
    metrics.record_delivery(2.5)
    body = client.get("/metrics").get_data(as_text=True)
    assert sample(body, "chain_tutor_compute_budget_hits_total", operation="solve") >= 1
    assert sample(body, "chain_tutor_rate_limit_rejections_total", limit="per-ip") >= 1
    assert sample(body, "chain_tutor_outbox_delivery_lag_seconds_count", outcome="delivered") >= 1


def test_outbox_depth_and_lag_are_read_from_the_database(client: FlaskClient, cast: Cast) -> None:
    opening = client.post("/api/v1/conversations", json={"expression": "(2x+1)^3"}, headers=cast.learner.headers)
    client.post(f"/api/v1/conversations/{opening.get_json()['id']}/messages",
                json={"text": "dy/dx = 6(2x+1)^2"}, headers=cast.learner.headers)
    body = client.get("/metrics").get_data(as_text=True)
    assert sample(body, "chain_tutor_outbox_undelivered_events") >= 1
    assert sample(body, "chain_tutor_outbox_oldest_undelivered_age_seconds") >= 0
    assert "chain_tutor_db_pool_connections_in_use" in body


def test_metrics_ask_for_the_token_when_one_is_configured(database_url: str,
                                                         app_factory: Callable[..., Flask]) -> None:
    client = app_factory(database_url, METRICS_TOKEN="s3cret-token").test_client()
    refused = client.get("/metrics")
    assert refused.status_code == 401
    assert refused.get_json()["error"]["request_id"] == refused.headers["X-Request-ID"]
    allowed = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert allowed.status_code == 200 and b"chain_tutor_http_request_duration_seconds" in allowed.data
