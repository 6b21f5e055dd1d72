"""Logistic-regression kernels against their NumPy twins (``reference.py``), step by step, on
the same seed; the instances' reference quantities; the random-number convention."""

from __future__ import annotations

import numpy as np
import pytest
from workbench.problems.logistic import instances, kernels, reference

from workbench.catalogue import algorithm_rng, get_problem, kernel_seed
from workbench.engine.checkpoints import checkpoints

L2 = get_problem("logistic.l2")
SEP = get_problem("logistic.separable")
GRID = checkpoints(300)
# A few hundred steps of O(n d) sums: round-off is ~1e-13 relative; a wrong update is O(1).
TWIN_RTOL = 1e-9


def test_reference_solution_is_a_minimiser():
    inst = L2.make(0, n=60, d=6, lam=1e-2)
    m = instances.margins(inst.X, inst.y, inst.w_star)
    assert np.linalg.norm(instances.gradient_from_margins(inst.X, inst.y, inst.lam,
                                                          inst.w_star, m)) < 1e-13
    assert inst.constants["reference_grad_norm"] < 1e-13


def test_gd_matches_numpy_twin():
    inst = L2.make(1, n=60, d=6, lam=1e-2)
    got = L2.algorithms["gd"].run(inst, GRID, 1, step_scale=1.0)
    want = reference.gd(inst, GRID, 1, step_scale=1.0)
    assert set(got) == set(want)
    np.testing.assert_allclose(got["f_gap"], want["f_gap"], rtol=TWIN_RTOL, atol=1e-15)
    # Near w* the difference is round-off in w (~1e-15) times the distance: absolute.
    np.testing.assert_allclose(got["dist_sq"], want["dist_sq"], rtol=TWIN_RTOL, atol=1e-20)
    np.testing.assert_allclose(got["grad_norm_sq"], want["grad_norm_sq"], rtol=TWIN_RTOL,
                               atol=1e-24)
    np.testing.assert_array_equal(got["calls"], GRID)
    assert got["dist_sq"][-1] < 1e-6 * got["dist_sq"][0]  # it converged, so the test bites


def test_gd_on_separable_data_matches_numpy_twin():
    inst = SEP.make(2, n=40, d=5, gamma=0.1)
    got = SEP.algorithms["gd"].run(inst, GRID, 2, step_scale=1.0)
    want = reference.gd(inst, GRID, 2, step_scale=1.0)
    assert set(got) == {"loss", "grad_norm_sq", "train_error", "calls"} == set(want)
    np.testing.assert_allclose(got["loss"], want["loss"], rtol=TWIN_RTOL)
    np.testing.assert_array_equal(got["train_error"], want["train_error"])


def test_sgd_matches_numpy_twin_with_the_same_index_sequence():
    inst = L2.make(2, n=40, d=5, lam=1e-2)
    got = L2.algorithms["sgd"].run(inst, GRID, 7, c=1.0, shift=1.0)
    want = reference.sgd(inst, GRID, 7, c=1.0, shift=1.0)
    for key in ("dist_sq", "f_gap", "grad_norm_sq"):
        np.testing.assert_allclose(got[key], want[key], rtol=TWIN_RTOL)
    np.testing.assert_array_equal(got["train_error"], want["train_error"])
    # Another seed draws other indices: the twin's agreement is not an accident of the data.
    other = reference.sgd(inst, GRID, 8, c=1.0, shift=1.0)
    assert not np.allclose(other["dist_sq"], got["dist_sq"], rtol=1e-3)


def test_perceptron_matches_numpy_twin():
    inst = SEP.make(3, n=50, d=5, gamma=0.1)
    grid = checkpoints(2000)
    got = SEP.algorithms["perceptron"].run(inst, grid, 5)
    want = reference.perceptron(inst, grid, 5)
    np.testing.assert_array_equal(got["train_error"], want["train_error"])
    np.testing.assert_array_equal(got["calls"], want["calls"])
    assert got["train_error"][-1] == 0 and got["calls"][-1] <= 1 / 0.1**2  # Novikoff


def test_sampling_kernels_are_seeded_by_the_convention():
    """The wrapper seeds its kernel with ``kernel_seed(algorithm_rng(seed))``, not ``seed``."""
    inst = L2.make(4, n=30, d=4, lam=1e-2)
    grid = checkpoints(200)
    got = L2.algorithms["sgd"].run(inst, grid, 3)
    for kseed, same in ((kernel_seed(algorithm_rng(3)), True), (np.int64(3), False)):
        out = np.full((grid.size, kernels.N_COLUMNS), np.nan)
        kernels._sgd_kernel(inst.X, inst.y, inst.lam, inst.constants["mu"],
                            inst.constants["L_max"] / inst.constants["mu"], 1.0,
                            np.zeros(4), inst.w_star, inst.f_star, kseed, grid, out)
        assert np.array_equal(out[:, kernels.DIST_SQ], got["dist_sq"]) == same


def test_separable_instance_has_the_stated_margin_and_radius():
    inst = SEP.make(4, n=80, d=8, gamma=0.05)
    margins = inst.y * (inst.X @ inst.w_star)
    assert margins.min() == pytest.approx(0.05)
    np.testing.assert_allclose(np.linalg.norm(inst.X, axis=1), 1.0)
