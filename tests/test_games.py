"""games family: the instances' certificates (Nash conditions of both equilibria, the Small-Gain
Nash certificate on sampled pairs, the reported constants), the block/alternating extension of
the operator layer, every kernel against its NumPy twin, the exact spectral predictions the
calibration cards rely on, the reconstructed Nash-MP and EGPO contractions at every iterate,
and the verdicts of the seed cards (quick) and of deliberately wrong claims.

Instances: ``problems/games/instances.py``, certificate ``problems/games/certificate.py``;
simplex methods ``problems/games/methods.py``; block methods
``problems/operators/blocks.py``.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from scipy.special import softmax
from workbench.problems import operators as ops
from workbench.problems.games import certificate as sgn
from workbench.problems.games import instances, kernels, methods
from workbench.problems.monotone import instances as monotone
from workbench.problems.operators import blocks
from workbench.problems.operators import reference as op_reference

from workbench.catalogue import ParameterError, get_problem
from workbench.engine.checkpoints import checkpoints

WRONG = Path(__file__).parent / "cards" / "wrong_games.toml"
GRID = checkpoints(300, per_decade=10)
# A few hundred steps of O(d^2) or O(n^2) sums: round-off ~1e-14 relative; a wrong update is
# O(1). Values that converged far below their start carry only round-off: compared absolutely.
TWIN_RTOL = 1e-9
TWIN_ATOL = 1e-13


def sym(A: np.ndarray) -> np.ndarray:
    return 0.5 * (A + A.T)


def assert_twins(got: dict, want: dict, what: str) -> None:
    assert set(got) == set(want), what
    for key in got:
        scale = np.max(np.abs(want[key][:3]))
        np.testing.assert_allclose(got[key], want[key], rtol=TWIN_RTOL,
                                   atol=TWIN_ATOL * max(scale, 1e-300),
                                   err_msg=f"{what} {key}")


def fitted_factor(values: np.ndarray, grid: np.ndarray) -> float:
    """Per-step factor of a geometric tail: least squares on log(values) (averages the
    oscillation of a complex dominant pair)."""
    return float(np.exp(np.polyfit(grid, np.log(values), 1)[0]))


# -- the block / alternating extension of the operator layer --------------------------------
def boxed_game():
    """The monotone family's box-constrained bilinear game with a two-player split."""
    op = monotone.make_bilinear_box(2, m=4)
    return SimpleNamespace(operator=op, blocks=np.array([0, 4, 8]), constants=op.constants,
                           floors=op.floors)


BLOCK_CASES = [
    ("block_gda", lambda: instances.make_damped_bilinear(1, m=3), {"step_scale": 0.15,
                                                                   "step_ratio": 0.6}),
    ("alternating_gda", lambda: instances.make_damped_bilinear(1, m=3),
     {"step_scale": 0.5, "step_ratio": 1.3}),
    ("alternating_gda", lambda: instances.make_small_gain(2, players=3, dim=2),
     {"step_scale": 0.2, "step_ratio": 0.5}),
    ("alternating_gda", boxed_game, {"step_scale": 0.4, "step_ratio": 1.0}),
    ("block_gda", boxed_game, {"step_scale": 0.3, "step_ratio": 2.0}),
]


@pytest.mark.parametrize(("method", "build", "hyper"), BLOCK_CASES,
                         ids=[f"{m}-{i}" for i, (m, _, _) in enumerate(BLOCK_CASES)])
def test_block_kernels_match_their_numpy_twins(method, build, hyper):
    game = build()
    algorithm = get_problem("games.damped_bilinear").algorithms[method]
    got = algorithm.run(game, GRID, 3, **hyper)
    want = algorithm.twin(game, GRID, 3, **hyper)
    assert_twins(got, want, method)
    assert abs(np.log(got["dist_sq"][-1] / got["dist_sq"][0])) > 0.1  # the run moved


def test_block_play_with_equal_steps_is_gda_and_calls_count_sweeps():
    game = instances.make_small_gain(0, players=3, dim=2)
    grid = np.array([0, 1, 7, 50, 200])
    a = blocks.run_block_gda(game, grid, 0, step_scale=0.2)
    b = ops.run_gda(game, grid, 0, step_scale=0.2)
    for key in a:  # two kernels, two summation orders: agreement to round-off above the floor
        np.testing.assert_allclose(a[key], b[key], rtol=TWIN_RTOL,
                                   atol=game.floors.get(key, 0.0), err_msg=key)
    alt = blocks.run_alternating_gda(game, grid, 0, step_scale=0.2)
    np.testing.assert_array_equal(alt["calls"], grid)  # three block evaluations = one call
    assert not np.allclose(alt["dist_sq"], a["dist_sq"])  # the order of the updates matters


