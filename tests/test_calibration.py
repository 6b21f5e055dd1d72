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


# -- issue 25: screens that respect the claim's statistics ------------------------------------
STALLED, DIVERGED = "mismatch (stalled)", "mismatch (diverged)"
T5L = grid(10**5)


def sgd_last_iterate(seeds: int = 16, sigma: float = 1.0) -> np.ndarray:
    """SGD with step 1/t on x^2/2 under N(0, sigma^2) gradient noise, last iterate's x_t^2:
    ``t x_{t+1} = (t - 1) x_t - sigma xi_t``, so ``x_t = -sigma S_{t-1} / (t - 1)`` with a
    random walk ``S``; ``E x_t^2 = sigma^2 / (t - 1)``. Each seed's tail slope over a decade
    swings by about +-0.5 (a random walk over t)."""
    rng = np.random.default_rng(5)
    steps = int(T5L[-1])
    walk = np.cumsum(rng.standard_normal((seeds, steps)), axis=1)
    t = T5L.astype(int)
    x = -sigma * walk[:, t - 2] / np.maximum(t - 1, 1)  # S_{t-1}; at t = 1 the start (0)
    x[:, t == 1] = 1.0  # the start
    return x**2


def lands_on_the_optimum(values: np.ndarray, seed: int, first: float) -> np.ndarray:
    """One seed's first checkpoint set to ``first`` (a first stochastic step that lands on or
    next to the optimum); every later value is ordinary."""
    out = np.array(values, dtype=float)
    out[seed, 0] = first
    return out


def noisy_geometric_plateau(t, plateau, seeds=8, sigma=0.2, rise=False, seed=3):
    """Seeds settling at ``plateau`` from above (``rise=False``) or below, with noise."""
    rng = np.random.default_rng(seed)
    shape = 1 - np.exp(-t / 100) if rise else 1 + 20 * np.exp(-t / 100)
    return plateau * shape * np.exp(rng.normal(0, sigma, (seeds, t.size)))


def noisy_switch(t: np.ndarray, seeds: int = 8, sigma: float = 0.3) -> np.ndarray:
    rng = np.random.default_rng(1)
    return switch(t) * np.exp(rng.normal(0, sigma, (seeds, t.size)))


SGD_WALK = sgd_last_iterate()
NOISY_1_OVER_T = noisy(T5L, 1.0, seeds=16)
PLATEAU = 0.0625
G1E4 = grid(10**4)
ABOVE = noisy_geometric_plateau(G1E4, PLATEAU)
BELOW = noisy_geometric_plateau(G1E4, PLATEAU, rise=True)
DRIFT_DOWN = PLATEAU * (G1E4 / 100) ** -0.5 * np.exp(
    np.random.default_rng(4).normal(0, 0.05, (8, G1E4.size)))       # falling through 1/50 of it
DRIFT_UP = PLATEAU * 3 * (G1E4 / 10) ** 0.3 * np.exp(
    np.random.default_rng(6).normal(0, 0.05, (8, G1E4.size)))       # far above and rising

