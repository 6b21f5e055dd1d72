"""From task results to one verdict per claim (a :class:`ClaimResult`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from workbench.cards.claims import Claim
from workbench.cards.ratelaw import RateLaw, parse_rate
from workbench.cards.tolerances import Tolerances
from workbench.catalogue import AXIS_ITERATIONS
from workbench.engine.checks import BoundCheck, check_bound, regime_failures, run_values
from workbench.engine.execute import TaskResult
from workbench.engine.fit import Curve, Fit, fit_curve
from workbench.engine.laws import kind_of
from workbench.engine.power import Power, fit_power, for_verdict, sweep_power
from workbench.engine.result import ClaimResult
from workbench.engine.sweep import first_crossing, fit_scaling, judge_trend
from workbench.engine.verdict import INCONCLUSIVE, MISMATCH, Verdict, combine, judge
from workbench.errors import BadInputError


def _curve(claim: Claim, results: list[TaskResult], axis_name: str,
           ) -> tuple[Curve, dict[str, float], list[dict[str, float]]]:
    """The seeds' traces of one sweep point on one grid, the rate symbols' values for the
    aggregate, and each seed's own (instance constants differ between seeds)."""
    values = np.array([r.measures[claim.measure] for r in results])
    if axis_name != AXIS_ITERATIONS:
        axis = results[0].measures[axis_name]
        if any(not np.array_equal(r.measures[axis_name], axis) for r in results):
            axis, values = _common_grid([r.measures[axis_name] for r in results], values)
        else:
            keep = np.concatenate([[True], np.diff(axis) > 0]) & (axis > 0)
            axis, values = axis[keep], values[:, keep]
    else:
        axis = results[0].t.astype(float)
        keep = axis > 0
        axis, values = axis[keep], values[:, keep]
    floor = max(r.floors.get(claim.measure, 0.0) for r in results)
    per_seed = [run_values(claim, r) for r in results]
    return Curve(axis, values, floor), _aggregate_symbols(claim, per_seed), per_seed


