"""The skills the tutor traces (defined beside the calculus they name).

Kept importable from here: the tutor, the content checks and the dashboards
all say ``service.tutor.skills``. The definitions live in
:mod:`service.calculus.skills` because the misconception records there say
which skills each misconception is evidence against, and the core must not
import the tutor.
"""

from service.calculus.skills import SKILL_LABELS, SKILL_NAMES, Skill

__all__ = ["SKILL_LABELS", "SKILL_NAMES", "Skill"]
