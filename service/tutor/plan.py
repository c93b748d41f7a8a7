"""The plan of a problem: the steps the tutor walks a learner through.

Built from the core's derivation tree:

- a pure chain (innermost link first in the tree) becomes: name each link
  but the outermost (``u = ?``), then each local derivative from the outside
  in, as backpropagation goes (``dy/du``, then ``du/dx``), then the product
  (``dy/dx``);
- a mixed expression (sum, product, quotient with chains inside) becomes:
  name the top-level rule, differentiate each chain inside, then the whole;
- an expression with no chain (``x⁵``) is one step: its derivative.

Steps are plain data (strings), so a plan is stored in the conversation
state as JSON and a resumed conversation carries on with the same plan.

A learner may cut the chain another way than the core does (``u = 2x`` for
(2x + 1)³); the plan then re-forms around that cut (:func:`reformed_plan`) and
keeps the cut links (``cuts``), so every later answer is checked against the
chain the learner is actually working with.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import Enum
from typing import Any

import sympy as sp

from service.calculus import Solution
from service.calculus.derivation import (
    ChainRule, ConstantMultiple, Derivation, Elementary, GeneralPower, Link, ProductRule,
    QuotientRule, Rule, SumRule,
)
from service.calculus.printing import to_text
from service.calculus.step_targets import TargetKind, chains_in

from .hints import (
    HintLadder, combine_ladder, derivative_ladder, direct_ladder, identify_ladder,
    multiply_ladder, part_ladder, rule_ladder,
)
from .skills import Skill

class StepKind(str, Enum):
    """What a plan step asks for (stored by value in the conversation state)."""

    IDENTIFY = "identify"      # name a link: u = ?
    DERIVATIVE = "derivative"  # one local derivative of the chain
    FINAL = "final"            # the whole derivative
    RULE = "rule"              # the rule that joins the pieces of a mixed expression
    PART = "part"              # the derivative of one chain inside a mixed expression

# The core's kind of checkable step for each plan step the core checks as a step of the
# problem (a rule is the tutor's own; a part is checked as a problem of its own).
TARGET_KINDS: dict[StepKind, TargetKind] = {
    StepKind.IDENTIFY: TargetKind.FUNCTION, StepKind.DERIVATIVE: TargetKind.LOCAL,
    StepKind.FINAL: TargetKind.FINAL,
}

# Said once, when the first local derivative is asked.
LOCAL_DERIVATIVES_INTRO = "Now the local derivatives, from the outside in, as backpropagation does. "

# The word a learner uses for each top-level rule.
_RULE_WORDS: dict[type, str] = {
    SumRule: "sum", ProductRule: "product", QuotientRule: "quotient",
    ConstantMultiple: "constant multiple", GeneralPower: "general power",
}


@dataclass(frozen=True)
class PlanStep:
    """One step: the question, what answers it, and how to help.

    ``name`` is what the learner may tag an answer with and what the core's
    ``check_step`` takes (``"u"``, ``"dy/du"``); the final step is checked
    with ``check_answer`` and part steps against their own ``problem``.
    """

    name: str
    kind: StepKind
    question: str
    answer: str                 # the expected answer, as the tutor would write it
    skills: tuple[str, ...]
    hints: tuple[str, str, str]  # pointing, teaching, bottom-out
    describe: str = ""           # "the derivative of the inner function u = 2x + 1"
    after: str = ""              # said once the step is done ("So y = u³ is the outer function.")
    problem: str | None = None   # part steps: the sub-expression to differentiate
    rule: str | None = None      # rule steps: the rule's word ("sum", "product", "quotient")

    @property
    def ladder(self) -> HintLadder:
        """The step's hint ladder."""
        return HintLadder.from_list(self.hints)

    @property
    def target_kind(self) -> TargetKind | None:
        """The core's kind of this step, or None when the core does not check it as a step."""
        return TARGET_KINDS.get(self.kind)

    @property
    def checked_as(self) -> str:
        """The step's name for the core's ``check_step``: ``dy/dx`` for the whole derivative."""
        return "dy/dx" if self.target_kind is TargetKind.FINAL else self.name

    @property
    def is_factor(self) -> bool:
        """Whether the step finds one local derivative of the chain."""
        return self.kind is StepKind.DERIVATIVE

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        # Field by field rather than dataclasses.asdict, whose deep copy of
        # plain strings cost a tenth of a turn (the state is written every turn).
        data = {name: getattr(self, name) for name in _STEP_FIELDS}
        data["skills"], data["hints"] = list(self.skills), list(self.hints)
        data["kind"] = self.kind.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlanStep:
        """The inverse of :meth:`to_dict`."""
        return cls(**{**data, "kind": StepKind(data["kind"]), "skills": tuple(data["skills"]),
                      "hints": tuple(data["hints"])})


