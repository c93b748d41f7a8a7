"""``chain-tutor mastery fit``: BKT parameters per skill, fitted from the attempts log with pyBKT.

Why pyBKT: it is the reference implementation of BKT fitting (EM with
several random restarts, the ``forgets`` and ``multigs`` variants, and
cross-validation), maintained by the CAHL lab that published them. It is an
optional extra (``pip install -e '.[fit]'``): only this command imports it,
and the tutor's online update stays our own constant-time arithmetic
(:mod:`service.tutor.mastery`).

From attempts to observations, as the tutor itself observes
(:mod:`service.tutor.evidence`):

- only the first attempt at a step of a problem is an observation (the
  problem ends when its final step is answered right, or when the same step
  comes round again in the conversation);
- it is correct only when right with no hint on the step first;
- a wrong answer counts against the skills its misconception shows, an
  unclassified one against the step's own skill.

Three models are compared by cross-validated AUC (then RMSE) over all
skills: the plain model, ``forgets`` and ``multigs`` (guess and slip per kind
of step: naming, local derivative, final). The chosen model's parameters
are stored as a new version (:func:`service.usecases.mastery_params.store_params`)
with the report. ``multigs`` guesses and slips are averaged over the kinds
of step for the tutor's single pair; the report keeps them all.

With no attempts (or too few for a skill) the documented defaults of
:data:`service.tutor.mastery.DEFAULT_PARAMS` stay in use for those skills.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.calculus.misconceptions import evidence_against
from service.models import Attempt
from service.tutor.mastery import BKTParams
from service.usecases.mastery_params import store_params

VARIANTS: dict[str, dict[str, bool]] = {
    "plain": {},
    "forgets": {"forgets": True},
    "multigs": {"multigs": True},
}
# A skill needs this many observations to be fitted; fewer keep the defaults.
MIN_OBSERVATIONS = 50
FOLDS = 5


@dataclass(frozen=True)
class AttemptRow:
    """What the fit reads of one attempt, in the learner's time order."""

    learner_id: str
    conversation_id: str
    step: str
    correct: bool
    hints_used: int
    skill: str | None
    misconception: str | None


@dataclass(frozen=True)
class ObservationRow:
    """One BKT observation: pyBKT's ``user_id``, ``skill_name``, ``correct`` and ``template_id``."""

    user_id: str
    skill_name: str
    correct: int
    template_id: str


def step_kind(step: str) -> str:
    """The kind of step an attempt answered, from its name (for ``multigs``).

    >>> step_kind("u"), step_kind("dy/du"), step_kind("dy/dx"), step_kind("dL/dw")
    ('naming', 'local', 'final', 'final')
    """
    if "/" not in step:
        return "naming"
    top, bottom = step.split("/", 1)
    return "final" if top in ("dy", "dL") and bottom in ("dx", "dw") or step.startswith("dy/dx") else "local"


def observations(attempts: Iterable[AttemptRow]) -> Iterator[ObservationRow]:
    """The BKT observations of attempts given learner by learner, each in time order.

    >>> rows = [AttemptRow("l", "c", "dy/dx", False, 0, "multiply_factors", "missing_inner_derivative"),
    ...         AttemptRow("l", "c", "dy/dx", True, 0, "multiply_factors", None)]
    >>> [(o.skill_name, o.correct) for o in observations(rows)]
    [('inner_derivative', 0)]
    """
    seen: dict[str, set[str]] = {}
    for row in attempts:
        if row.skill is None:
            continue
        steps = seen.setdefault(row.conversation_id, set())
        if row.step in steps:
            continue
        steps.add(row.step)
        kind = step_kind(row.step)
        if row.correct:
            if kind == "final":
                seen.pop(row.conversation_id, None)  # the problem is over: its steps may come again
            skills: tuple[str, ...] = (row.skill,)
        else:
            skills = evidence_against(row.misconception, [row.skill], local_step=kind == "local")
        for skill in skills:
            yield ObservationRow(row.learner_id, skill, int(row.correct and row.hints_used == 0), kind)


