"""Pool the seeds of a curve: the aggregate at each checkpoint and the interval of an estimate.

Shared by the fitter (:mod:`workbench.engine.fit`) and the law kinds
(:mod:`workbench.engine.laws`), which estimate their quantity on the aggregate.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from workbench.cards.aggregates import AGGREGATES, QUANTILE
from workbench.cards.tolerances import Tolerances
from workbench.errors import BadInputError

TINY = np.finfo(float).tiny


def aggregate(values: np.ndarray, how: str) -> np.ndarray:
    """Combine seeds: ``mean`` for claims in expectation, ``median``, ``max`` (worst),
    ``q0.9`` (a quantile: high-probability claims); ``each`` (every run judged alone) shows
    the median."""
    if how == "mean":
        return values.mean(axis=0)
    if how in ("median", "each"):
        return np.median(values, axis=0)
    if how == "max":
        return values.max(axis=0)
    if QUANTILE.match(how):
        return np.quantile(values, float(how[1:]), axis=0)
    raise BadInputError(f"unknown aggregate {how!r}; known: {', '.join(AGGREGATES)}",
                        field="aggregate")


def log_values(v: np.ndarray) -> np.ndarray:
    """``log(v)``, with values at or below 0 read as the smallest positive float."""
    return np.log(np.maximum(v, TINY))


def slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of ``y`` against ``x``."""
    x = x - x.mean()
    return float(x @ (y - y.mean()) / (x @ x))


def slope_stderr(x: np.ndarray, y: np.ndarray) -> float:
    """Standard error of the least-squares slope (0 for fewer than 3 points)."""
    if x.size < 3:
        return 0.0
    xc = x - x.mean()
    b = xc @ (y - y.mean()) / (xc @ xc)
    resid = y - y.mean() - b * xc
    return float(np.sqrt(resid @ resid / (x.size - 2) / (xc @ xc)))


def confidence(values: np.ndarray, t: np.ndarray,
               estimator: Callable[[np.ndarray, np.ndarray], float],
               abscissa: Callable[[np.ndarray], np.ndarray], how: str, tol: Tolerances,
               estimate: float) -> tuple[float, float]:
    """A t-interval: jackknife over seeds (3 or more), else the regression's standard error.

    ``estimator(t, aggregate)`` is the law kind's estimate and ``abscissa(t)`` the axis it is
    a slope against. The jackknife estimates the standard error of the aggregate's estimate
    from its leave-one-seed-out values; unlike a percentile bootstrap it stays valid with 4-8
    seeds.
    """
    from scipy import stats

    seeds = values.shape[0]
    alpha = 1 - tol.confidence
    if seeds >= 3:
        leave_out = np.array([estimator(t, aggregate(np.delete(values, i, axis=0), how))
                              for i in range(seeds)])
        se = np.sqrt((seeds - 1) / seeds * np.sum((leave_out - leave_out.mean()) ** 2))
        half = stats.t.ppf(1 - alpha / 2, seeds - 1) * se
    else:
        y = log_values(aggregate(values, how))
        se = slope_stderr(abscissa(t), y)
        half = stats.t.ppf(1 - alpha / 2, max(t.size - 2, 1)) * se
    return float(estimate - half), float(estimate + half)
