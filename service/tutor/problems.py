"""Choosing the next problem: the learner's weakest skill decides.

The exercise bank arrives as plain data (from ``content/`` through the web
layer); when it has nothing new for that skill, :func:`generate_problem`
builds a fresh chain of the wanted depth and family, checked solvable by the
calculus core. Problems a learner has already had are never set again.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from service.calculus import ExpressionError, solve
from service.calculus.derivation import ProductRule, QuotientRule
from service.calculus.checking import possible_misconceptions

from .beliefs import most_likely
from .mastery import DEFAULT_PARAMS, Params, probability, weakest_skill
from .skills import Skill

FAMILIES: tuple[str, ...] = ("power", "exp", "log", "trig", "root", "sigmoid")

# Outer functions by family, written as a learner types them; {} is the inner part.
_WRAPPERS: dict[str, tuple[str, ...]] = {
    "power": ("({})^2", "({})^3", "({})^4", "({})^5"),
    "exp": ("e^({})", "e^(-{})"),
    "log": ("ln({})",),
    "trig": ("sin({})", "cos({})", "tan({})"),
    "root": ("sqrt({})",),
    "sigmoid": ("σ({})",),
}

_ATTEMPTS = 40  # fresh candidates tried before giving up on a family


class NoProblemError(LookupError):
    """No new problem could be found or generated for this learner."""


@dataclass(frozen=True)
class Exercise:
    """One exercise of the bank, as plain data."""

    slug: str
    expression: str
    variable: str = "x"
    difficulty: int = 1
    skills: tuple[str, ...] = ()
    family: str | None = None
    prompt: str | None = None

    @classmethod
    def from_data(cls, data: Exercise | Mapping[str, Any]) -> Exercise:
        """An exercise from a mapping (extra keys ignored), or itself."""
        if isinstance(data, Exercise):
            return data
        return cls(slug=str(data["slug"]), expression=str(data["expression"]),
                   variable=str(data.get("variable") or "x"),
                   difficulty=int(data.get("difficulty") or 1),
                   skills=tuple(data.get("skills") or ()), family=data.get("family"),
                   prompt=data.get("prompt"))


@dataclass(frozen=True)
class Problem:
    """A problem to set: the expression, its variable, and where it came from."""

    expression: str
    variable: str | None = "x"    # None: the core picks the expression's only symbol, else x
    exercise_slug: str | None = None
    skill: str | None = None      # the skill it was chosen to practise
    prompt: str | None = None


def target_difficulty(p_known: float) -> int:
    """The difficulty (1..5) that suits a mastery probability.

    >>> target_difficulty(0.2), target_difficulty(0.5), target_difficulty(0.99)
    (2, 3, 5)
    """
    return max(1, min(5, 1 + int(p_known * 5)))


def choose_problem(exercises: Iterable[Exercise | Mapping[str, Any]], mastery: Mapping[str, float],
                   seen: Collection[str], rng: random.Random,
                   params: Params = DEFAULT_PARAMS, beliefs: Mapping[str, float] | None = None) -> Problem:
    """The next problem: an unseen bank exercise for the weakest skill, else a fresh one.

    Among the bank's candidates the one whose difficulty is closest to what
    the learner's mastery of that skill suits is chosen (ties at random).
    When the learner probably holds a misconception (``beliefs``, see
    :mod:`service.tutor.beliefs`), an unseen bank exercise that exposes it
    comes first: remediation, where the mistake can show and be corrected.
    """
    bank = [Exercise.from_data(item) for item in exercises]
    remedial = _exposing(bank, most_likely(beliefs or {}), seen, rng)
    if remedial is not None:
        return Problem(remedial.expression, remedial.variable, remedial.slug, None, remedial.prompt)
    skill = weakest_skill(mastery, params=params)
    fresh = [item for item in bank if item.expression not in seen and skill in item.skills]
    if fresh:
        target = target_difficulty(probability(mastery, skill, params))
        best = min(abs(item.difficulty - target) for item in fresh)
        chosen = rng.choice([item for item in fresh if abs(item.difficulty - target) == best])
        return Problem(chosen.expression, chosen.variable, chosen.slug, skill, chosen.prompt)
    return _fresh_for_skill(skill, seen, rng)


def _exposing(bank: list[Exercise], misconception: str | None, seen: Collection[str],
              rng: random.Random) -> Exercise | None:
    """An unseen exercise, at random, whose final answer can show ``misconception``.

    Stops at the first one found: each check analyses an exercise (cached
    per process), so a large bank is not analysed whole on one turn.
    """
    if misconception is None:
        return None
    unseen = [item for item in bank if item.expression not in seen]
    rng.shuffle(unseen)
    for item in unseen:
        try:
            if misconception in possible_misconceptions(item.expression, "dy/dx", item.variable):
                return item
        except ExpressionError:
            continue
    return None


def _fresh_for_skill(skill: str, seen: Collection[str], rng: random.Random) -> Problem:
    """A generated problem that exercises ``skill``."""
    families = list(FAMILIES)
    rng.shuffle(families)
    depth = 3 if skill == Skill.LONG_CHAINS.value else 2
    for family in families:
        try:
            if skill == Skill.MIXED_RULES.value:
                return generate_mixed_problem(family, rng, seen)
            return generate_problem(depth, family, rng, seen, skill=skill)
        except NoProblemError:
            continue
    raise NoProblemError(f"no new problem for {skill}")


def generate_problem(depth: int, family: str, rng: random.Random, seen: Collection[str] = (),
                     variable: str = "x", skill: str | None = None) -> Problem:
    """A fresh pure chain of ``depth`` links whose outermost function is of ``family``.

    The candidate is solved by the core and kept only when it decomposes into
    exactly ``depth`` links and was not ``seen`` before.

    >>> problem = generate_problem(2, "trig", random.Random(1))
    >>> len(solve(problem.expression).chain.links)
    2
    """
    if family not in _WRAPPERS:
        raise ValueError(f"unknown family {family!r}; choose from {', '.join(FAMILIES)}")
    if depth < 2:
        raise ValueError("a chain needs at least two links")
    for _ in range(_ATTEMPTS):
        text = _innermost(rng, variable)
        for level in range(depth - 1):
            outermost = level == depth - 2
            wrapper_family = family if outermost else rng.choice(FAMILIES)
            text = rng.choice(_WRAPPERS[wrapper_family]).format(text)
        if text not in seen and _links(text, variable) == depth:
            return Problem(text, variable, None, skill)
    raise NoProblemError(f"no new {family} chain of depth {depth}")


def generate_mixed_problem(family: str, rng: random.Random, seen: Collection[str] = (),
                           variable: str = "x") -> Problem:
    """A fresh product or quotient with a chain of ``family`` inside (``x·sin(x^2)``)."""
    for _ in range(_ATTEMPTS):
        chain = rng.choice(_WRAPPERS[family]).format(_innermost(rng, variable))
        power = rng.choice(("x", "x^2", "x^3"))
        text = rng.choice((f"{power}·{chain}", f"{chain}/{power}"))
        if text in seen:
            continue
        try:
            tree = solve(text, variable).tree
        except ExpressionError:
            continue
        if isinstance(tree, (ProductRule, QuotientRule)):
            return Problem(text, variable, None, Skill.MIXED_RULES.value)
    raise NoProblemError(f"no new mixed problem with a {family} chain")


def _innermost(rng: random.Random, variable: str) -> str:
    """A small polynomial in ``variable``: the innermost link."""
    a, b = rng.randint(2, 5), rng.randint(1, 9)
    return rng.choice((f"{a}{variable} + {b}", f"{a}{variable}", f"{variable}^2 + {b}",
                       f"{b} - {a}{variable}", f"{a}{variable}^2"))


def _links(text: str, variable: str) -> int:
    """How many links the core finds in ``text`` (0 when it is no chain or unreadable)."""
    try:
        chain = solve(text, variable).chain
    except ExpressionError:
        return 0
    return len(chain.links) if chain is not None else 0

