"""Plain NumPy twins of the bilevel kernels, step by step, for the tests and the benchmarks.

Each twin takes the same inputs as its kernel's wrapper (the schedules come from the same
named helpers in :mod:`.methods`), uses dense NumPy algebra with one allocation per
operation, and draws its noise from ``np.random.RandomState(kernel_seed)`` in the kernel's
order (a vector draw of ``n`` normals equals ``n`` scalar draws), so it agrees with the
kernel to round-off on the same seed. Measures are returned at the checkpoints, as the
wrappers return them. A deterministic twin takes the ``seed`` and ignores it, as its
wrapper does.
"""

from __future__ import annotations

import numpy as np

from workbench.catalogue import algorithm_rng, kernel_seed

from .instances import (
    HyperCleaning,
    QuadraticBilevel,
    cleaning_cross,
    cleaning_lower_grad,
    cleaning_lower_hessian,
    cleaning_upper_grad,
    hypergradient,
    penalty_grad_gap,
    penalty_value_gap,
    upper_grad_x,
)
from .methods import borep_parameters, f2sa_schedule, penalty_operator


def _noisy(rs: np.random.RandomState | None, v: np.ndarray, sigma: float) -> np.ndarray:
    return v + sigma * rs.standard_normal(v.size) if sigma > 0 else v


def _at(grid: np.ndarray, series: dict[str, list[float]]) -> dict[str, np.ndarray]:
    return {k: np.array(v) for k, v in series.items()}


def aid(inst: QuadraticBilevel | HyperCleaning, grid: np.ndarray, seed: int,
        step_scale: float = 1.0) -> dict[str, np.ndarray]:
    """AID-FP at ``x0``: ``K`` lower-level steps, ``K`` linear-system steps, per checkpoint."""
    step = step_scale / inst.constants["L"]
    x = inst.x0
    cleaning = isinstance(inst, HyperCleaning)
    y = np.zeros(inst.A.shape[1] if cleaning else inst.dy)
    out: dict[str, list[float]] = {"hypergrad_err": [], "upper_grads": [], "lower_grads": [],
                                   "hvps": []}
    grad_true = inst.grad_true if cleaning else hypergradient(inst, x)
    checkpoints = set(int(t) for t in grid)
    for K in range(int(grid[-1]) + 1):
        if K in checkpoints:
            if cleaning:
                hess, gf = cleaning_lower_hessian(inst, x, y), cleaning_upper_grad(inst, y)
            else:
                hess, gf = inst.H, y - inst.b
            v = np.zeros_like(y)
            for _ in range(K):
                v = v - step * (hess @ v - gf)
            h = -cleaning_cross(inst, x, y, v) if cleaning else upper_grad_x(inst, x) + \
                inst.B.T @ v
            out["hypergrad_err"].append(float(np.linalg.norm(h - grad_true)))
            out["upper_grads"].append(1)
            out["lower_grads"].append(K)
            out["hvps"].append(K + 1)
        grad = cleaning_lower_grad(inst, x, y) if cleaning else inst.H @ y - inst.B @ x
        y = y - step * grad
    return _at(grid, out)


def itd(inst: QuadraticBilevel, grid: np.ndarray, seed: int,
        step_scale: float = 1.0) -> dict[str, np.ndarray]:
    """ITD at ``x0`` in forward mode: ``y_K`` and ``J_K = dy_K / dx``."""
    step = step_scale / inst.constants["L"]
    x = inst.x0
    y, J = np.zeros(inst.dy), np.zeros((inst.dy, inst.dx))
    grad_true = hypergradient(inst, x)
    out: dict[str, list[float]] = {"hypergrad_err": [], "upper_grads": [], "lower_grads": [],
                                   "hvps": []}
    checkpoints = set(int(t) for t in grid)
    for K in range(int(grid[-1]) + 1):
        if K in checkpoints:
            h = upper_grad_x(inst, x) + J.T @ (y - inst.b)
            out["hypergrad_err"].append(float(np.linalg.norm(h - grad_true)))
            out["upper_grads"].append(1)
            out["lower_grads"].append(K)
            out["hvps"].append(K * inst.dx)
        J = J - step * (inst.H @ J - inst.B)
        y = y - step * (inst.H @ y - inst.B @ x)
    return _at(grid, out)