def _common_grid(axes: list[np.ndarray], values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Seeds whose counters differ (randomized methods make different oracle calls) on one
    grid: log-spaced over the range every seed covers, each seed interpolated linearly in
    (log count, log value) between its own checkpoints."""
    kept = []
    for axis, row in zip(axes, values, strict=True):
        keep = np.concatenate([[True], np.diff(axis) > 0]) & (axis > 0)
        kept.append((axis[keep], row[keep]))
    lo = max(a[0] for a, _ in kept)
    hi = min(a[-1] for a, _ in kept)
    if not hi > lo:
        raise BadInputError("the seeds' counter ranges do not overlap", field="axis")
    grid = np.geomspace(lo, hi, max(len(a) for a, _ in kept))
    tiny = np.finfo(float).tiny
    rows = [np.exp(np.interp(np.log(grid), np.log(a), np.log(np.maximum(v, tiny))))
            for a, v in kept]
    return grid, np.array(rows)


def _aggregate_symbols(claim: Claim, per_seed: list[dict[str, float]]) -> dict[str, float]:
    """The symbols' values for a claim on the aggregate of several seeds.

    An explicit factor bounds each seed's error by its own ``rho_s**T``; their mean is then
    bounded at the rate of the slowest (upper bounds) or fastest (lower bounds) seed, so that
    seed's values are used. Otherwise the median over seeds of each value. The law's kind
    decides (:meth:`LawKind.aggregate_symbols`).
    """
    return kind_of(claim.rate).aggregate_symbols(claim.rate, per_seed)


def _rate_constant_law(claim: Claim) -> RateLaw:
    """The scaling of a geometric rate constant implied by the claim's rate.

    ``exp(-Omega(g))`` and ``O(factor**T)`` bound the error from above, so they bound the rate
    constant ``c`` from below: ``c = Omega(g / T)``; the reverse for lower bounds.
    """
    kind = {"upper": "Omega", "lower": "O", "tight": "Theta"}[claim.rate.error_bound]
    return parse_rate(f"{kind}({claim.rate.rate_constant})", variable=claim.sweep.parameter)


@dataclass
class Points:
    """One algorithm's runs of a claim, per sweep point (one point for plain claims)."""

    curves: list[Curve]
    fits: list[Fit]
    symbols: list[dict[str, float]]
    seed_symbols: list[list[dict[str, float]]]
    costs: np.ndarray | None
    seeds: list[int]


def _points(claim: Claim, results: list[TaskResult], tol: Tolerances) -> Points:
    """Curves, fits (not for cost and final-value sweeps, whose curves follow no stated rate)
    and the costs or final values, ``(seeds, points)``."""
    by_point: dict[int, list[TaskResult]] = {}
    for result in sorted(results, key=lambda r: (r.task.point, r.task.seed)):
        by_point.setdefault(result.task.point, []).append(result)
    quantity = claim.sweep.quantity if claim.sweep is not None else ""
    read = quantity in ("cost", "final")  # read from each run, not fitted
    points = Points([], [], [], [], None, [r.task.seed for r in by_point[min(by_point)]])
    costs = []
    for point_results in by_point.values():
        # Cost and final-value sweeps read each seed's own run; their curves are for plots
        # only and use the iteration grid, which all seeds share.
        curve, values, per_seed = _curve(claim, point_results,
                                         AXIS_ITERATIONS if read else claim.axis)
        if quantity == "cost":
            costs.append([_cost(claim, r) for r in point_results])
        elif quantity == "final":
            costs.append([float(r.measures[claim.measure][-1]) for r in point_results])
        else:
            points.fits.append(fit_curve(curve, claim.rate, values, tol, claim.aggregate,
                                         claim.t_min, per_seed))
        points.curves.append(curve)
        points.symbols.append(values)
        points.seed_symbols.append(per_seed)
    if read:
        points.costs = np.array(costs).T  # seeds x points
    return points


def evaluate(claim: Claim, results: list[TaskResult], tol: Tolerances | None = None,
             provenance: dict[str, Any] | None = None) -> ClaimResult:
    """Fit and judge one claim from its tasks' results."""
    tol = tol or claim.tolerances
    result = _evaluate(claim, results, tol, provenance)
    result.power = for_verdict(_power(claim, result, tol), result.verdict)
    if claim.scope == "worst_case":
        verdict = result.verdict
        result.verdict = Verdict(verdict.verdict, verdict.direction, verdict.reason,
                                 verdict.notes + ("scope: a bound over a class, checked on "
                                                  "its worst-case instance; it says nothing "
                                                  "of other instances",))
    return result


def _evaluate(claim: Claim, results: list[TaskResult], tol: Tolerances,
              provenance: dict[str, Any] | None) -> ClaimResult:
    failed = [r for r in results if r.error]
    if failed:
        field_name, _, message = failed[0].error.partition(": ")
        raise BadInputError(f"the run with seed {failed[0].task.seed} failed: {message}",
                            claim=claim.id, field=field_name)
    info = dict(provenance or {})
    info.setdefault("seconds", sum(r.seconds for r in results))
    checks: dict[str, Any] = {}
    if claim.regime:
        outside = regime_failures(claim, [r for r in results if r.task.role == "claim"])
        seeds = sorted({r.task.seed for r in results})
        checks["regime"] = {"conditions": [c.text for c in claim.regime],
                            "why": claim.regime_why, "seeds": len(seeds),
                            "left_out": {str(s): why for s, why in sorted(outside.items())}}
        results = [r for r in results if r.task.seed not in outside]
        if len({r.task.seed for r in results}) < 2:
            verdict = Verdict(INCONCLUSIVE, "", f"regime: {len(outside)} of {len(seeds)} seeds "
                              f"are outside the theorem's assumptions "
                              f"({'; '.join(sorted(set(outside.values())))}); fewer than 2 left")
            return ClaimResult(claim, verdict, None, tolerances=tol, provenance=info,
                               checks=checks)
    mine = _points(claim, [r for r in results if r.task.role == "claim"], tol)
    if claim.sweep is None:
        result = ClaimResult(claim, judge(claim.rate, mine.fits[0], tol), mine.fits[0], None,
                             mine.curves, mine.fits, tol, info, mine.symbols, checks=checks)
        if claim.bound is not None:
            curve = mine.curves[0]
            bound = check_bound(claim, curve.t, curve.values, mine.seeds,
                                mine.seed_symbols[0], curve.floor, tol)
            _apply_bound(result, bound)
        return result
    baseline = None
    if claim.compare is not None:
        baseline = _points(claim, [r for r in results if r.task.role == "baseline"], tol)
    result = _evaluate_sweep(claim, mine, baseline, tol, info)
    result.checks.update(checks)
    if claim.bound is not None and mine.costs is not None and claim.sweep.quantity == "cost":
        per_seed = [dict(values) for values in mine.seed_symbols[0]]
        bound = _check_cost_bound(claim, np.array(claim.sweep.values), mine.costs, mine.seeds,
                                  per_seed, tol)
        _apply_bound(result, bound)
    return result


def _check_cost_bound(claim: Claim, points: np.ndarray, costs: np.ndarray, seeds: list[int],
                      per_seed: list[dict[str, float]], tol: Tolerances) -> BoundCheck:
    """Each seed's cost at each sweep point against the bound in the swept parameter.

    The sweep is over the swept parameter, not over ``t``: the bound's variable is that
    parameter, so the check reads ``at`` as the parameter's value. Censored runs (nan) are
    left out.
    """
    kept = np.where(np.isfinite(costs), costs, 0.0)
    return check_bound(claim, points, kept, seeds, per_seed, 0.0, tol)


def _apply_bound(result: ClaimResult, bound: BoundCheck) -> None:
    """A violated explicit bound is a mismatch (slower); one that holds reports its slack."""
    result.checks["bound"] = bound.to_dict()
    verdict = result.verdict
    if not bound.holds:
        result.verdict = Verdict(MISMATCH, "slower", bound.text(), verdict.notes)
    else:
        result.verdict = Verdict(verdict.verdict, verdict.direction, verdict.reason,
                                 verdict.notes + (bound.text(),))


def _power(claim: Claim, result: ClaimResult, tol: Tolerances) -> Power:
    """What the claim's data would have contradicted (:mod:`workbench.engine.power`)."""
    sweep = claim.sweep
    if sweep is None:
        if result.fit is None:
            return Power(claim.rate.text, None, 0.0, "absolute", weak=True,
                         reason=f"nothing was fitted: {result.verdict.reason}")
        return fit_power(claim.rate, result.fit, tol)
    if result.scaling is None and not sweep.trend:
        if result.verdict.verdict == MISMATCH:
            return Power("scaling exponent", None, tol.power_scaling, "absolute", notes=(
                "the verdict rests on a sweep point's own fit, which no moved scaling "
                "claim changes",))
        return Power("scaling exponent", None, tol.power_scaling, "absolute", weak=True,
                     reason=f"no scaling exponent was fitted: {result.verdict.reason}")
    law = sweep.law if sweep.law is not None else \
        (_rate_constant_law(claim) if result.scaling is not None else None)
    return sweep_power(law, result.scaling, sweep.trend, np.array(sweep.values),
                       result.quantities, tol)


def evaluate_curve(claim: Claim, curve: Curve, params: dict[str, float], tol: Tolerances,
                   provenance: dict[str, Any] | None = None) -> ClaimResult:
    """Fit and judge one given curve (a trajectory, not runs of the catalogue)."""
    fit = fit_curve(curve, claim.rate, params, tol, claim.aggregate, claim.t_min)
    result = ClaimResult(claim, judge(claim.rate, fit, tol), fit, None, [curve], [fit], tol,
                         dict(provenance or {}), [params])
    result.power = for_verdict(fit_power(claim.rate, fit, tol), result.verdict)
    return result


def _cost(claim: Claim, result: TaskResult) -> float:
    """Iterations or oracle calls until the measure first reaches the sweep's target."""
    axis = result.t.astype(float) if claim.axis == AXIS_ITERATIONS \
        else result.measures[claim.axis]
    return first_crossing(axis, result.measures[claim.measure], claim.sweep.target)


def _quantities(claim: Claim, points: Points, tol: Tolerances) -> np.ndarray:
    """Each seed's cost or fitted rate constant at each sweep point, ``(seeds, points)``;
    ``nan`` where a run missed its target or had no usable fit."""
    if points.costs is not None:
        return points.costs
    seeds = points.curves[0].values.shape[0]
    quantities = np.full((seeds, len(points.curves)), np.nan)
    for j, curve in enumerate(points.curves):
        if points.fits[j].status != "ok":
            continue
        for s in range(seeds):
            single = Curve(curve.t, curve.values[s:s + 1], curve.floor)
            one = fit_curve(single, claim.rate, points.seed_symbols[j][s], tol, "mean",
                            claim.t_min)
            quantities[s, j] = one.estimate if one.status == "ok" else np.nan
    return quantities


def _evaluate_sweep(claim: Claim, mine: Points, baseline: Points | None, tol: Tolerances,
                    info: dict[str, Any]) -> ClaimResult:
    """The scaling fit of a sweep: of the claim algorithm's cost or rate constant or, in a
    comparison, of its advantage over the baseline (the baseline's cost over the claim's,
    or the claim's rate constant over the baseline's): larger is faster."""
    sweep = claim.sweep
    assert sweep is not None
    values = np.array(sweep.values)
    for points in (mine, baseline):
        if points is None:
            continue
        for value, fit in zip(values, points.fits, strict=False):
            verdict = judge(claim.rate, fit, tol)
            if verdict.verdict == MISMATCH and (points is mine or fit.status != "ok"):
                # a diverged, stalled or sublinear sweep point of the claim algorithm; a
                # baseline that fails makes the comparison inconclusive
                if points is mine:
                    verdict = Verdict(MISMATCH, verdict.direction,
                                      f"at {sweep.parameter}={value:g}: {verdict.reason}")
                else:
                    verdict = Verdict(INCONCLUSIVE, "", f"the baseline {claim.compare.algorithm}"
                                      f" at {sweep.parameter}={value:g}: {verdict.reason}")
                return ClaimResult(claim, verdict, fit, None, mine.curves, mine.fits, tol, info,
                                   mine.symbols)
    quantities = _quantities(claim, mine, tol)
    quantity = sweep.quantity
    checks: dict[str, Any] = {}
    if baseline is not None:
        theirs = _quantities(claim, baseline, tol)
        with np.errstate(all="ignore"):
            # the claim algorithm's advantage: larger is faster
            quantities = theirs / quantities if quantity in ("cost", "final") \
                else quantities / theirs
        checks["compare"] = {"baseline": claim.compare.algorithm,
                             "baseline_hyper": dict(claim.compare.hyper),
                             "claim": _medians(_quantities(claim, mine, tol)),
                             "baseline_quantity": _medians(theirs),
                             "advantage": f"baseline {quantity} / claim {quantity}"
                             if quantity in ("cost", "final")
                             else "claim rate constant / baseline rate constant"}
        quantity = "advantage"
    scaling, verdict = None, None
    if sweep.law is not None or quantity == "rate_constant":
        law = sweep.law if sweep.law is not None else _rate_constant_law(claim)
        params = {**mine.symbols[0], **claim.rate_params}
        params.pop(sweep.parameter, None)
        scaling = fit_scaling(sweep.parameter, values, quantities, law, params, quantity, tol,
                              sweep.limit)
        verdict = scaling.verdict
    if sweep.trend:
        trend, checks["trend"] = judge_trend(sweep.parameter, values, quantities, sweep.trend,
                                             quantity, tol)
        verdict = trend if verdict is None else combine(verdict, trend)
    return ClaimResult(claim, verdict, None, scaling, mine.curves, mine.fits, tol, info,
                       mine.symbols, quantities, checks=checks)


def _medians(quantities: np.ndarray) -> list[float | None]:
    return [float(np.median(column)) if np.all(np.isfinite(column)) else None
            for column in quantities.T]
