"""The tutor's side of the conversation that is not checking answers.

Concept questions from the bank, "why?" about the last feedback, "how am I
doing?", "who are you?", things outside the lesson, and a friendly word
when nothing was understood. Each reply names no internal step or list.
"""

from __future__ import annotations

from .explanations import explanation
from . import explanations as concepts
from .guidance import give_hint
from .intents import Reading
from .lifecycle import prepare_problem, remind
from .plan import PlanStep, StepKind
from .reading.phrasebook import phrasebook
from .skills import SKILL_LABELS
from .turn import TurnBuilder

WHO = ("I'm the chain-rule tutor: a rule-based program (no language model) that works through "
       "derivatives with you step by step, checks each step, and explains the ideas from the lesson.")

NOT_UNDERSTOOD = ("I didn't quite catch that. You can answer the question, ask for a hint, "
                  "say you're lost, or ask me something like \"why do we multiply?\".")

# What each misconception means, said to a learner who asks "why?" after it.
WHY_WRONG: dict[str, str] = {
    "missing_inner_derivative": (
        "You had the outer derivative, but the chain rule needs one more factor: the derivative of "
        "the inner function. The inner function changes as x changes, and that rate multiplies in."),
    "outer_not_at_inner": (
        "The outer function never sees x, it sees the inner function's output. So its derivative is "
        "taken at the inner function: cos(x²), not cos(x), for sin(x²)."),
    "power_rule_exponent": (
        "With the power rule the exponent comes down and drops by one: u⁴ gives 4u³, not 4u⁴."),
    "sign_error": "The size is right but the sign is not: check the derivative of cos (−sin) and any minus signs inside.",
    "added_instead_of_multiplied": (
        "Adding would say that gear ratios of 2 and 3 give 5; they give 6. Each local derivative "
        "scales the change the previous one produced, so they multiply."),
    "composed_derivatives": (
        "The outer derivative is taken at the inner function itself, not at the inner function's "
        "derivative: f'(g(x))·g'(x), not f'(g'(x))."),
    "missing_link": (
        "In a chain of three or more links every link contributes one local derivative; "
        "leaving one out drops a whole rate of change."),
}

_OUT_OF_SCOPE: tuple[tuple[tuple[str, ...], str], ...] = (
    (("integr", "antideriv", "primitive", "area"),
     "Integrals are the reverse road and not part of this lesson; here we differentiate."),
    (("limit", "lim"), "Limits are not part of this lesson; here we differentiate with the chain rule."),
    (("solve", "equation", "root", "factor", "expand", "simplif"),
     "Solving or rearranging equations is not something I do; here we differentiate."),
    (("gradient", "multivariable", "variables", "partial derivatives", "jacobian", "hessian",
      "divergence", "curl"),
     "Gradients of several variables are the next lesson; here we differentiate by one variable "
     "(the others held constant)."),
)
_OTHER_SUBJECT = "That is outside what I can help with: I only teach derivatives and the chain rule."


def answer_question(turn: TurnBuilder, reading: Reading) -> None:
    """A concept question of the bank, answered in the lesson's voice."""
    question = phrasebook().questions[reading.question]
    text = question.answer
    if question.for_problem == "rule_at_hand":
        text = _rule_at_hand(turn) or text
    turn.say("explanation", text)
    remind(turn)


def _rule_at_hand(turn: TurnBuilder) -> str | None:
    """Which rule the problem at hand needs, said for that problem."""
    state = turn.state
    if state.plan is None or state.expression is None:
        return None
    rule_step = state.plan.step("rule")
    shown = prepare_problem(state.expression, state.variable).shown
    if rule_step is not None:
        rule = rule_step.answer  # "the product rule"
        return (f"For {shown} it is {rule}: the last operation joins two pieces. Each piece that is a "
                "function inside a function then needs the chain rule on its own.")
    if state.plan.factors:
        return (f"No: {shown} is not two functions multiplied side by side, it is one function inside "
                "another, so it is the chain rule: differentiate the outer function at the inner one, "
                "times the inner derivative.")
    return f"Neither: {shown} has no function inside another, so differentiate it directly."