def f2sa(inst: QuadraticBilevel, grid: np.ndarray, seed: int,
         **hyper: float) -> dict[str, np.ndarray]:
    """F2SA, one inner step per iteration, the schedule of :func:`~.methods.f2sa_schedule`."""
    sched = f2sa_schedule(inst, **hyper)
    rs = np.random.RandomState(kernel_seed(algorithm_rng(seed)))
    x, y, z = inst.x0.copy(), np.zeros(inst.dy), np.zeros(inst.dy)
    out: dict[str, list[float]] = {k: [] for k in ("grad_F_sq", "grad_F_sq_avg",
                                                   "grad_F_sq_wavg", "upper_grads",
                                                   "lower_grads", "hvps")}
    total = weighted = weights = 0.0
    checkpoints = set(int(t) for t in grid)
    for t in range(int(grid[-1]) + 1):
        sq = float(np.sum(hypergradient(inst, x) ** 2))
        if t in checkpoints:
            out["grad_F_sq"].append(sq)
            out["grad_F_sq_avg"].append(total / t if t else sq)
            out["grad_F_sq_wavg"].append(weighted / weights if t else sq)
            out["upper_grads"].append(2 * t)
            out["lower_grads"].append(4 * t)
            out["hvps"].append(0)
        s = (t + sched.k0) / sched.k0
        gamma = sched.gamma0 * s ** (-sched.c)
        lam = sched.lam0 * s**sched.p
        alpha = gamma / lam
        total += sq
        weighted += alpha * sq
        weights += alpha
        gz = _noisy(rs, inst.H @ z - inst.B @ x, inst.sigma_g)
        gy = inst.H @ y - inst.B @ x
        fy = _noisy(rs, y - inst.b, inst.sigma_f)
        gy = _noisy(rs, gy, inst.sigma_g)
        z = z - gamma * gz
        y = y - alpha * (fy + lam * gy)
        gx = _noisy(rs, upper_grad_x(inst, x), inst.sigma_f)
        gxy = _noisy(rs, -inst.B.T @ y, inst.sigma_g)
        gxz = _noisy(rs, -inst.B.T @ z, inst.sigma_g)
        x = x - sched.xi * alpha * (gx + lam * (gxy - gxz))
    return _at(grid, out)


def penalty(inst: QuadraticBilevel, grid: np.ndarray, seed: int, sigma: float = 0.01,
            inner: int = 10, step_scale: float = 0.5) -> dict[str, np.ndarray]:
    """Gradient descent on ``psi_sigma`` with warm-started inner loops."""
    P, q = penalty_operator(inst, sigma)
    eta = step_scale / inst.constants["L_F"]
    L = inst.constants["L"]
    x, y, z = inst.x0.copy(), np.zeros(inst.dy), np.zeros(inst.dy)
    out: dict[str, list[float]] = {k: [] for k in ("grad_F_norm", "penalty_grad_norm",
                                                   "value_gap", "grad_gap", "upper_grads",
                                                   "lower_grads", "hvps")}
    checkpoints = set(int(t) for t in grid)
    for t in range(int(grid[-1]) + 1):
        if t in checkpoints:
            out["grad_F_norm"].append(float(np.linalg.norm(hypergradient(inst, x))))
            out["penalty_grad_norm"].append(
                float(np.linalg.norm(upper_grad_x(inst, x) + P @ x - q)))
            out["value_gap"].append(-penalty_value_gap(inst, x, sigma))
            out["grad_gap"].append(float(np.linalg.norm(penalty_grad_gap(inst, x, sigma))))
            out["upper_grads"].append((inner + 1) * t)
            out["lower_grads"].append((2 * inner + 2) * t)
            out["hvps"].append(0)
        for _ in range(inner):
            y = y - sigma / (sigma + L) * (y - inst.b + (inst.H @ y - inst.B @ x) / sigma)
        for _ in range(inner):
            z = z - (inst.H @ z - inst.B @ x) / L
        x = x - eta * (upper_grad_x(inst, x) + (inst.B.T @ z - inst.B.T @ y) / sigma)
    return _at(grid, out)


