"""Fit observed error curves: shape tests per seed, the usable range, local estimates, CIs.

The fitter knows rate laws (to compute the expected value over its own windows) but nothing
of problems, kernels or claims. What is fitted and how it is judged is the law kind's
(:mod:`workbench.engine.laws`); this module does what every kind shares:

1. divergence and stalls, per seed (a mean of a stalled and a decaying run still decays);
2. geometric shape, per seed (a mean of geometric curves with different rates is still
   linear convergence, though its semilog rate falls);
3. the usable range: from ``t_min`` to where the error first falls to ``floor_margin`` x the
   floor; a lower bound contradicted by an error that reaches the floor and stays there;
4. the local sequence (power laws: successive half-overlapping sub-windows in log t; geometric
   laws: the window's quarters), the final estimate and its confidence interval: a
   jackknife t-interval over seeds for the aggregate (valid with 3 or more seeds), the
   regression's standard error for a single trace;
5. ``aggregate = "each"`` (claims about every run): the whole analysis per seed, with the
   symbols' values of that seed and a Bonferroni-split confidence level.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from workbench.cards.aggregates import AGGREGATES, QUANTILE
from workbench.cards.ratelaw import RateLaw
from workbench.cards.tolerances import Tolerances
from workbench.engine.laws import (
    FLOOR,
    GEOMETRIC,
    GROWTH,
    KINDS,
    POWER,
    LawKind,
    Local,
    kind_of,
    law_values,
    log_values,
    rate_constant,
    rate_decay_exponent,
    slope,
    slope_stderr,
    without_prefactor,
)
from workbench.errors import BadInputError

# A diverging error is fitted while it stays below this (far from overflow).
GROWTH_CEILING = 1e250


@dataclass(frozen=True)
class Curve:
    """Traces of every seed on one grid.

    Attributes
    ----------
    t
        Increasing positive grid (iterations or oracle calls), shape ``(n,)``.
    values
        Error measure, shape ``(seeds, n)``.
    floor
        Absolute accuracy of the measure (reference solution, round-off); 0 if unknown.
    """

    t: np.ndarray
    values: np.ndarray
    floor: float = 0.0

    def __post_init__(self) -> None:
        t = np.asarray(self.t, dtype=float)
        values = np.atleast_2d(np.asarray(self.values, dtype=float))
        if t.ndim != 1 or values.shape[1] != t.size:
            raise BadInputError(f"grid of {t.size} points does not match values {values.shape}")
        if t.size < 2 or np.any(t <= 0) or np.any(np.diff(t) <= 0):
            raise BadInputError("t must be positive and strictly increasing")
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "values", values)


@dataclass
class Fit:
    """What the fit observed.

    ``status`` is ``"ok"``, ``"diverged"``, ``"stalled"``, ``"sublinear"``, ``"superlinear"``,
    ``"floor_early"`` (a lower bound contradicted at the floor) or ``"insufficient"`` (with
    ``reason``). ``estimate`` is the final local log-log slope (power laws) or the rate
    constant per unit of ``t`` (geometric laws, ``exp(-c t)``); ``expected`` is the same
    quantity computed from the claimed law over the same points (None when the law fixes only
    the shape). ``local`` is the local sequence, ``ratio_growth`` the growth of
    ``error / r(T)`` over the later half of the usable range (power laws), ``rate_decay`` the
    exponent ``b`` of the semilog rate's fall ``t**-b`` over the window and its final half
    (geometric laws), ``per_seed`` the fits of each seed for ``aggregate = "each"``,
    ``seed_rates`` each seed's rate constant over the window (geometric laws).
    """

    status: str
    model: str
    reason: str = ""
    estimate: float | None = None
    ci: tuple[float, float] | None = None
    expected: float | None = None
    window: tuple[float, float] | None = None
    n_points: int = 0
    seeds: int = 0
    center: np.ndarray | None = field(default=None, repr=False)
    local: list[Local] = field(default_factory=list)
    ratio_growth: float | None = None
    rate_decay: tuple[float | None, float | None] | None = None
    per_seed: list[Fit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seed_rates: list[float] = field(default_factory=list)

    @property
    def kind(self) -> LawKind:
        return KINDS[self.model]

    @property
    def factor(self) -> float | None:
        """Contraction (geometric) or growth (growth) factor per unit of ``t``."""
        if self.estimate is None or self.model in ("power", "floor"):
            return None
        return float(np.exp(self.estimate if self.model == "growth" else -self.estimate))

    def to_dict(self) -> dict[str, Any]:
        """The fit's part of the ``observed`` JSON object."""
        out: dict[str, Any] = {"model": self.model, "quantity": self.kind.quantity,
                               "status": self.status, "seeds": self.seeds,
                               "estimate": self.estimate,
                               "ci": list(self.ci) if self.ci else None,
                               "expected": self.expected,
                               "local": [w.to_dict() for w in self.local]}
        if self.model == "power":
            out.update(exponent=self.estimate, ratio_growth=self.ratio_growth)
        elif self.model == "growth":
            out.update(growth_rate=self.estimate, factor=self.factor)
        elif self.model == "floor":
            out.update(plateau=self.estimate)
        else:
            out.update(rate_constant=self.estimate, factor=self.factor,
                       rate_decay=list(self.rate_decay) if self.rate_decay else None)
        if self.per_seed:
            out["per_seed"] = [{"status": f.status, "estimate": f.estimate,
                                "ci": list(f.ci) if f.ci else None, "expected": f.expected,
                                "reason": f.reason} for f in self.per_seed]
        if self.notes:
            out["notes"] = list(self.notes)
        return out


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