def read_attempts(session: Session) -> Iterator[AttemptRow]:
    """Every attempt, learner by learner in time order, streamed."""
    query = (sa.select(Attempt.learner_id, Attempt.conversation_id, Attempt.step, Attempt.correct,
                       Attempt.hints_used, Attempt.skill, Attempt.misconception)
             .order_by(Attempt.learner_id, Attempt.created_at, Attempt.id)
             .execution_options(yield_per=10_000))
    for row in session.execute(query):
        yield AttemptRow(*row)


def _frame(rows: Iterable[ObservationRow]):
    import pandas as pd

    frame = pd.DataFrame([(r.user_id, r.skill_name, r.correct, r.template_id) for r in rows],
                         columns=["user_id", "skill_name", "correct", "template_id"])
    frame["order_id"] = range(len(frame))
    return frame


def _tutor_params(fitted, skill: str) -> BKTParams:
    """pyBKT's fitted values of one skill as the tutor's parameters (class values averaged)."""
    values = fitted.loc[skill]["value"]

    def mean(name: str, default: float) -> float:
        return float(values.loc[name].mean()) if name in values.index.get_level_values(0) else default

    return BKTParams(p_init=mean("prior", 0.2), p_transit=mean("learns", 0.15), p_slip=mean("slips", 0.1),
                     p_guess=mean("guesses", 0.2), p_forget=mean("forgets", 0.0))


def _finite(value: float) -> float | None:
    """A score fit for JSON: None where cross-validation could not compute it (NaN, one class).

    >>> _finite(0.5), _finite(float("nan"))
    (0.5, None)
    """
    return None if math.isnan(value) else value


def fit_parameters(rows: Iterable[ObservationRow], seed: int = 42, num_fits: int = 5,
                   folds: int = FOLDS) -> tuple[str, dict[str, BKTParams], dict[str, Any]]:
    """Fit every variant, pick the best by cross-validated AUC then RMSE; return (model, params, report).

    Raises ``ModuleNotFoundError`` when pyBKT is not installed.
    """
    from pyBKT.models import Model

    frame = _frame(rows)
    counts = frame["skill_name"].value_counts()
    skills = sorted(skill for skill, count in counts.items() if count >= MIN_OBSERVATIONS)
    report: dict[str, Any] = {"observations": int(len(frame)), "learners": int(frame["user_id"].nunique()),
                              "observations_per_skill": {k: int(v) for k, v in counts.items()},
                              "skills_fitted": skills, "folds": folds, "seed": seed, "variants": {}}
    if not skills:
        report["chosen"] = None
        return "defaults", {}, report
    data = frame[frame["skill_name"].isin(skills)].reset_index(drop=True)
    best: tuple[tuple[float, float], str] | None = None
    for name, options in VARIANTS.items():
        model = Model(seed=seed, num_fits=num_fits, parallel=False)
        scores = model.crossvalidate(data=data, folds=folds, metric=["auc", "rmse"], **options)
        auc, rmse = _finite(float(scores["auc"].mean())), _finite(float(scores["rmse"].mean()))
        report["variants"][name] = {"auc": auc, "rmse": rmse,
                                    "per_skill": {skill: {"auc": _finite(float(scores.loc[skill, "auc"])),
                                                          "rmse": _finite(float(scores.loc[skill, "rmse"]))}
                                                  for skill in scores.index}}
        # An AUC that could not be computed ranks last; the plain model wins ties (listed first).
        key = (auc if auc is not None else -1.0, -(rmse if rmse is not None else 1.0))
        if best is None or key > best[0]:
            best = (key, name)
    chosen = best[1]
    model = Model(seed=seed, num_fits=num_fits, parallel=False)
    model.fit(data=data, **VARIANTS[chosen])
    fitted = model.params()
    params = {skill: _tutor_params(fitted, skill) for skill in skills}
    report["chosen"] = chosen
    report["fitted"] = {f"{skill}/{param}/{cls}": float(value)
                        for (skill, param, cls), value in fitted["value"].items()}
    return chosen, params, report


def fit_mastery(session: Session, seed: int = 42, num_fits: int = 5) -> tuple[int, str, dict[str, Any]]:
    """Fit from the attempts log and store the result as the newest version; the caller commits.

    Returns (version, chosen model, report).
    """
    chosen, params, report = fit_parameters(observations(read_attempts(session)), seed, num_fits)
    version = store_params(session, chosen, params, report)
    return version, chosen, report
