"""Isolation: do costly requests slow the learners? Through the real server.

Starts ``chain-tutor run`` (its defaults unless ``--server-args``) on a
fresh SQLite database and drives 16 learners chatting on ordinary problems
(bench_tutor.py's scripted conversations and its paced, open-loop driver:
``--rate`` turns per second offered in all, latency counted from each
turn's scheduled time). Two measurements of ``--duration`` seconds each, in
the same run:

baseline
    the learners alone;
flooded
    the learners while ``--attackers`` clients (2) send costly expressions
    without pause, each on its own connection: products of binomials that
    sympy needs 1-5 s to simplify (the longer ones run over the compute
    budget and are stopped), the explosive inputs of issue 11 that the cost
    estimate refuses, and ``sin(e^(e^(8x)))`` as an answer.

Prints both measurements side by side with their ratio, and PASS/MISS
against issue 11's targets: learners' p99 <= 100 ms and no failed learner
turn while flooded, and every costly request answered within the compute
budget plus 1 s. Results are appended to bench/results/bench_isolation.jsonl.

    python bench/bench_isolation.py [--duration 10] [--rate 50] [--attackers 2]
                                    [--server-args "--threads 4"]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from bench_api import RESULTS_DIR, Result, drive, free_port, start_server, stop_server, wait_until_healthy
from bench_tutor import SCRIPTS, Learner, paced, tutor_turns, with_cpu
from http_client import KeepAliveClient

from service.compute import DEFAULTS

TARGET_P99_MS = 100.0
BUDGET_SLACK_SECONDS = 1.0
_TOWER = "(sin(x)+x)^(cos(x)+x)^(tan(x)+x)^(e^x)^(ln(x))"
# What the attackers send, in turn: (path, body).
COSTLY: tuple[tuple[str, dict[str, str]], ...] = (
    ("/api/v1/solve", {"expression": "".join(f"(x+{i})" for i in range(1, 22))}),   # over budget: stopped
    ("/api/v1/solve", {"expression": "".join(f"(x^2+{i})" for i in range(1, 16))}),  # ~1.5 s of sympy
    ("/api/v1/check", {"problem": "x^2", "answer": "sin(e^(e^(8x)))"}),
    ("/api/v1/solve", {"expression": _TOWER * 3}),
    ("/api/v1/solve", {"expression": "".join(f"(x+{i})" for i in range(1, 80))}),
    ("/api/v1/solve", {"expression": "1/(x+" * 38 + "1" + ")" * 38}),
    ("/api/v1/preview", {"expression": "dy/dx = " + "^".join(["sin(x)"] * 12)}),
)


@dataclass(frozen=True)
class CostlyRequest:
    """One attacker's request: what it asked, its status and how long it took."""

    path: str
    status: int
    seconds: float


def attack(base: str, index: int, stop: threading.Event, out: list[CostlyRequest], lock: threading.Lock) -> None:
    """Send the costly requests one after another, without pause, until ``stop``."""
    mine: list[CostlyRequest] = []
    with KeepAliveClient(base, timeout=60) as client:
        number = index
        while not stop.is_set():
            path, body = COSTLY[number % len(COSTLY)]
            started = time.perf_counter()
            response = client.post(path, json=body)
            mine.append(CostlyRequest(path, response.status_code, time.perf_counter() - started))
            number += 1
    with lock:
        out.extend(mine)


