"""Figure data: what a claim's figure shows, as plain arrays and strings (no matplotlib).

:func:`claim_figure` turns a :class:`~workbench.engine.result.ClaimResult` into one
:class:`TracePanel` per sweep point (the seeds' traces, the aggregate and its band, the fit
window, the fitted law over the window and the claimed rate anchored at the window start) and,
for sweep claims, a :class:`ScalingPanel` (the fitted quantity against the swept parameter).
:func:`figures` groups claims that share a card's ``figure`` value; its caption cites the
claims' papers and each method's own reference (``Algorithm.reference``). Each algorithm has
one color everywhere (:func:`algorithm_color`). :mod:`workbench.outputs.drawing` draws the
result; tests check the numbers here without drawing anything.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from workbench.cards.claims import Claim
from workbench.cards.ratelaw import RateLaw, parse_rate
from workbench.catalogue import AXIS_ITERATIONS
from workbench.engine.fit import Curve, Fit, aggregate
from workbench.engine.result import ClaimResult
from workbench.engine.sweep import ScalingFit
from workbench.errors import BadInputError

FORMATS = ("png", "pdf", "svg")
# One fixed color per well-known method, the same in every figure and report whatever the
# catalogue holds: Tableau-10 (matplotlib's default cycle), then its light shades (Tableau-20),
# as hex so the data layer needs no matplotlib. Rows are (names, color); aliases of one
# method share its color.
_KNOWN_METHODS = (
    (("gd",), "#1f77b4"),
    (("sgd",), "#ff7f0e"),
    (("perceptron",), "#2ca02c"),
    (("extragradient", "eg"), "#d62728"),
    (("optimistic_gradient", "ogda", "past_extragradient", "popov"), "#9467bd"),
    (("proximal_point", "ppm"), "#8c564b"),
    (("halpern", "anchored", "extra_anchored_gradient", "eag"), "#e377c2"),
    (("gda", "gradient_descent_ascent"), "#7f7f7f"),
    (("gd_asym",), "#bcbd22"),
    (("gd_modified",), "#17becf"),
    (("newton",), "#aec7e8"),
    (("heavy_ball", "polyak"), "#ffbb78"),
    (("nesterov", "agd", "accelerated_gd"), "#98df8a"),
    (("svrg",), "#ff9896"),
    (("saga", "sag"), "#c5b0d5"),
    (("adam", "adagrad"), "#c49c94"),
    (("forward_backward", "proximal_gradient", "ista"), "#f7b6d2"),
    (("fista",), "#c7c7c7"),
    (("mirror_descent", "mirror_prox"), "#dbdb8d"),
    (("frank_wolfe", "conditional_gradient"), "#9edae5"),
)
METHOD_COLORS = {name: color for names, color in _KNOWN_METHODS for name in names}
# Names outside the table: a hash of the name (crc32, stable across runs and machines, unlike
# Python's salted hash()) picks one of these (Tableau-20b, darker shades, none in the table).
HASHED_PALETTE = ("#393b79", "#5254a3", "#6b6ecf", "#637939", "#8ca252", "#b5cf6b",
                  "#8c6d31", "#bd9e39", "#e7ba52", "#843c39", "#ad494a", "#d6616b",
                  "#7b4173", "#a55194", "#ce6dbd")
VERDICT_COLORS = {"consistent": "#2ca02c", "mismatch": "#d62728", "inconclusive": "#7f7f7f"}
# The reference curve is cut where it falls this far below the smallest plotted value.
REFERENCE_DEPTH = 1e-3


def algorithm_color(algorithm: str) -> str:
    """The one color of an algorithm, in every figure and the report.

    A function of the name alone, so adding a family or an algorithm recolors nothing:
    well-known methods (``gd``, ``sgd``, ``extragradient``, ...) take a fixed color from
    :data:`METHOD_COLORS`; any other name takes one of :data:`HASHED_PALETTE` by the crc32 of
    its name (two such names may share a color).

    Parameters
    ----------
    algorithm
        Algorithm name as in the cards (``gd``, ``sgd``).
    """
    if algorithm in METHOD_COLORS:
        return METHOD_COLORS[algorithm]
    return HASHED_PALETTE[zlib.crc32(algorithm.encode()) % len(HASHED_PALETTE)]


def method_reference(problem: str, algorithm: str) -> str:
    """The citation an algorithm declares (``Algorithm.reference``), ``""`` if none.

    Parameters
    ----------
    problem, algorithm
        The claim's problem (``logistic.l2``) and algorithm (``gd``) names.
    """
    from workbench.catalogue import catalogue

    entry = catalogue().get(problem)
    method = entry.algorithms.get(algorithm) if entry is not None else None
    return method.reference if method is not None else ""


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
        The grid and every seed's trace, shape ``(seeds, n)``.
    center, band
        The aggregate the fit used and the pointwise range over seeds ``(low, high)``.
    window
        ``(t_min, t_max)`` of the fit window, None when no window was chosen.
    fitted
        The fitted law over the window (a line in the panel's axes).
    reference
        The claimed rate anchored at the aggregate at the window start, from the window start
        to the end of the run; None when the rate has no value here.
    xscale
        ``"log"`` for power laws, ``"linear"`` for geometric ones; the y axis is always log.
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


@dataclass
class ScalingPanel:
    """The fitted quantity against the swept parameter.

    ``center`` is the per-point median over seeds (nan where censored) with error bars
    ``low``/``high``: the point fit's CI for rate constants, the seed range for costs.
    ``censored`` lists the parameter values where a run was censored;
    ``exponent_band`` is ``(x, low, high)``, the lines through the centroid with the
    exponent's CI ends.
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


