"""How much a verdict proves: the claims these data would have contradicted.

A check that passes says little unless it could have failed. The power of a claim's check is
found by judging the *same* traces again against the claim moved in the direction the check
guards (a stronger upper bound: a steeper slope, a larger rate constant, slower growth, a
lower plateau, a smaller scaling exponent at the bound's end; a stronger lower bound the
other way; ``Theta`` both ways): no new runs, the same judge (:func:`judge` for fits, the
scaling and trend judges for sweeps) with only the claimed values moved
(:meth:`LawKind.moved`). The nearest moved claim that is a mismatch is the edge of the band
of claims the data rule out, found by bisection.

A check is **weak** when its verdict is not a mismatch and the claim moved by the documented
distance (``power_slope``,
``power_rtol``, ``power_scaling`` in :class:`Tolerances`) in a guarded direction is not a
mismatch: these data could not have contradicted a claim that far from the card's (a check
that failed could fail, so a mismatch is never weak; its band is still reported). Laws that
state only a shape (``exp(-Omega(T))``: linear convergence, no constant) have no value to
move and are weak by this definition, as are checks without a usable fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from workbench.cards.ratelaw import RateLaw
from workbench.cards.tolerances import Tolerances
from workbench.engine.fit import Fit
from workbench.engine.laws import Measurement
from workbench.engine.sweep import ScalingFit, judge_scaling, judge_trend
from workbench.engine.verdict import MISMATCH, Verdict, judge

#: How far the search for a band edge goes: an exponent moved by 5, a value by a factor 10.
SEARCH_LIMIT = {"absolute": 5.0, "relative": 9.0}
_BISECTIONS = 30

SIDES = {"upper": (1,), "lower": (-1,), "tight": (1, -1)}


@dataclass(frozen=True)
class Side:
    """One guarded direction: moved claims beyond ``edge`` (``rules_out`` says which way)
    are contradicted by the data; ``twin`` is the claim moved by the documented distance and
    ``twin_mismatch`` whether the data contradict it."""

    rules_out: str
    edge: float | None
    twin: float
    twin_mismatch: bool

    def to_dict(self) -> dict[str, Any]:
        return {"rules_out": self.rules_out, "edge": self.edge, "twin": self.twin,
                "twin_mismatch": self.twin_mismatch}


@dataclass(frozen=True)
class Power:
    """What the data of one claim would have contradicted.

    ``quantity`` is what is moved (a log-log slope, a rate constant, a scaling exponent);
    ``claimed`` its claimed value; ``distance`` (``unit``: added, or a factor ``1 + d``) the
    documented distance a guarded side must be able to reject; ``sides`` one per guarded
    direction; ``trend`` for sweeps with a stated trend: whether the opposite trend is
    contradicted; ``weak`` with ``reason`` when a guarded side (or the whole check) could
    not have failed at the distance.
    """

    quantity: str
    claimed: float | None
    distance: float
    unit: str
    sides: tuple[Side, ...] = ()
    trend: bool | None = None
    weak: bool = False
    reason: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def one_sided(self) -> bool:
        return len(self.sides) == 1

    def to_dict(self) -> dict[str, Any]:
        return {"quantity": self.quantity, "claimed": self.claimed,
                "distance": self.distance, "unit": self.unit,
                "sides": [s.to_dict() for s in self.sides], "one_sided": self.one_sided,
                "trend": self.trend, "weak": self.weak, "reason": self.reason,
                "text": self.text()}

    def text(self) -> str:
        """One line: the band of claims ruled out, and the weak label's reason."""
        parts = []
        for side in self.sides:
            if side.edge is None:
                parts.append(f"no {self.quantity} {side.rules_out} the claim within the "
                             f"search (moved by {_limit_text(self.unit)})")
            elif side.edge == self.claimed:
                parts.append(f"the claim itself and every {self.quantity} {side.rules_out}")
            else:
                parts.append(f"{self.quantity}s {side.rules_out} {side.edge:.3g}")
        if self.trend is not None:
            parts.append("the opposite trend" if self.trend
                         else "not even the opposite trend")
        band = "rules out " + " and ".join(parts) if parts else ""
        if self.one_sided:
            other = "above" if self.sides[0].rules_out == "below" else "below"
            band = f"one-sided: {band}; any {self.quantity} {other} passes"
        claimed = f" (claimed {self.claimed:.3g})" if self.claimed is not None else ""
        text = f"{band}{claimed}" if band else ""
        if self.weak:
            return f"weak: {self.reason}" + (f"; {text}" if text else "")
        return text


def _limit_text(unit: str) -> str:
    limit = SEARCH_LIMIT[unit]
    return f"up to {limit:g}" if unit == "absolute" else f"up to a factor {1 + limit:g}"


def _distance_text(distance: float, unit: str) -> str:
    return f"{distance:g}" if unit == "absolute" else f"{distance:.0%}"


def _edge(is_mismatch: Callable[[float], bool], limit: float) -> float | None:
    """The smallest move in ``(0, limit]`` at which the moved claim is a mismatch (moves
    further out are assumed to be mismatches too); 0 when the claim itself is one."""
    if not is_mismatch(limit):
        return None
    if is_mismatch(0.0):
        return 0.0
    lo, hi = 0.0, limit
    for _ in range(_BISECTIONS):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if is_mismatch(mid) else (mid, hi)
    return hi


