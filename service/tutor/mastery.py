"""Bayesian Knowledge Tracing: one mastery probability per skill.

Standard BKT (Corbett & Anderson, 1995). Each skill is either learned or not;
``p`` is the probability that it is learned. After each observed attempt the
posterior is computed with Bayes' rule, then the learner may learn the skill
from that opportunity:

    correct:   p' = p(1 − slip) / (p(1 − slip) + (1 − p)·guess)
    incorrect: p' = p·slip / (p·slip + (1 − p)(1 − guess))
    then:      p'' = p'·(1 − forget) + (1 − p')·transit   (forget is 0 in standard BKT)

As in the Cognitive Tutor and ASSISTments, an attempt only counts as correct
when the learner found the step on their own: a step answered after a hint on
that step, or a step whose answer the tutor gave away (bottom-out hint, worked
solution), is observed as *incorrect*. Which skills an attempt is evidence
for or against is decided in :mod:`service.tutor.evidence`; this module only
does the arithmetic, a constant number of operations per skill.

Parameters are per skill (:class:`SkillParams`): ``chain-tutor mastery fit``
fits them from the attempts log (:mod:`service.usecases.mastery_fit`) and the
use case loads the newest set into the turn's context. Until a fit exists,
every skill uses :data:`DEFAULT_PARAMS`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .skills import SKILL_NAMES


@dataclass(frozen=True)
class BKTParams:
    """The four BKT parameters, shared by every skill.

    - ``p_init``: probability the skill is known before any practice (0.2:
      most learners meet the chain rule fresh here).
    - ``p_transit``: probability of learning it at each opportunity (0.15).
    - ``p_slip``: probability of a wrong answer although the skill is known (0.1).
    - ``p_guess``: probability of a right answer although it is not (0.2;
      free-form answers are hard to guess, but equivalent forms are many).
    - ``p_forget``: probability of losing a known skill at each opportunity
      (0: standard BKT; a fit with pyBKT's ``forgets`` variant may set it).

    These defaults are what the tutor uses for a skill until
    ``chain-tutor mastery fit`` has fitted it from enough attempts.
    """

    p_init: float = 0.2
    p_transit: float = 0.15
    p_slip: float = 0.1
    p_guess: float = 0.2
    p_forget: float = 0.0

    def for_skill(self, skill: str) -> BKTParams:
        """The parameters of ``skill``: one set serves every skill."""
        return self


DEFAULT_PARAMS = BKTParams()


@dataclass(frozen=True)
class SkillParams:
    """BKT parameters per skill, as fitted; ``default`` for skills the fit did not cover.

    ``version`` names the stored parameter set they came from (None: the
    documented defaults, no fit yet).

    >>> fitted = SkillParams({"outer_derivative": BKTParams(p_init=0.5)}, version=3)
    >>> fitted.for_skill("outer_derivative").p_init, fitted.for_skill("long_chains").p_init
    (0.5, 0.2)
    """

    by_skill: Mapping[str, BKTParams] = field(default_factory=dict)
    default: BKTParams = DEFAULT_PARAMS
    version: int | None = None

    def for_skill(self, skill: str) -> BKTParams:
        """The parameters of ``skill``."""
        return self.by_skill.get(skill, self.default)


Params = BKTParams | SkillParams

# Above this probability a skill counts as mastered (the usual BKT threshold).
MASTERY_THRESHOLD = 0.95


def update(p_known: float, correct: bool, params: BKTParams = DEFAULT_PARAMS) -> float:
    """The probability a skill is known after one observed attempt.

    >>> round(update(0.2, True), 6)
    0.6
    >>> round(update(0.2, False), 6)
    0.175758
    """
    slip, guess = params.p_slip, params.p_guess
    if correct:
        evidence = p_known * (1 - slip)
        posterior = evidence / (evidence + (1 - p_known) * guess)
    else:
        evidence = p_known * slip
        posterior = evidence / (evidence + (1 - p_known) * (1 - guess))
    return posterior * (1 - params.p_forget) + (1 - posterior) * params.p_transit


def probability(mastery: Mapping[str, float], skill: str,
                params: Params = DEFAULT_PARAMS) -> float:
    """The learner's probability for ``skill``; unseen skills get ``p_init``.

    >>> probability({}, "long_chains")
    0.2
    """
    return float(mastery.get(skill, params.for_skill(skill).p_init))


def full_mastery(mastery: Mapping[str, float],
                 params: Params = DEFAULT_PARAMS) -> dict[str, float]:
    """Every known skill with its probability, the prior filling the gaps."""
    return {skill: probability(mastery, skill, params) for skill in SKILL_NAMES}


def observe(mastery: Mapping[str, float], skills: Iterable[str], correct: bool,
            params: Params = DEFAULT_PARAMS) -> dict[str, float]:
    """A new mastery map after one attempt that exercised ``skills``.

    Each skill is updated independently with the same observation (the
    attempt is evidence about each of them). The input is not modified.

    >>> new = observe({}, ["outer_derivative"], True)
    >>> round(new["outer_derivative"], 6), round(new["inner_derivative"], 6)
    (0.6, 0.2)
    """
    new = full_mastery(mastery, params)
    for skill in dict.fromkeys(skills):  # each skill once, in order
        skill_params = params.for_skill(skill)
        new[skill] = update(new.get(skill, skill_params.p_init), correct, skill_params)
    return new


def as_percent(p_known: float) -> str:
    """A mastery probability for a learner to read: a whole percentage that never claims certainty.

    BKT's estimate only approaches 1, so 99.6 % reads "99%", not "100%".

    >>> as_percent(0.6), as_percent(0.996), as_percent(0.004)
    ('60%', '99%', '0%')
    """
    return f"{min(round(p_known * 100), 99)}%"


def weakest_skill(mastery: Mapping[str, float], candidates: Iterable[str] = SKILL_NAMES,
                  params: Params = DEFAULT_PARAMS) -> str:
    """The candidate skill with the lowest probability (first listed on ties).

    >>> weakest_skill({"identify_functions": 0.9, "outer_derivative": 0.1})
    'outer_derivative'
    """
    ordered = list(candidates)
    return min(ordered, key=lambda skill: (probability(mastery, skill, params),
                                           ordered.index(skill)))
