"""Law kinds: what is fitted for a rate law, what is expected, and how it is judged.

A kind is one object that owns everything asked of it: its fitted quantity (name, symbol,
label, axes, baseline quantity), how a window and its local sub-windows are laid out, the
estimator, the measurement on the usable range (:meth:`LawKind.measure`, returning a
:class:`Measurement`), the expected value from the claimed law over the same points, the
judgement of a measurement (:meth:`LawKind.judge`), and what the table, ``--json``, figures,
baselines and the pytest plugin print of it. :func:`kind_of` picks the kind of a parsed law;
no other module branches on which kind a law or fit is. A new kind is one new class here
(registered in :data:`KINDS`) plus its card check in :mod:`workbench.cards.claims`.

The analysis follows how numerical analysts read an observed order of convergence: local
estimates over successive sub-windows of the usable range, and the *trend* of their
deviation from the claim. A deviation that dies out like a power of ``t`` is a transient; one
that persists (or dies out only like ``1/log t``, as a missing log factor does) keeps the ratio
``error / r(T)`` growing and contradicts an ``O`` bound.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
import sympy as sp

from workbench.cards.ratelaw import RateLaw
from workbench.cards.tolerances import Tolerances
from workbench.engine.outcome import (
    CONSISTENT,
    INCONCLUSIVE,
    MISMATCH,
    Verdict,
    judge_interval,
    seeds_to_settle,
)
from workbench.engine.pooling import TINY, aggregate, confidence, log_values, slope, slope_stderr
from workbench.errors import BadInputError

__all__ = ["FLOOR", "GEOMETRIC", "GROWTH", "KINDS", "POWER", "TINY", "LawKind", "Local",
           "Measurement", "Sample", "kind_named", "kind_of", "law_values", "log_values",
           "rate_constant", "slope", "slope_stderr", "without_prefactor"]

# A diverging error is fitted while it stays below this (far from overflow).
GROWTH_CEILING = 1e250


@lru_cache(maxsize=512)
def _lambdified(law: RateLaw, values: tuple[tuple[str, float], ...]) -> Callable:
    expr = law.inner.subs({sp.Symbol(name, positive=True): value for name, value in values})
    return sp.lambdify(law.var, expr, modules="numpy")


def law_values(law: RateLaw, t: np.ndarray, params: dict[str, float]) -> np.ndarray:
    """The law's expression at ``t``; ``nan`` where it is not positive and finite.

    Compiled once per law and symbol values (the local analysis evaluates it many times).
    """
    missing = law.missing(params)
    if missing:
        raise BadInputError(f"rate symbol(s) {', '.join(missing)} have no value", field="rate")
    function = _lambdified(law, tuple((name, float(params[name])) for name in law.parameters))
    t = np.asarray(t, dtype=float)
    with np.errstate(all="ignore"):
        out = np.broadcast_to(np.asarray(function(t), dtype=float), t.shape).astype(float)
    out[~(np.isfinite(out) & (out > 0))] = np.nan
    return out


@lru_cache(maxsize=512)
def _log_prefactor_function(law: RateLaw) -> tuple[Callable, tuple[str, ...]]:
    names = law.parameters
    symbols = [law.var, *(sp.Symbol(name, positive=True) for name in names)]
    return sp.lambdify(symbols, law.log_prefactor, modules="numpy"), names


def without_prefactor(law: RateLaw, t: np.ndarray, values: np.ndarray,
                      params: dict[str, float]) -> np.ndarray:
    """``values / P(t)`` for a factor law with a sub-exponential prefactor ``P``
    (:attr:`RateLaw.log_prefactor`: ``T*rho**T`` gives ``values / t``), else ``values``:
    the error the explicit factor alone bounds, whose semilog slope is the factor's rate."""
    if law.log_prefactor is None:
        return values
    missing = law.missing(params)
    if missing:
        raise BadInputError(f"rate symbol(s) {', '.join(missing)} have no value", field="rate")
    function, names = _log_prefactor_function(law)
    with np.errstate(all="ignore"):
        log_p = function(np.asarray(t, dtype=float), *(float(params[n]) for n in names))
    return values / np.exp(np.broadcast_to(log_p, np.shape(t)))


@lru_cache(maxsize=512)
def _rate_constant_function(law: RateLaw) -> tuple[Callable, tuple[str, ...]]:
    names = law.parameters
    symbols = [sp.Symbol(name, positive=True) for name in names]
    return sp.lambdify(symbols, law.rate_constant, modules="numpy"), names


def rate_constant(law: RateLaw, params: dict[str, float]) -> float:
    """``c`` in ``exp(-c T)`` of a geometric law with the symbols' values ``params``:
    :meth:`RateLaw.rate_constant_value`, compiled once per law (it runs per seed and point)."""
    missing = law.missing(params)
    if missing:
        raise BadInputError(f"rate symbol(s) {', '.join(missing)} have no value", field="rate")
    function, names = _rate_constant_function(law)
    with np.errstate(all="ignore"):
        return float(function(*(float(params[name]) for name in names)))


@dataclass(frozen=True)
class Local:
    """One sub-window's local estimate and what the claimed law gives over it."""

    t_lo: float
    t_hi: float
    estimate: float
    expected: float | None

    @property
    def deviation(self) -> float | None:
        return None if self.expected is None else self.estimate - self.expected

    def to_dict(self) -> dict[str, Any]:
        return {"t_lo": self.t_lo, "t_hi": self.t_hi, "estimate": self.estimate,
                "expected": self.expected, "deviation": self.deviation}


@dataclass(frozen=True)
class Sample:
    """The seeds' curves on their grid, with the range a kind measures over.

    ``center`` is the aggregate of ``values`` (``how``); ``start:end`` the usable range (for
    decaying kinds it ends where the error reached the floor); ``floor_note`` says so, for
    the reasons of an insufficient fit.
    """

    t: np.ndarray
    values: np.ndarray
    center: np.ndarray
    start: int
    end: int
    how: str
    floor_note: str = ""

    @property
    def index(self) -> np.ndarray:
        return np.arange(self.start, self.end)


