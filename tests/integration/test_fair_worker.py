"""The server's default worker (service.commands.fair_worker): one queue of
requests for all workers, kept-alive connections while nothing waits, and
silent connections kept out of the threads. The mechanism on a worker object
in this process, then the behaviour through ``chain-tutor run``."""

from __future__ import annotations

import http.client
import os
import selectors
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from gunicorn.config import Config

from service.commands.fair_worker import FairThreadWorker
from tests.integration.test_app import CONFIG_ENV, running_server


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    sock = socket.create_server(("127.0.0.1", 0))
    sock.setblocking(False)
    yield sock
    sock.close()


@pytest.fixture
def worker(listener: socket.socket) -> Iterator[FairThreadWorker]:
    """A worker of one thread set up as its process would be, without its loop."""
    cfg = Config()
    cfg.set("threads", 1)
    made = FairThreadWorker(0, os.getpid(), [listener], mock.Mock(), 30, cfg, mock.Mock())
    made.tpool = made.get_thread_pool()
    made.poller = selectors.DefaultSelector()
    made.method_queue.init()
    made.set_accept_enabled(True)
    yield made
    made.tpool.shutdown(wait=True)
    for conn in made.pending_conns:
        conn.close()
    made.poller.close()
    made.method_queue.close()
    made.tmp.close()  # the heartbeat file every gunicorn worker opens


def listening(worker: FairThreadWorker, listener: socket.socket) -> bool:
    return listener.fileno() in worker.poller.get_map()


def run_finished(worker: FairThreadWorker, done: Future[Any]) -> None:
    """Wait for a request's thread, then run what it left for the main thread (finish_request)."""
    done.result(timeout=5)
    deadline = time.monotonic() + 5
    while worker.in_flight and time.monotonic() < deadline:
        worker.method_queue.run_callbacks(None)


def test_a_worker_listens_only_while_its_thread_is_free(
        worker: FairThreadWorker, listener: socket.socket) -> None:
    assert listening(worker, listener)
    release = threading.Event()
    done: Future[Any] = Future()

    def handle(conn: Any) -> bool:
        release.wait(5)
        done.set_result(True)
        return False  # the connection is closed after its answer

    worker.handle = handle  # type: ignore[method-assign]
    conn = mock.Mock()
    worker.nr_conns = 1
    worker.enqueue_req(conn)
    assert worker.in_flight == 1 and not listening(worker, listener)
    # gunicorn's loop asks to listen whenever it has room: not while busy.
    worker.set_accept_enabled(True)
    assert not listening(worker, listener)

    release.set()
    run_finished(worker, done)
    assert worker.in_flight == 0 and listening(worker, listener)
    conn.close.assert_called_once()


def test_an_answer_closes_its_connection_while_other_requests_wait(
        worker: FairThreadWorker, listener: socket.socket) -> None:
    kept = worker.cfg.worker_connections - worker.cfg.threads
    worker.in_flight = 1  # the request being answered, nothing behind it
    assert worker.max_keepalived == kept
    worker.in_flight = 2  # another one waits for this worker's thread
    assert worker.max_keepalived == 0  # gunicorn then answers with "Connection: close"

    worker.in_flight = 1
    with socket.create_connection(listener.getsockname()):
        time.sleep(0.05)
        # A connection waits in the queue the workers share: this client
        # joins the end of it rather than staying ahead on its own connection.
        assert worker.max_keepalived == 0


def test_a_new_connection_waits_for_its_request_in_the_poller(
        worker: FairThreadWorker, listener: socket.socket) -> None:
    handled: list[Any] = []
    worker.handle = lambda conn: handled.append(conn) or False  # type: ignore[method-assign]
    with socket.create_connection(listener.getsockname()) as client:
        time.sleep(0.05)
        worker.accept(listener)
        assert worker.nr_conns == 1 and worker.in_flight == 0  # no thread taken by a silent client
        [conn] = worker.pending_conns
        assert conn.sock.fileno() in worker.poller.get_map()

        client.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        worker.wait_for_and_dispatch_events(timeout=2)
        assert worker.in_flight == 1 and not worker.pending_conns
        deadline = time.monotonic() + 5
        while not handled and time.monotonic() < deadline:
            time.sleep(0.01)
        assert handled == [conn] and conn.data_ready
        conn.close()


def test_a_connection_whose_request_is_there_goes_straight_to_a_thread(
        worker: FairThreadWorker, listener: socket.socket) -> None:
    handled: list[Any] = []
    worker.handle = lambda conn: handled.append(conn) or False  # type: ignore[method-assign]
    with socket.create_connection(listener.getsockname()) as client:
        client.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.05)
        worker.accept(listener)
        assert worker.in_flight == 1 and not worker.pending_conns
        deadline = time.monotonic() + 5
        while not handled and time.monotonic() < deadline:
            time.sleep(0.01)
        [conn] = handled
        assert conn.data_ready
        conn.close()


@pytest.mark.slow
def test_the_server_keeps_connections_alive_and_is_not_held_up_by_silent_ones(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if name not in CONFIG_ENV}
    env["CHAIN_TUTOR_INSTANCE"] = str(tmp_path / "instance")
    with running_server(env, tmp_path) as server:  # the defaults: 2 workers of one thread
        host, port = server.base.removeprefix("http://").split(":")
        # Browsers open connections they may never use. gunicorn's gthread gave
        # each a worker's only thread for 5 s; two of them stalled the server.
        silent = [socket.create_connection((host, int(port))) for _ in range(2)]
        try:
            time.sleep(0.2)
            connection = http.client.HTTPConnection(host, int(port), timeout=10)
            started = time.monotonic()
            connection.request("GET", "/api/v1/ping")
            first = connection.getresponse()
            first.read()
            assert first.status == 200 and time.monotonic() - started < 2
            sock = connection.sock
            connection.request("GET", "/api/v1/ping")
            second = connection.getresponse()
            second.read()
            # With nothing waiting, the connection was kept alive and used again.
            assert second.status == 200 and connection.sock is sock
            assert (first.getheader("Connection") or "").lower() != "close"
            connection.close()
        finally:
            for sock in silent:
                sock.close()
    assert server.process.returncode == 0, server.output
