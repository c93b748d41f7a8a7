"""Load and faults: 1,000 learners through nginx while processes die, then the database is checked.

Runs a throwaway PostgreSQL cluster of its own (initdb under /tmp, its own
port: the machine's server, shared with others, is never restarted), the
production topology on it (``service.topology``: nginx, two app instances,
Redis of its own, the delivery worker when ``chain-tutor worker`` exists),
and Locust headless with the learners of ``bench/locustfile.py`` (they
think 5-15 s between messages and resend with the same Idempotency-Key
what was not answered). While they work:

- ``kill -9`` one app instance, and start it again 10 s later;
- restart PostgreSQL (``pg_ctl restart -m fast``: every connection cut);
- stop Redis for 10 s;
- ``kill -9`` the delivery worker mid-delivery, and start it again.

Then the database must show every acknowledged message stored exactly once
at the position its reply said (nothing lost, nothing duplicated), and at
most one unacknowledged trailing message per conversation (a turn committed
whose answer never reached the learner, who gave up resending).

    python bench/bench_faults.py [--users 1000] [--duration 150] [--base-port 5270] [--pg-port 5269]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import psycopg

from bench_topology import CROWD_APP_ENV, CROWD_LIMITS
from service.topology import Topology, TopologySettings

PG_BIN = Path("/usr/lib/postgresql/15/bin")
BENCH_DIR = Path(__file__).resolve().parent


class ThrowawayPostgres:
    """A PostgreSQL cluster of our own under ``folder``, run as the ``postgres`` user."""

    def __init__(self, folder: Path, port: int) -> None:
        self.data = folder / "pgdata"
        self.port = port
        self.socket_dir = folder

    def _as_postgres(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.socket_dir, "postgres") if os.geteuid() == 0 else None
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-N")
        self._ctl("start")
        self._wait()

    def _ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-w",
                          "-l", str(self.data.parent / "postgres.log"), action, *extra)

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        if self.data.exists():
            self._ctl("stop", "-m", "immediate")

    def _wait(self) -> None:
        for _ in range(100):
            try:
                psycopg.connect(self.libpq_url).close()
                return
            except psycopg.OperationalError:
                time.sleep(0.2)
        raise RuntimeError("the throwaway PostgreSQL did not start")

    @property
    def libpq_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


def faults(topology: Topology, postgres: ThrowawayPostgres, start: float, log: list[str]) -> None:
    """The fault timeline, in seconds from ``start``; each step logged with its time."""

    def at(offset: float, what: str, action) -> None:  # noqa: ANN001
        delay = start + offset - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        try:
            action()
            log.append(f"{time.monotonic() - start:6.1f} s  {what}")
        except Exception as error:  # noqa: BLE001 - a failed step is reported, the run goes on
            log.append(f"{time.monotonic() - start:6.1f} s  {what} FAILED: {error}")

    at(30, "kill -9 app0", lambda: topology.kill("app0"))
    at(40, "app0 started again", lambda: topology.restart("app0"))
    at(60, "PostgreSQL restarted (pg_ctl restart -m fast)", postgres.restart)
    at(80, "Redis stopped", lambda: topology.kill("redis", signal.SIGTERM))
    at(90, "Redis started again", lambda: topology.restart("redis"))
    if "worker" in topology.processes:
        at(100, "kill -9 the delivery worker", lambda: topology.kill("worker"))
        at(105, "worker started again", lambda: topology.restart("worker"))


def verify(database_url: str, acks_file: Path) -> dict[str, int]:
    """Check the acknowledged turns against the database; the counts (raises on a loss or a duplicate)."""
    acked: dict[str, list[dict]] = defaultdict(list)
    for line in acks_file.read_text().splitlines() if acks_file.exists() else []:
        record = json.loads(line)
        acked[record["conversation"]].append(record)
    lost = duplicated = extra_trailing = checked = 0
    with psycopg.connect(database_url) as connection:
        for conversation, records in acked.items():
            rows = connection.execute(
                "SELECT position, text FROM messages WHERE conversation_id = %s AND role = 'learner' "
                "ORDER BY position", (conversation,)).fetchall()
            stored = dict(rows)
            for record in records:
                checked += 1
                if stored.get(record["position"]) != record["text"]:
                    lost += 1
            keys = {record["key"] for record in records}
            unacknowledged = len(rows) - len(keys)
            if unacknowledged > 1:
                duplicated += unacknowledged - 1
            extra_trailing += unacknowledged == 1
            replies = connection.execute(
                "SELECT count(*) FROM idempotent_replies WHERE key = ANY(%s)", (list(keys),)).fetchone()[0]
            duplicated += max(0, replies - len(keys))
            lost += max(0, len(keys) - replies)
    return {"acknowledged": checked, "conversations": len(acked), "lost": lost, "duplicated": duplicated,
            "unacknowledged_trailing": extra_trailing}


def locust_summary(prefix: Path) -> list[dict[str, str]]:
    stats = Path(f"{prefix}_stats.csv")
    return list(csv.DictReader(stats.open())) if stats.exists() else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--spawn-rate", type=float, default=50)
    parser.add_argument("--duration", type=int, default=150, help="seconds of load (the faults need 110)")
    parser.add_argument("--base-port", type=int, default=5270)
    parser.add_argument("--pg-port", type=int, default=5269)
    parser.add_argument("--keep", action="store_true", help="keep the run folder (logs) afterwards")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    os.chmod(folder, 0o755)
    postgres = ThrowawayPostgres(folder / "pg", args.pg_port)
    postgres.start()
    try:
        # Raised limits for a crowd from one address, as bench_topology.py's (the app's still count in Redis).
        settings = TopologySettings(database_url=postgres.url, run_dir=folder / "topology", base_port=args.base_port,
                                    **CROWD_LIMITS, env={"LOG_FORMAT": "text", **CROWD_APP_ENV})  # type: ignore[arg-type]
        with Topology(settings) as topology:
            acks, prefix, log = folder / "acks.jsonl", folder / "locust", []
            env = {**os.environ, "ACK_FILE": str(acks), "PYTHONPATH": str(BENCH_DIR)}
            started = time.monotonic()
            timeline = threading.Thread(target=faults, args=(topology, postgres, started, log), daemon=True)
            timeline.start()
            subprocess.run([sys.executable, "-m", "locust", "-f", str(BENCH_DIR / "locustfile.py"), "--headless",
                            "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.duration}s",
                            "--host", topology.url, "--csv", str(prefix), "--only-summary", "--stop-timeout", "20"],
                           env=env, check=False, timeout=args.duration + 300)
            timeline.join(timeout=60)
            time.sleep(2)
            figures = verify(postgres.libpq_url, acks)
            print("\n".join(["faults:", *log]))
            for row in locust_summary(prefix):
                print(f"{row['Name']:42} requests {row['Request Count']:>7} failures {row['Failure Count']:>6} "
                      f"p50 {row['50%']:>6} ms p99 {row['99%']:>6} ms {float(row['Requests/s']):7.1f}/s")
            print(json.dumps(figures))
            if figures["lost"] or figures["duplicated"]:
                raise SystemExit("acknowledged turns were lost or duplicated")
    finally:
        postgres.stop()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"logs kept in {folder}")


if __name__ == "__main__":
    main()
