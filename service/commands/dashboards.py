"""``chain-tutor dashboards refresh``: recount the dashboards' job-kept summaries.

Run it every few minutes (cron, a systemd timer, a Kubernetes CronJob):
the solve-rate chart's past days and the outcome counts of older
conversations are as of its last run, and what was set since is counted live (:mod:`service.usecases.dashboard.job_summaries`).
Every other dashboard summary is kept by the turns themselves.
"""

from __future__ import annotations

import time

import click
import sqlalchemy as sa
from flask.cli import with_appcontext


@click.group("dashboards")
def dashboards_group() -> None:
    """The instructor dashboards' summaries."""


@dashboards_group.command("refresh")
@with_appcontext
def refresh_command() -> None:
    """Recount every course's problems per day and conversations per outcome (the overview)."""
    from service.extensions import db
    from service.usecases.dashboard.job_summaries import refresh_dashboards

    started = time.perf_counter()
    if db.session.get_bind().dialect.name == "postgresql":
        # A batch job: the service's per-request statement bound does not apply.
        db.session.execute(sa.text("SET LOCAL statement_timeout = 0"))
    rows = refresh_dashboards(db.session)
    db.session.commit()
    counted = ", ".join(f"{name} {n} rows" for name, n in rows.items())
    click.echo(f"Counted {counted} in {time.perf_counter() - started:.1f} s.")
