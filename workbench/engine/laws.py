"""Law kinds: what is fitted for a rate law, what is expected, and how it is judged.

A kind is one object: its fitted quantity (name, label, axes), how a window and its local
sub-windows are laid out, the estimator, the expected value from the claimed law over the same
points, and the judgement of a fit. :func:`kind_of` picks the kind of a parsed law; a new kind
(a floor, a growth factor, ...) is one new class here.

The analysis follows how numerical analysts read an observed order of convergence: local
estimates over successive sub-windows of the usable range, and the *trend* of their
deviation from the claim. A deviation that dies out like a power of ``t`` is a transient; one
that persists (or dies out only like ``1/log t``, as a missing log factor does) keeps the ratio
``error / r(T)`` growing and contradicts an ``O`` bound.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy as sp

from workbench.cards.ratelaw import RateLaw
from workbench.cards.tolerances import Tolerances
from workbench.engine.outcome import CONSISTENT, INCONCLUSIVE, MISMATCH, Verdict, judge_interval
from workbench.errors import BadInputError

if TYPE_CHECKING:
    from workbench.engine.fit import Fit

TINY = np.finfo(float).tiny


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


def log_values(v: np.ndarray) -> np.ndarray:
    return np.log(np.maximum(v, TINY))


def slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of ``y`` against ``x``."""
    x = x - x.mean()
    return float(x @ (y - y.mean()) / (x @ x))


def slope_stderr(x: np.ndarray, y: np.ndarray) -> float:
    """Standard error of the least-squares slope (0 for fewer than 3 points)."""
    if x.size < 3:
        return 0.0
    xc = x - x.mean()
    b = xc @ (y - y.mean()) / (xc @ xc)
    resid = y - y.mean() - b * xc
    return float(np.sqrt(resid @ resid / (x.size - 2) / (xc @ xc)))


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


class LawKind:
    """Interface of a law kind (see the module docstring)."""

    name = ""
    #: The fitted quantity's symbol in the CI column, and its name.
    symbol = ""
    quantity = ""
    xscale = "log"
    #: True when a larger estimate means faster convergence.
    faster_is_high = False

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

    def describe(self, estimate: float, expected: float | None) -> str:
        raise NotImplementedError


class PowerKind(LawKind):
    """``O/Omega/Theta(T**-p * log factors)``: the log-log slope."""

    name = "power"
    symbol = "slope"
    quantity = "log-log slope"
    xscale = "log"
    faster_is_high = False

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

    def describe(self, estimate: float, expected: float | None) -> str:
        text = f"slope {estimate:.2f}"
        return text + (f" (exp. {expected:.2f})" if expected is not None else "")


class GeometricKind(LawKind):
    """``exp(-K(g T))`` or an explicit factor: the rate constant ``c`` of ``exp(-c t)``."""

    name = "geometric"
    symbol = "c"
    quantity = "rate constant"
    xscale = "linear"
    faster_is_high = True

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

    def describe(self, estimate: float, expected: float | None) -> str:
        text = f"factor {np.exp(-estimate):.4g}/step"
        return text + (f" (claim {np.exp(-expected):.4g})" if expected is not None else "")


class GrowthKind(GeometricKind):
    """A stated growth factor (divergence): ``Theta((1 + eta**2*s**2)**(T/2))``.

    The fitted quantity is the growth rate ``g`` of ``exp(g t)``, over the last half (in linear
    ``t``) of the range where the error is finite; the claim's is ``-d log(r) / dT``.
    """

    name = "growth"
    symbol = "g"
    quantity = "growth rate"
    faster_is_high = False  # a larger growth rate is a larger error: slower

    def estimate(self, t: np.ndarray, v: np.ndarray) -> float:
        return slope(t, log_values(v))

    def expected(self, law: RateLaw, t: np.ndarray, params: dict[str, float]) -> float | None:
        return -rate_constant(law, params)

    def describe(self, estimate: float, expected: float | None) -> str:
        text = f"growth {np.exp(estimate):.4g}/step"
        return text + (f" (claim {np.exp(expected):.4g})" if expected is not None else "")


