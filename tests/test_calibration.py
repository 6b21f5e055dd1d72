"""Calibration of the judge: synthetic curves with known truth, each with the verdict a careful
reader would give (issue "Verdicts that hold up").

Every row is a curve whose asymptotics are known exactly; ``allowed`` lists the acceptable
verdicts. A true statement must never come out as a mismatch; a false one must never come out
consistent.
"""

from __future__ import annotations

import numpy as np
import pytest

from workbench.cards.ratelaw import parse_rate
from workbench.cards.tolerances import Tolerances
from workbench.engine.checkpoints import checkpoints
from workbench.engine.fit import Curve, fit_curve
from workbench.engine.verdict import judge

TOL = Tolerances()
CONSISTENT, INCONCLUSIVE = "consistent", "inconclusive"
SLOWER, FASTER = "mismatch (slower)", "mismatch (faster)"


def grid(horizon: int, geometric: bool = False) -> np.ndarray:
    return checkpoints(horizon, linear=60 if geometric else 0).astype(float)


def switch(t: np.ndarray) -> np.ndarray:
    """0.97^t, then 0.995^t from t = 450 on (continuous)."""
    return np.where(t < 450, 0.97**t, 0.97**450 * 0.995 ** (t - 450))


def heterogeneous(t: np.ndarray) -> np.ndarray:
    return np.array([r**t for r in (0.99, 0.995, 0.998, 0.999)])


def noisy(t: np.ndarray, p: float, seeds: int = 8, sigma: float = 0.3) -> np.ndarray:
    rng = np.random.default_rng(0)
    return t**-p * np.exp(rng.normal(0, sigma, (seeds, t.size)))


T4, T5, T6, T8 = grid(10**4), grid(10**5), grid(10**6), grid(10**8)
G600, G2000 = grid(600, True), grid(2000, True)

CASES = [
    # (name, t, values, rate, aggregate, allowed verdicts)
    # -- transients that die out: never a mismatch
    ("1/t + 10 t^-1.5 as Theta(1/T) to 1e4", T4, 1 / T4 + 10 * T4**-1.5, "Theta(1/T)", "mean",
     {CONSISTENT, INCONCLUSIVE}),
    ("1/(t + 5000) as O(1/T) to 1e5", T5, 1 / (T5 + 5000), "O(1/T)", "mean",
     {CONSISTENT, INCONCLUSIVE}),
    ("1/(t + 50) as O(1/T) to 1e6", T6, 1 / (T6 + 50), "O(1/T)", "mean", {CONSISTENT}),
    ("t^-2 + t^-1 as Omega(1/T) to 1e6", T6, T6**-2.0 + T6**-1.0, "Omega(1/T)", "mean",
     {CONSISTENT}),
    # -- missing log factors: never consistent, at any horizon
    ("log(t)/t as O(1/T) to 1e4", T4, np.log(T4 + 1) / T4, "O(1/T)", "mean", {SLOWER}),
    ("log(t)/t as O(1/T) to 1e6", T6, np.log(T6 + 1) / T6, "O(1/T)", "mean",
     {SLOWER, INCONCLUSIVE}),
    ("log(t)/t as O(1/T) to 1e8", T8, np.log(T8 + 1) / T8, "O(1/T)", "mean",
     {SLOWER, INCONCLUSIVE}),
    ("1/t as Theta(log(T)/T) to 1e8", T8, 1 / T8, "Theta(log(T)/T)", "mean",
     {FASTER, INCONCLUSIVE}),
    ("log(t)/t as O(log(T)/T) to 1e8", T8, np.log(T8 + 1) / T8, "O(log(T)/T)", "mean",
     {CONSISTENT}),
    # -- up to polylog factors (O~): a log factor is allowed, another power is not
    ("log(t)^3/t as O~(1/T) to 1e6", T6, np.log(T6 + 1) ** 3 / T6, "O~(1/T)", "mean",
     {CONSISTENT}),
    ("t^-0.7 as O~(1/T) to 1e6", T6, T6**-0.7, "O~(1/T)", "mean", {SLOWER}),
    # -- a slower term hidden behind a fast one
    ("t^-2 + 1e-4 t^-0.5 as O(1/T^2) to 1e6", T6, T6**-2.0 + 1e-4 * T6**-0.5, "O(1/T**2)",
     "mean", {SLOWER}),
    ("t^-0.8 as O(1/T) to 1e6", T6, T6**-0.8, "O(1/T)", "mean", {SLOWER}),
    # -- geometric shapes
    ("0.97^t switching to 0.995^t at 450 of 600", G600, switch(G600), "exp(-Omega(T))", "mean",
     {CONSISTENT}),
    ("mean of geometric curves, rates 0.99-0.999", G2000, heterogeneous(G2000),
     "exp(-Omega(T))", "mean", {CONSISTENT}),
    ("two geometric modes 0.98^t + 1e-3 0.995^t", G2000, 0.98**G2000 + 1e-3 * 0.995**G2000,
     "exp(-Omega(T))", "mean", {CONSISTENT}),
    ("t^-2 as exp(-Omega(T))", G2000, G2000**-2.0, "exp(-Omega(T))", "mean", {SLOWER}),
    ("each: two geometric seeds and a power-law seed", G2000,
     np.vstack([0.99**G2000, 0.995**G2000, G2000**-2.0]), "exp(-Omega(T))", "each", {SLOWER}),
    ("each: geometric seeds with different rates", G2000, heterogeneous(G2000),
     "exp(-Omega(T))", "each", {CONSISTENT}),
    ("0.99^t as O(0.98^T)", G2000, 0.99**G2000, "O(0.98**T)", "mean", {SLOWER}),
    # -- explicit factors with a polynomial prefactor (a repeated eigenvalue: T rho^T)
    ("t 0.99^t as Theta(T 0.99^T)", G2000, G2000 * 0.99**G2000, "Theta(T*0.99**T)", "mean",
     {CONSISTENT}),
    ("t^2 0.99^t (rising 5000x first) as O(T^2 0.99^T)", G2000, G2000**2 * 0.99**G2000,
     "O(T**2*0.99**T)", "mean", {CONSISTENT}),
    ("t 0.995^t as O(T 0.99^T)", G2000, G2000 * 0.995**G2000, "O(T*0.99**T)", "mean",
     {SLOWER}),
    ("t 1.01^t as Theta(T 1.01^T)", G2000, G2000 * 1.01**G2000, "Theta(T*1.01**T)", "mean",
     {CONSISTENT}),
    # -- lower bounds
    ("flat as Omega(1/T^2)", T4, np.ones_like(T4), "Omega(1/T**2)", "mean", {CONSISTENT}),
    ("round-off reached early as Omega(1/T^2)", T4, np.maximum(0.5**T4, 1e-16),
     "Omega(1/T**2)", "mean", {FASTER}),
    ("t^-3 as Omega(1/T^2) to 1e6", T6, T6**-3.0, "Omega(1/T**2)", "mean", {FASTER}),
    # -- noise
    ("noisy 1/t, 8 seeds, as Theta(1/T)", T6, noisy(T6, 1.0), "Theta(1/T)", "mean",
     {CONSISTENT}),
    ("noisy t^-0.5, 8 seeds, as O(1/T)", T6, noisy(T6, 0.5), "O(1/T)", "mean", {SLOWER}),
]