def test_alternating_play_contracts_by_one_minus_h_a_whatever_the_coupling():
    """Per singular pair the alternating iteration matrix has determinant (1 - h a)^2 and
    complex eigenvalues, so the factor on ||z - z*||^2 is (1 - h a)^2 exactly; on a bilinear
    game (a = 0) alternating play stays bounded while simultaneous play diverges."""
    h, a = 0.5, 0.1
    for s in (0.5, 0.8, 0.995):
        A = np.array([[1 - h * a, -h * s], [h * s * (1 - h * a), 1 - h * a - h**2 * s**2]])
        np.testing.assert_allclose(np.abs(np.linalg.eigvals(A)), 1 - h * a, rtol=1e-12)
    game = instances.make_damped_bilinear(0, m=4, a=a)
    grid = np.arange(200, 401)
    out = blocks.run_alternating_gda(game, grid, 0, step_scale=h)
    assert fitted_factor(out["dist_sq"], grid) == pytest.approx((1 - h * a) ** 2, rel=2e-4)
    bilinear = instances.make_damped_bilinear(0, m=4, a=0.0)
    grid = checkpoints(20000)
    alternating = blocks.run_alternating_gda(bilinear, grid, 0, step_scale=h)["dist_sq"]
    simultaneous = ops.run_gda(bilinear, grid, 0, step_scale=h)["dist_sq"]
    assert 0.1 < alternating.min() and alternating.max() < 10  # bounded cycles, R0 = 1
    assert not np.isfinite(simultaneous[-1]) or simultaneous[-1] > 1e100


def test_block_play_needs_a_player_split():
    op = monotone.make_bilinear(0, m=2)
    with pytest.raises(ParameterError, match="player split"):
        blocks.run_alternating_gda(op, GRID, 0)
    with pytest.raises(ValueError, match="blocks"):
        blocks.run_block_gda(SimpleNamespace(operator=op, blocks=[0, 3]), GRID, 0)
    with pytest.raises(ParameterError, match="step_ratio"):
        blocks.run_block_gda(instances.make_damped_bilinear(0), GRID, 0, step_ratio=0.0)


# -- quadratic games: instances and their constants ------------------------------------------
def test_damped_bilinear_is_normal_with_the_stated_constants():
    game = instances.make_damped_bilinear(4, m=5, a=0.2, sigma_min=0.3, L=2.0)
    M, c = game.operator.M, game.constants
    np.testing.assert_allclose(M @ M.T, M.T @ M, atol=1e-12)  # normal
    eig = np.linalg.eigvals(M)
    np.testing.assert_allclose(eig.real, 0.2, atol=1e-12)
    np.testing.assert_allclose(np.sort(np.abs(eig.imag))[::2], np.linspace(0.3, np.sqrt(4 -
                                                                          0.04), 5), rtol=1e-10)
    assert (c["L"], c["mu"], c["re_min"]) == pytest.approx((2.0, 0.2, 0.2))
    assert c["sigma_max"] == pytest.approx(np.sqrt(4 - 0.04))
    assert c["R0"] == pytest.approx(1.0)
    np.testing.assert_array_equal(game.blocks, [0, 5, 10])
    np.testing.assert_allclose(game.operator(game.operator.z_star), 0, atol=1e-14)  # Nash


