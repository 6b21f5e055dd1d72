"""Per-iteration time of the logistic-regression kernels against plain NumPy loops.

Run: ``python benchmarks/bench_logistic.py``. Prints, for two instance sizes, the time per
iteration of each Numba kernel, of a plain NumPy loop doing the same update, and of the
arithmetic floor for full-gradient steps (the two BLAS matrix-vector products ``X @ w`` and
``X.T @ s`` one gradient needs). Ratios are measured side by side in one run; JIT compilation
is done before timing.
"""

from __future__ import annotations

import time

import numpy as np

from workbench.catalogue import get_problem
from workbench.engine.checkpoints import checkpoints


def best_of(function, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def numpy_gd(inst, iterations: int) -> None:
    X, y, lam = inst.X, inst.y, inst.lam
    w = np.zeros(X.shape[1])
    step = 1 / inst.constants["L"]
    for _ in range(iterations):
        s = -y * 0.5 * (1 - np.tanh(0.5 * y * (X @ w)))
        w = w - step * (X.T @ s / X.shape[0] + lam * w)


def numpy_sgd(inst, iterations: int) -> None:
    X, y, lam = inst.X, inst.y, inst.lam
    rng = np.random.RandomState(0)
    mu, shift = inst.constants["mu"], inst.constants["L_max"] / inst.constants["mu"]
    w = np.zeros(X.shape[1])
    for t in range(iterations):
        i = rng.randint(X.shape[0])
        x = X[i]
        g = -y[i] * 0.5 * (1 - np.tanh(0.5 * y[i] * (x @ w))) * x + lam * w
        w = w - g / (mu * (t + shift))


def floor_gd(inst, iterations: int) -> None:
    X = inst.X
    w, s = np.zeros(X.shape[1]), np.zeros(X.shape[0])
    for _ in range(iterations):
        X @ w
        X.T @ s


def main() -> None:
    problem = get_problem("logistic.l2")
    print(f"{'kernel':<6} {'n x d':>11} {'kernel us/it':>13} {'numpy us/it':>12} "
          f"{'numpy/kernel':>13} {'floor us/it':>12} {'kernel/floor':>13}")
    for n, d in ((200, 20), (2000, 200)):
        inst = problem.make(0, n=n, d=d, lam=1e-2)
        for name, numpy_loop, floor, iterations in (
            ("gd", numpy_gd, floor_gd, 2000 if n < 1000 else 300),
            ("sgd", numpy_sgd, None, 20000),
        ):
            run = problem.algorithms[name].run
            grid = checkpoints(iterations, per_decade=1)
            run(inst, grid, 0)  # compile (or load the cache) before timing
            kernel = best_of(lambda r=run, i=inst, g=grid: r(i, g, 0)) / iterations * 1e6
            plain = best_of(lambda f=numpy_loop, i=inst, k=iterations: f(i, k), 3)
            plain = plain / iterations * 1e6
            line = (f"{name:<6} {f'{n} x {d}':>11} {kernel:13.2f} {plain:12.2f} "
                    f"{plain / kernel:13.1f}")
            if floor is not None:
                arith = best_of(lambda f=floor, i=inst, k=iterations: f(i, k), 3) / iterations * 1e6
                line += f" {arith:12.2f} {kernel / arith:13.2f}"
            print(line)


if __name__ == "__main__":
    main()