def verdict_of(t, values, rate, aggregate):
    law = parse_rate(rate)
    floor = 1e-16 if np.min(values) <= 1e-16 else 0.0
    fit = fit_curve(Curve(t, np.atleast_2d(values), floor), law, {}, TOL, aggregate)
    verdict = judge(law, fit, TOL)
    shown = f"{verdict.verdict} ({verdict.direction})" if verdict.direction else verdict.verdict
    return fit, verdict, shown


@pytest.mark.parametrize(("name", "t", "values", "rate", "aggregate", "allowed"), CASES,
                         ids=[c[0] for c in CASES])
def test_calibration(name, t, values, rate, aggregate, allowed):
    _, verdict, shown = verdict_of(t, values, rate, aggregate)
    assert shown in allowed, f"{name}: {shown}: {verdict.reason}"


def test_pre_asymptotic_reason_shows_the_local_sequence():
    _, verdict, shown = verdict_of(T5, 1 / (T5 + 5000), "O(1/T)", "mean")
    if shown == INCONCLUSIVE:
        assert verdict.reason.startswith("pre-asymptotic")
        assert "Local slopes:" in verdict.reason


def test_missing_log_factor_reports_the_growing_ratio():
    fit, verdict, _ = verdict_of(T6, np.log(T6 + 1) / T6, "O(1/T)", "mean")
    assert fit.ratio_growth > TOL.ratio_growth
    assert "keeps growing" in verdict.reason


def test_local_sequence_is_in_the_json():
    fit, _, _ = verdict_of(T6, 1 / (T6 + 50), "O(1/T)", "mean")
    local = fit.to_dict()["local"]
    assert len(local) >= 5
    assert [w["t_hi"] for w in local] == sorted(w["t_hi"] for w in local)
    assert local[-1]["t_hi"] == T6[-1]
    # 1/(t + 50): the local slope approaches -1 from above.
    assert local[0]["estimate"] > local[-1]["estimate"] > -1.0 - 1e-9


def test_consistent_verdicts_report_their_slack():
    _, verdict, _ = verdict_of(G2000, 0.99**G2000, "O(0.995**T)", "mean")
    assert any("slack" in note and "2.01x" in note for note in verdict.notes)
    _, verdict, _ = verdict_of(T4, np.ones_like(T4), "Omega(1/T**2)", "mean")
    assert any(note.startswith("vacuous") for note in verdict.notes)
