"""Game instances: quadratic games with controlled curvature and coupling, and preference
games over the simplex, with their equilibria computed to recorded accuracy.

Quadratic games (affine pseudo-gradients)
-----------------------------------------
Player ``i`` chooses ``x_i`` to minimise ``f_i(x) = 1/2 x_i^T A_ii x_i + sum_{j != i} x_i^T
A_ij x_j + b_i^T x_i``. The pseudo-gradient ``F(x) = (grad_{x_i} f_i(x))_i = M x + q`` is
affine, so every instance is (carries, as ``.operator``) an
:class:`~workbench.problems.operators.AffineOperator` and the operator methods of
:mod:`workbench.problems.operators` run on it unchanged. With every ``A_ii`` positive
definite, ``x*`` is a Nash equilibrium iff ``F(x*) = 0``. Reported per instance: the Jacobian's
spectrum (``re_min``, the smallest real part of an eigenvalue of ``M``, which sets the flow's
rate; ``spec_max``, the largest modulus) and its monotonicity constants (``mu =
lambda_min(sym M)``: strongly monotone when positive, merely monotone at 0, not monotone in
the Euclidean metric when negative; ``L = ||M||``), and the player split ``blocks``.

Preference games (the simplex)
------------------------------
A preference matrix ``P`` with ``P + P^T = 1`` (``P(y > y')``, the lower triangle uniform on
``[0, 1]``, ``P_ii = 1/2``), a reference policy ``pi_ref`` (uniform) and a regularization
``beta > 0`` define the symmetric two-player constant-sum game

    J(pi, pi') = P(pi > pi') - beta KL(pi || pi_ref) + beta KL(pi' || pi_ref),

whose unique equilibrium ``pi*_beta`` solves ``pi = softmax(log pi_ref + P pi / beta)``
(Munos et al., "Nash learning from human feedback", ICML 2024; Tiapkin et al. 2025). It is
computed here by Newton's method on that fixed point (after Nash-MP iterations to enter
Newton's basin) to about ``1e-15`` in the logits; the unregularized game's equilibrium (a
minimax winner) by linear programming (``scipy.optimize.linprog``). Both are checked against
their Nash conditions when built.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from workbench.problems.operators import AffineOperator, make_operator

from workbench.catalogue import ParameterError

from .certificate import Certificate, certify

EPS = float(np.finfo(float).eps)
AFFINE_MEASURES = ("residual_sq", "residual", "dist_sq")
SIMPLEX_MEASURES = ("kl", "gap_reg", "exploitability", "exploitability_avg")


def random_orthogonal(rng: np.random.Generator, d: int) -> np.ndarray:
    """A Haar-distributed orthogonal matrix."""
    Q, R = np.linalg.qr(rng.standard_normal((d, d)))
    return Q * np.sign(np.diag(R))


@dataclass(frozen=True)
class QuadraticGame:
    """An N-player quadratic game: the affine operator of its pseudo-gradient, the player
    split ``blocks`` (offsets ``[0, d_1, ..., d]``), the constants a rate may name and the
    floors of the measures; ``certificate`` for games with a Small-Gain Nash certificate."""

    operator: AffineOperator
    blocks: np.ndarray
    constants: dict[str, float]
    floors: dict[str, float]
    certificate: Certificate | None = None
    info: dict[str, float] = field(default_factory=dict)

    @property
    def players(self) -> int:
        return int(self.blocks.size - 1)


def spectrum_constants(M: np.ndarray) -> dict[str, float]:
    """``re_min`` (smallest real part of an eigenvalue of the Jacobian ``M``) and
    ``spec_max`` (largest modulus)."""
    eig = np.linalg.eigvals(M)
    return {"re_min": float(eig.real.min()), "spec_max": float(np.abs(eig).max())}


def _game(op: AffineOperator, blocks: np.ndarray, extra: dict[str, float],
          certificate: Certificate | None = None) -> QuadraticGame:
    constants = {**op.constants, **spectrum_constants(op.M), **extra,
                 "players": float(blocks.size - 1)}
    if certificate is not None:
        constants.update(certificate.constants())
    floors = {m: op.floors[m] for m in AFFINE_MEASURES}
    return QuadraticGame(op, blocks, constants, floors, certificate)


def _unit_start(rng: np.random.Generator, z_star: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """``z_0 = z* + Q u / sqrt(k)`` with ``u`` a random unit 2-vector per 2-dimensional
    invariant subspace (columns of ``Q`` in pairs): ``||z_0 - z*|| = 1`` and every subspace
    holds the same share of it, so the slowest mode is always present at full weight."""
    k = Q.shape[1] // 2
    angle = rng.uniform(0.0, 2 * np.pi, k)
    u = np.empty(2 * k)
    u[0::2], u[1::2] = np.cos(angle), np.sin(angle)
    return z_star + Q @ u / np.sqrt(k)


def make_damped_bilinear(seed: int, m: int = 4, a: float = 0.1, sigma_min: float = 0.5,
                         L: float = 1.0) -> QuadraticGame:
    """Two players on ``R^m`` with own curvature ``a`` and bilinear coupling ``B``:
    ``F(x, y) = (a x + B y + b, a y - B^T x + c)``, ``M = [[a I, B], [-B^T, a I]]``.

    ``B = U diag(sigma) V^T`` with singular values evenly spaced in ``[sigma_min, sigma_max]``,
    ``sigma_max = sqrt(L^2 - a^2)`` so that ``||M|| = L`` exactly; random orthogonal ``U, V``.
    ``M`` is normal and acts on ``span{(u_j, 0), (0, v_j)}`` as ``[[a, s_j], [-s_j, a]]``
    (eigenvalues ``a +- i s_j``): ``mu = a`` (strongly monotone for ``a > 0``, merely
    monotone, a bilinear game, at ``a = 0``). Exact spectral predictions follow per pair:
    simultaneous gradient play with step ``h`` multiplies ``||z - z*||^2`` asymptotically by
    ``max_j |1 - h (a + i s_j)|^2 = 1 - 2 h a + h^2 L^2`` (the ``sigma_max`` pair; it grows
    when ``h > 2 a / L^2``), extragradient by ``|1 - h lambda + h^2 lambda^2|^2`` at the
    slowest pair, RK4 by ``|R(-h lambda)|^2`` with ``R`` the RK4 stability polynomial (close
    to the flow's ``exp(-2 a h)`` for small ``h |lambda|``), alternating play by ``(1 -
    h a)^2``. ``z* ~ N(0, I/2m)``, ``q = -M z*``; ``||z_0 - z*|| = 1``, split evenly over the
    singular pairs.
    """
    m = int(m)
    if m < 1:
        raise ParameterError("need m >= 1")
    if not 0 <= a < L:
        raise ParameterError(f"need 0 <= a < L, got a={a}, L={L}")
    sigma_max = float(np.sqrt(L**2 - a**2))
    if not 0 < sigma_min <= sigma_max:
        raise ParameterError(f"need 0 < sigma_min <= sqrt(L^2 - a^2) = {sigma_max:.6g}, got "
                             f"{sigma_min}")
    rng = np.random.default_rng(seed)
    U, V = random_orthogonal(rng, m), random_orthogonal(rng, m)
    sigma = np.linspace(sigma_max, sigma_min, m) if m > 1 else np.array([sigma_min])
    B = U @ np.diag(sigma) @ V.T
    M = np.block([[a * np.eye(m), B], [-B.T, a * np.eye(m)]])
    z_star = rng.standard_normal(2 * m) / np.sqrt(2 * m)
    Q = np.zeros((2 * m, 2 * m))
    Q[:m, 0::2], Q[m:, 1::2] = U, V
    op = make_operator(M, -M @ z_star, z_star, _unit_start(rng, z_star, Q))
    game = _game(op, np.array([0, m, 2 * m]), {"a": float(a), "sigma_min": float(sigma[-1]),
                                               "sigma_max": float(sigma[0])})
    _check("L", game.constants["L"], L)
    _check("mu", game.constants["mu"], a)
    return game


def make_small_gain(seed: int, players: int = 2, dim: int = 4, curvature_max: float = 1.5,
                    gain_product: float = 0.6, asymmetry: float = 15.0) -> QuadraticGame:
    """``players`` players on ``R^dim`` each, coupled along a chain, with a Small-Gain Nash
    certificate (:mod:`.certificate`).

    Own blocks ``A_ii = Q_i diag(1, ..., curvature_max) Q_i^T`` (curvature in ``[1,
    curvature_max]``, both ends attained). Neighbours ``i, i + 1`` are coupled by ``A_{i,i+1}
    = g_up U_i`` and ``A_{i+1,i} = g_down U_i^T`` with ``U_i`` orthogonal (every direction at
    full gain), ``g_up g_down = gain_product`` and ``g_up / g_down = asymmetry``. For two
    players the small gain is ``rho(Gamma) = sqrt(gain_product)``: certifiable iff
    ``gain_product < 1`` (the product of the gains below the product of the curvatures). The
    coupling's symmetric part ``(g_up + g_down) / 2`` exceeds the curvature once the
    asymmetry is large (15 with ``gain_product = 0.6``: ``sym M`` has eigenvalues near ``1 -
    1.6``): the game is then not monotone in the Euclidean metric (``mu < 0``), though every
    eigenvalue of ``M`` has positive real part and the certificate's weighted metric makes it
    strongly monotone. ``z* ~ N(0, I/d)``, ``q = -M z*``, ``z_0 = z* + v`` with ``v`` a random
    unit vector.
    """
    players, dim = int(players), int(dim)
    if players < 2 or dim < 1:
        raise ParameterError(f"need players >= 2 and dim >= 1, got {players}, {dim}")
    if curvature_max < 1:
        raise ParameterError(f"need curvature_max >= 1, got {curvature_max}")
    if gain_product <= 0 or asymmetry <= 0:
        raise ParameterError("need gain_product > 0 and asymmetry > 0")
    rng = np.random.default_rng(seed)
    d = players * dim
    M = np.zeros((d, d))
    own = np.linspace(1.0, curvature_max, dim) if dim > 1 else np.array([1.0])
    for i in range(players):
        Q = random_orthogonal(rng, dim)
        M[i * dim:(i + 1) * dim, i * dim:(i + 1) * dim] = Q @ np.diag(own) @ Q.T
    up, down = np.sqrt(gain_product * asymmetry), np.sqrt(gain_product / asymmetry)
    for i in range(players - 1):
        U = random_orthogonal(rng, dim)
        M[i * dim:(i + 1) * dim, (i + 1) * dim:(i + 2) * dim] = up * U
        M[(i + 1) * dim:(i + 2) * dim, i * dim:(i + 1) * dim] = down * U.T
    blocks = np.arange(0, d + 1, dim)
    z_star = rng.standard_normal(d) / np.sqrt(d)
    v = rng.standard_normal(d)
    op = make_operator(M, -M @ z_star, z_star, z_star + v / np.linalg.norm(v))
    certificate = certify(M, blocks)
    return _game(op, blocks, {"gain_product": float(gain_product)}, certificate)


def _check(name: str, computed: float, target: float) -> None:
    if not abs(computed - target) <= 1e-10 * max(1.0, abs(target)):
        raise RuntimeError(f"generator bug: {name} computed {computed!r}, built for {target!r}")


# -- preference games -------------------------------------------------------------------------
@dataclass(frozen=True)
class PreferenceGame:
    """A regularized preference game (module docstring) with its equilibria.

    Attributes
    ----------
    P
        Preference matrix ``P[y, y'] = P(y > y')``, ``P + P^T = 1``.
    log_ref
        ``log pi_ref`` (uniform).
    beta
        Regularization strength.
    theta_star, pi_star
        Logits (mean zero) and policy of the regularized equilibrium ``pi*_beta``.
    pi_nash
        An equilibrium of the unregularized game (linear programming).
    theta0
        The initial logits every method starts from (``pi_0 = pi_ref``).
    """

    P: np.ndarray
    log_ref: np.ndarray
    beta: float
    theta_star: np.ndarray
    pi_star: np.ndarray
    pi_nash: np.ndarray
    theta0: np.ndarray
    constants: dict[str, float]
    floors: dict[str, float]
    info: dict[str, float] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.P.shape[0])


def preference_matrix(rng: np.random.Generator, n: int) -> np.ndarray:
    """``P`` with ``P + P^T = 1``: the strict lower triangle uniform on ``[0, 1]``."""
    P = np.full((n, n), 0.5)
    rows, cols = np.tril_indices(n, -1)
    u = rng.uniform(0.0, 1.0, rows.size)
    P[rows, cols] = u
    P[cols, rows] = 1.0 - u
    return P


def kl_logits(theta_p: np.ndarray, theta_q: np.ndarray) -> float:
    """``KL(softmax(theta_p) || softmax(theta_q))`` to relative precision, also when tiny.

    With ``e = (theta_p - theta_q) - c`` centred so that ``sum p e = 0`` (``p =
    softmax(theta_p)``) and ``s = sum p expm1(-e)``, ``KL = sum p (expm1(-e) + e) + (log1p(s)
    - s)``: both terms are computed without cancellation (series for small arguments). The
    same formula is in the kernels.
    """
    from scipy.special import softmax
    p = softmax(theta_p)
    d = theta_p - theta_q
    e = d - p @ d
    phi = np.where(np.abs(e) < 1e-3, e**2 / 2 - e**3 / 6 + e**4 / 24 - e**5 / 120,
                   np.expm1(-e) + e)
    s = float(p @ np.expm1(-e))
    psi = -s**2 / 2 + s**3 / 3 - s**4 / 4 + s**5 / 5 if abs(s) < 1e-3 else np.log1p(s) - s
    return float(p @ phi + psi)


def regularized_gap(game: PreferenceGame, pi: np.ndarray) -> float:
    """``max_pi' J(pi', pi) - 1/2 = beta log sum_y pi_ref(y) exp((P pi)_y / beta) + beta
    KL(pi || pi_ref) - 1/2``: how much a best response gains against ``pi`` in the
    regularized game (half the duality gap; zero exactly at ``pi*_beta``)."""
    from scipy.special import logsumexp
    beta = game.beta
    best = beta * logsumexp(game.log_ref + game.P @ pi / beta)
    pos = pi > 0
    kl_ref = float(np.sum(pi[pos] * (np.log(pi[pos]) - game.log_ref[pos])))
    return float(best + beta * kl_ref - 0.5)


def exploitability(P: np.ndarray, pi: np.ndarray) -> float:
    """``max_y P(y > pi) - 1/2`` in the unregularized game (zero iff ``pi`` is a minimax
    winner: ``pi^T P pi = 1/2`` for every ``pi``)."""
    return float(np.max(P @ pi) - 0.5)


def fixed_point_residual(P: np.ndarray, log_ref: np.ndarray, beta: float,
                         theta: np.ndarray) -> float:
    """Max-norm of ``theta - log pi_ref - P softmax(theta) / beta`` up to a constant: zero
    exactly at the regularized equilibrium's logits."""
    from scipy.special import softmax
    g = theta - log_ref - P @ softmax(theta) / beta
    return float(np.max(np.abs(g - g.mean())))


