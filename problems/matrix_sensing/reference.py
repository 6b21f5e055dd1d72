"""Plain NumPy twins of the matrix-sensing kernels, step by step (tests and benchmarks).

Each twin takes the arguments of its public wrapper in ``methods`` and returns the same
measures, with dense NumPy algebra (BLAS products, one allocation per operation) instead of
Numba loops. The initial factors are drawn here as the family contract says, independently of
``methods.initial_factors``: ``rng = algorithm_rng(seed)``, ``F0 = alpha N(0, 1)`` first, then
``G0 = (alpha / 3) N(0, 1)``, so a test comparing twin and wrapper on the same seed also
checks the wrapper's random-number convention.

References
----------
.. [1] N. Xiong, L. Ding, S. S. Du, arXiv 2310.01769, eq. (2.2) (symmetric GD), Sec. 4
   (asymmetric GD), Sec. 5 (the one-step modification; reconstructed, see ``methods``).
"""

from __future__ import annotations

import numpy as np

from workbench.catalogue import algorithm_rng

from .instances import SensingInstance


def _residual(inst: SensingInstance, P: np.ndarray) -> tuple[np.ndarray, float]:
    """``E = A*(A(P) - y)`` and ``0.5 ||A(P) - y||^2``."""
    if inst.population:
        E = P - inst.M_star
        return E, 0.5 * float(np.sum(E * E))
    res = inst.A @ P.ravel() - inst.y
    return (inst.A.T @ res).reshape(P.shape), 0.5 * float(res @ res)


def _factors(inst: SensingInstance, seed: int, k: float, alpha: float,
             asymmetric: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = algorithm_rng(seed)
    n1, n2 = inst.M_star.shape
    F = alpha * rng.standard_normal((n1, int(k)))
    G = alpha / 3.0 * rng.standard_normal((n2, int(k))) if asymmetric else F
    return F, G


def _finish(rows: list[tuple[float, float, float]], checkpoints: np.ndarray,
            rebalanced: bool, imbalance: float | None = None) -> dict[str, np.ndarray]:
    frob_sq, loss, switched = np.array(rows, dtype=float).T
    out = {"frobenius_sq": frob_sq, "frobenius": np.sqrt(frob_sq), "loss": loss,
           "calls": np.asarray(checkpoints, dtype=float)}
    if rebalanced:
        out["rebalanced"] = switched
    if imbalance is not None:
        out["imbalance_min"] = imbalance
    return out


def _imbalance(inst: SensingInstance, seed: int, k: float, alpha: float) -> float:
    F, G = _factors(inst, seed, k, alpha, asymmetric=True)
    return float(np.min(np.linalg.eigvalsh(F.T @ F - G.T @ G)))


def gd_symmetric(inst: SensingInstance, checkpoints: np.ndarray, seed: int, k: float = 4,
                 alpha: float = 0.1, eta: float = 0.1) -> dict[str, np.ndarray]:
    """Twin of :func:`methods.run_gd_symmetric`: ``X <- X - eta sym(E) X``."""
    X, _ = _factors(inst, seed, k, alpha, asymmetric=False)
    grid = np.asarray(checkpoints, dtype=np.int64)
    rows: list[tuple[float, float, float]] = []
    for t in range(int(grid[-1]) + 1):
        P = X @ X.T
        E, loss = _residual(inst, P)
        if len(rows) < grid.size and t == grid[len(rows)]:
            rows.append((float(np.sum((P - inst.M_star) ** 2)), loss, 0.0))
        if t == grid[-1]:
            break
        X = X - eta * 0.5 * (E + E.T) @ X
    return _finish(rows, grid, rebalanced=False)


def _factored(inst: SensingInstance, checkpoints: np.ndarray, seed: int, k: float,
              alpha: float, eta: float, switch_tol: float, beta: float) -> list[tuple]:
    F, G = _factors(inst, seed, k, alpha, asymmetric=True)
    grid = np.asarray(checkpoints, dtype=np.int64)
    energy = np.sum(inst.M_star**2) if inst.population else inst.y @ inst.y
    switched = False
    rows: list[tuple[float, float, float]] = []
    for t in range(int(grid[-1]) + 1):
        E, loss = _residual(inst, F @ G.T)
        if switch_tol > 0 and not switched and loss <= switch_tol * 0.5 * energy:
            w, Q = np.linalg.eigh(G.T @ G)
            F = F @ (Q * np.sqrt(w)) @ Q.T / beta
            G = beta * G @ (Q / np.sqrt(w)) @ Q.T
            switched = True
            E, loss = _residual(inst, F @ G.T)
        if len(rows) < grid.size and t == grid[len(rows)]:
            rows.append((float(np.sum((F @ G.T - inst.M_star) ** 2)), loss, float(switched)))
        if t == grid[-1]:
            break
        F, G = F - eta * E @ G, G - eta * E.T @ F
    return rows


def gd_factored(inst: SensingInstance, checkpoints: np.ndarray, seed: int, k: float = 4,
                alpha: float = 0.1, eta: float = 0.2) -> dict[str, np.ndarray]:
    """Twin of :func:`methods.run_gd_factored`: ``F <- F - eta E G``, ``G <- G - eta E^T F``."""
    rows = _factored(inst, checkpoints, seed, k, alpha, eta, -1.0, 1.0)
    return _finish(rows, checkpoints, rebalanced=False,
                   imbalance=_imbalance(inst, seed, k, alpha))


def gd_modified(inst: SensingInstance, checkpoints: np.ndarray, seed: int, k: float = 4,
                alpha: float = 0.1, eta: float = 0.2, switch_tol: float = 1e-2,
                beta: float = 1.0) -> dict[str, np.ndarray]:
    """Twin of :func:`methods.run_gd_modified`: factored GD plus the one rebalancing step."""
    rows = _factored(inst, checkpoints, seed, k, alpha, eta, switch_tol, beta)
    return _finish(rows, checkpoints, rebalanced=True, imbalance=_imbalance(inst, seed, k, alpha))