def _diverged(curve: Curve, tol: Tolerances) -> str:
    bad = []
    for seed_values in curve.values:
        finite = np.isfinite(seed_values)
        start = seed_values[0] if finite[0] else np.nan
        grown = finite & (seed_values > tol.diverge_factor * max(abs(start), curve.floor))
        first = np.flatnonzero(~finite | grown)
        if first.size or not np.isfinite(start):
            bad.append(curve.t[first[0]] if first.size else curve.t[0])
    if not bad:
        return ""
    return (f"{len(bad)} of {curve.values.shape[0]} seeds diverged (NaN, inf or growth beyond "
            f"{tol.diverge_factor:g}x the first value), first at t={min(bad):g}")


def fit_curve(curve: Curve, law: RateLaw, params: dict[str, float], tol: Tolerances,
              how: str = "mean", t_min: float | None = None,
              seed_params: list[dict[str, float]] | None = None) -> Fit:
    """Fit ``curve`` with the model the law calls for (judged by :func:`verdict.judge`).

    Parameters
    ----------
    curve
        The traces of all seeds.
    law
        The claimed rate; its kind picks the model, and its expression gives the expected
        value over each window.
    params
        Values of the law's other symbols (for the aggregate).
    tol
        Window and detection tolerances.
    how
        How seeds are combined (see :func:`aggregate`); ``"each"`` analyses every seed alone.
    t_min
        Start of the usable range (a card's stated end of the transient), if any.
    seed_params
        Per seed, the values of the symbols (instance constants differ between seeds); used
        for ``"each"``.
    """
    kind = kind_of(law, params)
    seeds = curve.values.shape[0]
    if kind in (GROWTH, FLOOR):
        if how == "each":
            return _fit_each(curve, law, params, tol, t_min, seed_params, kind)
        analyse = _analyse_growth if kind is GROWTH else _analyse_floor
        return analyse(curve, law, params, tol, how, t_min)
    # A prefactor's own rise (T**2*rho**T climbs before it falls) is not divergence.
    reason = _diverged(replace(curve, values=without_prefactor(law, curve.t, curve.values,
                                                               params)), tol)
    if reason:
        if law.prefactor is not None:
            reason += f" (the error divided by the law's prefactor {law.prefactor})"
        return Fit("diverged", kind.name, reason, seeds=seeds)
    if how == "each":
        return _fit_each(curve, law, params, tol, t_min, seed_params, kind)
    for s, row in enumerate(curve.values):
        shape = _shape(curve.t, row, curve.floor, law, params, tol, t_min)
        if shape is not None:
            status, why = shape
            label = f"seed {s + 1} of {seeds}: " if seeds > 1 else ""
            return Fit(status, kind.name, label + why, seeds=seeds,
                       center=aggregate(curve.values, how))
    return _analyse(curve, law, params, tol, how, t_min, kind)