def regularized_equilibrium(P: np.ndarray, log_ref: np.ndarray, beta: float
                            ) -> tuple[np.ndarray, float]:
    """Logits (mean zero) of ``pi*_beta`` and their fixed-point residual.

    Nash-MP iterations (step ``eta = 2``, a contraction by ``(1 + 2 beta)^-1`` per iteration
    in KL) bring the logits into Newton's basin; Newton's method on ``G(theta) = theta - log
    pi_ref - P softmax(theta) / beta`` modulo constants then converges quadratically. The
    result is certified by its fixed-point residual, not by agreement with the kernels.
    """
    from scipy.special import softmax
    n = P.shape[0]
    theta = log_ref - log_ref.mean()
    eta = 2.0
    iterations = int(np.ceil(np.log(1e6) / np.log1p(eta * beta))) + 5
    for _ in range(min(iterations, 100_000)):
        half = (theta + eta * beta * log_ref + eta * P @ softmax(theta)) / (1 + eta * beta)
        theta = (theta + eta * beta * log_ref + eta * P @ softmax(half)) / (1 + eta * beta)
        theta -= theta.mean()
    # G is zero up to a constant: solve [[J, 1], [1^T, 0]] [step; c] = [G; 0] (the constant c
    # absorbs the gauge; J 1 = 1 because the softmax Jacobian kills constants).
    system = np.zeros((n + 1, n + 1))
    system[:n, n] = system[n, :n] = 1.0
    for _ in range(50):
        pi = softmax(theta)
        g = theta - log_ref - P @ pi / beta
        system[:n, :n] = np.eye(n) - P @ (np.diag(pi) - np.outer(pi, pi)) / beta
        step = np.linalg.solve(system, np.concatenate([g, [0.0]]))[:n]
        theta = theta - step
        theta -= theta.mean()
        if np.max(np.abs(step)) < 1e-15 * max(1.0, np.max(np.abs(theta))):
            break
    return theta, fixed_point_residual(P, log_ref, beta, theta)


