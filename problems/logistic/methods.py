"""Public wrappers of the logistic kernels: validate, seed, allocate, call, name the columns.

Random numbers follow the family contract (:mod:`workbench.catalogue`): every method starts
from ``w = 0`` (no draw), and a sampling method passes ``kernel_seed(algorithm_rng(seed))`` to
its kernel's ``np.random.seed``.
"""

from __future__ import annotations

import numpy as np

from workbench.catalogue import algorithm_rng, kernel_seed

from .instances import LogisticInstance
from .kernels import (
    CALLS,
    DIST_SQ,
    F_GAP,
    GRAD_NORM_SQ,
    N_COLUMNS,
    TRAIN_ERROR,
    _gd_kernel,
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
