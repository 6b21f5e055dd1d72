"""Power of every built-in claim: its moved twin, written as a new rate and judged on the same
quick traces by the whole evaluation (fit, screens, judge), must be a mismatch unless the
claim is labelled weak; a claim labelled weak must have a twin that is not a mismatch.

The twins are built here from the rate's text, independently of the engine's shortcut
(:meth:`LawKind.moved` on a measurement): a log-log slope moved by ``power_slope`` is the law
times ``T**-0.25``, a rate constant moved by the factor ``1 + power_rtol`` the factor law to
the power 1.25, a scaling exponent moved by ``power_scaling`` the sweep's law times the
parameter to the power -0.5 or 0.5, toward the guarded edge of its allowed range.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import sympy as sp

from workbench.cards.claims import Claim, load_claims
from workbench.cards.ratelaw import RateLaw, parse_rate
from workbench.cards.tolerances import Tolerances
from workbench.engine.evaluate import evaluate
from workbench.engine.fit import Curve, fit_curve
from workbench.engine.laws import kind_of
from workbench.engine.pipeline import execute, settle
from workbench.engine.plan import plan
from workbench.engine.power import Power, fit_power
from workbench.engine.verdict import MISMATCH

TOL = Tolerances()


def _text(law: RateLaw, inner: sp.Expr) -> str:
    return f"{law.kind}{'~' if law.polylog else ''}({sp.sstr(inner)})"


def _moved_rate(law: RateLaw, side: int) -> RateLaw:
    """The claim's rate moved toward less error (``side = 1``) or more (``-1``)."""
    factor = (1 + TOL.power_rtol) ** side
    kind = kind_of(law).name
    if kind == "power":
        inner = law.inner * law.var ** (-side * TOL.power_slope)
    elif kind == "geometric":
        inner = law.inner ** factor
    elif kind == "growth":
        inner = law.inner ** (1 / factor)
    else:  # a floor
        inner = law.inner / factor
    return parse_rate(_text(law, inner), variable=law.variable)


def _sweep_law(claim: Claim) -> RateLaw:
    sweep = claim.sweep
    if sweep.law is not None:
        return sweep.law
    kind = {"upper": "Omega", "lower": "O", "tight": "Theta"}[claim.rate.error_bound]
    return parse_rate(f"{kind}({claim.rate.rate_constant})", variable=sweep.parameter)


def _twins(claim: Claim, limit: str) -> list[Claim]:
    """Every guarded side's moved twin (``limit``: the end the sweep's bound speaks of)."""
    if claim.sweep is None:
        sides = {"upper": (1,), "lower": (-1,), "tight": (1, -1)}[claim.rate.error_bound]
        return [replace(claim, rate=_moved_rate(claim.rate, s)) for s in sides]
    law = _sweep_law(claim)
    if law.kind == "Theta":
        sides = (1, -1)
    else:  # +1: the allowed range's top edge, moved down
        sides = (1,) if (law.kind == "O") == (limit == "large") else (-1,)
    out = []
    for side in sides:
        inner = law.inner * law.var ** (-side * TOL.power_scaling)
        moved = parse_rate(_text(law, inner), variable=law.variable)
        out.append(replace(claim, sweep=replace(claim.sweep, law=moved, limit=limit)))
    return out


@pytest.fixture(scope="module")
def quick_runs() -> dict[str, tuple[Claim, list]]:
    claims = settle(load_claims(), quick=True)
    by_claim: dict[str, list] = {}
    for result in execute(plan(claims, 0), jobs=2, progress=False):
        by_claim.setdefault(result.task.claim_id, []).append(result)
    return {c.id: (c, by_claim[c.id]) for c in claims}


def test_every_claims_moved_twin_is_a_mismatch_unless_labelled_weak(quick_runs):
    wrong, weak = [], []
    for claim_id, (claim, runs) in quick_runs.items():
        result = evaluate(claim, runs)
        power = result.power
        assert power is not None, claim_id
        if result.verdict.verdict == MISMATCH:
            assert not power.weak, claim_id  # a check that failed could fail
            continue
        if claim.sweep is not None and claim.sweep.law is None and claim.sweep.trend \
                and result.scaling is None:
            # a trend claim: its twin is the opposite trend
            twins = [replace(claim, sweep=replace(claim.sweep, trend="increasing"
                     if claim.sweep.trend == "decreasing" else "decreasing"))]
        elif claim.sweep is None and claim.rate.exponential:
            assert power.weak, f"{claim_id}: a law without a constant has no twin"
            continue
        else:
            limit = result.scaling.limit if result.scaling is not None else ""
            twins = _twins(claim, limit)
        verdicts = [evaluate(twin, runs).verdict.verdict for twin in twins]
        if power.weak:
            weak.append(claim_id)
            if all(v == MISMATCH for v in verdicts):
                wrong.append(f"{claim_id}: labelled weak, but every twin is a mismatch")
        elif any(v != MISMATCH for v in verdicts):
            wrong.append(f"{claim_id}: not labelled weak, but a twin is {verdicts}")
    assert not wrong, "\n".join(wrong)
    assert weak  # the catalogue has weak checks today (README: "Power"), and they are found


def test_a_power_law_band_follows_its_interval():
    """O(1/T) on 1/T traces rules out claimed slopes below about -1 - slope only, and is not
    weak; Theta(1/T) on the same traces rules out both sides."""
    t = np.geomspace(1, 1e4, 80)
    rng = np.random.default_rng(0)
    values = t ** -1.0 * np.exp(0.01 * rng.standard_normal((6, t.size)))
    curve = Curve(t, values)
    upper = parse_rate("O(1/T)")
    fit = fit_curve(curve, upper, {}, TOL)
    power = fit_power(upper, fit, TOL)
    assert isinstance(power, Power) and power.one_sided and not power.weak
    (side,) = power.sides
    assert side.rules_out == "below"
    assert -1 - TOL.slope - 0.05 < side.edge < -1 - TOL.slope + 0.005
    tight = parse_rate("Theta(1/T)")
    both = fit_power(tight, fit_curve(curve, tight, {}, TOL), TOL)
    edges = sorted(s.edge for s in both.sides)
    assert not both.one_sided and edges[0] < -1 - TOL.slope and edges[1] > -1 + TOL.slope
    assert edges[1] - edges[0] < 2 * (TOL.slope + 0.05)


def test_a_loose_upper_bound_is_weak():
    """O(1/T) on 1/T^2 traces: a claim of 1/T^1.25 holds as well, so the check is weak."""
    t = np.geomspace(1, 1e4, 80)
    curve = Curve(t, np.vstack([t ** -2.0] * 3) * np.array([[1.0], [1.01], [0.99]]))
    law = parse_rate("O(1/T)")
    power = fit_power(law, fit_curve(curve, law, {}, TOL), TOL)
    assert power.weak and "moved by 0.25" in power.reason
    assert power.sides[0].edge < -1.9
