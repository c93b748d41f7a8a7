"""The evidence a turn observed, replayable into another copy of the learner's model.

The tutor keeps one model of each learner (mastery per skill, beliefs per
misconception) and adapts to it, whichever course the learner practises in.
An instructor, though, may only read what the learner showed in *their*
course: the learner's model of course A must not move when the learner works
in course B. So a turn records its evidence in order (:class:`Evidence`),
and :func:`trace` applies the same evidence, with the same arithmetic, to the
course's copy of the model (:mod:`service.usecases.course_models`).

>>> from service.tutor.evidence import Observation
>>> evidence = (Observation(("outer_derivative",), True),
...             AnswerEvidence(frozenset({"sign_error"}), correct=True, misconception=None))
>>> model = trace(LearnerModel(), evidence)
>>> round(model.mastery["outer_derivative"], 6), model.opportunities
(0.6, {'outer_derivative': 1})
>>> round(model.beliefs["sign_error"], 3) < 0.1
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .beliefs import full_beliefs, observe_answer
from .evidence import Observation
from .mastery import DEFAULT_PARAMS, Params, full_mastery, observe


@dataclass(frozen=True)
class AnswerEvidence:
    """One first answer, as evidence about misconceptions.

    ``exposed``: the misconceptions the answer could have shown; ``correct``:
    right with no hint first; ``misconception``: the one it showed, if any.
    """

    exposed: frozenset[str]
    correct: bool
    misconception: str | None


# What a turn observed, in the order it observed it.
Evidence = Observation | AnswerEvidence


@dataclass(frozen=True)
class LearnerModel:
    """Mastery by skill and beliefs by misconception (absent: the prior), and the turn's opportunities."""

    mastery: Mapping[str, float] = field(default_factory=dict)
    beliefs: Mapping[str, float] = field(default_factory=dict)
    opportunities: Mapping[str, int] = field(default_factory=dict)


def apply(model: LearnerModel, evidence: Evidence, params: Params = DEFAULT_PARAMS) -> LearnerModel:
    """``model`` after one piece of evidence (the engine's own update, step by step)."""
    if isinstance(evidence, Observation):
        skills = list(dict.fromkeys(evidence.skills))
        opportunities = dict(model.opportunities)
        for skill in skills:
            opportunities[skill] = opportunities.get(skill, 0) + 1
        return LearnerModel(observe(model.mastery, skills, evidence.correct, params), model.beliefs, opportunities)
    beliefs = observe_answer(model.beliefs, evidence.exposed, evidence.correct, evidence.misconception)
    return LearnerModel(model.mastery, beliefs, model.opportunities)


def trace(model: LearnerModel, evidence: Iterable[Evidence], params: Params = DEFAULT_PARAMS) -> LearnerModel:
    """``model`` after ``evidence`` in order; ``opportunities`` counts this evidence's observations only.

    The result holds every skill and misconception (the prior filling the gaps).
    """
    traced = LearnerModel(full_mastery(model.mastery, params), full_beliefs(model.beliefs), {})
    for item in evidence:
        traced = apply(traced, item, params)
    return traced
