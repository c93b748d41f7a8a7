"""Teaching moves on an answer: check it, acknowledge or correct, move on.

- The answer goes to the step its tag names, or to the open step when
  untagged; a correct final derivative is accepted at any moment.
- A correct step is acknowledged briefly and the next step asked.
- A wrong step gets the core's misconception feedback and stays open; from
  the second wrong try on the same step, the next hint comes with it.
- Every checked answer is an attempt: recorded as an event and observed by
  BKT, as incorrect when a hint on that step came first.
"""

from __future__ import annotations

import re
from dataclasses import replace

from service.calculus import ExpressionError, check_answer, check_step, parse_expression
from service.calculus.parsing import evaluate_tree
from service.calculus.printing import to_text

from .answers import FINAL_TAG, Answer, answer_of, read_answer
from .events import AttemptRecorded
from .guidance import give_hint
from .intents import Reading
from .lifecycle import ask_current, finish_problem, remind
from .messages import AnswerVerdict
from .plan import PlanStep, StepKind
from .reform import reform
from .skills import Skill
from .state import ConversationState
from .turn import TurnBuilder

_ACKNOWLEDGEMENTS = ("Right:", "Yes:", "Correct:", "Exactly:")
_RULE_WORD = re.compile(r"\b(sum|product|quotient|chain)\b", re.IGNORECASE)
_WRONG_TRIES_BEFORE_HINT = 2


def handle_answer(turn: TurnBuilder, reading: Reading) -> bool:
    """Check the maths of ``reading`` as an answer; False when there is nothing to answer."""
    answer = answer_of(reading)
    if answer.tag is not None and not answer.body:
        turn.say("feedback", f"Write the expression after \"{answer.tag} =\".")
        return True
    state = turn.state
    if state.plan is None or state.expression is None:
        return False
    if state.finished:
        turn.say("info", "That problem is already solved." if state.solved else "That problem is already finished.")
        remind(turn)
        return True
    answer = _in_plan_letters(state, answer)
    if _reformed(turn, answer):
        return True
    step = _target_step(state, answer)
    if step is None and _adopt_letter(turn, answer):
        return True
    if step is None:
        _side_answer(turn, answer)
        return True
    try:
        step, verdict = _best_verdict(state, step, answer)
    except ExpressionError as error:
        turn.say("feedback", f"I couldn't read that: {error.message}. Please check it and try again.")
        return True
    if verdict.correct:
        _accept(turn, step, answer.body, verdict)
    else:
        _reject(turn, step, answer.body, verdict)
    return True


def _reformed(turn: TurnBuilder, answer: Answer) -> bool:
    """A link named where the plan did not cut the chain, but rightly: re-form the plan around it.

    Tried while a link is to be named, for an answer to that step (untagged, ``inner``, its
    letter, a later link's letter or a fresh one) that is not simply right for it.
    """
    state = turn.state
    step = state.current
    if step is None or step.kind is not StepKind.IDENTIFY or not answer.body:
        return False
    tag = answer.tag
    if tag in (None, "inner", step.name):
        letter = step.name
    elif len(tag) == 1 and tag.isalpha() and tag != state.variable and not re.search(
            rf"(?<![A-Za-z]){tag}(?![A-Za-z])", state.expression or ""):
        later = state.plan.step(tag)
        if later is not None and (later.kind is not StepKind.IDENTIFY or later.name in state.done):
            return False
        letter = tag
    else:
        return False
    try:
        if _check(state, step, answer.body).correct:
            return False
    except ExpressionError:
        return False
    below = tuple(s.name for s in state.plan.steps if s.kind is StepKind.IDENTIFY and s.name in state.done)
    reformed = reform(state.expression, state.variable, state.plan, letter, answer.body, below)
    if reformed is None:
        return False
    verdict = AnswerVerdict(True, None, letter, reformed.note)
    _record(turn, letter, answer.body, verdict, step.skills, state.step_hints == 0)
    state = turn.state
    aliases = {mine: theirs for mine, theirs in state.aliases.items()
               if reformed.plan.step(theirs) is not None and reformed.plan.step(mine) is None}
    # Steps found before that the new plan asks word for word (a link below the cut) stay found.
    kept = tuple(name for name in state.done if name not in reformed.cut_names
                 and (new := reformed.plan.step(name)) is not None and new == state.plan.step(name))
    done = reformed.cut_names + kept
    turn.state = state.evolve(
        plan=reformed.plan, done=done, aliases=aliases, step_hints=0, step_wrong=0,
        found={**{k: v for k, v in state.found.items() if k in done}, letter: answer.body})
    _tell(turn, reformed.note)
    ask_current(turn)
    return True


