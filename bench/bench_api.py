"""Throughput and latency of ``POST /api/v1/solve`` through the real server.

Starts ``chain-tutor run`` (gunicorn, its default workers and threads) on a
free port over a fresh SQLite database (or ``--database-url``), then drives
two routes of that same server in turn with N concurrent keep-alive clients
for a fixed time each:

* ``GET /api/v1/ping``: a trivial JSON route, the cost of the stack itself;
* ``POST /api/v1/solve``: the lesson's examples and a few more, in rotation.

It prints requests per second, p50 and p99 for each, and their ratio, so
the number says how much the calculus costs over the bare web stack on
this machine; beside them, the load generator's own CPU per request (it
shares the machine with the server). Results are appended as JSON lines
to bench/results/.

    python bench/bench_api.py --clients 8 --duration 10
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from http_client import KeepAliveClient, Response

RESULTS_DIR = Path(__file__).resolve().parent / "results"
EXPRESSIONS = [
    "(2x+1)^3", "e^(-x^2)", "sin((3x)^2)", "sqrt(1-x^2)", "ln(cos(x))",
    "arctan(2x)", "x*sin(x^2)", "tanh(3x+1)^2", "e^(-x)/x", "cos(sin(x^3))",
]


@dataclass
class Result:
    route: str
    requests: int
    errors: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float = 0.0  # the server's CPU per request, where a bench measures it
    client_cpu_ms: float = 0.0  # the load generator's (this process's) CPU per request
    server_p99_ms: float = 0.0  # p99 of the durations the server's access log gives, where read
    # The median latency of the slowest client: a client pinned behind a busy
    # worker shows here even when it made too few requests to move the p99.
    worst_client_p50_ms: float = 0.0


# What a driver calls for each request: ``call(client, n)`` on the thread's own
# client, ``n`` numbering that thread's calls (see :func:`drive`).
Call = Callable[[KeepAliveClient, int], Response]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, database_url: str, workdir: Path,
                 options: Sequence[str] = ()) -> subprocess.Popen[bytes]:
    """``chain-tutor run`` in its own process group, its log in ``workdir``.

    ``options`` go on its command line (``["--workers", "3"]``).
    """
    command = shutil.which("chain-tutor")
    if command is None:
        sys.exit("chain-tutor is not installed: pip install -e .")
    env = {**os.environ, "DATABASE_URL": database_url, "CHAIN_TUTOR_INSTANCE": str(workdir)}
    log = open(workdir / "server.log", "wb")  # noqa: SIM115 - lives as long as the server
    return subprocess.Popen([command, "run", "--port", str(port), *options], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def wait_until_healthy(base: str, server: subprocess.Popen[bytes], timeout: float = 120) -> None:
    """Poll ``/healthz`` until it answers 200 (the first start migrates and loads content)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited with {server.returncode}; see its log")
        try:
            with KeepAliveClient(base, timeout=2) as client:
                if client.get("/healthz").status_code == 200:
                    return
        except OSError:  # refused while it starts, or dropped mid-answer
            pass
        time.sleep(0.25)
    sys.exit("the server did not become healthy in time")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group (gunicorn and its workers) and wait."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def drive(name: str, base: str, call: Call, clients: int, duration: float) -> Result:
    """Run ``clients`` threads for ``duration`` seconds, each calling ``call`` in a loop.

    Each thread has its own keep-alive client of ``base``; thread ``index``
    numbers its calls ``index, index + clients, ...``.
    """
    latencies: list[float] = []
    medians: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def load(index: int) -> None:
        nonlocal errors
        mine: list[float] = []
        failed = 0
        with KeepAliveClient(base) as client:
            counter = index
            while time.monotonic() < stop_at:
                started = time.perf_counter()
                response = call(client, counter)
                mine.append(time.perf_counter() - started)
                failed += response.status_code >= 400
                counter += clients
        with lock:
            latencies.extend(mine)
            medians.append(statistics.median(mine) if mine else duration)
            errors += failed

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(load, range(clients)))
    return summarise(name, latencies, errors, time.monotonic() - started, medians)


