"""Plain NumPy twins of the non-smooth kernels, step by step (tests and benchmarks).

Each twin takes the arguments of its public wrapper in ``methods`` and returns the same
measures with dense NumPy algebra. Sampling twins draw from ``RandomState(kernel_seed(
algorithm_rng(seed)))`` exactly as the kernels do after ``np.random.seed``. The worst-case
twin runs GD on the dense ``(T + 1) x T`` matrix of pieces with the argmax oracle (smallest
index among ties), ``O(T^2)`` per run: it checks the kernel's ``O(1)`` recursion and the
order in which GD visits the pieces on small ``T``.
"""

from __future__ import annotations

import numpy as np

from workbench.catalogue import algorithm_rng, kernel_seed

from .instances import (
    PiecewiseLinearInstance,
    QuadraticInstance,
    WorstCaseInstance,
    construction,
    objective,
    subgradient_weights,
    two_point_law,
)
from .methods import steps


def _sgd(instance: PiecewiseLinearInstance, checkpoints: np.ndarray, seed: int, schedule: str,
         eta: float) -> dict[str, np.ndarray]:
    A, b, lo, lam = instance.A, instance.b, instance.lo, instance.lam
    checkpoints = np.asarray(checkpoints, dtype=np.int64)
    horizon = int(checkpoints[-1])
    eta_t = steps(schedule, eta, instance.constants["mu"], horizon)
    rng = np.random.RandomState(kernel_seed(algorithm_rng(seed)))
    w = np.zeros(A.shape[1])
    iterates = [w.copy()]  # w_0, w_1, ...: O(T d) memory, fine for a twin on small runs
    for t in range(horizon):
        i = rng.randint(A.shape[0])
        slope = subgradient_weights(np.array([A[i] @ w - b[i]]), lo)[0]
        w = w - eta_t[t] * (slope * A[i] + lam * w)
        iterates.append(w.copy())
    path = np.array(iterates)
    f = [objective(A, b, lo, lam, path[t]) - instance.f_star for t in checkpoints]
    avg = [objective(A, b, lo, lam, path[1:t + 1].mean(axis=0)) - instance.f_star
           for t in checkpoints]
    suffix = [objective(A, b, lo, lam, path[t // 2 + 1:t + 1].mean(axis=0)) - instance.f_star
              for t in checkpoints]
    dist = [float(np.sum((path[t] - instance.w_star) ** 2)) for t in checkpoints]
    return {"f_gap": np.array(f), "f_gap_avg": np.array(avg), "f_gap_suffix": np.array(suffix),
            "dist_sq": np.array(dist), "calls": checkpoints.astype(float)}


def sgd_mu_t(instance: PiecewiseLinearInstance, checkpoints: np.ndarray, seed: int,
             eta: float = 1.0) -> dict[str, np.ndarray]:
    """Twin of :func:`methods.run_sgd_mu_t`."""
    return _sgd(instance, checkpoints, seed, "mu_t", eta)


def sgd_sqrt_t(instance: PiecewiseLinearInstance, checkpoints: np.ndarray, seed: int,
               eta: float = 1.0) -> dict[str, np.ndarray]:
    """Twin of :func:`methods.run_sgd_sqrt_t`."""
    return _sgd(instance, checkpoints, seed, "sqrt_t", eta)


def sgd_linear_decay(instance: PiecewiseLinearInstance, checkpoints: np.ndarray, seed: int,
                     eta: float = 1.0) -> dict[str, np.ndarray]:
    """Twin of :func:`methods.run_sgd_linear_decay`."""
    return _sgd(instance, checkpoints, seed, "linear_decay", eta)


def _quadratic(instance: QuadraticInstance, checkpoints: np.ndarray, seed: int,
               schedule: str, eta: float, c: float) -> dict[str, np.ndarray]:
    checkpoints = np.asarray(checkpoints, dtype=np.int64)
    horizon = int(checkpoints[-1])
    eta_t = steps(schedule, eta, 1.0, horizon)
    two_a, two_b, two_p = two_point_law(instance.sigma, c)
    rng = np.random.RandomState(kernel_seed(algorithm_rng(seed)))
    d = instance.x0.size
    x = instance.x0.copy()
    rows = []
    for t in range(horizon + 1):
        if t in checkpoints:
            rows.append((np.linalg.norm(x), 0.5 * x @ x, x @ x, t))
        if t == horizon:
            break
        g = x.copy()
        if instance.law == 1:
            for j in range(d):
                g[j] += instance.sigma / np.sqrt(d) * rng.standard_normal()
        elif instance.law == 2:
            g[0] += two_a if rng.random_sample() < two_p else -two_b
        elif instance.law == 3:
            for j in range(d):
                z = rng.standard_normal()
                chi = sum(rng.standard_normal() ** 2 for _ in range(3))
                g[j] += instance.sigma / np.sqrt(3.0 * d) * z / np.sqrt(chi / 3.0)
        scale = eta_t[t]
        norm = np.linalg.norm(g)
        if c > 0 and norm > c:
            scale *= c / norm
        x = x - scale * g
    norm, f, dist, calls = np.array(rows, dtype=float).T
    return {"grad_norm": norm, "f_gap": f, "dist_sq": dist, "calls": calls}


def clipped_sgd_mu_t(instance: QuadraticInstance, checkpoints: np.ndarray, seed: int,
                     eta: float = 1.0, c: float = 1.0) -> dict[str, np.ndarray]:
    """Twin of :func:`methods.run_clipped_sgd_mu_t`."""
    return _quadratic(instance, checkpoints, seed, "mu_t", eta, c)


def clipped_sgd_sqrt_t(instance: QuadraticInstance, checkpoints: np.ndarray, seed: int,
                       eta: float = 1.0, c: float = 1.0) -> dict[str, np.ndarray]:
    """Twin of :func:`methods.run_clipped_sgd_sqrt_t`."""
    return _quadratic(instance, checkpoints, seed, "sqrt_t", eta, c)


def clipped_sgd_constant(instance: QuadraticInstance, checkpoints: np.ndarray, seed: int,
                         eta: float = 0.01, c: float = 1.0) -> dict[str, np.ndarray]:
    """Twin of :func:`methods.run_clipped_sgd_constant`."""
    return _quadratic(instance, checkpoints, seed, "constant", eta, c)


def pieces(horizon: int, mu: float) -> np.ndarray:
    """The construction's ``h_1..h_{T+1}`` as the rows of a dense ``(T + 1) x T`` matrix."""
    a, b = construction(horizon, mu)
    H = np.tril(np.broadcast_to(a, (horizon + 1, horizon)), k=-1).copy()
    H[np.arange(horizon), np.arange(horizon)] = -b
    return H


def worst_case_path(instance: WorstCaseInstance, horizon: int, schedule: str,
                    eta: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Brute-force GD on the construction: the piece visited at each step (1-based), and
    ``f(x_{k+1})``, ``||x_{k+1}||^2`` and the order margin at ``x_{k+1}`` after each step
    ``k = 1..T``.

    The oracle returns the smallest index among the pieces within ``1e-12`` (relative) of
    the maximum: ties are exact in exact arithmetic, round-off may split them. The margin at
    ``x_t`` is ``(<h_t, x_t> - max_{i<t} <h_i, x_t>) / (|<h_t, x_t>| + |max_{i<t}|)``, the
    quantity the kernel's certificate bounds from below by its envelope.
    """
    mu = instance.mu
    H = pieces(horizon, mu)
    eta_t = steps(schedule, eta, mu, horizon)
    x = np.zeros(horizon)
    visited, values, norms, margins = [], [], [], []
    for k in range(horizon):
        v = H @ x
        top = v.max()
        i = int(np.flatnonzero(v >= top - 1e-12 * max(1.0, abs(top)))[0])
        visited.append(i + 1)
        x = x - eta_t[k] * (H[i] + mu * x)
        v = H @ x
        values.append(v.max() + 0.5 * mu * x @ x)
        norms.append(x @ x)
        frontier, rival = v[k + 1], v[:k + 1].max()
        margins.append((frontier - rival) / (abs(frontier) + abs(rival) + 1e-300))
    return np.array(visited), np.array(values), np.array(norms), np.array(margins)


def _worst_case(instance: WorstCaseInstance, checkpoints: np.ndarray, schedule: str,
                eta: float) -> dict[str, np.ndarray]:
    checkpoints = np.asarray(checkpoints, dtype=np.int64)
    _, values, norms, margins = worst_case_path(instance, int(checkpoints[-1]), schedule, eta)
    return {"f_gap": values[checkpoints - 1], "dist_sq": norms[checkpoints - 1],
            "calls": checkpoints.astype(float), "order_margin": np.float64(margins.min()),
            "max_norm_sq": np.float64(norms.max())}


def gd_mu_t(instance: WorstCaseInstance, checkpoints: np.ndarray, seed: int,
            eta: float = 1.0) -> dict[str, np.ndarray]:
    """Twin of :func:`methods.run_gd_mu_t`, diagnostics by brute force."""
    return _worst_case(instance, checkpoints, "mu_t", eta)


def gd_sqrt_t(instance: WorstCaseInstance, checkpoints: np.ndarray, seed: int,
              eta: float = 1.0) -> dict[str, np.ndarray]:
    """Twin of :func:`methods.run_gd_sqrt_t`."""
    return _worst_case(instance, checkpoints, "sqrt_t", eta)


def gd_linear_decay(instance: WorstCaseInstance, checkpoints: np.ndarray, seed: int,
                    eta: float = 1.0) -> dict[str, np.ndarray]:
    """Twin of :func:`methods.run_gd_linear_decay`."""
    return _worst_case(instance, checkpoints, "linear_decay", eta)
