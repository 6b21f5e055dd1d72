"""Figure data: what a claim's figure shows, as plain arrays and strings (no matplotlib).

:func:`claim_figure` turns a :class:`~workbench.engine.result.ClaimResult` into

* a :class:`TracePanel`: the seeds' traces, the aggregate and its band, the usable range and
  the final fit window, the fitted law over that window and the claimed rate through the
  window start, clipped to limits set by the data; values at or below the measure's accuracy
  floor (and exact zeros) are drawn on a marked floor instead of vanishing from a log axis.
  For a sweep it shows one representative point (the end of the sweep the bound speaks of)
  in full and the other points' aggregates as labelled lines;
* a :class:`DiagnosticsPanel`: the local slopes (power laws) or local rate constants
  (geometric laws) of the verdict analysis against ``t``, with the claimed value and its
  tolerance band, so a transient that dies out or a log factor that persists is visible;
* for sweep claims a :class:`ScalingPanel`: the fitted quantity at every swept value, the
  fitted and claimed exponents, censored points.

:func:`figures` groups claims that share a card's ``figure`` value; its caption cites the
claims' papers, each method's reference (``Algorithm.reference``) and the settings as run.
The panels are built in :mod:`workbench.outputs.panels`, the caption and verdict-box text in
:mod:`workbench.outputs.captions`, each algorithm's one style in
:mod:`workbench.outputs.styles`; :mod:`workbench.outputs.drawing` draws the result; tests
check the numbers without drawing anything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from workbench.cards.claims import Claim
from workbench.engine.fit import aggregate
from workbench.engine.result import ClaimResult
from workbench.outputs.captions import method_reference, number_text, settings_text, summary_lines
from workbench.outputs.panels import (
    DiagnosticsPanel,
    Line,
    ScalingPanel,
    TracePanel,
    diagnostics_panel,
    scaling_panel,
    trace_panel,
)
from workbench.outputs.styles import VERDICT_COLORS, AlgorithmStyle, algorithm_style


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
    style: AlgorithmStyle | None = None
    diagnostics: DiagnosticsPanel | None = None
    rate_text: str = ""
    settings: str = ""
    problem: str = ""
    measure: str = ""

    @property
    def method(self) -> str:
        """The algorithm with its citation, ``gd (Cauchy (1847))``."""
        return f"{self.algorithm} ({self.method_reference})" if self.method_reference \
            else self.algorithm

    @property
    def trace(self) -> TracePanel | None:
        """The trace panel drawn (a sweep's representative point)."""
        return self.traces[0] if self.traces else None


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
        """The lines under the figure: each claim's paper, each method's citation, and the
        settings each claim ran with."""
        papers = list(dict.fromkeys(f"Claim: {c.paper}" for c in self.claims))
        methods = list(dict.fromkeys(c.method for c in self.claims))
        label = "Method" if len(methods) == 1 else "Methods"
        lines = [*papers, f"{label}: {'; '.join(methods)}"] if methods else papers
        several = len(self.claims) > 1
        runs = [f"Run{f' ({c.claim_id})' if several else ''}: {c.settings}"
                for c in self.claims if c.settings]
        return lines + runs


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


def representative_point(result: ClaimResult) -> int:
    """The sweep point drawn in full: the end of the sweep the bound speaks of (its
    ``limit``), the nearest point to it with a usable fit (or an uncensored cost)."""
    claim = result.claim
    sweep = claim.sweep
    if sweep is None or len(result.curves) <= 1:
        return 0
    values = np.asarray(sweep.values[: len(result.curves)], float)
    limit = result.scaling.limit if result.scaling is not None else sweep.limit
    order = list(np.argsort(values))  # the hard end first: the smallest value, or
    if limit == "large":  # the largest when the bound speaks of large values
        order = order[::-1]
    censored = {c["value"] for c in result.scaling.censored} if result.scaling else set()
    for j in order:
        fit = result.point_fits[j] if j < len(result.point_fits) else None
        usable = fit.status == "ok" if fit is not None else values[j] not in censored
        if usable:
            return int(j)
    return int(order[0])


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
    tol = result.tolerances or claim.tolerances
    sweep = claim.sweep
    traces: list[TracePanel] = []
    diagnostics = None
    shown_fit = result.fit
    if result.curves:
        j = representative_point(result)
        fit = result.point_fits[j] if j < len(result.point_fits) else None
        shown_fit = fit if fit is not None else result.fit
        label = f"{sweep.parameter} = {number_text(sweep.values[j])}" if sweep is not None \
            and j < len(sweep.values) else ""
        others = []
        if sweep is not None:
            for k, curve in enumerate(result.curves):
                if k == j:
                    continue
                other_fit = result.point_fits[k] if k < len(result.point_fits) else None
                center = other_fit.center if other_fit is not None and \
                    other_fit.center is not None else aggregate(curve.values, claim.aggregate)
                if curve.t.shape == result.curves[j].t.shape and \
                        np.allclose(curve.t, result.curves[j].t):
                    others.append(Line(curve.t, center, f"{sweep.parameter} = "
                                       f"{number_text(sweep.values[k])}"))
        point_symbols = symbols[j] if j < len(symbols) else None
        traces.append(trace_panel(claim, result.curves[j], fit, point_symbols, label, tol,
                                  others))
        diagnostics = diagnostics_panel(claim, fit, tol, label)
    scaling = None
    if result.scaling is not None:
        scaling = scaling_panel(claim, result.scaling, result.point_fits,
                                symbols[0] if symbols else None, detail.quantities,
                                result.checks)
        if traces and sweep is not None:
            scaling.representative = float(sweep.values[representative_point(result)])
    verdict = result.verdict.verdict
    stated = claim.rate.text if sweep is None or sweep.quantity != "cost" else \
        f"{sweep.quantity} {claim.rate.text}"
    style = algorithm_style(claim.algorithm)
    return ClaimFigure(
        claim_id=claim.id, algorithm=claim.algorithm, color=style.color, verdict=verdict,
        verdict_color=VERDICT_COLORS.get(verdict, "#000000"),
        title=f"{claim.id}: {claim.algorithm} on {claim.problem}, {claim.measure}, "
              f"stated {stated}",
        summary=summary_lines(result, shown_fit), paper=claim.paper_label,
        rate_latex=claim.rate.latex(), traces=traces, scaling=scaling,
        method_reference=method_reference(claim.problem, claim.algorithm), style=style,
        diagnostics=diagnostics, rate_text=stated, settings=settings_text(result),
        problem=claim.problem, measure=claim.measure)


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
