"""The shared operator layer (``problems/operators``): every kernel against its NumPy twin step
by step, oracle-call accounting, the resolvent, the constants' formulas, the measures, and
the API other families register with.

References for the methods are in ``problems/operators/methods.py``.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from workbench.problems import operators as ops
from workbench.problems.monotone import instances
from workbench.problems.operators import finite_sum, kernels

from workbench.catalogue import ParameterError, algorithm_rng, kernel_seed
from workbench.engine.checkpoints import checkpoints

GRID = checkpoints(300, per_decade=10)
# A few hundred steps of O(d^2) sums: round-off ~1e-14 relative; a wrong update is O(1).
TWIN_RTOL = 1e-9
# Values that converged to ~1e-20 of their start carry only round-off: compare absolutely.
TWIN_ATOL = 1e-20

SMALL = {
    "comonotone": lambda: instances.make_comonotone(1, blocks=4, rho=0.05, s_min=0.1),
    "skew": lambda: instances.make_comonotone(1, blocks=4, rho=0.0, s_min=0.1),
    "cocoercive": lambda: instances.make_cocoercive(1, blocks=4),
    "strongly": lambda: instances.make_strongly_monotone(1, blocks=3),
    "box": lambda: instances.make_bilinear_box(1, m=4),
    "finite_sum": lambda: instances.make_finite_sum(1, n=16, blocks=3),
    "finite_sum_skew": lambda: instances.make_finite_sum_skew(1, n=8, blocks=3),
}
CASES = [
    ("gda", "strongly", {"step_scale": 0.2}),
    ("gda", "box", {"step_scale": 0.2}),
    ("gda", "finite_sum", {"step_scale": 0.5}),
    ("extragradient", "comonotone", {"step_scale": 0.45}),
    ("extragradient", "box", {"step_scale": 0.5}),
    ("optimistic", "comonotone", {"step_scale": 0.3}),
    ("optimistic", "box", {"step_scale": 0.3}),
    ("proximal_point", "comonotone", {"step_scale": 0.5}),
    ("halpern", "cocoercive", {"step_scale": 1.0}),
    ("halpern", "finite_sum", {"step_scale": 1.0}),
    ("halpern_resolvent", "skew", {"step_scale": 1.0}),
    ("flow_rk4", "strongly", {"step_scale": 0.1}),
    ("vr_halpern", "finite_sum", {}),
    ("vr_halpern_resolvent", "finite_sum_skew", {}),
]


@pytest.mark.parametrize(("method", "instance", "hyper"), CASES,
                         ids=[f"{m}-{i}" for m, i, _ in CASES])
def test_kernel_matches_numpy_twin(method, instance, hyper):
    op = SMALL[instance]()
    got = ops.METHODS[method].run(op, GRID, 3, **hyper)
    want = ops.METHODS[method].twin(op, GRID, 3, **hyper)
    assert set(got) == set(want) == set(ops.measure_names(
        op, ops.METHODS[method].halpern)) | {"calls"}
    for key in got:
        scale = abs(want[key][0]) if np.isfinite(want[key][0]) else 1.0
        np.testing.assert_allclose(got[key], want[key], rtol=TWIN_RTOL,
                                   atol=TWIN_ATOL * scale, err_msg=f"{method} {key}")
    # The run moved (converged, or grew for GDA on a non-strongly-monotone operator), so an
    # update that does nothing could not pass.
    assert abs(np.log(got["dist_sq"][-1] / got["dist_sq"][0])) > 0.1


def test_sampling_twin_depends_on_the_kernel_seed():
    """The VR kernels follow ``kernel_seed(algorithm_rng(seed))``: another seed draws other
    samples, so the twins' agreement is not an accident of the data."""
    op = SMALL["finite_sum"]()
    grid = checkpoints(500)
    same = ops.run_vr_halpern(op, grid, 3)
    again = ops.run_vr_halpern(op, grid, 3)
    other = ops.run_vr_halpern(op, grid, 4)
    assert same["residual"].tobytes() == again["residual"].tobytes()
    assert not np.allclose(same["residual"], other["residual"], rtol=1e-6)
    out = np.full((grid.size, finite_sum.N_COLUMNS), np.nan)
    par = ops.methods.vr_halpern_parameters(op)
    finite_sum._vr_halpern_kernel(op.components, op.M, op.q, op.z_star, par["eta"],
                                  par["batch"], par["p_floor"], op.z0.copy(),
                                  kernel_seed(algorithm_rng(3)), grid, out)
    np.testing.assert_array_equal(out[:, finite_sum.RES_SQ], same["residual_sq"])