def _fit_each(curve: Curve, law: RateLaw, params: dict[str, float], tol: Tolerances,
              t_min: float | None, seed_params: list[dict[str, float]] | None,
              kind: LawKind) -> Fit:
    seeds = curve.values.shape[0]
    per_tol = replace(tol, confidence=1 - (1 - tol.confidence) / seeds)
    fits = []
    for s in range(seeds):
        single = Curve(curve.t, curve.values[s:s + 1], curve.floor)
        values = seed_params[s] if seed_params else params
        fits.append(fit_curve(single, law, values, per_tol, "mean", t_min))
    ok = [f for f in fits if f.status == "ok"]
    summary = Fit("ok" if ok else fits[0].status, kind.name,
                  "" if ok else fits[0].reason, seeds=seeds,
                  center=aggregate(curve.values, "each"), per_seed=fits,
                  notes=[f"every seed judged alone at confidence {per_tol.confidence:.4g} "
                         f"(Bonferroni over {seeds} seeds)"])
    if ok:
        estimates = np.array([f.estimate for f in ok])
        worst = ok[int(np.argmin(estimates) if kind.faster_is_high else np.argmax(estimates))]
        summary.estimate = worst.estimate
        summary.ci = worst.ci
        summary.expected = worst.expected
        summary.window = worst.window
        summary.n_points = worst.n_points
        summary.local = worst.local
        summary.ratio_growth = worst.ratio_growth
        summary.rate_decay = worst.rate_decay
        summary.notes.append(f"the slowest seed is shown; per-seed estimates "
                             f"{', '.join(f'{e:.4g}' for e in estimates)}")
    return summary


def _usable(t: np.ndarray, center: np.ndarray, floor: float, tol: Tolerances,
            t_min: float | None) -> tuple[int, int, float, bool]:
    """``start, end`` of the usable range, the floor threshold, and whether it was reached."""
    threshold = max(floor, tol.rel_floor * center[0]) * tol.floor_margin
    below = np.flatnonzero(center <= threshold)
    end = int(below[0]) if below.size else t.size
    start = int(np.searchsorted(t, t_min)) if t_min else 0
    return start, end, threshold, bool(below.size)


def _shape(t: np.ndarray, row: np.ndarray, floor: float, law: RateLaw,
           params: dict[str, float], tol: Tolerances,
           t_min: float | None) -> tuple[str, str] | None:
    """A stall, or a geometric claim's wrong shape, in one seed's trace; else None."""
    start, end, _, reached = _usable(t, row, floor, tol, t_min)
    if not reached and law.error_bound != "lower":
        stalled = _stall(t[start:], row[start:], law, params, tol)
        if stalled:
            return "stalled", stalled
    if law.shape != "geometric" or end - start < tol.min_points:
        return None
    tu = t[start:end]
    b_window, b_final = _rate_decay(tu, without_prefactor(law, tu, row[start:end], params), tol)
    if b_window is None or b_final is None:
        return None
    limit = tol.sublinear_exponent
    if law.error_bound != "lower" and b_window > limit and b_final > limit:
        return "sublinear", (f"sublinear: the semilog rate keeps falling like t^-{b_final:.2f} "
                             f"(t^-{b_window:.2f} over the window; power laws give t^-1, "
                             f"geometric decay t^0; > sublinear_exponent={limit:g} in both)")
    if law.error_bound != "upper" and b_window < -limit and b_final < -limit:
        return "superlinear", (f"superlinear: the semilog rate keeps growing like "
                               f"t^{-b_final:.2f} within the window")
    return None


def _rate_decay(t: np.ndarray, v: np.ndarray,
                tol: Tolerances) -> tuple[float | None, float | None]:
    """``b`` of the semilog rate's fall over the window's halves and its final half's."""
    quarters = GEOMETRIC.local_windows(t, tol)
    if len(quarters) < 4:
        return None, None
    halves = [quarters[0] | quarters[1], quarters[2] | quarters[3]]
    return rate_decay_exponent(t, v, halves), rate_decay_exponent(t, v, quarters[2:])


