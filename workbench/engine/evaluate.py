"""From task results to one verdict per claim (a :class:`ClaimResult`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.cards.claims import Claim
from workbench.cards.ratelaw import RateLaw, parse_rate
from workbench.cards.tolerances import Tolerances
from workbench.catalogue import AXIS_ITERATIONS
from workbench.engine.execute import TaskResult
from workbench.engine.fit import Curve, Fit, fit_curve
from workbench.engine.result import ClaimResult
from workbench.engine.sweep import first_crossing, fit_scaling
from workbench.engine.verdict import MISMATCH, Verdict, judge
from workbench.errors import BadInputError


def _curve(claim: Claim, results: list[TaskResult], axis_name: str,
           ) -> tuple[Curve, dict[str, float], list[dict[str, float]]]:
    """The seeds' traces of one sweep point on one grid, the rate symbols' values for the
    aggregate, and each seed's own (instance constants differ between seeds)."""
    values = np.array([r.measures[claim.measure] for r in results])
    if axis_name != AXIS_ITERATIONS:
        axis = results[0].measures[axis_name]
        if any(not np.array_equal(r.measures[axis_name], axis) for r in results):
            raise BadInputError(f"the counter {axis_name!r} differs across seeds; fit against "
                                "iterations", claim=claim.id, field="axis")
        keep = np.concatenate([[True], np.diff(axis) > 0]) & (axis > 0)
        axis, values = axis[keep], values[:, keep]
    else:
        axis = results[0].t.astype(float)
        keep = axis > 0
        axis, values = axis[keep], values[:, keep]
    floor = max(r.floors.get(claim.measure, 0.0) for r in results)
    task = results[0].task
    per_seed = [claim.symbol_values(task.problem_params, task.hyper, r.constants)
                for r in results]
    return Curve(axis, values, floor), _aggregate_symbols(claim, per_seed), per_seed


def _aggregate_symbols(claim: Claim, per_seed: list[dict[str, float]]) -> dict[str, float]:
    """The symbols' values for a claim on the aggregate of several seeds.

    An explicit factor bounds each seed's error by its own ``rho_s**T``; their mean is then
    bounded at the rate of the slowest (upper bounds) or fastest (lower bounds) seed, so that
    seed's values are used. Otherwise the median over seeds of each value.
    """
    law = claim.rate
    if law.shape == "geometric" and law.has_factor and law.parameters:
        constants = [law.rate_constant_value(values) for values in per_seed]
        pick = np.argmax if law.error_bound == "lower" else np.argmin
        return dict(per_seed[int(pick(constants))])
    return {k: float(np.median([values[k] for values in per_seed])) for k in per_seed[0]}


def _rate_constant_law(claim: Claim) -> RateLaw:
    """The scaling of a geometric rate constant implied by the claim's rate.

    ``exp(-Omega(g))`` and ``O(factor**T)`` bound the error from above, so they bound the rate
    constant ``c`` from below: ``c = Omega(g / T)``; the reverse for lower bounds.
    """
    kind = {"upper": "Omega", "lower": "O", "tight": "Theta"}[claim.rate.error_bound]
    return parse_rate(f"{kind}({claim.rate.rate_constant})", variable=claim.sweep.parameter)


def evaluate(claim: Claim, results: list[TaskResult], tol: Tolerances | None = None,
             provenance: dict[str, Any] | None = None) -> ClaimResult:
    """Fit and judge one claim from its tasks' results."""
    tol = tol or claim.tolerances
    failed = [r for r in results if r.error]
    if failed:
        field_name, _, message = failed[0].error.partition(": ")
        raise BadInputError(f"the run with seed {failed[0].task.seed} failed: {message}",
                            claim=claim.id, field=field_name)
    by_point: dict[int, list[TaskResult]] = {}
    for result in sorted(results, key=lambda r: (r.task.point, r.task.seed)):
        by_point.setdefault(result.task.point, []).append(result)
    cost_sweep = claim.sweep is not None and claim.sweep.quantity == "cost"
    curves, fits, symbols, costs, seed_symbols = [], [], [], [], []
    for point_results in by_point.values():
        # Cost sweeps read each seed's own crossing; their curves are for plots only and
        # use the iteration grid, which all seeds share.
        curve, values, per_seed = _curve(claim, point_results,
                                         AXIS_ITERATIONS if cost_sweep else claim.axis)
        if cost_sweep:
            costs.append([_cost(claim, r) for r in point_results])
        curves.append(curve)
        symbols.append(values)
        seed_symbols.append(per_seed)
        if not cost_sweep:  # a cost sweep reads crossings; its curves follow no stated rate
            fits.append(fit_curve(curve, claim.rate, values, tol, claim.aggregate,
                                  claim.t_min, per_seed))
    info = dict(provenance or {})
    info.setdefault("seconds", sum(r.seconds for r in results))
    if claim.sweep is None:
        verdict = judge(claim.rate, fits[0], tol)
        return ClaimResult(claim, verdict, fits[0], None, curves, fits, tol, info, symbols)
    return _evaluate_sweep(claim, curves, fits, symbols, np.array(costs).T, tol, info)


def evaluate_curve(claim: Claim, curve: Curve, params: dict[str, float], tol: Tolerances,
                   provenance: dict[str, Any] | None = None) -> ClaimResult:
    """Fit and judge one given curve (a trajectory, not runs of the catalogue)."""
    fit = fit_curve(curve, claim.rate, params, tol, claim.aggregate, claim.t_min)
    return ClaimResult(claim, judge(claim.rate, fit, tol), fit, None, [curve], [fit], tol,
                       dict(provenance or {}), [params])


def _cost(claim: Claim, result: TaskResult) -> float:
    """Iterations or oracle calls until the measure first reaches the sweep's target."""
    axis = result.t.astype(float) if claim.axis == AXIS_ITERATIONS \
        else result.measures[claim.axis]
    return first_crossing(axis, result.measures[claim.measure], claim.sweep.target)


def _evaluate_sweep(claim: Claim, curves: list[Curve], fits: list[Fit],
                    symbols: list[dict[str, float]], costs: np.ndarray, tol: Tolerances,
                    info: dict[str, Any]) -> ClaimResult:
    sweep = claim.sweep
    assert sweep is not None
    values = np.array(sweep.values)
    for value, fit in zip(values, fits, strict=False):
        verdict = judge(claim.rate, fit, tol)
        if verdict.verdict == MISMATCH:  # a diverged, stalled or sublinear sweep point
            verdict = Verdict(MISMATCH, verdict.direction,
                              f"at {sweep.parameter}={value:g}: {verdict.reason}")
            return ClaimResult(claim, verdict, fit, None, curves, fits, tol, info, symbols)
    seeds = curves[0].values.shape[0]
    quantities = costs if sweep.quantity == "cost" else np.full((seeds, values.size), np.nan)
    for j, curve in enumerate(curves):
        if sweep.quantity != "cost" and fits[j].status == "ok":
            for s in range(seeds):
                single = Curve(curve.t, curve.values[s:s + 1], curve.floor)
                one = fit_curve(single, claim.rate, symbols[j], tol, "mean", claim.t_min)
                quantities[s, j] = one.estimate if one.status == "ok" else np.nan
    law = sweep.law if sweep.law is not None else _rate_constant_law(claim)
    params = {**symbols[0], **claim.rate_params}
    params.pop(sweep.parameter, None)
    scaling = fit_scaling(sweep.parameter, values, quantities, law, params, sweep.quantity,
                          tol, sweep.limit)
    return ClaimResult(claim, scaling.verdict, None, scaling, curves, fits, tol, info, symbols,
                       quantities)
