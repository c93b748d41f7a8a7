"""``chain-tutor topology``: the compose deployment on this machine, without Docker.

Runs nginx, app instances, the delivery worker and Redis on loopback ports
against ``DATABASE_URL`` (see :mod:`service.topology`) until interrupted.
"""

from __future__ import annotations

import signal
import tempfile
import time
from pathlib import Path

import click

from service.commands.server import WORKER_CLASSES


@click.command("topology")
@click.option("--database-url", envvar="DATABASE_URL", required=True,
              help="The database every process shares (PostgreSQL in production). Env: DATABASE_URL.")
@click.option("--base-port", default=5230, show_default=True, type=click.IntRange(1024, 65000),
              help="nginx listens here; instance i on base+1+i; Redis on base+9.")
@click.option("--instances", default=2, show_default=True, type=click.IntRange(1, 8))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1), help="gunicorn workers per instance.")
@click.option("--worker-class", type=click.Choice(list(WORKER_CLASSES)), default="sync", show_default=True)
@click.option("--rate-per-ip", default=20, show_default=True, type=click.IntRange(1),
              help="nginx limit_req rate per client address (requests/s).")
@click.option("--run-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where configs and logs go (default: a new temporary folder).")
def topology_command(database_url: str, base_port: int, instances: int, workers: int, worker_class: str,
                     rate_per_ip: int, run_dir: Path | None) -> None:
    """Run nginx, app instances, the worker and Redis on loopback until Ctrl-C."""
    from service.config import normalise_database_url
    from service.topology import Topology, TopologySettings, missing_programs

    if missing := missing_programs():
        raise click.ClickException(f"missing programs: {', '.join(missing)} (Debian: nginx-light, redis-server)")
    settings = TopologySettings(
        database_url=normalise_database_url(database_url),
        run_dir=run_dir or Path(tempfile.mkdtemp(prefix="chain-tutor-topology-")),
        base_port=base_port, instances=instances, workers=workers, worker_class=worker_class,
        nginx_rate_per_ip=rate_per_ip, nginx_burst=rate_per_ip * 2,
    )
    stop = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, request_stop)
    with Topology(settings) as topology:
        click.echo(f"Chain Tutor through nginx on {topology.url}/ (logs and configs in {settings.run_dir})")
        for index in range(instances):
            click.echo(f"  app{index}: {topology.instance_url(index)}/ (metrics at /metrics)")
        click.echo(f"  processes: {', '.join(sorted(topology.processes))}; Ctrl-C stops them all")
        try:
            while not stop:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