@dataclass
class ClaimFigure:
    """Everything drawn for one claim: its panels plus the title and legend text."""

    claim_id: str
    algorithm: str
    color: str
    verdict: str
    verdict_color: str
    title: str
    summary: list[str]
    paper: str
    rate_latex: str
    traces: list[TracePanel]
    scaling: ScalingPanel | None = None
    method_reference: str = ""

    @property
    def method(self) -> str:
        """The algorithm with its citation, ``gd (Cauchy (1847))``."""
        return f"{self.algorithm} ({self.method_reference})" if self.method_reference \
            else self.algorithm


@dataclass
class FigureData:
    """One output figure: one or more claims (claims sharing a card's ``figure`` value)."""

    name: str
    claims: list[ClaimFigure] = field(default_factory=list)

    @property
    def claim_ids(self) -> list[str]:
        return [c.claim_id for c in self.claims]

    @property
    def caption(self) -> list[str]:
        """The lines under the figure: each claim's paper, then each method's citation."""
        papers = list(dict.fromkeys(f"Claim: {c.paper}" for c in self.claims))
        methods = list(dict.fromkeys(c.method for c in self.claims))
        label = "Method" if len(methods) == 1 else "Methods"
        return [*papers, f"{label}: {'; '.join(methods)}"] if methods else papers


@dataclass
class RunDetail:
    """What a run knows beyond the :class:`ClaimResult`.

    Attributes
    ----------
    symbols
        Per sweep point, the values of the rate's symbols the fit used (instance constants
        such as ``mu``, ``L`` included).
    quantities
        For sweep claims, the per-seed quantity (cost or rate constant), shape
        ``(seeds, points)``; used for the scaling panel's error bars.
    """

    symbols: list[dict[str, float]] = field(default_factory=list)
    quantities: np.ndarray | None = None


