"""Fit observed error curves: choose the window, fit the model, bootstrap a CI over seeds.

The fitter knows rate laws (to compute the expected slope over its own window) but nothing
of problems, kernels or claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workbench.cards.claims import AGGREGATES
from workbench.cards.ratelaw import RateLaw
from workbench.cards.tolerances import Tolerances
from workbench.errors import BadInputError


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

    ``status`` is ``"ok"``, ``"diverged"``, ``"stalled"`` or ``"insufficient"`` (with
    ``reason``). ``estimate`` is a log-log slope for power laws and a rate constant per unit
    of ``t`` (``exp(-c t)``) for geometric laws; ``expected`` is the same quantity computed
    from the claimed law over the same window (None when the law fixes only the shape).
    """

    status: str
    model: str
    reason: str = ""
    estimate: float | None = None
    ci: tuple[float, float] | None = None
    expected: float | None = None
    window: tuple[float, float] | None = None
    n_points: int = 0
    shape_ratio: float | None = None
    seeds: int = 0
    center: np.ndarray | None = field(default=None, repr=False)

    @property
    def factor(self) -> float | None:
        """Contraction factor per unit of ``t`` for geometric fits."""
        return None if self.model != "geometric" or self.estimate is None \
            else float(np.exp(-self.estimate))

    def to_dict(self) -> dict[str, Any]:
        """The fit's part of the ``observed`` JSON object."""
        out: dict[str, Any] = {"model": self.model, "status": self.status,
                               "seeds": self.seeds, "estimate": self.estimate,
                               "ci": list(self.ci) if self.ci else None,
                               "expected": self.expected}
        if self.model == "power":
            out["exponent"] = self.estimate
        else:
            out.update(rate_constant=self.estimate, factor=self.factor,
                       shape_ratio=self.shape_ratio)
        return out


def aggregate(values: np.ndarray, how: str) -> np.ndarray:
    """Combine seeds: ``mean`` for claims in expectation, ``median``, or ``max`` (worst)."""
    if how == "mean":
        return values.mean(axis=0)
    if how == "median":
        return np.median(values, axis=0)
    if how == "max":
        return values.max(axis=0)
    raise BadInputError(f"unknown aggregate {how!r}; known: {', '.join(AGGREGATES)}",
                   field="aggregate")


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.polyfit(x, y, 1)[0])


def _fit_model(model: str, t: np.ndarray, v: np.ndarray) -> float:
    logv = np.log(np.maximum(v, np.finfo(float).tiny))
    return _slope(np.log(t), logv) if model == "power" else -_slope(t, logv)


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


def _expected(law: RateLaw, t: np.ndarray, params: dict[str, float]) -> float | None:
    if law.shape == "power":
        return law.log_slope(t, params)
    if law.has_factor:
        return law.rate_constant_value(params)
    return None