class FloorKind(PowerKind):
    """A stated floor: the error settles at ``Theta(sigma**2/(4*c))`` (a law without ``T``).

    The fitted quantity is the plateau: the geometric mean of the aggregate over the final
    local window (a quarter of the usable log-range), which must be flat (its log-log slope
    within ``stall_slope``) to count as settled.
    """

    name = "floor"
    symbol = "value"
    quantity = "plateau"
    xscale = "log"
    faster_is_high = False  # a higher plateau is a larger error

    def estimate(self, t: np.ndarray, v: np.ndarray) -> float:
        return float(np.exp(np.mean(log_values(v))))

    def expected(self, law: RateLaw, t: np.ndarray, params: dict[str, float]) -> float | None:
        return float(law_values(law, t[-1:], params)[0])

    def describe(self, estimate: float, expected: float | None) -> str:
        text = f"plateau {estimate:.4g}"
        return text + (f" (claim {expected:.4g})" if expected is not None else "")


POWER, GEOMETRIC, GROWTH, FLOOR = PowerKind(), GeometricKind(), GrowthKind(), FloorKind()
KINDS = {kind.name: kind for kind in (POWER, GEOMETRIC, GROWTH, FLOOR)}


def judge_floor(fit: Fit, law: RateLaw, tol: Tolerances) -> Verdict:
    """A floor claim: the plateau against the stated value, relative ``floor_rtol``."""
    assert fit.ci is not None and fit.expected is not None
    lo, hi = fit.ci
    side = law.error_bound
    inf = float("inf")
    allowed_lo = fit.expected * (1 - tol.floor_rtol) if side != "upper" else -inf
    allowed_hi = fit.expected * (1 + tol.floor_rtol) if side != "lower" else inf
    verdict = judge_interval(lo, hi, allowed_lo, allowed_hi, False,
                             f"plateau {fit.estimate:.4g} (claimed {fit.expected:.4g} ± "
                             f"{tol.floor_rtol:.0%})")
    if verdict.verdict == CONSISTENT:
        return Verdict(CONSISTENT, notes=(f"slack: plateau {fit.estimate:.4g} is "
                                          f"{fit.estimate / fit.expected:.3g}x the claimed "
                                          f"{fit.expected:.4g}",))
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


def judge_growth(fit: Fit, law: RateLaw, tol: Tolerances) -> Verdict:
    """A divergence claim: the fitted growth rate against the stated factor's."""
    assert fit.ci is not None and fit.expected is not None
    lo, hi = fit.ci
    side = law.error_bound
    inf = float("inf")
    allowed_lo = fit.expected * (1 - tol.rate_rtol) if side != "upper" else -inf
    allowed_hi = fit.expected * (1 + tol.rate_rtol) if side != "lower" else inf
    verdict = judge_interval(lo, hi, allowed_lo, allowed_hi, False,
                             f"growth rate {fit.estimate:.4g} per step (factor "
                             f"{np.exp(fit.estimate):.4g}; claimed {fit.expected:.4g}, factor "
                             f"{np.exp(fit.expected):.4g}, ± {tol.rate_rtol:.0%})")
    if verdict.verdict == CONSISTENT:
        return Verdict(CONSISTENT, notes=(f"slack: observed growth rate {fit.estimate:.4g} is "
                                          f"{fit.estimate / fit.expected:.3g}x the claimed "
                                          f"{fit.expected:.4g}",))
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