def summarise(name: str, latencies: list[float], errors: int, elapsed: float,
              client_medians: Sequence[float] = ()) -> Result:
    """The :class:`Result` of ``latencies`` (seconds) measured over ``elapsed`` seconds.

    ``client_medians``: each client's median latency (seconds), for the slowest one's.
    """
    ordered = sorted(latencies)
    return Result(
        route=name, requests=len(ordered), errors=errors, seconds=round(elapsed, 2),
        per_second=round(len(ordered) / elapsed, 1),
        p50_ms=round(statistics.median(ordered) * 1000, 2),
        p99_ms=round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
        worst_client_p50_ms=round(max(client_medians, default=0.0) * 1000, 2),
    )


def client_cpu_seconds() -> float:
    """CPU seconds this process (the load generator: every driver thread) has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def with_client_cpu(measure: Callable[[], Result]) -> Result:
    """``measure()``, with the load generator's CPU milliseconds per request filled in.

    The load generator shares the machine with the server it measures: what
    it spends is CPU the server did not get, so it is printed beside the
    server's figures to show how much of the machine the bench itself took.
    """
    before = client_cpu_seconds()
    result = measure()
    result.client_cpu_ms = round((client_cpu_seconds() - before) * 1000 / max(1, result.requests), 2)
    return result


def get_ping(client: KeepAliveClient, _: int) -> Response:
    """The ``call`` for ``GET /api/v1/ping``, the bare stack."""
    return client.get("/api/v1/ping")


def post_solve(client: KeepAliveClient, n: int) -> Response:
    """The ``call`` for ``POST /api/v1/solve``, the expressions in rotation."""
    return client.post("/api/v1/solve", json={"expression": EXPRESSIONS[n % len(EXPRESSIONS)]})


def run(base: str, clients: int, duration: float) -> list[Result]:
    """Warm both routes up, then measure each in turn."""
    # Every worker imports sympy and fills its caches on first use: not what we measure.
    drive("warm-up", base, post_solve, clients, min(3.0, duration))
    return [with_client_cpu(lambda: drive("GET /api/v1/ping", base, get_ping, clients, duration)),
            with_client_cpu(lambda: drive("POST /api/v1/solve", base, post_solve, clients, duration))]


def report(results: list[Result], clients: int) -> dict[str, object]:
    """Print the table and the ratios; return the record to keep."""
    ping, solve = results
    print(f"{clients} concurrent keep-alive clients, {ping.seconds:.0f} s per route")
    print(f"{'route':<22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}{'client CPU ms/req':>19}")
    for r in results:
        print(f"{r.route:<22}{r.per_second:>10.1f}{r.p50_ms:>10.2f}{r.p99_ms:>10.2f}{r.errors:>8}"
              f"{r.client_cpu_ms:>19.2f}")
    throughput_ratio = solve.per_second / ping.per_second if ping.per_second else 0.0
    p99_ratio = solve.p99_ms / ping.p99_ms if ping.p99_ms else 0.0
    print(f"solve/ping throughput ratio: {throughput_ratio:.3f} "
          f"(solve runs at {throughput_ratio:.1%} of the bare stack's rate)")
    print(f"solve/ping p99 ratio: {p99_ratio:.1f}x")
    return {"when": time.strftime("%Y-%m-%dT%H:%M:%S"), "clients": clients,
            "results": [asdict(r) for r in results],
            "throughput_ratio": round(throughput_ratio, 4), "p99_ratio": round(p99_ratio, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per route")
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        workdir = Path(tmp)
        database_url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
        port = free_port()
        server = start_server(port, database_url, workdir)
        try:
            wait_until_healthy(f"http://127.0.0.1:{port}", server)
            results = run(f"http://127.0.0.1:{port}", args.clients, args.duration)
        finally:
            stop_server(server)
    record = report(results, args.clients)
    RESULTS_DIR.mkdir(exist_ok=True)
    with open(RESULTS_DIR / "bench_api.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
