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


# -- Tyurin (2024): LR+GD with the raw step, the batch perceptrons, Normalized LR+GD -------
IMB = get_problem("logistic.imbalanced")
TYURIN = ("lr_gd", "batch_perceptron", "normalized_batch_perceptron", "normalized_lr_gd")


@pytest.mark.parametrize("name", TYURIN)
@pytest.mark.parametrize("step", [0.5, 1e3])
def test_tyurin_kernels_match_numpy_twins(name, step):
    # Large steps make the iteration chaotic (margins change sign from step to step): the
    # round-off of a different summation order grows by orders of magnitude per step (1e-8
    # relative by t = 19, a flipped sign near t = 44 with step 1e3), so large-step runs are
    # compared over their first 12 iterations.
    grid = GRID if step < 1 else np.arange(1, 13)
    inst = SEP.make(2, n=40, d=5, gamma=0.02, spread=0.3)
    got = SEP.algorithms[name].run(inst, grid, 0, step=step)
    want = SEP.algorithms[name].twin(inst, grid, 0, step=step)
    assert set(got) == set(want) == {"loss", "grad_norm_sq", "train_error", "calls",
                                     "separated"}
    np.testing.assert_array_equal(got["train_error"], want["train_error"])
    np.testing.assert_allclose(got["loss"], want["loss"], rtol=TWIN_RTOL, atol=1e-300)
    np.testing.assert_allclose(got["grad_norm_sq"], want["grad_norm_sq"], rtol=TWIN_RTOL,
                               atol=1e-300)
    assert got["separated"] == want["separated"]
    assert got["train_error"][0] > 0  # the test bites: it starts misclassifying


def test_imbalanced_set_is_theorem_5_1():
    inst = IMB.make(0, n=7)
    np.testing.assert_array_equal(inst.y * inst.X.T, np.array([[0.5] * 7, [-1.0] + [1.0] * 6]))
    assert inst.constants["gamma"] == 0.5 and inst.constants["R"] == pytest.approx(1.25**0.5)
    jittered = IMB.make(3, n=50, jitter=0.3)
    assert np.min(jittered.y * (jittered.X @ jittered.w_star)) == jittered.constants["gamma"] > 0


def _first_separation(algorithm, instance, horizon: int, **hyper) -> int:
    grid = np.arange(1, horizon + 1)
    out = algorithm.run(instance, grid, 0, **hyper)
    return int(grid[np.flatnonzero(out["train_error"] == 0)[0]])


def test_table_1_of_tyurin_is_reproduced_exactly():
    """Tyurin (2024), Table 1, "worst-case" data set of Theorem 5.1 (n = 1000): Normalized
    LR+GD needs 2, 2, 16, 157 iterations with steps 100, 10, 1, 0.1; LR+GD with step 100
    needs 308."""
    inst = IMB.make(0, n=1000)
    normalized = IMB.algorithms["normalized_lr_gd"]
    assert [_first_separation(normalized, inst, 400, step=s) for s in (100, 10, 1, 0.1)] == \
        [2, 2, 16, 157]
    assert _first_separation(IMB.algorithms["lr_gd"], inst, 400, step=100) == 308


def test_batch_perceptron_needs_order_n_and_respects_theorem_3_3():
    counts = {n: _first_separation(IMB.algorithms["batch_perceptron"], IMB.make(0, n=n), 2000)
              for n in (10, 100, 1000)}
    assert counts == {10: 4, 100: 31, 1000: 301}  # about 0.3 n: Omega(n) (Theorem 5.1)
    for n, count in counts.items():
        assert count <= n * 1.25 / 0.5**2  # n R^2 / mu^2 (Theorem 3.3)
    normalized = IMB.algorithms["normalized_batch_perceptron"]
    assert {_first_separation(normalized, IMB.make(0, n=n), 100) for n in (10, 1000)} == {2}