def figure_name(claim: Claim) -> str:
    """File stem of a claim's figure: its ``figure`` value if set, else its id."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", claim.figure or claim.id)


def _window_mask(t: np.ndarray, window: tuple[float, float]) -> np.ndarray:
    lo, hi = window
    return (t >= lo * (1 - 1e-12)) & (t <= hi * (1 + 1e-12))


def fitted_line(curve: Curve, fit: Fit, how: str = "mean") -> Line | None:
    """The fitted model over the fit window.

    The slope (power) or rate constant (geometric) is the fit's estimate; the intercept is
    the least-squares one on the aggregate over the window, so the line is the fit itself.
    """
    if fit.window is None or fit.estimate is None:
        return None
    center = fit.center if fit.center is not None else aggregate(curve.values, how)
    mask = _window_mask(curve.t, fit.window)
    t = curve.t[mask]
    logv = np.log(np.maximum(center[mask], np.finfo(float).tiny))
    if fit.model == "power":
        intercept = logv.mean() - fit.estimate * np.log(t).mean()
        y = np.exp(intercept + fit.estimate * np.log(t))
        label = f"fit: slope {fit.estimate:.3g}"
    else:
        intercept = logv.mean() + fit.estimate * t.mean()
        y = np.exp(intercept - fit.estimate * t)
        label = f"fit: factor {math.exp(-fit.estimate):.4g}/step"
    return Line(t, y, label)


def reference_line(curve: Curve, fit: Fit, law: RateLaw, symbols: dict[str, float] | None,
                   how: str = "mean") -> Line | None:
    """The claimed rate, anchored at the aggregate at the window start.

    The law's expression is evaluated with :meth:`RateLaw.evaluate` and the symbol values
    the fit used, so log factors and explicit factors are drawn as stated. For
    ``exp(-K(g))`` only the shape is known: the curve is ``exp(-(g(t) - g(t0)))``, i.e. the
    hidden constant set to 1. Returns None without a window or without the symbol values.
    """
    if fit.window is None or symbols is None or law.missing(symbols):
        return None
    center = fit.center if fit.center is not None else aggregate(curve.values, how)
    start = int(np.flatnonzero(_window_mask(curve.t, fit.window))[0])
    t = curve.t[start:]
    try:
        if law.exponential:
            g = law.evaluate(t, symbols)
            log_shape = -(g - g[0])
        else:
            log_shape = np.log(law.evaluate(t, symbols))
            log_shape = log_shape - log_shape[0]
    except BadInputError:
        return None
    y = center[start] * np.exp(log_shape)
    positive = curve.values[np.isfinite(curve.values) & (curve.values > 0)]
    if positive.size:
        keep = y >= positive.min() * REFERENCE_DEPTH
        keep[0] = True
        t, y = t[keep], y[keep]
    label = "claimed " + ("shape (constant 1)" if law.exponential else "rate")
    return Line(t, y, f"{label}: {law}")


def trace_panel(claim: Claim, curve: Curve, fit: Fit | None,
                symbols: dict[str, float] | None, label: str = "") -> TracePanel:
    """The panel data for one curve (one sweep point) of a claim.

    ``fit`` is None for cost sweeps, whose curves follow no stated rate in ``t``: the panel
    then shows the traces and the sweep's target only, on log-log axes against iterations.
    """
    values = curve.values
    cost = claim.sweep is not None and claim.sweep.quantity == "cost"
    with np.errstate(all="ignore"):
        center = fit.center if fit is not None and fit.center is not None \
            else aggregate(values, claim.aggregate)
        band = (np.nanmin(values, axis=0), np.nanmax(values, axis=0))
    geometric = not cost and claim.rate.shape == "geometric"
    target = claim.sweep.target if cost and claim.sweep.target else None
    return TracePanel(
        label=label, t=curve.t, seeds=values, center=center, band=band,
        window=fit.window if fit is not None else None,
        fitted=fitted_line(curve, fit, claim.aggregate) if fit is not None else None,
        reference=reference_line(curve, fit, claim.rate, symbols, claim.aggregate)
        if fit is not None else None,
        xscale="linear" if geometric else "log",
        xlabel="iteration t" if claim.axis in (AXIS_ITERATIONS, "t") or cost else claim.axis,
        ylabel=f"{claim.measure} ({claim.aggregate} over {values.shape[0]} seeds)",
        floor=curve.floor, status=fit.status if fit is not None else "",
        note=fit.reason if fit is not None else "", target=target,
    )


def _sweep_law(claim: Claim) -> RateLaw:
    sweep = claim.sweep
    assert sweep is not None
    if sweep.law is not None:
        return sweep.law
    kind = {"upper": "Omega", "lower": "O", "tight": "Theta"}[claim.rate.error_bound]
    return parse_rate(f"{kind}({claim.rate.rate_constant})", variable=sweep.parameter)


def scaling_panel(claim: Claim, scaling: ScalingFit, fits: Sequence[Fit | None],
                  symbols: dict[str, float] | None,
                  quantities: np.ndarray | None = None) -> ScalingPanel:
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
                            f"claimed {law} (exponent {scaling.expected_exponent:.3g})")
        except BadInputError:
            expected = Line(x, np.exp(y0 + scaling.expected_exponent * (np.log(x) - x0)),
                            f"claimed exponent {scaling.expected_exponent:.3g}")
        if scaling.exponent is not None:
            fitted = Line(x, np.exp(y0 + scaling.exponent * (np.log(x) - x0)),
                          f"fit: exponent {scaling.exponent:.3g}")
        if scaling.ci is not None:
            lines = [np.exp(y0 + e * (np.log(x) - x0)) for e in scaling.ci]
            band = (x, np.minimum(*lines), np.maximum(*lines))
    return ScalingPanel(scaling.parameter, scaling.quantity, values, center, low, high,
                        censored, expected, fitted, scaling.limit, band,
                        "seed range" if quantities is not None else "point CI")


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3g}"


def summary_lines(result: ClaimResult) -> list[str]:
    """The numbers the legend box shows: verdict, estimate, CI, expected, window."""
    verdict = result.verdict
    lines = [f"verdict: {verdict.verdict}" + (f" ({verdict.direction})"
                                             if verdict.direction else "")]
    fit, scaling = result.fit, result.scaling
    if scaling is not None:
        ci = scaling.ci or (None, None)
        lines.append(f"{scaling.quantity} ~ {scaling.parameter}^{_fmt(scaling.exponent)} "
                     f"CI [{_fmt(ci[0])}, {_fmt(ci[1])}]")
        lines.append(f"expected exponent {scaling.expected_exponent:.3g} "
                     f"({scaling.limit} {scaling.parameter})")
        if scaling.censored:
            lines.append(f"censored at {scaling.parameter} = "
                         + ", ".join(f"{c['value']:.3g}" for c in scaling.censored))
    elif fit is not None and fit.estimate is not None:
        ci = fit.ci or (None, None)
        if fit.model == "power":
            lines.append(f"slope {fit.estimate:.3f} CI [{_fmt(ci[0])}, {_fmt(ci[1])}]")
            if fit.expected is not None:
                lines.append(f"expected {fit.expected:.3f} over the window")
        else:
            lines.append(f"rate constant {fit.estimate:.3g} CI [{_fmt(ci[0])}, {_fmt(ci[1])}]")
            lines.append(f"factor {math.exp(-fit.estimate):.4g}/step" + (
                f" (claim {math.exp(-fit.expected):.4g})" if fit.expected is not None else ""))
    if fit is not None and fit.window is not None:
        lines.append(f"window t in [{fit.window[0]:g}, {fit.window[1]:g}], "
                     f"{fit.n_points} points")
    if verdict.reason:
        lines.append(_shorten(verdict.reason, 160))
    return lines


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def claim_figure(result: ClaimResult, detail: RunDetail | None = None) -> ClaimFigure:
    """The figure data of one claim.

    Parameters
    ----------
    result
        The claim's result, with its curves and per-point fits.
    detail
        Symbol values per sweep point (without them the claimed-rate reference is left
        out) and per-seed sweep quantities.
    """
    claim = result.claim
    detail = detail or RunDetail()
    symbols = detail.symbols
    traces = []
    sweep = claim.sweep
    for j, curve in enumerate(result.curves):
        fit = result.point_fits[j] if j < len(result.point_fits) else None
        label = f"{sweep.parameter} = {sweep.values[j]:.3g}" if sweep is not None \
            and j < len(sweep.values) else ""
        point_symbols = symbols[j] if j < len(symbols) else None
        traces.append(trace_panel(claim, curve, fit, point_symbols, label))
    scaling = None
    if result.scaling is not None:
        scaling = scaling_panel(claim, result.scaling, result.point_fits,
                                symbols[0] if symbols else None, detail.quantities)
    verdict = result.verdict.verdict
    stated = claim.rate.text if sweep is None or sweep.quantity != "cost" else \
        f"{sweep.quantity} {claim.rate.text}"
    return ClaimFigure(
        claim_id=claim.id, algorithm=claim.algorithm,
        color=algorithm_color(claim.algorithm), verdict=verdict,
        verdict_color=VERDICT_COLORS.get(verdict, "#000000"),
        title=f"{claim.id}\n{claim.algorithm} on {claim.problem}, stated {stated}",
        summary=summary_lines(result), paper=claim.paper_label,
        rate_latex=claim.rate.latex(), traces=traces, scaling=scaling,
        method_reference=method_reference(claim.problem, claim.algorithm))


def figures(results: Sequence[ClaimResult],
            details: Sequence[RunDetail | None] | None = None) -> list[FigureData]:
    """Group claims into figures: one per claim, or one per shared ``figure`` value.

    ``details[i]`` belongs to ``results[i]`` (see :func:`claim_figure`). Figures come in
    the order of their first claim.
    """
    out: dict[str, FigureData] = {}
    for i, result in enumerate(results):
        name = figure_name(result.claim)
        data = out.setdefault(name, FigureData(name))
        data.claims.append(claim_figure(result, details[i] if details else None))
    return list(out.values())
