"""monotone family: the generators' certificates (comonotonicity exactly and on sampled pairs,
the constants reported are the true ones, the box solution solves the VI), the spectral
predictions the cards rely on (thresholds, exact factors, divergence), and the verdicts of the
seed cards (quick) and of deliberately wrong claims.

Methods: ``problems/operators``; instances: ``problems/monotone/instances.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from workbench.problems import operators as ops
from workbench.problems.monotone import instances

from workbench.catalogue import ParameterError, get_problem
from workbench.engine.checkpoints import checkpoints

WRONG = Path(__file__).parent / "cards" / "wrong_monotone.toml"


def sym(A: np.ndarray) -> np.ndarray:
    return 0.5 * (A + A.T)


def pairs(op: ops.AffineOperator, count: int = 2000, seed: int = 0):
    """``F(x) - F(y)`` and ``x - y`` for random pairs (columns)."""
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((2, op.d, count)) * rng.uniform(0.01, 10, count)
    diff = x - y
    return op.M @ diff, diff


# -- the rho-negatively comonotone generator ---------------------------------------------------
@pytest.mark.parametrize("rho", [0.2, 0.05, 0.0, -1.0])
def test_comonotone_blocks_sit_exactly_on_the_boundary(rho):
    """sym(M^-1) = -rho I exactly (every direction attains rho), and on sampled pairs
    <F(x) - F(y), x - y> = -rho ||F(x) - F(y)||^2 to round-off; with 0.99 rho (rho > 0) the
    inequality fails on every pair."""
    op = instances.make_comonotone(3, blocks=12, rho=rho, s_min=1e-2)
    M_inv = np.linalg.inv(op.M)
    np.testing.assert_allclose(np.linalg.eigvalsh(sym(M_inv)), -rho, atol=1e-10)
    dF, dz = pairs(op)
    inner = np.sum(dF * dz, axis=0)
    sq = np.sum(dF * dF, axis=0)
    scale = np.sum(dz * dz, axis=0)
    assert np.all(np.abs(inner + rho * sq) <= 1e-13 * scale)
    if rho > 0:
        assert np.all(inner + 0.99 * rho * sq < 0)


@pytest.mark.parametrize("builder", [
    lambda: instances.make_comonotone(4, blocks=10, rho=0.1, s_min=1e-3),
    lambda: instances.make_cocoercive(4, blocks=10, s_min=1e-2),
    lambda: instances.make_bilinear(4, m=5, s_min=0.2),
    lambda: instances.make_strongly_monotone(4, blocks=6, mu=0.3),
    lambda: instances.make_bilinear_box(4, m=6),
], ids=["comonotone", "cocoercive", "bilinear", "strongly_monotone", "bilinear_box"])
def test_reported_constants_are_the_true_ones(builder):
    """L, s_min, mu, rho, R0 against independent computations and sampling."""
    op = builder()
    c = op.constants
    sv = np.linalg.svd(op.M, compute_uv=False)
    assert c["L"] == pytest.approx(sv[0], rel=1e-12)
    assert c["s_min"] == pytest.approx(sv[-1], rel=1e-9)
    assert c["mu"] == pytest.approx(np.linalg.eigvalsh(sym(op.M))[0], abs=1e-12)
    assert c["R0"] == pytest.approx(np.linalg.norm(op.z0 - op.z_star), rel=1e-12)
    dF, dz = pairs(op, seed=1)
    norms = np.sum(dz * dz, axis=0)
    # No sampled pair beats the constants; L and mu are nearly attained by some pair.
    ratio_L = np.sqrt(np.sum(dF * dF, axis=0) / norms)
    ratio_mu = np.sum(dF * dz, axis=0) / norms
    assert ratio_L.max() <= c["L"] * (1 + 1e-12) and ratio_L.max() > 0.5 * c["L"]
    assert ratio_mu.min() >= c["mu"] - 1e-12
    ratio_rho = -np.sum(dF * dz, axis=0) / np.sum(dF * dF, axis=0)
    assert ratio_rho.max() <= c["rho"] + 1e-9


def test_generators_build_the_stated_targets():
    assert instances.make_comonotone(0, blocks=8, rho=0.15, s_min=1e-3, L=2.0).constants[
        "rho"] == pytest.approx(0.15, rel=1e-8)
    op = instances.make_strongly_monotone(0, blocks=5, mu=0.25, L=2.0)
    assert (op.constants["mu"], op.constants["L"]) == pytest.approx((0.25, 2.0))
    assert instances.make_cocoercive(0, blocks=5, beta_L=0.5, L=2.0).constants[
        "beta"] == pytest.approx(0.25, rel=1e-8)
    bil = instances.make_bilinear(0, m=5, s_min=0.1)
    m = 5
    np.testing.assert_array_equal(bil.M[:m, :m], 0)
    np.testing.assert_allclose(bil.M[m:, :m], -bil.M[:m, m:].T)
    np.testing.assert_allclose(np.linalg.svd(bil.M[:m, m:], compute_uv=False),
                               np.geomspace(1, 0.1, m))


def test_initial_distance_is_split_evenly_over_the_blocks():
    """z_0 - z* has norm 1 and the same share on every block (the spectral subspaces of the
    rotation blocks, read off by projecting onto the eigenvectors of M^T M)."""
    op = instances.make_comonotone(2, blocks=6, rho=0.1, s_min=1e-2)
    w, V = np.linalg.eigh(op.M.T @ op.M)  # eigenvalue s_j^2 twice per block
    shares = np.add.reduceat((V.T @ (op.z0 - op.z_star)) ** 2, np.arange(0, op.d, 2))
    np.testing.assert_allclose(shares, 1 / 6, rtol=1e-8)
    assert op.constants["R0"] == pytest.approx(1.0)


def test_bilinear_box_solution_solves_the_variational_inequality():
    op = instances.make_bilinear_box(5, m=10, active=0.4)
    z, F = op.z_star, op(op.z_star)
    assert np.all(np.abs(z) <= 1)
    upper, lower, free = z == 1, z == -1, np.abs(z) < 1
    assert upper.sum() + lower.sum() == 8  # 4 of x and 4 of y
    # KKT of the VI on a box: F = 0 on free coordinates, F <= 0 at upper, F >= 0 at lower,
    # strictly (strict complementarity, |F_i| >= 0.1).
    assert np.all(np.abs(F[free]) < 1e-14)
    assert np.all(F[upper] <= -0.1) and np.all(F[lower] >= 0.1)
    assert op.natural_residual(z) < 1e-14
    # Any other feasible point is not a solution (uniqueness, sampled).
    rng = np.random.default_rng(0)
    for _ in range(20):
        other = op.project(z + 0.1 * rng.standard_normal(op.d))
        assert op.natural_residual(other) > 1e-4
    assert op.constants["s_min_free"] == pytest.approx(0.3)
    assert np.all(np.abs(op.z0) <= 1)


def test_finite_sum_is_cocoercive_in_the_mean_with_equality():
    """(1/n) sum ||M_i v||^2 = L <M v, v> for every v (L_coco = L), the mean is (M, q), and
    the components disagree at z* (F_i(z*) != 0, mean 0)."""
    op = instances.make_finite_sum(1, n=32, blocks=4, L=1.5)
    dF, dz = pairs(op, seed=2)
    mean_sq = np.mean([np.sum((Mi @ dz) ** 2, axis=0) for Mi in op.components], axis=0)
    np.testing.assert_allclose(mean_sq, 1.5 * np.sum(dF * dz, axis=0), rtol=1e-10)
    assert op.constants["L_coco"] == pytest.approx(1.5)
    at_star = op.components @ op.z_star + op.component_q
    assert np.linalg.norm(at_star.mean(axis=0)) < 1e-14
    assert np.min(np.linalg.norm(at_star, axis=1)) > 0.1
    skew = instances.make_finite_sum_skew(1, n=32, blocks=4)
    for Mi in skew.components:
        np.testing.assert_allclose(sym(Mi), 0, atol=1e-14)


def test_impossible_parameters_are_rejected():
    with pytest.raises(ParameterError, match="rho L"):
        instances.make_comonotone(0, rho=1.5)
    with pytest.raises(ParameterError, match="s_min"):
        instances.make_bilinear(0, s_min=2.0)
    with pytest.raises(ParameterError, match="active"):
        instances.make_bilinear_box(0, active=1.0)
    with pytest.raises(ParameterError, match="mu"):
        instances.make_strongly_monotone(0, mu=2.0)


# -- spectral predictions the cards rely on ------------------------------------------------------
def growth_per_step(values: np.ndarray, grid: np.ndarray) -> float:
    """Factor per step of a geometric tail (last two checkpoints)."""
    return float((values[-1] / values[-2]) ** (1 / (grid[-1] - grid[-2])))


@pytest.mark.parametrize("factor,converges", [(1.1, True), (0.9, False)])
def test_proximal_point_threshold_is_gamma_equal_two_rho(factor, converges):
    """The resolvent scales block j by (1 + gamma (gamma - 2 rho) s_j^2)^(-1/2): below
    gamma = 2 rho PP diverges, above it converges (Gorbunov et al. 2023 need gamma > 2 rho)."""
    rho = 0.3
    op = instances.make_comonotone(0, blocks=3, rho=rho, s_min=0.5)
    grid = np.array([1000, 2000])
    out = ops.run_proximal_point(op, grid, 0, step_scale=factor * 2 * rho)
    g = factor * 2 * rho
    # Squared factor of the slowest block (s = s_min = 0.5) when converging, of the fastest
    # growing one (s = L = 1) when not; the other blocks are 1e-5 behind by t = 1000.
    s = 0.5 if converges else 1.0
    predicted = 1 / (1 + g * (g - 2 * rho) * s**2)
    assert (predicted < 1) == converges
    assert growth_per_step(out["dist_sq"], grid) == pytest.approx(predicted, rel=1e-6)


@pytest.mark.parametrize("method,step", [("extragradient", 0.45), ("optimistic", 0.3)])
def test_eg_and_og_diverge_outside_the_admissible_range(method, step):
    """At rho L = 0.2 (outside rho < 1/(8L) and 5/(62L)) the s = L block grows; at
    rho L = 0.05 (inside) everything contracts. Nothing here is a mismatch of the in-range
    claims; it is what the card notes report."""
    grid = checkpoints(3000)
    outside = ops.METHODS[method].run(
        instances.make_comonotone(0, blocks=10, rho=0.2, s_min=0.1), grid, 0,
        step_scale=step)
    inside = ops.METHODS[method].run(
        instances.make_comonotone(0, blocks=10, rho=0.05, s_min=0.1), grid, 0,
        step_scale=step)
    assert not np.isfinite(outside["residual_sq"][-1]) or \
        outside["residual_sq"][-1] > 1e6 * outside["residual_sq"][0]
    assert inside["residual_sq"][-1] < 1e-2 * inside["residual_sq"][0]


def test_gda_diverges_on_a_bilinear_game_by_the_exact_factor():
    """GDA multiplies the top singular pair by 1 - i gamma L: ||z - z*||^2 grows by
    1 + gamma^2 L^2 per step; EG with gamma = 1/(2L) contracts by 1 - g^2 s_min^2 + g^4 s_min^4."""
    op = instances.make_bilinear(1, m=4, s_min=0.3)
    grid = np.arange(1990, 2001)
    g = 0.1
    gda = ops.run_gda(op, grid, 0, step_scale=g)
    assert growth_per_step(gda["dist_sq"], grid) == pytest.approx(1 + g**2, rel=1e-6)
    eg = ops.run_extragradient(op, np.array([1000, 1500]), 0, step_scale=0.5)
    x = (0.5 * 0.3) ** 2
    assert growth_per_step(eg["dist_sq"], np.array([1000, 1500])) == pytest.approx(
        1 - x + x**2, rel=1e-9)


def test_family_registers_methods_with_matching_measures():
    comonotone = get_problem("monotone.comonotone")
    assert set(comonotone.algorithms) >= {"gda", "extragradient", "optimistic",
                                          "proximal_point", "halpern_resolvent", "flow_rk4"}
    box = get_problem("monotone.bilinear_box")
    inst = box.make(0)
    assert set(inst.floors) == {"natural_residual", "dist_sq"}
    for algorithm in box.algorithms.values():
        assert "natural_residual" in algorithm.measures
        assert "residual" not in algorithm.measures  # F(z*) != 0 on a box


# -- verdicts -------------------------------------------------------------------------------------
def test_wrong_claims_are_mismatches_in_the_right_direction(verify_json):
    status, results = verify_json("--quick", "--claims", str(WRONG))
    assert status == 1
    expected = {
        "wrong-gda-bilinear-converges": "diverged",           # |1 - i g L| > 1
        "wrong-eg-monotone-last-iterate-1-over-k": "slower",  # slope -1, not -2
        "wrong-bilinear-eg-factor-from-L": "slower",          # s_min sets the factor, not L
        "wrong-halpern-1-over-k-squared": "slower",           # Halpern is Theta(1/k) here
        "wrong-eg-outside-comonotone-range": "diverged",      # rho L = 0.2: the s = L block
        "wrong-vrh-no-sqrt-n-advantage": "faster",            # calls ~ n^0.55, not n
        "wrong-gda-divergence-factor": "faster",              # grows by 1.01, not 1.21
        "wrong-vrh-advantage-linear-in-n": "slower",          # advantage ~ sqrt(n), not n
    }
    assert set(results) == set(expected)
    for claim_id, direction in expected.items():
        result = results[claim_id]
        assert (result["verdict"], result["direction"]) == ("mismatch", direction), result


def test_seed_claims_quick_are_consistent(verify_json):
    status, results = verify_json("--quick", "--family", "monotone")
    assert len(results) >= 20
    bad = {i: (r["verdict"], r["reason"]) for i, r in results.items()
           if r["verdict"] != "consistent"}
    assert not bad and status == 0, bad
    assert results["comon-pp-last-iterate"]["observed"]["estimate"] == pytest.approx(-1, abs=0.02)
    sweep = results["vrh-calls-vs-n"]["observed"]["sweep"]
    assert 0.45 < sweep["exponent"] < 0.65  # the sqrt(n) of O~(n + sqrt(n) L / eps)
    advantage = results["vrh-advantage-over-halpern"]["observed"]["sweep"]
    assert 0.35 < advantage["exponent"] < 0.6  # VR beats deterministic Halpern by ~sqrt(n)
    for claim_id in ("halpern-fixed-point-residual", "bilinear-eg-factor"):
        assert results[claim_id]["observed"]["bound"]["holds"], claim_id
