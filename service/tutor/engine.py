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
from . import talk
from .answering import handle_answer, handle_rule_answer, is_rule_answer
from .explanations import explanation
from .guidance import give_hint, next_factor, show_solution
from .intents import PROBLEM_REQUESTS, Intent, Reading
from .lifecycle import next_problem, prepare_problem, remind, set_problem
from .problems import NoProblemError, Problem
from .reading import read
from .requests import requested_problem
from .state import ConversationState, StateVersionError
from .turn import Turn, TurnBuilder, TutorContext

__all__ = ["start", "respond", "resume", "Action", "ConversationState", "TutorContext", "Turn"]


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

UNDERSTOOD = ("Answer each question in your own words or as maths (\"u = 2x + 1\", \"3u^2\"). "
              "Whenever you like, ask for a hint, say you're lost, ask why, ask about the ideas "
              "(\"what is a composite function?\"), or give me a problem (\"differentiate sin(x^2)\").")

RESTARTED = ("I've been updated since we last talked and can't pick up our last problem exactly "
             "where we left it, sorry. Let's start a fresh one.")


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
    is not read at all. The reading of the message (with its reasons) comes
    back in ``turn.reading``, so every reply can be traced to its rule.

    >>> first = start(TutorContext(), "(2x+1)^3")
    >>> respond(first.state, "hint", TutorContext()).replies[0].kind
    'hint'
    """
    turn = TurnBuilder(context, state)
    if action is not None:
        intent = _ACTION_INTENTS[Action(action)]
        turn.reading = Reading(intent, score=100.0, reasons=(f"action: {Action(action).value}",))
        _MOVES[intent](turn, turn.reading)
        return turn.finish()
    text = text.strip()
    if len(text) > MAX_MESSAGE_LENGTH:
        turn.say("info", f"That message is too long for me (at most {MAX_MESSAGE_LENGTH} characters): "
                         "could you say it in a shorter one?")
        remind(turn)
        return turn.finish()
    if not text:
        remind(turn)
        return turn.finish()
    if is_rule_answer(state, text):
        turn.reading = Reading(Intent.ANSWER, text, tag="rule", score=100.0,
                               reasons=("rule: a rule named while the tutor asks which rule",))
        handle_rule_answer(turn, text)
        return turn.finish()
    turn.reading = read(text)
    _MOVES.get(turn.reading.intent, talk.not_understood)(turn, turn.reading)
    return turn.finish()


def resume(stored: dict, text: str, context: TutorContext, *, action: Action | str | None = None) -> Turn:
    """:func:`respond` on a stored state; a state no version of the tutor can read starts afresh.

    >>> resume({"version": 99}, "hi", TutorContext()).replies[0].text.startswith("I've been updated")
    True
    """
    try:
        state = ConversationState.from_dict(stored)
    except StateVersionError:
        turn = TurnBuilder(context, ConversationState())
        turn.say("info", RESTARTED)
        _choose_problem(turn)
        return turn.finish()
    return respond(state, text, context, action=action)


def _answer(turn: TurnBuilder, reading: Reading) -> None:
    """Maths: an answer to the problem at hand, or the problem itself when there is none."""
    state = turn.state
    if state.plan is None and reading.tag is None:
        _differentiate(turn, reading)
        return
    if handle_answer(turn, reading):
        return
    talk.not_understood(turn, reading)


def _greet(turn: TurnBuilder, reading: Reading) -> None:
    turn.say("info", "Hello! Good to see you.")
    remind(turn)


def _thank(turn: TurnBuilder, reading: Reading) -> None:
    turn.say("info", "You're welcome!")
    remind(turn)


def _help(turn: TurnBuilder, reading: Reading) -> None:
    turn.say("info", UNDERSTOOD)
    remind(turn)


def _hint(turn: TurnBuilder, reading: Reading) -> None:
    give_hint(turn)


def _next_factor(turn: TurnBuilder, reading: Reading) -> None:
    next_factor(turn)


def _solution(turn: TurnBuilder, reading: Reading) -> None:
    show_solution(turn)


def _why_multiply(turn: TurnBuilder, reading: Reading) -> None:
    turn.say("explanation", explanation(turn.context.lesson, concepts.WHY_MULTIPLY))
    remind(turn)


def _chain_rule(turn: TurnBuilder, reading: Reading) -> None:
    turn.say("explanation", explanation(turn.context.lesson, concepts.CHAIN_RULE))
    turn.say("explanation", explanation(turn.context.lesson, concepts.GEARS))
    remind(turn)


def _repeat(turn: TurnBuilder, reading: Reading) -> None:
    state = turn.state
    if state.expression is not None and not state.finished:
        try:
            shown = prepare_problem(state.expression, state.variable).shown
        except ExpressionError:  # stored by an older tutor and no longer readable: as typed
            shown = state.expression
        turn.say("info", f"We're differentiating {shown} with respect to {state.variable}.")
    remind(turn)


def _new_problem(turn: TurnBuilder, reading: Reading) -> None:
    turn.say("info", "Here is a new problem." if turn.state.finished else "OK, let's try a different one.")
    _choose_problem(turn)


def _problem_request(turn: TurnBuilder, reading: Reading) -> None:
    """"Harder", "one with ln", "a three-link one": a problem of that kind."""
    try:
        said, problem = requested_problem(turn, reading.intent)
    except NoProblemError:
        turn.say("info", "I have no problem of that kind left for you. Give me one of yours: "
                         "\"differentiate …\".")
        return
    turn.say("info", said)
    set_problem(turn, problem)


def _choose_problem(turn: TurnBuilder) -> None:
    """Set the problem the learner needs next, or say how to pick one."""
    try:
        next_problem(turn)
    except (NoProblemError, ExpressionError):  # an empty bank and no fresh problem left
        turn.say("info", "I have no new problem for you right now. Say \"differentiate …\" with one of yours.")


def _differentiate(turn: TurnBuilder, reading: Reading) -> None:
    expression = reading.expression or ""
    try:
        set_problem(turn, Problem(expression, reading.variable))
    except ExpressionError as error:
        turn.say("feedback", f"I couldn't read {expression!r} as an expression: {error.message}. "
                             "Please check it and try again.")


def _yes(turn: TurnBuilder, reading: Reading) -> None:
    if turn.state.awaiting_next or turn.state.plan is None:
        _new_problem(turn, reading)
        return
    remind(turn)


def _no(turn: TurnBuilder, reading: Reading) -> None:
    if turn.state.awaiting_next:
        turn.say("info", "Alright. Whenever you're ready, say \"next\" or \"differentiate …\".")
        return
    turn.say("info", "No problem, take your time. Ask for a hint whenever you like.")
    remind(turn)


_Move = Callable[[TurnBuilder, Reading], None]

_MOVES: dict[Intent, _Move] = {
    Intent.ANSWER: _answer, Intent.DIFFERENTIATE: _differentiate, Intent.NEW_PROBLEM: _new_problem,
    **{intent: _problem_request for intent in PROBLEM_REQUESTS - {Intent.NEW_PROBLEM}},
    Intent.GREETING: _greet, Intent.THANKS: _thank, Intent.HELP: _help, Intent.HINT: _hint,
    Intent.CONFUSED: talk.confused, Intent.NEXT_FACTOR: _next_factor, Intent.SOLUTION: _solution,
    Intent.WHY: talk.explain_why, Intent.WHY_MULTIPLY: _why_multiply, Intent.CHAIN_RULE: _chain_rule,
    Intent.QUESTION: talk.answer_question, Intent.REPEAT: _repeat, Intent.PROGRESS: talk.progress,
    Intent.WHO: talk.who, Intent.OUT_OF_SCOPE: talk.out_of_scope, Intent.YES: _yes, Intent.NO: _no,
    Intent.NONE: talk.not_understood,
}

_ACTION_INTENTS: dict[Action, Intent] = {
    Action.HINT: Intent.HINT, Action.NEXT_FACTOR: Intent.NEXT_FACTOR, Action.SOLUTION: Intent.SOLUTION,
    Action.NEW_PROBLEM: Intent.NEW_PROBLEM, Action.REPEAT: Intent.REPEAT, Action.EXPLAIN: Intent.WHY,
}
