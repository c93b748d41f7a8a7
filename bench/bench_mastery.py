"""The knowledge model's costs: the online update per turn, and ``mastery fit`` on a large log.

    python bench/bench_mastery.py [--updates N] [--attempts N] [--num-fits K] [--folds F] [--skip-fit]

1. Online update: what a turn adds for the knowledge model once an answer is
   checked: the model-tracing observation (``service.tutor.evidence``), the
   BKT update of its skills with per-skill parameters, and the misconception
   beliefs' update (the set of misconceptions a step can show is cached with
   the problem's analysis and is excluded, as it is on every turn after the
   first). Target: <= 0.1 ms per turn. A plain ``dict`` copy of the mastery
   map is timed in the same run as a baseline.
2. ``mastery fit``: ``--attempts`` synthetic attempts (default 1,000,000) of
   simulated BKT learners over the six skills, turned into observations and
   fitted with pyBKT (plain, forgets, multigs, cross-validated), as the
   command does, minus the database. Prints wall time and peak memory (max
   RSS of the process). Needs the ``fit`` extra.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.tutor.beliefs import full_beliefs, observe_answer  # noqa: E402
from service.tutor.evidence import attempt_observation  # noqa: E402
from service.tutor.mastery import BKTParams, SkillParams, full_mastery, observe  # noqa: E402
from service.tutor.plan import PlanStep  # noqa: E402
from service.tutor.skills import SKILL_NAMES  # noqa: E402
from service.usecases.mastery_fit import AttemptRow, observations  # noqa: E402

STEP = PlanStep("dy/du", "derivative", "?", "3u²", ("outer_derivative", "long_chains"), ("", "", ""))
EXPOSED = frozenset({"power_rule_exponent", "outer_not_at_inner", "sign_error"})


def time_per_call(fn, n: int) -> float:
    """Microseconds per call, best of three runs of ``n``."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for i in range(n):
            fn(i)
        best = min(best, time.perf_counter() - start)
    return best / n * 1e6


def bench_online(n: int) -> None:
    params = SkillParams({skill: BKTParams(0.25, 0.12, 0.08, 0.18) for skill in SKILL_NAMES}, version=1)
    mastery, beliefs = full_mastery({}, params), full_beliefs({})

    def turn(i: int) -> None:
        correct = i % 3 != 0
        misconception = None if correct else "power_rule_exponent"
        found = attempt_observation(STEP, STEP.skills, correct, i % 5 != 0, misconception)
        observe(mastery, found.skills, found.correct, params)
        observe_answer(beliefs, EXPOSED, correct, misconception)

    per_turn = time_per_call(turn, n)
    baseline = time_per_call(lambda i: dict(mastery), n)
    print(f"online update per turn: {per_turn:.2f} µs ({per_turn / 1000:.4f} ms; target <= 0.1 ms: "
          f"{'PASS' if per_turn <= 100 else 'MISS'}); dict copy baseline {baseline:.2f} µs, "
          f"ratio {per_turn / baseline:.1f}")


TRUE = {skill: BKTParams(0.2 + 0.05 * i, 0.1 + 0.02 * i, 0.08, 0.2) for i, skill in enumerate(SKILL_NAMES)}


def synthetic(attempts: int, per_learner: int = 100, seed: int = 1) -> Iterator[AttemptRow]:
    """Attempts of simulated BKT learners, ``per_learner`` each, spread over the skills."""
    rng = random.Random(seed)
    per_skill = per_learner // len(SKILL_NAMES)
    learner = 0
    made = 0
    while made < attempts:
        for skill, p in TRUE.items():
            known = rng.random() < p.p_init
            for k in range(per_skill):
                if made >= attempts:
                    return
                correct = rng.random() > p.p_slip if known else rng.random() < p.p_guess
                yield AttemptRow(f"l{learner}", f"l{learner}-{skill}-{k}", "dy/du", correct, 0, skill, None)
                made += 1
                known = known or rng.random() < p.p_transit
        learner += 1


def bench_fit(attempts: int, num_fits: int, folds: int) -> None:
    try:
        from service.usecases.mastery_fit import fit_parameters
        import pyBKT  # noqa: F401
    except ModuleNotFoundError:
        print("mastery fit: skipped, pyBKT is not installed (pip install -e '.[fit]')")
        return
    from pyBKT.fit import E_step
    compiled = not E_step.__file__.endswith(".py")  # the wheel on PyPI is pure Python
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    rows = list(observations(synthetic(attempts)))
    prepared = time.perf_counter() - start
    chosen, params, report = fit_parameters(rows, num_fits=num_fits, folds=folds)
    elapsed = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"mastery fit on {attempts:,} attempts ({report['observations']:,} observations, "
          f"{report['learners']:,} learners; pyBKT {'C++' if compiled else 'pure Python'}, "
          f"num_fits={num_fits}, {folds}-fold CV x 3 variants + final fit):")
    print(f"  time {elapsed:.1f} s (observations {prepared:.1f} s); peak RSS {rss / 1024:.0f} MiB "
          f"(before {rss_before / 1024:.0f} MiB); chose {chosen}")
    for name, scores in report["variants"].items():
        print(f"  {name:8} AUC {scores['auc']}  RMSE {scores['rmse']}")
    worst = max(abs(getattr(params[s], n) - getattr(TRUE[s], n)) for s in params
                for n in ("p_init", "p_transit", "p_slip", "p_guess"))
    print(f"  largest error against the simulated parameters: {worst:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=20_000)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--num-fits", type=int, default=1)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--skip-fit", action="store_true")
    args = parser.parse_args()
    bench_online(args.updates)
    if not args.skip_fit:
        bench_fit(args.attempts, args.num_fits, args.folds)


if __name__ == "__main__":
    main()
