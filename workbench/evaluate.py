"""From task results to one verdict per claim, as the JSON-ready result object."""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workbench import __version__
from workbench.claims import Claim
from workbench.errors import BadInputError
from workbench.fit import Curve, Fit, fit_curve
from workbench.ratelaw import RateLaw, parse_rate
from workbench.run import TaskResult
from workbench.sweep import ScalingFit, first_crossing, fit_scaling
from workbench.tolerances import Tolerances
from workbench.verdict import MISMATCH, Verdict, judge


@dataclass
class ClaimResult:
    """A claim's verdict with what was observed; ``as_dict`` is the ``--json`` object."""

    claim: Claim
    verdict: Verdict
    fit: Fit | None
    scaling: ScalingFit | None = None
    curves: list[Curve] = field(default_factory=list)
    point_fits: list[Fit] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    #: Per sweep point, the values of the rate's symbols the fit used.
    symbols: list[dict[str, float]] = field(default_factory=list)
    #: Sweeps only: each seed's rate constant or cost at each point, ``(seeds, points)``.
    quantities: np.ndarray | None = None

    def observed(self) -> dict[str, Any]:
        fit = self.fit
        out: dict[str, Any] = {}
        if fit is not None:
            out = {"model": fit.model, "status": fit.status, "aggregate": self.claim.aggregate,
                   "seeds": fit.seeds, "estimate": fit.estimate,
                   "ci": list(fit.ci) if fit.ci else None, "expected": fit.expected}
            if fit.model == "power":
                out["exponent"] = fit.estimate
            else:
                out["rate_constant"] = fit.estimate
                out["factor"] = fit.factor
                out["shape_ratio"] = fit.shape_ratio
        if self.scaling is not None:
            out["sweep"] = self.scaling.as_dict()
        return out

    def as_dict(self) -> dict[str, Any]:
        claim, fit = self.claim, self.fit
        window = None
        if fit is not None and fit.window is not None:
            window = {"t_min": fit.window[0], "t_max": fit.window[1], "points": fit.n_points,
                      "axis": claim.axis}
        return {
            "id": claim.id, "paper": claim.paper_label, "problem": claim.problem,
            "algorithm": claim.algorithm, "measure": claim.measure, "rate": claim.rate.text,
            "statement": claim.statement, "verdict": self.verdict.verdict,
            "direction": self.verdict.direction, "reason": self.verdict.reason,
            "observed": self.observed(), "window": window,
            "tolerances": claim.tolerances.as_dict(), "tolerance_note": claim.tolerance_note,
            "notes": claim.notes, "provenance": self.provenance,
        }


def _curve(claim: Claim, results: list[TaskResult],
           axis_name: str) -> tuple[Curve, dict[str, float]]:
    """The seeds' traces of one sweep point on one grid, and the rate symbols' values."""
    values = np.array([r.measures[claim.measure] for r in results])
    if axis_name == "calls":
        axis = results[0].measures["calls"]
        if any(not np.array_equal(r.measures["calls"], axis) for r in results):
            raise BadInputError("oracle-call counts differ across seeds; fit against iterations",
                           claim=claim.id, field="axis")
        keep = np.concatenate([[True], np.diff(axis) > 0]) & (axis > 0)
        axis, values = axis[keep], values[:, keep]
    else:
        axis = results[0].t.astype(float)
        keep = axis > 0
        axis, values = axis[keep], values[:, keep]
    floor = max(r.floors.get(claim.measure, 0.0) for r in results)
    constants = {k: float(np.median([r.constants[k] for r in results]))
                 for k in results[0].constants}
    task = results[0].task
    return Curve(axis, values, floor), claim.symbol_values(task.problem_params, task.hyper,
                                                           constants)


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
    curves, fits, symbols, costs = [], [], [], []
    for point_results in by_point.values():
        # Cost sweeps read each seed's own crossing; their curves are for plots only and
        # use the iteration grid, which all seeds share.
        curve, values = _curve(claim, point_results,
                               "iterations" if cost_sweep else claim.axis)
        if cost_sweep:
            costs.append([_cost(claim, r) for r in point_results])
        curves.append(curve)
        symbols.append(values)
        if not cost_sweep:  # a cost sweep reads crossings; its curves follow no stated rate
            fits.append(fit_curve(curve, claim.rate, values, tol, claim.aggregate,
                                  claim.t_min))
    info = dict(provenance or {})
    info.setdefault("seconds", sum(r.seconds for r in results))
    if claim.sweep is None:
        verdict = judge(claim.rate, fits[0], tol)
        return ClaimResult(claim, verdict, fits[0], None, curves, fits, info, symbols)
    return _evaluate_sweep(claim, curves, fits, symbols, np.array(costs).T, tol, info)


def _cost(claim: Claim, result: TaskResult) -> float:
    """Iterations or oracle calls until the measure first reaches the sweep's target."""
    axis = result.measures["calls"] if claim.axis == "calls" else result.t.astype(float)
    return first_crossing(axis, result.measures[claim.measure], claim.sweep.target)


def _evaluate_sweep(claim: Claim, curves: list[Curve], fits: list[Fit],
                    symbols: list[dict[str, float]], costs: np.ndarray, tol: Tolerances,
                    info: dict[str, Any]) -> ClaimResult:
    sweep = claim.sweep
    assert sweep is not None
    values = np.array(sweep.values)
    for fit in fits:
        if fit.status in ("diverged", "stalled") and sweep.quantity != "cost":
            verdict = Verdict(MISMATCH, fit.status, fit.reason)
            return ClaimResult(claim, verdict, fit, None, curves, fits, info, symbols)
    seeds = curves[0].values.shape[0]
    quantities = costs if sweep.quantity == "cost" else np.full((seeds, values.size), np.nan)
    for j, curve in enumerate(curves):
        if sweep.quantity != "cost" and fits[j].status == "ok":
            for s in range(seeds):
                single = Curve(curve.t, curve.values[s:s + 1], curve.floor)
                one = fit_curve(single, claim.rate, symbols[j], tol, claim.aggregate,
                                claim.t_min)
                quantities[s, j] = one.estimate if one.status == "ok" else np.nan
    law = sweep.law if sweep.law is not None else _rate_constant_law(claim)
    params = {**symbols[0], **claim.rate_params}
    params.pop(sweep.parameter, None)
    scaling = fit_scaling(sweep.parameter, values, quantities, law, params, sweep.quantity,
                          tol, sweep.limit)
    return ClaimResult(claim, scaling.verdict, None, scaling, curves, fits, info, symbols,
                       quantities)


def versions() -> dict[str, str]:
    """Code and library versions for provenance."""
    import numba
    import scipy
    import sympy

    return {"workbench": __version__, "python": platform.python_version(),
            "numpy": np.__version__, "numba": numba.__version__, "scipy": scipy.__version__,
            "sympy": sympy.__version__}
