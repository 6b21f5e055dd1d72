"""Scaling fits over sweeps on exact synthetic data, including wrong claims."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.cards.ratelaw import parse_rate
from workbench.cards.tolerances import Tolerances
from workbench.engine.sweep import first_crossing, fit_scaling

TOL = Tolerances()


def scaling(values, quantities, complexity, variable, quantity, params=None, limit=""):
    law = parse_rate(complexity, variable=variable)
    return fit_scaling(variable, np.asarray(values, float), quantities, law, params or {},
                       quantity, TOL, limit)


@pytest.mark.parametrize("p", [0.5, 1.5, 2.0, 3.5])
def test_cost_scaling_like_eps_power(p):
    eps = np.geomspace(1e-1, 1e-4, 6)
    costs = np.vstack([eps**-p * c for c in (1.0, 1.3, 0.8)])
    fit = scaling(eps, costs, f"O(eps**(-{p}))", "eps", "cost")
    assert fit.exponent == pytest.approx(-p)
    assert fit.limit == "small"
    assert fit.verdict.verdict == "consistent"


def test_cost_growing_faster_than_an_upper_bound_is_slower():
    eps = np.geomspace(1e-1, 1e-4, 6)
    fit = scaling(eps, np.vstack([eps**-2.5] * 3), "O(eps**(-3/2))", "eps", "cost")
    assert (fit.verdict.verdict, fit.verdict.direction) == ("mismatch", "slower")
    # ... while a cost that grows more slowly than the bound is consistent.
    fit = scaling(eps, np.vstack([eps**-1.0] * 3), "O(eps**(-3/2))", "eps", "cost")
    assert fit.verdict.verdict == "consistent"


def test_cost_n_plus_sqrt_n_over_eps_uses_the_local_exponent():
    n = np.geomspace(4, 64, 5)
    eps, L = 1e-3, 1.0
    costs = np.vstack([(n + np.sqrt(n) * L / eps) * c for c in (1.0, 1.1, 0.9)])
    fit = scaling(n, costs, "O(n + sqrt(n)*L/eps)", "n", "cost", {"L": L, "eps": eps})
    assert fit.limit == "large"
    assert fit.expected_exponent == pytest.approx(fit.exponent, abs=1e-6)
    assert 0.5 < fit.expected_exponent < 0.6
    assert fit.verdict.verdict == "consistent"
    # The same costs judged against deterministic Halpern's n/eps are not a violation of an
    # upper bound (they grow more slowly), but as a Theta claim they are flagged.
    wrong = scaling(n, costs, "Theta(n/eps)", "n", "cost", {"eps": eps})
    assert (wrong.verdict.verdict, wrong.verdict.direction) == ("mismatch", "faster")


def test_rate_constant_proportional_to_alpha_squared():
    alpha = np.geomspace(0.05, 0.4, 5)
    c = np.vstack([alpha**2 * k for k in (0.9, 1.0, 1.1)])
    fit = scaling(alpha, c, "Theta(alpha**2)", "alpha", "rate_constant")
    assert fit.exponent == pytest.approx(2.0)
    assert fit.limit == "small"
    assert fit.verdict.verdict == "consistent"
    wrong = scaling(alpha, c, "Theta(alpha)", "alpha", "rate_constant")
    # c shrinks like alpha^2 as alpha -> 0: slower than the claimed alpha^1.
    assert (wrong.verdict.verdict, wrong.verdict.direction) == ("mismatch", "slower")
    lower = scaling(alpha, c, "Omega(alpha**2)", "alpha", "rate_constant")
    assert lower.verdict.verdict == "consistent"


def test_alpha_independent_rate_constant():
    alpha = np.geomspace(0.05, 0.4, 5)
    flat = np.vstack([np.full(5, 0.3) * k for k in (0.95, 1.0, 1.05)])
    assert scaling(alpha, flat, "Theta(alpha**0)", "alpha", "rate_constant").verdict.verdict \
        == "consistent"
    slow = np.vstack([alpha**2] * 3)
    assert scaling(alpha, slow, "Theta(alpha**0)", "alpha", "rate_constant").verdict.verdict \
        == "mismatch"


def test_censored_points_are_reported_and_make_it_inconclusive():
    eps = np.geomspace(1e-1, 1e-4, 4)
    costs = np.vstack([eps**-1.0] * 3)
    costs[:, -2:] = np.nan
    fit = scaling(eps, costs, "O(eps**(-1))", "eps", "cost")
    assert fit.verdict.verdict == "inconclusive"
    assert [c["value"] for c in fit.censored] == pytest.approx(list(eps[-2:]))
    assert fit.censored[0]["runs"] == 3


def test_first_crossing_interpolates_in_log_log():
    t = np.array([1.0, 10.0, 100.0])
    v = np.array([1.0, 1e-1, 1e-2])
    assert first_crossing(t, v, 10**-1.5) == pytest.approx(10**1.5)
    assert first_crossing(t, v, 1e-1) == pytest.approx(10.0)
    assert np.isnan(first_crossing(t, v, 1e-3))
    assert first_crossing(t, np.array([1.0, 0.5, 0.0]), 0.0) == 100.0


def test_censoring_is_said_and_an_end_that_carries_the_claim_is_not_judged_without():
    """A rate constant independent of c (Theta(c**0)) over c in [1e-3, 0.1]: with the point
    c = 1e-3 censored in every run the claim is not judged on the rest (inconclusive, the
    point named); with an interior point censored it is judged and the point is named in the
    notes (a claim about a range says which of it was seen)."""
    c = np.array([1e-3, 3e-3, 1e-2, 3e-2, 1e-1])
    rates = np.vstack([np.full(c.size, r) for r in (0.50, 0.52, 0.49)])
    end = rates.copy()
    end[:, 0] = np.nan
    fit = scaling(c, end, "Theta(c**0)", "c", "rate_constant")
    assert fit.verdict.verdict == "inconclusive"
    assert "censored at the end of the sweep" in fit.verdict.reason
    assert "c = 0.001 (3 runs)" in fit.verdict.reason
    inner = rates.copy()
    inner[:, 2] = np.nan
    fit = scaling(c, inner, "Theta(c**0)", "c", "rate_constant")
    assert fit.verdict.verdict == "consistent"
    assert any("c = 0.01 (3 runs)" in note for note in fit.verdict.notes)
    # an upper bound speaks of one end only (here the large end): the small end may be lost
    fit = scaling(c, end, "O(c**0)", "c", "rate_constant", limit="large")
    assert fit.verdict.verdict == "consistent", fit.verdict.reason
    assert any("c = 0.001 (3 runs)" in note for note in fit.verdict.notes)