def _best_verdict(state: ConversationState, step: PlanStep, answer: Answer) -> tuple[PlanStep, AnswerVerdict]:
    """The step an answer answers, and its verdict.

    A tagged answer is checked against its step. An untagged one is checked
    against the open step, then the whole derivative, then every other step
    not found yet: the first it is right for wins; wrong everywhere, the
    verdict that names a misconception is kept (the open step's first).
    """
    if answer.tag is not None:
        return step, _check(state, step, answer.body)
    final = state.plan.steps[-1]
    others = [s for s in state.plan.steps if s.name not in state.done and s.kind != StepKind.RULE]
    order = list(dict.fromkeys([s for s in (step, final, *others) if s.kind != StepKind.RULE]))
    verdicts: list[tuple[PlanStep, AnswerVerdict]] = []
    for candidate in order:
        try:
            verdict = _check(state, candidate, answer.body)
        except ExpressionError as error:
            if error.location == "your answer" or not verdicts and candidate is order[-1]:
                raise
            continue
        if verdict.correct:
            return candidate, verdict
        verdicts.append((candidate, verdict))
        if candidate is step and verdict.misconception:
            return candidate, verdict
    diagnosed = next(((s, v) for s, v in verdicts if v.misconception), None)
    return diagnosed or verdicts[0]


def is_rule_answer(state: ConversationState, text: str) -> bool:
    """Whether ``text`` names a rule while the open step asks for one."""
    current = state.current
    return (current is not None and current.kind is StepKind.RULE
            and _RULE_WORD.search(text) is not None and len(text) <= 60)


def handle_rule_answer(turn: TurnBuilder, text: str) -> None:
    """Check the rule a learner named for a mixed expression."""
    step = turn.state.current
    assert step is not None and step.kind is StepKind.RULE
    named = _RULE_WORD.search(text).group(1).lower()
    expected = step.rule
    if named == expected:
        _accept(turn, step, text, AnswerVerdict(True, None, step.name, f"Yes, {step.answer}."))
    else:
        feedback = (f"Not the {named} rule: look at the last operation that joins the pieces "
                    "of the whole expression.")
        _reject(turn, step, text, AnswerVerdict(False, None, step.name, feedback))


def _target_step(state: ConversationState, answer: Answer) -> PlanStep | None:
    """The plan step an answer is for: its tag's, or the open one."""
    plan = state.plan
    if answer.tag is None:
        return state.current
    final = plan.steps[-1]
    variable = state.variable
    if answer.tag in (FINAL_TAG, plan.final_name, f"dy/d{variable}"):
        return final
    if answer.tag == "inner":
        identify = [step for step in plan.steps if step.kind is StepKind.IDENTIFY]
        return identify[0] if len(identify) == 1 else None
    return plan.step(answer.tag)


def _in_plan_letters(state: ConversationState, answer: Answer) -> Answer:
    """The answer with the letters the learner chose for links replaced by the plan's.

    >>> from service.tutor.state import ConversationState
    >>> _in_plan_letters(ConversationState(aliases={"v": "u"}), Answer("dL/dv", "2v"))
    Answer(tag='dL/du', body='2u')
    """
    if not state.aliases:
        return answer
    def swap(text: str) -> str:
        for mine, theirs in state.aliases.items():
            text = re.sub(rf"(?<![A-Za-z]){re.escape(mine)}(?![A-Za-z])", theirs, text)
        return text
    tag = answer.tag
    if tag is not None and tag not in ("inner", "outer", FINAL_TAG):
        tag = re.sub(r"(?<=d)([A-Za-zα-ω])", lambda m: state.aliases.get(m.group(1), m.group(1)), tag) \
            if "/" in tag else state.aliases.get(tag, tag)
    return Answer(tag, swap(answer.body))