def _stall(t: np.ndarray, center: np.ndarray, law: RateLaw, params: dict[str, float],
           tol: Tolerances) -> str:
    """A reason string when the tail is flat where the law says the error keeps falling."""
    if t.size < tol.min_points:
        return ""
    tail_lo = t[-1] / (t[-1] / t[0]) ** 0.25
    tail = t >= tail_lo
    if tail.sum() < 3:
        return ""
    observed = slope(np.log(t[tail]), log_values(center[tail]))
    if law.shape == "power":
        expected = POWER.expected(law, t[tail], params)
        limit = tol.stall_fraction * expected
        if expected >= 0 or observed <= limit:
            return ""
        claim = f"the claim expects {expected:.2f}"
    else:
        limit = -tol.stall_slope
        if observed <= limit:
            return ""
        claim = "the claim expects geometric decay"
    return (f"plateau at {center[-1]:.3g}: log-log slope {observed:.3f} over t in "
            f"[{t[tail][0]:g}, {t[-1]:g}], flatter than {limit:.3f}; {claim}")


def _analyse(curve: Curve, law: RateLaw, params: dict[str, float], tol: Tolerances,
             how: str, t_min: float | None, kind: LawKind) -> Fit:
    t, values = curve.t, curve.values
    seeds = values.shape[0]
    center = aggregate(values, how)
    start, end, threshold, reached = _usable(t, center, curve.floor, tol, t_min)
    floor_note = f"; the error reached the floor ({threshold:.3g}) at t={t[end]:g}" \
        if reached else ""
    if reached and law.error_bound != "upper":
        contradiction = _floor_contradicts(t, center, start, end, threshold, law, params)
        if contradiction:
            return Fit("floor_early", kind.name, contradiction, seeds=seeds, center=center)
    if end - start < tol.min_points:
        return Fit("insufficient", kind.name, f"only {max(end - start, 0)} checkpoints above "
                   f"the floor from t={t[min(start, t.size - 1)]:g}{floor_note}", seeds=seeds,
                   center=center)
    index = np.arange(start, end)
    tu = t[index]
    if kind is POWER:
        decades = np.log10(tu[-1] / tu[0])
        if decades < tol.min_window_decades:
            return Fit("insufficient", kind.name, f"usable range spans {decades:.2f} decades "
                       f"of t (< min_window_decades={tol.min_window_decades:g}){floor_note}",
                       seeds=seeds, center=center)
        return _analyse_power(t, values, center, index, law, params, tol, how, seeds)
    return _analyse_geometric(t, values, center, index, law, params, tol, how, seeds,
                              floor_note)


