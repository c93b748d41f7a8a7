"""How the dashboards name a learner: the name they gave, or where they came from.

A learner may stay anonymous; "(no name)" on every row would make a class
of them impossible to tell apart. An unnamed learner is written with the
start of their opaque id, and where they started when known:
"Learner 3f2a9c, via widget on example.org". The same label is used by
every page and by the CSV exports, so a teacher can match them.
"""

from __future__ import annotations

from typing import Protocol

SHORT_ID = 6
_SOURCES = {"widget": "widget", "embed": "embedded chat", "lesson": "lesson page", "api": "API", "lti": "LMS"}


class LearnerLike(Protocol):
    id: str
    name: str | None
    source: str | None
    source_host: str | None


def learner_label(name: str | None, learner_id: str, source: str | None = None,
                  source_host: str | None = None) -> str:
    """The learner's name, or a readable label for an unnamed learner.

    >>> learner_label("Ada", "3f2a9c11")
    'Ada'
    >>> learner_label(None, "3f2a9c11", "widget", "example.org")
    'Learner 3f2a9c, via widget on example.org'
    >>> learner_label("  ", "3f2a9c11", "lesson")
    'Learner 3f2a9c, via lesson page'
    >>> learner_label(None, "3f2a9c11")
    'Learner 3f2a9c'
    """
    if name and name.strip():
        return name.strip()
    label = f"Learner {learner_id[:SHORT_ID]}"
    if source:
        label += f", via {_SOURCES.get(source, source)}"
    if source_host:
        label += f"{'' if source else ', via a page'} on {source_host}"
    return label


def label_of(learner: LearnerLike) -> str:
    """:func:`learner_label` of a loaded learner."""
    return learner_label(learner.name, learner.id, learner.source, learner.source_host)