def _adopt_letter(turn: TurnBuilder, answer: Answer) -> bool:
    """``v = wx − y`` for the plan's ``u``: right, so the learner's letter is accepted from now on."""
    state = turn.state
    step = state.current
    tag = answer.tag
    if (step is None or step.kind is not StepKind.IDENTIFY or tag is None or len(tag) != 1
            or not tag.isalpha() or re.search(rf"(?<![A-Za-z]){tag}(?![A-Za-z])", state.expression or "")):
        return False
    try:
        verdict = _check(state, step, answer.body)
    except ExpressionError:
        return False
    if not verdict.correct:
        return False
    turn.state = state.evolve(aliases={**state.aliases, tag: step.name})
    note = AnswerVerdict(True, None, step.name,
                         f"Right, and calling it {tag} is fine: I'll read your {tag} as my {step.name}.")
    _accept(turn, step, answer.body, note, lead=note.feedback)
    return True


# Feedback on a wrong whole derivative of a mixed expression, by its top-level rule:
# never "multiply the local derivatives" where the rule adds or has two terms.
RULE_FEEDBACK: dict[str, str] = {
    "the sum rule": "Not quite. A sum's derivative is the sum of its parts' derivatives: "
                    "differentiate each term on its own (a chain gets the chain rule), then add.",
    "the product rule": "Not quite. The product rule has two terms, f′g + fg′: the derivative of "
                        "the first times the second, plus the first times the derivative of the second.",
    "the quotient rule": "Not quite. The quotient rule is (f′g − fg′)/g²: mind the minus and the "
                         "square underneath.",
}


def _check(state: ConversationState, step: PlanStep, body: str) -> AnswerVerdict:
    """The core's verdict on ``body`` as the answer to ``step``."""
    if step.kind is StepKind.PART:
        verdict = check_answer(step.problem, body, state.variable)
    else:
        # The final step too: its answer may use the link letters, which mean the plan's cut.
        verdict = check_step(state.expression, step.checked_as, body, state.variable, cuts=state.plan.cuts)
    feedback = verdict.feedback
    rule = state.plan.step("rule") if state.plan is not None else None
    if step.kind is StepKind.FINAL and rule is not None and not verdict.correct and not verdict.misconception:
        feedback = RULE_FEEDBACK.get(rule.answer, feedback)
    return AnswerVerdict(verdict.correct, verdict.misconception, step.name, feedback)


def _side_answer(turn: TurnBuilder, answer: Answer) -> None:
    """A tagged answer outside the plan (``y = u³``, ``outer = ...``): check, don't advance.

    Naming a function (no ``/`` in the tag) is still an attempt at naming the
    links, and is recorded as one; the plan asks every local derivative
    itself, so a derivative outside it is only checked.
    """
    state = turn.state
    try:
        checked = check_step(state.expression, answer.tag, answer.body, state.variable,
                             cuts=state.plan.cuts if state.plan is not None else ())
    except ExpressionError as error:
        if error.location is None and state.plan is not None and state.plan.chain:
            # a name this problem does not use: say its names, not a list of internal steps
            turn.say("feedback", f"There is no {answer.tag} in this problem: its links are "
                                 f"{state.plan.chain}. Write your step with those letters.")
        else:
            turn.say("feedback", f"I couldn't read that: {error.message}.")
        remind(turn)
        return
    verdict = AnswerVerdict(checked.correct, checked.misconception, answer.tag, checked.feedback)
    if "/" in answer.tag:
        turn.verdict = verdict
    else:
        _record(turn, answer.tag, answer.body, verdict, (Skill.IDENTIFY_FUNCTIONS.value,),
                checked.correct, hints_used=0)
    turn.say("feedback", checked.feedback)
    remind(turn)


