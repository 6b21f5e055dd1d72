"""Named tolerances of the fit and the verdict, with the reason for each default."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from workbench.errors import BadInputError


@dataclass(frozen=True)
class Tolerances:
    """Every number the fit and verdict use to decide; printed with each result.

    Attributes
    ----------
    slope
        Allowed gap between observed and expected log-log slope beyond the confidence
        interval. 0.1 absorbs the finite-horizon bias of lower-order terms (``C/T + D/T**2``
        has local slope ``-1 - D/(C T)``) while a change from ``1/T`` to ``1/sqrt(T)``
        (0.5) or from ``1/T**2`` to ``1/T`` (1.0) is caught.
    rate_rtol
        Relative tolerance on a geometric rate constant compared with an explicit factor.
    scaling
        Allowed gap between observed and expected scaling exponent in a sweep, beyond the
        confidence interval; 0.15 because each sweep point is itself a fitted quantity.
    min_window_decades
        A power-law fit needs this many decades of iterations in its window.
    min_decay_decades
        A geometric fit needs the error to fall by this many decades in its window. 0.2 so
        that a ``1/T`` curve, which falls by 0.3 decades over the window ``[T/2, T]``, can
        still be told apart from geometric decay by its shape.
    min_points
        Fewest checkpoints in a fit window.
    window_fraction
        The fit window is the last part of the usable range: this fraction of its log-range
        for power laws, of its linear range for geometric laws (drops the transient).
    rel_floor
        Values below ``rel_floor`` times the first value are round-off.
    floor_margin
        The usable range ends where the error first falls below ``floor_margin`` times the
        floor, before round-off bends the curve.
    stall_fraction
        Stalled: the tail's log-log slope is flatter than this fraction of the claimed one.
    stall_slope
        Stalled, for geometric claims: the tail's log-log slope is flatter than this.
    local_fraction, min_local_decades
        Power laws: the local slopes are taken over half-overlapping sub-windows of this
        fraction of the usable log-range (at least ``min_local_decades``); the last one is the
        final estimate. A quarter of the range gives 5-7 local values on 2-6 decades.
    transient_order
        The local slope's deviation from the claim shrinks like ``t**-p``; ``q = p ln t`` is
        its order in ``1/ln t``. A missing log factor gives exactly ``q = 1`` at every ``t``
        (``error / r(T)`` grows without bound), a ratio that converges like ``1/ln t`` gives
        ``q = 2``, a power transient ``t**-a`` gives ``a ln t`` (``1/(t + s)`` as ``1/T``:
        ``q`` near ``ln t``). Above 1.5, halfway between a log factor and a converging ratio,
        the deviation is dying out (a transient: pre-asymptotic, never a mismatch); at or
        below it, it is persistent.
    log_factor_order
        A persistent deviation with ``q`` above this (0.5, halfway between a log factor's 1 and
        a constant offset's 0) is log-like and goes to the ratio test (``ratio_growth``) even
        within ``slope``; at or below it the deviation is a constant offset of the exponent
        (``t**-0.95`` judged as ``1/T``), which ``slope`` governs.
    ratio_growth
        A persistent deviation (see ``transient_order``), within ``slope`` but significant,
        is a mismatch once ``error / r(T)`` has grown by this factor over the later half of
        the usable range (a missing ``log T`` grows it by 2 from ``1e3`` to ``1e6``), and
        inconclusive below it: the data cannot tell a log factor from a transient.
    sublinear_exponent
        Geometric claims: the semilog rate of a power law falls like ``t**-1``, of geometric
        decay like ``t**0``. A seed whose rate falls faster than ``t**-0.5`` over the window
        *and* over its final half is sublinear (the final half spares a curve whose rate
        switched within the window and then held, and a sum of geometric modes whose fast
        one has died out); the old half-window ratio 0.85 corresponds to 0.48.
    floor_rtol
        A floor claim's plateau may differ from the stated value by this much (relative)
        beyond its CI; a floor stated only up to a constant is a final-value sweep instead.
    trend_rtol
        A sweep's quantity may step against a stated trend by this much (relative) before it
        counts: costs read from checkpoints are interpolated, so 2% absorbs that reading.
    bound_rtol
        Relative round-off allowed when an explicit bound is checked as an inequality
        (``value <= bound * (1 + bound_rtol) + floor``).
    diverge_factor, diverge_persist
        Diverged: a value is not finite, or a seed's last ``diverge_persist`` checkpoints all
        exceed ``diverge_factor`` times the reference: the largest first value across seeds
        (and the floor, and a floor claim's plateau). No single draw sets the reference (a
        stochastic first step can land on the optimum), and growth must persist to the end.
    shape_share
        Claims about an aggregate (``mean``, ``median``): a per-seed shape screen (sublinear
        or geometric decay against the claimed shape) fires when more than this share of the
        seeds shows it, and the stall screen reads the aggregate itself; for ``each``, ``max``
        and quantiles every seed is screened and one is enough.
    max_censored_fraction
        A sweep whose targets were missed at more than this fraction of points is
        inconclusive.
    confidence
        Level of the confidence intervals (jackknife t-intervals over seeds); split
        Bonferroni-style over seeds for ``aggregate = "each"``.
    power_slope, power_rtol, power_scaling
        The distances at which a check must be able to fail (its power,
        :mod:`workbench.engine.power`): the claim moved this far in the direction its check
        guards (a log-log slope by ``power_slope``, a rate constant, growth rate or floor
        value by the factor ``1 + power_rtol``, a sweep's scaling exponent by
        ``power_scaling``) must be a mismatch on the same data, else the check is *weak*.
        Each is about 2.5 to 3.3 times its verdict tolerance (``slope``, ``rate_rtol``,
        ``scaling``), so a check whose interval is as wide as the tolerance passes: 0.25 in
        a slope is the gap between ``1/T`` and ``1/T**0.75``, 25 % in a rate constant the
        gap between ``(1 - mu/L)**T`` and ``(1 - 1.25 mu/L)**T``, 0.5 in a scaling exponent
        that between ``eps**-2`` and ``eps**-1.5``.
    """

    slope: float = 0.1
    rate_rtol: float = 0.1
    scaling: float = 0.15
    min_window_decades: float = 1.0
    min_decay_decades: float = 0.2
    min_points: int = 8
    window_fraction: float = 0.5
    rel_floor: float = 1e-14
    floor_margin: float = 10.0
    stall_fraction: float = 0.1
    stall_slope: float = 0.05
    local_fraction: float = 0.25
    min_local_decades: float = 0.5
    transient_order: float = 1.5
    log_factor_order: float = 0.5
    ratio_growth: float = 1.5
    sublinear_exponent: float = 0.5
    floor_rtol: float = 0.1
    trend_rtol: float = 0.02
    bound_rtol: float = 1e-9
    diverge_factor: float = 1e3
    diverge_persist: int = 3
    shape_share: float = 0.5
    max_censored_fraction: float = 0.25
    confidence: float = 0.95
    power_slope: float = 0.25
    power_rtol: float = 0.25
    power_scaling: float = 0.5

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    def changed(self, overrides: Mapping[str, Any], *, source: str = "",
                claim: str = "") -> Tolerances:
        """A copy with ``overrides`` applied; unknown names and bad values are bad input."""
        from workbench.cards.limits import check_tolerance
        from workbench.errors import excerpt

        known = {f.name: f.type for f in fields(self)}
        clean: dict[str, float] = {}
        for name, value in overrides.items():
            if name not in known:
                raise BadInputError(f"unknown tolerance {excerpt(name)}; known: "
                                    f"{', '.join(known)}", source=source, claim=claim,
                                    field="tolerances")
            try:
                clean[name] = check_tolerance(name, value, known[name] in (int, "int"))
            except BadInputError as exc:
                raise exc.located(source=source, claim=claim) from None
        if not 0 < clean.get("window_fraction", self.window_fraction) <= 1:
            raise BadInputError("window_fraction must be in (0, 1]", source=source, claim=claim,
                           field="tolerances")
        if not 0 < clean.get("confidence", self.confidence) < 1:
            raise BadInputError("confidence must be in (0, 1)", source=source, claim=claim,
                           field="tolerances")
        return replace(self, **clean)
