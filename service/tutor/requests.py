"""Problems asked for in words: harder, easier, similar, one with ln, a three-link one.

The bank is filtered by what was asked, then one unseen exercise is chosen
at random; when the bank has none, a fresh problem of that kind is
generated (as :func:`service.tutor.problems.choose_problem` does for the
weakest skill).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection

from .intents import Intent
from .problems import Exercise, NoProblemError, Problem, generate_problem
from .skills import Skill
from .turn import TurnBuilder

_FAMILY_WORDS = {Intent.WITH_LOG: "log", Intent.WITH_TRIG: "trig", Intent.WITH_EXP: "exp"}
_SAID = {
    Intent.HARDER: "Here is a harder one.", Intent.EASIER: "Here is an easier one.",
    Intent.SIMILAR: "Here is a similar one.", Intent.WITH_LOG: "Here is one with a logarithm.",
    Intent.WITH_TRIG: "Here is one with a trigonometric function.",
    Intent.WITH_EXP: "Here is one with an exponential.", Intent.LONG_CHAIN: "Here is a chain of three links.",
}


def requested_problem(turn: TurnBuilder, intent: Intent) -> tuple[str, Problem]:
    """What to say and the problem that fits the request (raises ``NoProblemError``)."""
    state = turn.state
    bank = [Exercise.from_data(item) for item in turn.context.exercises]
    seen = set(turn.context.seen) | set(state.seen)
    current = next((item for item in bank if item.slug == state.exercise_slug), None)
    level = current.difficulty if current is not None else 2
    family = current.family if current is not None else None
    wanted: dict[Intent, Callable[[Exercise], bool]] = {
        Intent.HARDER: lambda item: item.difficulty > level,
        Intent.EASIER: lambda item: item.difficulty < level,
        Intent.SIMILAR: lambda item: item.family == family and abs(item.difficulty - level) <= 1,
        Intent.WITH_LOG: lambda item: item.family == "log" or "ln" in item.expression,
        Intent.WITH_TRIG: lambda item: item.family == "trig",
        Intent.WITH_EXP: lambda item: item.family == "exp" or "e^" in item.expression,
        Intent.LONG_CHAIN: lambda item: Skill.LONG_CHAINS.value in item.skills,
    }
    rng = turn.context.rng(state)
    fits = [item for item in bank if item.expression not in seen and wanted[intent](item)]
    if intent is Intent.HARDER:
        fits = [item for item in fits if item.difficulty == min(i.difficulty for i in fits)]
    if intent is Intent.EASIER:
        fits = [item for item in fits if item.difficulty == max(i.difficulty for i in fits)]
    if fits:
        chosen = rng.choice(fits)
        return _SAID[intent], Problem(chosen.expression, chosen.variable, chosen.slug, None, chosen.prompt)
    return _SAID[intent], _generated(intent, family, rng, seen)


def _generated(intent: Intent, family: str | None, rng: random.Random, seen: Collection[str]) -> Problem:
    depth = 3 if intent in (Intent.HARDER, Intent.LONG_CHAIN) else 2
    chosen = _FAMILY_WORDS.get(intent) or (family if intent is Intent.SIMILAR else None)
    families = [chosen] if chosen else ["power", "trig", "exp", "log"]
    for name in families:
        try:
            return generate_problem(depth, name if name in _KNOWN else "power", rng, seen)
        except NoProblemError:
            continue
    raise NoProblemError(f"no new problem for {intent.value}")


_KNOWN = ("power", "exp", "log", "trig", "root", "sigmoid")
