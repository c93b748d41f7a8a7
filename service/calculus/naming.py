"""Fresh letters for the links of a chain.

The lesson names the outermost output ``y`` and the links inside it ``u``,
``v``, ... from the outside in. A letter is never one the expression already
uses (``w`` in ``σ(w·x)``) nor the variable, and never used twice in one
derivation tree, so the sub-chains of a product each get their own letters.

Machine-learning texts name an activation's output ``a``, the weighted input
feeding it ``z`` and a loss ``L``; that is a rule here, not a table: a link
applying an activation (sigmoid, tanh) is named ``a`` (``y`` when it is the
outermost link), the link feeding it ``z``, and the final output ``L`` when the chain holds an activation and its
outer function is a power or a logarithm, as losses are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum

import sympy as sp


class LinkKind(str, Enum):
    """What a link does, as far as its name is concerned."""

    ACTIVATION = "activation"
    LOSS = "loss"
    OTHER = "other"


# Generic letters for inner links, from the outside in (the lesson's u, v).
GENERIC_LETTERS: tuple[str, ...] = ("u", "v", "w", "t", "s", "r", "p", "q", "h", "k", "m", "n")


@dataclass
class LinkNamer:
    """Hands out link names for one derivation tree.

    >>> namer = LinkNamer.for_expression(sp.Symbol("w") * sp.Symbol("x"), sp.Symbol("x"))
    >>> [str(s) for s in namer.name_chain([LinkKind.OTHER, LinkKind.OTHER, LinkKind.OTHER])]
    ['y', 'u', 'v']
    """

    taken: set[str] = field(default_factory=set)
    # Only the first chain named (the whole expression's) may take y or L.
    top_level_done: bool = False

    @classmethod
    def for_expression(cls, expr: sp.Basic, variable: sp.Symbol) -> LinkNamer:
        """A namer that avoids every symbol of ``expr`` and the variable."""
        taken = {str(symbol) for symbol in expr.free_symbols} | {str(variable)}
        # 'e' would read as Euler's number in printed solutions.
        return cls(taken=taken | {"e"})

    def reserve_output(self) -> None:
        """Keep ``y`` for the whole expression when it is not one chain.

        The chains inside a sum or product then take inner letters, and
        ``dy/dx`` still names the whole derivative.
        """
        self.top_level_done = True
        self._take("y")

    def _take(self, name: str) -> str | None:
        if name in self.taken:
            return None
        self.taken.add(name)
        return name

    def _generic(self) -> Iterator[str]:
        yield from GENERIC_LETTERS
        index = 1
        while True:
            yield f"u{index}"
            index += 1

    def name_chain(self, kinds: Sequence[LinkKind], top_level: bool | None = None) -> list[sp.Symbol]:
        """Names for a chain's links, given their kinds *outermost first*.

        The first chain named is the whole expression's (its output is ``y``
        or ``L``) unless ``top_level`` says otherwise.
        """
        if top_level is None:
            top_level = not self.top_level_done
        self.top_level_done = True
        names: list[str | None] = [None] * len(kinds)
        if kinds and top_level:
            names[0] = self._take(self._outer_name(kinds))
            if names[0] is None and kinds[0] is LinkKind.LOSS:
                # (wx − y)²: y is the target, so the loss around it is L, as the lesson writes it
                names[0] = self._take("L")
        self._name_activations(kinds, names)
        generic = self._generic()
        for index, name in enumerate(names):
            while name is None:
                name = self._take(next(generic))
            names[index] = name
        return [sp.Symbol(name) for name in names if name is not None]

    @staticmethod
    def _outer_name(kinds: Sequence[LinkKind]) -> str:
        if LinkKind.ACTIVATION in kinds[1:] and kinds[0] is LinkKind.LOSS:
            return "L"
        # A lone activation, tanh(3x + 1), is still y = tanh z: learners ask
        # for dy/dx, and only a loss around it makes its output an 'a'.
        return "y"

    def _name_activations(self, kinds: Sequence[LinkKind], names: list[str | None]) -> None:
        # The outermost activation is 'a' and the link feeding it 'z'.
        for index, kind in enumerate(kinds):
            if kind is not LinkKind.ACTIVATION:
                continue
            if names[index] is None:
                names[index] = self._take("a")
            if names[index] is not None and index + 1 < len(kinds) and names[index + 1] is None:
                names[index + 1] = self._take("z")
            return


def fresh_symbols(taken: Iterable[str], count: int) -> list[sp.Symbol]:
    """``count`` generic link letters that avoid ``taken``.

    >>> fresh_symbols({"u", "x"}, 2)
    [v, w]
    """
    namer = LinkNamer(taken=set(taken), top_level_done=True)
    return namer.name_chain([LinkKind.OTHER] * count, top_level=False)


__all__ = ["LinkKind", "LinkNamer", "GENERIC_LETTERS", "fresh_symbols"]