def test_large_step_lr_gd_tends_to_the_batch_perceptron():
    """Theorem 3.2: theta_t / gamma -> the batch perceptron's iterate, so the training errors
    agree step by step once gamma is large."""
    inst = SEP.make(5, n=100, d=10, gamma=0.02, spread=0.3)
    grid = np.arange(1, 31)
    gaps = []
    theta = np.zeros(10)
    out = np.full((grid.size, kernels.N_COLUMNS), np.nan)
    kernels._batch_perceptron_kernel(inst.X, inst.y, 1.0, False, theta, grid, out)
    for step in (1e2, 1e4, 1e6):
        w = np.zeros(10)
        gd_out = np.full((grid.size, kernels.N_COLUMNS), np.nan)
        kernels._gd_kernel(inst.X, inst.y, 0.0, step, w, inst.w_star, 0.0, grid, gd_out)
        gaps.append(np.linalg.norm(w / step - theta) / np.linalg.norm(theta))
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 1e-6
    big = SEP.algorithms["lr_gd"].run(inst, grid, 0, step=1e8)
    bp = SEP.algorithms["batch_perceptron"].run(inst, grid, 0, step=1e8)
    np.testing.assert_array_equal(big["train_error"], bp["train_error"])
    assert bp["train_error"][-1] == 0 and bp["train_error"][2] > 0


def test_loss_before_separation_grows_linearly_in_the_step():
    inst = SEP.make(0, n=100, d=10, gamma=0.02, spread=0.3)
    grid = np.array([1, 2])
    losses = [SEP.algorithms["lr_gd"].run(inst, grid, 0, step=s)["loss"][-1]
              for s in (1e5, 1e6, 1e7)]
    np.testing.assert_allclose(np.diff(np.log10(losses)), 1.0, atol=0.01)


def test_normalized_lr_gd_stays_finite_after_separation():
    inst = SEP.make(1, n=60, d=6, gamma=0.05, spread=0.3)
    out = SEP.algorithms["normalized_lr_gd"].run(inst, checkpoints(2000), 0, step=1e6)
    assert np.all(np.isfinite(out["loss"])) and out["train_error"][-1] == 0
    assert out["separated"] == 1.0


def test_clipped_gd_matches_twin_and_is_gd_when_c_is_large():
    inst = L2.make(1, n=60, d=6, lam=1e-2)
    for c in (1e-3, 1e-2):
        got = L2.algorithms["clipped_gd"].run(inst, GRID, 0, c=c)
        want = reference.clipped_gd(inst, GRID, 0, c=c)
        # near w* the differences are round-off, absolute (as in the GD twin test)
        for key, atol in (("f_gap", 1e-15), ("dist_sq", 1e-20), ("grad_norm_sq", 1e-24)):
            np.testing.assert_allclose(got[key], want[key], rtol=TWIN_RTOL, atol=atol)
    gd = L2.algorithms["gd"].run(inst, GRID, 0)
    unclipped = L2.algorithms["clipped_gd"].run(inst, GRID, 0, c=1e6)
    # two kernels: the same iterates up to round-off (not bit for bit: LLVM may contract them
    # differently), absolute near w* as above
    np.testing.assert_allclose(gd["dist_sq"], unclipped["dist_sq"], rtol=TWIN_RTOL, atol=1e-20)
    # clipped: the first step has length exactly step * c
    first = L2.algorithms["clipped_gd"].run(inst, np.array([1]), 0, c=1e-3)
    step = 1.0 / inst.constants["L"]
    assert first["dist_sq"][0] != gd["dist_sq"][0]
    w = np.zeros(6)
    out = np.full((1, kernels.N_COLUMNS), np.nan)
    kernels._clipped_gd_kernel(inst.X, inst.y, inst.lam, step, 1e-3, w, inst.w_star,
                               inst.f_star, np.array([1]), out)
    assert np.linalg.norm(w) == pytest.approx(step * 1e-3, rel=1e-12)


def test_reference_optimum_is_polished_to_round_off_on_every_cards_setting():
    """Every ``logistic.l2`` instance a built-in card builds (quick and full, every sweep
    point, every seed) has its reference minimiser at a gradient norm near round-off, so the
    ``dist_sq`` and ``f_gap`` floors are round-off, not the reference's own error (a strict
    loss-decrease line search once left 9e-11)."""
    from workbench.cards.claims import load_claims
    from workbench.engine.plan import plan

    claims = [c for c in load_claims(None) if c.problem == "logistic.l2"]
    settings = {(t.seed, tuple(sorted(t.problem_params.items())))
                for quick in (True, False)
                for t in plan([c.settings(quick) for c in claims])}
    assert len(settings) >= 6
    for seed, params in sorted(settings):
        inst = L2.make(seed, **dict(params))
        scale = np.sqrt(inst.X.shape[0]) * np.finfo(float).eps  # round-off of an n-term mean
        assert inst.constants["reference_grad_norm"] < 100 * scale, (seed, params)
