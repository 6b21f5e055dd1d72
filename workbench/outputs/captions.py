"""Caption and summary text of a claim's figure: method citations, counter and axis labels,
the verdict box's summary lines and the settings as run (plain strings, no matplotlib)."""

from __future__ import annotations

from workbench.cards.claims import Claim
from workbench.cards.settings import claim_setting
from workbench.catalogue import AXIS_ITERATIONS
from workbench.engine.fit import Fit
from workbench.engine.result import ClaimResult


def _algorithm_entry(problem: str, algorithm: str):  # -> Algorithm | None
    from workbench.catalogue import catalogue

    entry = catalogue().get(problem)
    return entry.algorithms.get(algorithm) if entry is not None else None


def method_reference(problem: str, algorithm: str) -> str:
    """The citation an algorithm declares (``Algorithm.reference``), ``""`` if none.

    Parameters
    ----------
    problem, algorithm
        The claim's problem (``logistic.l2``) and algorithm (``gd``) names.
    """
    method = _algorithm_entry(problem, algorithm)
    return method.reference if method is not None else ""


def counter_description(problem: str, algorithm: str, counter: str) -> str:
    """What one unit of a counter is, as the algorithm declares it (``full gradients``)."""
    method = _algorithm_entry(problem, algorithm)
    counters = getattr(method, "counters", None) or {}
    return str(counters.get(counter, ""))


def axis_label(claim: Claim, axis: str | None = None) -> str:
    """The x-axis label for a claim's ``axis``: ``iterations t``, or the oracle calls with
    the oracle's name as the algorithm declares it (``oracle calls t: full gradients``)."""
    axis = axis or claim.axis
    if axis in (AXIS_ITERATIONS, "t"):
        return "iterations t"
    what = counter_description(claim.problem, claim.algorithm, axis)
    if axis == "calls":
        return f"oracle calls t: {what}" if what else "oracle calls t"
    return f"{what} ({axis}), t" if what else f"{axis} t"


def number_text(value: float) -> str:
    """A swept value as printed: ``0.025``, ``1024``, ``1e6`` (no ``e+06``)."""
    text = f"{value:g}"
    return text.replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3g}"


def summary_lines(result: ClaimResult, fit: Fit | None = None) -> list[str]:
    """The numbers the verdict box shows: verdict, estimate, CI, claim, windows, the trend
    of the local sequence, the verdict's notes (slack), the checks, and the reason.

    ``fit`` is the fit of the trace panel shown (a sweep's representative point).
    """
    verdict = result.verdict
    lines = [f"verdict: {verdict.verdict}" + (f" ({verdict.direction})"
                                             if verdict.direction else "")]
    tol = result.tolerances or result.claim.tolerances
    scaling = result.scaling
    fit = fit if fit is not None else result.fit
    if scaling is not None:
        ci = scaling.ci or (None, None)
        lines.append(f"{scaling.quantity} ~ {scaling.parameter}^{_fmt(scaling.exponent)}, "
                     f"CI [{_fmt(ci[0])}, {_fmt(ci[1])}]; claimed exponent "
                     f"{scaling.expected_exponent:.3g} ± {tol.scaling:g} ({scaling.limit} "
                     f"{scaling.parameter})")
        if scaling.censored:
            lines.append(f"censored at {scaling.parameter} = "
                         + ", ".join(f"{c['value']:.3g}" for c in scaling.censored))
    if fit is not None and fit.estimate is not None:
        ci = fit.ci or (None, None)
        where = "shown point: " if scaling is not None else ""
        ci_text = f"CI [{_fmt(ci[0])}, {_fmt(ci[1])}]"
        lines.append(where + fit.kind.summary(fit.estimate, fit.expected, ci_text, tol))
    if fit is not None and fit.window is not None:
        text = f"final window t in [{fit.window[0]:.4g}, {fit.window[1]:.4g}], " \
               f"{fit.n_points} points"
        if fit.local:
            text += f"; {len(fit.local)} local windows from t = {fit.local[0].t_lo:.3g}"
        lines.append(text)
    if fit is not None and fit.ratio_growth is not None:
        lines.append(f"error / r(T) changed x{fit.ratio_growth:.3g} over the later half of "
                     "the range")
    if fit is not None and fit.rate_decay and None not in fit.rate_decay:
        b_window, b_final = fit.rate_decay
        lines.append(f"semilog rate falls like t^-{b_window:.2f} over the window, "
                     f"t^-{b_final:.2f} over its final half (power law 1, geometric 0)")
    for note in verdict.notes:
        lines.append(shorten_text(note, 200))
    if result.power is not None and result.power.text():
        lines.append("power: " + shorten_text(result.power.text(), 200))
    regime = result.checks.get("regime") if result.checks else None
    if regime and regime.get("left_out"):
        lines.append(f"regime: {len(regime['left_out'])} of {regime['seeds']} seeds outside "
                     "the theorem's assumptions, left out")
    if verdict.reason:
        lines.append("reason: " + shorten_text(verdict.reason, 300))
    return lines


def shorten_text(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def settings_text(result: ClaimResult) -> str:
    """The settings a claim ran with: mode, seeds, horizon, problem and algorithm
    parameters (from the claim as run and its provenance)."""
    claim = result.claim
    info = result.provenance or {}
    seeds = info.get("seeds")
    parts = []
    if info.get("mode"):
        parts.append(str(info["mode"]))
    if seeds:
        span = f"{seeds[0]}..{seeds[-1]}" if len(seeds) > 1 else f"{seeds[0]}"
        parts.append(f"{len(seeds)} seeds ({span})")
    else:
        parts.append(f"{claim.seeds} seeds")
    parts.append(f"horizon {claim.horizon:g}")
    parts.append(claim_setting(claim.problem, claim.problem_params, claim.algorithm, claim.hyper))
    if claim.sweep is not None:
        parts.append(f"swept {claim.sweep.parameter} = "
                     + ", ".join(f"{v:g}" for v in claim.sweep.values))
    return "; ".join(parts)
