"""Turns through nginx and two app instances, beside one instance without nginx.

Starts the production topology (``service.topology``: nginx from the compose
file's template, app instances with ``AUTO_MIGRATE`` off, Redis) on a fresh
PostgreSQL database for each configuration, and measures with the drivers
of ``bench_tutor.py`` (the same scripted learners):

saturation (closed loop)
    ``--saturation-clients`` learners (32) send their next message as soon
    as the last answer is in: turns per second at saturation, and
    ``GET /api/v1/ping`` the same way in the same run (the turn/ping ratio
    says how much of the capacity the tutor's own work takes).
service level (paced)
    ``--learners`` learners (1,000), each on its own keep-alive connection,
    together offer each of ``--rates`` turns per second (200) on an open-loop
    schedule (a learner thinks ~5 s between messages); latency runs from
    the scheduled time, so a slow answer counts in full.

A configuration is ``nginx<N>:<worker class>`` (nginx in front of N instances
of one gunicorn worker each) or ``direct<N>:<worker class>`` (one instance
of N workers, no nginx: what ``chain-tutor run`` serves on its own).

    python bench/bench_topology.py [--configs nginx2:sync,nginx2:gthread,direct2:gthread]
                                   [--learners 1000] [--rates 50,200] [--duration 8]

``BENCH_APP_ENV="COMPUTE_POOL=0 ..."`` passes settings to the app instances
(to measure, say, what the compute budget's process pool costs a turn).

Results are appended as JSON lines to bench/results/bench_topology.jsonl.
Figures and the machine's caveats: bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from bench_api import RESULTS_DIR, Result, drive, get_ping
from bench_tutor import (
    DEFAULT_POSTGRES,
    SCRIPTS,
    Learner,
    drop_postgres,
    fresh_postgres,
    paced,
    server_cpu_seconds,
    tutor_turns,
)
from http_client import KeepAliveClient

from service.topology import Topology, TopologySettings

# Settings for the app instances from the environment: BENCH_APP_ENV="NAME=value NAME=value".
EXTRA_ENV = dict(item.split("=", 1) for item in os.environ.get("BENCH_APP_ENV", "").split() if item)
BASE_PORT = 5250
# The whole load comes from one address: nginx's per-address limit would refuse most of it, and so
# would the app's (issue 11). The app's limits stay on, counted in Redis as in a deployment, only
# raised: a real crowd comes from a thousand addresses, and the saturating learners send far more
# than a person's 60 turns a minute. (bench_faults.py's crowd too.)
CROWD_LIMITS = {"nginx_rate_per_ip": 100_000, "nginx_burst": 100_000}
CROWD_APP_ENV = dict.fromkeys(("RATE_LIMIT_LEARNERS", "RATE_LIMIT_TURNS", "RATE_LIMIT_TURNS_PER_CREDENTIAL"),
                              "1000000/minute")


def topology_for(config: str, database_url: str, run_dir: Path) -> tuple[TopologySettings, bool]:
    """The settings of ``nginx2:sync``-style ``config``, and whether to go through nginx."""
    shape, worker_class = config.split(":")
    through_nginx = shape.startswith("nginx")
    count = int(shape.removeprefix("nginx").removeprefix("direct"))
    settings = TopologySettings(
        database_url=database_url, run_dir=run_dir, base_port=BASE_PORT,
        instances=count if through_nginx else 1, workers=1 if through_nginx else count,
        worker_class=worker_class, with_worker=False, **CROWD_LIMITS,  # type: ignore[arg-type]
        env={"LOG_FORMAT": "text", **EXTRA_ENV, **CROWD_APP_ENV},
    )
    return settings, through_nginx


def make_learners(base: str, count: int) -> list[Learner]:
    with KeepAliveClient(base) as client:
        return [Learner(client.post("/api/v1/learners", json={}).json()["token"], *SCRIPTS[index % len(SCRIPTS)])
                for index in range(count)]


def with_server_cpu(topology: Topology, measure: Callable[[], Result]) -> Result:
    """``measure()`` with the CPU ms per request of every server process (nginx, instances, Redis)."""
    groups = [process.pid for process in topology.processes.values()]
    before = sum(map(server_cpu_seconds, groups))
    result = measure()
    result.cpu_ms = round((sum(map(server_cpu_seconds, groups)) - before) * 1000 / max(1, result.requests), 2)
    return result


def bench_config(config: str, server_url: str, learners: int, saturation_clients: int, rates: list[float],
                 duration: float) -> list[Result]:
    database_url = fresh_postgres(server_url)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-topology-") as tmp:
            settings, through_nginx = topology_for(config, database_url, Path(tmp))
            with Topology(settings) as topology:
                base = topology.url if through_nginx else topology.instance_url(0)
                crowd = make_learners(base, learners)
                busy = make_learners(base, saturation_clients)
                drive("warm-up", base, tutor_turns(busy), saturation_clients, 3.0)
                results = [
                    with_server_cpu(topology, lambda: drive(
                        f"{config}: ping, saturation", base, get_ping, saturation_clients, duration)),
                    with_server_cpu(topology, lambda: drive(
                        f"{config}: turns, saturation", base, tutor_turns(busy), saturation_clients, duration)),
                ]
                for rate in rates:
                    results.append(with_server_cpu(topology, lambda: paced(
                        f"{config}: turns, {learners} learners at {rate:.0f}/s", base, tutor_turns(crowd),
                        learners, rate, duration)))
    finally:
        drop_postgres(server_url, database_url)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", default="nginx2:sync,nginx2:gthread,direct2:gthread")
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--saturation-clients", type=int, default=32)
    parser.add_argument("--rates", default="200", help="offered turns/s of the paced runs, comma-separated")
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    args = parser.parse_args()
    RESULTS_DIR.mkdir(exist_ok=True)
    print(f"{'run':58} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'CPU ms':>8}")
    for config in args.configs.split(","):
        rates = [float(rate) for rate in args.rates.split(",")]
        results = bench_config(config, args.postgres, args.learners, args.saturation_clients, rates,
                               args.duration)
        ping, turns = results[:2]
        for result in results:
            print(f"{result.route:58} {result.per_second:8.1f} {result.p50_ms:8.1f} {result.p99_ms:8.1f} "
                  f"{result.errors:7d} {result.cpu_ms:8.2f}", flush=True)
        print(f"{config}: turn/ping throughput ratio {turns.per_second / max(ping.per_second, 0.1):.3f}", flush=True)
        with open(RESULTS_DIR / "bench_topology.jsonl", "a") as out:
            out.write(json.dumps({"time": time.time(), "config": config, "learners": args.learners,
                                  "rates": rates, "results": [asdict(result) for result in results]}) + "\n")


if __name__ == "__main__":
    main()
