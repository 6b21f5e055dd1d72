"""matrix_sensing family: NumPy twins of the kernels, operator checks, reproducibility, and
verdicts of the seed card (quick) and of deliberately wrong claims.

Reference: Xiong, Ding, Du, arXiv 2310.01769 (see ``problems/matrix_sensing.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from workbench.problems import matrix_sensing as ms

from workbench.engine.checkpoints import checkpoints

WRONG = Path(__file__).parent / "cards" / "wrong_matrix_sensing.toml"
TWIN_RTOL = 1e-10  # a few hundred iterations of O(n k) sums: round-off, far below any bug
# Once an error has converged to ~1e-20 of its start its last digits are round-off; compare
# those absolutely, relative to the first value (1e-20 of it = (1e-10)^2 for squared errors).
TWIN_ATOL = 1e-20


def assert_twins(got: np.ndarray, want: np.ndarray) -> None:
    np.testing.assert_allclose(got, want, rtol=TWIN_RTOL, atol=TWIN_ATOL * abs(want[0]))


# -- NumPy twins: the same updates written with dense NumPy algebra ----------------------
def _numpy_residual(inst: ms.SensingInstance, P: np.ndarray) -> tuple[np.ndarray, float]:
    """``E = A*(A(P) - y)`` and ``0.5 ||A(P) - y||^2``."""
    if inst.population:
        E = P - inst.M_star
        return E, 0.5 * float(np.sum(E * E))
    res = inst.A @ P.ravel() - inst.y
    return (inst.A.T @ res).reshape(P.shape), 0.5 * float(res @ res)


def numpy_symmetric_gd(inst, X, eta, grid):
    X = X.copy()
    out = {"frobenius_sq": [], "loss": []}
    for t in range(max(grid) + 1):
        P = X @ X.T
        E, loss = _numpy_residual(inst, P)
        if t in grid:
            out["frobenius_sq"].append(np.sum((P - inst.M_star) ** 2))
            out["loss"].append(loss)
        X = X - eta * 0.5 * (E + E.T) @ X
    return {k: np.array(v) for k, v in out.items()}


def numpy_asymmetric_gd(inst, F, G, eta, grid, switch_tol=-1.0, beta=1.0):
    F, G = F.copy(), G.copy()
    energy = np.sum(inst.M_star**2) if inst.population else inst.y @ inst.y
    switched = False
    out = {"frobenius_sq": [], "loss": [], "rebalanced": []}
    for t in range(max(grid) + 1):
        E, loss = _numpy_residual(inst, F @ G.T)
        if switch_tol > 0 and not switched and loss <= switch_tol * 0.5 * energy:
            w, Q = np.linalg.eigh(G.T @ G)
            F = F @ (Q * np.sqrt(w)) @ Q.T / beta
            G = beta * G @ (Q / np.sqrt(w)) @ Q.T
            switched = True
            E, loss = _numpy_residual(inst, F @ G.T)
        if t in grid:
            out["frobenius_sq"].append(np.sum((F @ G.T - inst.M_star) ** 2))
            out["loss"].append(loss)
            out["rebalanced"].append(float(switched))
        F, G = F - eta * E @ G, G - eta * E.T @ F
    return {k: np.array(v) for k, v in out.items()}


GRID = checkpoints(300, per_decade=10)


@pytest.mark.parametrize("m", [0, 60])
def test_symmetric_kernel_matches_numpy_twin(m):
    inst = ms.make_symmetric(3, n=6, r=2, m=m)
    X0, _ = ms.initial_factors(inst, 5, 3, 0.3, asymmetric=False)
    got = ms.run_gd(inst, GRID, 5, k=3, alpha=0.3, eta=0.1)
    want = numpy_symmetric_gd(inst, X0, 0.1, set(GRID.tolist()))
    for key in ("frobenius_sq", "loss"):
        assert_twins(got[key], want[key])
    assert got["frobenius_sq"][-1] < 1e-2 * got["frobenius_sq"][0]  # it did move


@pytest.mark.parametrize("m", [0, 60])
@pytest.mark.parametrize("symmetric_target", [False, True])
def test_asymmetric_kernel_matches_numpy_twin(m, symmetric_target):
    inst = (ms.make_symmetric(3, n=6, r=2, m=m) if symmetric_target
            else ms.make_asymmetric(3, n1=6, n2=5, r=2, m=m))
    F0, G0 = ms.initial_factors(inst, 5, 3, 0.3, asymmetric=True)
    run = ms.run_gd_asym if symmetric_target else ms.run_gd
    got = run(inst, GRID, 5, k=3, alpha=0.3, eta=0.2)
    want = numpy_asymmetric_gd(inst, F0, G0, 0.2, set(GRID.tolist()))
    for key in ("frobenius_sq", "loss"):
        assert_twins(got[key], want[key])
    assert got["frobenius_sq"][-1] < 1e-2 * got["frobenius_sq"][0]


@pytest.mark.parametrize("m", [0, 60])
def test_modified_kernel_matches_numpy_twin(m):
    inst = ms.make_asymmetric(3, n1=6, n2=5, r=2, m=m)
    F0, G0 = ms.initial_factors(inst, 5, 3, 0.3, asymmetric=True)
    got = ms.run_gd_modified(inst, GRID, 5, k=3, alpha=0.3, eta=0.2, switch_tol=1e-2,
                             beta=1.0)
    want = numpy_asymmetric_gd(inst, F0, G0, 0.2, set(GRID.tolist()), 1e-2, 1.0)
    np.testing.assert_array_equal(got["rebalanced"], want["rebalanced"])
    assert 0 < got["rebalanced"].sum() < got["rebalanced"].size  # the switch happened mid-run
    for key in ("frobenius_sq", "loss"):
        assert_twins(got[key], want[key])


def test_rebalancing_keeps_product_and_conditions_g():
    rng = np.random.default_rng(0)
    F, G = rng.standard_normal((7, 3)), 0.01 * rng.standard_normal((5, 3))
    product = F @ G.T
    ms._rebalance(F, G, 2.0)
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
        ms._residual(P, inst.M_star, inst.A, inst.y, np.empty(m), E)
        errors.append(np.linalg.norm(E - (P - pop.M_star)) / np.linalg.norm(P - pop.M_star))
    assert all(b < a for a, b in zip(errors, errors[1:], strict=False)), errors
    assert errors[-1] < 0.05 and errors[0] > 3 * errors[-1], errors


def test_population_measures_are_exact():
    inst = ms.make_asymmetric(2, n1=6, n2=4, r=2, kappa=4.0)
    assert np.linalg.matrix_rank(inst.M_star) == 2
    s = np.linalg.svd(inst.M_star, compute_uv=False)
    np.testing.assert_allclose([s[0], s[0] / s[1]], [1.0, 4.0], rtol=1e-12)
    out = ms.run_gd(inst, np.array([1, 2, 50]), 0, k=3, alpha=0.2, eta=0.2)
    np.testing.assert_allclose(out["loss"], 0.5 * out["frobenius_sq"], rtol=1e-12)
    np.testing.assert_allclose(out["frobenius"] ** 2, out["frobenius_sq"], rtol=1e-12)


# -- seeds --------------------------------------------------------------------------------
@pytest.mark.parametrize("algorithm", ["gd", "gd_modified"])
def test_same_seed_same_bits(algorithm):
    grid = checkpoints(2000, linear=20)
    runs = []
    for seed in (4, 4, 5):
        inst = ms.make_asymmetric(seed, n1=8, n2=6, r=2, m=80)
        run = ms.run_gd if algorithm == "gd" else ms.run_gd_modified
        runs.append(run(inst, grid, seed, k=3, alpha=0.1, eta=0.2))
    for key in ("frobenius_sq", "loss"):
        assert runs[0][key].tobytes() == runs[1][key].tobytes()
        assert not np.array_equal(runs[0][key], runs[2][key])


def test_bad_parameters_are_rejected():
    inst = ms.make_symmetric(0, n=6, r=2)
    with pytest.raises(ValueError, match="k must be"):
        ms.run_gd(inst, np.array([1, 2]), 0, k=1)
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