@pytest.mark.parametrize(("method", "per_step", "at_start"), [
    ("gda", 1, 0), ("extragradient", 2, 0), ("optimistic", 1, 1), ("proximal_point", 1, 0),
    ("halpern_resolvent", 1, 0), ("flow_rk4", 4, 0)])
def test_calls_count_operator_evaluations(method, per_step, at_start):
    op = SMALL["skew"]()
    grid = np.array([0, 1, 5, 17, 100])
    out = ops.METHODS[method].run(op, grid, 0)
    np.testing.assert_array_equal(out["calls"], at_start + per_step * grid)


def test_calls_on_a_finite_sum_count_component_evaluations():
    op = SMALL["finite_sum"]()  # n = 16
    grid = np.array([1, 10, 100])
    np.testing.assert_array_equal(ops.run_extragradient(op, grid, 0)["calls"], 2 * 16 * grid)
    np.testing.assert_array_equal(ops.run_halpern(op, grid, 0)["calls"], 16 * grid)
    vr = ops.run_vr_halpern(op, checkpoints(2000), 0)["calls"]
    # A full pass (16) at the start, then per step either a full pass or 2 b = 8 calls.
    assert vr[0] >= 16 and np.all(np.diff(vr) >= 0)
    steps = np.diff(np.concatenate([[0], checkpoints(2000)]))
    assert vr[-1] < 16 + 16 * steps.sum()  # cheaper than a full pass every step


def test_resolvent_is_exact():
    op = SMALL["comonotone"]()
    gamma = 0.7
    A, b = ops.resolvent(op, gamma)
    z = np.random.default_rng(0).standard_normal(op.d)
    u = A @ z + b
    np.testing.assert_allclose(u + gamma * op(u), z, rtol=0, atol=1e-13)


def test_halpern_meets_the_tight_bound_at_every_checkpoint():
    """Lieder (2021): ||x_k - T x_k|| <= 2 ||x_0 - x*|| / (k + 1); on the orthogonal T of the
    cocoercive instance (beta L = 1) the bound is nearly attained."""
    op = instances.make_cocoercive(2, blocks=20, s_min=1e-2)
    grid = checkpoints(100000)
    out = ops.run_halpern(op, grid, 0)
    ratio = out["fixed_point_residual"] / (2 * op.constants["R0"] / (grid + 1))
    assert np.all(ratio <= 1.0)
    assert ratio[-1] > 0.7  # measured 0.76 at k = 1e5: tight within a factor 1.4
    T = np.eye(op.d) - 2 / op.constants["L"] * op.M
    np.testing.assert_allclose(T.T @ T, np.eye(op.d), atol=1e-12)  # T is orthogonal


def test_divergence_is_recorded_as_inf_and_stops():
    op = instances.make_bilinear(0, m=3, s_min=0.5)
    grid = checkpoints(100000)
    out = ops.run_gda(op, grid, 0, step_scale=3.0)  # |1 - 3i| = sqrt(10) per step
    blown = ~np.isfinite(out["residual_sq"])
    assert blown.any() and np.all(blown[np.argmax(blown):])
    assert np.all(np.isfinite(out["residual_sq"][:5]))


def test_measures_vanish_at_the_solution():
    op = SMALL["box"]()
    at_star = ops.AffineOperator(op.M, op.q, op.z_star, op.z_star.copy(), op.constants,
                                 op.floors, op.lo, op.hi)
    out = ops.run_extragradient(at_star, np.array([0, 10]), 0)
    assert np.all(out["natural_residual"] < 1e-14) and np.all(out["dist_sq"] < 1e-28)
    assert np.linalg.norm(op(op.z_star)) > 0.1  # F(z*) is not zero on the box


def test_residual_is_the_root_of_residual_sq():
    out = ops.run_extragradient(SMALL["skew"](), GRID, 0)
    np.testing.assert_allclose(out["residual"] ** 2, out["residual_sq"], rtol=1e-14)


