"""The production topology, run for real: nginx, two app instances, Redis (and the
delivery worker when this install has it) on loopback against one database.

Slow (half a minute or more): every process is started as an operator would.
Skipped with the reason when nginx or redis-server is missing (Debian:
``apt-get install nginx-light redis-server``). PostgreSQL when
``TEST_DATABASE_URL`` is set, else one SQLite file shared by the instances.
"""

from __future__ import annotations

import json
import re
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from service.topology import Topology, TopologySettings, missing_programs
from tests.integration.conftest import postgres_server_url

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(missing_programs()), reason=f"missing programs: {', '.join(missing_programs())}"),
]


def call(url: str, method: str = "GET", body: Any = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    """One HTTP request; (status, headers, parsed JSON body or raw text)."""
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, answer_headers, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, raw = error.code, dict(error.headers), error.read()
    try:
        return status, answer_headers, json.loads(raw)
    except ValueError:
        return status, answer_headers, raw.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    run_dir = tmp_path_factory.mktemp("topology")
    made: list[str] = []
    if postgres_server_url():
        from tests.integration.conftest import create_postgres_database

        made.append(create_postgres_database(postgres_server_url() or ""))
        database_url = made[0]
    else:
        database_url = f"sqlite:///{run_dir / 'shared.sqlite3'}"
    settings = TopologySettings(database_url=database_url, run_dir=run_dir, base_port=5240,
                                nginx_rate_per_ip=50, nginx_burst=100)
    try:
        with Topology(settings) as running:
            yield running
    finally:
        if made:
            from tests.integration.conftest import drop_postgres_database

            drop_postgres_database(postgres_server_url() or "", made[0])


@pytest.fixture(scope="module")
def learner(topology: Topology) -> dict[str, str]:
    status, _, body = call(f"{topology.url}/api/v1/learners", "POST", {})
    assert status == 201
    return {"Authorization": f"Bearer {body['token']}"}


def test_nginx_sets_the_request_id_that_the_app_logs(topology: Topology) -> None:
    status, headers, _ = call(f"{topology.url}/api/v1/ping")
    assert status == 200
    request_id = headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    # Both write their access line after the answer has gone out: give them a moment.
    assert eventually(lambda: any(
        line.get("request_id") == request_id and line.get("path") == "/api/v1/ping"
        for line in json_lines(topology.log_path("app0"), topology.log_path("app1"))))
    assert eventually(lambda: any(
        line["request_id"] == request_id for line in json_lines(topology.run_dir / "nginx-access.log")))


def json_lines(*paths: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for path in paths for line in path.read_text().splitlines() if line.startswith("{")]


def eventually(check: Callable[[], bool], timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_metrics_are_served_by_the_instances_but_not_through_nginx(topology: Topology) -> None:
    assert call(f"{topology.url}/metrics")[0] == 404
    status, _, body = call(f"{topology.instance_url(0)}/metrics")
    assert status == 200 and "chain_tutor_http_request_duration_seconds" in body


def test_a_resent_message_through_nginx_takes_one_turn(topology: Topology, learner: dict[str, str]) -> None:
    _, _, opening = call(f"{topology.url}/api/v1/conversations", "POST", {"expression": "(2x+1)^3"}, learner)
    path = f"{topology.url}/api/v1/conversations/{opening['id']}/messages"
    key = {**learner, "Idempotency-Key": "topology-key-1"}
    first = call(path, "POST", {"text": "hint"}, key)
    again = call(path, "POST", {"text": "hint"}, key)
    assert first[0] == again[0] == 200 and first[2] == again[2]
    _, _, transcript = call(f"{topology.url}/api/v1/conversations/{opening['id']}", headers=learner)
    assert [m["text"] for m in transcript["messages"] if m["role"] == "learner"] == ["hint"]


def test_a_body_over_the_limit_stops_at_nginx(topology: Topology) -> None:
    status, _, _ = call(f"{topology.url}/api/v1/solve", "POST", b'{"expression": "' + b"x" * 70_000 + b'"}')
    assert status == 413


def test_losing_an_instance_loses_no_request(topology: Topology, learner: dict[str, str]) -> None:
    _, _, opening = call(f"{topology.url}/api/v1/conversations", "POST", {"expression": "sin(x^2)"}, learner)
    topology.kill("app0", signal.SIGKILL)
    messages = f"{topology.url}/api/v1/conversations/{opening['id']}/messages"

    def say_hint(number: int) -> int:
        # As the widget does: a POST that nginx had already sent to the killed instance on a
        # kept-alive connection is not retried there (not idempotent), so nginx answers 503
        # "send again"; the client resends once with the same Idempotency-Key.
        headers = {**learner, "Idempotency-Key": f"topology-hint-{number}"}
        status = call(messages, "POST", {"text": "hint"}, headers)[0]
        return call(messages, "POST", {"text": "hint"}, headers)[0] if status == 503 else status

    try:
        assert [say_hint(number) for number in range(6)] == [200] * 6
    finally:
        topology.restart("app0")
    assert call(f"{topology.instance_url(0)}/healthz")[0] == 200
    # Nothing acknowledged was lost, and no resend took a second turn.
    transcript = call(f"{topology.url}/api/v1/conversations/{opening['id']}", "GET", None, learner)[2]
    assert [m["text"] for m in transcript["messages"] if m["role"] == "learner"] == ["hint"] * 6


def test_a_flood_from_one_address_gets_json_429s_from_nginx(topology: Topology) -> None:
    answers = [call(f"{topology.url}/api/v1/ping") for _ in range(250)]
    refused = [answer for answer in answers if answer[0] == 429]
    assert refused, "limit_req never refused"
    status, headers, body = refused[0]
    assert headers["Retry-After"] == "1"
    assert body["error"]["request_id"] == headers["X-Request-ID"]


