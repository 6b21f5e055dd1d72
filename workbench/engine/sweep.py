"""Scaling fits over a parameter sweep: how a rate constant or a cost scales with it.

Each seed is a replicate: its quantity at every sweep point gives one scaling exponent (the
log-log slope against the parameter), and the CI is taken across seeds. Costs are read from
the checkpoints as the first crossing of the target, interpolated in log-log between the
two checkpoints around it; a run that never reaches the target is *censored*.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workbench.cards.ratelaw import RateLaw
from workbench.cards.tolerances import Tolerances
from workbench.engine.outcome import CONSISTENT, INCONCLUSIVE, MISMATCH, Verdict, judge_interval


def first_crossing(axis: np.ndarray, values: np.ndarray, target: float) -> float:
    """Axis value where ``values`` first drops to ``target`` or below; ``nan`` if never.

    Between the last checkpoint above the target and the first at or below it, the crossing
    is interpolated linearly in (log axis, log value) when both values are positive.
    """
    hits = np.flatnonzero(values <= target)
    if not hits.size:
        return float("nan")
    i = hits[0]
    if i == 0 or target <= 0 or values[i] <= 0 or axis[i - 1] <= 0:
        return float(axis[i])
    x0, x1 = np.log(axis[i - 1]), np.log(axis[i])
    y0, y1 = np.log(values[i - 1]), np.log(values[i])
    if y1 == y0:
        return float(axis[i])
    return float(np.exp(x0 + (np.log(target) - y0) * (x1 - x0) / (y1 - y0)))


def default_limit(law: RateLaw, values: np.ndarray, params: dict[str, float],
                  quantity: str) -> str:
    """The asymptotic end of the sweep a bound speaks of: the hard end.

    For a cost, the end where the claimed cost grows; for a rate constant, the end where it
    shrinks.
    """
    slope = law.log_slope(values, params)
    grows_at_large = slope >= 0
    if quantity == "advantage":  # a comparison: where the claimed advantage grows
        return "large" if grows_at_large else "small"
    if quantity == "final":  # an error after a horizon or with a parameter: its large end
        return "large"
    if quantity == "rate_constant":
        return "small" if grows_at_large and slope != 0 else "large"
    return "large" if grows_at_large else "small"


@dataclass
class ScalingFit:
    """A fitted scaling exponent with its CI, the expected one, and the verdict."""

    parameter: str
    values: list[float]
    quantity: str
    exponent: float | None
    ci: tuple[float, float] | None
    expected_exponent: float
    limit: str
    censored: list[dict] = field(default_factory=list)
    points: list[dict] = field(default_factory=list)
    verdict: Verdict = field(default_factory=lambda: Verdict(INCONCLUSIVE))

    def as_dict(self) -> dict:
        return {
            "parameter": self.parameter, "values": self.values, "quantity": self.quantity,
            "exponent": self.exponent, "ci": list(self.ci) if self.ci else None,
            "expected_exponent": self.expected_exponent, "limit": self.limit,
            "censored": self.censored, "points": self.points,
        }


def fit_scaling(parameter: str, values: np.ndarray, quantities: np.ndarray, law: RateLaw,
                params: dict[str, float], quantity: str, tol: Tolerances,
                limit: str = "") -> ScalingFit:
    """Fit ``log(quantity)`` against ``log(parameter)`` and judge it against ``law``.

    Parameters
    ----------
    values
        The swept parameter, shape ``(points,)``.
    quantities
        Rate constants or costs, shape ``(seeds, points)``; ``nan`` marks a censored run
        (target not reached, or no usable fit).
    law
        The claimed scaling, a law in the swept parameter (``O(eps**(-3/2))``).
    quantity
        ``"rate_constant"`` (larger is faster), ``"cost"`` (larger is slower) or
        ``"advantage"`` (a comparison: the claim algorithm's advantage over a baseline,
        larger is faster).
    limit
        ``"small"`` or ``"large"``: the end of the sweep the bound speaks of; by default the
        hard end (see :func:`default_limit`).
    """
    values = np.asarray(values, float)
    quantities = np.atleast_2d(np.asarray(quantities, float))
    expected = law.log_slope(values, params)
    limit = limit or default_limit(law, values, params, quantity)
    bad = ~np.isfinite(quantities) | (quantities <= 0)
    censored = [{"value": float(v), "runs": int(bad[:, j].sum())}
                for j, v in enumerate(values) if bad[:, j].any()]
    kept = ~bad.any(axis=0)
    points = [{"value": float(v), "median": float(np.median(quantities[:, j]))
               if kept[j] else None} for j, v in enumerate(values)]
    fit = ScalingFit(parameter, [float(v) for v in values], quantity, None, None, expected,
                     limit, censored, points)
    if (~kept).sum() > tol.max_censored_fraction * values.size or kept.sum() < 3:
        fit.verdict = Verdict(INCONCLUSIVE, "", f"{int((~kept).sum())} of {values.size} sweep "
                              f"points censored (a run missed its target or had no usable "
                              f"fit; > max_censored_fraction={tol.max_censored_fraction:g})")
        return fit
    from scipy import stats  # 1 s of imports: only when a sweep is fitted

    x = np.log(values[kept])
    logq = np.log(quantities[:, kept])
    per_seed = np.array([np.polyfit(x, row, 1)[0] for row in logq])
    fit.exponent = float(np.polyfit(x, logq.mean(axis=0), 1)[0])
    if per_seed.size >= 2:
        half = stats.t.ppf(0.5 + tol.confidence / 2, per_seed.size - 1) * \
            per_seed.std(ddof=1) / np.sqrt(per_seed.size)
    else:
        result = stats.linregress(x, logq[0])
        # An exact power law (a constant, say) has no residual: stderr 0, not nan.
        stderr = result.stderr if np.isfinite(result.stderr) else 0.0
        half = stats.t.ppf(0.5 + tol.confidence / 2, x.size - 2) * stderr
    fit.ci = (fit.exponent - float(half), fit.exponent + float(half))
    fit.verdict = judge_scaling(fit, law, tol, per_seed.size)
    return fit


def judge_scaling(fit: ScalingFit, law: RateLaw, tol: Tolerances, seeds: int = 0) -> Verdict:
    """The verdict of a fitted scaling exponent against ``law``, with its censored points
    said (:func:`_with_censoring`); ``seeds`` behind the interval, for the "too noisy"
    hint."""
    censored = {c["value"] for c in fit.censored}
    kept = np.array([v not in censored for v in fit.values])
    return _with_censoring(_judge_scaling(fit, law, tol, seeds), fit, law, kept)


def _with_censoring(verdict: Verdict, fit: ScalingFit, law: RateLaw,
                    kept: np.ndarray) -> Verdict:
    """Censored sweep points are said: named in the verdict's notes; when one is an end of
    the swept range that carries the claim (the end the bound speaks of, ``fit.limit``; both
    ends for ``Theta``: the hardest instances), the claim is not judged on the rest and the
    verdict is inconclusive."""
    if not fit.censored:
        return verdict
    named = ", ".join(f"{fit.parameter} = {c['value']:.3g} ({c['runs']} runs)"
                      for c in fit.censored)
    order = np.asarray(fit.values)
    small, large = int(np.argmin(order)), int(np.argmax(order))
    ends = {"small": [small], "large": [large]}[fit.limit] if law.kind != "Theta" \
        else [small, large]
    lost = [fit.values[i] for i in ends if not kept[i]]
    if lost:
        return Verdict(INCONCLUSIVE, "", f"censored at the end of the sweep that carries the "
                       f"claim ({fit.parameter} = {', '.join(f'{v:.3g}' for v in lost)}: a run "
                       f"missed its target or had no usable fit); judged without it the claim "
                       f"would rest on the other points only. Censored: {named}")
    return Verdict(verdict.verdict, verdict.direction, verdict.reason,
                   verdict.notes + (f"censored sweep points, left out of the fit: {named}",))


def _judge_scaling(fit: ScalingFit, law: RateLaw, tol: Tolerances, seeds: int) -> Verdict:
    # Bound on the quantity Q ~ p**e near the limit: an upper bound at the large end caps
    # the exponent from above; at the small end (log p -> -inf) from below.
    caps_above = (law.kind == "O") == (fit.limit == "large")
    inf = float("inf")
    lo_allowed = fit.expected_exponent - tol.scaling
    hi_allowed = fit.expected_exponent + tol.scaling
    if law.kind != "Theta":
        lo_allowed, hi_allowed = (-inf, hi_allowed) if caps_above else (lo_allowed, inf)
    # A larger exponent makes Q larger at the large end and smaller at the small end.
    q_larger_when_high = fit.limit == "large"
    faster_is_high = q_larger_when_high == (fit.quantity in ("rate_constant", "advantage"))
    assert fit.ci is not None
    return judge_interval(fit.ci[0], fit.ci[1], lo_allowed, hi_allowed, faster_is_high,
                          f"scaling exponent of the {fit.quantity.replace('_', ' ')} in "
                          f"{fit.parameter} {fit.exponent:.3f} (expected "
                          f"{fit.expected_exponent:.3f} ± {tol.scaling:g}, {fit.limit} "
                          f"{fit.parameter})", seeds)


def judge_trend(parameter: str, values: np.ndarray, quantities: np.ndarray, trend: str,
                quantity: str, tol: Tolerances) -> tuple[Verdict, dict]:
    """Whether the quantity moves monotonically with the swept parameter in every seed.

    A step against the stated trend by more than ``trend_rtol`` (relative) in any seed is a
    mismatch: the claim is about every instance. Larger costs and final values are slower, so
    a cost that rises where it should fall is ``slower``; one that falls where it should rise
    is ``faster``. Censored runs (nan) are left out of the steps they touch.
    """
    order = np.argsort(values)
    q = np.atleast_2d(quantities)[:, order]
    sign = 1.0 if trend == "increasing" else -1.0
    with np.errstate(all="ignore"):
        steps = sign * (q[:, 1:] - q[:, :-1]) / np.abs(q[:, :-1])
    against = np.isfinite(steps) & (steps < -tol.trend_rtol)
    counted = int(np.isfinite(steps).sum())
    info = {"trend": trend, "steps": counted, "against": int(against.sum()),
            "seeds_against": [int(s) for s in np.flatnonzero(against.any(axis=1))]}
    if counted == 0:
        return Verdict(INCONCLUSIVE, "", "no uncensored pair of sweep points"), info
    if against.any():
        s, j = np.argwhere(against)[0]
        lo, hi = values[order][j], values[order][j + 1]
        larger_is_slower = quantity in ("cost", "final")
        rose = sign < 0  # the quantity rose where it should fall
        direction = "slower" if rose == larger_is_slower else "faster"
        return Verdict(MISMATCH, direction, f"not {trend} in {parameter}: {int(against.sum())} "
                       f"of {counted} steps go against it beyond trend_rtol="
                       f"{tol.trend_rtol:g} in {len(info['seeds_against'])} of {q.shape[0]} "
                       f"seeds; first in seed {s + 1}, {parameter} {lo:g} -> {hi:g}: "
                       f"{q[s, j]:.4g} -> {q[s, j + 1]:.4g}"), info
    return Verdict(CONSISTENT, notes=(f"{trend} in {parameter} in every seed "
                                      f"({counted} steps)",)), info