def test_small_gain_game_is_not_euclidean_monotone_but_certified():
    """mu < 0 (a direction where <F(x) - F(y), x - y> < 0), every eigenvalue in the right
    half-plane, and the certificate holds on sampled pairs: <M d, W d> >= alpha ||d||_W^2 and
    ||M d||_W <= Lbar ||d||_W, with alpha > 0."""
    rng = np.random.default_rng(0)
    for players, dim, seed in ((2, 4, 0), (2, 4, 5), (3, 3, 1)):
        gain = 0.6 if players == 2 else 0.3
        game = instances.make_small_gain(seed, players, dim, gain_product=gain)
        M, cert, c = game.operator.M, game.certificate, game.constants
        assert c["mu"] < 0 and c["re_min"] > 0
        v = np.linalg.eigh(sym(M))[1][:, 0]
        assert v @ M @ v < 0  # Euclidean monotonicity fails on this direction
        assert cert.certified and cert.alpha > 0
        w = np.repeat(cert.weights, dim)
        d = rng.standard_normal((M.shape[0], 4000)) * rng.uniform(0.01, 10, 4000)
        Md = M @ d
        norm_w = np.sum(w[:, None] * d * d, axis=0)
        assert np.all(np.sum(w[:, None] * Md * d, axis=0) >= cert.alpha * norm_w * (1 - 1e-12))
        assert np.all(np.sum(w[:, None] * Md * Md, axis=0) <= cert.lipschitz**2 * norm_w *
                      (1 + 1e-12))
        # the certified step contracts the W-norm of the actual iteration matrix
        A = np.eye(M.shape[0]) - cert.step * M
        r = np.sqrt(w)
        assert np.linalg.norm(r[:, None] * A / r[None, :], 2) ** 2 <= cert.factor(cert.step)
        assert c["sgn_factor"] == pytest.approx(1 - c["sgn_kappa"])
        assert c["sgn_step_max"] == pytest.approx(2 * c["sgn_step"])


def test_small_gain_games_span_the_monotonicity_regimes():
    """At asymmetry 1 the coupling's symmetric part is sqrt(gain_product) < 1 = curvature:
    Euclidean strongly monotone (mu >= 1 - sqrt(gain_product)) and the certificate's weights
    are equal; a large asymmetry breaks Euclidean monotonicity. x* is a Nash equilibrium
    (F(x*) = 0) in every case."""
    balanced = instances.make_small_gain(0, asymmetry=1.0, gain_product=0.6)
    assert balanced.constants["mu"] >= 1 - np.sqrt(0.6) - 1e-12
    assert balanced.constants["sgn_cond"] == pytest.approx(1.0, rel=1e-4)
    skewed = instances.make_small_gain(0, asymmetry=15.0, gain_product=0.6)
    assert skewed.constants["mu"] < 0
    for game in (balanced, skewed, instances.make_small_gain(1, players=4, dim=2,
                                                            gain_product=0.2)):
        op = game.operator
        assert np.linalg.norm(op(op.z_star)) < 1e-14
        assert game.floors["dist_sq"] < 1e-26  # round-off: z* is exact by construction


def test_two_player_small_gain_is_the_product_of_gains():
    """For two players rho(Gamma) = sqrt(L12 L21 / (m1 m2)) = sqrt(gain_product); the optimal
    weight ratio is the gain asymmetry and the margin is 1 - sqrt(gain_product) (own
    curvature 1); the timescale band's edges have zero margin and exclude the Euclidean
    weights (1, 1), which the Euclidean mu < 0 already rules out."""
    game = instances.make_small_gain(3, gain_product=0.6, asymmetry=15.0)
    c, cert = game.constants, game.certificate
    assert c["small_gain"] == pytest.approx(np.sqrt(0.6))
    assert cert.weights[1] / cert.weights[0] == pytest.approx(15.0, rel=1e-4)
    assert cert.alpha == pytest.approx(1 - np.sqrt(0.6), rel=1e-6)
    bounds = sgn.block_bounds(game.operator.M, game.blocks)
    lo, hi = c["band_lo"], c["band_hi"]
    assert lo < 15 < hi and not lo < 1 < hi
    for edge in (lo, hi):
        assert abs(sgn.margin(bounds, np.array([1.0, edge]))) < 1e-9
    # band edges: roots of L21^2 t^2 + (2 L12 L21 - 4 m1 m2) t + L12^2 (m = 1, Lij exact)
    up, down = np.sqrt(0.6 * 15), np.sqrt(0.6 / 15)
    roots = np.sort(np.roots([down**2, 2 * up * down - 4, up**2]).real)
    np.testing.assert_allclose([lo, hi], roots, rtol=1e-8)


def test_uncertifiable_game_has_no_certified_step():
    game = instances.make_small_gain(0, gain_product=1.2)
    assert game.constants["small_gain"] > 1 and not game.certificate.certified
    assert game.constants["sgn_step"] == 0 and (game.constants["band_lo"],
                                                game.constants["band_hi"]) == (0, 0)
    with pytest.raises(ParameterError, match="certificate"):
        methods.run_certified_gda(game, GRID, 0)