def judge_power(fit: Fit, law: RateLaw, tol: Tolerances) -> Verdict:
    """The verdict of a power-law fit: final local slope, its trend, and the ratio test."""
    assert fit.ci is not None and fit.expected is not None
    lo, hi = fit.ci
    sides = {"upper": [1.0], "lower": [-1.0], "tight": [1.0, -1.0]}[law.error_bound]
    notes: list[str] = []
    straddles = []
    for sign in sides:
        direction = "slower" if sign > 0 else "faster"
        # x > 0 points toward a violation of this side; its CI is [x_lo, x_hi].
        x_lo = sign * ((lo if sign > 0 else hi) - fit.expected)
        x_hi = sign * ((hi if sign > 0 else lo) - fit.expected)
        trend_fit = deviation_trend(fit.local, sign)
        p, q = trend_fit if trend_fit else (0.0, 0.0)
        trend = "" if trend_fit is None else \
            f"; the deviation {'shrinks like t^-' if p >= 0 else 'grows like t^'}{abs(p):.2f} " \
            f"(q = p ln t = {q:.2f})"
        sequence = local_text(fit.local)
        transient = trend_fit is not None and q > tol.transient_order
        if x_lo > tol.slope and transient:
            x_now = sign * (fit.estimate - fit.expected)
            horizon = fit.local[-1].t_hi * (x_now / tol.slope) ** (1 / p)
            return Verdict(INCONCLUSIVE, "", f"pre-asymptotic: the final local slope "
                           f"{fit.estimate:.3f} is {direction} than {fit.expected:.3f} by "
                           f"more than slope={tol.slope:g}, but the deviation dies out"
                           f"{trend} (a transient); within tolerance by about "
                           f"t={horizon:.2g} if it goes on so. Local slopes: {sequence}")
        log_like = trend_fit is not None and tol.log_factor_order < q <= tol.transient_order
        if law.polylog and log_like and x_lo > 0:
            notes.append(f"the local slope deviates {direction} like a log factor (q = {q:.2f}),"
                         f" which {law.kind}~ allows")
            continue
        if x_lo > tol.slope and not transient:
            return Verdict(MISMATCH, direction, f"final local slope {fit.estimate:.3f} "
                           f"(CI [{lo:.3g}, {hi:.3g}]) is {direction} than the claim's "
                           f"{fit.expected:.3f} by more than slope={tol.slope:g}{trend}. "
                           f"Local slopes: {sequence}")
        if x_lo > 0 and log_like and fit.ratio_growth is not None:
            growth = fit.ratio_growth if sign > 0 else 1 / fit.ratio_growth
            what = "error / r(T)" if sign > 0 else "r(T) / error"
            if growth >= tol.ratio_growth:
                return Verdict(MISMATCH, direction, f"{what} keeps growing: x{growth:.3g} over "
                               f"the usable range (>= ratio_growth={tol.ratio_growth:g}) and the "
                               f"final local slope {fit.estimate:.3f} is still {direction} than "
                               f"{fit.expected:.3f}{trend or '; the deviation does not shrink'}"
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
        return Verdict(INCONCLUSIVE, "", f"too noisy: final local slope CI [{lo:.3g}, {hi:.3g}]"
                       f" straddles the allowed range around {fit.expected:.3f} ± "
                       f"{tol.slope:g}. Local slopes: {local_text(fit.local)}")
    if law.error_bound == "lower" and fit.estimate > tol.stall_fraction * fit.expected:
        notes.append(f"vacuous: the error hardly decays (local slope {fit.estimate:.3f}), so "
                     "a lower bound holds trivially here")
    gap = fit.estimate - fit.expected
    notes.append(f"slack: local slope {fit.estimate:.3f} vs claimed {fit.expected:.3f} "
                 f"({'faster' if gap < 0 else 'slower'} by {abs(gap):.3f})")
    return Verdict(CONSISTENT, notes=tuple(notes))


def judge_geometric(fit: Fit, law: RateLaw, tol: Tolerances) -> Verdict:
    """The verdict of a geometric fit: per-seed shape, then the rate constant."""
    assert fit.ci is not None
    lo, hi = fit.ci
    side = law.error_bound
    if fit.expected is None:
        if lo <= 0 and side != "lower":
            if fit.seed_rates and min(fit.seed_rates) > 0:
                # The mean of geometric curves decays at the slowest seed's rate, so its
                # jackknife interval is wide; linear convergence only needs every seed's.
                return Verdict(CONSISTENT, notes=(
                    f"every seed decays geometrically (rate constants {min(fit.seed_rates):.3g}"
                    f" to {max(fit.seed_rates):.3g}); the aggregate's rate CI [{lo:.3g}, "
                    f"{hi:.3g}] is set by the slowest seed",))
            return Verdict(INCONCLUSIVE, "", f"rate constant CI [{lo:.3g}, {hi:.3g}] includes 0")
        return Verdict(CONSISTENT, notes=(f"observed factor {np.exp(-fit.estimate):.4g}/step; "
                                          "exp(-K(.)) fixes no constant, so no slack is "
                                          "computed",))
    inf = float("inf")
    allowed_lo = fit.expected * (1 - tol.rate_rtol) if side != "lower" else -inf
    allowed_hi = fit.expected * (1 + tol.rate_rtol) if side != "upper" else inf
    verdict = judge_interval(lo, hi, allowed_lo, allowed_hi, True,
                             f"rate constant {fit.estimate:.4g} (claimed {fit.expected:.4g} ± "
                             f"{tol.rate_rtol:.0%})")
    if verdict.verdict == CONSISTENT:
        ratio = fit.estimate / fit.expected if fit.expected > 0 else inf
        return Verdict(CONSISTENT, notes=(f"slack: observed rate constant {fit.estimate:.4g} is "
                                          f"{ratio:.3g}x the claimed {fit.expected:.4g}",))
    return verdict


def local_text(local: list[Local], limit: int = 6) -> str:
    """The local sequence as ``t_hi: estimate`` pairs, the latest last."""
    shown = local[-limit:]
    return ", ".join(f"{w.estimate:.3f}@{w.t_hi:.3g}" for w in shown)
