"""Public wrappers of the logistic kernels: validate, seed, allocate, call, name the columns.

Random numbers follow the family contract (:mod:`workbench.catalogue`): every method starts
from ``w = 0`` (no draw), and a sampling method passes ``kernel_seed(algorithm_rng(seed))`` to
its kernel's ``np.random.seed``.
"""

from __future__ import annotations

import numpy as np

from workbench.catalogue import ParameterError, algorithm_rng, kernel_seed

from .instances import LogisticInstance
from .kernels import (
    CALLS,
    DIST_SQ,
    F_GAP,
    GRAD_NORM_SQ,
    N_COLUMNS,
    TRAIN_ERROR,
    _batch_perceptron_kernel,
    _clipped_gd_kernel,
    _gd_kernel,
    _normalized_lr_gd_kernel,
    _perceptron_kernel,
    _sgd_kernel,
)


def _start(instance: LogisticInstance,
           checkpoints: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The initial point ``w = 0``, the checkpoints as int64 and the NaN-filled output."""
    checkpoints = np.ascontiguousarray(checkpoints, dtype=np.int64)
    return np.zeros(instance.X.shape[1]), checkpoints, np.full((checkpoints.size, N_COLUMNS),
                                                               np.nan)


def _as_measures(instance: LogisticInstance, out: np.ndarray) -> dict[str, np.ndarray]:
    result = {"grad_norm_sq": out[:, GRAD_NORM_SQ], "train_error": out[:, TRAIN_ERROR],
              "calls": out[:, CALLS]}
    if instance.lam > 0:
        result.update(f_gap=out[:, F_GAP], dist_sq=out[:, DIST_SQ])
    else:
        result["loss"] = out[:, F_GAP]
    return result


def sgd_shift(instance: LogisticInstance, shift: float) -> float:
    """The step offset ``shift * L_max / mu`` of :func:`run_sgd`."""
    return shift * instance.constants["L_max"] / instance.constants["mu"]


def run_gd(instance: LogisticInstance, checkpoints: np.ndarray, seed: int,
           step_scale: float = 1.0) -> dict[str, np.ndarray]:
    """Gradient descent from 0 with step ``step_scale / L`` (deterministic).

    For ``L``-smooth ``mu``-strongly convex ``f`` and step ``1/L``,
    ``||w_t - w*||^2 <= (1 - mu/L)^t ||w_0 - w*||^2`` (standard; e.g. Garrigos and Gower,
    arXiv 2301.11235, Sec. 3). On separable data the loss decays like ``1/t`` (Soudry et al.,
    JMLR 2018, Theorem 3: ``w_t = w_hat log t + rho_t`` with ``rho_t`` bounded).
    """
    w, checkpoints, out = _start(instance, checkpoints)
    step = step_scale / instance.constants["L"]
    _gd_kernel(instance.X, instance.y, instance.lam, step, w, instance.w_star,
               instance.f_star, checkpoints, out)
    return _as_measures(instance, out)


def run_sgd(instance: LogisticInstance, checkpoints: np.ndarray, seed: int, c: float = 1.0,
            shift: float = 1.0) -> dict[str, np.ndarray]:
    """SGD from 0, step ``c / (mu (t + shift * L_max / mu))``, last iterate recorded.

    With step ``1/(mu t)`` on a ``mu``-strongly convex objective with bounded stochastic
    gradients, ``E ||w_T - w*||^2 = O(1/T)`` (Rakhlin, Shamir, Sridharan, ICML 2012,
    arXiv 1109.5647, Lemma 1). The shift ``L_max/mu`` keeps every step below ``1/L_max``,
    ``L_max = max_i ||x_i||^2 / 4 + lam`` the largest per-example smoothness constant.
    Sample indices come from ``kernel_seed(algorithm_rng(seed))``.
    """
    w, checkpoints, out = _start(instance, checkpoints)
    kseed = kernel_seed(algorithm_rng(seed))
    _sgd_kernel(instance.X, instance.y, instance.lam, instance.constants["mu"],
                sgd_shift(instance, shift), c, w, instance.w_star, instance.f_star, kseed,
                checkpoints, out)
    return _as_measures(instance, out)


def run_perceptron(instance: LogisticInstance, checkpoints: np.ndarray,
                   seed: int) -> dict[str, np.ndarray]:
    """Online perceptron from 0, a fresh random order each pass; ``calls`` counts updates.

    Novikoff (1962): on data with ``||x_i|| <= R`` separable with margin ``gamma``, the
    perceptron makes at most ``(R / gamma)^2`` mistakes, whatever the order. The orders come
    from ``kernel_seed(algorithm_rng(seed))``.
    """
    w, checkpoints, out = _start(instance, checkpoints)
    kseed = kernel_seed(algorithm_rng(seed))
    _perceptron_kernel(instance.X, instance.y, w, kseed, checkpoints, out)
    return {"train_error": out[:, TRAIN_ERROR], "calls": out[:, CALLS]}


def _with_separation(instance: LogisticInstance, out: np.ndarray) -> dict[str, np.ndarray]:
    """The measures plus the diagnostic ``separated``: 1 when the training error reached 0 at
    some checkpoint (Tyurin's loss comparisons hold before that moment)."""
    result = _as_measures(instance, out)
    result["separated"] = np.float64(np.min(out[:, TRAIN_ERROR]) == 0.0)
    return result


def run_lr_gd(instance: LogisticInstance, checkpoints: np.ndarray, seed: int,
              step: float = 1.0) -> dict[str, np.ndarray]:
    """LR+GD: gradient descent on the logistic loss from 0 with the raw step ``step``.

    Tyurin, "From Logistic Regression to the Perceptron Algorithm: Exploring Gradient Descent
    with Large Step Sizes" (AAAI 2025, arXiv 2412.08424), Theorem 3.2: on separable data
    ``theta_t / step`` tends to the batch perceptron's iterate as ``step -> inf``; Sec. 4:
    larger steps give higher losses before the data are separated. The step is not scaled by
    ``1/L`` (contrast :func:`run_gd`); the kernel's loss and gradient are stable for margins
    of any size. Deterministic.
    """
    w, checkpoints, out = _start(instance, checkpoints)
    _gd_kernel(instance.X, instance.y, instance.lam, step, w, instance.w_star,
               instance.f_star, checkpoints, out)
    return _with_separation(instance, out)


def run_batch_perceptron(instance: LogisticInstance, checkpoints: np.ndarray, seed: int,
                         step: float = 1.0) -> dict[str, np.ndarray]:
    """Batch perceptron from 0 (Tyurin 2024, Sec. 3), its iterate scaled by ``step``.

    ``theta_1 = (1/(2n)) sum_i y_i x_i``, then ``theta_{t+1} = theta_t + (1/n) sum_{i in S_t}
    y_i x_i`` over the misclassified set ``S_t``; at most ``n R^2 / mu^2`` iterations
    (Theorem 3.3, ``mu`` the max margin), ``Omega(n)`` on the set of Theorem 5.1. The
    predictions do not depend on ``step``: the recorded point is ``step * theta_t``, the
    limit LR+GD with step ``step`` approaches (Theorem 3.2), so its loss is comparable with
    LR+GD's. Deterministic; ``calls`` counts iterations.
    """
    if instance.lam > 0:
        raise ParameterError("the batch perceptron is defined for the unregularised loss")
    w, checkpoints, out = _start(instance, checkpoints)
    _batch_perceptron_kernel(instance.X, instance.y, step, False, w, checkpoints, out)
    return _with_separation(instance, out)


def run_normalized_batch_perceptron(instance: LogisticInstance, checkpoints: np.ndarray,
                                    seed: int, step: float = 1.0) -> dict[str, np.ndarray]:
    """Normalized batch perceptron from 0: ``theta += (1/|S_t|) sum_{i in S_t} y_i x_i``.

    Tyurin (2024), Theorem 5.3: at most ``R^2 / mu^2`` iterations, ``n`` times fewer than the
    batch perceptron's bound. The recorded point is ``step * theta_t`` (see
    :func:`run_batch_perceptron`). Deterministic.
    """
    if instance.lam > 0:
        raise ParameterError("the batch perceptron is defined for the unregularised loss")
    w, checkpoints, out = _start(instance, checkpoints)
    _batch_perceptron_kernel(instance.X, instance.y, step, True, w, checkpoints, out)
    return _with_separation(instance, out)


def run_normalized_lr_gd(instance: LogisticInstance, checkpoints: np.ndarray, seed: int,
                         step: float = 1.0) -> dict[str, np.ndarray]:
    """Normalized LR+GD from 0: ``theta_{t+1} = theta_t - step * beta_t * grad f(theta_t)``
    with ``beta_t = (mean_i sigmoid(-y_i <x_i, theta_t>))^{-1}``.

    Tyurin (2024), Theorem 6.1: it separates the data after at most ``R^2/mu^2 +
    2 log(2n - 1) / (step mu^2)`` iterations. Deterministic.
    """
    if instance.lam > 0:
        raise ParameterError("normalized LR+GD is defined for the unregularised loss")
    w, checkpoints, out = _start(instance, checkpoints)
    _normalized_lr_gd_kernel(instance.X, instance.y, step, w, checkpoints, out)
    return _with_separation(instance, out)


def run_clipped_gd(instance: LogisticInstance, checkpoints: np.ndarray, seed: int,
                   step_scale: float = 1.0, c: float = 0.1) -> dict[str, np.ndarray]:
    """Clipped GD from 0: ``w <- w - (step_scale / L) min(1, c / ||grad f(w)||) grad f(w)``.

    Koloskova, Hendrikx, Stich, "Revisiting Gradient Clipping: Stochastic bias and tight
    convergence guarantees" (ICML 2023, arXiv 2305.01588): with exact gradients the
    threshold ``c`` only affects higher-order terms of the rate. Deterministic.
    """
    w, checkpoints, out = _start(instance, checkpoints)
    _clipped_gd_kernel(instance.X, instance.y, instance.lam, step_scale / instance.constants["L"],
                       c, w, instance.w_star, instance.f_star, checkpoints, out)
    return _as_measures(instance, out)
