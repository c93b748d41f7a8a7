"""The BKT parameters the tutor uses: the newest fitted set, or the documented defaults.

``chain-tutor mastery fit`` stores each fit as a new row of
``bkt_parameter_sets`` (its id is the version); :func:`current_params`
hands the newest to the engine's context. It is read at most once every
:data:`RELOAD_SECONDS` per process and database, so a turn usually costs no
query for it, and a new fit is in use within that time everywhere.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from service.models import BKTParameterSet
from service.tutor.mastery import DEFAULT_PARAMS, BKTParams, SkillParams

RELOAD_SECONDS = 30.0
PARAM_NAMES = ("p_init", "p_transit", "p_slip", "p_guess", "p_forget")

_cache: dict[str, tuple[float, SkillParams]] = {}
_lock = threading.Lock()


def params_from_data(data: Mapping[str, Mapping[str, float]], version: int | None = None) -> SkillParams:
    """Stored ``{skill: {p_init, p_transit, p_slip, p_guess}}`` as the engine's :class:`SkillParams`.

    >>> params_from_data({"long_chains": {"p_init": 0.3, "p_transit": 0.1, "p_slip": 0.1, "p_guess": 0.2}},
    ...                  7).for_skill("long_chains").p_init
    0.3
    """
    by_skill = {skill: BKTParams(**{name: float(values[name]) for name in PARAM_NAMES if name in values})
                for skill, values in data.items()}
    return SkillParams(by_skill, DEFAULT_PARAMS, version)


def params_to_data(params: Mapping[str, BKTParams]) -> dict[str, dict[str, float]]:
    """The inverse of :func:`params_from_data` (without the version)."""
    return {skill: {name: float(getattr(p, name)) for name in PARAM_NAMES} for skill, p in params.items()}


def load_params(session: Session) -> SkillParams:
    """The newest stored parameter set, or the defaults (version None) when there is none."""
    row = session.execute(
        sa.select(BKTParameterSet.id, BKTParameterSet.params).order_by(BKTParameterSet.id.desc()).limit(1)
    ).one_or_none()
    if row is None:
        return SkillParams()
    return params_from_data(row.params or {}, row.id)


def current_params(session: Session) -> SkillParams:
    """:func:`load_params`, cached per database for :data:`RELOAD_SECONDS`."""
    key = str(session.get_bind().url)
    now = time.monotonic()
    cached = _cache.get(key)
    if cached is not None and now - cached[0] < RELOAD_SECONDS:
        return cached[1]
    params = load_params(session)
    with _lock:
        _cache[key] = (now, params)
    return params


def forget_cached_params() -> None:
    """Drop the cache (after storing a fit in this process, and in tests)."""
    with _lock:
        _cache.clear()


def store_params(session: Session, model: str, params: Mapping[str, BKTParams],
                 report: Mapping[str, Any]) -> int:
    """Store a fitted parameter set as the newest version; return its version. The caller commits."""
    row = BKTParameterSet(model=model, params=params_to_data(params), report=dict(report))
    session.add(row)
    session.flush()
    forget_cached_params()
    return row.id
