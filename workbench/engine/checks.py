"""Checks beside the fit: a theorem's regime per seed, and explicit bounds as inequalities.

* ``regime``: each seed's instance constants, run diagnostics and parameters must satisfy the
  card's conditions; a seed that does not is reported and left out of the fit.
* ``bound``: an explicit non-asymptotic bound (constants included) must hold at every
  checkpoint: per run for claims about every run, and for the mean in expectation (violated
  only when the mean's lower confidence limit lies above the mean of the seeds' bounds).
  The largest ratio of the observed value to the bound (plus the measure's floor, so that
  round-off below an exponentially small bound is not counted) is the bound's slack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from workbench.cards.claims import Claim
from workbench.cards.tolerances import Tolerances
from workbench.catalogue import get_problem
from workbench.engine.execute import TaskResult
from workbench.engine.laws import law_values


def run_values(claim: Claim, result: TaskResult) -> dict[str, float]:
    """Every value a rate, bound or condition may name, for one run: declared defaults,
    parameters and hyperparameters as run, instance constants, run diagnostics, and the
    card's ``rate_params``."""
    problem = get_problem(claim.problem)
    algorithm = problem.algorithms[result.task.algorithm]  # a comparison's baseline too
    defaults = {k: p.default for k, p in {**problem.params, **algorithm.hyper}.items()}
    diagnostics = {name: float(result.measures[name][0]) for name in algorithm.diagnostics
                   if name in result.measures}
    task = result.task
    return {**defaults, **task.problem_params, **task.hyper, **result.constants, **diagnostics,
            **claim.rate_params}


def regime_failures(claim: Claim, results: list[TaskResult]) -> dict[int, str]:
    """Seeds whose run is outside the card's regime, with the first condition each fails."""
    failed: dict[int, str] = {}
    for result in results:
        values = run_values(claim, result)
        for condition in claim.regime:
            holds, left, right = condition.evaluate(values)
            if not holds:
                failed.setdefault(result.task.seed, f"{condition.text} fails ({left:.3g} vs "
                                                    f"{right:.3g})")
                break
    return failed


@dataclass
class BoundCheck:
    """An explicit bound checked as an inequality."""

    expression: str
    holds: bool
    max_ratio: float
    at: float
    seed: int | None
    scope: str
    variable: str = "t"

    def to_dict(self) -> dict[str, Any]:
        return {"expression": self.expression, "holds": self.holds,
                "max_ratio": self.max_ratio, "at": self.at, "seed": self.seed,
                "scope": self.scope, "variable": self.variable}

    def text(self) -> str:
        where = f"{self.variable}={self.at:g}"
        if self.seed is not None:
            where += f", seed {self.seed}"
        if self.holds:
            return (f"explicit bound {self.expression} holds at every point ({self.scope}); "
                    f"largest observed/(bound + floor) {self.max_ratio:.3g} at {where}")
        return (f"explicit bound {self.expression} violated ({self.scope}): observed/(bound + "
                f"floor) "
                f"{self.max_ratio:.4g} at {where}")


def check_bound(claim: Claim, axis: np.ndarray, values: np.ndarray, seeds: list[int],
                per_seed: list[dict[str, float]], floor: float,
                tol: Tolerances) -> BoundCheck:
    """``values`` (seeds x points) against the claim's bound at ``axis``.

    Every run must satisfy it unless the claim is in expectation (``aggregate = "mean"``),
    where the mean must, up to its sampling error (a one-sided t lower limit at the claim's
    confidence level).
    """
    from scipy import stats

    assert claim.bound is not None
    bounds = np.array([law_values(claim.bound, axis, v) for v in per_seed])
    slack = tol.bound_rtol
    if claim.aggregate == "mean":
        mean, bound = values.mean(axis=0), np.nanmean(bounds, axis=0)
        low = mean
        if values.shape[0] >= 2:
            se = values.std(axis=0, ddof=1) / np.sqrt(values.shape[0])
            low = mean - stats.t.ppf(tol.confidence, values.shape[0] - 1) * se
        ratio = mean / (bound * (1 + slack) + floor)
        violated = low > bound * (1 + slack) + floor
        i = int(np.nanargmax(ratio))
        first = np.flatnonzero(violated)
        at = int(first[0]) if first.size else i
        return BoundCheck(str(claim.bound.inner), not first.size, float(ratio[at]),
                          float(axis[at]), None, "the mean over seeds, in expectation",
                          claim.bound.variable)
    ratio = values / (bounds * (1 + slack) + floor)
    violated = ratio > 1
    if violated.any():
        s, i = np.argwhere(violated)[0]
    else:
        s, i = np.unravel_index(int(np.nanargmax(ratio)), ratio.shape)
    return BoundCheck(str(claim.bound.inner), not violated.any(), float(ratio[s, i]),
                      float(axis[i]), seeds[s], "every run", claim.bound.variable)
