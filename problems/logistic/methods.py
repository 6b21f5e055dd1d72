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

    Claims: logreg-gd-linear-factor, logreg-separable-gd-loss.
    """
    w, checkpoints, out = _start(instance, checkpoints)
    step = step_scale / instance.constants["L"]
    _gd_kernel(instance.X, instance.y, instance.lam, step, w, instance.w_star,
               instance.f_star, checkpoints, out)
    return _as_measures(instance, out)


def run_sgd(instance: LogisticInstance, checkpoints: np.ndarray, seed: int, c: float = 1.0,
            shift: float = 1.0) -> dict[str, np.ndarray]:
    """SGD from 0, step ``c / (mu (t + shift * L_max / mu))``, last iterate recorded.

    The shift ``L_max/mu`` keeps every step below ``1/L_max``,
    ``L_max = max_i ||x_i||^2 / 4 + lam`` the largest per-example smoothness constant.
    Sample indices come from ``kernel_seed(algorithm_rng(seed))``.

    Claims: logreg-sgd-last-iterate.
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

    The orders come from ``kernel_seed(algorithm_rng(seed))``.

    Claims: perceptron-mistakes-vs-margin.
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

    The step is not scaled by ``1/L`` (contrast :func:`run_gd`); the kernel's loss and
    gradient are stable for margins of any size. Deterministic.

    Claims: tyurin-lrgd-equals-batch-perceptron, tyurin-loss-grows-with-step,
    tyurin-separation-cost-small-steps, tyurin-separation-cost-decreases-with-step,
    tyurin-normalized-lrgd-n-times-faster.
    """
    w, checkpoints, out = _start(instance, checkpoints)
    _gd_kernel(instance.X, instance.y, instance.lam, step, w, instance.w_star,
               instance.f_star, checkpoints, out)
    return _with_separation(instance, out)


def run_batch_perceptron(instance: LogisticInstance, checkpoints: np.ndarray, seed: int,
                         step: float = 1.0) -> dict[str, np.ndarray]:
    """Batch perceptron from 0, its iterate scaled by ``step``.

    ``theta_1 = (1/(2n)) sum_i y_i x_i``, then ``theta_{t+1} = theta_t + (1/n) sum_{i in S_t}
    y_i x_i`` over the misclassified set ``S_t``. The predictions do not depend on ``step``:
    the recorded point is ``step * theta_t``, the limit LR+GD with step ``step`` approaches,
    so its loss is comparable with LR+GD's. Deterministic; ``calls`` counts iterations.

    Claims: tyurin-batch-perceptron-linear-in-n, tyurin-lrgd-equals-batch-perceptron.
    """
    if instance.lam > 0:
        raise ParameterError("the batch perceptron is defined for the unregularised loss")
    w, checkpoints, out = _start(instance, checkpoints)
    _batch_perceptron_kernel(instance.X, instance.y, step, False, w, checkpoints, out)
    return _with_separation(instance, out)


def run_normalized_batch_perceptron(instance: LogisticInstance, checkpoints: np.ndarray,
                                    seed: int, step: float = 1.0) -> dict[str, np.ndarray]:
    """Normalized batch perceptron from 0: ``theta += (1/|S_t|) sum_{i in S_t} y_i x_i``.

    The recorded point is ``step * theta_t`` (see :func:`run_batch_perceptron`).
    Deterministic.

    Claims: tyurin-normalized-batch-perceptron-bound.
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

    Deterministic.

    Claims: tyurin-normalized-lrgd-bound, tyurin-normalized-lrgd-n-times-faster.
    """
    if instance.lam > 0:
        raise ParameterError("normalized LR+GD is defined for the unregularised loss")
    w, checkpoints, out = _start(instance, checkpoints)
    _normalized_lr_gd_kernel(instance.X, instance.y, step, w, checkpoints, out)
    return _with_separation(instance, out)


def run_clipped_gd(instance: LogisticInstance, checkpoints: np.ndarray, seed: int,
                   step_scale: float = 1.0, c: float = 0.1) -> dict[str, np.ndarray]:
    """Clipped GD from 0: ``w <- w - (step_scale / L) min(1, c / ||grad f(w)||) grad f(w)``.

    Deterministic.

    Claims: koloskova-clipped-gd-rate-independent-of-c.
    """
    w, checkpoints, out = _start(instance, checkpoints)
    _clipped_gd_kernel(instance.X, instance.y, instance.lam, step_scale / instance.constants["L"],
                       c, w, instance.w_star, instance.f_star, checkpoints, out)
    return _as_measures(instance, out)
