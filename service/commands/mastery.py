"""``chain-tutor mastery fit``: fit BKT per skill from the attempts log and store it as the newest version.

Needs the optional ``fit`` extra (``pip install -e '.[fit]'``: pyBKT and the
numpy/pandas/scikit-learn versions it works with); the service itself runs
without it, on the stored parameters or the documented defaults.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("mastery")
def mastery_group() -> None:
    """The knowledge model's parameters."""


@mastery_group.command("fit")
@click.option("--seed", default=42, show_default=True, help="pyBKT's random seed (the fit is reproducible).")
@click.option("--num-fits", default=5, show_default=True, help="EM restarts per skill; the best is kept.")
@with_appcontext
def fit_command(seed: int, num_fits: int) -> None:
    """Fit plain, forgets and multigs BKT per skill, keep the best by cross-validated AUC, store it."""
    from service.extensions import db
    from service.usecases.mastery_fit import fit_mastery

    try:
        version, chosen, report = fit_mastery(db.session, seed=seed, num_fits=num_fits)
    except ModuleNotFoundError as error:
        raise click.ClickException(
            f"{error.name} is not installed: install the fit extra, pip install -e '.[fit]'") from None
    db.session.commit()
    click.echo(f"{report['observations']} observations of {report['learners']} learners.")
    for name, scores in report["variants"].items():
        click.echo(f"  {name:8} AUC {_score(scores['auc'])}  RMSE {_score(scores['rmse'])}")
    if chosen == "defaults":
        click.echo(f"Too few observations to fit any skill: stored version {version} keeps the defaults.")
        return
    click.echo(f"Chose {chosen}; stored as version {version} (in use by the tutor within a minute).")
    for key, value in sorted(report["fitted"].items()):
        click.echo(f"  {key} = {value:.4f}")


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"
