"""Logistic-regression instances: data, reference solutions, constants and floors.

Problem
    ``f(w) = (1/n) sum_i log(1 + exp(-y_i <x_i, w>)) + (lam/2) ||w||^2``, rows ``x_i`` and
    labels ``y_i`` in ``{-1, +1}``.

Reference accuracy
    l2: ``w*`` by damped Newton polished until the gradient norm stops falling (about 1e-17
    on the cards' sizes, tested over every card's setting), so ``||w - w*||^2`` is known to
    ``(||grad f(w*)|| / lam)^2`` (about 1e-29, the ``dist_sq`` floor) and ``f - f*`` to the
    round-off of an ``n``-term mean. Separable data: the infimum 0 is exact and ``w_sep`` is
    known by construction.

Both builders draw from ``numpy.random.default_rng(seed)`` (the family contract's instance
stream, see :mod:`workbench.catalogue`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workbench.catalogue import ParameterError

EPS = np.finfo(float).eps


@dataclass(frozen=True)
class LogisticInstance:
    """Data and reference quantities of one logistic-regression instance.

    Attributes
    ----------
    X, y
        Rows (``n x d``, C-contiguous) and labels in ``{-1, +1}``.
    lam
        The l2 weight (``mu``); 0 on separable data.
    w_star, f_star
        Reference minimiser and minimum (l2); on separable data ``w_sep`` and the infimum 0.
    constants, floors
        What a rate may name (``L``, ``mu``, ...) and each measure's absolute accuracy.
    """

    X: np.ndarray
    y: np.ndarray
    lam: float
    w_star: np.ndarray
    f_star: float
    constants: dict[str, float]
    floors: dict[str, float] = field(default_factory=dict)


# -- the objective in plain NumPy (reference solution and NumPy twins) --------------------
def margins(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``y_i <x_i, w>`` for every row."""
    return y * (X @ w)


def loss_from_margins(m: np.ndarray, lam: float, w: np.ndarray) -> float:
    """``mean(log(1 + exp(-m))) + (lam/2) ||w||^2``, stable for large ``|m|``."""
    return float(np.mean(np.logaddexp(0.0, -m)) + 0.5 * lam * w @ w)


def gradient_from_margins(X: np.ndarray, y: np.ndarray, lam: float, w: np.ndarray,
                          m: np.ndarray) -> np.ndarray:
    """``grad f(w)`` given the margins ``m`` at ``w``: ``-y sigmoid(-m)`` weights the rows."""
    weights = -y * 0.5 * (1 - np.tanh(0.5 * m))  # -y * sigmoid(-margin)
    return X.T @ weights / X.shape[0] + lam * w


