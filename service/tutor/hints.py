"""The hint ladder of a step: pointing, then teaching, then bottom-out.

Each plan step carries its three hints, written when the plan is built (so a
resumed conversation gives the same hints). The rungs follow the classic
intelligent-tutor ladder:

1. *pointing*: where to look, without the rule or the answer;
2. *teaching*: the rule, shown on a simpler case (or the gear analogy for
   multiplying the factors);
3. *bottom-out*: the factor itself, so the learner is never stuck.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from service.calculus.derivation import Rule


class HintLevel(str, Enum):
    """The rungs of the ladder, in the order they are given."""

    POINTING = "pointing"
    TEACHING = "teaching"
    BOTTOM_OUT = "bottom_out"


LADDER: tuple[HintLevel, ...] = (HintLevel.POINTING, HintLevel.TEACHING, HintLevel.BOTTOM_OUT)


@dataclass(frozen=True)
class HintLadder:
    """The three hints of one step, in ladder order.

    >>> ladder = HintLadder("Look inside.", "The rule.", "u = 2x + 1")
    >>> [level.value for level, _ in ladder.rungs()]
    ['pointing', 'teaching', 'bottom_out']
    >>> ladder.hint(5)
    (<HintLevel.BOTTOM_OUT: 'bottom_out'>, 'u = 2x + 1')
    """

    pointing: str
    teaching: str
    bottom_out: str

    def rungs(self) -> list[tuple[HintLevel, str]]:
        """Every rung with its text, pointing first."""
        return list(zip(LADDER, (self.pointing, self.teaching, self.bottom_out)))

    def hint(self, given: int) -> tuple[HintLevel, str]:
        """The next hint after ``given`` hints on this step (bottom-out repeats)."""
        return self.rungs()[min(given, len(LADDER) - 1)]

    def to_list(self) -> list[str]:
        """The texts, for storing in the conversation state."""
        return [self.pointing, self.teaching, self.bottom_out]

    @classmethod
    def from_list(cls, texts: Sequence[str]) -> HintLadder:
        """The inverse of :meth:`to_list`."""
        pointing, teaching, bottom_out = texts
        return cls(pointing, teaching, bottom_out)


RULE_FORMULAS: dict[str, str] = {
    "sum": "Sum rule: (f + g)' = f' + g'. Differentiate each term on its own and add.",
    "product": "Product rule: (f·g)' = f'·g + f·g'. For example (x·x²)' = 1·x² + x·2x = 3x².",
    "quotient": "Quotient rule: (f/g)' = (f'·g − f·g') / g². For example (1/x)' = (0·x − 1·1)/x² = −1/x².",
    "constant multiple": "A constant factor rides along: (c·f)' = c·f'.",
    "general power": "For f(x)^g(x), rewrite it as e^(g·ln f) and use the chain rule on the exponential.",
}

# One simpler worked case per differentiation rule, for the teaching rung.
RULE_EXAMPLES: dict[Rule, str] = {
    Rule.CONSTANT: "A constant does not change, so its derivative is 0: d/du 7 = 0.",
    Rule.LINEAR: "A linear function a·u + b changes at the constant rate a: d/du (5u + 2) = 5.",
    Rule.POWER: "Power rule: d/du uⁿ = n·uⁿ⁻¹, the exponent comes down and drops by one. "
                  "For example d/du u⁴ = 4u³.",
    Rule.ROOT: "A root is a power: √u = u^(1/2), so d/du √u = ½·u^(−1/2) = 1/(2√u).",
    Rule.POLYNOMIAL: "Differentiate term by term with the power rule: d/dx (x³ + 4x) = 3x² + 4.",
    Rule.EXPONENTIAL: "The exponential is its own derivative: d/du eᵘ = eᵘ.",
    Rule.GENERAL_EXPONENTIAL: "d/du aᵘ = aᵘ·ln a; for example d/du 2ᵘ = 2ᵘ·ln 2.",
    Rule.LOGARITHM: "d/du ln u = 1/u; for example d/du ln u at u = 4 is ¼.",
    Rule.TRIG: "d/du sin u = cos u, d/du cos u = −sin u, d/du tan u = sec²u.",
    Rule.INVERSE_TRIG: "d/du arcsin u = 1/√(1 − u²), d/du arctan u = 1/(1 + u²).",
    Rule.HYPERBOLIC: "d/du sinh u = cosh u, d/du cosh u = sinh u, d/du tanh u = 1 − tanh²u.",
    Rule.INVERSE_HYPERBOLIC: "d/du arsinh u = 1/√(u² + 1), d/du artanh u = 1/(1 − u²).",
    Rule.SIGMOID: "The sigmoid's derivative is written with itself: d/dz σ(z) = σ(z)(1 − σ(z)).",
    Rule.ABSOLUTE: "d/du |u| = u/|u| (the sign of u), for u ≠ 0.",
    # An innermost link that is itself a sum, product or quotient (sin(x·eˣ)).
    Rule.SUM: RULE_FORMULAS["sum"],
    Rule.PRODUCT: RULE_FORMULAS["product"],
    Rule.QUOTIENT: RULE_FORMULAS["quotient"],
    Rule.GENERAL_POWER: RULE_FORMULAS["general power"],
    Rule.CHAIN: "Chain rule: d/dx f(g(x)) = f'(g(x))·g'(x); for example d/dx sin(5x) = cos(5x)·5.",
}

_GENERIC_RULE = "Differentiate the link on its own, treating its input as a plain variable."



def identify_ladder(name: str, expression: str, input_name: str, innermost: bool) -> HintLadder:
    """The ladder for naming one link: ``name = expression`` (in ``input_name``).

    >>> identify_ladder("u", "2x + 1", "x", True).bottom_out
    'u = 2x + 1'
    """
    if innermost:
        pointing = (f"Read the expression from the inside out: what is computed first from "
                    f"{input_name}, before any other function is applied?")
    else:
        pointing = (f"Treat {input_name} as one block. What is done to {input_name} next, "
                    f"on the way out to the whole expression?")
    teaching = ("Naming links works like this: in sin(5x), first 5x is computed, so u = 5x "
                "(inner), then sin is applied to it, so y = sin(u) (outer).")
    return HintLadder(pointing, teaching, f"{name} = {expression}")


def derivative_ladder(leibniz: str, name: str, input_name: str, expression: str,
                      rule: Rule, answer: str) -> HintLadder:
    """The ladder for one local derivative, e.g. dy/du of y = u³.

    >>> derivative_ladder("dy/du", "y", "u", "u³", Rule.POWER, "dy/du = 3u²").teaching[:10]
    'Power rule'
    """
    pointing = (f"Look only at the link {name} = {expression}. Treat {input_name} as a plain "
                f"variable and differentiate with respect to {input_name}; the rest of the chain "
                f"waits for now.")
    teaching = RULE_EXAMPLES.get(rule, _GENERIC_RULE)
    return HintLadder(pointing, teaching, answer)


def multiply_ladder(factors: Sequence[str], final_name: str, answer: str) -> HintLadder:
    """The ladder for multiplying the local derivatives into the final one."""
    have = ", ".join(factors) if factors else "every local derivative"
    pointing = f"You already have the local derivatives: {have}. Multiply them all."
    teaching = ("Think of gears: if u turns 2 times as fast as x and y turns 3 times as fast as u, "
                "y turns 2 × 3 = 6 times as fast as x. The local derivatives multiply the same way: "
                "dy/dx = dy/du · du/dx.")
    return HintLadder(pointing, teaching, f"{final_name} = {answer}")


def rule_ladder(rule: str) -> HintLadder:
    """The ladder for naming the top-level rule of a mixed expression."""
    pointing = ("Look at the last operation that joins the pieces of the whole expression: "
                "is it a sum, a product or a quotient?")
    teaching = RULE_FORMULAS.get(rule, _GENERIC_RULE)
    return HintLadder(pointing, teaching, f"It is the {rule} rule.")


def part_ladder(expression: str, links: str, answer: str) -> HintLadder:
    """The ladder for differentiating one chain inside a mixed expression."""
    pointing = f"{expression} is a chain on its own: {links}. Differentiate it link by link."
    teaching = ("Chain rule on a simpler case: d/dx sin(5x) = cos(5x) · 5, the outer derivative "
                "at the inner function times the inner derivative.")
    return HintLadder(pointing, teaching, answer)


def direct_ladder(rule: Rule | None, final_name: str, answer: str) -> HintLadder:
    """The ladder for an expression with no chain in it (``x⁵``, ``sin x``)."""
    pointing = ("There is no function inside another function here, so the chain rule is not "
                "needed: differentiate it directly.")
    return HintLadder(pointing, RULE_EXAMPLES.get(rule, _GENERIC_RULE), f"{final_name} = {answer}")


def combine_ladder(rule: str, final_name: str, answer: str) -> HintLadder:
    """The ladder for putting the parts of a mixed expression together."""
    return HintLadder(f"Put the pieces together with the {rule} rule.",
                      RULE_FORMULAS.get(rule, _GENERIC_RULE), f"{final_name} = {answer}")
