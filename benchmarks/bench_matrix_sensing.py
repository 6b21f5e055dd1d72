"""Per-iteration time of the matrix_sensing kernels against their NumPy twins, side by side.

Run: ``OPENBLAS_NUM_THREADS=1 python benchmarks/bench_matrix_sensing.py``. Not a test: it
prints a table. Each kernel is warmed up (JIT compiled) first; then the Numba kernel (through
its public wrapper) and its plain NumPy twin from
``workbench.problems.matrix_sensing.reference`` (BLAS matmuls, one allocation per operation;
the same seed, hence the same initial factors) run on the same instance, alternately, and the
best of a few repeats is reported per iteration. Sizes: a quick-mode-like instance and a
larger one, each with the population operator and with Gaussian measurements.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from workbench.problems import matrix_sensing as ms
from workbench.problems.matrix_sensing import reference

REPEATS = 3


def best_alternating(functions: list[Callable[[], object]]) -> list[float]:
    """Best wall time of each function over ``REPEATS`` rounds, the functions alternating."""
    best = [np.inf] * len(functions)
    for _ in range(REPEATS):
        for i, function in enumerate(functions):
            start = time.perf_counter()
            function()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def bench(label: str, inst: ms.SensingInstance, k: int, iters: int) -> None:
    grid = np.array([1, iters], dtype=np.int64)
    hyper = {"k": k, "alpha": 0.1}
    cases = [
        ("gd X X^T", ms.run_gd_symmetric, reference.gd_symmetric, 0.1),
        ("gd F G^T", ms.run_gd_factored, reference.gd_factored, 0.2),
        ("gd_modified", ms.run_gd_modified, reference.gd_modified, 0.2),
    ]
    for _, kernel, _, eta in cases:  # warm-up (JIT or cache load) outside the timing
        kernel(inst, np.array([1, 2]), 0, eta=eta, **hyper)
    for name, kernel, twin, eta in cases:
        t_kernel, t_numpy = best_alternating([
            lambda f=kernel, e=eta: f(inst, grid, 0, eta=e, **hyper),
            lambda f=twin, e=eta: f(inst, grid, 0, eta=e, **hyper)])
        t_kernel, t_numpy = t_kernel / iters, t_numpy / iters
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
