"""A problem's life: setting it, asking its steps, finishing it.

Shared by every move that starts, advances or ends a problem, so the intro,
the questions and the recap read the same whichever way the learner got
there.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from service.calculus import solve
from service.calculus.printing import to_latex, to_text

from .events import ProblemAbandoned, ProblemSolved, ProblemStarted
from .plan import LOCAL_DERIVATIVES_INTRO, Plan, PlanStep, StepKind, build_plan
from .mastery import as_percent
from .problems import Problem, choose_problem
from .skills import SKILL_LABELS
from .state import ConversationState
from .turn import TurnBuilder

OFFER_NEXT = ("Would you like another problem? Say \"next\", or \"differentiate …\" "
              "with an expression of your own.")


def set_problem(turn: TurnBuilder, problem: Problem) -> None:
    """Start ``problem``: a fresh plan, an intro and the first question.

    Raises the core's ``ExpressionError`` when the expression cannot be read;
    the state is then left as it was.
    """
    prepared = prepare_problem(problem.expression, problem.variable)
    variable, plan = prepared.variable, prepared.plan
    previous = turn.state
    if previous.expression is not None and not previous.finished:
        turn.emit(ProblemAbandoned(previous.expression, previous.variable, previous.exercise_slug))
    seen = previous.seen + (problem.expression,)
    turn.state = ConversationState(
        expression=problem.expression, variable=variable, plan=plan, exercise_slug=problem.exercise_slug,
        seen=seen, mastery_at_start=dict(turn.mastery))
    turn.emit(ProblemStarted(problem.expression, variable, problem.exercise_slug))
    intro = problem.prompt or f"Let's differentiate {prepared.shown} with respect to {variable}."
    turn.say("info", intro, latex=prepared.latex)
    ask_current(turn)


@dataclass(frozen=True)
class PreparedProblem:
    """What setting a problem needs from the core: its plan and how to show it."""

    variable: str
    plan: Plan
    shown: str   # the expression in Unicode maths
    latex: str


# Solving and planning cost milliseconds and depend on the problem alone, and
# the same problems come back (the bank, the lesson's examples): keep them.
# Plans are frozen dataclasses of strings and tuples, so sharing one is safe.
@lru_cache(maxsize=512)
def prepare_problem(expression: str, variable: str | None) -> PreparedProblem:
    """Solve ``expression`` and plan its steps (cached; a bad one raises ``ExpressionError``).

    >>> prepare_problem("(2x+1)^3", "x").shown
    '(2x + 1)³'
    """
    solution = solve(expression, variable)
    return PreparedProblem(str(solution.variable), build_plan(solution), to_text(solution.expression),
                           to_latex(solution.expression))


def next_problem(turn: TurnBuilder) -> None:
    """Set the problem that suits the learner's weakest skill now."""
    state = turn.state
    seen = set(turn.context.seen) | set(state.seen)
    problem = choose_problem(turn.context.exercises, turn.mastery, seen, turn.context.rng(state),
                             turn.context.params, beliefs=turn.beliefs)
    set_problem(turn, problem)


def ask_current(turn: TurnBuilder, lead: str = "") -> None:
    """Ask the open step (or offer a next problem when there is none)."""
    state = turn.state
    step = state.current
    if step is None:
        turn.say("question", f"{lead}{OFFER_NEXT}")
        turn.state = state.evolve(awaiting_next=True, last_question=OFFER_NEXT)
        return
    question = step.question
    if lead:  # asked again: its introduction ("First,", "Now") was said when it was first asked
        question = question.removeprefix(LOCAL_DERIVATIVES_INTRO)
        opening = next((word for word in _OPENINGS if question.startswith(word)), "")
        if opening:
            question = question[len(opening)].upper() + question[len(opening) + 1:]
    turn.say("question", f"{lead}{question}")
    turn.state = state.evolve(last_question=step.question)


_OPENINGS = ("First, ", "Now ")


def remind(turn: TurnBuilder) -> None:
    """After a side remark, bring the learner back to the open question."""
    if turn.state.plan is None:
        turn.say("question", "Which expression shall we differentiate? Say \"differentiate …\" or \"new problem\".")
        return
    if turn.state.finished:
        turn.say("question", OFFER_NEXT)
        return
    ask_current(turn, lead="Back to our problem. ")


def finish_problem(turn: TurnBuilder, by_learner: bool) -> None:
    """Close the problem: recap, mastery change, offer of a next one."""
    state = turn.state
    plan = state.plan
    assert plan is not None, "finish_problem needs a problem"
    turn.state = state.evolve(finished=True, gave_up=not by_learner,
                              done=tuple(step.name for step in plan.steps))
    turn.emit(ProblemSolved(state.expression or "", state.variable, state.exercise_slug,
                            state.attempts, state.hints_used, by_learner, turn.state.outcome.value))
    if by_learner:
        turn.say("explanation", recap(plan.steps, plan.chain))
    change = mastery_change(turn, {skill for step in plan.steps for skill in step.skills})
    if change:
        turn.say("info", change)
    turn.say("question", OFFER_NEXT)
    turn.state = turn.state.evolve(awaiting_next=True, last_question=OFFER_NEXT)


def recap(steps: tuple[PlanStep, ...], chain: str) -> str:
    """A short recap of a solved problem: the chain, its factors, the result."""
    parts = []
    if chain:
        parts.append(f"To recap, the chain is {chain}.")
    factors = [step.answer for step in steps if step.kind in (StepKind.DERIVATIVE, StepKind.PART)]
    if factors:
        parts.append(("The pieces are " if parts else "To recap, the pieces are ") + "; ".join(factors) + ".")
    final = steps[-1]
    parts.append(f"Together: {final.answer}." if parts else f"To recap: {final.answer}.")
    return " ".join(parts)


def mastery_change(turn: TurnBuilder, skills: set[str]) -> str:
    """How the learner's mastery moved on ``skills`` since the problem began, in one short line:
    the skill that rose most, and the one to look at again if any fell."""
    start = turn.state.mastery_at_start
    moves = []
    for skill, label in SKILL_LABELS.items():
        if skill not in skills:
            continue
        before, after = start.get(skill, turn.mastery[skill]), turn.mastery[skill]
        if round(before * 100) != round(after * 100):
            moves.append((after - before, label.lower(), after))
    if not moves:
        return ""
    rose = [move for move in moves if move[0] > 0]
    fell = [move for move in moves if move[0] < 0]
    parts = []
    if rose:
        _, label, after = max(rose)
        shown = as_percent(after)
        parts.append(f"{label} is up to {shown}" if len(rose) == 1 else f"up most on {label}, now {shown}")
    if fell:
        _, label, after = min(fell)
        parts.append(f"worth another look: {label}, at {as_percent(after)}")
    return "Your mastery: " + "; ".join(parts) + "."
