"""matrix_sensing family: kernels against their NumPy twins (``reference.py``) on the same
seed, operator checks, and verdicts of the seed card (quick) and of deliberately wrong claims.

Reference: Xiong, Ding, Du, arXiv 2310.01769 (see ``problems/matrix_sensing/__init__.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from workbench.problems import matrix_sensing as ms
from workbench.problems.matrix_sensing import kernels, reference

from workbench.catalogue import algorithm_rng
from workbench.engine.checkpoints import checkpoints

WRONG = Path(__file__).parent / "cards" / "wrong_matrix_sensing.toml"
TWIN_RTOL = 1e-10  # a few hundred iterations of O(n k) sums: round-off, far below any bug
# Once an error has converged to ~1e-20 of its start its last digits are round-off; compare
# those absolutely, relative to the first value (1e-20 of it = (1e-10)^2 for squared errors).
TWIN_ATOL = 1e-20
GRID = checkpoints(300, per_decade=10)


def assert_twins(got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> None:
    assert set(got) == set(want)
    for key in ("frobenius_sq", "frobenius", "loss"):
        atol = np.sqrt(TWIN_ATOL) if key == "frobenius" else TWIN_ATOL  # not squared
        np.testing.assert_allclose(got[key], want[key], rtol=TWIN_RTOL,
                                   atol=atol * abs(want[key][0]), err_msg=key)
    np.testing.assert_array_equal(got["calls"], want["calls"])
    if "imbalance_min" in want:
        assert got["imbalance_min"] == pytest.approx(want["imbalance_min"], rel=1e-12)


@pytest.mark.parametrize("m", [0, 60])
def test_symmetric_kernel_matches_numpy_twin(m):
    inst = ms.make_symmetric(3, n=6, r=2, m=m)
    got = ms.run_gd_symmetric(inst, GRID, 5, k=3, alpha=0.3, eta=0.1)
    assert_twins(got, reference.gd_symmetric(inst, GRID, 5, k=3, alpha=0.3, eta=0.1))
    assert got["frobenius_sq"][-1] < 1e-2 * got["frobenius_sq"][0]  # it did move


@pytest.mark.parametrize("m", [0, 60])
@pytest.mark.parametrize("symmetric_target", [False, True])
def test_factored_kernel_matches_numpy_twin(m, symmetric_target):
    inst = (ms.make_symmetric(3, n=6, r=2, m=m) if symmetric_target
            else ms.make_asymmetric(3, n1=6, n2=5, r=2, m=m))
    got = ms.run_gd_factored(inst, GRID, 5, k=3, alpha=0.3, eta=0.2)
    assert_twins(got, reference.gd_factored(inst, GRID, 5, k=3, alpha=0.3, eta=0.2))
    assert got["frobenius_sq"][-1] < 1e-2 * got["frobenius_sq"][0]


@pytest.mark.parametrize("m", [0, 60])
def test_modified_kernel_matches_numpy_twin(m):
    inst = ms.make_asymmetric(3, n1=6, n2=5, r=2, m=m)
    hyper = {"k": 3, "alpha": 0.3, "eta": 0.2, "switch_tol": 1e-2, "beta": 1.0}
    got = ms.run_gd_modified(inst, GRID, 5, **hyper)
    want = reference.gd_modified(inst, GRID, 5, **hyper)
    np.testing.assert_array_equal(got["rebalanced"], want["rebalanced"])
    assert 0 < got["rebalanced"].sum() < got["rebalanced"].size  # the switch happened mid-run
    assert_twins(got, want)


def test_initial_factors_follow_the_convention():
    """``X0``/``F0`` are the first draws of ``algorithm_rng(seed)``, then ``G0``."""
    inst = ms.make_asymmetric(0, n1=5, n2=4, r=2)
    F, G = ms.initial_factors(inst, algorithm_rng(9), 3, 0.5, asymmetric=True)
    rng = np.random.RandomState(9)
    np.testing.assert_array_equal(F, 0.5 * rng.standard_normal((5, 3)))
    np.testing.assert_array_equal(G, 0.5 / 3 * rng.standard_normal((4, 3)))
    X, X_again = ms.initial_factors(inst, algorithm_rng(9), 3, 0.5, asymmetric=False)
    np.testing.assert_array_equal(X, F)
    assert X_again is not X and np.array_equal(X_again, X)


def test_rebalancing_keeps_product_and_conditions_g():
    rng = np.random.default_rng(0)
    F, G = rng.standard_normal((7, 3)), 0.01 * rng.standard_normal((5, 3))
    product = F @ G.T
    kernels._rebalance(F, G, 2.0)
    np.testing.assert_allclose(F @ G.T, product, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(np.linalg.svd(G, compute_uv=False), 2.0, rtol=1e-12)


# -- the measurement operator ------------------------------------------------------------
def test_gaussian_operator_approaches_population_as_m_grows():
    """At a fixed point P, A*(A(P) - y) -> P - M* (E[A*A] = I): error ~ 1/sqrt(m)."""
    n, r = 5, 2
    P = np.random.default_rng(1).standard_normal((n, n))
    errors = []
    for m in (100, 1000, 10000, 100000):
        inst = ms.make_symmetric(7, n=n, r=r, m=m)
        pop = ms.make_symmetric(7, n=n, r=r, m=0)
        np.testing.assert_array_equal(inst.M_star, pop.M_star)  # same ground truth
        E = np.empty((n, n))
        kernels._residual(P, inst.M_star, inst.A, inst.y, np.empty(m), E)
        errors.append(np.linalg.norm(E - (P - pop.M_star)) / np.linalg.norm(P - pop.M_star))
    assert all(b < a for a, b in zip(errors, errors[1:], strict=False)), errors
    assert errors[-1] < 0.05 and errors[0] > 3 * errors[-1], errors


def test_population_measures_are_exact():
    inst = ms.make_asymmetric(2, n1=6, n2=4, r=2, kappa=4.0)
    assert np.linalg.matrix_rank(inst.M_star) == 2
    s = np.linalg.svd(inst.M_star, compute_uv=False)
    np.testing.assert_allclose([s[0], s[0] / s[1]], [1.0, 4.0], rtol=1e-12)
    out = ms.run_gd_factored(inst, np.array([1, 2, 50]), 0, k=3, alpha=0.2, eta=0.2)
    np.testing.assert_allclose(out["loss"], 0.5 * out["frobenius_sq"], rtol=1e-12)
    np.testing.assert_allclose(out["frobenius"] ** 2, out["frobenius_sq"], rtol=1e-12)


def test_bad_parameters_are_rejected():
    inst = ms.make_symmetric(0, n=6, r=2)
    with pytest.raises(ValueError, match="k must be"):
        ms.run_gd_symmetric(inst, np.array([1, 2]), 0, k=1)
    with pytest.raises(ValueError, match="symmetric instance"):
        ms.run_gd_symmetric(ms.make_asymmetric(0, n1=4, n2=3), np.array([1, 2]), 0)
    with pytest.raises(ValueError, match="r <="):
        ms.make_asymmetric(0, n1=3, n2=4, r=5)
    with pytest.raises(ValueError, match="kappa"):
        ms.make_symmetric(0, n=5, kappa=0.5)


# -- verdicts -----------------------------------------------------------------------------
def test_wrong_claims_are_mismatches_in_the_right_direction(verify_json):
    status, results = verify_json("--quick", "--claims", str(WRONG))
    assert status == 1
    expected = {
        "wrong-ms-sym-overparam-linear": "slower",   # a power law, not geometric
        "wrong-ms-sym-overparam-theta-T": "faster",  # slope -2, not -1
        "wrong-ms-asym-gd-alpha-free": "slower",     # rate constant ~ alpha^2 -> 0
    }
    for claim_id, direction in expected.items():
        result = results[claim_id]
        assert (result["verdict"], result["direction"]) == ("mismatch", direction), result


def test_seed_claims_quick_are_not_mismatches(verify_json):
    status, results = verify_json("--quick", "--family", "matrix_sensing")
    assert len(results) >= 6
    bad = {i: r["reason"] for i, r in results.items() if r["verdict"] == "mismatch"}
    assert not bad and status == 0, bad
    observed = results["ms-sym-overparam-omega-T2"]["observed"]
    assert -2.1 < observed["exponent"] < -1.9  # the squared error's tail slope is -2


def test_imbalance_diagnostic_is_the_initial_factors_lambda_min():
    # F0 ~ N(0, alpha^2) and G0 ~ N(0, (alpha/3)^2): with n1 >> n2 / 9 the imbalance is
    # positive and scales like alpha^2 (the same draws scaled).
    inst = ms.make_asymmetric(0, n1=40, n2=8, r=2)
    small = ms.run_gd_factored(inst, GRID, 3, k=4, alpha=0.05)["imbalance_min"]
    large = ms.run_gd_factored(inst, GRID, 3, k=4, alpha=0.1)["imbalance_min"]
    assert small > 0
    assert large == pytest.approx(4 * small, rel=1e-12)
