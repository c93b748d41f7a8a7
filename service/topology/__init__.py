"""The production topology on one machine without Docker, for tests and benchmarks.

``docker-compose.yml`` runs nginx, N app replicas, the delivery worker,
Redis and a one-shot migration job against PostgreSQL. :class:`Topology`
runs the same processes on loopback ports, each in its own process group
with its log in one run folder: nginx (Debian's package) from the same
template (:mod:`service.topology.nginx`), ``chain-tutor run`` instances with
``AUTO_MIGRATE`` off after one ``chain-tutor db upgrade`` and ``content
load``, ``chain-tutor worker`` when this install has that command, and its
own ``redis-server`` (never a shared one). Tests and the fault benchmark
kill and restart single processes through :meth:`Topology.kill` and
:meth:`Topology.restart`.

Ports from ``base_port``: nginx on it, instance *i* on ``base_port + 1 + i``,
Redis on ``base_port + 9``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.topology.nginx import NginxSettings, find_nginx, main_config, render

# `chain-tutor` as this interpreter runs it, whatever the PATH says.
CHAIN_TUTOR = [sys.executable, "-c", "from service.cli import main; main()"]
REDIS_OFFSET = 9


class TopologyError(RuntimeError):
    """A process of the topology did not start or did not become healthy."""


@dataclass
class TopologySettings:
    """What to run (see the module docstring for the ports)."""

    database_url: str
    run_dir: Path
    base_port: int = 5230
    instances: int = 2
    workers: int = 1  # gunicorn workers per instance
    threads: int = 1
    worker_class: str = "sync"
    with_worker: bool = True  # when `chain-tutor worker` exists
    with_redis: bool = True
    nginx_rate_per_ip: int = 20
    nginx_burst: int = 40
    env: dict[str, str] = field(default_factory=dict)

    def instance_port(self, index: int) -> int:
        return self.base_port + 1 + index

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.base_port + REDIS_OFFSET}/0"


def has_worker_command() -> bool:
    """Whether this install has ``chain-tutor worker`` (the delivery worker)."""
    from service.cli import COMMANDS

    return "worker" in COMMANDS


class Topology:
    """nginx + app instances + worker + Redis on loopback; a context manager that stops them all."""

    def __init__(self, settings: TopologySettings) -> None:
        self.settings = settings
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.secret_key = secrets.token_hex(32)
        self.run_dir = settings.run_dir
        self.nginx = find_nginx()

    @property
    def url(self) -> str:
        """The address learners use: nginx."""
        return f"http://127.0.0.1:{self.settings.base_port}"

    def instance_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.settings.instance_port(index)}"

    # ---- the whole ------------------------------------------------------------

    def __enter__(self) -> Topology:
        self.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def start(self) -> None:
        """Migrate, then start Redis, the instances, the worker and nginx; wait until all serve."""
        if self.nginx is None:
            raise TopologyError("nginx is not installed (Debian: apt-get install nginx-light or nginx)")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        try:
            if self.settings.with_redis:
                self.start_redis()
            self.migrate()
            for index in range(self.settings.instances):
                self.start_instance(index)
            if self.settings.with_worker and has_worker_command():
                self.start_worker()
            for index in range(self.settings.instances):
                self.wait_healthy(self.instance_url(index), f"app{index}")
            self.start_nginx()
            self.wait_healthy(self.url, "nginx")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop every process it started (SIGTERM, then SIGKILL after 10 s), nginx first."""
        for name in sorted(self.processes, key=lambda name: name != "nginx"):
            self._stop(name)

    # ---- single processes -------------------------------------------------------

    def app_env(self) -> dict[str, str]:
        """The environment every app process gets: configuration only by environment."""
        env = {**os.environ, **self.settings.env}
        env.update({
            "DATABASE_URL": self.settings.database_url,
            "SECRET_KEY": self.secret_key,
            "AUTO_MIGRATE": "false",
            "LOG_FORMAT": env.get("LOG_FORMAT", "json"),
            "CHAIN_TUTOR_INSTANCE": str(self.run_dir / "instance"),
        })
        if self.settings.with_redis:
            env["REDIS_URL"] = self.settings.redis_url
        return env

    def migrate(self) -> None:
        """The compose file's one-shot job: bring the schema up to date and load content."""
        for arguments in (["db", "upgrade"], ["content", "load"]):
            with open(self.run_dir / "migrate.log", "ab") as log:
                done = subprocess.run([*CHAIN_TUTOR, *arguments], env=self.app_env(), stdout=log,
                                      stderr=subprocess.STDOUT, timeout=300, check=False)
            if done.returncode != 0:
                raise TopologyError(f"chain-tutor {' '.join(arguments)} failed; see {self.run_dir / 'migrate.log'}")

    def start_instance(self, index: int) -> None:
        settings = self.settings
        env = {**self.app_env(), "PROMETHEUS_MULTIPROC_DIR": str(self.run_dir / f"metrics-app{index}")}
        self._spawn(f"app{index}", [*CHAIN_TUTOR, "run", "--host", "127.0.0.1",
                                    "--port", str(settings.instance_port(index)),
                                    "--workers", str(settings.workers), "--threads", str(settings.threads),
                                    "--worker-class", settings.worker_class], env)

    def start_worker(self) -> None:
        self._spawn("worker", [*CHAIN_TUTOR, "worker"], self.app_env())

    def start_redis(self) -> None:
        port = str(self.settings.base_port + REDIS_OFFSET)
        self._spawn("redis", ["redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", str(self.run_dir)], dict(os.environ))
        deadline = time.monotonic() + 10
        while subprocess.run(["redis-cli", "-p", port, "ping"], capture_output=True, check=False).stdout.strip() \
                != b"PONG":
            if time.monotonic() > deadline:
                raise TopologyError(f"redis-server did not answer on port {port}")
            time.sleep(0.1)

    def start_nginx(self) -> None:
        settings = self.settings
        conf_dir = self.run_dir / "nginx"
        upstreams = tuple(f"127.0.0.1:{settings.instance_port(index)}" for index in range(settings.instances))
        render(NginxSettings(listen=f"127.0.0.1:{settings.base_port}", upstreams=upstreams,
                             rate_per_ip=settings.nginx_rate_per_ip, burst=settings.nginx_burst),
               conf_dir, self.run_dir / "nginx-access.log")
        (self.run_dir / "nginx-temp").mkdir(exist_ok=True)
        config = self.run_dir / "nginx.conf"
        config.write_text(main_config(self.run_dir, conf_dir))
        assert self.nginx is not None
        self._spawn("nginx", [self.nginx, "-p", str(self.run_dir), "-c", str(config), "-g", "daemon off;"],
                    dict(os.environ))

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to one process group (``app0``, ``worker``, ``redis``...), e.g. kill -9."""
        process = self.processes[name]
        os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def restart(self, name: str) -> None:
        """Start a stopped process again, as it was started, and wait until it serves."""
        self._stop(name)
        if name.startswith("app"):
            index = int(name.removeprefix("app"))
            self.start_instance(index)
            self.wait_healthy(self.instance_url(index), name)
        elif name == "worker":
            self.start_worker()
        elif name == "redis":
            self.start_redis()
        elif name == "nginx":
            self.start_nginx()
            self.wait_healthy(self.url, name)
        else:
            raise KeyError(name)

    def wait_healthy(self, base: str, name: str, timeout: float = 60) -> None:
        """Poll ``base/healthz`` until 200; a process that died meanwhile fails at once."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process = self.processes.get(name)
            if process is not None and process.poll() is not None:
                raise TopologyError(f"{name} exited with {process.returncode}; see {self.log_path(name)}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise TopologyError(f"{name} was not healthy within {timeout:.0f} s; see {self.log_path(name)}")

    def log_path(self, name: str) -> Path:
        return self.run_dir / f"{name}.log"

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        with open(self.log_path(name), "ab") as log:
            # A process group of its own: a kill reaches its children (gunicorn's
            # workers) and nothing else, and Ctrl-C in the terminal reaches only us.
            self.processes[name] = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                                    stdin=subprocess.DEVNULL, start_new_session=True)

    def _stop(self, name: str) -> None:
        process = self.processes.get(name)
        if process is None or process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                return
            try:
                process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


def missing_programs() -> list[str]:
    """The programs the topology needs that this machine lacks."""
    missing = [] if find_nginx() else ["nginx"]
    missing += [program for program in ("redis-server", "redis-cli") if shutil.which(program) is None]
    return missing
