"""Deep Linking: what an instructor may place in an LMS course, and what a choice becomes.

A choice is one problem of the bank (``exercise:<slug>``) or a set of them,
one family (``family:<name>``: each launch opens a problem of that family).
It travels back to the platform as the resource's custom parameters, and
comes back in every launch of that resource.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import Exercise
from service.usecases.errors import NotFound


@dataclass(frozen=True)
class Choice:
    value: str  # exercise:<slug> or family:<name>
    title: str
    custom: dict[str, str]


def deep_link_choices(session: Session) -> list[Choice]:
    """Every family of the bank as a set, then every problem, in the bank's order."""
    exercises = session.execute(sa.select(Exercise.slug, Exercise.expression, Exercise.family)
                                .order_by(Exercise.family, Exercise.position, Exercise.slug)).all()
    families = sorted({family for _, _, family in exercises if family})
    return ([Choice(f"family:{family}", f"Chain rule practice: {family} problems", {"family": family})
             for family in families]
            + [Choice(f"exercise:{slug}", f"Chain rule: {expression}", {"exercise": slug})
               for slug, expression, _ in exercises])


def chosen(session: Session, value: str) -> Choice:
    """The choice a form sent; :class:`NotFound` for one that is not offered."""
    for choice in deep_link_choices(session):
        if choice.value == value:
            return choice
    raise NotFound(f"There is no exercise or set {value!r} to place.")