def _analyse_power(t, values, center, index, law, params, tol, how, seeds) -> Fit:
    tu, vu = t[index], center[index]
    windows = POWER.local_windows(tu, tol)
    if not windows:
        return Fit("insufficient", "power", f"no local window of "
                   f"{POWER.local_width(tu, tol):.2f} decades holds min_points="
                   f"{tol.min_points} checkpoints", seeds=seeds, center=center)
    # Only where the claimed expression is positive and finite (log(T)/T at T = 1 is not).
    valid = np.isfinite(law_values(law, tu, params))
    windows = [m for m in windows if valid[m].all()]
    if not windows:
        return Fit("insufficient", "power", "the claimed expression is not positive and finite "
                   "over any local window", seeds=seeds, center=center)
    local = [Local(float(tu[m][0]), float(tu[m][-1]), POWER.estimate(tu[m], vu[m]),
                   POWER.expected(law, tu[m], params)) for m in windows]
    final = index[windows[-1]]
    tw = t[final]
    estimate = local[-1].estimate
    ci = _confidence(values[:, final], tw, POWER, how, tol, estimate)
    later = local[len(local) // 2:] if len(local) >= 6 else local
    span = (tu >= later[0].t_lo)
    ratio = vu[span] / law_values(law, tu[span], params)
    return Fit("ok", "power", "", estimate, ci, local[-1].expected,
               (float(tw[0]), float(tw[-1])), int(final.size), seeds=seeds, center=center,
               local=local, ratio_growth=float(ratio[-1] / ratio[0]))


def _analyse_geometric(t, values, center, index, law, params, tol, how, seeds,
                       floor_note) -> Fit:
    shown, notes = center, _prefactor_notes(law)
    values = without_prefactor(law, t, values, params)
    center = aggregate(values, how)
    tu, vu = t[index], center[index]
    window = GEOMETRIC.window(tu, tol)
    quarters = GEOMETRIC.local_windows(tu, tol)
    b_window, b_final = _rate_decay(tu, vu, tol)
    if b_window is not None and b_final is not None and abs(b_window) > tol.sublinear_exponent \
            and abs(b_final) <= tol.sublinear_exponent and len(quarters) == 4:
        window = quarters[2] | quarters[3]
        notes.append(f"the semilog rate changed within the window (t^-{b_window:.2f}) and is "
                     f"steady over its final half (t^-{b_final:.2f}): the rate is fitted "
                     "there")
    chosen = index[window]
    if chosen.size < tol.min_points:
        return Fit("insufficient", "geometric", f"only {chosen.size} checkpoints in the window "
                   f"(< min_points={tol.min_points}){floor_note}", seeds=seeds, center=center)
    tw, vw = t[chosen], center[chosen]
    estimate = GEOMETRIC.estimate(tw, vw)
    local = [Local(float(tu[m][0]), float(tu[m][-1]), GEOMETRIC.estimate(tu[m], vu[m]),
                   GEOMETRIC.expected(law, tu[m], params)) for m in quarters]
    fit = Fit("ok", "geometric", "", estimate,
              _confidence(values[:, chosen], tw, GEOMETRIC, how, tol, estimate),
              GEOMETRIC.expected(law, tw, params), (float(tw[0]), float(tw[-1])),
              int(chosen.size), seeds=seeds, center=shown, local=local,
              rate_decay=(b_window, b_final), notes=notes)
    if values.shape[0] > 1:
        fit.seed_rates = [GEOMETRIC.estimate(tw, row[chosen]) for row in values]
    decay = np.log10(vw[0] / vw[-1])
    if decay < tol.min_decay_decades:
        fit.status = "insufficient"
        fit.reason = (f"the error falls {decay:.2f} decades in the window (< "
                      f"min_decay_decades={tol.min_decay_decades:g})")
    return fit


def _prefactor_notes(law: RateLaw) -> list[str]:
    if law.log_prefactor is None:
        return []
    return [f"the factor's rate is fitted to the error divided by the law's prefactor "
            f"{law.prefactor}"]


def _analyse_growth(curve: Curve, law: RateLaw, params: dict[str, float], tol: Tolerances,
                    how: str, t_min: float | None) -> Fit:
    """A divergence claim: the growth rate over the last half of the finite range."""
    t, values = curve.t, curve.values
    seeds = values.shape[0]
    finite = np.all(np.isfinite(values) & (values > 0) & (values < GROWTH_CEILING), axis=0)
    start = int(np.searchsorted(t, t_min)) if t_min else 0
    bad = np.flatnonzero(~finite[start:])
    end = start + (int(bad[0]) if bad.size else t.size - start)
    center = aggregate(values, how)
    if end - start < tol.min_points:
        return Fit("insufficient", "growth", f"only {max(end - start, 0)} checkpoints before "
                   f"the error leaves the floating-point range", seeds=seeds, center=center)
    index = np.arange(start, end)
    window = index[GROWTH.window(t[index], tol)]
    tw = t[window]
    factor_only = without_prefactor(law, tw, values[:, window], params)
    estimate = GROWTH.estimate(tw, aggregate(factor_only, how))
    fit = Fit("ok", "growth", "", estimate,
              _confidence(factor_only, tw, GROWTH, how, tol, estimate),
              GROWTH.expected(law, tw, params), (float(tw[0]), float(tw[-1])),
              int(window.size), seeds=seeds, center=center, notes=_prefactor_notes(law))
    growth = np.log10(center[window][-1] / center[window][0])
    if abs(growth) < tol.min_decay_decades:  # a decaying error contradicts it: judged
        fit.status = "insufficient"
        fit.reason = (f"the error changes by {growth:.2f} decades in the window (less than "
                      f"min_decay_decades={tol.min_decay_decades:g} either way)")
    return fit


def _analyse_floor(curve: Curve, law: RateLaw, params: dict[str, float], tol: Tolerances,
                   how: str, t_min: float | None) -> Fit:
    """A floor claim: the plateau over the final local window, which must be flat."""
    reason = _diverged(curve, tol)
    if reason:
        return Fit("diverged", "floor", reason, seeds=curve.values.shape[0])
    t, values = curve.t, curve.values
    seeds = values.shape[0]
    center = aggregate(values, how)
    start = int(np.searchsorted(t, t_min)) if t_min else 0
    index = np.arange(start, t.size)
    windows = FLOOR.local_windows(t[index], tol)
    if not windows:
        return Fit("insufficient", "floor", "no local window holds min_points="
                   f"{tol.min_points} checkpoints", seeds=seeds, center=center)
    final = index[windows[-1]]
    tw = t[final]
    estimate = FLOOR.estimate(tw, center[final])
    fit = Fit("ok", "floor", "", estimate,
              _confidence(values[:, final], tw, FLOOR, how, tol, estimate),
              FLOOR.expected(law, tw, params), (float(tw[0]), float(tw[-1])), int(final.size),
              seeds=seeds, center=center,
              local=[Local(float(t[index][m][0]), float(t[index][m][-1]),
                           POWER.estimate(t[index][m], center[index][m]), 0.0)
                     for m in windows])
    drift = POWER.estimate(tw, center[final])
    if abs(drift) > tol.stall_slope:
        fit.status = "insufficient"
        fit.reason = (f"not settled: the log-log slope over the final window [{tw[0]:g}, "
                      f"{tw[-1]:g}] is {drift:.3f} (|slope| > stall_slope={tol.stall_slope:g})")
    return fit


def _floor_contradicts(t, center, start, end, threshold, law, params) -> str:
    """A lower bound contradicted: the error reached the floor and stayed there, where the
    claimed law anchored at the middle of the usable range (in log t for power laws, in t for
    factors; past an early transient, which may decay faster than the bound's constant
    allows) is still above the floor at the horizon."""
    if law.shape == "geometric" and not law.has_factor:
        return ""
    if np.any(center[end:] > threshold * 10):
        return ""  # it did not stay at the floor
    usable = t[start:end]
    if usable.size == 0:
        return ""
    middle = np.sqrt(usable[0] * usable[-1]) if law.shape != "geometric" \
        else (usable[0] + usable[-1]) / 2
    anchor = start + int(np.searchsorted(usable, middle))
    t0, v0 = t[anchor], center[anchor]
    try:
        if law.shape == "geometric":
            predicted = v0 * np.exp(-rate_constant(law, params) * (t[-1] - t0))
        else:
            r = law_values(law, np.array([t0, t[-1]]), params)
            if not np.all(np.isfinite(r)):
                return ""
            predicted = v0 * r[1] / r[0]
    except BadInputError:
        return ""
    if predicted <= threshold:
        return ""
    return (f"the error reached the floor ({threshold:.3g}) at t={t[end]:g} and stayed there; "
            f"the claimed lower bound {law.text} anchored at t={t0:g} is still "
            f"{predicted:.3g} at t={t[-1]:g}")


def _confidence(values: np.ndarray, t: np.ndarray, kind: LawKind, how: str, tol: Tolerances,
                estimate: float) -> tuple[float, float]:
    """A t-interval: jackknife over seeds (3 or more), else the regression's standard error.

    The jackknife estimates the standard error of the aggregate's estimate from its
    leave-one-seed-out values; unlike a percentile bootstrap it stays valid with 4-8 seeds.
    """
    from scipy import stats

    seeds = values.shape[0]
    alpha = 1 - tol.confidence
    if seeds >= 3:
        leave_out = np.array([kind.estimate(t, aggregate(np.delete(values, i, axis=0), how))
                              for i in range(seeds)])
        se = np.sqrt((seeds - 1) / seeds * np.sum((leave_out - leave_out.mean()) ** 2))
        half = stats.t.ppf(1 - alpha / 2, seeds - 1) * se
    else:
        y = log_values(aggregate(values, how))
        se = slope_stderr(kind.x(t), y)
        half = stats.t.ppf(1 - alpha / 2, max(t.size - 2, 1)) * se
    return float(estimate - half), float(estimate + half)
