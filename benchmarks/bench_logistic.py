"""Per-iteration time of the logistic-regression kernels against their NumPy twins.

Run: ``python benchmarks/bench_logistic.py``. Prints, for two instance sizes, the time per
iteration of each Numba kernel (through its public wrapper), of its plain NumPy twin from
``workbench.problems.logistic.reference`` (the same update, the same seed, the same
checkpoints), and of the arithmetic floor for full-gradient steps (the two BLAS
matrix-vector products ``X @ w`` and ``X.T @ s`` one gradient needs). Kernel and twin run
alternately, best of several repeats; JIT compilation is done before timing. The grid has one
checkpoint per decade, so recording the measures costs nothing measurable.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from workbench.problems.logistic import reference

from workbench.catalogue import get_problem
from workbench.engine.checkpoints import checkpoints

TWINS = {"gd": reference.gd, "sgd": reference.sgd}


def best_alternating(functions: list[Callable[[], object]], repeats: int = 5) -> list[float]:
    """Best wall time of each function over ``repeats`` rounds, the functions alternating."""
    best = [np.inf] * len(functions)
    for _ in range(repeats):
        for i, function in enumerate(functions):
            start = time.perf_counter()
            function()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


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
        for name, iterations, with_floor in (("gd", 2000 if n < 1000 else 300, True),
                                             ("sgd", 20000, False)):
            run, twin = problem.algorithms[name].run, TWINS[name]
            grid = checkpoints(iterations, per_decade=1)
            run(inst, grid, 0)  # compile (or load the cache) before timing
            cases = [lambda r=run, i=inst, g=grid: r(i, g, 0),
                     lambda f=twin, i=inst, g=grid: f(i, g, 0)]
            if with_floor:
                cases.append(lambda i=inst, k=iterations: floor_gd(i, k))
            times = [t / iterations * 1e6 for t in best_alternating(cases)]
            kernel, plain = times[0], times[1]
            line = (f"{name:<6} {f'{n} x {d}':>11} {kernel:13.2f} {plain:12.2f} "
                    f"{plain / kernel:13.1f}")
            if with_floor:
                line += f" {times[2]:12.2f} {kernel / times[2]:13.2f}"
            print(line)


if __name__ == "__main__":
    main()
