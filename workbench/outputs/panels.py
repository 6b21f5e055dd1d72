"""Figure panels: the data each panel of a claim's figure draws (plain arrays and strings,
no matplotlib): the :class:`TracePanel` (traces, aggregate, usable range, fit window, the
fitted and claimed laws clipped to limits set by the data, values at the floor drawn on a
marked floor), the :class:`DiagnosticsPanel` (local slopes or rate constants against ``t``,
the claim and its tolerance band) and the :class:`ScalingPanel` of a sweep claim."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from workbench.cards.claims import Claim
from workbench.cards.ratelaw import RateLaw, parse_rate
from workbench.cards.tolerances import Tolerances
from workbench.catalogue import AXIS_ITERATIONS
from workbench.engine.fit import Curve, Fit, aggregate
from workbench.engine.laws import KINDS, POWER, LawKind, Local, kind_of, law_values
from workbench.engine.sweep import ScalingFit
from workbench.errors import BadInputError
from workbench.outputs.captions import axis_label, counter_description, shorten_text

# Room around the data inside the y limits, as a factor on a log axis.
Y_PAD = 2.5


@dataclass
class Line:
    """A curve to draw: ``x``, ``y`` and its legend label."""

    x: np.ndarray
    y: np.ndarray
    label: str


@dataclass
class TracePanel:
    """Error against ``t`` for one sweep point of one claim.

    Attributes
    ----------
    t, seeds
        The grid and every seed's trace, shape ``(seeds, n)`` (raw values).
    center, band
        The aggregate the fit used and the pointwise range over seeds ``(low, high)``.
    window
        ``(t_lo, t_hi)`` of the final fit window (power laws: the last local window).
    usable
        ``(t_lo, t_hi)`` of the usable range the local sequence covers.
    fitted
        The fitted law over the final window.
    reference
        The claimed rate through the aggregate at the window start, over the usable range
        and beyond, clipped to ``xlim`` and ``ylim``; None when the rate has no value here
        or fixes no constant (``exp(-K(g T))``).
    xscale, xlabel, ylabel
        ``"log"`` for power laws, ``"linear"`` for geometric ones (the y axis is always
        log); the x label names the claim's axis.
    floor_level, floor_label
        Values at or below ``floor_level`` (the accuracy floor, or a level under the
        smallest positive value when the traces reach exactly 0) are drawn on it; 0 when
        no trace reaches it.
    xlim, ylim
        Axis limits set by the data (see :func:`trace_panel`).
    floor_from, cut_note
        Where the aggregate reaches the floor and stays; the note says when the x axis
        was cut after it.
    others
        Sweeps: the other points' aggregates (drawn at :meth:`shown` values), labelled with
        their parameter value.
    """

    label: str
    t: np.ndarray
    seeds: np.ndarray
    center: np.ndarray
    band: tuple[np.ndarray, np.ndarray]
    window: tuple[float, float] | None
    fitted: Line | None
    reference: Line | None
    xscale: str
    xlabel: str
    ylabel: str
    floor: float = 0.0
    status: str = "ok"
    note: str = ""
    target: float | None = None
    usable: tuple[float, float] | None = None
    floor_level: float = 0.0
    floor_label: str = ""
    xlim: tuple[float, float] | None = None
    ylim: tuple[float, float] | None = None
    floor_from: float | None = None
    cut_note: str = ""
    others: list[Line] = field(default_factory=list)

    def shown(self, y: np.ndarray) -> np.ndarray:
        """``y`` as drawn: values at or below the floor level on it, NaN and inf left out."""
        y = np.asarray(y, dtype=float)
        out = np.where(np.isfinite(y), y, np.nan)
        if self.floor_level > 0:
            return np.where(np.isfinite(out), np.maximum(out, self.floor_level), np.nan)
        return np.where(out > 0, out, np.nan)


@dataclass
class DiagnosticsPanel:
    """The local sequence of the verdict analysis against ``t``.

    Attributes
    ----------
    quantity, plural
        The local quantity, ``log-log slope`` (power laws, floors) or ``rate constant``
        (geometric laws), and its plural in the panel's title (``slopes``, ``rates``).
    windows
        ``(t_lo, t_hi)`` of each local window; ``x`` their centres (geometric mean on a log
        axis, mean on a linear one).
    estimate, expected
        The local estimate and the claim's value over the same window (NaN when the claim
        fixes no constant).
    band
        The tolerance band around ``expected`` at ``x``: the estimates inside it agree
        with the claim.
    mismatch_side
        Beyond which edge of the band an estimate contradicts the claim: ``above``,
        ``below`` or ``both``.
    final_ci
        The confidence interval of the final estimate (the verdict's).
    reference
        Claims without a constant (``exp(-K(g T))``): the fitted rate constant over the
        window, with ``reference_band`` its CI.
    per_seed
        ``aggregate = "each"``: every seed's local sequence (``fit.local`` is the slowest).
    """

    quantity: str
    ylabel: str
    xscale: str
    xlabel: str
    windows: list[tuple[float, float]]
    x: np.ndarray
    estimate: np.ndarray
    expected: np.ndarray
    band: tuple[np.ndarray, np.ndarray] | None
    tolerance_label: str
    mismatch_side: str
    final_ci: tuple[float, float] | None
    reference: float | None = None
    reference_band: tuple[float, float] | None = None
    per_seed: list[Line] = field(default_factory=list)
    note: str = ""
    label: str = ""
    xlim: tuple[float, float] | None = None
    ylim: tuple[float, float] | None = None
    plural: str = ""

    @property
    def empty(self) -> bool:
        return self.x.size == 0


@dataclass
class ScalingPanel:
    """The fitted quantity against the swept parameter.

    ``center`` is the per-point median over seeds (nan where censored) with error bars
    ``low``/``high``: the point fit's CI for rate constants, the seed range for costs.
    ``censored`` lists the parameter values where a run was censored; ``ticks`` are the
    swept values, each labelled; ``exponent_band`` is ``(x, low, high)``, the lines through
    the centroid with the exponent's CI ends.
    """

    parameter: str
    quantity: str
    values: np.ndarray
    center: np.ndarray
    low: np.ndarray
    high: np.ndarray
    censored: np.ndarray
    expected: Line | None
    fitted: Line | None
    limit: str = ""
    exponent_band: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    bars: str = "point CI"
    ylabel: str = ""
    xlabel: str = ""
    ticks: np.ndarray = field(default_factory=lambda: np.zeros(0))
    exponents: str = ""
    representative: float | None = None


def _window_mask(t: np.ndarray, window: tuple[float, float]) -> np.ndarray:
    lo, hi = window
    return (t >= lo * (1 - 1e-12)) & (t <= hi * (1 + 1e-12))


def fitted_line(curve: Curve, fit: Fit, how: str = "mean") -> Line | None:
    """The fitted model over the final fit window.

    The slope (power), rate constant (geometric) or growth rate is the fit's estimate; the
    intercept is the least-squares one on the aggregate over the window, so the line is the
    fit itself. A plateau (floor claims) is a level line.
    """
    if fit.window is None or fit.estimate is None:
        return None
    center = fit.center if fit.center is not None else aggregate(curve.values, how)
    mask = _window_mask(curve.t, fit.window)
    t = curve.t[mask]
    logv = np.log(np.maximum(center[mask], np.finfo(float).tiny))
    y, label = fit.kind.fitted_values(t, logv, fit.estimate)
    return Line(t, y, label)


def reference_line(curve: Curve, fit: Fit, law: RateLaw, symbols: dict[str, float] | None,
                   how: str = "mean", start: float | None = None) -> Line | None:
    """The claimed rate through the aggregate at the final window's start.

    The law's expression is evaluated with the symbol values the fit used, so log factors
    and explicit factors are drawn as stated. For ``exp(-K(g))`` only the shape is known: the
    curve is ``exp(-(g(t) - g(t0)))``, i.e. the hidden constant set to 1. The line runs from
    ``start`` (default: the window start) to the end of the run, where the expression is
    positive and finite; clip it to the axes with :func:`clip_line`. None without a window
    or without the symbol values.
    """
    if fit.window is None or symbols is None or law.missing(symbols):
        return None
    center = fit.center if fit.center is not None else aggregate(curve.values, how)
    if fit.kind.states_level:  # a stated level, not a shape: drawn where it is
        if fit.expected is None:
            return None
        first = 0 if start is None else int(np.searchsorted(curve.t, start))
        t = curve.t[first:]
        return Line(t, np.full(t.size, fit.expected), f"claimed plateau: {law}")
    anchor = int(np.flatnonzero(_window_mask(curve.t, fit.window))[0])
    first = anchor if start is None else min(anchor, int(np.searchsorted(curve.t, start)))
    t = curve.t[first:]
    t0 = curve.t[anchor]
    try:
        values = law_values(law, np.append(t, t0), symbols)
    except BadInputError:
        return None
    at_t, at_anchor = values[:-1], values[-1]
    if not np.isfinite(at_anchor) or not np.isfinite(center[anchor]) or center[anchor] <= 0:
        return None
    if law.exponential:
        log_shape = -(at_t - at_anchor)
    else:
        log_shape = np.log(at_t) - np.log(at_anchor)
    with np.errstate(over="ignore", under="ignore"):
        y = center[anchor] * np.exp(log_shape)
    keep = np.isfinite(y) & (y > 0)
    y = y[keep]
    label = "claimed " + ("shape (constant 1)" if law.exponential else "rate")
    return Line(t[keep], y, f"{label}: {law}")


def clip_line(line: Line | None, xlim: tuple[float, float] | None,
              ylim: tuple[float, float] | None, xscale: str = "linear") -> Line | None:
    """The part of ``line`` inside the limits, cut where it first leaves them.

    A line (the claimed rate) that leaves the y range is cut there, with its last point
    moved onto the limit (interpolated in log y against ``x`` on ``xscale``), so it neither
    stretches the axes nor runs off them. None when nothing is left.
    """
    if line is None:
        return None
    x, y = np.asarray(line.x, float), np.asarray(line.y, float)
    inside_x = np.ones(x.size, bool) if xlim is None else \
        (x >= xlim[0] * (1 - 1e-12)) & (x <= xlim[1] * (1 + 1e-12))
    x, y = x[inside_x], y[inside_x]
    if x.size == 0:
        return None
    if ylim is None:
        return Line(x, y, line.label)
    lo, hi = ylim
    inside = (y >= lo) & (y <= hi)
    if inside.all():
        return Line(x, y, line.label)
    first_in = np.flatnonzero(inside)
    if first_in.size == 0:
        return None
    begin = first_in[0]
    after = np.flatnonzero(~inside[begin:])
    end = begin + after[0] if after.size else x.size
    gx = np.log if xscale == "log" else (lambda v: v)
    inv = np.exp if xscale == "log" else (lambda v: v)

    def crossing(i: int, j: int) -> tuple[float, float]:
        # From x[i] (inside) towards x[j] (outside), the point on the limit passed.
        bound = lo if y[j] < lo else hi
        a, b = np.log(y[i]), np.log(y[j])
        frac = (np.log(bound) - a) / (b - a) if b != a else 0.0
        return float(inv(gx(x[i]) + frac * (gx(x[j]) - gx(x[i])))), bound

    xs, ys = list(x[begin:end]), list(y[begin:end])
    if begin > 0:
        cx, cy = crossing(begin, begin - 1)
        xs.insert(0, cx)
        ys.insert(0, cy)
    if end < x.size:
        cx, cy = crossing(end - 1, end)
        xs.append(cx)
        ys.append(cy)
    if len(xs) < 2:
        return None
    return Line(np.array(xs), np.array(ys), line.label)


def _floor(curve: Curve, center: np.ndarray, tol: Tolerances) -> tuple[float, str, float]:
    """The display floor: ``(level, label, threshold)``.

    The measure's accuracy floor (or ``rel_floor`` x the first value, whichever is larger)
    when some trace comes within ``floor_margin`` of it; else, when a trace reaches exactly
    0, a level under the smallest positive value, labelled ``exact 0``. ``threshold`` is the
    value at or below which the aggregate counts as at the floor.
    """
    values = curve.values[np.isfinite(curve.values)]
    if values.size == 0:
        return 0.0, "", 0.0
    start = abs(float(center[0])) if np.isfinite(center[0]) else 0.0
    if curve.floor > 0:
        level = max(curve.floor, tol.rel_floor * start)
        threshold = level * tol.floor_margin
        if np.any(values <= threshold):
            return level, f"floor {level:.2g}: values at or below drawn on it", threshold
        return 0.0, "", threshold
    positive = values[values > 0]
    if np.any(values <= 0):
        smallest = float(positive.min()) if positive.size else 1.0
        level = smallest / 4
        return level, "exact 0: drawn on this line", level
    return 0.0, "", 0.0


def _stays_below(t: np.ndarray, y: np.ndarray, threshold: float) -> float | None:
    """The first ``t`` from which ``y`` stays at or below ``threshold``; None if never."""
    if threshold <= 0 or y.size == 0:
        return None
    above = np.flatnonzero(~(np.isfinite(y) & (y <= threshold)))
    if above.size == 0:
        return float(t[0])
    if above[-1] == y.size - 1:
        return None
    return float(t[above[-1] + 1])


def _limits(panel: TracePanel, threshold: float, extra: Sequence[np.ndarray] = ()
            ) -> tuple[tuple[float, float] | None, tuple[float, float] | None, float | None, str]:
    """``xlim, ylim, floor_from, cut_note`` for a trace panel.

    The y limits hold every drawn value (seeds, band, aggregate, fit, other sweep points,
    the floor level) with a margin; the claimed rate does not stretch them. When every drawn
    aggregate sits at the floor over the later part of the run, the x axis stops a little
    after the last of them gets there, and ``cut_note`` says so.
    """
    t = panel.t
    shown = [panel.shown(row) for row in panel.seeds]
    shown += [panel.shown(panel.center), *(panel.shown(e) for e in extra)]
    if panel.fitted is not None:
        shown.append(panel.shown(panel.fitted.y))
    if panel.target is not None and panel.target > 0:
        shown.append(np.array([panel.target]))
    stacked = np.concatenate([np.ravel(s) for s in shown])
    finite = stacked[np.isfinite(stacked) & (stacked > 0)]
    ylim = None
    if finite.size:
        lo, hi = float(finite.min()), float(finite.max())
        if panel.floor_level > 0:
            lo = min(lo, panel.floor_level)
        lo, hi = lo / Y_PAD, hi * Y_PAD
        if hi / lo < 100:  # at least two decades, around the data
            mid = math.sqrt(hi * lo)
            lo, hi = mid / 10, mid * 10
        ylim = (lo, hi)
    xlim = (float(t[0]), float(t[-1]))
    floor_from = None
    cut_note = ""
    if panel.floor_level > 0:
        reach = [_stays_below(t, panel.center, threshold)]
        reach += [_stays_below(t, np.asarray(e), threshold) for e in extra]
        floor_from = reach[0]
        if all(r is not None for r in reach):
            last = max(r for r in reach if r is not None)
            if panel.xscale == "log":
                early = math.log(last / t[0]) < 0.6 * math.log(t[-1] / t[0]) if last > t[0] \
                    else True
                cut = last * (t[-1] / t[0]) ** 0.12
            else:
                early = last - t[0] < 0.5 * (t[-1] - t[0])
                cut = last + 0.3 * (last - t[0])
            if panel.window is not None:
                cut = max(cut, panel.window[1] * (1.05 if panel.xscale == "log" else 1.0))
            if early and cut < t[-1]:
                xlim = (float(t[0]), float(cut))
                cut_note = (f"at the floor from t = {last:.4g}\nto the end of the run, "
                            f"t = {t[-1]:.4g} (axis cut)")
    return xlim, ylim, floor_from, cut_note


def _usable(claim: Claim, curve: Curve, fit: Fit | None) -> tuple[float, float] | None:
    """The usable range: from the first checkpoint (or ``t_min``) to the end of the local
    sequence (where the error came within ``floor_margin`` of the floor)."""
    if fit is None or fit.window is None:
        return None
    start = float(curve.t[0]) if not claim.t_min else max(float(claim.t_min), float(curve.t[0]))
    end = fit.local[-1].t_hi if fit.local else fit.window[1]
    if fit.local:
        start = min(start, fit.local[0].t_lo) if fit.kind.xscale == "log" else start
    return start, float(end)


def _kind(claim: Claim, fit: Fit | None, symbols: dict[str, float] | None) -> LawKind:
    """The law kind of a claim's fit (or of its rate, when there is no fit)."""
    if fit is not None and fit.model in KINDS:  # a fit of a law in t (not a cost sweep's)
        return fit.kind
    try:
        return kind_of(claim.rate, symbols)
    except (BadInputError, TypeError, ValueError):
        return POWER


def trace_panel(claim: Claim, curve: Curve, fit: Fit | None,
                symbols: dict[str, float] | None, label: str = "",
                tol: Tolerances | None = None, others: Sequence[Line] = ()) -> TracePanel:
    """The panel data for one curve (one sweep point) of a claim.

    ``fit`` is None for cost and final-value sweeps, whose curves follow no stated rate in
    ``t``: the panel then shows the traces (and a cost sweep's target) only, on log-log axes
    against iterations (the grid all seeds share). ``others`` are the other sweep points'
    aggregates.
    """
    tol = tol or claim.tolerances
    values = curve.values
    # Cost and final-value sweeps read each run; their curves follow no stated rate in t.
    read = claim.sweep is not None and claim.sweep.quantity in ("cost", "final")
    cost = read and claim.sweep.quantity == "cost"
    with np.errstate(all="ignore"):
        center = fit.center if fit is not None and fit.center is not None \
            else aggregate(values, claim.aggregate)
        band = (np.nanmin(values, axis=0), np.nanmax(values, axis=0))
    kind = _kind(claim, fit, symbols)
    target = claim.sweep.target if cost and claim.sweep.target else None
    xlabel = axis_label(claim, AXIS_ITERATIONS if read else None)
    if cost and claim.axis != AXIS_ITERATIONS:
        counted = counter_description(claim.problem, claim.algorithm, claim.axis)
        xlabel += f"; the cost counts {counted or claim.axis}"
    how = {"mean": "mean of", "max": "max over"}.get(claim.aggregate, "median of")
    if claim.aggregate.startswith("q"):  # a quantile, for high-probability claims
        how = f"{claim.aggregate[1:]} quantile of"
    level, floor_label, threshold = _floor(curve, center, tol)
    usable = _usable(claim, curve, fit)
    panel = TracePanel(
        label=label, t=curve.t, seeds=values, center=center, band=band,
        window=fit.window if fit is not None else None,
        fitted=fitted_line(curve, fit, claim.aggregate) if fit is not None else None,
        reference=None, xscale="log" if read else kind.xscale, xlabel=xlabel,
        ylabel=f"{claim.measure} ({how} {values.shape[0]} seeds)" if values.shape[0] > 1
        else f"{claim.measure} (one run)",
        floor=curve.floor, status=fit.status if fit is not None else "",
        note=fit.reason if fit is not None else "", target=target, usable=usable,
        floor_level=level, floor_label=floor_label,
        others=[Line(o.x, o.y, o.label) for o in others])
    panel.xlim, panel.ylim, panel.floor_from, panel.cut_note = _limits(
        panel, threshold, [o.y for o in others])
    # exp(-K(g T)) fixes the shape but no constant: any drawn constant would be arbitrary
    # (constant 1 plunges off the axes when g is large), so the claim is read from the
    # diagnostics panel (a flat local rate is linear convergence) and the scaling panel.
    if fit is not None and not claim.rate.exponential:
        reference = reference_line(curve, fit, claim.rate, symbols, claim.aggregate,
                                   start=usable[0] if usable else None)
        panel.reference = clip_line(reference, panel.xlim, panel.ylim, panel.xscale)
    return panel


def diagnostics_panel(claim: Claim, fit: Fit | None, tol: Tolerances,
                      label: str = "") -> DiagnosticsPanel | None:
    """The local sequence of ``fit`` against ``t`` with the claim and its tolerance band.

    Power laws: each local window's log-log slope and the claim's own slope over the same
    window (log factors included), band ``± slope``. Geometric laws: the window quarters'
    rate constants ``c`` (``error ~ exp(-c t)``) and the claimed constant, band
    ``± rate_rtol``; a law without a constant shows the fitted ``c`` with its CI instead.
    Growth (divergence) claims: the growth rates ``g`` of ``exp(g t)``, band ``± rate_rtol``.
    Floor claims: the local log-log slopes against 0, band ``± stall_slope`` (settled).
    None for fits without a model in ``t`` (cost sweeps).
    """
    if fit is None:
        return None
    kind = fit.kind
    power = kind.xscale == "log"
    xscale = kind.xscale
    xlabel = axis_label(claim)
    local = list(fit.local)
    single = not local and fit.window is not None and fit.estimate is not None
    if single:  # a kind judged on one window (growth): that window alone
        local = [Local(fit.window[0], fit.window[1], fit.estimate, fit.expected)]
    windows = [(w.t_lo, w.t_hi) for w in local]
    lo = np.array([w[0] for w in windows], float)
    hi = np.array([w[1] for w in windows], float)
    x = np.sqrt(lo * hi) if power else (lo + hi) / 2
    estimate = np.array([w.estimate for w in local], float)
    expected = np.array([np.nan if w.expected is None else w.expected for w in local], float)
    # A larger estimate is slower for slopes, growth rates and plateaus, faster for rate
    # constants; an upper bound on the error is contradicted on the slower side.
    slower = "below" if kind.faster_is_high else "above"
    faster = "above" if kind.faster_is_high else "below"
    mismatch_side = {"upper": slower, "lower": faster, "tight": "both"}[
        claim.rate.error_bound]
    has = bool(local) and bool(np.all(np.isfinite(expected)))
    band = None
    tolerance_label = ""
    quantity, ylabel = kind.local_quantity, kind.local_ylabel
    band, tolerance_label = kind.local_band(expected, has, tol)
    if not kind.local_has_side:  # a plateau's local slopes: settled when flat
        mismatch_side = ""
    panel = DiagnosticsPanel(
        quantity=quantity, plural=kind.local_plural, ylabel=ylabel, xscale=xscale,
        xlabel=xlabel, windows=windows,
        x=x, estimate=estimate, expected=expected, band=band,
        tolerance_label=tolerance_label, mismatch_side=mismatch_side,
        final_ci=tuple(fit.ci) if fit.ci is not None else None, label=label)
    if not power and band is None and fit.estimate is not None and local:
        panel.reference = fit.estimate
        panel.reference_band = tuple(fit.ci) if fit.ci is not None else None
        panel.note = ("the claim fixes no constant (exp(-K(.))): a flat sequence is linear "
                      "convergence")
    for k, seed_fit in enumerate(fit.per_seed):
        if seed_fit.local:
            slo = np.array([w.t_lo for w in seed_fit.local])
            shi = np.array([w.t_hi for w in seed_fit.local])
            sx = np.sqrt(slo * shi) if power else (slo + shi) / 2
            panel.per_seed.append(Line(sx, np.array([w.estimate for w in seed_fit.local]),
                                       f"seed {k + 1}"))
    if single:
        panel.note = f"one window: the {kind.quantity} is judged over the final window only"
    if not local:
        panel.note = f"no local estimates ({fit.status}" + (
            f": {shorten_text(fit.reason, 120)})" if fit.reason else ")")
        return panel
    panel.xlim = (lo.min() / 1.25, hi.max() * 1.25) if power else \
        (lo.min() - 0.04 * (hi.max() - lo.min()), hi.max() + 0.04 * (hi.max() - lo.min()))
    drawn = [estimate, expected, *(band or ()), *(line.y for line in panel.per_seed)]
    drawn += [np.array(panel.final_ci or ()), np.array(panel.reference_band or ())]
    every = np.concatenate([np.ravel(d) for d in drawn])
    every = every[np.isfinite(every)]
    low, high = float(every.min()), float(every.max())
    if not power and low >= 0:
        low = 0.0  # rate constants from 0: their size is read against 0
    pad = max(0.08 * (high - low), 0.02 if power else 0.05 * max(abs(high), 1e-12))
    panel.ylim = (low - (pad if low != 0.0 or power else 0.0), high + pad)
    return panel


def _sweep_law(claim: Claim) -> RateLaw:
    sweep = claim.sweep
    assert sweep is not None
    if sweep.law is not None:
        return sweep.law
    kind = {"upper": "Omega", "lower": "O", "tight": "Theta"}[claim.rate.error_bound]
    return parse_rate(f"{kind}({claim.rate.rate_constant})", variable=sweep.parameter)


def _quantity_label(claim: Claim, quantity: str, checks: dict | None = None) -> str:
    """The scaling panel's y label: what the swept quantity is, in the claim's units."""
    sweep = claim.sweep
    assert sweep is not None
    if quantity == "rate_constant":
        return r"rate constant $c$ (error $\sim e^{-ct}$)"
    if quantity == "advantage":
        compare = (checks or {}).get("compare") or {}
        what = compare.get("advantage", "baseline / claim")
        baseline = compare.get("baseline", "baseline")
        return f"advantage over {baseline}: {what}"
    if quantity == "final":
        return f"{claim.measure} at the end of the run"
    counted = "iterations" if claim.axis == AXIS_ITERATIONS else (
        counter_description(claim.problem, claim.algorithm, claim.axis) or claim.axis)
    target = f" until {claim.measure} ≤ {sweep.target:g}" if sweep.target is not None else ""
    return f"cost: {counted}{target}"


def scaling_panel(claim: Claim, scaling: ScalingFit, fits: Sequence[Fit | None],
                  symbols: dict[str, float] | None,
                  quantities: np.ndarray | None = None,
                  checks: dict | None = None) -> ScalingPanel:
    """The scaling panel of a sweep claim.

    Error bars are the seed range of ``quantities`` (per-seed costs or rate constants,
    shape ``(seeds, points)``) where given, else the point fit's CI of the rate constant.
    """
    assert claim.sweep is not None
    values = np.asarray(scaling.values, float)
    center = np.array([np.nan if p["median"] is None else p["median"] for p in scaling.points])
    low, high = center.copy(), center.copy()
    for j in range(values.size):
        fit = fits[j] if j < len(fits) else None
        if quantities is not None:
            column = np.asarray(quantities, float)[:, j]
            if np.all(np.isfinite(column)):
                low[j], high[j] = column.min(), column.max()
        elif fit is not None and fit.ci is not None:
            low[j], high[j] = fit.ci
    censored = np.array([c["value"] for c in scaling.censored], float)
    kept = np.isfinite(center) & (center > 0)
    expected = fitted = None
    band = None
    if kept.sum() >= 2:
        x = np.geomspace(values.min(), values.max(), 50)
        x0, y0 = np.log(values[kept]).mean(), np.log(center[kept]).mean()
        law = _sweep_law(claim)
        params = {**(symbols or {}), **claim.rate_params}
        params.pop(claim.sweep.parameter, None)
        try:
            shape = np.log(law.evaluate(x, params))
            # Anchor the claimed law at the centroid of the kept points, in log-log.
            at_kept = np.log(law.evaluate(values[kept], params)).mean()
            expected = Line(x, np.exp(shape - at_kept + y0),
                            f"claimed {law}: exponent {scaling.expected_exponent:.3g}")
        except BadInputError:
            expected = Line(x, np.exp(y0 + scaling.expected_exponent * (np.log(x) - x0)),
                            f"claimed exponent {scaling.expected_exponent:.3g}")
        if scaling.exponent is not None:
            ci = f" CI [{scaling.ci[0]:.3g}, {scaling.ci[1]:.3g}]" if scaling.ci else ""
            fitted = Line(x, np.exp(y0 + scaling.exponent * (np.log(x) - x0)),
                          f"fit: exponent {scaling.exponent:.3g}{ci}")
        if scaling.ci is not None:
            lines = [np.exp(y0 + e * (np.log(x) - x0)) for e in scaling.ci]
            band = (x, np.minimum(*lines), np.maximum(*lines))
    exponents = f"claimed exponent {scaling.expected_exponent:.3g}"
    if scaling.exponent is not None:
        exponents = f"fitted exponent {scaling.exponent:.3g}, " + exponents
    limit = f" (bound speaks of {scaling.limit} {scaling.parameter})" if scaling.limit else ""
    return ScalingPanel(scaling.parameter, scaling.quantity, values, center, low, high,
                        censored, expected, fitted, scaling.limit, band,
                        "seed range" if quantities is not None else "point CI",
                        ylabel=_quantity_label(claim, scaling.quantity, checks),
                        xlabel=scaling.parameter + limit,
                        ticks=np.unique(values), exponents=exponents)
