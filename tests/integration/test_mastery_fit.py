"""Fitted BKT parameters: stored versioned, loaded into the tutor, recovered from a synthetic log.

Storage and loading are tested always; the fit itself needs the optional
``fit`` extra (pyBKT) and is skipped without it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from flask import Flask

from service.cli import main
from service.models import Attempt
from service.tutor.mastery import DEFAULT_PARAMS, BKTParams
from service.usecases.mastery_fit import AttemptRow, observations
from service.usecases.mastery_params import current_params, forget_cached_params, load_params, store_params
from service.usecases.tutor_context import build_context
from tests.factories import make_conversation, make_learner

# Simulated learners' true parameters, one set per skill.
TRUE = {
    "outer_derivative": BKTParams(p_init=0.3, p_transit=0.15, p_slip=0.1, p_guess=0.2),
    "inner_derivative": BKTParams(p_init=0.5, p_transit=0.25, p_slip=0.05, p_guess=0.15),
}
LEARNERS, OPPORTUNITIES = 200, 10
# How close the fit must come to each true parameter (EM on 2,000 observations per skill).
TOLERANCE = 0.06


def simulate(seed: int = 3) -> Iterator[AttemptRow]:
    """Attempts of simulated learners following BKT with :data:`TRUE` (each a first attempt)."""
    rng = random.Random(seed)
    for learner in range(LEARNERS):
        for skill, p in TRUE.items():
            known = rng.random() < p.p_init
            for k in range(OPPORTUNITIES):
                correct = rng.random() > p.p_slip if known else rng.random() < p.p_guess
                yield AttemptRow(f"l{learner}", f"l{learner}-{skill}-{k}", "dy/du", correct, 0, skill, None)
                known = known or rng.random() < p.p_transit


def test_stored_parameters_are_versioned_and_the_newest_reaches_the_tutor(app: Flask, db_session) -> None:
    forget_cached_params()
    assert load_params(db_session).version is None
    assert load_params(db_session).for_skill("long_chains") == DEFAULT_PARAMS
    first = store_params(db_session, "plain", {"long_chains": BKTParams(0.3, 0.1, 0.1, 0.2)}, {"chosen": "plain"})
    second = store_params(db_session, "forgets", {"long_chains": BKTParams(0.4, 0.1, 0.1, 0.2, 0.02)}, {})
    db_session.commit()
    assert second > first
    params = current_params(db_session)
    assert params.version == second and params.for_skill("long_chains").p_forget == 0.02
    assert params.for_skill("outer_derivative") == DEFAULT_PARAMS
    learner = make_learner(db_session)
    assert build_context(db_session, learner.id, {}).params == params


def test_only_first_attempts_are_observations_on_the_skill_the_mistake_shows() -> None:
    rows = [
        AttemptRow("l", "c", "dy/du", False, 0, "outer_derivative", "power_rule_exponent"),
        AttemptRow("l", "c", "dy/du", True, 0, "outer_derivative", None),      # a second try
        AttemptRow("l", "c", "du/dx", True, 1, "inner_derivative", None),      # after a hint
        AttemptRow("l", "c", "dy/dx", False, 0, "multiply_factors", "missing_inner_derivative"),
        AttemptRow("l", "c", "dy/dx", True, 0, "multiply_factors", None),
    ]
    assert [(o.skill_name, o.correct) for o in observations(rows)] == [
        ("outer_derivative", 0), ("inner_derivative", 0), ("inner_derivative", 0)]


def test_the_fit_recovers_the_simulated_parameters() -> None:
    pytest.importorskip("pyBKT", reason="the fit needs the optional 'fit' extra: pip install -e '.[fit]'")
    from service.usecases.mastery_fit import fit_parameters

    chosen, params, report = fit_parameters(observations(simulate()), num_fits=2, folds=3)
    assert chosen in ("plain", "forgets", "multigs") and set(report["variants"]) == {"plain", "forgets", "multigs"}
    assert all(0.5 < v["auc"] <= 1 and 0 < v["rmse"] < 1 for v in report["variants"].values())
    for skill, true in TRUE.items():
        fitted = params[skill]
        for name in ("p_init", "p_transit", "p_slip", "p_guess"):
            assert getattr(fitted, name) == pytest.approx(getattr(true, name), abs=TOLERANCE), (skill, name)


def test_the_command_fits_the_attempts_log_and_stores_a_version(app: Flask, db_session, runner) -> None:
    pytest.importorskip("pyBKT", reason="the fit needs the optional 'fit' extra: pip install -e '.[fit]'")
    learner = make_learner(db_session)
    conversation = make_conversation(db_session, learner.id)
    rows = [row for row in simulate(seed=5) if row.skill == "outer_derivative"][:600]
    db_session.add_all(Attempt(learner_id=learner.id, conversation_id=conversation.id, step=f"dy/du{i}",
                               answer="x", correct=row.correct, skill=row.skill, hints_used=0)
                       for i, row in enumerate(rows))
    db_session.commit()
    result = runner.invoke(main, ["mastery", "fit", "--num-fits", "1"])
    assert result.exit_code == 0, result.output
    assert "stored as version" in result.output
    forget_cached_params()
    params = load_params(db_session)
    assert params.version is not None and "outer_derivative" in params.by_skill

