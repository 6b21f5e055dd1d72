"""Per-iteration time of the matrix_sensing kernels against plain NumPy, side by side.

Run: ``python benchmarks/bench_matrix_sensing.py``. Not a test: it prints a table. Each kernel
is warmed up (JIT compiled) first; then the Numba kernel and a plain NumPy loop doing the
same update (BLAS matmuls, one allocation per operation) run on the same instance and
initialisation, alternately, and the best of a few repeats is reported per iteration.
Sizes: a quick-mode-like instance and a larger one, each with the population operator and
with Gaussian measurements.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from workbench.problems import matrix_sensing as ms

REPEATS = 3


def numpy_symmetric(inst: ms.SensingInstance, X: np.ndarray, eta: float, iters: int) -> None:
    for _ in range(iters):
        P = X @ X.T
        if inst.population:
            E = P - inst.M_star
        else:
            E = (inst.A.T @ (inst.A @ P.ravel() - inst.y)).reshape(P.shape)
            E = 0.5 * (E + E.T)
        _ = np.sum((P - inst.M_star) ** 2)
        X = X - eta * E @ X


def numpy_asymmetric(inst: ms.SensingInstance, F: np.ndarray, G: np.ndarray, eta: float,
                     iters: int) -> None:
    for _ in range(iters):
        P = F @ G.T
        if inst.population:
            E = P - inst.M_star
        else:
            E = (inst.A.T @ (inst.A @ P.ravel() - inst.y)).reshape(P.shape)
        _ = np.sum((P - inst.M_star) ** 2)
        F, G = F - eta * E @ G, G - eta * E.T @ F


def best_time(function: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def bench(label: str, inst: ms.SensingInstance, k: int, iters: int) -> None:
    grid = np.array([1, iters], dtype=np.int64)
    X0, _ = ms.initial_factors(inst, 0, k, 0.1, asymmetric=False)
    F0, G0 = ms.initial_factors(inst, 0, k, 0.1, asymmetric=True)
    cases = [
        ("gd X X^T", lambda: ms.run_gd(inst, grid, 0, k=k, alpha=0.1, eta=0.1),
         lambda: numpy_symmetric(inst, X0, 0.1, iters)),
        ("gd F G^T", lambda: ms.run_gd_asym(inst, grid, 0, k=k, alpha=0.1, eta=0.2),
         lambda: numpy_asymmetric(inst, F0, G0, 0.2, iters)),
        ("gd_modified", lambda: ms.run_gd_modified(inst, grid, 0, k=k, alpha=0.1, eta=0.2),
         lambda: numpy_asymmetric(inst, F0, G0, 0.2, iters)),
    ]
    for name, kernel, numpy_version in cases:
        ms.run_gd(inst, np.array([1, 2]), 0, k=k)  # warm-up (JIT) outside the timing
        ms.run_gd_asym(inst, np.array([1, 2]), 0, k=k)
        ms.run_gd_modified(inst, np.array([1, 2]), 0, k=k)
        t_kernel = best_time(kernel) / iters
        t_numpy = best_time(numpy_version) / iters
        print(f"{label:<28} {name:<12} {t_kernel * 1e6:10.2f} {t_numpy * 1e6:10.2f} "
              f"{t_numpy / t_kernel:8.1f}x")


def main() -> None:
    print(f"{'instance':<28} {'kernel':<12} {'numba us':>10} {'numpy us':>10} {'speedup':>9}")
    bench("n=10 k=4 population", ms.make_symmetric(0, n=10, r=2), 4, 20000)
    bench("n=50 k=10 population", ms.make_symmetric(0, n=50, r=5), 10, 2000)
    bench("n=10 k=4 Gaussian m=300", ms.make_symmetric(0, n=10, r=2, m=300), 4, 5000)
    bench("n=30 k=6 Gaussian m=2000", ms.make_symmetric(0, n=30, r=3, m=2000), 6, 300)


if __name__ == "__main__":
    main()