def borep(inst: QuadraticBilevel, grid: np.ndarray, seed: int, eps: float = 0.5,
          **scales: float) -> dict[str, np.ndarray]:
    """BO-REP with the parameters of :func:`~.methods.borep_parameters`."""
    p = borep_parameters(inst, eps, **scales)
    rs = np.random.RandomState(kernel_seed(algorithm_rng(seed)))
    x, y, z, m = inst.x0.copy(), np.zeros(inst.dy), np.zeros(inst.dy), np.zeros(inst.dx)
    for _ in range(p.refine):
        y = y - p.gamma * _noisy(rs, inst.H @ y - inst.B @ x, inst.sigma_g)
    lower = p.refine
    out: dict[str, list[float]] = {k: [] for k in ("grad_norm", "grad_norm_avg",
                                                   "grad_norm_avg_rel", "upper_grads",
                                                   "lower_grads", "hvps")}
    total = 0.0
    checkpoints = set(int(t) for t in grid)
    for t in range(int(grid[-1]) + 1):
        norm = float(np.linalg.norm(hypergradient(inst, x)))
        if t in checkpoints:
            avg = total / t if t else norm
            out["grad_norm"].append(norm)
            out["grad_norm_avg"].append(avg)
            out["grad_norm_avg_rel"].append(avg / eps)
            out["upper_grads"].append(2 * t)
            out["lower_grads"].append(lower)
            out["hvps"].append(2 * t)
        total += norm
        if t > 0 and t % p.period == 0:
            for _ in range(p.inner):
                y = y - p.gamma * _noisy(rs, inst.H @ y - inst.B @ x, inst.sigma_g)
            lower += p.inner
        h = _noisy(rs, upper_grad_x(inst, x), inst.sigma_f)
        btz = _noisy(rs, inst.B.T @ z, inst.sigma_g)
        hz = _noisy(rs, inst.H @ z, inst.sigma_g)
        fy = _noisy(rs, y - inst.b, inst.sigma_f)
        z = z - p.nu * (hz - fy)
        m = h + btz if t == 0 else p.beta * m + (1 - p.beta) * (h + btz)
        x = x - p.eta * m / np.linalg.norm(m)
    return _at(grid, out)


def soba(inst: QuadraticBilevel, grid: np.ndarray, seed: int, eta_scale: float = 0.5,
         step_scale: float = 0.5) -> dict[str, np.ndarray]:
    """SOBA: one stochastic step on ``y``, ``z`` and ``x`` per iteration."""
    rs = np.random.RandomState(kernel_seed(algorithm_rng(seed)))
    eta = eta_scale / inst.constants["L_F"]
    nu = step_scale / inst.constants["L"]
    x, y, z = inst.x0.copy(), np.zeros(inst.dy), np.zeros(inst.dy)
    out: dict[str, list[float]] = {k: [] for k in ("grad_norm", "grad_norm_avg",
                                                   "upper_grads", "lower_grads", "hvps")}
    total = 0.0
    checkpoints = set(int(t) for t in grid)
    for t in range(int(grid[-1]) + 1):
        norm = float(np.linalg.norm(hypergradient(inst, x)))
        if t in checkpoints:
            out["grad_norm"].append(norm)
            out["grad_norm_avg"].append(total / t if t else norm)
            out["upper_grads"].append(2 * t)
            out["lower_grads"].append(t)
            out["hvps"].append(2 * t)
        total += norm
        h = _noisy(rs, upper_grad_x(inst, x), inst.sigma_f)
        btz = _noisy(rs, inst.B.T @ z, inst.sigma_g)
        gy = _noisy(rs, inst.H @ y - inst.B @ x, inst.sigma_g)
        hz = _noisy(rs, inst.H @ z, inst.sigma_g)
        fy = _noisy(rs, y - inst.b, inst.sigma_f)
        y = y - nu * gy
        z = z - nu * (hz - fy)
        x = x - eta * (h + btz)
    return _at(grid, out)
