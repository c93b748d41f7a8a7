"""Which skills an attempt is evidence about, and which way: model tracing's rules.

As the Cognitive Tutors and ASSISTments trace knowledge:

- a step's *first* attempt is its observation; later tries at it are not
  (the learner has had feedback since);
- a hint on the step before that attempt makes it incorrect, however right
  the answer then is;
- a worked solution is incorrect for the steps it revealed that had no
  observation yet;
- each skill gets one opportunity per step, whatever the step's skills list.

A right attempt credits every skill the step exercises. A wrong one counts
only against the skills its misconception shows (the records of
:mod:`service.calculus.misconceptions`), or against the step's own skill
when no misconception explains it: forgetting the inner derivative says
nothing about multiplying.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.calculus.misconceptions import evidence_against

from .plan import PlanStep, StepKind


@dataclass(frozen=True)
class Observation:
    """One BKT observation: these skills, right or wrong."""

    skills: tuple[str, ...]
    correct: bool


def attempt_observation(step: PlanStep | None, skills: Sequence[str], correct: bool,
                        unaided: bool, misconception: str | None) -> Observation:
    """The observation a first attempt makes.

    ``correct`` is the core's verdict; ``unaided`` is False when a hint on the
    step came first. ``step`` is the plan step (None for a side answer).

    >>> attempt_observation(None, ["multiply_factors"], False, True, "missing_inner_derivative")
    Observation(skills=('inner_derivative',), correct=False)
    >>> attempt_observation(None, ["outer_derivative"], True, False, None)
    Observation(skills=('outer_derivative',), correct=False)
    """
    skills = tuple(dict.fromkeys(skills))
    if correct:
        return Observation(skills, unaided)
    local_step = step is not None and step.kind is StepKind.DERIVATIVE
    return Observation(evidence_against(misconception, skills, local_step), False)


def revealed_observation(steps: Sequence[PlanStep], observed: Sequence[str]) -> Observation:
    """The observation a shown solution makes: the steps it revealed, not yet observed, were not known.

    >>> step = PlanStep("dy/du", StepKind.DERIVATIVE, "?", "3u²", ("outer_derivative",), ("", "", ""))
    >>> revealed_observation([step], ["dy/du"]).skills, revealed_observation([step], []).skills
    ((), ('outer_derivative',))
    """
    skills = (skill for step in steps if step.name not in observed for skill in step.skills)
    return Observation(tuple(dict.fromkeys(skills)), False)
