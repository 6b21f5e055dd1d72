"""bilevel family: exact hypergradients, closed-form penalty gaps, NumPy twins of the kernels,
oracle counters, reproducibility, the family contract, and verdicts of the seed cards (quick)
and of deliberately wrong claims and ablations.

References: Grazzi et al. 2020 (arXiv 2006.16218), Kwon et al. 2023 (arXiv 2301.10945),
Kwon et al. 2023b (arXiv 2309.01753), Hao, Gong, Liu 2024 (arXiv 2401.09587); see
``problems/bilevel/__init__.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from workbench.problems import bilevel
from workbench.problems.bilevel import instances as inst_mod
from workbench.problems.bilevel import methods, reference

from workbench.catalogue import ParameterError, check_run, get_problem
from workbench.engine.checkpoints import checkpoints
from workbench.pytest_plugin import assert_rate

WRONG = Path(__file__).parent / "cards" / "wrong_bilevel.toml"
TWIN_RTOL = 1e-9  # a few thousand O(d^2) steps in another summation order: round-off only
GRID = checkpoints(300, per_decade=10)


def assert_twins(got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> None:
    assert set(got) == set(want)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=TWIN_RTOL,
                                   atol=1e-13 * max(1.0, float(np.max(np.abs(want[key])))),
                                   err_msg=key)


def _fd_gradient(function, x: np.ndarray, h: float = 1e-5,
                 coords: range | None = None) -> np.ndarray:
    coords = coords if coords is not None else range(x.size)
    out = []
    for i in coords:
        e = np.zeros_like(x)
        e[i] = h
        out.append((function(x + e) - function(x - e)) / (2 * h))
    return np.array(out)


# -- exact hypergradients -------------------------------------------------------------------
@pytest.mark.parametrize("make", [inst_mod.make_quadratic, inst_mod.make_quartic])
def test_closed_form_hypergradient_matches_finite_differences_of_f(make):
    inst = make(3, dx=6, dy=4)
    rng = np.random.default_rng(0)
    for x in (inst.x0, rng.standard_normal(6)):
        exact = inst_mod.hypergradient(inst, x)
        fd = _fd_gradient(lambda z: inst_mod.hyper_objective(inst, z), x)
        np.testing.assert_allclose(fd, exact, rtol=1e-7, atol=1e-8)
        assert np.linalg.norm(exact) > 0.1  # not a stationary point: the test has teeth
        # y* minimises g(x, .) and F = f(x, y*(x)):
        y = inst_mod.y_star(inst, x)
        np.testing.assert_allclose(inst.H @ y - inst.B @ x, 0, atol=1e-12)
        hess = inst_mod.hyper_hessian(inst, x)
        fd_hess = np.array([_fd_gradient(lambda z, i=i: inst_mod.hypergradient(inst, z)[i], x)
                            for i in range(6)])
        np.testing.assert_allclose(fd_hess, hess, atol=1e-6)


def test_quadratic_instance_is_nonconvex_with_the_declared_spectrum():
    inst = inst_mod.make_quadratic(0, kappa=10, mu=0.5)
    np.testing.assert_allclose(np.linalg.eigvalsh(inst.H)[[0, -1]], [0.5, 5.0], rtol=1e-12)
    assert np.linalg.eigvalsh(inst.H)[1] >= 2 * 0.5 - 1e-12  # mu isolated (gap = 2)
    # Hess F = -diag(cos x) + M^T M has a negative eigenvalue at x = 0: nonconvex.
    assert np.linalg.eigvalsh(inst_mod.hyper_hessian(inst, np.zeros(inst.dx)))[0] < -0.5
    assert inst.constants["rho"] == pytest.approx(0.9)


def test_hypercleaning_hypergradient_matches_finite_differences_of_f():
    inst = inst_mod.make_hypercleaning(1, n=60, m=50, d=8)
    exact = inst_mod.cleaning_hypergradient(inst, inst.x0)
    np.testing.assert_allclose(exact, inst.grad_true, rtol=1e-10, atol=1e-16)
    fd = _fd_gradient(lambda z: inst_mod.cleaning_objective(inst, z), inst.x0, h=1e-4,
                      coords=range(12))
    np.testing.assert_allclose(fd, exact[:12], rtol=1e-5, atol=1e-9)
    assert np.abs(exact[:12]).max() > 1e-4
    # w* is the lower-level minimiser to round-off, and corrupted examples are down-weighted
    # by the hypergradient's sign on average (gradient descent on x would lower their weight).
    assert np.linalg.norm(inst_mod.cleaning_lower_grad(inst, inst.x0, inst.w_star)) < 1e-13
    assert exact[inst.flipped].mean() > exact[~inst.flipped].mean()


# -- the penalty function: closed forms, O(sigma) closeness ---------------------------------
def _psi(inst, x, sigma):
    y = inst_mod.penalty_y(inst, x, sigma)
    ys = inst_mod.y_star(inst, x)
    return (inst_mod.upper_value(inst, x, y)
            + (inst_mod.lower_value(inst, x, y) - inst_mod.lower_value(inst, x, ys)) / sigma)


def test_penalty_closed_forms_match_direct_evaluation():
    inst = inst_mod.make_quadratic(2, dx=5, dy=4)
    x, sigma = inst.x0, 0.7  # large sigma: direct differences keep their digits
    y = inst_mod.penalty_y(inst, x, sigma)
    grad_y = (y - inst.b) + (inst.H @ y - inst.B @ x) / sigma  # y minimises the penalty
    np.testing.assert_allclose(grad_y, 0, atol=1e-12)
    np.testing.assert_allclose(inst_mod.penalty_y_offset(inst, x, sigma),
                               y - inst_mod.y_star(inst, x), rtol=1e-10)
    direct = _psi(inst, x, sigma) - inst_mod.hyper_objective(inst, x)
    assert inst_mod.penalty_value_gap(inst, x, sigma) == pytest.approx(direct, rel=1e-9)
    assert direct < 0  # psi_sigma <= F: the penalty relaxes the constraint y = y*(x)
    fd = _fd_gradient(lambda z: _psi(inst, z, sigma), x)
    np.testing.assert_allclose(inst_mod.penalty_gradient(inst, x, sigma), fd, rtol=1e-7,
                               atol=1e-8)
    np.testing.assert_allclose(inst_mod.penalty_grad_gap(inst, x, sigma),
                               fd - inst_mod.hypergradient(inst, x), rtol=1e-6, atol=1e-8)


def _slope(sigmas, gaps):
    return float(np.polyfit(np.log(sigmas), np.log(np.abs(gaps)), 1)[0])


def test_penalty_gaps_are_order_sigma_far_below_mu_and_not_near_it():
    """Kwon et al. 2023b: value, gradient and stationary-point gaps are O(sigma); slope 1.00
    for sigma << mu, about 0.5 for sigma near mu (mu = 1 here)."""
    inst = inst_mod.make_quadratic(4, dx=5, dy=5, kappa=4)
    x = inst.x0
    small = np.geomspace(1e-7, 1e-3, 9)
    near = np.geomspace(0.3, 3.0, 9)
    for gap in (lambda s: inst_mod.penalty_value_gap(inst, x, s),
                lambda s: np.linalg.norm(inst_mod.penalty_grad_gap(inst, x, s)),
                lambda s: inst_mod.penalty_stationary_gap(inst, s)):
        assert _slope(small, [gap(s) for s in small]) == pytest.approx(1.0, abs=2e-3)
        assert 0.3 < _slope(near, [gap(s) for s in near]) < 0.8
    # The same statement through the rate engine, with 1/sigma as the "horizon":
    inverse = np.geomspace(1e3, 1e7, 41)
    gaps = np.array([abs(inst_mod.penalty_value_gap(inst, x, 1 / t)) for t in inverse])
    assert_rate((inverse, gaps), "Theta(1/T)", fail_on_inconclusive=True)
    with pytest.raises(AssertionError, match="mismatch"):
        assert_rate((inverse, gaps), "O(1/T**2)")


def test_penalty_method_converges_to_an_order_sigma_stationary_point():
    inst = inst_mod.make_quadratic(5, dx=5, dy=5, kappa=4)
    sigmas = np.array([0.04, 0.02, 0.01, 0.005])
    grid = np.array([1, 10, 3000], dtype=np.int64)
    finals, value_gaps = [], []
    for sigma in sigmas:
        out = methods.run_penalty(inst, grid, 0, sigma=sigma)
        assert out["penalty_grad_norm"][-1] < 1e-10  # converged to psi_sigma's stationary point
        assert out["grad_F_norm"][-1] > 1e-5          # which is not F's
        # at psi_sigma's stationary point grad F = -(grad psi_sigma - grad F): the two agree
        assert out["grad_gap"][-1] == pytest.approx(out["grad_F_norm"][-1], rel=1e-8)
        finals.append(out["grad_F_norm"][-1])
        value_gaps.append(out["value_gap"][-1])
    assert _slope(sigmas, finals) == pytest.approx(1.0, abs=0.05)
    assert _slope(sigmas, value_gaps) == pytest.approx(1.0, abs=0.05)
    # and it is the closed-form gap at that point, found by gradient descent on the exact
    # psi_sigma (same step, same basin) polished by Newton's method:
    eta = 0.5 / inst.constants["L_F"]
    closed = []
    for sigma in sigmas:
        x = inst.x0.copy()
        for _ in range(3000):
            x -= eta * inst_mod.penalty_gradient(inst, x, sigma)
        closed.append(inst_mod.penalty_stationary_gap(inst, sigma, x_start=x))
    np.testing.assert_allclose(finals, closed, rtol=1e-6)


# -- AID and ITD: the contraction factor is exact on a quadratic lower level ----------------
@pytest.mark.parametrize("run", [methods.run_aid, methods.run_itd])
def test_aid_itd_error_factor_is_one_minus_mu_over_l(run):
    """The per-step factor of the hypergradient error tends to the slowest mode's factor.

    Read only where the error is at least ``margin`` (1e6) times the family's declared floor of
    ``hypergrad_err``: the round-off of each error is below that floor, so it moves a ratio of
    consecutive errors by at most ``2 / margin`` (2e-6), below ``rtol``. Nearer the floor the
    ratio is round-off, not the contraction (it read 0.8999988 at step 199 on AVX2 OpenBLAS
    kernels, 280 times the floor). The faster modes die like ``(rho_2/rho)^t``: the deviation
    from the factor falls monotonically over the window, at a stride of ten steps.
    """
    margin = 1e6
    inst = inst_mod.make_quadratic(0)
    kappa = inst.constants["kappa"]
    # step 1/L: factor 1 - mu/L; half the step: 1 - mu/(2L) (next mode 1 - mu/L), later K
    for step_scale, rho in ((1.0, inst.constants["rho"]), (0.5, 1 - 0.5 / kappa)):
        grid = np.arange(1, 601, dtype=np.int64)
        err = run(inst, grid, 0, step_scale=step_scale)["hypergrad_err"]
        above = int(np.argmin(err >= margin * inst.floors["hypergrad_err"]))
        assert above > 60, "the window above the floor is too short to read a factor"
        factors = err[1:above] / err[: above - 1]
        deviation = np.abs(factors / rho - 1)[20::10]
        assert np.all(np.diff(deviation) < 0), deviation
        np.testing.assert_allclose(factors[-10:], rho, rtol=1e-5)


def test_aid_hypercleaning_asymptotic_factor_is_the_local_contraction():
    inst = inst_mod.make_hypercleaning(0, n=120, m=80, d=10, lam=0.01)
    grid = np.arange(20, 37, dtype=np.int64)
    err = methods.run_aid(inst, grid, 0)["hypergrad_err"]
    # 1e5 times the declared floor: round-off moves each ratio by at most 2e-5, below the
    # smallest step of the creeping factor here (3e-5); later steps are nearer the floor
    assert err[-1] > 1e5 * inst.floors["hypergrad_err"]
    factors = err[1:] / err[:-1]
    # the clustered bottom of the spectrum: the factor creeps up to rho, never above it
    assert np.all(np.diff(factors) > 0)
    assert np.all(factors <= inst.constants["rho"])
    assert factors[-1] > inst.constants["rho"] * 0.99


# -- NumPy twins ---------------------------------------------------------------------------
def test_aid_itd_kernels_match_numpy_twins():
    quad = inst_mod.make_quadratic(1, dx=4, dy=6)
    clean = inst_mod.make_hypercleaning(1, n=40, m=30, d=6)
    assert_twins(methods.run_aid(quad, GRID, 0), reference.aid(quad, GRID, 0))
    assert_twins(methods.run_itd(quad, GRID, 0, step_scale=0.7),
                 reference.itd(quad, GRID, 0, step_scale=0.7))
    assert_twins(methods.run_aid(clean, GRID, 0), reference.aid(clean, GRID, 0))


@pytest.mark.parametrize(("sigma_f", "sigma_g"), [(0.0, 0.0), (0.3, 0.0), (0.3, 0.2)])
def test_f2sa_kernel_matches_numpy_twin(sigma_f, sigma_g):
    inst = inst_mod.make_quadratic(2, dx=4, dy=3, sigma_f=sigma_f, sigma_g=sigma_g)
    hyper = {"penalty_scale": 0.8, "k0": 3.0, "xi": 0.9}
    got = methods.run_f2sa(inst, GRID, 7, **hyper)
    want = reference.f2sa(inst, GRID, 7, **hyper)
    assert_twins(got, want)
    if not inst.noisy:
        assert got["grad_F_sq"][-1] < 0.5 * got["grad_F_sq"][0]  # it did move
    np.testing.assert_array_equal(got["upper_grads"], 2 * GRID)
    np.testing.assert_array_equal(got["lower_grads"], 4 * GRID)


def test_penalty_kernel_matches_numpy_twin():
    inst = inst_mod.make_quadratic(3, dx=4, dy=5)
    assert_twins(methods.run_penalty(inst, GRID, 0, sigma=0.05, inner=3),
                 reference.penalty(inst, GRID, 0, sigma=0.05, inner=3))


def test_borep_and_soba_kernels_match_numpy_twins():
    inst = inst_mod.make_quartic(4, dx=3, dy=4, x0_scale=1.5)
    hyper = {"eps": 2.0, "period_scale": 1.0}
    got = methods.run_borep(inst, GRID, 9, **hyper)
    assert_twins(got, reference.borep(inst, GRID, 9, **hyper))
    p = methods.borep_parameters(inst, 2.0)
    assert 1 < p.period < GRID[-1]  # periodic updates happen within the run
    updates = np.maximum(GRID - 1, 0) // p.period
    np.testing.assert_array_equal(got["lower_grads"], p.refine + p.inner * updates)
    assert_twins(methods.run_soba(inst, GRID, 9, eta_scale=0.3),
                 reference.soba(inst, GRID, 9, eta_scale=0.3))


# -- schedules, seeds, bad parameters ------------------------------------------------------
def test_f2sa_schedule_follows_the_noise_setting():
    settings = {(0.0, 0.0): (1 / 3, 0.0), (0.5, 0.0): (3 / 5, 2 / 5), (0.0, 0.5): (5 / 7, 4 / 7)}
    for (sf, sg), (a, c) in settings.items():
        sched = methods.f2sa_schedule(inst_mod.make_quadratic(0, sigma_f=sf, sigma_g=sg))
        assert (sched.a, sched.c) == pytest.approx((a, c))
        assert sched.p == pytest.approx(a - c)  # lambda_k = gamma_k / alpha_k ~ k^(a - c)
        assert 2 * (1 - a) == pytest.approx(2 * (1 - a))
    # The three rates K^-(1-a): 2/3, 2/5, 2/7, i.e. eps^-3/2, eps^-5/2, eps^-7/2 iterations.
    assert [1 - a for a, _ in methods.F2SA_EXPONENTS.values()] == pytest.approx(
        [2 / 3, 2 / 5, 2 / 7])
    forced = methods.f2sa_schedule(inst_mod.make_quadratic(0), schedule=2, penalty_scale=0.5)
    assert (forced.setting, forced.p) == (2, pytest.approx(1 / 14))


def test_borep_parameters_scale_with_eps_as_the_theorem_orders():
    inst = inst_mod.make_quartic(0)
    p1, p2 = (methods.borep_parameters(inst, e) for e in (1.0, 0.5))
    assert p1.eta / p2.eta == pytest.approx(8)                    # eta ~ eps^3
    assert (1 - p1.beta) / (1 - p2.beta) == pytest.approx(4)      # 1 - beta ~ eps^2
    assert p1.nu / p2.nu == pytest.approx(4)                      # steps ~ eps^2
    assert p2.period / p1.period == pytest.approx(4, rel=0.01)    # I ~ eps / eta
    assert 0 < 1 - p1.beta < 1 and p1.gamma < 1 / inst.constants["L"]


@pytest.mark.parametrize("algorithm", ["f2sa", "borep", "soba"])
def test_same_seed_same_bits(algorithm):
    grid = checkpoints(2000)
    runs = []
    for seed in (4, 4, 5):
        if algorithm == "f2sa":
            inst = inst_mod.make_quadratic(0, dx=4, dy=4, sigma_f=0.3, sigma_g=0.3)
            runs.append(methods.run_f2sa(inst, grid, seed)["grad_F_sq"])
        elif algorithm == "borep":
            inst = inst_mod.make_quartic(0, dx=3, dy=3)
            runs.append(methods.run_borep(inst, grid, seed, eps=2.0)["grad_norm"])
        else:
            inst = inst_mod.make_quartic(0, dx=3, dy=3, x0_scale=0.5)
            runs.append(methods.run_soba(inst, grid, seed, eta_scale=0.3)["grad_norm"])
    assert runs[0].tobytes() == runs[1].tobytes()
    assert not np.array_equal(runs[0], runs[2])


def test_soba_diverges_from_the_far_start_only():
    """The wrong-soba-far-start card blames the far start, not the step: the same step from
    a near start converges in every seed."""
    grid = checkpoints(20000)
    for seed in range(4):
        near = methods.run_soba(inst_mod.make_quartic(seed, x0_scale=0.5), grid, seed,
                                eta_scale=0.7)
        far = methods.run_soba(inst_mod.make_quartic(seed, x0_scale=3.0), grid, seed,
                               eta_scale=0.7)
        assert np.all(np.isfinite(near["grad_norm"])) and near["grad_norm_avg"][-1] < 2
        assert not np.isfinite(far["grad_norm"][-1])
        borep = methods.run_borep(inst_mod.make_quartic(seed, x0_scale=3.0), grid, seed,
                                  eps=2.0)
        assert np.all(np.isfinite(borep["grad_norm"]))
        assert borep["grad_norm"][-1] < 0.5 * borep["grad_norm"][0]


def test_bad_parameters_are_rejected():
    noisy = inst_mod.make_quadratic(0, sigma_f=0.1)
    for run in (methods.run_aid, methods.run_itd, methods.run_penalty):
        with pytest.raises(ParameterError, match="deterministic"):
            run(noisy, GRID, 0)
    with pytest.raises(ParameterError, match="kappa"):
        inst_mod.make_quadratic(0, kappa=1.5)
    with pytest.raises(ParameterError, match="corrupt"):
        inst_mod.make_hypercleaning(0, corrupt=0.6)
    with pytest.raises(ParameterError, match="schedule"):
        methods.f2sa_schedule(inst_mod.make_quadratic(0), schedule=3)


def test_every_bilevel_algorithm_keeps_the_family_contract():
    grid = checkpoints(50)
    for problem in bilevel.PROBLEMS:
        assert get_problem(problem.name) is not None
        instance = problem.make(0, **{k: p.default for k, p in problem.params.items()})
        problem.check_instance(instance)
        for algorithm in problem.algorithms.values():
            hyper = {k: p.default for k, p in algorithm.hyper.items()}
            output = check_run(problem, algorithm, algorithm.run(instance, grid, 0, **hyper),
                               grid.size)
            for counter in algorithm.counters:
                assert np.all(np.diff(output[counter]) >= 0), (problem.name, counter)


# -- verdicts -------------------------------------------------------------------------------
def test_seed_claims_quick_are_consistent(verify_json):
    status, results = verify_json("--quick", "--family", "bilevel")
    assert len(results) >= 10
    verdicts = {i: (r["verdict"], r["reason"]) for i, r in results.items()}
    assert status == 0 and all(v == "consistent" for v, _ in verdicts.values()), verdicts
    aid = results["bilevel-aid-quadratic-factor"]["observed"]
    assert aid["factor"] == pytest.approx(0.9, rel=1e-3)
    borep = results["bilevel-borep-eps-4"]["observed"]["sweep"]
    assert -4.15 < borep["exponent"] < -3.85
    for claim_id, slope in (("bilevel-f2sa-deterministic", -2 / 3),
                            ("bilevel-f2sa-upper-noise", -2 / 5),
                            ("bilevel-f2sa-both-noise", -2 / 7)):
        assert results[claim_id]["observed"]["exponent"] == pytest.approx(slope, abs=0.05)


def test_wrong_claims_and_ablations_are_mismatches_in_the_right_direction(verify_json):
    status, results = verify_json("--quick", "--claims", str(WRONG))
    assert status == 1
    expected = {
        "wrong-f2sa-fixed-penalty": "stalled",   # the penalty bias does not vanish
        "wrong-f2sa-slow-penalty": "slower",     # bias K^-1/6 instead of K^-2/3
        "wrong-aid-factor-squared": "slower",    # the factor is rho, not rho^2
        "wrong-soba-far-start": "diverged",      # unnormalized steps from a far start
        "wrong-borep-eps-2": "slower",           # the cost grows like eps^-4
        "wrong-penalty-gap-sigma2": "slower",    # the penalty's bias is linear in sigma
    }
    for claim_id, direction in expected.items():
        result = results[claim_id]
        assert (result["verdict"], result["direction"]) == ("mismatch", direction), result