@dataclass(frozen=True)
class Measurement:
    """What a kind measured on a sample: the value its :meth:`LawKind.judge` reads.

    ``status`` is ``"ok"`` or ``"insufficient"`` (with ``reason``); ``estimate`` the kind's
    quantity over the final window, ``ci`` its interval, ``expected`` the claim's value over
    the same points (None when the law fixes only a shape); ``local`` the local sequence;
    ``ratio_growth`` (power laws) the growth of ``error / r(T)`` over the later half of the
    range; ``rate_decay`` (geometric laws) the exponent of the semilog rate's fall over the
    window and its final half; ``seed_rates`` (geometric laws) each seed's rate constant;
    ``drift`` (floor laws) the log-log slope over the final window (a plateau still moving);
    ``seeds`` how many seeds the interval is over (a "too noisy" verdict says how many would
    settle it); ``center`` the curve to show when it is not the sample's aggregate.
    """

    status: str = "ok"
    reason: str = ""
    estimate: float | None = None
    ci: tuple[float, float] | None = None
    expected: float | None = None
    window: tuple[float, float] | None = None
    n_points: int = 0
    local: list[Local] = field(default_factory=list)
    ratio_growth: float | None = None
    rate_decay: tuple[float | None, float | None] | None = None
    seed_rates: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    drift: float | None = None
    seeds: int = 0
    center: np.ndarray | None = field(default=None, repr=False)


def _insufficient(reason: str, center: np.ndarray | None = None) -> Measurement:
    return Measurement("insufficient", reason, center=center)


class LawKind:
    """Interface of a law kind (see the module docstring)."""

    name = ""
    #: The fitted quantity's symbol in the CI column, and its name.
    symbol = ""
    quantity = ""
    #: The prefix of the CI column (``"c in "``; empty for slopes, read as such).
    ci_label = ""
    xscale = "log"
    #: True when a larger estimate means faster convergence.
    faster_is_high = False
    #: True when the claimed error falls to zero: the fitter screens each seed for divergence
    #: and a wrong shape and cuts the usable range where the error reaches the floor.
    decays = True
    #: True when a divergence claim's growth is the measured quantity, not a mismatch.
    measures_growth = False
    #: True when the plan adds evenly spaced checkpoints (windows in linear ``t``).
    linear_checkpoints = False
    #: The baseline's name of the quantity, and whether baselines compare it on a log scale.
    baseline_quantity = ""
    baseline_log_scale = False
    #: The diagnostics panel's local quantity, its plural (the panel title) and y label.
    local_quantity = ""
    local_plural = ""
    local_ylabel = ""
    #: True when the diagnostics panel marks a side of the claim where estimates contradict it.
    local_has_side = True
    #: True when the claim is a stated level, drawn where it is rather than as a shape.
    states_level = False

    def x(self, t: np.ndarray) -> np.ndarray:
        """The abscissa the estimate is a slope against."""
        raise NotImplementedError

    def estimate(self, t: np.ndarray, v: np.ndarray) -> float:
        raise NotImplementedError

    def expected(self, law: RateLaw, t: np.ndarray, params: dict[str, float]) -> float | None:
        raise NotImplementedError

    def window(self, t: np.ndarray, tol: Tolerances) -> np.ndarray:
        """Mask of the fit window inside the usable range ``t``."""
        raise NotImplementedError

    def local_windows(self, t: np.ndarray, tol: Tolerances) -> list[np.ndarray]:
        """Masks of successive sub-windows of the usable range, ending at its end."""
        raise NotImplementedError

    def measure(self, sample: Sample, law: RateLaw, params: dict[str, float],
                tol: Tolerances) -> Measurement:
        """The kind's quantity over the sample's usable range, with its interval."""
        raise NotImplementedError

    def judge(self, m: Measurement, law: RateLaw, tol: Tolerances) -> Verdict:
        """The verdict of an ``ok`` measurement against the claimed law."""
        raise NotImplementedError

    def describe(self, estimate: float, expected: float | None) -> str:
        raise NotImplementedError

    def interval(self, values: np.ndarray, t: np.ndarray, how: str, tol: Tolerances,
                 estimate: float) -> tuple[float, float]:
        """The confidence interval of ``estimate`` over the seeds ``values``."""
        return confidence(values, t, self.estimate, self.x, how, tol, estimate)

    # What a power check asks (:mod:`workbench.engine.power`).

    #: Whether the claim is moved by adding a distance (``"absolute"``) or by a factor.
    power_unit = "relative"

    def power_distance(self, tol: Tolerances) -> float:
        """How far the claim is moved to test whether its check could fail."""
        return tol.power_rtol

    def moved_value(self, value: float, side: int, x: float) -> float:
        """The claimed quantity ``value`` moved by ``x`` toward less error (``side = 1``: a
        stronger upper bound) or more error (``side = -1``: a stronger lower bound)."""
        raise NotImplementedError

    def moved(self, m: Measurement, side: int, x: float) -> Measurement | None:
        """The measurement as the claim moved by ``x`` (:meth:`moved_value`) would read it:
        the same data, the expected values moved. None when the claim fixes no value."""
        if m.expected is None:
            return None
        local = [w if w.expected is None else
                 Local(w.t_lo, w.t_hi, w.estimate, self.moved_value(w.expected, side, x))
                 for w in m.local]
        return replace(m, expected=self.moved_value(m.expected, side, x), local=local)

    # What the outputs ask.

    def factor(self, estimate: float | None) -> float | None:
        """Contraction or growth factor per unit of ``t``; None for kinds without one."""
        return None

    def json_fields(self, m: Measurement) -> dict[str, Any]:
        """The kind's own fields of the ``observed`` JSON object."""
        raise NotImplementedError

    def expected_text(self, expected: float, tol: Tolerances) -> str:
        """The claimed value with its tolerance (the pytest plugin's failure message)."""
        return f"{self.quantity} {expected:.4g} ± {tol.rate_rtol:.0%}"

    def summary(self, estimate: float, expected: float | None, ci_text: str,
                tol: Tolerances) -> str:
        """The figure's verdict-box line of the estimate; ``ci_text`` is ``CI [lo, hi]``."""
        return f"{self.describe(estimate, expected)}, {ci_text}"

    def stall(self, law: RateLaw, t: np.ndarray, params: dict[str, float],
              tol: Tolerances) -> tuple[float, str] | None:
        """The tail's log-log slope flatter than which the error counts as stalled, and what
        the claim expects; None where the law leaves no stall to detect."""
        return None

    def wrong_shape(self, t: np.ndarray, v: np.ndarray, law: RateLaw,
                    params: dict[str, float], tol: Tolerances) -> tuple[str, str] | None:
        """``(status, reason)`` when one seed's usable trace has the wrong shape."""
        return None

    def aggregate_symbols(self, law: RateLaw,
                          per_seed: list[dict[str, float]]) -> dict[str, float]:
        """The symbols' values for a claim on the aggregate of several seeds: the median over
        seeds of each value."""
        return {k: float(np.median([values[k] for values in per_seed])) for k in per_seed[0]}

    def middle(self, t: np.ndarray) -> float:
        """The middle of the range ``t`` on the kind's axis (a lower bound's anchor)."""
        return float(np.sqrt(t[0] * t[-1]))

    def predicted(self, law: RateLaw, params: dict[str, float], t0: float, v0: float,
                  t1: float) -> float | None:
        """The claimed law anchored at ``(t0, v0)``, at ``t1``; None when it fixes no value."""
        return None

    def fitted_values(self, t: np.ndarray, log_v: np.ndarray,
                      estimate: float) -> tuple[np.ndarray, str]:
        """The fitted model over the window ``t`` (through the aggregate's logs ``log_v``),
        and its legend label."""
        raise NotImplementedError

    def local_band(self, expected: np.ndarray, has: bool,
                   tol: Tolerances) -> tuple[tuple[np.ndarray, np.ndarray] | None, str]:
        """The diagnostics panel's tolerance band around the claimed local values (when
        ``has`` them), and its label."""
        raise NotImplementedError


