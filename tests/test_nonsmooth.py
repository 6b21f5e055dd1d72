"""The non-smooth family: kernels against their NumPy twins step by step, the exact properties
of the worst-case construction (the order in which GD visits the pieces, the optimum value,
the closed form of the last iterate, the log factor), the reference solutions' certificates,
the two-point noise law, and the seed claims' deliberately wrong versions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from workbench.problems.nonsmooth import instances, kernels, methods, reference

from workbench.catalogue import ParameterError, algorithm_rng, get_problem, kernel_seed
from workbench.engine.checkpoints import checkpoints

WRONG = Path(__file__).parent / "cards" / "wrong_logistic_seed.toml"
GRID = checkpoints(400)
# A few hundred O(d) steps and O(n d) objective sums: round-off is ~1e-14; a wrong update is
# O(1).
ATOL = 1e-12


def _close(got: dict, want: dict) -> None:
    assert set(want) <= set(got)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-10, atol=ATOL, err_msg=key)


# -- kernels against their twins -----------------------------------------------------------
@pytest.mark.parametrize(("problem", "algorithm", "params"), [
    ("nonsmooth.l1", "sgd_sqrt_t", {}),
    ("nonsmooth.l1", "sgd_linear_decay", {}),
    ("nonsmooth.l1_ridge", "sgd_mu_t", {"noise": 0.3}),
    ("nonsmooth.hinge", "sgd_sqrt_t", {}),
    ("nonsmooth.hinge_ridge", "sgd_mu_t", {}),
])
def test_sgd_matches_numpy_twin(problem, algorithm, params):
    P = get_problem(problem)
    inst = P.make(1, n=40, d=5, **params)
    got = P.algorithms[algorithm].run(inst, GRID, 5, eta=0.7)
    want = P.algorithms[algorithm].twin(inst, GRID, 5, eta=0.7)
    _close(got, want)
    assert got["f_gap"][-1] < 0.5 * got["f_gap"][0]  # it moved toward f*: the test bites
    other = reference.sgd_sqrt_t(inst, GRID, 6, eta=0.7)  # another seed, other indices
    assert not np.allclose(other["f_gap"], reference.sgd_sqrt_t(inst, GRID, 5, eta=0.7)["f_gap"])


@pytest.mark.parametrize("law", [0, 1, 2, 3])
@pytest.mark.parametrize("c", [0.0, 0.5])
@pytest.mark.parametrize("algorithm", ["clipped_sgd_mu_t", "clipped_sgd_sqrt_t",
                                       "clipped_sgd_constant"])
def test_quadratic_oracle_matches_numpy_twin(law, c, algorithm):
    P = get_problem("nonsmooth.quadratic")
    inst = P.make(0, d=3, sigma=0.8, law=law, x0=2.0)
    eta = 0.05 if algorithm == "clipped_sgd_constant" else 1.0
    got = P.algorithms[algorithm].run(inst, GRID, 3, eta=eta, c=c)
    _close(got, P.algorithms[algorithm].twin(inst, GRID, 3, eta=eta, c=c))


@pytest.mark.parametrize(("problem", "algorithm"), [
    ("nonsmooth.worst_case_sc", "gd_mu_t"),
    ("nonsmooth.worst_case", "gd_sqrt_t"),
    ("nonsmooth.worst_case", "gd_linear_decay"),
])
def test_worst_case_recursion_matches_brute_force_gd(problem, algorithm):
    P = get_problem(problem)
    inst = P.make(0)
    grid = checkpoints(150)
    got = P.algorithms[algorithm].run(inst, grid, 0)
    want = P.algorithms[algorithm].twin(inst, grid, 0)
    np.testing.assert_allclose(got["f_gap"], want["f_gap"], rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(got["dist_sq"], want["dist_sq"], rtol=1e-10, atol=1e-15)
    # the envelope certificate equals the brute-force margin over every earlier piece
    assert got["order_margin"] == pytest.approx(want["order_margin"], rel=1e-9)
    assert got["max_norm_sq"] == pytest.approx(want["max_norm_sq"], rel=1e-12)
    assert got["order_margin"] > 0 and 0 < got["max_norm_sq"] <= 1.0 + 1e-12


def test_sampling_kernels_follow_the_seed_convention():
    P = get_problem("nonsmooth.l1")
    inst = P.make(0, n=30, d=4)
    grid = checkpoints(100)
    got = P.algorithms["sgd_sqrt_t"].run(inst, grid, 9)
    for kseed, same in ((kernel_seed(algorithm_rng(9)), True), (np.int64(9), False)):
        out = np.full((grid.size, kernels.N_COLUMNS), np.nan)
        kernels._sgd_kernel(inst.A, inst.b, inst.lo, inst.lam, 0.0, kernels.SQRT_T, 1.0,
                            np.zeros(4), inst.w_star, inst.f_star, kseed, grid, grid // 2, out)
        assert np.array_equal(out[:, kernels.F_GAP], got["f_gap"]) == same


# -- the worst-case construction: exact properties -----------------------------------------
@pytest.mark.parametrize(("mu", "schedule"), [(1.0, "mu_t"), (0.5, "mu_t"), (0.0, "sqrt_t"),
                                              (0.0, "linear_decay")])
def test_gd_visits_the_pieces_in_order(mu, schedule):
    """Brute-force GD with the argmax oracle (smallest index on ties) takes piece t at step
    t, for every step, which is what the O(1) recursion assumes."""
    inst = instances.make_worst_case_sc(0, mu) if mu > 0 else instances.make_worst_case(0)
    for horizon in (7, 60, 200):
        visited, _, norms, _ = reference.worst_case_path(inst, horizon, schedule, 1.0)
        np.testing.assert_array_equal(visited, np.arange(1, horizon + 1))
        assert norms.max() <= 1.0 + 1e-12  # inside the unit ball: projection inactive


def test_the_optimum_is_zero_at_zero():
    """0 is in the convex hull of the pieces, so max_i <h_i, x> >= 0 = f(0) for every x."""
    for mu in (0.0, 1.0):
        a, b = instances.construction(300, mu)
        weights = instances.hull_weights(a, b)
        H = reference.pieces(300, mu)
        assert np.all(weights > 0) and weights.sum() == pytest.approx(1.0)
        assert np.abs(weights @ H).max() < 1e-15
        rng = np.random.default_rng(0)
        x = rng.standard_normal((200, 300))
        assert np.all((x @ H.T).max(axis=1) >= -1e-15)


def test_strongly_convex_last_iterate_has_its_closed_form():
    """With step 1/(mu t): x_{T+1, j} = (b_j - (T - j) a_j) / (mu T) and f(x_{T+1}) =
    sum_j a_j x_j + (mu/2) ||x||^2."""
    T, mu = 500, 2.0
    inst = instances.make_worst_case_sc(0, mu)
    a, b = instances.construction(T, mu)
    x = (b - (T - np.arange(1, T + 1)) * a) / (mu * T)
    value = a @ x + 0.5 * mu * x @ x
    out = methods.run_gd_mu_t(inst, np.array([T]), 0)
    assert out["f_gap"][-1] == pytest.approx(value, rel=1e-12)
    assert out["dist_sq"][-1] == pytest.approx(x @ x, rel=1e-12)


def test_the_log_factor_is_present_on_the_construction():
    """T * gap grows like mu ln(T) / 4: its increase from T to 100 T tends to mu ln(100)/4."""
    for mu in (1.0, 0.3):
        inst = instances.make_worst_case_sc(0, mu)
        scaled = {T: T * methods.run_gd_mu_t(inst, np.array([T]), 0)["f_gap"][-1]
                  for T in (10**4, 10**6)}
        assert scaled[10**6] - scaled[10**4] == pytest.approx(mu * np.log(100) / 4, rel=0.01)
    # linear decay on the convex construction: sqrt(T) * gap tends to a constant
    convex = instances.make_worst_case(0)
    flat = [np.sqrt(T) * methods.run_gd_linear_decay(convex, np.array([T]), 0)["f_gap"][-1]
            for T in (10**4, 10**6)]
    assert flat[1] == pytest.approx(flat[0], rel=1e-3)


def _visits(a: np.ndarray, b: np.ndarray, mu: float, eta: np.ndarray) -> np.ndarray:
    """Brute-force GD on the pieces built from ``a, b`` (argmax oracle, smallest index): the
    active piece at ``x_1, ..., x_{T+1}`` (the last one gives ``f(x_{T+1})``)."""
    T = a.size
    H = np.tril(np.broadcast_to(a, (T + 1, T)), k=-1).copy()
    H[np.arange(T), np.arange(T)] = -b
    x, visited = np.zeros(T), []
    for k in range(T + 1):
        v = H @ x
        i = int(np.flatnonzero(v >= v.max() - 1e-12 * max(1.0, abs(v.max())))[0])
        visited.append(i + 1)
        if k < T:
            x = x - eta[k] * (H[i] + mu * x)
    return np.array(visited)


def test_the_order_certificate_agrees_with_brute_force():
    """The certificate (Li Chao envelope of the earlier pieces) is positive exactly when GD
    visits the pieces in order, whenever every 1 - mu eta_k (k >= 2) is positive (otherwise
    it refuses, -1): on random step sequences, and on pieces whose drift breaks the order."""
    rng = np.random.default_rng(0)
    checked = 0
    for _ in range(300):
        T, mu = int(rng.integers(4, 20)), float(rng.choice([0.0, 1.0]))
        eta = np.exp(rng.uniform(-6, 0.5, T))
        a, b = instances.construction(T, mu)
        ordered = np.array_equal(_visits(a, b, mu, eta), np.arange(1, T + 2))
        margin = kernels._order_margin(a, b, mu, eta)
        if np.all(1 - mu * eta[1:] > 0):
            assert ordered == (margin > 0)
            checked += 1
        else:
            assert margin == -1.0
    assert checked > 100
    a, b = np.ones(12), np.full(12, 0.01)  # drift a_j >> b_j: an early piece wins again
    assert not np.array_equal(_visits(a, b, 0.0, np.ones(12)), np.arange(1, 14))
    assert kernels._order_margin(a, b, 0.0, np.ones(12)) <= 0


def test_the_run_refuses_a_schedule_that_breaks_the_order():
    """Constant steps 1.5 on the strongly convex construction overshoot (1 - mu eta < 0):
    GD alternates between the first pieces and the run refuses the O(1) recursion."""
    inst = instances.make_worst_case_sc(0, 1.0)
    visited, _, _, _ = reference.worst_case_path(inst, 40, "constant", 1.5)
    assert not np.array_equal(visited, np.arange(1, 41))
    with pytest.raises(ParameterError, match="does not visit the pieces in order"):
        methods._worst_case(inst, np.arange(1, 41), "constant", 1.5)


def test_li_chao_envelope_matches_brute_force():
    rng = np.random.default_rng(1)
    xs = np.sort(rng.uniform(-5, 5, 64))
    alpha, beta = np.zeros(260), np.zeros(260)
    has = np.zeros(260, dtype=np.bool_)
    lines = []
    for _ in range(40):
        line = rng.standard_normal(2)
        lines.append(line)
        kernels._chao_insert(alpha, beta, has, xs, line[0], line[1])
        for p in rng.integers(0, xs.size, 5):
            want = max(a0 + b0 * xs[p] for a0, b0 in lines)
            assert kernels._chao_query(alpha, beta, has, xs, p) == pytest.approx(want, abs=1e-14)


# -- reference solutions and the noise law --------------------------------------------------
@pytest.mark.parametrize(("make", "params"), [
    (instances.make_l1_ridge, {"lam": 0.1}),
    (instances.make_l1_ridge, {"lam": 0.02, "noise": 0.5}),
    (instances.make_l1, {"noise": 0.5}),
    (instances.make_hinge, {}),
    (instances.make_hinge_ridge, {"lam": 0.01}),
])
def test_reference_minimisers_are_certified(make, params):
    inst = make(2, **params)
    assert inst.constants["reference_accuracy"] < 1e-12
    assert instances.objective(inst.A, inst.b, inst.lo, inst.lam, inst.w_star) == \
        pytest.approx(inst.f_star, abs=1e-14)
    rng = np.random.default_rng(0)
    for scale in (1e-6, 1e-3):
        moved = inst.w_star + scale * rng.standard_normal((300, inst.w_star.size))
        values = [instances.objective(inst.A, inst.b, inst.lo, inst.lam, w) for w in moved]
        assert min(values) >= inst.f_star - 1e-13


def test_noiseless_l1_regression_is_exact():
    inst = instances.make_l1(4)
    assert inst.f_star == 0.0 and inst.floors["f_gap"] < 1e-12
    assert instances.objective(inst.A, inst.b, -1.0, 0.0, inst.w_star) < 1e-15


def test_two_point_law_has_mean_zero_variance_sigma2_and_the_biased_fixed_point():
    for sigma, c in ((1.0, 0.6), (1.0, 2.0), (0.3, 16.0), (2.0, 1.5)):  # sigma < 2c
        A, B, p = instances.two_point_law(sigma, c)
        assert p * A - (1 - p) * B == pytest.approx(0.0, abs=1e-15)
        assert p * A**2 + (1 - p) * B**2 == pytest.approx(sigma**2, rel=1e-14)
        x = sigma**2 / (4 * c)
        mean = [p * np.clip(z + A, -c, c) + (1 - p) * np.clip(z - B, -c, c)
                for z in (x - 1e-3, x, x + 1e-3)]
        assert mean[1] == pytest.approx(0.0, abs=1e-15)
        assert mean[0] < 0 < mean[2]  # the clipped mean field crosses zero there


def test_clipped_sgd_settles_at_the_bias_floor_and_plain_sgd_does_not():
    P = get_problem("nonsmooth.quadratic")
    grid = checkpoints(200000)
    inst = P.make(0, sigma=1.0, law=2)
    clipped = np.mean([P.algorithms["clipped_sgd_mu_t"].run(inst, grid, s, c=2.0)
                       ["grad_norm"][-1] for s in range(8)])
    assert clipped == pytest.approx(0.125, rel=0.02)
    plain = np.mean([P.algorithms["clipped_sgd_mu_t"].run(inst, grid, s, c=0.0)
                     ["grad_norm"][-1] for s in range(8)])
    assert plain < 0.02  # unclipped SGD converges to the optimum on the same law


def test_suffix_average_is_the_mean_of_the_second_half():
    P = get_problem("nonsmooth.l1_ridge")
    inst = P.make(0, n=30, d=3)
    grid = np.array([1, 2, 3, 10, 11, 64])
    got = P.algorithms["sgd_mu_t"].run(inst, grid, 1)
    want = reference.sgd_mu_t(inst, grid, 1)
    np.testing.assert_allclose(got["f_gap_suffix"], want["f_gap_suffix"], rtol=1e-12)
    np.testing.assert_allclose(got["f_gap_avg"], want["f_gap_avg"], rtol=1e-12)


def test_impossible_parameters_are_refused():
    with pytest.raises(ParameterError):
        get_problem("nonsmooth.l1").make(0, n=3, d=5)
    with pytest.raises(ParameterError):
        instances.make_quadratic(0, law=7)
    with pytest.raises(ParameterError):  # 1/(mu t) on a problem that is not strongly convex
        methods.run_sgd_mu_t(instances.make_l1(0), GRID, 0)


# -- the seed claims' wrong versions ---------------------------------------------------------
def test_wrong_seed_claims_are_mismatches_in_the_right_direction(verify_json):
    status, results = verify_json("--claims", str(WRONG))
    assert status == 1
    expected = {
        "wrong-harvey-no-log-factor": "slower",          # the log factor is there
        "wrong-linear-decay-keeps-log-factor": "faster",  # linear decay removes it
        "wrong-clipped-sgd-converges": "slower",          # it stalls at sigma^2/(4c)
        "wrong-normalized-batch-perceptron-linear-in-n": "faster",  # 2 iterations
        "wrong-lrgd-loss-falls-with-step": "slower",      # the loss rises with the step
        "wrong-clipping-floor-halved": "slower",          # the floor is twice as high
    }
    got = {k: (r["verdict"], r["direction"]) for k, r in results.items()}
    assert got == {k: ("mismatch", d) for k, d in expected.items()}
