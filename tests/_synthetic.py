"""Synthetic claims and results for the plot and report tests (no kernels run)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from workbench.cards.claims import Claim, load_card
from workbench.engine.evaluate import evaluate
from workbench.engine.execute import Task, TaskResult
from workbench.engine.result import ClaimResult
from workbench.outputs.figures import RunDetail

CARD = """
[paper]
title = "Synthetic test claims"
authors = "Tester"
year = 2026

[[claim]]
id = "syn-power"
statement = "Error decays like log(T)/T."
problem = "logistic.l2"
algorithm = "sgd"
measure = "dist_sq"
rate = "O(log(T)/T)"
horizon = 10000
seeds = 4
figure = "{power_figure}"

[[claim]]
id = "syn-slow"
statement = "Claimed 1/T; the data decay like T^-1/2, so this is a mismatch."
problem = "logistic.l2"
algorithm = "gd"
measure = "dist_sq"
rate = "O(1/T)"
horizon = 10000
seeds = 4
figure = "{power_figure}"

[[claim]]
id = "syn-factor"
statement = "Contraction by (1 - mu/L) per step."
problem = "logistic.l2"
algorithm = "gd"
measure = "dist_sq"
rate = "O((1 - mu/L)**T)"
horizon = 200
seeds = 4

[[claim]]
id = "syn-sweep"
statement = "The rate constant scales like lam."
problem = "logistic.l2"
algorithm = "gd"
measure = "dist_sq"
rate = "exp(-Omega(lam*T))"
horizon = 400
seeds = 4
[claim.sweep]
parameter = "lam"
values = [0.01, 0.02, 0.04, 0.08]
quantity = "rate_constant"
"""

CONSTANTS = {"mu": 0.1, "L": 1.0, "L_max": 1.0}


def claims(tmp_path: Path, power_figure: str = "") -> dict[str, Claim]:
    """The synthetic card's claims by id (``power_figure`` groups the two power claims)."""
    path = tmp_path / "synthetic.toml"
    path.write_text(CARD.format(power_figure=power_figure), encoding="utf-8")
    return {c.id: c for c in load_card(path)}


def grid(claim: Claim) -> np.ndarray:
    if claim.rate.shape == "geometric":
        return np.arange(1.0, claim.horizon + 1)
    return np.unique(np.round(np.geomspace(1, claim.horizon, 121)))


def task_results(claim: Claim, trace: Callable[[np.ndarray, dict, int], np.ndarray]
                 ) -> list[TaskResult]:
    """Fake task results: ``trace(t, params, seed)`` is each seed's measure."""
    points: list[dict[str, float]] = [{}]
    if claim.sweep is not None:
        points = [{claim.sweep.parameter: v} for v in claim.sweep.values]
    out = []
    for index, point in enumerate(points):
        params = {**claim.problem_params, **point}
        for seed in range(claim.seeds):
            task = Task(claim.id, index, seed, claim.problem, claim.algorithm, params,
                        dict(claim.hyper), claim.horizon)
            t = grid(claim)
            out.append(TaskResult(task, t.astype(np.int64),
                                  {claim.measure: trace(t, params, seed)}, dict(CONSTANTS),
                                  {claim.measure: 0.0}, 0.0))
    return out


def noise(seed: int, n: int, scale: float = 0.02) -> np.ndarray:
    return np.exp(scale * np.random.default_rng(seed).standard_normal(n))


TRACES = {
    "syn-power": lambda t, p, s: 3.0 * np.log(t + 1) / t * noise(s, t.size),
    "syn-slow": lambda t, p, s: 2.0 / np.sqrt(t) * noise(s, t.size),
    "syn-factor": lambda t, p, s: 0.8 ** t * noise(s, t.size, 0.01),
    "syn-sweep": lambda t, p, s: np.exp(-3.0 * p["lam"] * t) * noise(s, t.size, 0.01),
}


def result(claim: Claim) -> tuple[ClaimResult, RunDetail]:
    """Evaluate a synthetic claim through the real fit and verdict path."""
    fake = task_results(claim, TRACES[claim.id])
    res = evaluate(claim, fake, claim.tolerances, {"seeds": list(range(claim.seeds))})
    return res, RunDetail(res.symbols, res.quantities)


def all_results(tmp_path: Path, power_figure: str = "") -> tuple[list[ClaimResult],
                                                                  list[RunDetail]]:
    pairs = [result(c) for c in claims(tmp_path, power_figure).values()]
    return [p[0] for p in pairs], [p[1] for p in pairs]