class PowerKind(LawKind):
    """``O/Omega/Theta(T**-p * log factors)``: the log-log slope."""

    name = "power"
    symbol = "slope"
    quantity = "log-log slope"
    ci_label = ""
    xscale = "log"
    faster_is_high = False
    baseline_quantity = "exponent"
    local_quantity = "log-log slope"
    local_plural = "slopes"
    local_ylabel = "local log-log slope"

    def x(self, t: np.ndarray) -> np.ndarray:
        return np.log(t)

    def estimate(self, t: np.ndarray, v: np.ndarray) -> float:
        return slope(np.log(t), log_values(v))

    def expected(self, law: RateLaw, t: np.ndarray, params: dict[str, float]) -> float | None:
        """The least-squares log-log slope of the claimed expression over ``t`` (so log
        factors are honoured over the window actually used)."""
        return slope(np.log(t), np.log(law_values(law, t, params)))

    def local_width(self, t: np.ndarray, tol: Tolerances) -> float:
        """Width in decades of a local window: a fraction of the usable log-range."""
        decades = np.log10(t[-1] / t[0])
        return max(tol.local_fraction * decades, tol.min_local_decades)

    def window(self, t: np.ndarray, tol: Tolerances) -> np.ndarray:
        decades = np.log10(t[-1] / t[0])
        span = max(tol.window_fraction * decades, tol.min_window_decades)
        return t >= t[-1] / 10**span * (1 - 1e-12)

    def local_windows(self, t: np.ndarray, tol: Tolerances) -> list[np.ndarray]:
        width = self.local_width(t, tol)
        logs = np.log10(t)
        windows = []
        hi = logs[-1]
        while hi - width >= logs[0] - 1e-9:
            mask = (logs >= hi - width - 1e-12) & (logs <= hi + 1e-12)
            if mask.sum() >= tol.min_points:
                windows.append(mask)
            hi -= width / 2
        return windows[::-1]

    def measure(self, sample: Sample, law: RateLaw, params: dict[str, float],
                tol: Tolerances) -> Measurement:
        """The final local log-log slope, the local sequence and the ratio test."""
        t, values, center, index = sample.t, sample.values, sample.center, sample.index
        tu, vu = t[index], center[index]
        decades = np.log10(tu[-1] / tu[0])
        if decades < tol.min_window_decades:
            return _insufficient(f"usable range spans {decades:.2f} decades of t (< "
                                 f"min_window_decades={tol.min_window_decades:g})"
                                 f"{sample.floor_note}")
        windows = self.local_windows(tu, tol)
        if not windows:
            return _insufficient(f"no local window of {self.local_width(tu, tol):.2f} decades "
                                 f"holds min_points={tol.min_points} checkpoints")
        # Only where the claimed expression is positive and finite (log(T)/T at T = 1 is not).
        valid = np.isfinite(law_values(law, tu, params))
        windows = [m for m in windows if valid[m].all()]
        if not windows:
            return _insufficient("the claimed expression is not positive and finite over any "
                                 "local window")
        local = [Local(float(tu[m][0]), float(tu[m][-1]), self.estimate(tu[m], vu[m]),
                       self.expected(law, tu[m], params)) for m in windows]
        final = index[windows[-1]]
        tw = t[final]
        estimate = local[-1].estimate
        ci = self.interval(values[:, final], tw, sample.how, tol, estimate)
        later = local[len(local) // 2:] if len(local) >= 6 else local
        span = (tu >= later[0].t_lo)
        ratio = vu[span] / law_values(law, tu[span], params)
        return Measurement("ok", "", estimate, ci, local[-1].expected,
                           (float(tw[0]), float(tw[-1])), int(final.size), local=local,
                           ratio_growth=float(ratio[-1] / ratio[0]))

    def judge(self, m: Measurement, law: RateLaw, tol: Tolerances) -> Verdict:
        return judge_power(m, law, tol)

    power_unit = "absolute"

    def power_distance(self, tol: Tolerances) -> float:
        return tol.power_slope

    def moved_value(self, value: float, side: int, x: float) -> float:
        return value - side * x  # less error: a steeper (more negative) slope

    def moved(self, m: Measurement, side: int, x: float) -> Measurement | None:
        """Also the ratio test: ``error / r(T)`` over the later local windows grows by a
        further ``(t1 / t0)**(side x)`` when ``r`` is steeper by ``side x``."""
        out = LawKind.moved(self, m, side, x)
        if out is None or m.ratio_growth is None or not m.local:
            return out
        later = m.local[len(m.local) // 2:] if len(m.local) >= 6 else m.local
        span = m.local[-1].t_hi / later[0].t_lo
        return replace(out, ratio_growth=m.ratio_growth * span ** (side * x))

    def describe(self, estimate: float, expected: float | None) -> str:
        text = f"slope {estimate:.2f}"
        return text + (f" (exp. {expected:.2f})" if expected is not None else "")

    def json_fields(self, m: Measurement) -> dict[str, Any]:
        return {"exponent": m.estimate, "ratio_growth": m.ratio_growth}

    def expected_text(self, expected: float, tol: Tolerances) -> str:
        return f"log-log slope {expected:.4g} ± slope tolerance {tol.slope:g}"

    def summary(self, estimate: float, expected: float | None, ci_text: str,
                tol: Tolerances) -> str:
        claim = f"; claimed {expected:.3f} ± {tol.slope:g}" if expected is not None else ""
        return f"final local slope {estimate:.3f}, {ci_text}{claim}"

    def stall(self, law: RateLaw, t: np.ndarray, params: dict[str, float],
              tol: Tolerances) -> tuple[float, str] | None:
        expected = self.expected(law, t, params)
        if expected >= 0:
            return None
        return tol.stall_fraction * expected, f"the claim expects {expected:.2f}"

    def wrong_shape(self, t: np.ndarray, v: np.ndarray, law: RateLaw,
                    params: dict[str, float], tol: Tolerances) -> tuple[str, str] | None:
        """Geometric decay (a steady semilog rate, ``t**0``, where a power law's falls like
        ``t**-1``) under a power law bounded from below: faster than any power. Upper bounds
        are satisfied by it and not screened."""
        if law.error_bound == "upper":
            return None
        b_window, b_final = GEOMETRIC.rate_decay(t, v, tol)
        limit = tol.sublinear_exponent
        if b_window is None or b_final is None or max(abs(b_window), abs(b_final)) > limit:
            return None
        return "superlinear", (f"geometric decay: the semilog rate is steady (t^-{b_window:.2f}"
                               f" over the window, t^-{b_final:.2f} over its final half; within "
                               f"sublinear_exponent={limit:g} of t^0) where the claimed power "
                               f"law's falls like t^-1")

    def predicted(self, law: RateLaw, params: dict[str, float], t0: float, v0: float,
                  t1: float) -> float | None:
        r = law_values(law, np.array([t0, t1]), params)
        if not np.all(np.isfinite(r)):
            return None
        return v0 * r[1] / r[0]

    def fitted_values(self, t: np.ndarray, log_v: np.ndarray,
                      estimate: float) -> tuple[np.ndarray, str]:
        intercept = log_v.mean() - estimate * np.log(t).mean()
        return np.exp(intercept + estimate * np.log(t)), f"fit: slope {estimate:.3g}"

    def local_band(self, expected: np.ndarray, has: bool,
                   tol: Tolerances) -> tuple[tuple[np.ndarray, np.ndarray] | None, str]:
        band = (expected - tol.slope, expected + tol.slope) if has else None
        return band, f"claim ± {tol.slope:g}"


class GeometricKind(LawKind):
    """``exp(-K(g T))`` or an explicit factor: the rate constant ``c`` of ``exp(-c t)``."""

    name = "geometric"
    symbol = "c"
    quantity = "rate constant"
    ci_label = "c in "
    xscale = "linear"
    faster_is_high = True
    linear_checkpoints = True
    baseline_quantity = "rate_constant"
    baseline_log_scale = True
    local_quantity = "rate constant"
    local_plural = "rates"
    local_ylabel = r"local rate constant $c$ (error $\sim e^{-ct}$)"

    def x(self, t: np.ndarray) -> np.ndarray:
        return t

    def estimate(self, t: np.ndarray, v: np.ndarray) -> float:
        return -slope(t, log_values(v))

    def expected(self, law: RateLaw, t: np.ndarray, params: dict[str, float]) -> float | None:
        return rate_constant(law, params) if law.has_factor else None

    def window(self, t: np.ndarray, tol: Tolerances) -> np.ndarray:
        return t >= t[-1] - tol.window_fraction * (t[-1] - t[0]) - 1e-9

    def local_windows(self, t: np.ndarray, tol: Tolerances) -> list[np.ndarray]:
        """The window's quarters: equal spans of linear ``t`` when each holds 3 points or
        more, else equal numbers of checkpoints; none when the window has fewer than 8."""
        window = np.flatnonzero(self.window(t, tol))
        if window.size < 8:
            return []
        tw = t[window]
        edges = np.linspace(tw[0], tw[-1], 5)
        groups = [window[(tw >= lo - 1e-9) & (tw <= hi + 1e-9)]
                  for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
        if min(g.size for g in groups) < 3:
            groups = np.array_split(window, 4)
        masks = []
        for group in groups:
            mask = np.zeros(t.size, dtype=bool)
            mask[group] = True
            masks.append(mask)
        return masks

    def rate_decay(self, t: np.ndarray, v: np.ndarray,
                   tol: Tolerances) -> tuple[float | None, float | None]:
        """``b`` of the semilog rate's fall over the window's halves and its final half's."""
        quarters = GEOMETRIC.local_windows(t, tol)
        if len(quarters) < 4:
            return None, None
        halves = [quarters[0] | quarters[1], quarters[2] | quarters[3]]
        return rate_decay_exponent(t, v, halves), rate_decay_exponent(t, v, quarters[2:])

    def measure(self, sample: Sample, law: RateLaw, params: dict[str, float],
                tol: Tolerances) -> Measurement:
        """The rate constant of the error (divided by the law's prefactor, if any) over the
        window, or over its final half when the semilog rate settled there."""
        t, index, how = sample.t, sample.index, sample.how
        notes = _prefactor_notes(law)
        values = without_prefactor(law, t, sample.values, params)
        center = aggregate(values, how)
        tu, vu = t[index], center[index]
        window = self.window(tu, tol)
        quarters = self.local_windows(tu, tol)
        b_window, b_final = self.rate_decay(tu, vu, tol)
        if b_window is not None and b_final is not None \
                and abs(b_window) > tol.sublinear_exponent \
                and abs(b_final) <= tol.sublinear_exponent and len(quarters) == 4:
            window = quarters[2] | quarters[3]
            notes.append(f"the semilog rate changed within the window (t^-{b_window:.2f}) and "
                         f"is steady over its final half (t^-{b_final:.2f}): the rate is "
                         "fitted there")
        chosen = index[window]
        if chosen.size < tol.min_points:
            return _insufficient(f"only {chosen.size} checkpoints in the window (< min_points="
                                 f"{tol.min_points}){sample.floor_note}", center=center)
        tw, vw = t[chosen], center[chosen]
        estimate = self.estimate(tw, vw)
        local = [Local(float(tu[m][0]), float(tu[m][-1]), self.estimate(tu[m], vu[m]),
                       self.expected(law, tu[m], params)) for m in quarters]
        seed_rates = [self.estimate(tw, row[chosen]) for row in values] \
            if values.shape[0] > 1 else []
        status, reason = "ok", ""
        decay = np.log10(vw[0] / vw[-1])
        if decay < tol.min_decay_decades:
            status = "insufficient"
            reason = (f"the error falls {decay:.2f} decades in the window (< "
                      f"min_decay_decades={tol.min_decay_decades:g})")
        return Measurement(status, reason, estimate,
                           self.interval(values[:, chosen], tw, how, tol, estimate),
                           self.expected(law, tw, params), (float(tw[0]), float(tw[-1])),
                           int(chosen.size), local=local, rate_decay=(b_window, b_final),
                           seed_rates=seed_rates, notes=notes)

    def judge(self, m: Measurement, law: RateLaw, tol: Tolerances) -> Verdict:
        return judge_geometric(m, law, tol)

    def moved_value(self, value: float, side: int, x: float) -> float:
        return value * (1 + x) ** side  # less error: a larger rate constant

    def describe(self, estimate: float, expected: float | None) -> str:
        text = f"factor {np.exp(-estimate):.4g}/step"
        return text + (f" (claim {np.exp(-expected):.4g})" if expected is not None else "")

    def log_factor(self, estimate: float) -> float:
        """``log`` of the factor per unit of ``t``."""
        return -estimate

    def factor(self, estimate: float | None) -> float | None:
        return None if estimate is None else float(np.exp(self.log_factor(estimate)))

    def json_fields(self, m: Measurement) -> dict[str, Any]:
        return {"rate_constant": m.estimate, "factor": self.factor(m.estimate),
                "rate_decay": list(m.rate_decay) if m.rate_decay else None}

    def summary(self, estimate: float, expected: float | None, ci_text: str,
                tol: Tolerances) -> str:
        """``rate constant c ... (factor .../step)`` (growth: ``growth rate g ...``)."""
        claimed = f"; claimed {self.symbol} {expected:.4g} (factor " \
            f"{self.factor(expected):.4g})" if expected is not None else ""
        return (f"{self.quantity} {self.symbol} {estimate:.4g} (factor "
                f"{self.factor(estimate):.4g}/step), {ci_text}{claimed}")

    def stall(self, law: RateLaw, t: np.ndarray, params: dict[str, float],
              tol: Tolerances) -> tuple[float, str] | None:
        return -tol.stall_slope, "the claim expects geometric decay"

    def wrong_shape(self, t: np.ndarray, v: np.ndarray, law: RateLaw,
                    params: dict[str, float], tol: Tolerances) -> tuple[str, str] | None:
        """Sublinear (the semilog rate keeps falling) or superlinear (keeps growing)."""
        b_window, b_final = self.rate_decay(t, without_prefactor(law, t, v, params), tol)
        if b_window is None or b_final is None:
            return None
        limit = tol.sublinear_exponent
        if law.error_bound != "lower" and b_window > limit and b_final > limit:
            return "sublinear", (f"sublinear: the semilog rate keeps falling like "
                                 f"t^-{b_final:.2f} (t^-{b_window:.2f} over the window; power "
                                 f"laws give t^-1, geometric decay t^0; > sublinear_exponent="
                                 f"{limit:g} in both)")
        if law.error_bound != "upper" and b_window < -limit and b_final < -limit:
            return "superlinear", (f"superlinear: the semilog rate keeps growing like "
                                   f"t^{-b_final:.2f} within the window")
        return None

    def aggregate_symbols(self, law: RateLaw,
                          per_seed: list[dict[str, float]]) -> dict[str, float]:
        """An explicit factor bounds each seed's error by its own ``rho_s**T``; their mean is
        then bounded at the rate of the slowest (upper bounds) or fastest (lower bounds) seed,
        so that seed's values are used."""
        if not (law.has_factor and law.parameters):
            return super().aggregate_symbols(law, per_seed)
        constants = [rate_constant(law, values) for values in per_seed]
        pick = np.argmax if law.error_bound == "lower" else np.argmin
        return dict(per_seed[int(pick(constants))])

    def middle(self, t: np.ndarray) -> float:
        return (t[0] + t[-1]) / 2

    def predicted(self, law: RateLaw, params: dict[str, float], t0: float, v0: float,
                  t1: float) -> float | None:
        if not law.has_factor:
            return None
        return v0 * np.exp(-rate_constant(law, params) * (t1 - t0))

    def fitted_values(self, t: np.ndarray, log_v: np.ndarray,
                      estimate: float) -> tuple[np.ndarray, str]:
        rate = self.log_factor(estimate)
        intercept = log_v.mean() - rate * t.mean()
        return np.exp(intercept + rate * t), f"fit: factor {math.exp(rate):.4g}/step"

    def local_band(self, expected: np.ndarray, has: bool,
                   tol: Tolerances) -> tuple[tuple[np.ndarray, np.ndarray] | None, str]:
        if not has:
            return None, ""
        return ((expected * (1 - tol.rate_rtol), expected * (1 + tol.rate_rtol)),
                f"claim ± {tol.rate_rtol:.0%}")


class GrowthKind(GeometricKind):
    """A stated growth factor (divergence): ``Theta((1 + eta**2*s**2)**(T/2))``.

    The fitted quantity is the growth rate ``g`` of ``exp(g t)``, over the last half (in linear
    ``t``) of the range where the error is finite; the claim's is ``-d log(r) / dT``.
    """

    name = "growth"
    symbol = "g"
    quantity = "growth rate"
    ci_label = "g in "
    faster_is_high = False  # a larger growth rate is a larger error: slower
    decays = False
    measures_growth = True
    baseline_quantity = "growth_rate"
    local_quantity = "growth rate"
    local_plural = "growth rates"
    local_ylabel = r"local growth rate $g$ (error $\sim e^{gt}$)"

    def estimate(self, t: np.ndarray, v: np.ndarray) -> float:
        return slope(t, log_values(v))

    def expected(self, law: RateLaw, t: np.ndarray, params: dict[str, float]) -> float | None:
        return -rate_constant(law, params)

    def measure(self, sample: Sample, law: RateLaw, params: dict[str, float],
                tol: Tolerances) -> Measurement:
        """The growth rate over the last half of the range where the error is finite."""
        t, values, center, start = sample.t, sample.values, sample.center, sample.start
        finite = np.all(np.isfinite(values) & (values > 0) & (values < GROWTH_CEILING), axis=0)
        bad = np.flatnonzero(~finite[start:])
        end = start + (int(bad[0]) if bad.size else t.size - start)
        if end - start < tol.min_points:
            return _insufficient(f"only {max(end - start, 0)} checkpoints before the error "
                                 "leaves the floating-point range")
        index = np.arange(start, end)
        window = index[self.window(t[index], tol)]
        tw = t[window]
        factor_only = without_prefactor(law, tw, values[:, window], params)
        estimate = self.estimate(tw, aggregate(factor_only, sample.how))
        status, reason = "ok", ""
        growth = np.log10(center[window][-1] / center[window][0])
        if abs(growth) < tol.min_decay_decades:  # a decaying error contradicts it: judged
            status = "insufficient"
            reason = (f"the error changes by {growth:.2f} decades in the window (less than "
                      f"min_decay_decades={tol.min_decay_decades:g} either way)")
        return Measurement(status, reason, estimate,
                           self.interval(factor_only, tw, sample.how, tol, estimate),
                           self.expected(law, tw, params), (float(tw[0]), float(tw[-1])),
                           int(window.size), notes=_prefactor_notes(law))

    def judge(self, m: Measurement, law: RateLaw, tol: Tolerances) -> Verdict:
        return judge_growth(m, law, tol)

    def moved_value(self, value: float, side: int, x: float) -> float:
        return value * (1 + x) ** -side  # less error: slower growth

    def describe(self, estimate: float, expected: float | None) -> str:
        text = f"growth {np.exp(estimate):.4g}/step"
        return text + (f" (claim {np.exp(expected):.4g})" if expected is not None else "")

    def log_factor(self, estimate: float) -> float:
        return estimate

    def json_fields(self, m: Measurement) -> dict[str, Any]:
        return {"growth_rate": m.estimate, "factor": self.factor(m.estimate)}



class FloorKind(PowerKind):
    """A stated floor: the error settles at ``Theta(sigma**2/(4*c))`` (a law without ``T``).

    The fitted quantity is the plateau: the geometric mean of the aggregate over the final
    local window (a quarter of the usable log-range), which must be flat (its log-log slope
    within ``stall_slope``) to count as settled.
    """

    name = "floor"
    symbol = "value"
    quantity = "plateau"
    ci_label = "value in "
    xscale = "log"
    faster_is_high = False  # a higher plateau is a larger error
    decays = False
    baseline_quantity = "plateau"
    baseline_log_scale = True
    local_ylabel = "local log-log slope (0: settled)"
    local_has_side = False
    states_level = True

    def estimate(self, t: np.ndarray, v: np.ndarray) -> float:
        return float(np.exp(np.mean(log_values(v))))

    def expected(self, law: RateLaw, t: np.ndarray, params: dict[str, float]) -> float | None:
        return float(law_values(law, t[-1:], params)[0])

    def wrong_shape(self, t: np.ndarray, v: np.ndarray, law: RateLaw,
                    params: dict[str, float], tol: Tolerances) -> tuple[str, str] | None:
        return None

    def measure(self, sample: Sample, law: RateLaw, params: dict[str, float],
                tol: Tolerances) -> Measurement:
        """The plateau over the final local window and its drift there (judged together
        by :func:`judge_floor`)."""
        t, values, center, index = sample.t, sample.values, sample.center, sample.index
        windows = self.local_windows(t[index], tol)
        if not windows:
            return _insufficient(f"no local window holds min_points={tol.min_points} "
                                 "checkpoints")
        final = index[windows[-1]]
        tw = t[final]
        estimate = self.estimate(tw, center[final])
        local = [Local(float(t[index][m][0]), float(t[index][m][-1]),
                       POWER.estimate(t[index][m], center[index][m]), 0.0) for m in windows]
        return Measurement("ok", "", estimate,
                           self.interval(values[:, final], tw, sample.how, tol, estimate),
                           self.expected(law, tw, params), (float(tw[0]), float(tw[-1])),
                           int(final.size), local=local,
                           drift=POWER.estimate(tw, center[final]))

    def judge(self, m: Measurement, law: RateLaw, tol: Tolerances) -> Verdict:
        return judge_floor(m, law, tol)

    power_unit = "relative"

    def power_distance(self, tol: Tolerances) -> float:
        return tol.power_rtol

    def moved_value(self, value: float, side: int, x: float) -> float:
        return value * (1 + x) ** -side  # less error: a lower plateau

    def moved(self, m: Measurement, side: int, x: float) -> Measurement | None:
        """Only the plateau moves (the local slopes are the drift's, claimed 0)."""
        if m.expected is None:
            return None
        return replace(m, expected=self.moved_value(m.expected, side, x))

    def describe(self, estimate: float, expected: float | None) -> str:
        text = f"plateau {estimate:.4g}"
        return text + (f" (claim {expected:.4g})" if expected is not None else "")

    def json_fields(self, m: Measurement) -> dict[str, Any]:
        return {"plateau": m.estimate}

    def expected_text(self, expected: float, tol: Tolerances) -> str:
        return f"{self.quantity} {expected:.4g} ± {tol.floor_rtol:.0%}"

    def summary(self, estimate: float, expected: float | None, ci_text: str,
                tol: Tolerances) -> str:
        return LawKind.summary(self, estimate, expected, ci_text, tol)

    def stall(self, law: RateLaw, t: np.ndarray, params: dict[str, float],
              tol: Tolerances) -> tuple[float, str] | None:
        return None

    def predicted(self, law: RateLaw, params: dict[str, float], t0: float, v0: float,
                  t1: float) -> float | None:
        return None

    def fitted_values(self, t: np.ndarray, log_v: np.ndarray,
                      estimate: float) -> tuple[np.ndarray, str]:
        return np.full(t.size, estimate), f"fit: plateau {estimate:.3g}"

    def local_band(self, expected: np.ndarray, has: bool,
                   tol: Tolerances) -> tuple[tuple[np.ndarray, np.ndarray] | None, str]:
        band = (expected - tol.stall_slope, expected + tol.stall_slope) if has else None
        return band, f"settled: |slope| ≤ {tol.stall_slope:g}"


POWER, GEOMETRIC, GROWTH, FLOOR = PowerKind(), GeometricKind(), GrowthKind(), FloorKind()
KINDS = {kind.name: kind for kind in (POWER, GEOMETRIC, GROWTH, FLOOR)}


def kind_named(name: str) -> LawKind:
    """The kind called ``name`` (a fit's ``model``, the JSON's ``observed.model``)."""
    return KINDS[name]


def _prefactor_notes(law: RateLaw) -> list[str]:
    if law.log_prefactor is None:
        return []
    return [f"the factor's rate is fitted to the error divided by the law's prefactor "
            f"{law.prefactor}"]


def judge_floor(m: Measurement, law: RateLaw, tol: Tolerances) -> Verdict:
    """A floor claim: the plateau against the stated value, relative ``floor_rtol``.

    A plateau still moving over the final window (``|drift| > stall_slope``) is judged only
    where its motion cannot change the outcome: still falling, the final plateau can only be
    lower than the interval's top; still rising, only higher than its bottom. So a falling
    curve whose interval already lies below the allowed range is a mismatch (faster), and
    under an upper bound consistent; a rising one symmetrically; anything else is not
    settled.
    """
    assert m.ci is not None and m.expected is not None
    lo, hi = m.ci
    side = law.error_bound
    inf = float("inf")
    allowed_lo = m.expected * (1 - tol.floor_rtol) if side != "upper" else -inf
    allowed_hi = m.expected * (1 + tol.floor_rtol) if side != "lower" else inf
    what = f"plateau {m.estimate:.4g} (claimed {m.expected:.4g} ± {tol.floor_rtol:.0%})"
    drift = m.drift or 0.0
    if abs(drift) > tol.stall_slope:
        falling = drift < 0
        window = f"[{m.window[0]:g}, {m.window[1]:g}]" if m.window else "the final window"
        moving = (f"the error is still {'falling' if falling else 'rising'} (log-log slope "
                  f"{drift:.3f} over {window}, |slope| > stall_slope={tol.stall_slope:g})")
        if (falling and hi < allowed_lo) or (not falling and lo > allowed_hi):
            return Verdict(MISMATCH, "faster" if falling else "slower",
                           f"{what}: CI [{lo:.3g}, {hi:.3g}] already lies "
                           f"{'below' if falling else 'above'} the allowed range and {moving}, "
                           f"away from it")
        if (falling and side == "upper" and hi <= allowed_hi) or \
                (not falling and side == "lower" and lo >= allowed_lo):
            edge = hi if falling else lo
            return Verdict(CONSISTENT, notes=(f"slack: {moving}, so the plateau ends "
                                              f"{'below' if falling else 'above'} {edge:.4g}, "
                                              f"inside the bound",))
        return Verdict(INCONCLUSIVE, "", f"not settled: {moving}; {what}, CI [{lo:.3g}, "
                       f"{hi:.3g}]")
    verdict = judge_interval(lo, hi, allowed_lo, allowed_hi, False, what, m.seeds)
    if verdict.verdict == CONSISTENT:
        return Verdict(CONSISTENT, notes=(f"slack: plateau {m.estimate:.4g} is "
                                          f"{m.estimate / m.expected:.3g}x the claimed "
                                          f"{m.expected:.4g}",))
    return verdict


def grows(law: RateLaw, params: dict[str, float] | None = None) -> bool:
    """True when the law is an explicit factor that grows (a divergence claim's law), with
    the symbols' values ``params`` when the sign depends on them."""
    if not law.has_factor:
        return False
    if params is not None and not law.missing(params):
        return rate_constant(law, params) < 0
    return bool(sp.simplify(law.rate_constant).is_negative)


def kind_of(law: RateLaw, params: dict[str, float] | None = None) -> LawKind:
    """The kind that judges ``law`` (with the symbols' values, when known)."""
    if law.var not in law.inner.free_symbols:
        return FLOOR  # a law without T states where the error settles
    if law.shape != "geometric":
        return POWER
    return GROWTH if grows(law, params) else GEOMETRIC


def judge_growth(m: Measurement, law: RateLaw, tol: Tolerances) -> Verdict:
    """A divergence claim: the fitted growth rate against the stated factor's."""
    assert m.ci is not None and m.expected is not None
    lo, hi = m.ci
    side = law.error_bound
    inf = float("inf")
    allowed_lo = m.expected * (1 - tol.rate_rtol) if side != "upper" else -inf
    allowed_hi = m.expected * (1 + tol.rate_rtol) if side != "lower" else inf
    verdict = judge_interval(lo, hi, allowed_lo, allowed_hi, False,
                             f"growth rate {m.estimate:.4g} per step (factor "
                             f"{np.exp(m.estimate):.4g}; claimed {m.expected:.4g}, factor "
                             f"{np.exp(m.expected):.4g}, ± {tol.rate_rtol:.0%})", m.seeds)
    if verdict.verdict == CONSISTENT:
        return Verdict(CONSISTENT, notes=(f"slack: observed growth rate {m.estimate:.4g} is "
                                          f"{m.estimate / m.expected:.3g}x the claimed "
                                          f"{m.expected:.4g}",))
    return verdict


def rate_decay_exponent(t: np.ndarray, v: np.ndarray, masks: list[np.ndarray]) -> float | None:
    """How fast the semilog rate falls: ``b`` in ``rate ~ t**-b`` over ``masks``.

    A power law has ``b = 1`` (its semilog rate is ``p / t``), geometric decay ``b = 0``.
    """
    rates, mids = [], []
    for mask in masks:
        rate = GEOMETRIC.estimate(t[mask], v[mask])
        if rate <= 0:
            return None
        rates.append(rate)
        mids.append(np.mean(t[mask]))
    if len(rates) < 2:
        return None
    return -slope(np.log(mids), np.log(rates))


def deviation_trend(local: list[Local], sign: float) -> tuple[float, float] | None:
    """How fast the local slope's deviation from the claim dies out.

    Returns ``(p, q)``: ``|deviation| ~ t**-p`` over the later half of the local sequence,
    and ``q = p ln t`` at the centre of those windows, the order of the deviation in
    ``1/ln t``. A missing log factor (``log(t)/t`` judged as ``1/T``, ``d = 1/ln t``) gives
    ``q = 1`` at every ``t``: the ratio ``error / r(T)`` grows without bound. A ratio that
    converges like ``1/ln t`` gives ``q = 2``; a power transient (``1/(t + s)`` as ``1/T``)
    gives ``q = p ln t``, large. Only windows where the deviation points in the direction
    ``sign`` count; ``None`` when fewer than three do.
    """
    later = local[len(local) // 2:] if len(local) >= 6 else local
    points = [(np.sqrt(w.t_lo * w.t_hi), sign * w.deviation) for w in later
              if w.deviation is not None and sign * w.deviation > 0]
    if len(points) < 3 or len(points) < len(later):
        return None
    mids, devs = map(np.array, zip(*points, strict=True))
    p = -slope(np.log(mids), np.log(devs))
    return p, p * max(float(np.mean(np.log(mids))), 1.0)


def judge_power(m: Measurement, law: RateLaw, tol: Tolerances) -> Verdict:
    """The verdict of a power-law fit: final local slope, its trend, and the ratio test."""
    assert m.ci is not None and m.expected is not None
    lo, hi = m.ci
    sides = {"upper": [1.0], "lower": [-1.0], "tight": [1.0, -1.0]}[law.error_bound]
    notes: list[str] = []
    straddles = []
    for sign in sides:
        direction = "slower" if sign > 0 else "faster"
        # x > 0 points toward a violation of this side; its CI is [x_lo, x_hi].
        x_lo = sign * ((lo if sign > 0 else hi) - m.expected)
        x_hi = sign * ((hi if sign > 0 else lo) - m.expected)
        trend_fit = deviation_trend(m.local, sign)
        p, q = trend_fit if trend_fit else (0.0, 0.0)
        trend = "" if trend_fit is None else \
            f"; the deviation {'shrinks like t^-' if p >= 0 else 'grows like t^'}{abs(p):.2f} " \
            f"(q = p ln t = {q:.2f})"
        sequence = local_text(m.local)
        transient = trend_fit is not None and q > tol.transient_order
        if x_lo > tol.slope and transient:
            x_now = sign * (m.estimate - m.expected)
            horizon = m.local[-1].t_hi * (x_now / tol.slope) ** (1 / p)
            return Verdict(INCONCLUSIVE, "", f"pre-asymptotic: the final local slope "
                           f"{m.estimate:.3f} is {direction} than {m.expected:.3f} by "
                           f"more than slope={tol.slope:g}, but the deviation dies out"
                           f"{trend} (a transient); within tolerance by about "
                           f"t={horizon:.2g} if it goes on so. Local slopes: {sequence}")
        log_like = trend_fit is not None and tol.log_factor_order < q <= tol.transient_order
        if law.polylog and log_like and x_lo > 0:
            notes.append(f"the local slope deviates {direction} like a log factor (q = {q:.2f}),"
                         f" which {law.kind}~ allows")
            continue
        if x_lo > tol.slope and not transient:
            return Verdict(MISMATCH, direction, f"final local slope {m.estimate:.3f} "
                           f"(CI [{lo:.3g}, {hi:.3g}]) is {direction} than the claim's "
                           f"{m.expected:.3f} by more than slope={tol.slope:g}{trend}. "
                           f"Local slopes: {sequence}")
        if x_lo > 0 and log_like and m.ratio_growth is not None:
            growth = m.ratio_growth if sign > 0 else 1 / m.ratio_growth
            what = "error / r(T)" if sign > 0 else "r(T) / error"
            if growth >= tol.ratio_growth:
                return Verdict(MISMATCH, direction, f"{what} keeps growing: x{growth:.3g} over "
                               f"the usable range (>= ratio_growth={tol.ratio_growth:g}) and the "
                               f"final local slope {m.estimate:.3f} is still {direction} than "
                               f"{m.expected:.3f}{trend or '; the deviation does not shrink'}"
                               f" (a missing log factor or a slower term). Local slopes: "
                               f"{sequence}")
            if growth > 1:
                return Verdict(INCONCLUSIVE, "", f"{what} grows (x{growth:.3g}, < ratio_growth="
                               f"{tol.ratio_growth:g}) and the deviation of the local slope "
                               f"does not shrink like a transient{trend}: a log factor cannot "
                               f"be told from a transient on this range. Local slopes: "
                               f"{sequence}")
        if x_hi > tol.slope:
            straddles.append(direction)
    if straddles:
        inf = float("inf")  # the edges the claim has: slower is a higher slope
        hint = seeds_to_settle(lo, hi,
                               m.expected - tol.slope if law.error_bound != "upper" else -inf,
                               m.expected + tol.slope if law.error_bound != "lower" else inf,
                               m.seeds)
        return Verdict(INCONCLUSIVE, "", f"too noisy: final local slope CI [{lo:.3g}, {hi:.3g}]"
                       f" straddles the allowed range around {m.expected:.3f} ± "
                       f"{tol.slope:g}{hint}. Local slopes: {local_text(m.local)}")
    if law.error_bound == "lower" and m.estimate > tol.stall_fraction * m.expected:
        notes.append(f"vacuous: the error hardly decays (local slope {m.estimate:.3f}), so "
                     "a lower bound holds trivially here")
    gap = m.estimate - m.expected
    notes.append(f"slack: local slope {m.estimate:.3f} vs claimed {m.expected:.3f} "
                 f"({'faster' if gap < 0 else 'slower'} by {abs(gap):.3f})")
    return Verdict(CONSISTENT, notes=tuple(notes))


def judge_geometric(m: Measurement, law: RateLaw, tol: Tolerances) -> Verdict:
    """The verdict of a geometric fit: per-seed shape, then the rate constant."""
    assert m.ci is not None
    lo, hi = m.ci
    side = law.error_bound
    if m.expected is None:
        if lo <= 0 and side != "lower":
            if m.seed_rates and min(m.seed_rates) > 0:
                # The mean of geometric curves decays at the slowest seed's rate, so its
                # jackknife interval is wide; linear convergence only needs every seed's.
                return Verdict(CONSISTENT, notes=(
                    f"every seed decays geometrically (rate constants {min(m.seed_rates):.3g}"
                    f" to {max(m.seed_rates):.3g}); the aggregate's rate CI [{lo:.3g}, "
                    f"{hi:.3g}] is set by the slowest seed",))
            return Verdict(INCONCLUSIVE, "", f"rate constant CI [{lo:.3g}, {hi:.3g}] includes 0")
        return Verdict(CONSISTENT, notes=(f"observed factor {np.exp(-m.estimate):.4g}/step; "
                                          "exp(-K(.)) fixes no constant, so no slack is "
                                          "computed",))
    inf = float("inf")
    allowed_lo = m.expected * (1 - tol.rate_rtol) if side != "lower" else -inf
    allowed_hi = m.expected * (1 + tol.rate_rtol) if side != "upper" else inf
    verdict = judge_interval(lo, hi, allowed_lo, allowed_hi, True,
                             f"rate constant {m.estimate:.4g} (claimed {m.expected:.4g} ± "
                             f"{tol.rate_rtol:.0%})", m.seeds)
    if verdict.verdict == CONSISTENT:
        ratio = m.estimate / m.expected if m.expected > 0 else inf
        return Verdict(CONSISTENT, notes=(f"slack: observed rate constant {m.estimate:.4g} is "
                                          f"{ratio:.3g}x the claimed {m.expected:.4g}",))
    return verdict


def local_text(local: list[Local], limit: int = 6) -> str:
    """The local sequence as ``t_hi: estimate`` pairs, the latest last."""
    shown = local[-limit:]
    return ", ".join(f"{w.estimate:.3f}@{w.t_hi:.3g}" for w in shown)