_STEP_FIELDS = tuple(f.name for f in fields(PlanStep))


@dataclass(frozen=True)
class Plan:
    """The steps of one problem, and what the recap says about it."""

    steps: tuple[PlanStep, ...]
    final_name: str                       # "dy/dx", or "dL/dw" for the neuron
    chain: str = ""                       # "u = 2x + 1, y = u³" (empty when no chain)
    factors: tuple[str, ...] = field(default=())  # "dy/du · du/dx" order, outermost first
    # The links a learner cut differently from the core, innermost first: (letter, sympy
    # string in the variable); empty for the core's own chain. The core checks against them.
    cuts: tuple[tuple[str, str], ...] = field(default=())

    def step(self, name: str) -> PlanStep | None:
        """The step called ``name``, if any."""
        return next((step for step in self.steps if step.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {"steps": [step.to_dict() for step in self.steps], "final_name": self.final_name,
                "chain": self.chain, "factors": list(self.factors),
                "cuts": [list(cut) for cut in self.cuts]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        """The inverse of :meth:`to_dict`."""
        return cls(tuple(PlanStep.from_dict(step) for step in data["steps"]),
                   data["final_name"], data.get("chain", ""), tuple(data.get("factors", ())),
                   tuple((str(name), str(value)) for name, value in data.get("cuts", ())))


def build_plan(solution: Solution) -> Plan:
    """The plan for a solved problem.

    >>> from service.calculus import solve
    >>> [step.name for step in build_plan(solve("(2x+1)^3")).steps]
    ['u', 'dy/du', 'du/dx', 'dy/dx']
    """
    variable = solution.variable
    chain = solution.chain
    if chain is not None and len(chain.links) >= 2:
        return _chain_plan(chain, variable, solution.derivative_text)
    final_name = f"d{solution.output}/d{variable}"
    tree = solution.tree
    if type(tree) in _RULE_WORDS:
        return _mixed_plan(tree, variable, final_name, solution)
    ladder = direct_ladder(_direct_rule(tree), final_name, solution.derivative_text)
    return Plan((_final_step(final_name, solution.derivative_text, (Skill.INNER_DERIVATIVE.value,),
                             "There is no chain to unwind here: differentiate it directly.",
                             ladder),), final_name)


def _direct_rule(tree: Derivation) -> Rule | None:
    """The rule that differentiates an expression with no chain in it."""
    if isinstance(tree, Elementary):
        return tree.rule
    if isinstance(tree, ChainRule) and tree.links:  # one link: sin(x)
        return tree.links[-1].rule
    return None


def reformed_plan(chain: ChainRule, derivative_text: str, cuts: tuple[tuple[str, str], ...]) -> Plan:
    """The plan for ``chain``, the problem cut where the learner cut it (``cuts``).

    >>> import sympy as sp
    >>> from service.calculus.recut import chain_through
    >>> x = sp.Symbol("x")
    >>> chain = chain_through((2*x + 1)**3, x, (("u", 2*x),))
    >>> [step.name for step in reformed_plan(chain, "6(2x + 1)²", (("u", "2*x"),)).steps]
    ['u', 'v', 'dy/dv', 'dv/du', 'du/dx', 'dy/dx']
    """
    plan = _chain_plan(chain, chain.variable, derivative_text)
    return Plan(plan.steps, plan.final_name, plan.chain, plan.factors, cuts)


def _chain_plan(chain: ChainRule, variable: sp.Symbol, derivative_text: str) -> Plan:
    """Name the links, find each local derivative outermost first, multiply."""
    links = chain.links
    long_chain = len(links) >= 3
    extra = (Skill.LONG_CHAINS.value,) if long_chain else ()
    steps: list[PlanStep] = []
    for index, link in enumerate(links[:-1]):
        steps.append(_identify_step(link, index, links, extra))
    for index in reversed(range(len(links))):
        steps.append(_derivative_step(links[index], index, links, chain, extra))
    final_name = f"d{links[-1].name}/d{variable}"
    factors = tuple(link.leibniz for link in reversed(links))
    factor_answers = [step.answer for step in steps if step.kind is StepKind.DERIVATIVE]
    ladder = multiply_ladder(factor_answers, final_name, derivative_text)
    steps.append(_final_step(final_name, derivative_text, (Skill.MULTIPLY_FACTORS.value, *extra),
                             f"Now multiply the local derivatives: {final_name} = "
                             f"{' · '.join(factors)}.", ladder))
    described = ", ".join(f"{link.name} = {to_text(link.expression)}" for link in links)
    return Plan(tuple(steps), final_name, described, factors)


def _identify_step(link: Link, index: int, links: tuple[Link, ...],
                   extra: tuple[str, ...]) -> PlanStep:
    """Ask for one link below the outermost: ``u = ?``."""
    name, source = str(link.name), str(link.input)
    if index == 0 and len(links) == 2:
        question = f"First, what is the inner function? Call it {name}."
    elif index == 0:
        question = (f"This chain has {len(links)} links. Let's name them from the inside out: "
                    f"what is the innermost function? Call it {name}.")
    else:
        question = f"Next link: what is {name} in terms of {source}?"
    expression = to_text(link.expression)
    after = ""
    if index == len(links) - 2:
        outer = links[-1]
        after = f"So the outer function is {outer.name} = {to_text(outer.expression)}."
    return PlanStep(
        name=name, kind=StepKind.IDENTIFY, question=question, answer=f"{name} = {expression}",
        skills=(Skill.IDENTIFY_FUNCTIONS.value, *extra),
        hints=tuple(identify_ladder(name, expression, source, index == 0).to_list()),
        describe=f"the function {name} = {expression}", after=after)


def _derivative_step(link: Link, index: int, links: tuple[Link, ...], chain: ChainRule,
                     extra: tuple[str, ...]) -> PlanStep:
    """Ask for one local derivative, e.g. ``dy/du`` of ``y = u³``."""
    outermost = index == len(links) - 1
    name, source = str(link.name), str(link.input)
    expression = to_text(link.expression)
    answer = _local_derivative_text(link)
    role = "outer" if outermost else ("inner" if index == 0 else "middle")
    if outermost:
        start = LOCAL_DERIVATIVES_INTRO if len(links) >= 2 else ""
        question = (f"{start}What is {link.leibniz}, the derivative of {name} = {expression} "
                    f"with respect to {source}?")
        skills: tuple[str, ...] = (Skill.OUTER_DERIVATIVE.value, *extra)
    else:
        question = f"What is {link.leibniz}, the derivative of {name} = {expression} with respect to {source}?"
        skills = (Skill.INNER_DERIVATIVE.value, *extra)
    if index == 0 and chain.inner is not None and type(chain.inner) in _RULE_WORDS:
        skills = (*skills, Skill.MIXED_RULES.value)
    return PlanStep(
        name=link.leibniz, kind=StepKind.DERIVATIVE, question=question, answer=answer, skills=skills,
        hints=tuple(derivative_ladder(link.leibniz, name, source, expression,
                                      link.rule, answer).to_list()),
        describe=f"the derivative of the {role} function {name} = {expression}")


_ARGUMENT = sp.Wild("argument")


def lesson_form(expr: sp.Expr) -> sp.Expr:
    """``expr`` as the lesson writes it: sec² rather than tan² + 1.

    >>> u = sp.Symbol("u")
    >>> lesson_form(sp.tan(u)**2 + 1)
    sec(u)**2
    """
    return expr.replace(sp.tan(_ARGUMENT) ** 2 + 1, sp.sec(_ARGUMENT) ** 2)


def _local_derivative_text(link: Link) -> str:
    """``dy/du = 3u² = 3(2x + 1)²``: in the link's input, then in the variable."""
    local = to_text(lesson_form(link.derivative))
    in_variable = to_text(lesson_form(link.derivative_in_variable))
    if in_variable == local:
        return f"{link.leibniz} = {local}"
    return f"{link.leibniz} = {local} = {in_variable}"


def _final_step(final_name: str, derivative_text: str, skills: tuple[str, ...],
                lead: str, ladder: HintLadder) -> PlanStep:
    """The last step: the whole derivative."""
    return PlanStep(
        name=final_name, kind=StepKind.FINAL, question=f"{lead} What is {final_name}?",
        answer=f"{final_name} = {derivative_text}", skills=skills,
        hints=tuple(ladder.to_list()), describe=f"the whole derivative {final_name}")


def _mixed_plan(tree: Derivation, variable: sp.Symbol, final_name: str,
                solution: Solution) -> Plan:
    """Name the top-level rule, differentiate each chain inside, then the whole."""
    rule = _RULE_WORDS[type(tree)]
    mixed = Skill.MIXED_RULES.value
    steps: list[PlanStep] = []
    if rule in ("sum", "product", "quotient"):
        steps.append(PlanStep(
            name="rule", kind=StepKind.RULE,
            question=("This is not a single chain. Which rule joins its pieces: the sum, "
                      "product or quotient rule?"),
            answer=f"the {rule} rule", skills=(mixed, Skill.IDENTIFY_FUNCTIONS.value),
            hints=tuple(rule_ladder(rule).to_list()), describe="the rule that joins the pieces",
            after=_rule_formula(rule), rule=rule))
    for index, part in enumerate(_chains_inside(tree)):
        steps.append(_part_step(part, index, variable))
    ladder = combine_ladder(rule, final_name, solution.derivative_text)
    steps.append(_final_step(final_name, solution.derivative_text, (mixed, Skill.MULTIPLY_FACTORS.value),
                             f"Now combine everything with the {rule} rule.", ladder))
    return Plan(tuple(steps), final_name)


def _rule_formula(rule: str) -> str:
    """The formula of a top-level rule, from the hint texts."""
    return rule_ladder(rule).teaching


def _chains_inside(node: Derivation) -> list[ChainRule]:
    """The outermost chains (two or more links) inside a mixed expression."""
    kept: list[ChainRule] = []
    for chain in chains_in(node):  # outermost first, so a chain's own inner chains come later
        if len(chain.links) >= 2 and not any(outer.expression.has(chain.expression) for outer in kept):
            kept.append(chain)
    return kept


def _part_step(chain: ChainRule, index: int, variable: sp.Symbol) -> PlanStep:
    """Differentiate one chain inside a mixed expression."""
    expression = to_text(chain.expression)
    links = ", ".join(f"{link.name} = {to_text(link.expression)}" for link in chain.links)
    answer = f"d/d{variable} {expression} = {to_text(chain.derivative)}"
    return PlanStep(
        name=f"part{index + 1}", kind=StepKind.PART,
        question=f"What is the derivative of the chain {expression} with respect to {variable}?",
        answer=answer,
        skills=(Skill.MIXED_RULES.value, Skill.OUTER_DERIVATIVE.value, Skill.INNER_DERIVATIVE.value),
        hints=tuple(part_ladder(expression, links, answer).to_list()),
        describe=f"the derivative of the chain {expression}", problem=sp.sstr(chain.expression))
