"""Logistic-regression kernels against plain NumPy twins, step by step, and reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.catalogue import get_problem
from workbench.engine.checkpoints import checkpoints

L2 = get_problem("logistic.l2")
SEP = get_problem("logistic.separable")
GRID = checkpoints(300)


def _grad(X, y, lam, w):
    s = 0.5 * (1 - np.tanh(0.5 * y * (X @ w)))
    return X.T @ (-y * s) / X.shape[0] + lam * w


def _loss(X, y, lam, w):
    return np.mean(np.logaddexp(0, -y * (X @ w))) + 0.5 * lam * w @ w


def test_reference_solution_is_a_minimiser():
    inst = L2.make(0, n=60, d=6, lam=1e-2)
    assert np.linalg.norm(_grad(inst.X, inst.y, inst.lam, inst.w_star)) < 1e-13
    assert inst.constants["reference_grad_norm"] < 1e-13


def test_gd_matches_numpy():
    inst = L2.make(1, n=60, d=6, lam=1e-2)
    out = L2.algorithms["gd"].run(inst, GRID, 1, step_scale=1.0)
    w = np.zeros(6)
    step = 1 / inst.constants["L"]
    expected = {}
    for t in range(GRID[-1] + 1):
        expected[t] = (_loss(inst.X, inst.y, inst.lam, w) - inst.f_star,
                       np.sum((w - inst.w_star) ** 2))
        w = w - step * _grad(inst.X, inst.y, inst.lam, w)
    twin = np.array([expected[t] for t in GRID])
    np.testing.assert_allclose(out["f_gap"], twin[:, 0], rtol=1e-9, atol=1e-15)
    # Near w* the difference is round-off in w (~1e-15) times the distance: absolute.
    np.testing.assert_allclose(out["dist_sq"], twin[:, 1], rtol=1e-9, atol=1e-20)


def test_sgd_matches_numpy_with_the_same_index_sequence():
    # Numba's np.random follows NumPy's legacy Mersenne Twister, so RandomState(seed)
    # replays the kernel's sample indices.
    inst = L2.make(2, n=40, d=5, lam=1e-2)
    out = L2.algorithms["sgd"].run(inst, GRID, 7, c=1.0, shift=1.0)
    rng = np.random.RandomState(7)
    mu, shift = inst.constants["mu"], inst.constants["L_max"] / inst.constants["mu"]
    w = np.zeros(5)
    dist = {}
    for t in range(GRID[-1] + 1):
        dist[t] = np.sum((w - inst.w_star) ** 2)
        i = rng.randint(inst.X.shape[0])
        x, y = inst.X[i], inst.y[i]
        g = -y * 0.5 * (1 - np.tanh(0.5 * y * (x @ w))) * x + inst.lam * w
        w = w - g / (mu * (t + shift))
    np.testing.assert_allclose(out["dist_sq"], [dist[t] for t in GRID], rtol=1e-9)


def test_perceptron_matches_numpy():
    inst = SEP.make(3, n=50, d=5, gamma=0.1)
    grid = checkpoints(2000)
    out = SEP.algorithms["perceptron"].run(inst, grid, 5)
    rng = np.random.RandomState(5)
    order = np.arange(50)
    w, mistakes, record = np.zeros(5), 0, {}
    for t in range(grid[-1] + 1):
        record[t] = (np.mean(inst.y * (inst.X @ w) <= 0), mistakes)
        if t % 50 == 0:
            rng.shuffle(order)
        i = order[t % 50]
        if inst.y[i] * (inst.X[i] @ w) <= 0:
            mistakes += 1
            w = w + inst.y[i] * inst.X[i]
    twin = np.array([record[t] for t in grid])
    np.testing.assert_array_equal(out["train_error"], twin[:, 0])
    np.testing.assert_array_equal(out["calls"], twin[:, 1])
    assert out["train_error"][-1] == 0 and out["calls"][-1] <= 1 / 0.1**2  # Novikoff


def test_separable_instance_has_the_stated_margin_and_radius():
    inst = SEP.make(4, n=80, d=8, gamma=0.05)
    margins = inst.y * (inst.X @ inst.w_star)
    assert margins.min() == pytest.approx(0.05)
    np.testing.assert_allclose(np.linalg.norm(inst.X, axis=1), 1.0)


@pytest.mark.parametrize(("problem", "algorithm", "measure"),
                         [(L2, "sgd", "dist_sq"), (SEP, "perceptron", "train_error"),
                          (L2, "gd", "f_gap")])
def test_same_seed_same_bits(problem, algorithm, measure):
    runs = [problem.algorithms[algorithm].run(problem.make(s, n=40, d=5), GRID, s)
            for s in (11, 11, 12)]
    np.testing.assert_array_equal(runs[0][measure], runs[1][measure])
    assert not np.array_equal(runs[0][measure], runs[2][measure])