def explain_why(turn: TurnBuilder, reading: Reading) -> None:
    """"Why?": the last feedback explained, else the step at hand, else why we multiply."""
    state = turn.state
    last = state.last_feedback
    if last and not last.get("correct") and last.get("misconception") in WHY_WRONG:
        turn.say("explanation", WHY_WRONG[last["misconception"]])
    elif state.plan is not None and (state.finished or state.current is None):
        turn.say("explanation", _why_solved(state.plan.steps, state.plan.factors))
    elif state.current is not None:
        turn.say("explanation", _why_step(state.current))
    else:
        turn.say("explanation", explanation(turn.context.lesson, concepts.WHY_MULTIPLY))
    remind(turn)


def _why_solved(steps: tuple[PlanStep, ...], factors: tuple[str, ...]) -> str:
    final = steps[-1]
    if factors:
        return (f"Each local derivative says how fast one link changes for a change in the link before "
                f"it; going along the chain those rates multiply, like gear ratios. That is why "
                f"{final.answer}: the product {' · '.join(factors)}.")
    return (f"The expression is built from pieces, and the rule that joins them says how their "
            f"derivatives combine: {final.answer}.")


def _why_step(step: PlanStep) -> str:
    return f"We need {step.describe}, because the chain rule builds the answer from such pieces. {step.ladder.teaching}"


def confused(turn: TurnBuilder, reading: Reading) -> None:
    """"I'm lost": the question put another way, with the next hint."""
    state = turn.state
    step = state.current
    if step is None:
        turn.say("info", "No problem. Let's start with one: say \"new problem\", or give me an expression to "
                 "differentiate, like \"differentiate sin(x^2)\".")
        return
    if state.step_hints == 0:  # the first time on this step: the question in other words
        turn.say("hint", f"Let me put it another way: {_in_other_words(step)}")
    give_hint(turn)


def _in_other_words(step: PlanStep) -> str:
    """The open question said differently, without giving its answer away."""
    if step.kind is StepKind.IDENTIFY:
        return (f"we're naming the links of the chain, and {step.name} is the piece that gets computed "
                "first, before anything else is done to it.")
    return f"right now we're looking for {step.describe}."


def progress(turn: TurnBuilder, reading: Reading) -> None:
    """How the learner is doing, in words, from the mastery the context carries."""
    mastery = turn.mastery
    assessed = {skill: p for skill, p in mastery.items() if skill in turn.context.mastery}
    if not assessed:
        turn.say("info", "We've only just started, so I can't say yet: solve a problem or two and ask again.")
        remind(turn)
        return
    solid = [SKILL_LABELS[s].lower() for s, p in assessed.items() if p >= 0.8 and s in SKILL_LABELS]
    weakest = min(mastery, key=mastery.get)
    parts = []
    if len(solid) > 2:  # a list of long skill names reads as a report, not a reply
        parts.append(f"You're solid on {len(solid)} of the {len(SKILL_LABELS)} skills.")
    elif solid:
        parts.append("You're solid on " + _listing(solid) + ".")
    else:
        parts.append("Nothing is solid yet, but every step you try counts.")
    parts.append(f"The thing to practise most is {SKILL_LABELS[weakest].lower()}.")
    turn.say("info", " ".join(parts))
    remind(turn)


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def who(turn: TurnBuilder, reading: Reading) -> None:
    turn.say("info", WHO)
    remind(turn)


def out_of_scope(turn: TurnBuilder, reading: Reading) -> None:
    """Something outside the lesson: said plainly; the problem at hand is unchanged."""
    topic = (reading.topic or "").lower()
    said = next((text for stems, text in _OUT_OF_SCOPE if any(stem in topic for stem in stems)), _OTHER_SUBJECT)
    turn.say("info", said)
    remind(turn)


def not_understood(turn: TurnBuilder, reading: Reading) -> None:
    turn.say("info", NOT_UNDERSTOOD)
    remind(turn)