def minimax_winner(P: np.ndarray) -> np.ndarray:
    """An equilibrium of the unregularized game: ``max v`` s.t. ``P^T pi >= v``, ``pi`` in the
    simplex (linear programming; the value is 1/2)."""
    from scipy.optimize import linprog
    n = P.shape[0]
    c = np.zeros(n + 1)
    c[-1] = -1.0
    A_ub = np.hstack([-P.T, np.ones((n, 1))])
    A_eq = np.concatenate([np.ones(n), [0.0]])[None, :]
    result = linprog(c, A_ub=A_ub, b_ub=np.zeros(n), A_eq=A_eq, b_eq=[1.0],
                     bounds=[(0, None)] * n + [(None, None)], method="highs")
    if not result.success:
        raise RuntimeError(f"linear program failed: {result.message}")
    pi = np.maximum(result.x[:n], 0.0)
    return pi / pi.sum()


def make_preference(seed: int, n_actions: int = 10, beta: float = 0.1) -> PreferenceGame:
    """A random intransitive preference game (module docstring) with ``n_actions`` actions,
    uniform reference policy and regularization ``beta``.

    Constants: ``kl0 = KL(pi*_beta || pi_0)`` (``pi_0 = pi_ref``, the bounds' constant),
    ``gap0``, ``exploit_beta`` (how far ``pi*_beta`` is from an equilibrium of the original
    game), ``L_pref = max_y (max_y' P - min_y' P) / 2 <= 1/2`` (Lipschitz constant of ``pi ->
    P pi`` from the l1 to the l-infinity norm on the simplex, which sets Nash-MP's step
    ``eta <= 1 / L = 2``), ``ne_residual`` (the equilibrium's fixed-point residual, the
    accuracy behind the floors). Floors: ``kl`` from the logits' accuracy (``1e3 eps``
    squared: KL is quadratic in them); the gaps from the round-off of a difference of O(1)
    terms.
    """
    from scipy.special import softmax
    n = int(n_actions)
    if n < 2:
        raise ParameterError(f"need n_actions >= 2, got {n_actions}")
    if not beta > 0:
        raise ParameterError(f"need beta > 0, got {beta}")
    rng = np.random.default_rng(seed)
    P = preference_matrix(rng, n)
    log_ref = np.full(n, -np.log(n))
    theta_star, residual = regularized_equilibrium(P, log_ref, beta)
    if residual > 1e-10 * max(1.0, 1.0 / beta):
        raise RuntimeError(f"the regularized equilibrium did not converge (residual "
                           f"{residual:.3g})")
    pi_star = softmax(theta_star)
    pi_nash = minimax_winner(P)
    theta0 = np.zeros(n)
    accuracy = max(residual, 1e3 * EPS)
    floors = {"kl": accuracy**2, "gap_reg": 1e2 * EPS, "exploitability": 1e2 * EPS,
              "exploitability_avg": 1e2 * EPS}
    game = PreferenceGame(P, log_ref, float(beta), theta_star, pi_star, pi_nash, theta0, {},
                          floors, {"ne_residual": residual})
    spread = P.max(axis=1) - P.min(axis=1)
    constants = {"kl0": kl_logits(theta_star, theta0),
                 "gap0": regularized_gap(game, softmax(theta0)),
                 "exploit_beta": exploitability(P, pi_star),
                 "L_pref": float(spread.max() / 2), "ne_residual": residual,
                 "nash_support": float(np.sum(pi_nash > 1e-9))}
    game.constants.update(constants)
    if abs(regularized_gap(game, pi_star)) > 1e-12 or exploitability(P, pi_nash) > 1e-8:
        raise RuntimeError("generator bug: an equilibrium fails its Nash conditions")
    return game
