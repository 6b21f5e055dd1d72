"""Public wrappers of the non-smooth kernels: validate, seed, allocate, call, name the columns.

Random numbers follow the family contract (:mod:`workbench.catalogue`): SGD starts from
``w = 0`` (no draw) and passes ``kernel_seed(algorithm_rng(seed))`` to its kernel; the
worst-case construction is deterministic.

One public wrapper per schedule keeps the call sites readable (``sgd_sqrt_t``); they share
one kernel per problem. References: Robbins and Monro (1951) for SGD; Harvey, Liaw, Plan,
Randhawa, "Tight analyses for non-smooth stochastic gradient descent", COLT 2019, arXiv
1812.05217 (the ``1/(mu t)`` and ``1/sqrt(t)`` last iterates, ``Theta(log T / T)`` and
``Theta(log T / sqrt(T))``); Liu and Zhou, "Revisiting the Last-Iterate Convergence of
Stochastic Gradient Methods", ICLR 2024, arXiv 2312.08531 (the same rates in expectation and
with high probability, unbounded domains); Defazio, Cutkosky, Mehta, Mishchenko, "When, Why
and How Much? Adaptive Learning Rate Scheduling by Refinement", arXiv 2310.07831 (linear
decay, last iterate ``O(1/sqrt(T))``); Koloskova, Hendrikx, Stich, ICML 2023, arXiv
2305.01588 (clipping).
"""

from __future__ import annotations

import numpy as np

from workbench.catalogue import ParameterError, algorithm_rng, kernel_seed

from .instances import (
    PiecewiseLinearInstance,
    QuadraticInstance,
    WorstCaseInstance,
    construction,
    two_point_law,
)
from .kernels import (
    CALLS,
    DIST_SQ,
    F_GAP,
    F_GAP_AVG,
    F_GAP_SUFFIX,
    N_COLUMNS,
    Q_CALLS,
    Q_COLUMNS,
    Q_DIST_SQ,
    Q_F_GAP,
    Q_GRAD_NORM,
    SCHEDULES,
    W_CALLS,
    W_COLUMNS,
    W_DIST_SQ,
    W_F_GAP,
    _order_margin,
    _quadratic_kernel,
    _sgd_kernel,
    _worst_case_kernel,
)

#: Smallest certified margin of the worst-case construction's piece order (relative).
ORDER_TOLERANCE = 1e-12


def _grid(checkpoints: np.ndarray, columns: int) -> tuple[np.ndarray, np.ndarray]:
    checkpoints = np.ascontiguousarray(checkpoints, dtype=np.int64)
    return checkpoints, np.full((checkpoints.size, columns), np.nan)


def steps(schedule: str, eta: float, mu: float, horizon: int) -> np.ndarray:
    """The steps ``eta_1..eta_T`` of a schedule (1-based), as the kernels compute them."""
    t = np.arange(horizon, dtype=float)
    if schedule == "mu_t":
        return eta / (mu * (t + 1.0))
    if schedule == "sqrt_t":
        return eta / np.sqrt(t + 1.0)
    if schedule == "linear_decay":
        return eta / np.sqrt(horizon) * (1.0 - t / horizon)
    return np.full(horizon, float(eta))


