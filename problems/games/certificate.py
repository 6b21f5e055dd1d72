"""The Small-Gain Nash (SGN) certificate of an N-player game with an affine pseudo-gradient.

Reference: V. Sharma, "Small-Gain Nash: Certified Contraction to Nash Equilibria in
Differentiable Games", arXiv 2512.06791 (2025). The abstract states the construction: block
curvature and cross-player Lipschitz coupling bounds give, when a block small-gain condition
holds, a block-weighted metric in which the pseudo-gradient is strongly monotone although it
need not be in the Euclidean one; the flow contracts exponentially in that metric, and Euler
(gradient play) converges for steps below an explicit bound from the SGN margin and a
Lipschitz constant. Only the abstract could be read here; the formulas below are our
reconstruction of that construction (standard small-gain / M-matrix arguments).

Construction
------------
Player ``i`` owns the block ``x_i``; the pseudo-gradient is ``F(x) = M x + q`` with blocks
``A_ij`` (``A_ii`` the Hessian of player ``i``'s cost in its own variable). From the blocks:

``m_i = lambda_min(sym A_ii)``
    own curvature (strong convexity of player ``i``'s cost in ``x_i``);
``l_i = ||A_ii||``, ``L_ij = ||A_ij||``
    own Lipschitz bound and cross-player coupling gain;
``Gamma_ij = L_ij / m_i``
    the gain matrix; the block small-gain condition is ``rho(Gamma) < 1`` (for two players,
    ``L_12 L_21 < m_1 m_2``: the product of the gains below the product of the curvatures).

For block weights ``w > 0`` (metric ``||x||_W^2 = sum_i w_i ||x_i||^2``) and ``u_i =
||x_i - y_i||``, ``<F(x) - F(y), W(x - y)> >= u^T K u`` with ``K_ii = w_i m_i`` and ``K_ij =
-(w_i L_ij + w_j L_ji) / 2``, so ``F`` is ``alpha``-strongly monotone in the ``W`` metric with
the **SGN margin** ``alpha(w) = lambda_min(W^-1/2 K W^-1/2)``; and ``||F(x) - F(y)||_W <=
Lbar ||x - y||_W`` with ``Lbar(w) = ||W^1/2 N W^-1/2||``, ``N_ii = l_i``, ``N_ij = L_ij``.
Then

* the flow ``dx/dt = -F(x)`` contracts ``||x - x*||_W`` like ``exp(-alpha t)``;
* Euler (simultaneous gradient play) ``x <- x - h F(x)`` contracts ``||x - x*||_W^2`` by
  ``1 - 2 h alpha + h^2 Lbar^2`` per step: the **safe step band** is ``0 < h < 2 alpha /
  Lbar^2``, the best certified step ``h* = alpha / Lbar^2`` with factor ``1 - kappa``,
  ``kappa = (alpha / Lbar)^2``; at ``h = s h*`` the factor is ``1 - s (2 - s) kappa``;
* in the Euclidean norm, ``||x_T - x*||^2 <= (w_max / w_min) (1 - s (2 - s) kappa)^T
  ||x_0 - x*||^2``.

The weights maximise ``alpha / Lbar`` (our choice of "optimise the block weights to enlarge
the SGN margin": the ratio is what sets the certified factor). Both are invariant to scaling
``w``; for two players a bounded scalar search over ``log(w_2 / w_1)``, for more players
Nelder-Mead over ``log w`` started from the best geometric weights ``w_i = t^(i - 1)``. The
**timescale band** is the interval of ``t`` for which geometric weights ``(1, t, ..., t^(N-1))``
give a positive margin (for two players: every relative weight that certifies).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BlockBounds:
    """Per-player curvature and Lipschitz bounds and the coupling gains of a game."""

    curvature: np.ndarray  # m_i
    lipschitz: np.ndarray  # l_i
    coupling: np.ndarray  # L_ij (zero diagonal)

    @property
    def players(self) -> int:
        return int(self.curvature.size)

    @property
    def gains(self) -> np.ndarray:
        """``Gamma_ij = L_ij / m_i``."""
        return self.coupling / self.curvature[:, None]

    @property
    def small_gain(self) -> float:
        """``rho(Gamma)``: the block small-gain condition is ``rho(Gamma) < 1`` (needs every
        ``m_i > 0``; ``inf`` otherwise)."""
        if np.any(self.curvature <= 0):
            return float("inf")
        return float(np.max(np.abs(np.linalg.eigvals(self.gains))))


def block_bounds(M: np.ndarray, offsets: np.ndarray) -> BlockBounds:
    """The bounds of :class:`BlockBounds` read off the blocks of ``M``."""
    players = offsets.size - 1
    m, ell = np.empty(players), np.empty(players)
    coupling = np.zeros((players, players))
    for i in range(players):
        rows = slice(offsets[i], offsets[i + 1])
        own = M[rows, rows]
        m[i] = np.linalg.eigvalsh(0.5 * (own + own.T))[0]
        ell[i] = np.linalg.norm(own, 2)
        for j in range(players):
            if j != i:
                coupling[i, j] = np.linalg.norm(M[rows, offsets[j]:offsets[j + 1]], 2)
    return BlockBounds(m, ell, coupling)


def margin(bounds: BlockBounds, w: np.ndarray) -> float:
    """The SGN margin ``alpha(w) = lambda_min(W^-1/2 K(w) W^-1/2)``."""
    wl = w[:, None] * bounds.coupling
    K = -0.5 * (wl + wl.T)
    np.fill_diagonal(K, w * bounds.curvature)
    s = 1.0 / np.sqrt(w)
    return float(np.linalg.eigvalsh(s[:, None] * K * s[None, :])[0])


def weighted_lipschitz(bounds: BlockBounds, w: np.ndarray) -> float:
    """``Lbar(w) = ||W^1/2 N W^-1/2||``: a Lipschitz bound of ``F`` in the ``W`` metric
    from the block bounds alone."""
    N = bounds.coupling.copy()
    np.fill_diagonal(N, bounds.lipschitz)
    r = np.sqrt(w)
    return float(np.linalg.norm(r[:, None] * N / r[None, :], 2))


def _geometric(t: float, players: int) -> np.ndarray:
    return t ** np.arange(players, dtype=float)


@dataclass(frozen=True)
class Certificate:
    """A Small-Gain Nash certificate (see the module docstring).

    ``certified`` is False when no weight gives a positive margin; then ``alpha <= 0`` and
    the step band is empty (``step = step_max = 0``).
    """

    weights: np.ndarray
    alpha: float
    lipschitz: float
    small_gain: float
    band: tuple[float, float]

    @property
    def certified(self) -> bool:
        return self.alpha > 0

    @property
    def kappa(self) -> float:
        """``(alpha / Lbar)^2``, 0 when not certified."""
        return (self.alpha / self.lipschitz) ** 2 if self.certified else 0.0

    @property
    def step(self) -> float:
        """The best certified step ``h* = alpha / Lbar^2`` (0 when not certified)."""
        return self.alpha / self.lipschitz**2 if self.certified else 0.0

    @property
    def step_max(self) -> float:
        """The top of the safe step band, ``2 alpha / Lbar^2``."""
        return 2.0 * self.step

    @property
    def condition(self) -> float:
        """``w_max / w_min``: the price of going back to the Euclidean norm."""
        return float(self.weights.max() / self.weights.min())

    def factor(self, h: float) -> float:
        """Certified contraction of ``||x - x*||_W^2`` per Euler step of size ``h``."""
        return 1.0 - 2.0 * h * self.alpha + h**2 * self.lipschitz**2

    def constants(self) -> dict[str, float]:
        """The instance constants a card may name (see ``games.small_gain``)."""
        return {"sgn_margin": self.alpha, "sgn_lipschitz": self.lipschitz,
                "sgn_kappa": self.kappa, "sgn_step": self.step, "sgn_step_max": self.step_max,
                "sgn_factor": 1.0 - self.kappa, "sgn_cond": self.condition,
                "small_gain": self.small_gain, "band_lo": self.band[0],
                "band_hi": self.band[1]}


def _ratio(bounds: BlockBounds, w: np.ndarray) -> float:
    """``alpha / Lbar``, the quantity the weights maximise."""
    return margin(bounds, w) / weighted_lipschitz(bounds, w)


def timescale_band(bounds: BlockBounds, t_best: float) -> tuple[float, float]:
    """The interval of ``t`` around ``t_best`` in which geometric weights ``(1, t, ...,
    t^(N-1))`` certify (positive margin); ``(0, 0)`` when ``t_best`` does not."""
    from scipy.optimize import brentq
    players = bounds.players

    def f(log_t: float) -> float:
        return margin(bounds, _geometric(np.exp(log_t), players))

    x0 = np.log(t_best)
    if f(x0) <= 0:
        return 0.0, 0.0
    edges = []
    for direction in (-1.0, 1.0):
        step, x = 0.5, x0
        while f(x + direction * step) > 0 and step < 200:
            x += direction * step
            step *= 2
        far = x + direction * step
        edges.append(np.exp(brentq(f, *sorted((x, far)), xtol=1e-13)) if f(far) <= 0
                     else (0.0 if direction < 0 else np.inf))
    return float(edges[0]), float(edges[1])


def certify(M: np.ndarray, offsets: np.ndarray) -> Certificate:
    """The SGN certificate of ``F(x) = M x + q`` split into players by ``offsets``."""
    from scipy.optimize import minimize, minimize_scalar
    bounds = block_bounds(M, offsets)
    players = bounds.players

    def objective_t(log_t: float) -> float:
        return -_ratio(bounds, _geometric(np.exp(log_t), players))

    best = minimize_scalar(objective_t, bounds=(-20.0, 20.0), method="bounded",
                           options={"xatol": 1e-10})
    t_best = float(np.exp(best.x))
    w = _geometric(t_best, players)
    if players > 2:
        x0 = np.log(w[1:])
        refined = minimize(lambda x: -_ratio(bounds, np.concatenate([[1.0], np.exp(x)])), x0,
                           method="Nelder-Mead",
                           options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 4000})
        candidate = np.concatenate([[1.0], np.exp(refined.x)])
        if _ratio(bounds, candidate) > _ratio(bounds, w):
            w = candidate
    w = w / w.min()
    alpha = margin(bounds, w)
    return Certificate(w, alpha, weighted_lipschitz(bounds, w), bounds.small_gain,
                       timescale_band(bounds, t_best))