def test_instances_may_carry_the_operator():
    """Another family's instance works if it carries an AffineOperator as ``.operator``."""
    op = SMALL["skew"]()
    wrapped = SimpleNamespace(operator=op, constants=op.constants, floors=op.floors)
    a = ops.run_extragradient(op, GRID, 0)
    b = ops.run_extragradient(wrapped, GRID, 0)
    assert all(a[k].tobytes() == b[k].tobytes() for k in a)
    with pytest.raises(TypeError, match="AffineOperator"):
        ops.run_extragradient(SimpleNamespace(M=op.M), GRID, 0)


def test_runs_leave_the_instance_untouched():
    op = SMALL["box"]()
    z0 = op.z0.copy()
    ops.run_optimistic(op, GRID, 0)
    np.testing.assert_array_equal(op.z0, z0)


def test_impossible_runs_are_parameter_errors():
    with pytest.raises(ParameterError, match="cocoercive"):
        ops.run_halpern(SMALL["skew"](), GRID, 0)
    with pytest.raises(ParameterError, match="unconstrained"):
        ops.run_proximal_point(SMALL["box"](), GRID, 0)
    with pytest.raises(ParameterError, match="finite-sum"):
        ops.run_vr_halpern(SMALL["skew"](), GRID, 0)
    with pytest.raises(ParameterError, match="L_coco"):
        ops.run_vr_halpern(SMALL["finite_sum_skew"](), GRID, 0)
    with pytest.raises(ParameterError, match="step_scale"):
        ops.run_extragradient(SMALL["skew"](), GRID, 0, step_scale=0.0)


# -- constants ------------------------------------------------------------------------------
def test_spectral_constants_of_a_rotation_block():
    s, c = 0.5, -0.3  # s R(theta), cos(theta) = c: <Bv, v> = s c |v|^2, |Bv| = s |v|
    B = instances.rotation_block(s, c)
    got = ops.spectral_constants(B)
    assert got["L"] == pytest.approx(s) and got["s_min"] == pytest.approx(s)
    assert got["mu"] == pytest.approx(s * c)
    assert got["rho"] == pytest.approx(-c / s)  # <Bv, v> = -rho |Bv|^2 with rho = -c/s
    assert got["beta"] == pytest.approx(c / s)


def test_rho_is_the_smallest_comonotonicity_constant():
    """rho = max_v -<Mv, v> / |Mv|^2, checked against a brute-force search."""
    rng = np.random.default_rng(5)
    M = rng.standard_normal((4, 4)) + 1.5 * np.eye(4) * 0.1
    rho = ops.spectral_constants(M)["rho"]
    v = rng.standard_normal((4, 200000))
    Mv = M @ v
    sampled = np.max(-np.sum(Mv * v, axis=0) / np.sum(Mv * Mv, axis=0))
    assert sampled <= rho + 1e-12 and sampled > rho - 1e-2 * abs(rho)


def test_finite_sum_constants_against_sampling():
    op = SMALL["finite_sum"]()
    c = op.constants
    rng = np.random.default_rng(1)
    v = rng.standard_normal((op.d, 20000))
    mean_sq = np.mean([np.sum((Mi @ v) ** 2, axis=0) for Mi in op.components], axis=0)
    inner = np.sum((op.M @ v) * v, axis=0)
    norms = np.sum(v * v, axis=0)
    assert np.max(mean_sq / inner) <= c["L_coco"] * (1 + 1e-9)
    assert np.max(np.sqrt(mean_sq / norms)) <= c["L_avg"] * (1 + 1e-12)
    assert c["L_max"] == pytest.approx(max(np.linalg.norm(Mi, 2) for Mi in op.components))
    assert c["n"] == 16


def test_algorithm_declarations_match_the_wrappers():
    for name, method in ops.METHODS.items():
        algorithm = ops.algorithm(name)
        assert algorithm.measures == ops.UNCONSTRAINED_MEASURES + (
            ops.HALPERN_MEASURES if method.halpern else ())
        assert set(algorithm.counters) == {"calls"}
        assert ops.algorithm(name, constrained=True).measures[0] == "natural_residual"


def test_kernel_columns_agree_between_modules():
    assert (kernels.RES_SQ, kernels.DIST_SQ, kernels.NATURAL_SQ, kernels.FIXED_POINT,
            kernels.CALLS, kernels.N_COLUMNS) == (
        finite_sum.RES_SQ, finite_sum.DIST_SQ, finite_sum.NATURAL_SQ, finite_sum.FIXED_POINT,
        finite_sum.CALLS, finite_sum.N_COLUMNS)
