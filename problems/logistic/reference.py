"""Plain NumPy twins of the logistic kernels, step by step (used by the tests and benchmarks).

Each twin takes the arguments of its public wrapper in ``methods`` and returns the same
measures, computed with dense NumPy algebra instead of Numba loops. A twin follows the same
random-number convention (:mod:`workbench.catalogue`): ``RandomState(kernel_seed(
algorithm_rng(seed)))`` replays the sample indices the kernel draws after
``np.random.seed`` (Numba's ``np.random`` is NumPy's legacy Mersenne Twister). Tests compare
a kernel with its twin to round-off; the benchmarks time one against the other.
"""

from __future__ import annotations

import numpy as np

from workbench.catalogue import algorithm_rng, kernel_seed

from .instances import LogisticInstance, gradient_from_margins, loss_from_margins, margins
from .methods import sgd_shift


class _Recorder:
    """The measures at the checkpoints, filled in order as the twin reaches them."""

    def __init__(self, checkpoints: np.ndarray) -> None:
        self.checkpoints = np.asarray(checkpoints, dtype=np.int64)
        self.rows: list[tuple[float, float, float, float, float]] = []

    @property
    def horizon(self) -> int:
        return int(self.checkpoints[-1])

    def due(self, t: int) -> bool:
        return len(self.rows) < self.checkpoints.size and t == self.checkpoints[len(self.rows)]

    def record(self, instance: LogisticInstance, w: np.ndarray, m: np.ndarray,
               loss: float, grad: np.ndarray, calls: int) -> None:
        self.rows.append((loss - instance.f_star, float(np.sum((w - instance.w_star) ** 2)),
                          float(grad @ grad), float(np.mean(m <= 0.0)), float(calls)))

    def measures(self, instance: LogisticInstance) -> dict[str, np.ndarray]:
        gap, dist, gsq, wrong, calls = np.array(self.rows, dtype=float).T
        out = {"grad_norm_sq": gsq, "train_error": wrong, "calls": calls}
        if instance.lam > 0:
            out.update(f_gap=gap, dist_sq=dist)
        else:
            out["loss"] = gap
        return out


def gd(instance: LogisticInstance, checkpoints: np.ndarray, seed: int,
       step_scale: float = 1.0) -> dict[str, np.ndarray]:
    """Twin of :func:`methods.run_gd`: ``w <- w - (step_scale / L) grad f(w)`` from 0."""
    X, y, lam = instance.X, instance.y, instance.lam
    step = step_scale / instance.constants["L"]
    rec = _Recorder(checkpoints)
    w = np.zeros(X.shape[1])
    for t in range(rec.horizon + 1):
        m = margins(X, y, w)
        grad = gradient_from_margins(X, y, lam, w, m)
        if rec.due(t):
            rec.record(instance, w, m, loss_from_margins(m, lam, w), grad, t)
        if t == rec.horizon:
            break
        w = w - step * grad
    return rec.measures(instance)


def sgd(instance: LogisticInstance, checkpoints: np.ndarray, seed: int, c: float = 1.0,
        shift: float = 1.0) -> dict[str, np.ndarray]:
    """Twin of :func:`methods.run_sgd`: one uniformly drawn example per step, step
    ``c / (mu (t + shift L_max / mu))``, the full gradient evaluated at checkpoints only."""
    X, y, lam = instance.X, instance.y, instance.lam
    mu, offset = instance.constants["mu"], sgd_shift(instance, shift)
    rng = np.random.RandomState(kernel_seed(algorithm_rng(seed)))
    rec = _Recorder(checkpoints)
    w = np.zeros(X.shape[1])
    for t in range(rec.horizon + 1):
        if rec.due(t):
            m = margins(X, y, w)
            rec.record(instance, w, m, loss_from_margins(m, lam, w),
                       gradient_from_margins(X, y, lam, w, m), t)
        if t == rec.horizon:
            break
        i = rng.randint(X.shape[0])
        coef = -y[i] * 0.5 * (1.0 - np.tanh(0.5 * y[i] * (X[i] @ w)))
        w = w - c / (mu * (t + offset)) * (coef * X[i] + lam * w)
    return rec.measures(instance)


def perceptron(instance: LogisticInstance, checkpoints: np.ndarray,
               seed: int) -> dict[str, np.ndarray]:
    """Twin of :func:`methods.run_perceptron`: a fresh random order each pass, ``w += y_i x_i``
    on a mistake; ``calls`` counts the mistakes."""
    X, y = instance.X, instance.y
    n = X.shape[0]
    rng = np.random.RandomState(kernel_seed(algorithm_rng(seed)))
    rec = _Recorder(checkpoints)
    w = np.zeros(X.shape[1])
    order = np.arange(n)
    mistakes = 0
    for t in range(rec.horizon + 1):
        if rec.due(t):
            rec.record(instance, w, margins(X, y, w), 0.0, np.zeros(0), mistakes)
        if t == rec.horizon:
            break
        if t % n == 0:
            rng.shuffle(order)
        i = order[t % n]
        if y[i] * (X[i] @ w) <= 0.0:
            mistakes += 1
            w = w + y[i] * X[i]
    out = rec.measures(instance)
    return {"train_error": out["train_error"], "calls": out["calls"]}
