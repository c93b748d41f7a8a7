"""Help on request: the next hint, the next factor, the worked solution."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from service.calculus import solve

from .events import HintGiven, SolutionShown
from .hints import LADDER, HintLevel
from .lifecycle import ask_current, finish_problem, remind
from .plan import Plan, PlanStep, StepKind
from .state import ConversationState
from .turn import TurnBuilder

NOTHING_OPEN = "This problem is already solved."


def give_hint(turn: TurnBuilder) -> None:
    """The next rung of the open step's hint ladder."""
    state = turn.state
    step = state.current
    if step is None:
        turn.say("info", NOTHING_OPEN)
        remind(turn)
        return
    level, text = step.ladder.hint(state.step_hints)
    if state.step_hints >= len(LADDER):  # past the bottom-out: teach the rule again, on a simpler case
        turn.say("explanation", f"Let's step back and look at the rule on a simpler case. "
                                f"{step.ladder.teaching} Here, the same idea gives: {step.ladder.bottom_out}.")
    else:
        turn.say("hint", text)
    turn.state = state.evolve(step_hints=state.step_hints + 1, hints_used=state.hints_used + 1)
    turn.emit(HintGiven(state.expression or "", step.name, level.value, turn.state.hints_used))
    if level is HintLevel.BOTTOM_OUT:
        ask_current(turn, lead="Type it in to go on. ")


def next_factor(turn: TurnBuilder) -> None:
    """Which local derivatives the learner has, and which one is still missing."""
    state = turn.state
    plan = state.plan
    if plan is None:
        remind(turn)
        return
    if not plan.factors:
        turn.say("info", _open_parts(state, plan))
        return
    turn.say("info", _factor_status(state, plan))


def _factor_status(state: ConversationState, plan: Plan) -> str:
    """The factor report of a chain: have, missing, and the next one to find."""
    product = f"{plan.final_name} = {' · '.join(plan.factors)}"
    factor_steps = [step for step in plan.steps if step.is_factor]
    have = [step.answer for step in factor_steps if step.name in state.done]
    missing = [step for step in factor_steps if step.name not in state.done]
    current = state.current
    if state.finished:
        return f"All the factors are in: {'; '.join(have)}, so {plan.steps[-1].answer}."
    if current is not None and current.kind is StepKind.IDENTIFY:
        return (f"The factors we need are {product}. Before finding them, we name the links. "
                f"{current.question}")
    if not missing:
        return (f"You have every factor: {'; '.join(have)}. Multiply them: {product}.")
    report = f"We need {product}. "
    report += f"You already have {'; '.join(have)}. " if have else "You have none of them yet. "
    names = ", ".join(step.name for step in missing)
    nxt = missing[0]
    return report + f"Still missing: {names}. The next factor to find is {nxt.name}: {nxt.describe}."


def _open_parts(state: ConversationState, plan: Plan) -> str:
    """The report for a problem that is not a single chain."""
    if state.finished:
        return f"Everything is found: {plan.steps[-1].answer}."
    if len(plan.steps) == 1:
        return "There is no chain here, so there are no factors to collect: differentiate it directly."
    done = [step.answer for step in plan.steps if step.name in state.done and step.kind is not StepKind.RULE]
    missing = [step.describe for step in plan.steps if step.name not in state.done]
    report = "This problem is not a single chain, so there is no single list of factors. "
    if done:
        report += f"You already have {'; '.join(done)}. "
    return report + f"Still to find: {'; '.join(missing)}."


def show_solution(turn: TurnBuilder) -> None:
    """The full worked solution; the open steps count as not mastered."""
    state = turn.state
    if state.plan is None or state.expression is None:
        remind(turn)
        return
    worked = worked_solution(state.expression, state.variable)
    if state.plan.cuts:  # the learner's letters mean their cut; the worked solution uses the core's
        pieces = "; ".join(step.answer for step in state.plan.steps if step.is_factor)
        turn.say("explanation", f"On the chain as you cut it, {state.plan.chain}: {pieces}; so "
                                f"{state.plan.steps[-1].answer}. The worked solution below cuts the chain "
                                "the usual way, so its letters mean other links.")
    turn.say("solution", worked.text, latex=worked.latex, mathml=worked.mathml,
             derivative=worked.derivative)
    if not state.finished:
        _count_open_steps_as_missed(turn, state)
        finish_problem(turn, by_learner=False)


@dataclass(frozen=True)
class WorkedSolution:
    """The solution message of a problem: its text and the derivative's forms."""

    text: str
    latex: str
    mathml: str
    derivative: str  # sympy's string of the result


# Solving and printing a solution costs milliseconds and depends on the problem
# alone (as prepare_problem's plan does); the message is strings, safe to share.
@lru_cache(maxsize=512)
def worked_solution(expression: str, variable: str) -> WorkedSolution:
    """The worked solution of ``expression`` by ``variable``, as the tutor says it."""
    data = solve(expression, variable).to_dict()
    lines = [step["text"] for step in data["steps"]]
    gears = data.get("gears") or {}
    # The core's steps may already end with the gear view; say it once.
    if gears.get("text") and not any(gears["text"] in line for line in lines):
        lines.append(f"Gear view: {gears['text']}")
    return WorkedSolution("\n".join(lines), data["latex"], data["mathml"], data["derivative"])


def _count_open_steps_as_missed(turn: TurnBuilder, state: ConversationState) -> None:
    """A bottom-out solution is evidence of not knowing the open steps (BKT)."""
    open_steps: list[PlanStep] = [step for step in state.plan.steps if step.name not in state.done]
    turn.observe_revealed(open_steps)
    turn.emit(SolutionShown(state.expression or "", state.variable,
                            tuple(step.name for step in open_steps)))
