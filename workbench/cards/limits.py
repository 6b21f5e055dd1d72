"""Declared ranges of what a card or a command line may ask for.

Sizes, horizons and seeds have sane upper bounds (:class:`Limits`) that the command line can
raise (``--limit-horizon``, ``--limit-seeds``, ``--limit-size``) up to hard caps that keep every
number representable; tolerances have declared ranges (:data:`TOLERANCE_RANGES`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from workbench.errors import BadInputError


@dataclass(frozen=True)
class Limits:
    """Upper bounds checked when a card loads.

    Attributes
    ----------
    max_horizon
        Largest ``horizon`` (iterations or calls of one run).
    max_seeds
        Largest number of seeds of one claim (``seeds``, ``--seeds``).
    max_size
        Largest instance size: the product of a problem's integer parameters (``n * d``,
        ``n1 * n2 * r * m``), a proxy for the memory an instance takes.
    """

    max_horizon: int = 10**8
    max_seeds: int = 1000
    max_size: int = 10**8


DEFAULT = Limits()
HARD = Limits(max_horizon=10**15, max_seeds=10**6, max_size=10**12)
"""What ``--limit-*`` may raise the limits to (kernels count iterations in int64)."""
FLAGS = {"max_horizon": "--limit-horizon", "max_seeds": "--limit-seeds",
         "max_size": "--limit-size"}
MAX_SEED = 2**32 - 1
"""Seeds are 32-bit (``numpy.random.RandomState``)."""
MAX_SWEEP_POINTS = 100
MAX_JOBS = 256
MAX_RATE_CHARS = 200
MAX_CARD_BYTES = 1_000_000

_current: ContextVar[Limits] = ContextVar("workbench_limits", default=DEFAULT)


def current() -> Limits:
    """The limits in force (the defaults unless the command line raised them)."""
    return _current.get()


@contextmanager
def using(limits: Limits) -> Iterator[Limits]:
    """Check cards against ``limits`` inside the ``with`` block."""
    token = _current.set(limits)
    try:
        yield limits
    finally:
        _current.reset(token)


def check_count(name: str, value: int, field_name: str) -> int:
    """``value`` (a horizon or a number of seeds) within :func:`current` limits."""
    limit = getattr(current(), f"max_{name}")
    if value > limit:
        hint = f"raise it with {FLAGS[f'max_{name}']} (at most {getattr(HARD, f'max_{name}'):g})" \
            if limit < getattr(HARD, f"max_{name}") else "this is the hard limit"
        raise BadInputError(f"{name} {value} exceeds the limit {limit}; {hint}",
                            field=field_name)
    return value


def check_size(integer_params: Mapping[str, Any], field_name: str) -> None:
    """The instance size (product of the integer parameters) within the limit."""
    names = sorted(integer_params)
    size = math.prod(max(int(integer_params[k]), 1) for k in names)
    limit = current().max_size
    if size > limit:
        product = " * ".join(f"{k}" for k in names)
        raise BadInputError(f"instance size {product} = {size:.3g} exceeds the limit "
                            f"{limit:.3g}; raise it with --limit-size (at most "
                            f"{HARD.max_size:.3g})", field=field_name)


# name: (low, high, low closed, high closed, integer). Tolerances not listed here must be
# finite and non-negative.
TOLERANCE_RANGES: dict[str, tuple[float, float, bool, bool, bool]] = {
    "slope": (0.0, 10.0, True, True, False),
    "rate_rtol": (0.0, 10.0, True, True, False),
    "scaling": (0.0, 10.0, True, True, False),
    "min_window_decades": (0.0, 20.0, False, True, False),
    "min_decay_decades": (0.0, 300.0, True, True, False),
    "min_points": (3, 10**6, True, True, True),
    "window_fraction": (0.0, 1.0, False, True, False),
    "rel_floor": (0.0, 1.0, True, False, False),
    "floor_margin": (1.0, 1e6, True, True, False),
    "stall_fraction": (0.0, 1.0, True, True, False),
    "stall_slope": (0.0, 10.0, True, True, False),
    "sublinear_ratio": (0.0, 1.0, False, True, False),
    "sublinear_exponent": (0.0, 10.0, False, True, False),
    "local_fraction": (0.0, 1.0, False, True, False),
    "min_local_decades": (0.0, 20.0, False, True, False),
    "transient_order": (0.0, 100.0, False, True, False),
    "ratio_growth": (1.0, 1e6, True, True, False),
    "diverge_factor": (1.0, 1e300, False, True, False),
    "diverge_persist": (1, 10**6, True, True, True),
    "shape_share": (0.0, 1.0, True, False, False),
    "max_censored_fraction": (0.0, 1.0, True, False, False),
    "confidence": (0.0, 1.0, False, False, False),
    "bootstrap": (10, 100_000, True, True, True),
    "power_slope": (0.0, 5.0, False, True, False),
    "power_rtol": (0.0, 9.0, False, True, False),
    "power_scaling": (0.0, 5.0, False, True, False),
}


def check_tolerance(name: str, value: Any, integer: bool) -> float:
    """One tolerance value of the declared type, finite and in its declared range.

    Raises a :class:`BadInputError` without location (the caller adds it).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
            value):
        raise BadInputError(f"tolerance {name!r} must be a finite number, got {value!r}",
                            field="tolerances")
    lo, hi, closed_lo, closed_hi, whole = TOLERANCE_RANGES.get(
        name, (0.0, math.inf, True, False, integer))
    if (whole or integer) and value != int(value):
        raise BadInputError(f"tolerance {name!r} must be an integer, got {value!r}",
                            field="tolerances")
    inside = (lo <= value if closed_lo else lo < value) and \
        (value <= hi if closed_hi else value < hi)
    if not inside:
        interval = f"{'[' if closed_lo else '('}{lo:g}, {hi:g}{']' if closed_hi else ')'}"
        raise BadInputError(f"tolerance {name!r} = {value!r} is outside {interval}",
                            field="tolerances")
    return int(value) if (whole or integer) else float(value)
