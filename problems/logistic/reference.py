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


def _separation(out: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    out["separated"] = np.float64(np.min(out["train_error"]) == 0.0)
    return out


def lr_gd(instance: LogisticInstance, checkpoints: np.ndarray, seed: int,
          step: float = 1.0) -> dict[str, np.ndarray]:
    """Twin of :func:`methods.run_lr_gd`: ``w <- w - step * grad f(w)`` from 0 (raw step)."""
    X, y, lam = instance.X, instance.y, instance.lam
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
    return _separation(rec.measures(instance))


def _batch(instance: LogisticInstance, checkpoints: np.ndarray, step: float,
           normalized: bool) -> dict[str, np.ndarray]:
    X, y = instance.X, instance.y
    n = X.shape[0]
    rec = _Recorder(checkpoints)
    theta = np.zeros(X.shape[1])
    for t in range(rec.horizon + 1):
        m = margins(X, y, theta)
        if rec.due(t):
            w = step * theta
            mw = step * m
            rec.record(instance, w, mw, loss_from_margins(mw, 0.0, w),
                       gradient_from_margins(X, y, 0.0, w, mw), t)
        if t == rec.horizon:
            break
        wrong = m <= 0.0
        if not wrong.any():
            continue
        if normalized:
            scale = 1.0 / wrong.sum()
        else:
            scale = 0.5 / n if t == 0 else 1.0 / n
        theta = theta + scale * (X[wrong].T @ y[wrong])
    return _separation(rec.measures(instance))


def batch_perceptron(instance: LogisticInstance, checkpoints: np.ndarray, seed: int,
                     step: float = 1.0) -> dict[str, np.ndarray]:
    """Twin of :func:`methods.run_batch_perceptron` (Tyurin 2024, Sec. 3): first step
    ``(1/(2n)) sum_i y_i x_i``, then ``(1/n)`` times the sum over the misclassified rows."""
    return _batch(instance, checkpoints, step, normalized=False)


def normalized_batch_perceptron(instance: LogisticInstance, checkpoints: np.ndarray, seed: int,
                                step: float = 1.0) -> dict[str, np.ndarray]:
    """Twin of :func:`methods.run_normalized_batch_perceptron`: the mean over the
    misclassified rows."""
    return _batch(instance, checkpoints, step, normalized=True)


def normalized_lr_gd(instance: LogisticInstance, checkpoints: np.ndarray, seed: int,
                     step: float = 1.0) -> dict[str, np.ndarray]:
    """Twin of :func:`methods.run_normalized_lr_gd`: ``w <- w - step * grad f(w) / mean_i
    sigmoid(-m_i)``, the ratio formed with weights normalised in log space."""
    X, y = instance.X, instance.y
    rec = _Recorder(checkpoints)
    w = np.zeros(X.shape[1])
    for t in range(rec.horizon + 1):
        m = margins(X, y, w)
        if rec.due(t):
            rec.record(instance, w, m, loss_from_margins(m, 0.0, w),
                       gradient_from_margins(X, y, 0.0, w, m), t)
        if t == rec.horizon:
            break
        logp = -np.logaddexp(0.0, m)  # log sigmoid(-m)
        p = np.exp(logp - logp.max())
        w = w + step * (X.T @ (y * p)) / p.sum()
    return _separation(rec.measures(instance))


def clipped_gd(instance: LogisticInstance, checkpoints: np.ndarray, seed: int,
               step_scale: float = 1.0, c: float = 0.1) -> dict[str, np.ndarray]:
    """Twin of :func:`methods.run_clipped_gd`: ``w <- w - step min(1, c/||g||) g``."""
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
        norm = np.linalg.norm(grad)
        w = w - step * min(1.0, c / norm if norm > 0 else 1.0) * grad
    return rec.measures(instance)
