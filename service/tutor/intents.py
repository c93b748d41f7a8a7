"""What a learner's message means to the tutor: the intents and one reading.

The reading pipeline (:mod:`service.tutor.reading`) turns a message into a
:class:`Reading`; the engine picks its move from ``reading.intent``. The
reading keeps its reasons (which phrasing or question matched, its score,
which maths was found), so every reply can be traced back to the rule that
produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Intent(str, Enum):
    """Everything the tutor tells apart in a message."""

    ANSWER = "answer"                # maths meant as an answer (tagged or not)
    DIFFERENTIATE = "differentiate"  # a problem of the learner's own: expression (+ variable)
    NEW_PROBLEM = "new_problem"
    HARDER = "harder"
    EASIER = "easier"
    SIMILAR = "similar"
    WITH_LOG = "with_log"
    WITH_TRIG = "with_trig"
    WITH_EXP = "with_exp"
    LONG_CHAIN = "long_chain"
    HINT = "hint"
    CONFUSED = "confused"
    SOLUTION = "solution"
    NEXT_FACTOR = "next_factor"
    WHY = "why"                      # "why?" about the last thing the tutor said
    WHY_MULTIPLY = "why_multiply"
    CHAIN_RULE = "chain_rule"
    QUESTION = "question"            # a concept question of the bank (``reading.question``)
    REPEAT = "repeat"
    PROGRESS = "progress"
    WHO = "who"
    HELP = "help"
    GREETING = "greeting"
    THANKS = "thanks"
    YES = "yes"
    NO = "no"
    OUT_OF_SCOPE = "out_of_scope"
    NONE = "none"                    # nothing recognised: the fallback

    # The name the first version of the tutor used for a new-problem request.
    SKIP = "new_problem"


# Requests for a problem of some kind ("harder", "one with ln").
PROBLEM_REQUESTS: frozenset[Intent] = frozenset({
    Intent.NEW_PROBLEM, Intent.HARDER, Intent.EASIER, Intent.SIMILAR, Intent.WITH_LOG,
    Intent.WITH_TRIG, Intent.WITH_EXP, Intent.LONG_CHAIN,
})


@dataclass(frozen=True)
class Reading:
    """One message as the tutor read it.

    - ``expression``/``variable``: a problem to start (``DIFFERENTIATE``) or,
      for an ``ANSWER``, ``expression`` is the maths and ``tag`` what it names
      (``"u"``, ``"du/dx"``, ``"inner"``, ``"final"``, or None untagged);
    - ``question``: the id of the bank question (``QUESTION``);
    - ``topic``: what an out-of-scope message was about;
    - ``reasons``: how the reading was reached, in order, for tracing.
    """

    intent: Intent
    expression: str | None = None
    variable: str | None = None
    tag: str | None = None
    question: str | None = None
    topic: str | None = None
    score: float = 0.0
    reasons: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data, without the empty slots."""
        data: dict[str, object] = {"intent": self.intent.value, "score": round(self.score, 1),
                                   "reasons": list(self.reasons)}
        for name in ("expression", "variable", "tag", "question", "topic"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        return data
