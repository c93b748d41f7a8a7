"""The dialogue engine: one learner message in, one turn out.

Pure: it takes the stored state, the learner's text and the context (lesson,
exercise bank, mastery) and returns a :class:`Turn`; the caller persists the
new state, the replies and the events in one transaction.

>>> turn = start(TutorContext(), "(2x+1)^3")
>>> turn.state.step
'u'
>>> turn = respond(turn.state, "u = 2x + 1", TutorContext(mastery=turn.mastery))
>>> turn.verdict.correct, turn.state.step
(True, 'dy/du')
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from service.calculus import ExpressionError

from . import explanations as concepts
from .answering import handle_answer, handle_rule_answer, is_rule_answer
from .explanations import explanation
from .guidance import give_hint, next_factor, show_solution
from .intents import Intent, IntentMatch, recognise
from .lifecycle import next_problem, remind, set_problem
from .problems import NoProblemError, Problem
from .state import ConversationState
from .turn import Turn, TurnBuilder, TutorContext

__all__ = ["start", "respond", "Action", "ConversationState", "TutorContext", "Turn"]


class Action(str, Enum):
    """A button the chat widget offers: the same move as asking in words, without words."""

    HINT = "hint"
    NEXT_FACTOR = "next_factor"
    SOLUTION = "solution"
    NEW_PROBLEM = "new_problem"
    REPEAT = "repeat"
    EXPLAIN = "explain"


ACTIONS: tuple[str, ...] = tuple(action.value for action in Action)

# How a transcript shows a pressed button: the words it stands for.
ACTION_WORDS: dict[Action, str] = {
    Action.HINT: "Hint, please.", Action.NEXT_FACTOR: "Which factor is next?",
    Action.SOLUTION: "Show me the solution.", Action.NEW_PROBLEM: "A new problem, please.",
    Action.REPEAT: "Repeat the question, please.", Action.EXPLAIN: "Can you explain that?",
}

MAX_MESSAGE_LENGTH = 2000

GREETING = ("Hi! I'm your chain-rule tutor. We'll work through derivatives step by step: "
            "name the inner and outer functions, find each local derivative, then multiply them.")

UNDERSTOOD = ("I understand answers such as \"u = 2x + 1\", \"du/dx = 2\", \"dy/du = 3u^2\" or just "
              "an expression, and requests such as \"hint\", \"next factor\", \"show the solution\", "
              "\"why do we multiply?\", \"what is the chain rule?\", \"repeat the question\", "
              "\"new problem\" and \"differentiate sin(x^2)\".")


def start(context: TutorContext, expression: str | None = None,
          variable: str | None = None) -> Turn:
    """A new conversation: a greeting and the first question.

    With no expression the tutor picks a problem for the learner's weakest
    skill from ``context.exercises`` (or generates one). A given expression
    that cannot be read raises ``ExpressionError`` with the parser's message.
    """
    turn = TurnBuilder(context, ConversationState())
    turn.say("info", GREETING)
    if expression is None:
        _choose_problem(turn)
    else:
        set_problem(turn, Problem(expression, variable))
    return turn.finish()


def respond(state: ConversationState, text: str, context: TutorContext, *,
            action: Action | str | None = None) -> Turn:
    """The tutor's turn after the learner says ``text`` (or presses ``action``).

    An action is handled exactly as the intent it stands for, and ``text``
    is not read at all.

    >>> first = start(TutorContext(), "(2x+1)^3")
    >>> respond(first.state, "hint", TutorContext()).replies[0].kind
    'hint'
    """
    turn = TurnBuilder(context, state)
    if action is not None:
        intent = _ACTION_INTENTS[Action(action)]
        _MOVES[intent](turn, IntentMatch(intent), "")
        return turn.finish()
    text = text.strip()
    if len(text) > MAX_MESSAGE_LENGTH:
        turn.say("info", f"That message is too long for me (at most {MAX_MESSAGE_LENGTH} characters).")
        remind(turn)
        return turn.finish()
    if not text:
        remind(turn)
        return turn.finish()
    if is_rule_answer(state, text):
        handle_rule_answer(turn, text)
        return turn.finish()
    match = recognise(text)
    _MOVES.get(match.intent, _answer_or_fallback)(turn, match, text)
    return turn.finish()


def _answer_or_fallback(turn: TurnBuilder, match: IntentMatch, text: str) -> None:
    """Anything that is not a request: an answer, or a friendly 'I understand…'."""
    if handle_answer(turn, text):
        return
    turn.say("info", f"Sorry, I didn't understand that. {UNDERSTOOD}")
    remind(turn)


def _greet(turn: TurnBuilder, match: IntentMatch, text: str) -> None:
    turn.say("info", "Hello! Good to see you.")
    remind(turn)


def _thank(turn: TurnBuilder, match: IntentMatch, text: str) -> None:
    turn.say("info", "You're welcome!")
    remind(turn)


def _help(turn: TurnBuilder, match: IntentMatch, text: str) -> None:
    turn.say("info", UNDERSTOOD)
    remind(turn)


def _hint(turn: TurnBuilder, match: IntentMatch, text: str) -> None:
    give_hint(turn)


def _next_factor(turn: TurnBuilder, match: IntentMatch, text: str) -> None:
    next_factor(turn)


def _solution(turn: TurnBuilder, match: IntentMatch, text: str) -> None:
    show_solution(turn)


def _why_multiply(turn: TurnBuilder, match: IntentMatch, text: str) -> None:
    turn.say("explanation", explanation(turn.context.lesson, concepts.WHY_MULTIPLY))
    remind(turn)


def _chain_rule(turn: TurnBuilder, match: IntentMatch, text: str) -> None:
    turn.say("explanation", explanation(turn.context.lesson, concepts.CHAIN_RULE))
    turn.say("explanation", explanation(turn.context.lesson, concepts.GEARS))
    remind(turn)


def _repeat(turn: TurnBuilder, match: IntentMatch, text: str) -> None:
    state = turn.state
    if state.expression is not None and not state.solved:
        turn.say("info", f"We're differentiating {state.expression} with respect to {state.variable}.")
    remind(turn)


def _new_problem(turn: TurnBuilder, match: IntentMatch, text: str) -> None:
    turn.say("info", "Here is a new problem." if turn.state.solved else "OK, let's try a different one.")
    _choose_problem(turn)


def _choose_problem(turn: TurnBuilder) -> None:
    """Set the problem the learner needs next, or say how to pick one."""
    try:
        next_problem(turn)
    except (NoProblemError, ExpressionError):  # an empty bank and no fresh problem left
        turn.say("info", "I have no new problem for you right now. Say \"differentiate …\" with one of yours.")


def _differentiate(turn: TurnBuilder, match: IntentMatch, text: str) -> None:
    expression = match.expression or ""
    try:
        set_problem(turn, Problem(expression, match.variable))
    except ExpressionError as error:
        turn.say("feedback", f"I couldn't read that expression: {error}. Please check it and try again.")


def _yes(turn: TurnBuilder, match: IntentMatch, text: str) -> None:
    if turn.state.awaiting_next or turn.state.plan is None:
        _new_problem(turn, match, text)
        return
    remind(turn)


def _no(turn: TurnBuilder, match: IntentMatch, text: str) -> None:
    if turn.state.awaiting_next:
        turn.say("info", "Alright. Whenever you're ready, say \"next\" or \"differentiate …\".")
        return
    turn.say("info", "No problem, take your time. Ask for a \"hint\" whenever you like.")
    remind(turn)


_Move = Callable[[TurnBuilder, IntentMatch, str], None]

_MOVES: dict[Intent, _Move] = {
    Intent.GREETING: _greet, Intent.THANKS: _thank, Intent.HELP: _help, Intent.HINT: _hint,
    Intent.NEXT_FACTOR: _next_factor, Intent.SOLUTION: _solution,
    Intent.WHY_MULTIPLY: _why_multiply, Intent.CHAIN_RULE: _chain_rule, Intent.REPEAT: _repeat,
    Intent.SKIP: _new_problem, Intent.DIFFERENTIATE: _differentiate, Intent.YES: _yes,
    Intent.NO: _no,
}

_ACTION_INTENTS: dict[Action, Intent] = {
    Action.HINT: Intent.HINT, Action.NEXT_FACTOR: Intent.NEXT_FACTOR, Action.SOLUTION: Intent.SOLUTION,
    Action.NEW_PROBLEM: Intent.SKIP, Action.REPEAT: Intent.REPEAT, Action.EXPLAIN: Intent.WHY_MULTIPLY,
}