def test_observed_gda_factor_stays_within_the_certified_one():
    """The issue's check: at the certified step, the observed factor (spectral radius of I - h
    M, squared) is at most the certified 1 - kappa, for every seed and three players."""
    for seed, players in ((0, 2), (1, 2), (2, 2), (3, 3)):
        game = instances.make_small_gain(seed, players=players,
                                         gain_product=0.6 if players == 2 else 0.3)
        cert = game.certificate
        for s in (0.25, 1.0, 1.9):
            h = s * cert.step
            A = np.eye(game.operator.d) - h * game.operator.M
            observed = np.max(np.abs(np.linalg.eigvals(A))) ** 2
            assert observed <= cert.factor(h) <= 1


def test_certified_gda_runs_at_the_certified_step():
    game = instances.make_small_gain(1)
    a = methods.run_certified_gda(game, GRID, 0, step_scale=0.5)
    step = 0.5 * game.constants["sgn_step"] * game.constants["L"]
    b = op_reference.gda(game, GRID, 0, step_scale=step)
    assert_twins(a, b, "gda_sgn")


# -- exact spectral predictions (calibration) ----------------------------------------------
def _iteration_matrix(method: str, M: np.ndarray, h: float) -> np.ndarray:
    eye = np.eye(M.shape[0])
    if method == "gda":
        return eye - h * M
    if method == "extragradient":
        return eye - h * M + h * h * M @ M
    Z = -h * M  # RK4's stability polynomial
    return eye + Z + Z @ Z / 2 + Z @ Z @ Z / 6 + Z @ Z @ Z @ Z / 24


@pytest.mark.parametrize("method,step_scale", [("gda", 0.1), ("extragradient", 0.3),
                                               ("flow_rk4", 0.3)])
def test_observed_factor_is_the_spectral_radius(method, step_scale):
    """On strongly monotone (normal) and non-monotone (non-normal) games the observed factor of
    ||z - z*||^2 is the squared spectral radius of the iteration matrix to 1e-4. The fit
    window starts where the second eigenvalue's share has died out (below 1e-6) and ends
    before the error reaches round-off (1e-24)."""
    games = [instances.make_damped_bilinear(s) for s in range(2)] + \
        [instances.make_small_gain(s) for s in range(6)]
    tested = 0
    for game in games:
        M, L = game.operator.M, game.constants["L"]
        moduli = np.sort(np.abs(np.linalg.eigvals(_iteration_matrix(method, M,
                                                                    step_scale / L))))[::-1]
        top = moduli[0]
        second = moduli[moduli < top * (1 - 1e-9)][0]
        start = int(np.ceil(np.log(1e-6) / (2 * np.log(second / top))))
        end = int(np.log(1e-24) / (2 * np.log(top)))
        if end < start + 100:
            continue  # the transient outlives the range above round-off
        grid = np.arange(start, min(end, start + 3000))
        out = ops.METHODS[method].run(game, grid, 0, step_scale=step_scale)
        assert fitted_factor(out["dist_sq"], grid) == pytest.approx(top**2, rel=1e-4)
        tested += 1
    assert tested >= 5


def test_damped_bilinear_closed_forms():
    """The cards' closed forms: GDA 1 - 2 h mu + h^2 L^2, EG at sigma_min, Euler growth at h =
    0.5 (1.15), RK4 near exp(-2 a h)."""
    game = instances.make_damped_bilinear(2)
    M, c = game.operator.M, game.constants
    for method, h, expected in [
        ("gda", 0.1, 1 - 2 * 0.1 * c["mu"] + 0.01 * c["L"] ** 2),
        ("gda", 0.5, 1.15),
        ("extragradient", 0.5, (1 - 0.05 + 0.0025 - 0.0625) ** 2 + 0.0625 * 0.9**2),
    ]:
        moduli = np.abs(np.linalg.eigvals(_iteration_matrix(method, M, h)))
        assert moduli.max() ** 2 == pytest.approx(expected, rel=1e-12)
    rk4 = np.abs(np.linalg.eigvals(_iteration_matrix("flow_rk4", M, 0.5))).max() ** 2
    assert rk4 == pytest.approx(np.exp(-0.1), rel=1e-4) and rk4 < 1


# -- preference games -------------------------------------------------------------------------
def payoff(P: np.ndarray, beta: float, p: np.ndarray, q: np.ndarray) -> float:
    """J(p, q) = P(p > q) - beta KL(p || uniform) + beta KL(q || uniform)."""
    n = P.shape[0]
    return float(p @ P @ q - beta * np.sum(p * np.log(p * n)) + beta * np.sum(q * np.log(q * n)))


