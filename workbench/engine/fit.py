"""Fit observed error curves: shape tests per seed, the usable range, local estimates, CIs.

The fitter knows rate laws (to compute the expected value over its own windows) but nothing
of problems, kernels or claims. What is fitted and how it is judged is the law kind's
(:mod:`workbench.engine.laws`); this module does what every kind shares:

1. divergence, per seed, against a reference no single draw sets (the largest early value
   across seeds) and only when it persists to the end;
2. stalls and shapes, read from what the claim is about: for claims about an aggregate
   (``mean``, ``median``) the stall screen reads the aggregate and a per-seed shape screen
   (the kind's wrong shape: a geometric claim's sublinear decay, a power law's geometric
   decay under a lower bound) needs more than ``shape_share`` of the seeds (a mean of
   geometric curves with different rates is still linear convergence, though its semilog
   rate falls, so shapes are read per seed); for ``each``, ``max`` and quantiles every seed
   is screened and one is enough;
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

from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from workbench.cards.ratelaw import RateLaw
from workbench.cards.tolerances import Tolerances
from workbench.engine.laws import (
    LawKind,
    Local,
    Measurement,
    Sample,
    kind_named,
    kind_of,
    without_prefactor,
)
from workbench.engine.pooling import aggregate, log_values, slope
from workbench.errors import BadInputError

__all__ = ["Curve", "Fit", "aggregate", "fit_curve"]


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
    drift: float | None = None

    @property
    def kind(self) -> LawKind:
        return kind_named(self.model)

    @property
    def factor(self) -> float | None:
        """Contraction (geometric) or growth (growth) factor per unit of ``t``."""
        return self.kind.factor(self.estimate)

    def measurement(self) -> Measurement:
        """What the fit measured, as its law kind judges it."""
        return Measurement(**{f.name: getattr(self, f.name) for f in fields(Measurement)})

    @classmethod
    def measured(cls, kind: LawKind, m: Measurement, seeds: int, center: np.ndarray) -> Fit:
        """The fit of a kind's measurement on ``seeds`` seeds whose aggregate is ``center``
        (unless the measurement shows another curve)."""
        values = {f.name: getattr(m, f.name) for f in fields(Measurement)}
        values["center"] = center if m.center is None else m.center
        values["seeds"] = seeds
        return cls(model=kind.name, **values)

    def to_dict(self) -> dict[str, Any]:
        """The fit's part of the ``observed`` JSON object."""
        out: dict[str, Any] = {"model": self.model, "quantity": self.kind.quantity,
                               "status": self.status, "seeds": self.seeds,
                               "estimate": self.estimate,
                               "ci": list(self.ci) if self.ci else None,
                               "expected": self.expected,
                               "local": [w.to_dict() for w in self.local]}
        out.update(self.kind.json_fields(self.measurement()))
        if self.per_seed:
            out["per_seed"] = [{"status": f.status, "estimate": f.estimate,
                                "ci": list(f.ci) if f.ci else None, "expected": f.expected,
                                "reason": f.reason} for f in self.per_seed]
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def divergence_reference(curve: Curve, tol: Tolerances, plateau: float = 0.0) -> float:
    """What growth is measured against: the largest finite value across seeds over the first
    ``diverge_persist`` checkpoints, the floor, and a floor claim's ``plateau``. A single
    draw cannot lower it (a first step that lands on the optimum reads 0)."""
    early = curve.values[:, :tol.diverge_persist]
    early = np.abs(early[np.isfinite(early)])
    return float(max(early.max() if early.size else 0.0, curve.floor, plateau))


def _diverged(curve: Curve, tol: Tolerances, reference: float | None = None) -> str:
    """A reason when some seed is not finite or its last ``diverge_persist`` checkpoints all
    exceed ``diverge_factor`` times the reference (:func:`divergence_reference`)."""
    ref = divergence_reference(curve, tol) if reference is None else reference
    persist = min(tol.diverge_persist, curve.t.size)
    bad = []
    for row in curve.values:
        finite = np.isfinite(row)
        if not finite.all():
            bad.append(curve.t[np.flatnonzero(~finite)[0]])
            continue
        grown = row > tol.diverge_factor * ref
        if grown[-persist:].all():
            settled = np.flatnonzero(~grown)
            bad.append(curve.t[settled[-1] + 1 if settled.size else 0])
    if not bad:
        return ""
    return (f"{len(bad)} of {curve.values.shape[0]} seeds diverged (NaN or inf, or growth "
            f"beyond {tol.diverge_factor:g}x the largest early value across seeds, {ref:.3g}, "
            f"to the end: diverge_persist={tol.diverge_persist:g} checkpoints), first at "
            f"t={min(bad):g}")