def fit_curve(curve: Curve, law: RateLaw, params: dict[str, float], tol: Tolerances,
              how: str = "mean", t_min: float | None = None) -> Fit:
    """Fit ``curve`` with the model the law calls for and compare nothing yet.

    Parameters
    ----------
    curve
        The traces of all seeds.
    law
        The claimed rate; its shape picks the model, and its expression gives the expected
        slope over the chosen window.
    params
        Values of the law's other symbols.
    tol
        Window and detection tolerances.
    how
        How seeds are combined (see :func:`aggregate`).
    t_min
        Start of the usable range (a card's stated end of the transient), if any.
    """
    model = law.shape
    seeds = curve.values.shape[0]
    reason = _diverged(curve, tol)
    if reason:
        return Fit("diverged", model, reason, seeds=seeds)
    center = aggregate(curve.values, how)
    t = curve.t
    threshold = max(curve.floor, tol.rel_floor * center[0]) * tol.floor_margin
    below = np.flatnonzero(center <= threshold)
    end = below[0] if below.size else t.size
    start = int(np.searchsorted(t, t_min)) if t_min else 0
    if not below.size and law.error_bound != "lower":
        stalled = _stall(t[start:], center[start:], law, params, tol)
        if stalled:
            return Fit("stalled", model, stalled, seeds=seeds, center=center)
    floor_note = f"; the error reached the floor ({threshold:.3g}) at t={t[end]:g}" \
        if below.size else ""
    if end - start < tol.min_points:
        return Fit("insufficient", model, f"only {max(end - start, 0)} checkpoints above the "
                   f"floor from t={t[min(start, t.size - 1)]:g}{floor_note}", seeds=seeds,
                   center=center)
    usable_t = t[start:end]
    if model == "power":
        decades = np.log10(usable_t[-1] / usable_t[0])
        if decades < tol.min_window_decades:
            return Fit("insufficient", model, f"usable range spans {decades:.2f} decades of t "
                       f"(< min_window_decades={tol.min_window_decades:g}){floor_note}",
                       seeds=seeds, center=center)
        span = max(tol.window_fraction * decades, tol.min_window_decades)
        lo = usable_t[-1] / 10**span
    else:
        lo = usable_t[-1] - tol.window_fraction * (usable_t[-1] - usable_t[0])
    in_window = np.arange(start, end)[usable_t >= lo * (1 - 1e-12)]
    if in_window.size < tol.min_points:
        return Fit("insufficient", model, f"only {in_window.size} checkpoints in the window "
                   f"[{lo:g}, {usable_t[-1]:g}] (< min_points={tol.min_points}){floor_note}",
                   seeds=seeds, center=center)
    tw, vw = t[in_window], center[in_window]
    estimate = _fit_model(model, tw, vw)
    ci = _confidence(curve.values[:, in_window], tw, model, how, tol)
    fit = Fit("ok", model, "", estimate, ci, _expected(law, tw, params),
              (float(tw[0]), float(tw[-1])), int(in_window.size), seeds=seeds, center=center)
    if model == "geometric":
        decay = np.log10(vw[0] / vw[-1])
        if decay < tol.min_decay_decades:
            fit.status = "insufficient"
            fit.reason = (f"the error falls {decay:.2f} decades in the window (< "
                          f"min_decay_decades={tol.min_decay_decades:g})")
        half = tw.size // 2
        early = _fit_model(model, tw[: half + 1], vw[: half + 1])
        late = _fit_model(model, tw[half:], vw[half:])
        fit.shape_ratio = late / early if early > 0 else None
    return fit


def _stall(t: np.ndarray, center: np.ndarray, law: RateLaw, params: dict[str, float],
           tol: Tolerances) -> str:
    """A reason string when the tail is flat where the law says the error keeps falling."""
    if t.size < tol.min_points:
        return ""
    tail_lo = t[-1] / (t[-1] / t[0]) ** 0.25
    tail = t >= tail_lo
    if tail.sum() < 3:
        return ""
    observed = _slope(np.log(t[tail]), np.log(np.maximum(center[tail], np.finfo(float).tiny)))
    if law.shape == "power":
        expected = law.log_slope(t[tail], params)
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


def _confidence(values: np.ndarray, t: np.ndarray, model: str, how: str,
                tol: Tolerances) -> tuple[float, float]:
    """Bootstrap over seeds (3 or more), else the regression's standard error."""
    seeds = values.shape[0]
    alpha = 1 - tol.confidence
    if seeds >= 3:
        rng = np.random.default_rng(0)
        picks = rng.integers(0, seeds, size=(tol.bootstrap, seeds))
        estimates = [_fit_model(model, t, aggregate(values[p], how)) for p in picks]
        lo, hi = np.quantile(estimates, [alpha / 2, 1 - alpha / 2])
        return float(lo), float(hi)
    from scipy import stats

    center = aggregate(values, how)
    x = np.log(t) if model == "power" else t
    y = np.log(np.maximum(center, np.finfo(float).tiny))
    result = stats.linregress(x, y)
    half = stats.t.ppf(1 - alpha / 2, t.size - 2) * result.stderr
    estimate = result.slope if model == "power" else -result.slope
    return float(estimate - half), float(estimate + half)