def _loss_grad_numpy(X: np.ndarray, y: np.ndarray, lam: float,
                     w: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    m = margins(X, y, w)
    return loss_from_margins(m, lam, w), gradient_from_margins(X, y, lam, w, m), m


def _newton_reference(X: np.ndarray, y: np.ndarray, lam: float) -> tuple[np.ndarray, float]:
    """Minimiser of the l2-regularised loss by damped Newton, polished to round-off.

    The backtracking accepts a step whose loss is not larger beyond the round-off of an
    ``n``-term mean (``4 n eps |f|``): near the minimiser the loss cannot tell a better point
    from a worse one, and a strict decrease test there halves the Newton step to nothing
    (seen on some BLAS kernels: a gradient norm of 9e-11 left). Iterates until the gradient
    norm has not improved for three steps and returns the best iterate.

    Returns the minimiser and the norm of the gradient there (the reference's accuracy:
    ``||w - w*|| <= ||grad f(w)|| / lam`` by strong convexity).
    """
    n, d = X.shape
    w = np.zeros(d)
    best_w, best = w, np.inf
    stale = 0
    for _ in range(200):
        loss, grad, m = _loss_grad_numpy(X, y, lam, w)
        norm = float(np.linalg.norm(grad))
        if norm < best:
            best_w, best, stale = w, norm, 0
        else:
            stale += 1
            if stale >= 3:
                break
        s = 0.5 * (1 - np.tanh(0.5 * m))
        hessian = (X.T * (s * (1 - s))) @ X / n + lam * np.eye(d)
        step = np.linalg.solve(hessian, grad)
        slack = 4 * n * EPS * max(abs(loss), 1.0)
        t = 1.0
        while _loss_grad_numpy(X, y, lam, w - t * step)[0] > loss + slack and t > 1e-8:
            t *= 0.5
        w = w - t * step
    return best_w, best


# -- builders -----------------------------------------------------------------------------
def make_l2(seed: int, n: int = 200, d: int = 20, lam: float = 1e-3,
            label_noise: float = 0.5) -> LogisticInstance:
    """Gaussian rows scaled to ``||x|| ~ 1``, labels ``sign(<x, w0> + noise)``.

    ``L = ||X||_2^2 / (4 n) + lam`` and ``mu = lam``; the reference minimiser's gradient norm
    ``g`` gives the floors ``dist_sq >= (g / mu)^2`` and ``f_gap >= g^2 / (2 mu)`` plus the
    round-off of an ``n``-term mean.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((int(n), int(d))) / np.sqrt(d)
    w0 = rng.standard_normal(int(d)) * 3 / np.sqrt(d)
    y = np.sign(X @ w0 + label_noise * rng.standard_normal(int(n)))
    y[y == 0] = 1.0
    w_star, grad_norm = _newton_reference(X, y, lam)
    f_star = float(_loss_grad_numpy(X, y, lam, w_star)[0])
    L = np.linalg.norm(X, 2) ** 2 / (4 * n) + lam
    floors = {
        "f_gap": grad_norm**2 / (2 * lam) + 4 * n * EPS * abs(f_star),
        "dist_sq": (grad_norm / lam) ** 2 + (4 * EPS * np.linalg.norm(w_star)) ** 2,
        "grad_norm_sq": (4 * n * EPS) ** 2,
        "train_error": 0.0,
    }
    L_max = float(np.max(np.sum(X**2, axis=1)) / 4 + lam)
    # Every method of this family starts from w0 = 0, so ||w0 - w*||^2 = ||w*||^2.
    constants = {"L": float(L), "L_max": L_max, "mu": float(lam),
                 "reference_grad_norm": grad_norm, "dist0_sq": float(w_star @ w_star)}
    return LogisticInstance(np.ascontiguousarray(X), y, float(lam), w_star, f_star, constants,
                            floors)


def make_separable(seed: int, n: int = 100, d: int = 10, gamma: float = 0.1,
                   spread: float = 0.2) -> LogisticInstance:
    """Unit-norm rows with margin exactly ``gamma`` along a random unit vector ``w_sep``.

    Row ``i`` is ``y_i a_i w_sep + sqrt(1 - a_i^2) u_i`` with ``u_i`` a random unit vector
    orthogonal to ``w_sep`` and ``a_i = gamma + spread * U(0, 1)`` (``a_0 = gamma``), so
    ``R = max ||x_i|| = 1`` and the margin of ``w_sep`` is ``gamma``; the max margin is at
    least ``gamma``. ``f* = 0`` (infimum, not attained).
    """
    if not 0 < gamma < 1 or gamma + spread > 1:
        raise ParameterError("need 0 < gamma and gamma + spread <= 1")
    rng = np.random.default_rng(seed)
    n, d = int(n), int(d)
    w_sep = rng.standard_normal(d)
    w_sep /= np.linalg.norm(w_sep)
    u = rng.standard_normal((n, d))
    u -= np.outer(u @ w_sep, w_sep)
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    a = gamma + spread * rng.random(n)
    a[0] = gamma
    y = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    X = (y * a)[:, None] * w_sep[None, :] + np.sqrt(1 - a**2)[:, None] * u
    L = np.linalg.norm(X, 2) ** 2 / (4 * n)
    floors = {"loss": 4 * n * EPS, "grad_norm_sq": (4 * n * EPS) ** 2, "train_error": 0.0}
    constants = {"L": float(L), "R": 1.0, "gamma": float(gamma)}
    return LogisticInstance(np.ascontiguousarray(X), y, 0.0, w_sep, 0.0, constants, floors)


def make_imbalanced(seed: int, n: int = 20, jitter: float = 0.0) -> LogisticInstance:
    """The imbalanced 2-D set of Tyurin (2024), Theorem 5.1: one hard point, many easy ones.

    Row 0 is ``(0.5, -1)`` with label ``+1``; rows ``1..n-1`` are ``(-0.5, -1)`` with label
    ``-1``, so ``y_i x_i`` is ``(0.5, -1)`` once and ``(0.5, 1)`` for the rest. The batch
    perceptron needs ``Omega(n)`` iterations on it (about ``0.3 n``), the normalized variants
    two. With ``jitter > 0`` every easy row is moved by ``U(-jitter, jitter)`` per coordinate
    (drawn from ``default_rng(seed)``), which keeps the data separable by ``w_sep = (1, 0)``
    for ``jitter < 0.5``. Constants: ``R = max ||x_i||`` and ``gamma``, the margin of
    ``w_sep`` (the max margin 0.5 when ``jitter = 0``, a lower bound on it otherwise).
    """
    n = int(n)
    if n < 2:
        raise ParameterError("need n >= 2 (one hard point and at least one easy one)")
    if not 0 <= jitter < 0.5:
        raise ParameterError("need 0 <= jitter < 0.5 (separable by (1, 0))")
    rng = np.random.default_rng(seed)
    X = np.empty((n, 2))
    X[0] = (0.5, -1.0)
    X[1:] = (-0.5, -1.0)
    if jitter > 0:
        X[1:] += rng.uniform(-jitter, jitter, size=(n - 1, 2))
    y = np.full(n, -1.0)
    y[0] = 1.0
    w_sep = np.array([1.0, 0.0])
    L = np.linalg.norm(X, 2) ** 2 / (4 * n)
    floors = {"loss": 4 * n * EPS, "grad_norm_sq": (4 * n * EPS) ** 2, "train_error": 0.0}
    constants = {"L": float(L), "R": float(np.max(np.linalg.norm(X, axis=1))),
                 "gamma": float(np.min(y * (X @ w_sep)))}
    return LogisticInstance(np.ascontiguousarray(X), y, 0.0, w_sep, 0.0, constants, floors)