def _sides(claimed: float, distance: float, unit: str, sides: tuple[int, ...],
           moved_value: Callable[[float, int, float], float],
           is_mismatch: Callable[[int, float], bool]) -> tuple[Side, ...]:
    out = []
    for side in sides:
        x = _edge(lambda step, s=side: is_mismatch(s, step), SEARCH_LIMIT[unit])
        rules_out = "below" if moved_value(claimed, side, 1.0) < claimed else "above"
        out.append(Side(rules_out, None if x is None else moved_value(claimed, side, x),
                        moved_value(claimed, side, distance), is_mismatch(side, distance)))
    return tuple(out)


def _weak_sides(power: Power) -> Power:
    """Weak when a guarded side cannot reject the claim moved by the distance."""
    failing = [s for s in power.sides if not s.twin_mismatch]
    if not failing:
        return power
    moved = " and ".join(f"{s.twin:.3g}" for s in failing)
    return replace(power, weak=True, reason=(
        f"the claim moved by {_distance_text(power.distance, power.unit)} (to {moved}) in "
        f"the direction its check guards is not contradicted by these data"))


def for_verdict(power: Power, verdict: Verdict) -> Power:
    """A mismatch is never weak (a check that failed could fail); its band stays."""
    if verdict.verdict == MISMATCH and power.weak:
        return replace(power, weak=False, reason="")
    return power


def moved_fit(fit: Fit, side: int, x: float) -> Fit:
    """``fit`` as the claim moved by ``x`` on ``side`` reads it (every seed's, for
    ``aggregate = "each"``); fits whose status decides the verdict are unchanged."""
    if fit.per_seed:
        return replace(fit, per_seed=[moved_fit(f, side, x) for f in fit.per_seed])
    if fit.status != "ok":
        return fit
    m = fit.kind.moved(fit.measurement(), side, x)
    if m is None:
        return fit
    return replace(fit, **{f.name: getattr(m, f.name) for f in fields(Measurement)
                           if f.name not in ("center", "seeds")})


def _reference(fit: Fit) -> Fit:
    """The fit whose claimed value is shown: the aggregate's, or the first usable seed's."""
    if fit.per_seed:
        return next((f for f in fit.per_seed if f.status == "ok"), fit.per_seed[0])
    return fit


def fit_power(law: RateLaw, fit: Fit, tol: Tolerances) -> Power:
    """The power of a fitted claim (:func:`judge` on the moved fit)."""
    shown = _reference(fit)
    kind = fit.kind
    distance, unit = kind.power_distance(tol), kind.power_unit
    if shown.status != "ok" and judge(law, fit, tol).verdict == MISMATCH:
        return Power(kind.quantity, None, distance, unit, notes=(
            f"the verdict rests on the fit's status ({shown.status}), which no moved claim "
            f"changes",))
    if shown.status != "ok" or shown.expected is None:
        why = (f"the fit is {shown.status}: {shown.reason}" if shown.status != "ok" else
               f"the law states a shape only ({law.text}: no constant), so no claim at a "
               f"distance of its own can be told from it; only a wrong shape can fail it")
        return Power(kind.quantity, None, distance, unit, weak=True, reason=why)

    def is_mismatch(side: int, x: float) -> bool:
        return judge(law, moved_fit(fit, side, x), tol).verdict == MISMATCH

    sides = _sides(shown.expected, distance, unit, SIDES[law.error_bound], kind.moved_value,
                   is_mismatch)
    return _weak_sides(Power(kind.quantity, shown.expected, distance, unit, sides))


def _scaling_sides(law: RateLaw, scaling: ScalingFit) -> tuple[int, ...]:
    """+1 moves the expected exponent down (the allowed range's top edge), -1 up."""
    if law.kind == "Theta":
        return (1, -1)
    caps_above = (law.kind == "O") == (scaling.limit == "large")
    return (1,) if caps_above else (-1,)


def sweep_power(law: RateLaw | None, scaling: ScalingFit | None, trend: str,
                values: np.ndarray, quantities: np.ndarray | None, tol: Tolerances) -> Power:
    """The power of a sweep: the scaling exponent moved by ``power_scaling`` toward each
    finite edge of its allowed range, and the opposite of a stated trend."""
    distance = tol.power_scaling
    power = Power("scaling exponent", None, distance, "absolute")
    if law is not None and scaling is not None:
        if scaling.ci is None:
            return replace(power, weak=True, reason=f"no scaling exponent was fitted: "
                           f"{scaling.verdict.reason}")

        def shifted(value: float, side: int, x: float) -> float:
            return value - side * x

        def is_mismatch(side: int, x: float) -> bool:
            moved = replace(scaling, expected_exponent=shifted(scaling.expected_exponent,
                                                               side, x))
            return judge_scaling(moved, law, tol).verdict == MISMATCH

        sides = _sides(scaling.expected_exponent, distance, "absolute",
                       _scaling_sides(law, scaling), shifted, is_mismatch)
        power = _weak_sides(replace(power, claimed=scaling.expected_exponent, sides=sides))
    if trend and quantities is not None:
        opposite = "increasing" if trend == "decreasing" else "decreasing"
        verdict, _ = judge_trend("", values, quantities, opposite, "", tol)
        contradicted = verdict.verdict == MISMATCH
        power = replace(power, trend=contradicted)
        if not contradicted and not power.sides:
            power = replace(power, weak=True, reason=(
                f"the opposite trend ({opposite}) is not contradicted either: the quantity "
                f"hardly moves with the swept parameter"))
    return power