def _claimed_plateau(curve: Curve, law: RateLaw, params: dict[str, float],
                     kind: LawKind) -> float:
    """A level the claim states (a floor claim's plateau: part of the divergence
    reference), else 0."""
    if not kind.states_level:
        return 0.0
    value = abs(kind.expected(law, curve.t, params) or 0.0)
    return float(value) if np.isfinite(value) else 0.0


def fit_curve(curve: Curve, law: RateLaw, params: dict[str, float], tol: Tolerances,
              how: str = "mean", t_min: float | None = None,
              seed_params: list[dict[str, float]] | None = None,
              reference: float | None = None) -> Fit:
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
    reference
        What divergence is measured against (default :func:`divergence_reference` of
        ``curve``); ``"each"`` passes the one of all seeds to every seed's fit.
    """
    kind = kind_of(law, params)
    seeds = curve.values.shape[0]
    if reference is None:
        reference = divergence_reference(curve, tol, _claimed_plateau(curve, law, params, kind))
    if not kind.decays:
        if how == "each":
            return _fit_each(curve, law, params, tol, t_min, seed_params, kind, reference)
        if not kind.measures_growth:
            reason = _diverged(curve, tol, reference)
            if reason:
                return Fit("diverged", kind.name, reason, seeds=seeds)
        t, values = curve.t, curve.values
        center = aggregate(values, how)
        start = int(np.searchsorted(t, t_min)) if t_min else 0
        sample = Sample(t, values, center, start, t.size, how)
        return Fit.measured(kind, kind.measure(sample, law, params, tol), seeds, center)
    # A prefactor's own rise (T**2*rho**T climbs before it falls) is not divergence.
    factor_only = replace(curve, values=without_prefactor(law, curve.t, curve.values, params))
    reason = _diverged(factor_only, tol, reference if law.prefactor is None else None)
    if reason:
        if law.prefactor is not None:
            reason += f" (the error divided by the law's prefactor {law.prefactor})"
        return Fit("diverged", kind.name, reason, seeds=seeds)
    if how == "each":
        return _fit_each(curve, law, params, tol, t_min, seed_params, kind, reference)
    shape = _screen(curve, law, kind, params, tol, how, t_min)
    if shape is not None:
        return Fit(shape[0], kind.name, shape[1], seeds=seeds,
                   center=aggregate(curve.values, how))
    return _analyse(curve, law, params, tol, how, t_min, kind)


def _screen(curve: Curve, law: RateLaw, kind: LawKind, params: dict[str, float],
            tol: Tolerances, how: str, t_min: float | None) -> tuple[str, str] | None:
    """Stall and shape screens on what the claim is about (module docstring, step 2)."""
    t, values, floor = curve.t, curve.values, curve.floor
    seeds = values.shape[0]
    if seeds == 1 or how not in ("mean", "median"):
        for s, row in enumerate(values):  # every run (each, max, quantiles): one is enough
            shape = _stalled(t, row, floor, law, kind, params, tol, t_min) \
                or _shape(t, row, floor, law, kind, params, tol, t_min)
            if shape is not None:
                label = f"seed {s + 1} of {seeds}: " if seeds > 1 else ""
                return shape[0], label + shape[1]
        return None
    stalled = _stalled(t, aggregate(values, how), floor, law, kind, params, tol, t_min)
    if stalled is not None:
        return stalled[0], f"the {how} of {seeds} seeds: {stalled[1]}"
    shapes = [(s, found) for s, row in enumerate(values)
              if (found := _shape(t, row, floor, law, kind, params, tol, t_min)) is not None]
    for status in sorted({found[0] for _, found in shapes}):
        hits = [(s, why) for s, (st, why) in shapes if st == status]
        if len(hits) > tol.shape_share * seeds:
            s, why = hits[0]
            return status, (f"{len(hits)} of {seeds} seeds (more than shape_share="
                            f"{tol.shape_share:g}); seed {s + 1}: {why}")
    return None


def _fit_each(curve: Curve, law: RateLaw, params: dict[str, float], tol: Tolerances,
              t_min: float | None, seed_params: list[dict[str, float]] | None,
              kind: LawKind, reference: float) -> Fit:
    seeds = curve.values.shape[0]
    per_tol = replace(tol, confidence=1 - (1 - tol.confidence) / seeds)
    fits = []
    for s in range(seeds):
        single = Curve(curve.t, curve.values[s:s + 1], curve.floor)
        values = seed_params[s] if seed_params else params
        fits.append(fit_curve(single, law, values, per_tol, "mean", t_min,
                              reference=reference))
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


def _stalled(t: np.ndarray, row: np.ndarray, floor: float, law: RateLaw, kind: LawKind,
             params: dict[str, float], tol: Tolerances,
             t_min: float | None) -> tuple[str, str] | None:
    """A plateau where the law keeps falling, in one trace (a seed or an aggregate)."""
    start, _, _, reached = _usable(t, row, floor, tol, t_min)
    if reached or law.error_bound == "lower":
        return None
    stalled = _stall(t[start:], row[start:], law, kind, params, tol)
    return ("stalled", stalled) if stalled else None


def _shape(t: np.ndarray, row: np.ndarray, floor: float, law: RateLaw, kind: LawKind,
           params: dict[str, float], tol: Tolerances,
           t_min: float | None) -> tuple[str, str] | None:
    """The kind's wrong shape in one seed's usable trace; else None."""
    start, end, _, _ = _usable(t, row, floor, tol, t_min)
    if end - start < tol.min_points:
        return None
    return kind.wrong_shape(t[start:end], row[start:end], law, params, tol)


def _stall(t: np.ndarray, center: np.ndarray, law: RateLaw, kind: LawKind,
           params: dict[str, float], tol: Tolerances) -> str:
    """A reason string when the tail is flat where the law says the error keeps falling."""
    if t.size < tol.min_points:
        return ""
    tail_lo = t[-1] / (t[-1] / t[0]) ** 0.25
    tail = t >= tail_lo
    if tail.sum() < 3:
        return ""
    observed = slope(np.log(t[tail]), log_values(center[tail]))
    stall = kind.stall(law, t[tail], params, tol)
    if stall is None:
        return ""
    limit, claim = stall
    if observed <= limit:
        return ""
    return (f"plateau at {center[-1]:.3g}: log-log slope {observed:.3f} over t in "
            f"[{t[tail][0]:g}, {t[-1]:g}], flatter than {limit:.3f}; {claim}")


def _analyse(curve: Curve, law: RateLaw, params: dict[str, float], tol: Tolerances,
             how: str, t_min: float | None, kind: LawKind) -> Fit:
    """The shared steps of a decaying kind (the usable range above the floor, a lower bound
    contradicted there), then the kind's measurement."""
    t, values = curve.t, curve.values
    seeds = values.shape[0]
    center = aggregate(values, how)
    start, end, threshold, reached = _usable(t, center, curve.floor, tol, t_min)
    floor_note = f"; the error reached the floor ({threshold:.3g}) at t={t[end]:g}" \
        if reached else ""
    if reached and law.error_bound != "upper":
        contradiction = _floor_contradicts(t, center, start, end, threshold, law, kind,
                                           params)
        if contradiction:
            return Fit("floor_early", kind.name, contradiction, seeds=seeds, center=center)
    if end - start < tol.min_points:
        return Fit("insufficient", kind.name, f"only {max(end - start, 0)} checkpoints above "
                   f"the floor from t={t[min(start, t.size - 1)]:g}{floor_note}", seeds=seeds,
                   center=center)
    sample = Sample(t, values, center, start, end, how, floor_note)
    return Fit.measured(kind, kind.measure(sample, law, params, tol), seeds, center)


def _floor_contradicts(t, center, start, end, threshold, law, kind, params) -> str:
    """A lower bound contradicted: the error reached the floor and stayed there, where the
    claimed law anchored at the middle of the usable range (on the kind's axis; past an early
    transient, which may decay faster than the bound's constant allows) is still above the
    floor at the horizon."""
    if np.any(center[end:] > threshold * 10):
        return ""  # it did not stay at the floor
    usable = t[start:end]
    if usable.size == 0:
        return ""
    middle = kind.middle(usable)
    anchor = start + int(np.searchsorted(usable, middle))
    t0, v0 = t[anchor], center[anchor]
    try:
        predicted = kind.predicted(law, params, t0, v0, t[-1])
    except BadInputError:
        return ""
    if predicted is None or predicted <= threshold:
        return ""
    return (f"the error reached the floor ({threshold:.3g}) at t={t[end]:g} and stayed there; "
            f"the claimed lower bound {law.text} anchored at t={t0:g} is still "
            f"{predicted:.3g} at t={t[-1]:g}")
