"""Public wrappers of the matrix-sensing kernels: validate, draw the initial factors, allocate.

Random numbers follow the family contract (:mod:`workbench.catalogue`): the initial factors
are the first draws of ``algorithm_rng(seed)`` (``X0``/``F0`` first, then ``G0``); the kernels
sample nothing, so no kernel seed is drawn.

References
----------
.. [1] N. Xiong, L. Ding, S. S. Du, "How Over-Parameterization Slows Down Gradient Descent
   in Matrix Sensing: The Curses of Symmetry and Initialization", ICLR 2024,
   arXiv 2310.01769.
"""

from __future__ import annotations

import numpy as np

from workbench.catalogue import ParameterError, algorithm_rng

from .instances import SensingInstance
from .kernels import (
    FROB_SQ,
    LOSS,
    N_COLUMNS,
    REBALANCED,
    _asymmetric_gd_kernel,
    _rebalance,
    _symmetric_gd_kernel,
)

G_INIT_RATIO = 1.0 / 3.0  # G0 scale / F0 scale in the asymmetric initialisation of [1]


def _checkpoints(checkpoints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    checkpoints = np.ascontiguousarray(checkpoints, dtype=np.int64)
    return checkpoints, np.full((checkpoints.size, N_COLUMNS), np.nan)


def _operator(instance: SensingInstance) -> tuple[np.ndarray | None, np.ndarray | None]:
    """``(A, y)`` for the kernels, ``(None, None)`` for the population operator: Numba then
    compiles a specialisation without the Gaussian code (and without compiling it)."""
    return (None, None) if instance.population else (instance.A, instance.y)


def check_hyper(instance: SensingInstance, k: float, alpha: float, eta: float) -> int:
    """``k`` as an int after checking ``k >= r``, ``alpha > 0``, ``eta > 0``."""
    rank = int(instance.constants["r"])
    if int(k) != k or k < rank:
        raise ParameterError(f"k must be an integer >= r = {rank}, got {k}")
    if alpha <= 0 or eta <= 0:
        raise ParameterError(f"alpha and eta must be positive, got alpha={alpha}, eta={eta}")
    return int(k)


def _measures(out: np.ndarray, checkpoints: np.ndarray) -> dict[str, np.ndarray]:
    """The measures, and ``calls``: one gradient per iteration."""
    return {"frobenius_sq": out[:, FROB_SQ], "frobenius": np.sqrt(out[:, FROB_SQ]),
            "loss": out[:, LOSS], "calls": checkpoints.astype(float)}


def initial_factors(instance: SensingInstance, rng: np.random.RandomState, k: int,
                    alpha: float, asymmetric: bool) -> tuple[np.ndarray, np.ndarray]:
    """The small random initialisation ``X0`` (or ``F0``, ``G0``), drawn from ``rng``.

    ``X0``/``F0`` entries ``N(0, alpha^2)``, then ``G0`` entries ``N(0, (alpha/3)^2)`` ([1]);
    for the symmetric parameterization ``G0`` is a copy of ``X0``. Pass
    ``algorithm_rng(seed)`` (the contract's algorithm stream).
    """
    n1, n2 = instance.M_star.shape
    F = alpha * rng.standard_normal((n1, k))
    G = alpha * G_INIT_RATIO * rng.standard_normal((n2, k)) if asymmetric else F.copy()
    return np.ascontiguousarray(F), np.ascontiguousarray(G)


def run_gd_symmetric(instance: SensingInstance, checkpoints: np.ndarray, seed: int,
                     k: float = 4, alpha: float = 0.1,
                     eta: float = 0.1) -> dict[str, np.ndarray]:
    """GD on ``X X^T`` for a symmetric PSD ``M*``: ``X <- X - eta sym(A*(A(X X^T) - y)) X``.

    Claims: ms-sym-overparam-omega-T2, ms-sym-exact-linear.
    """
    if not instance.symmetric:
        raise ValueError("the symmetric parameterization X X^T needs a symmetric instance")
    k = check_hyper(instance, k, alpha, eta)
    checkpoints, out = _checkpoints(checkpoints)
    X, _ = initial_factors(instance, algorithm_rng(seed), k, alpha, asymmetric=False)
    _symmetric_gd_kernel(X, instance.M_star, *_operator(instance), float(eta), checkpoints, out)
    return _measures(out, checkpoints)


def imbalance_min(F: np.ndarray, G: np.ndarray) -> float:
    """``lambda_min(F^T F - G^T G)``: the initialization's imbalance, which GD conserves up to
    ``O(eta)`` and which sets the ``alpha^2`` rate of the over-parameterized excess ([1],
    Sec. 4: the analysis needs it positive; ``F0``'s scale ``alpha`` against ``G0``'s
    ``alpha/3`` makes it so with high probability when ``n1`` is large against ``n2 / 9``)."""
    return float(np.linalg.eigvalsh(F.T @ F - G.T @ G)[0])


def _run_factored(instance: SensingInstance, F: np.ndarray, G: np.ndarray, eta: float,
                  switch_tol: float, beta: float, checkpoints: np.ndarray,
                  out: np.ndarray) -> None:
    """Factored GD in place; with ``switch_tol > 0`` the one rebalancing step (in NumPy,
    between two calls of the kernel) at the first iterate with ``loss <= switch_tol * 0.5
    ||y||^2`` (``||M*||_F^2`` for the population operator)."""
    level = -1.0
    if switch_tol > 0:
        energy = float(np.sum(instance.M_star**2)) if instance.population \
            else float(instance.y @ instance.y)
        level = switch_tol * 0.5 * energy
    args = (instance.M_star, *_operator(instance), float(eta))
    stop = _asymmetric_gd_kernel(F, G, *args, level, 0, 0.0, checkpoints, out)
    if stop >= 0:
        _rebalance(F, G, beta)
        _asymmetric_gd_kernel(F, G, *args, -1.0, stop, 1.0, checkpoints, out)


def run_gd_factored(instance: SensingInstance, checkpoints: np.ndarray, seed: int,
                    k: float = 4, alpha: float = 0.1,
                    eta: float = 0.2) -> dict[str, np.ndarray]:
    """GD on the asymmetric parameterization ``F G^T`` of any ``M*`` (symmetric or not).

    ``E = A*(A(F G^T) - y)``, ``F <- F - eta E G``, ``G <- G - eta E^T F`` (simultaneous),
    from ``F0 ~ N(0, alpha^2)``, ``G0 ~ N(0, (alpha/3)^2)`` entries (the imbalanced
    initialisation of [1], Sec. 4).

    Claims: ms-asym-exact-linear, ms-asym-overparam-alpha2, ms-sym-target-asym-param-linear.
    """
    k = check_hyper(instance, k, alpha, eta)
    checkpoints, out = _checkpoints(checkpoints)
    F, G = initial_factors(instance, algorithm_rng(seed), k, alpha, asymmetric=True)
    imbalance = imbalance_min(F, G)
    _run_factored(instance, F, G, eta, -1.0, 1.0, checkpoints, out)
    return {**_measures(out, checkpoints), "imbalance_min": imbalance}


def run_gd_modified(instance: SensingInstance, checkpoints: np.ndarray, seed: int,
                    k: float = 4, alpha: float = 0.1, eta: float = 0.2,
                    switch_tol: float = 1e-2, beta: float = 1.0) -> dict[str, np.ndarray]:
    """Asymmetric GD with one rebalancing step: a rate independent of ``alpha``.

    [1] (abstract; Sec. 5, step (5.1)) modifies one step of GD, applied once the iterate is
    close to ``M*``, and proves a linear rate independent of ``alpha``. **We could not
    consult the text of step (5.1)**; this kernel implements the modification as we
    reconstruct it from the paper's mechanism (the rate of plain GD is set by the imbalance
    ``F^T F - G^T G ~ alpha^2``, so one step that makes one factor well conditioned removes
    the ``alpha`` dependence): at the first iterate with ``loss <= switch_tol * 0.5 ||y||^2``
    (computable from the data), with ``S = (G^T G)^{1/2}``,

    ``F <- F S / beta``,  ``G <- beta G S^{-1}``,

    which keeps ``F G^T`` (and hence the error) unchanged and sets all ``k`` singular values
    of ``G`` to ``beta`` (default 1 = ``sqrt(sigma_1(M*))``). The excess part of ``F`` then
    contracts by ``1 - eta beta^2`` per step instead of ``1 - O(eta alpha^2)``. Plain GD runs
    before and after. The output also carries ``rebalanced`` (1 from the switch on).

    Claims: ms-asym-modified-alpha-free.
    """
    k = check_hyper(instance, k, alpha, eta)
    if switch_tol <= 0 or beta <= 0:
        raise ParameterError("switch_tol and beta must be positive")
    checkpoints, out = _checkpoints(checkpoints)
    F, G = initial_factors(instance, algorithm_rng(seed), k, alpha, asymmetric=True)
    imbalance = imbalance_min(F, G)
    _run_factored(instance, F, G, eta, float(switch_tol), float(beta), checkpoints, out)
    return {**_measures(out, checkpoints), "rebalanced": out[:, REBALANCED],
            "imbalance_min": imbalance}