SCREEN_CASES = [
    # -- divergence against one draw: a first step on the optimum is not growth
    ("first step on the optimum (exactly 0), noisy 1/t as O(1/T)", T5L,
     lands_on_the_optimum(NOISY_1_OVER_T, 3, 0.0), "O(1/T)", "mean", {CONSISTENT}),
    ("first step next to the optimum (4.6e-6), noisy 1/t as O(1/T)", T5L,
     lands_on_the_optimum(NOISY_1_OVER_T, 3, 4.6e-6), "O(1/T)", "mean", {CONSISTENT}),
    ("first step on the optimum, noisy 1/t as O(1/T^2)", T5L,
     lands_on_the_optimum(NOISY_1_OVER_T, 3, 0.0), "O(1/T**2)", "mean", {SLOWER}),
    ("first step on the optimum, plateau 0.0627 as Theta(0.0625)", G1E4,
     lands_on_the_optimum(ABOVE * 0.0627 / PLATEAU, 2, 0.0), "Theta(0.0625)", "mean",
     {CONSISTENT}),
    ("real growth 1.01^t, one seed starting at 0, as O(1/T)", G2000,
     lands_on_the_optimum(np.vstack([1.01**G2000] * 4), 1, 0.0), "O(1/T)", "mean",
     {DIVERGED}),
    ("NaN in one seed as O(1/T)", T4,
     np.vstack([1 / T4, np.where(T4 > 500, np.nan, 1 / T4), 1 / T4]), "O(1/T)", "mean",
     {DIVERGED}),
    # -- per-seed stall screens on claims about the mean
    ("SGD last iterate (a random walk), 16 seeds, mean as O(1/T)", T5L, SGD_WALK, "O(1/T)",
     "mean", {CONSISTENT, INCONCLUSIVE}),
    ("SGD last iterate, 16 seeds, mean as O(1/T^2)", T5L, SGD_WALK, "O(1/T**2)", "mean",
     {SLOWER}),
    ("one seed truly flat among 16: the mean stalls, as O(1/T)", T5L,
     np.vstack([NOISY_1_OVER_T[:15], np.full(T5L.size, 0.5)]), "O(1/T)", "mean", {STALLED}),
    ("each: one seed truly flat among 16, as O(1/T)", T5L,
     np.vstack([NOISY_1_OVER_T[:15], np.full(T5L.size, 0.5)]), "O(1/T)", "each", {STALLED}),
    # -- floors approached from above and below, and drifting away
    ("floor approached from above as Theta(0.0625)", G1E4, ABOVE, "Theta(0.0625)", "mean",
     {CONSISTENT}),
    ("floor approached from below as Theta(0.0625)", G1E4, BELOW, "Theta(0.0625)", "mean",
     {CONSISTENT}),
    ("each: first step on the optimum, plateau 0.0627 as Theta(0.0625)", G1E4,
     lands_on_the_optimum(ABOVE * 0.0627 / PLATEAU, 2, 0.0), "Theta(0.0625)", "each",
     {CONSISTENT, INCONCLUSIVE}),
    ("floor at 0.1 claimed Theta(0.0625)", G1E4, ABOVE * 1.6, "Theta(0.0625)", "mean",
     {SLOWER}),
    ("falling far below the claimed floor, still falling, as Theta(0.0625)", G1E4, DRIFT_DOWN,
     "Theta(0.0625)", "mean", {FASTER}),
    ("far above the claimed floor and rising, as Theta(0.0625)", G1E4, DRIFT_UP,
     "Theta(0.0625)", "mean", {SLOWER, DIVERGED}),
    ("falling far below the claimed floor, as O(0.0625) (at most)", G1E4, DRIFT_DOWN,
     "O(0.0625)", "mean", {CONSISTENT}),
    # -- shapes from the hidden trajectories
    ("noisy 0.97^t switching to 0.995^t at 450 of 600, 8 seeds, as exp(-Omega(T))", G600,
     noisy_switch(G600), "exp(-Omega(T))", "mean", {CONSISTENT}),
    ("noisy switch to 0.995^t, 8 seeds, as O(0.97^T)", G600, noisy_switch(G600), "O(0.97**T)",
     "mean", {SLOWER}),
    ("0.999^t as Theta(0.99^T) (a tight factor far from the data)", G2000, 0.999**G2000,
     "Theta(0.99**T)", "mean", {SLOWER}),
    ("0.99^t as Theta(0.999^T) (a tight factor far from the data)", G2000, 0.99**G2000,
     "Theta(0.999**T)", "mean", {FASTER}),
    ("mean of geometric seeds 0.99-0.996 as Theta(1/T^2)", G2000,
     np.array([r**G2000 for r in (0.99, 0.992, 0.994, 0.996)]), "Theta(1/T**2)", "mean",
     {FASTER}),
    ("t^-0.5 as exp(-Omega(T))", G2000, G2000**-0.5, "exp(-Omega(T))", "mean", {SLOWER}),
    ("t^-0.5 as O(0.99^T)", G2000, G2000**-0.5, "O(0.99**T)", "mean", {SLOWER}),
]


def verdict_of(t, values, rate, aggregate):
    law = parse_rate(rate)
    floor = 1e-16 if np.min(values) <= 1e-16 else 0.0
    fit = fit_curve(Curve(t, np.atleast_2d(values), floor), law, {}, TOL, aggregate)
    verdict = judge(law, fit, TOL)
    shown = f"{verdict.verdict} ({verdict.direction})" if verdict.direction else verdict.verdict
    return fit, verdict, shown


@pytest.mark.parametrize(("name", "t", "values", "rate", "aggregate", "allowed"),
                         CASES + SCREEN_CASES, ids=[c[0] for c in CASES + SCREEN_CASES])
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
def test_too_noisy_says_how_many_seeds_would_settle_it():
    _, verdict, shown = verdict_of(T5L, SGD_WALK, "O(1/T)", "mean")
    if shown == INCONCLUSIVE:
        assert "too noisy" in verdict.reason
        assert "seeds would settle it (now 16): set seeds = " in verdict.reason
    # 3 seeds of noisy 1/t claimed Theta(1/T): the spread needs more seeds than 3
    _, verdict, shown = verdict_of(T4, noisy(T4, 1.0, seeds=3, sigma=1.0), "Theta(1/T)",
                                   "mean")
    assert shown == INCONCLUSIVE and "too noisy" in verdict.reason, verdict.reason
    needed = int(verdict.reason.split("about ")[1].split(" seeds")[0])
    assert needed > 3


def test_a_first_step_on_the_optimum_is_named_nowhere_as_divergence():
    fit, verdict, _ = verdict_of(T5L, lands_on_the_optimum(NOISY_1_OVER_T, 3, 0.0), "O(1/T)",
                                 "mean")
    assert fit.status == "ok" and "diverged" not in verdict.reason