def _record(turn: TurnBuilder, step: str, body: str, verdict: AnswerVerdict,
            skills: tuple[str, ...], counted_correct: bool, hints_used: int | None = None) -> None:
    """Record the attempt at ``step``: event, BKT observation, verdict of the turn.

    ``hints_used`` defaults to the hints taken on the open step.
    """
    state = turn.state
    hints = state.step_hints if hints_used is None else hints_used
    turn.emit(AttemptRecorded(
        state.expression or "", state.variable, step, body, verdict.correct,
        verdict.misconception, skills, hints, counted_correct))
    turn.state = state.evolve(attempts=state.attempts + 1, last_feedback={
        "step": step, "misconception": verdict.misconception, "correct": verdict.correct})
    turn.observe_attempt(step, skills, verdict.correct, counted_correct, verdict.misconception)
    turn.verdict = verdict


def _tell(turn: TurnBuilder, feedback: str) -> None:
    """Say the feedback on an answer; the turn's verdict carries the same words."""
    turn.say("feedback", feedback)
    if turn.verdict is not None:
        turn.verdict = replace(turn.verdict, feedback=feedback)


def _accept(turn: TurnBuilder, step: PlanStep, body: str, verdict: AnswerVerdict, lead: str = "") -> None:
    """A right answer: acknowledge, mark the step done, ask the next one."""
    state = turn.state
    current = state.current
    if step.name in state.done:
        turn.say("feedback", f"Yes, {step.answer}: you had that one already.")
        remind(turn)
        return
    is_current = current is not None and step.name == current.name
    # Hints on the open step mean the learner did not find it alone (BKT).
    counted = state.step_hints == 0 or not is_current
    if step.kind is StepKind.FINAL:
        open_steps = [s for s in state.plan.steps if s.name not in state.done]
        skills = tuple(dict.fromkeys(skill for s in (step, *open_steps) for skill in s.skills))
        _record(turn, step.name, body, verdict, skills, state.step_hints == 0)
        _tell(turn, " ".join(part for part in (f"Correct! {step.answer}.",
                                               _form_note(step, body, state.variable)) if part))
        finish_problem(turn, by_learner=True)
        return
    _record(turn, step.name, body, verdict, step.skills, counted)
    state = turn.state
    changes: dict = {"done": state.done + (step.name,), "found": {**state.found, step.name: body}}
    if is_current:
        changes.update(step_hints=0, step_wrong=0)
    turn.state = state.evolve(**changes)
    ack = lead or f"{_ACKNOWLEDGEMENTS[len(state.done) % len(_ACKNOWLEDGEMENTS)]} {step.answer}."
    _tell(turn, " ".join(part for part in (ack, _form_note(step, body, state.variable), step.after) if part))
    ask_current(turn, lead="" if is_current else "Back to the open step. ")


def _form_note(step: PlanStep, body: str, variable: str) -> str:
    """A word when the learner's right answer is written differently from the tutor's."""
    if step.kind is StepKind.IDENTIFY:
        return ""
    try:
        theirs = to_text(evaluate_tree(parse_expression(body, variable)))
    except (ExpressionError, ValueError, TypeError):
        return ""
    forms = [form.strip() for form in step.answer.split(" = ")[1:]]
    if not forms or theirs.replace(" ", "") in {form.replace(" ", "") for form in forms}:
        return ""
    return f"Your {theirs} is the same thing, written another way."


def _reject(turn: TurnBuilder, step: PlanStep, body: str, verdict: AnswerVerdict) -> None:
    """A wrong answer: the misconception's feedback; the step stays open."""
    _record(turn, step.name, body, verdict, step.skills, False)
    _tell(turn, verdict.feedback or "Not quite. Try again.")
    state = turn.state
    current = state.current
    if current is None or step.name != current.name:
        return
    turn.state = state.evolve(step_wrong=state.step_wrong + 1)
    if turn.state.step_wrong >= _WRONG_TRIES_BEFORE_HINT:
        give_hint(turn)