def test_preference_equilibria_satisfy_their_nash_conditions():
    """pi*_beta: the fixed point, no profitable deviation in the regularized game (against
    sampled policies and the best response), symmetric value 1/2; the LP solution: no action
    beats it (exploitability 0), so it is a minimax winner; pi*_beta's exploitability in the
    original game is at most beta log n (uniform reference) and shrinks with beta."""
    rng = np.random.default_rng(0)
    previous = np.inf
    for beta in (0.5, 0.1, 0.02):
        game = instances.make_preference(4, n_actions=12, beta=beta)
        P, pi = game.P, game.pi_star
        np.testing.assert_allclose(P + P.T, 1.0, atol=0)
        assert game.constants["ne_residual"] < 1e-12 / beta
        assert abs(instances.regularized_gap(game, pi)) < 1e-13

        for other in rng.dirichlet(np.ones(12), 200):
            assert payoff(P, beta, other, pi) <= 0.5 + 1e-12
            assert payoff(P, beta, pi, other) >= 0.5 - 1e-12
        exploit = instances.exploitability(P, pi)
        assert 0 < exploit <= beta * np.log(12) and exploit < previous
        previous = exploit
        assert instances.exploitability(P, game.pi_nash) < 1e-9
        assert abs(game.pi_nash.sum() - 1) < 1e-12 and game.pi_nash.min() >= 0


def test_kl_is_exact_when_tiny():
    rng = np.random.default_rng(1)
    theta = rng.standard_normal(8)
    other = rng.standard_normal(8)
    p, q = softmax(theta), softmax(other)
    assert instances.kl_logits(theta, other) == pytest.approx(np.sum(p * np.log(p / q)),
                                                              rel=1e-12)
    for eps in (1e-4, 1e-8, 1e-12):
        v = eps * rng.standard_normal(8)
        expected = 0.5 * (p @ v**2 - (p @ v) ** 2)  # second order, exact to O(eps^3)
        assert instances.kl_logits(theta, theta + v) == pytest.approx(expected, rel=1e-3)
    assert instances.kl_logits(theta, theta + 3.0) == 0  # a constant shift is no change


@pytest.mark.parametrize("method", ["nash_mp", "egpo", "mwu"])
def test_simplex_kernels_match_their_numpy_twins(method):
    game = instances.make_preference(2, n_actions=7, beta=0.2)
    algorithm = get_problem("games.preference").algorithms[method]
    got = algorithm.run(game, GRID, 3)
    want = algorithm.twin(game, GRID, 3)
    assert_twins(got, want, method)
    first = "exploitability_avg" if method == "mwu" else "kl"
    assert got[first][-1] < 0.5 * got[first][0]  # the run moved
    per_step = 1 if method == "mwu" else 2
    np.testing.assert_array_equal(got["queries"], per_step * GRID)


def test_nash_mp_is_egpo_with_a_rescaled_step():
    """Nash-MP with step eta' and EGPO with eta'/(1 + eta' beta) are the same two maps."""
    game = instances.make_preference(0, n_actions=9, beta=0.3)
    eta = 1.7
    a = methods._policy_extragradient(game, GRID, "nash_mp", eta)
    b = methods._policy_extragradient(game, GRID, "egpo", eta / (1 + eta * game.beta))
    for key in a:
        np.testing.assert_allclose(a[key], b[key], rtol=1e-9, atol=1e-13 * a[key][0])


@pytest.mark.parametrize("n,beta", [(5, 0.05), (10, 0.1), (50, 0.5), (120, 0.1)])
def test_reconstructed_contractions_hold_at_every_iterate(n, beta):
    """Nash-MP at eta = 2: KL(pi*, pi_{k+1}) <= KL(pi*, pi_k) / (1 + 2 beta) at every
    iteration; EGPO at eta = 1/(beta + 2): KL(pi*, pi_k) <= (1 - eta beta)^k KL(pi*, pi_0).
    Both hold above round-off and are loose by about a factor 2 in the exponent (KL is
    quadratic in the logits' error)."""
    game = instances.make_preference(7, n_actions=n, beta=beta)
    grid = np.arange(0, 400)
    kl = methods.run_nash_mp(game, grid, 0)["kl"]
    live = kl > 1e-26
    ratio = kl[1:][live[1:]] / kl[:-1][live[1:]]
    assert np.all(ratio <= 1 / (1 + 2 * beta) * (1 + 1e-9))
    assert ratio[-1] < 1.2 / (1 + 2 * beta) ** 2
    eta = methods.egpo_step(beta, 1.0)
    kl = methods.run_egpo(game, grid, 0)["kl"]
    bound = (1 - eta * beta) ** grid * game.constants["kl0"]
    live = kl > 1e-26
    assert np.all(kl[live] <= bound[live] * (1 + 1e-9))
    assert kl[0] == pytest.approx(game.constants["kl0"])