def _sgd(instance: PiecewiseLinearInstance, checkpoints: np.ndarray, seed: int,
         schedule: str, eta: float) -> dict[str, np.ndarray]:
    mu = instance.constants["mu"]
    if schedule == "mu_t" and mu <= 0:
        raise ParameterError("the step 1/(mu t) needs a strongly convex instance (lam > 0)")
    checkpoints, out = _grid(checkpoints, N_COLUMNS)
    w = np.zeros(instance.A.shape[1])
    kseed = kernel_seed(algorithm_rng(seed))
    _sgd_kernel(instance.A, instance.b, instance.lo, instance.lam, mu, SCHEDULES[schedule],
                eta, w, instance.w_star, instance.f_star, kseed, checkpoints,
                checkpoints // 2, out)
    return {"f_gap": out[:, F_GAP], "f_gap_avg": out[:, F_GAP_AVG],
            "f_gap_suffix": out[:, F_GAP_SUFFIX], "dist_sq": out[:, DIST_SQ],
            "calls": out[:, CALLS]}


def run_sgd_mu_t(instance: PiecewiseLinearInstance, checkpoints: np.ndarray, seed: int,
                 eta: float = 1.0) -> dict[str, np.ndarray]:
    """SGD from 0 with step ``eta / (mu t)`` (``t = 1, 2, ...``), one sampled row per step.

    Claims: liu-zhou-strongly-convex-last-iterate-hp, liu-zhou-suffix-average-hp,
    liu-zhou-log-factor-absent-on-l1-ridge.
    """
    return _sgd(instance, checkpoints, seed, "mu_t", eta)


def run_sgd_sqrt_t(instance: PiecewiseLinearInstance, checkpoints: np.ndarray, seed: int,
                   eta: float = 1.0) -> dict[str, np.ndarray]:
    """SGD from 0 with step ``eta / sqrt(t)``, one sampled row per step.

    Claims: liu-zhou-convex-last-iterate-hp, liu-zhou-log-factor-absent-on-l1.
    """
    return _sgd(instance, checkpoints, seed, "sqrt_t", eta)


def run_sgd_linear_decay(instance: PiecewiseLinearInstance, checkpoints: np.ndarray, seed: int,
                         eta: float = 1.0) -> dict[str, np.ndarray]:
    """SGD from 0 with the linear decay ``(eta / sqrt(T)) (1 - t/T)``, ``t = 0..T-1``, ``T``
    the horizon (the last checkpoint).

    Claims: defazio-linear-decay-l1, defazio-linear-decay-hinge,
    defazio-linear-decay-only-removes-log-on-l1.
    """
    return _sgd(instance, checkpoints, seed, "linear_decay", eta)


def _quadratic(instance: QuadraticInstance, checkpoints: np.ndarray, seed: int,
               schedule: str, eta: float, c: float) -> dict[str, np.ndarray]:
    checkpoints, out = _grid(checkpoints, Q_COLUMNS)
    x = instance.x0.copy()
    two_a, two_b, two_p = two_point_law(instance.sigma, c)
    kseed = kernel_seed(algorithm_rng(seed))
    _quadratic_kernel(x, instance.sigma, instance.law, c, SCHEDULES[schedule], eta, two_a,
                      two_b, two_p, kseed, checkpoints, out)
    return {"grad_norm": out[:, Q_GRAD_NORM], "f_gap": out[:, Q_F_GAP],
            "dist_sq": out[:, Q_DIST_SQ], "calls": out[:, Q_CALLS]}


def run_clipped_sgd_mu_t(instance: QuadraticInstance, checkpoints: np.ndarray, seed: int,
                         eta: float = 1.0, c: float = 1.0) -> dict[str, np.ndarray]:
    """(Clipped) SGD on ``||x||^2/2`` with step ``eta / t`` (``mu = 1``); ``c > 0`` clips the
    stochastic gradient to norm ``c``, ``c = 0`` does not clip.

    Claims: koloskova-no-convergence-two-point, koloskova-bias-floor-scales-as-1-over-c,
    koloskova-no-floor-gaussian-noise.
    """
    return _quadratic(instance, checkpoints, seed, "mu_t", eta, c)


def run_clipped_sgd_sqrt_t(instance: QuadraticInstance, checkpoints: np.ndarray, seed: int,
                           eta: float = 1.0, c: float = 1.0) -> dict[str, np.ndarray]:
    """(Clipped) SGD on ``||x||^2/2`` with step ``eta / sqrt(t)`` (see
    :func:`run_clipped_sgd_mu_t`).

    Claims: koloskova-clipped-sgd-bias-floor.
    """
    return _quadratic(instance, checkpoints, seed, "sqrt_t", eta, c)


def run_clipped_sgd_constant(instance: QuadraticInstance, checkpoints: np.ndarray, seed: int,
                             eta: float = 0.01, c: float = 1.0) -> dict[str, np.ndarray]:
    """(Clipped) SGD on ``||x||^2/2`` with the constant step ``eta`` (see
    :func:`run_clipped_sgd_mu_t`).

    Claims: koloskova-bias-floor-constant-step.
    """
    return _quadratic(instance, checkpoints, seed, "constant", eta, c)


def _worst_case(instance: WorstCaseInstance, checkpoints: np.ndarray, schedule: str,
                eta: float) -> dict[str, np.ndarray]:
    checkpoints, out = _grid(checkpoints, W_COLUMNS)
    horizon = int(checkpoints[-1])
    a, b = construction(horizon, instance.mu)
    eta_t = steps(schedule, eta, instance.mu, horizon)
    margin = _order_margin(a, b, instance.mu, eta_t)
    if not margin > ORDER_TOLERANCE:
        raise ParameterError(f"GD does not visit the pieces in order with this schedule "
                             f"(certificate margin {margin:.3g}); the O(1) recursion does "
                             "not apply")
    largest = _worst_case_kernel(a, b, instance.mu, eta_t, checkpoints, out)
    return {"f_gap": out[:, W_F_GAP], "dist_sq": out[:, W_DIST_SQ], "calls": out[:, W_CALLS],
            "order_margin": np.float64(margin), "max_norm_sq": np.float64(largest)}


def run_gd_mu_t(instance: WorstCaseInstance, checkpoints: np.ndarray, seed: int,
                eta: float = 1.0) -> dict[str, np.ndarray]:
    """GD with step ``eta / (mu t)`` on the strongly convex construction for ``T`` = the
    horizon. Here ``f(x_{T+1}) = sum_j a_j x_j + (mu/2)||x||^2`` with ``x_j = (b_j - (T - j)
    a_j) / (mu T)``, about ``mu ln(T) / (4T)``. Deterministic.

    Claims: harvey-strongly-convex-last-iterate-log-factor.
    """
    if instance.mu <= 0:
        raise ParameterError("the step 1/(mu t) needs mu > 0")
    return _worst_case(instance, checkpoints, "mu_t", eta)


def run_gd_sqrt_t(instance: WorstCaseInstance, checkpoints: np.ndarray, seed: int,
                  eta: float = 1.0) -> dict[str, np.ndarray]:
    """GD with step ``eta / sqrt(t)`` on the convex construction. Deterministic.

    Claims: harvey-convex-last-iterate-log-factor.
    """
    return _worst_case(instance, checkpoints, "sqrt_t", eta)


def run_gd_linear_decay(instance: WorstCaseInstance, checkpoints: np.ndarray, seed: int,
                        eta: float = 1.0) -> dict[str, np.ndarray]:
    """GD with the linear decay ``(eta / sqrt(T)) (1 - t/T)`` on the convex construction
    built against ``1/sqrt(t)``. Deterministic.

    Claims: defazio-linear-decay-worst-case.
    """
    return _worst_case(instance, checkpoints, "linear_decay", eta)