def flooded(name: str, base: str, learners_call, clients: int, rate: float, duration: float,
            attackers: int) -> tuple[Result, list[CostlyRequest]]:
    """The learners' paced turns while ``attackers`` threads send costly requests."""
    stop, lock = threading.Event(), threading.Lock()
    costly: list[CostlyRequest] = []
    threads = [threading.Thread(target=attack, args=(base, index, stop, costly, lock)) for index in range(attackers)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # the flood is under way before the learners' window opens
    try:
        learners = paced(name, base, learners_call, clients, rate, duration)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    return learners, costly


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="learners")
    parser.add_argument("--attackers", type=int, default=2, help="clients sending costly requests")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--rate", type=float, default=50.0, help="turns per second the learners offer in all")
    parser.add_argument("--server-args", default="", help='options for chain-tutor run, e.g. "--threads 4"')
    parser.add_argument("--rate-limits", action="store_true",
                        help="keep the server's rate limits on (they throttle these paced learners too)")
    args = parser.parse_args()
    if not args.rate_limits:
        # The learners here offer ~3 turns/s each from one address, far over the per-token and
        # per-address turn limits, and the attackers would be throttled to a trickle: with the
        # limits on, the run measures the limiter, not the compute isolation. Off, it is the worst
        # case: attackers spread over enough addresses and tokens to stay under every limit.
        os.environ["RATELIMIT_ENABLED"] = "0"
    server_args = shlex.split(args.server_args)
    budget = float(os.environ.get("COMPUTE_SECONDS", DEFAULTS["COMPUTE_SECONDS"]))

    with tempfile.TemporaryDirectory(prefix="bench-isolation-") as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(port, f"sqlite:///{tmp}/bench.sqlite3", Path(tmp), server_args)
        try:
            wait_until_healthy(base, server)
            with KeepAliveClient(base) as client:
                learners = [Learner(client.post("/api/v1/learners", json={}).json()["token"],
                                    *SCRIPTS[index % len(SCRIPTS)]) for index in range(args.clients)]
            call = tutor_turns(learners)
            drive("warm-up", base, call, args.clients, 3.0)
            group, log = server.pid, Path(tmp) / "server.log"
            baseline = with_cpu(group, log, lambda: paced(
                "learners alone", base, call, args.clients, args.rate, args.duration))
            costly: list[CostlyRequest] = []

            def learners_flooded() -> Result:
                result, requests = flooded(f"learners + {args.attackers} attackers", base, call, args.clients,
                                           args.rate, args.duration, args.attackers)
                costly.extend(requests)
                return result

            # (The server's CPU per request then includes the attackers'.)
            with_flood = with_cpu(group, log, learners_flooded)
        finally:
            stop_server(server)

    load = os.getloadavg()
    print(f"{args.clients} learners paced at {args.rate:.0f} turns/s in all, {args.attackers} attackers; "
          f"server: chain-tutor run {shlex.join(server_args) or '(defaults)'}; compute budget {budget:g} s; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores shared with other work)")
    print(f"{'learners':<28}{'turns/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'failed':>8}{'slowest learner p50':>21}"
          f"{'server-side p99 ms':>20}")
    for r in (baseline, with_flood):
        print(f"{r.route:<28}{r.per_second:>9.1f}{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}{r.errors:>8}"
              f"{r.worst_client_p50_ms:>21.2f}{r.server_p99_ms:>20.2f}")
    print(f"flooded / alone: p50 {with_flood.p50_ms / baseline.p50_ms:.2f}x, p99 {with_flood.p99_ms / baseline.p99_ms:.2f}x")
    slowest = max((request.seconds for request in costly), default=0.0)
    statuses = Counter(request.status for request in costly)
    by_path = Counter(request.path for request in costly)
    print(f"costly requests: {len(costly)} ({dict(by_path)}), statuses {dict(statuses)}, "
          f"slowest {slowest:.2f} s")
    learners_ok = with_flood.p99_ms <= TARGET_P99_MS and with_flood.errors == 0
    costly_ok = slowest <= budget + BUDGET_SLACK_SECONDS and all(400 <= s < 500 or s == 200 for s in statuses)
    print(f"learners flooded: p99 {with_flood.p99_ms:.1f} ms (<= {TARGET_P99_MS:.0f}), "
          f"{with_flood.errors} failed: {'PASS' if learners_ok else 'MISS'}")
    print(f"costly: slowest {slowest:.2f} s (<= budget {budget:g} + {BUDGET_SLACK_SECONDS:g} s), no 5xx: "
          f"{'PASS' if costly_ok else 'MISS'}")

    RESULTS_DIR.mkdir(exist_ok=True)
    record = {"when": time.strftime("%Y-%m-%dT%H:%M:%S"), "server_args": server_args, "rate": args.rate,
              "clients": args.clients, "attackers": args.attackers, "budget": budget,
              "load_average": [round(x, 2) for x in load], "baseline": asdict(baseline),
              "flooded": asdict(with_flood), "costly": len(costly), "costly_statuses": dict(statuses),
              "costly_slowest_s": round(slowest, 3)}
    with open(RESULTS_DIR / "bench_isolation.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