def test_kernels_record_t_zero_and_stop_on_non_finite_logits():
    game = instances.make_preference(0, n_actions=5)
    out = methods.run_nash_mp(game, np.array([0, 1, 2]), 0)
    assert out["kl"][0] == pytest.approx(game.constants["kl0"])
    assert out["gap_reg"][0] == pytest.approx(game.constants["gap0"])
    grid = np.array([0, 1, 5])
    raw = np.full((3, kernels.N_COLUMNS), np.nan)
    theta = game.theta0.copy()
    kernels._policy_extragradient_kernel(game.P, game.log_ref, game.beta, game.theta_star,
                                         game.pi_star, 1.0, 0.0, np.inf, theta, grid, raw)
    assert np.isfinite(raw[0, kernels.KL]) and np.all(np.isinf(raw[1:, kernels.KL]))


def test_impossible_parameters_are_rejected():
    with pytest.raises(ParameterError, match="sigma_min"):
        instances.make_damped_bilinear(0, sigma_min=1.0, a=0.5)
    with pytest.raises(ParameterError, match="a < L"):
        instances.make_damped_bilinear(0, a=1.0)
    with pytest.raises(ParameterError, match="players"):
        instances.make_small_gain(0, players=1)
    with pytest.raises(ParameterError, match="beta"):
        instances.make_preference(0, beta=0.0)
    with pytest.raises(ParameterError, match="eta beta"):
        methods.run_egpo(instances.make_preference(0, beta=1.0), GRID, 0, step_scale=4.0)


def test_family_registers_what_the_cards_use():
    assert {"alternating_gda", "block_gda", "gda", "flow_rk4"} <= set(
        get_problem("games.damped_bilinear").algorithms)
    small = get_problem("games.small_gain")
    assert "gda_sgn" in small.algorithms and "sgn_kappa" in small.constants
    pref = get_problem("games.preference")
    assert pref.algorithms["nash_mp"].counters.keys() == {"queries"}


# -- verdicts -------------------------------------------------------------------------------
def test_wrong_claims_are_mismatches_in_the_right_direction(verify_json):
    status, results = verify_json("--quick", "--claims", str(WRONG))
    assert status == 1
    expected = {
        "wrong-euler-converges-like-the-flow": "diverged",  # 1.15 per step at h = 0.5
        "wrong-nashmp-factor-is-tight": "faster",           # KL ~ (1 + 2 beta)^-N
        "wrong-sgn-certificate-is-tight": "faster",         # block norms are conservative
        "wrong-rk4-per-call-as-per-step": "slower",         # four calls per step
        "wrong-nashmp-degrades-with-actions": "faster",     # exponent 0, not -1/2
        "wrong-selfplay-average-one-over-T": "slower",      # slope -0.55, not -1
    }
    assert set(results) == set(expected)
    for claim_id, direction in expected.items():
        result = results[claim_id]
        assert (result["verdict"], result["direction"]) == ("mismatch", direction), result


def test_seed_claims_quick_are_consistent(verify_json):
    status, results = verify_json("--quick", "--family", "games")
    assert len(results) >= 15
    bad = {i: (r["verdict"], r["reason"]) for i, r in results.items()
           if r["verdict"] != "consistent"}
    assert not bad and status == 0, bad
    # the bounds are loose by about 2 in the rate constant (KL is quadratic), and say so
    for claim_id in ("nashmp-kl-factor", "egpo-kl-linear"):
        observed = results[claim_id]["observed"]
        assert 1.8 < observed["estimate"] / observed["expected"] < 2.2
        assert any("explicit bound" in note and "holds" in note
                   for note in results[claim_id]["verdict_notes"])
    assert results["nashmp-action-sweep"]["observed"]["sweep"]["exponent"] == pytest.approx(
        0, abs=0.05)
