"""Which misconceptions a learner holds: one probability per misconception.

Each misconception is a hidden yes/no about the learner, updated with Bayes'
rule at every first attempt at a step where it *could* show (the core built
a candidate wrong answer for that step):

- the answer matched it: raised (a holder writes it often, a non-holder
  rarely lands on exactly that wrong answer);
- the answer was right: lowered (a holder usually gets such a step wrong);
- the answer was wrong in another way: left alone (it says nothing either way).

The probabilities are not exclusive: a learner may hold several. The
highest one, when it is high enough, picks a remediation problem that
exposes it (:func:`service.tutor.problems.choose_problem`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from service.calculus.misconceptions import MISCONCEPTIONS


@dataclass(frozen=True)
class BeliefParams:
    """How answers bear on holding a misconception (documented guesses, not fitted).

    - ``prior``: share of learners who hold a given misconception (0.1);
    - ``p_show``: a holder's answer matches it where it can show (0.7);
    - ``p_false_match``: a non-holder's answer matches it anyway (0.03);
    - ``p_right_if_held``: a holder answers such a step right (0.2);
    - ``p_right_if_not``: a non-holder answers it right (0.85).
    """

    prior: float = 0.1
    p_show: float = 0.7
    p_false_match: float = 0.03
    p_right_if_held: float = 0.2
    p_right_if_not: float = 0.85


DEFAULT_BELIEFS = BeliefParams()

# From this probability on, the next problem is chosen to expose the misconception.
REMEDIATE_AT = 0.5


def update_belief(p_holds: float, matched: bool, params: BeliefParams = DEFAULT_BELIEFS) -> float:
    """The probability of holding a misconception after one answer where it could show.

    ``matched``: the answer was that misconception's (True) or right (False).

    >>> round(update_belief(0.1, True), 4)
    0.7216
    >>> round(update_belief(0.1, False), 4)
    0.0255
    """
    if matched:
        held, not_held = p_holds * params.p_show, (1 - p_holds) * params.p_false_match
    else:
        held, not_held = p_holds * params.p_right_if_held, (1 - p_holds) * params.p_right_if_not
    return held / (held + not_held)


def full_beliefs(beliefs: Mapping[str, float], params: BeliefParams = DEFAULT_BELIEFS) -> dict[str, float]:
    """Every misconception with its probability, the prior filling the gaps."""
    return {name: float(beliefs.get(name, params.prior)) for name in MISCONCEPTIONS}


def observe_answer(beliefs: Mapping[str, float], exposed: Iterable[str], correct: bool,
                   misconception: str | None, params: BeliefParams = DEFAULT_BELIEFS) -> dict[str, float]:
    """New beliefs after one answer; ``exposed``: the misconceptions that could have shown.

    >>> new = observe_answer({}, ["sign_error", "missing_inner_derivative"], False, "sign_error")
    >>> round(new["sign_error"], 3), round(new["missing_inner_derivative"], 3)
    (0.722, 0.1)
    """
    new = full_beliefs(beliefs, params)
    if misconception is not None and misconception in new:
        new[misconception] = update_belief(new[misconception], True, params)
    if correct:
        for name in dict.fromkeys(exposed):
            if name in new:
                new[name] = update_belief(new[name], False, params)
    return new


def most_likely(beliefs: Mapping[str, float], at_least: float = REMEDIATE_AT) -> str | None:
    """The misconception the learner most probably holds, if at least ``at_least``.

    >>> most_likely({"sign_error": 0.8, "missing_link": 0.6}), most_likely({"sign_error": 0.3})
    ('sign_error', None)
    """
    if not beliefs:
        return None
    name, p = max(beliefs.items(), key=lambda item: (item[1], item[0]))
    return name if p >= at_least else None
