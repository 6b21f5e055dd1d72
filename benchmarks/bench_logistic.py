"""Per-iteration time of the logistic-regression kernels (and of the non-smooth kernels that
serve the same seed papers) against their NumPy twins.

Run: ``python benchmarks/bench_logistic.py``. Prints, per kernel and instance size, the time
per iteration of the Numba kernel (through its public wrapper), of its plain NumPy twin from
the family's ``reference.py`` (the same update, the same seed, the same checkpoints), and, for
full-gradient steps, of the arithmetic floor (the two BLAS matrix-vector products ``X @ w``
and ``X.T @ s`` one gradient needs). Kernel and twin run alternately, best of several
repeats; JIT compilation is done before timing. The grid has one checkpoint per decade, so
recording the measures costs nothing measurable.

Kernels: GD (step 1/L and the raw step of LR+GD share one kernel), SGD, clipped GD, the batch
perceptron and Normalized LR+GD (Tyurin 2024); SGD on l1 regression with the suffix and
uniform averages, clipped SGD on the noisy quadratic, and GD on the worst-case last-iterate
construction, whose ``O(1)`` recursion is timed against the brute-force ``O(T)``-per-step
twin (the ratio grows with ``T``; it is quoted at the stated ``T``).

``FAMILY`` and :func:`cases` describe the same kernels for the shared benchmark harness
(``python -m benchmarks``), when it is present.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from workbench.problems.logistic import reference
from workbench.problems.nonsmooth import reference as ns_reference

from workbench.catalogue import get_problem
from workbench.engine.checkpoints import checkpoints

FAMILY = "logistic"
TWINS = {"gd": reference.gd, "sgd": reference.sgd, "lr_gd": reference.lr_gd,
         "clipped_gd": reference.clipped_gd, "batch_perceptron": reference.batch_perceptron,
         "normalized_lr_gd": reference.normalized_lr_gd}
#: (kernel, problem, instance parameters, hyperparameters, whether a full-gradient floor)
LOGISTIC = [
    ("gd", "logistic.l2", {}, {}, True),
    ("sgd", "logistic.l2", {}, {}, False),
    ("clipped_gd", "logistic.l2", {}, {"c": 0.01}, True),
    ("lr_gd", "logistic.separable", {"gamma": 0.02, "spread": 0.3}, {"step": 1e4}, True),
    ("batch_perceptron", "logistic.separable", {"gamma": 0.02, "spread": 0.3}, {}, True),
    ("normalized_lr_gd", "logistic.separable", {"gamma": 0.02, "spread": 0.3}, {"step": 1.0},
     True),
]


def best_alternating(functions: list[Callable[[], object]], repeats: int = 5) -> list[float]:
    """Best wall time of each function over ``repeats`` rounds, the functions alternating."""
    best = [np.inf] * len(functions)
    for _ in range(repeats):
        for i, function in enumerate(functions):
            start = time.perf_counter()
            function()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def floor_gd(inst: Any, iterations: int) -> None:
    X = inst.X
    w, s = np.zeros(X.shape[1]), np.zeros(X.shape[0])
    for _ in range(iterations):
        X @ w
        X.T @ s


def _line(name: str, size: str, times: list[float], with_floor: bool) -> str:
    kernel, plain = times[0], times[1]
    line = f"{name:<18} {size:>16} {kernel:13.2f} {plain:12.2f} {plain / kernel:13.1f}"
    if with_floor:
        line += f" {times[2]:12.2f} {kernel / times[2]:13.2f}"
    return line


def main() -> None:
    print(f"{'kernel':<18} {'instance':>16} {'kernel us/it':>13} {'numpy us/it':>12} "
          f"{'numpy/kernel':>13} {'floor us/it':>12} {'kernel/floor':>13}")
    for n, d in ((200, 20), (2000, 200)):
        for name, problem_name, params, hyper, with_floor in LOGISTIC:
            problem = get_problem(problem_name)
            extra = {"lam": 1e-2} if problem_name == "logistic.l2" else params
            inst = problem.make(0, n=n, d=d, **extra)
            iterations = 20000 if name == "sgd" else (2000 if n < 1000 else 300)
            run, twin = problem.algorithms[name].run, TWINS[name]
            grid = checkpoints(iterations, per_decade=1)
            run(inst, grid, 0, **hyper)  # compile (or load the cache) before timing
            cases = [lambda r=run, i=inst, g=grid, h=hyper: r(i, g, 0, **h),
                     lambda f=twin, i=inst, g=grid, h=hyper: f(i, g, 0, **h)]
            if with_floor:
                cases.append(lambda i=inst, k=iterations: floor_gd(i, k))
            times = [t / iterations * 1e6 for t in best_alternating(cases)]
            print(_line(name, f"{n} x {d}", times, with_floor))
    for name, problem_name, params, hyper, iterations in _nonsmooth():
        problem = get_problem(problem_name)
        inst = problem.make(0, **params)
        run, twin = problem.algorithms[name].run, getattr(ns_reference, name)
        grid = checkpoints(iterations, per_decade=1)
        run(inst, grid, 0, **hyper)
        times = [t / iterations * 1e6 for t in best_alternating(
            [lambda r=run, i=inst, g=grid, h=hyper: r(i, g, 0, **h),
             lambda f=twin, i=inst, g=grid, h=hyper: f(i, g, 0, **h)], repeats=3)]
        size = " ".join(f"{k}={v:g}" for k, v in params.items()) or f"T={iterations}"
        print(_line(name, size, times, False))


def _nonsmooth() -> list[tuple[str, str, dict, dict, int]]:
    """(kernel, problem, parameters, hyperparameters, iterations) of the non-smooth cases."""
    return [
        ("sgd_mu_t", "nonsmooth.l1_ridge", {"n": 100, "d": 10}, {}, 20000),
        ("sgd_linear_decay", "nonsmooth.l1", {"n": 100, "d": 10}, {}, 20000),
        ("clipped_sgd_mu_t", "nonsmooth.quadratic", {"d": 1}, {"c": 2.0}, 20000),
        ("gd_mu_t", "nonsmooth.worst_case_sc", {}, {}, 400),
        ("gd_linear_decay", "nonsmooth.worst_case", {}, {}, 400),
    ]


def _runner(function: Callable[..., Any], hyper: dict) -> Callable[[Any, np.ndarray], Any]:
    """``run(instance, grid)`` with seed 0 and ``hyper``, as the harness calls it."""
    return lambda inst, grid: function(inst, grid, 0, **hyper)


#: The cheapest quick-mode run of each kernel in the cards (horizon, linear checkpoints), for
#: the harness's recording measurement (lr_gd: its smallest run but the T = 2 sweep point).
QUICK = {"gd": (1500, 60), "sgd": (100000, 0), "clipped_gd": (1500, 60), "lr_gd": (2000, 0),
         "batch_perceptron": (2000, 0), "normalized_lr_gd": (5000, 0),
         "sgd_mu_t": (100000, 0), "sgd_linear_decay": (100, 0), "clipped_sgd_mu_t": (1000, 0),
         "gd_mu_t": (100, 0), "gd_linear_decay": (100, 0)}


def cases() -> list[Any]:
    """The same kernels as :func:`main`, as cases of the shared harness
    (``benchmarks.harness``, imported here so that this script runs without it)."""
    from benchmarks.harness import DENSE, PER_SAMPLE, SMALL_VECTOR, Case

    out = []
    for size, n, d in (("small", 200, 20), ("medium", 2000, 200)):
        for name, problem_name, params, hyper, full in LOGISTIC:
            problem = get_problem(problem_name)
            extra = {"lam": 1e-2} if problem_name == "logistic.l2" else params
            flops = 4.0 * n * d if full else 4.0 * d
            out.append(Case(
                FAMILY, name, f"{problem_name} {n}x{d}", size, DENSE if full else PER_SAMPLE,
                lambda p=problem, e=extra, n=n, d=d: p.make(0, n=n, d=d, **e),
                run=_runner(problem.algorithms[name].run, hyper),
                twin=_runner(TWINS[name], hyper),
                floor_flops=lambda inst, t, k=flops: k * t,
                floor_note="X w and X^T s (flops)" if full else "one row (flops)",
                quick=QUICK[name]))
    for name, problem_name, params, hyper, _ in _nonsmooth():
        problem = get_problem(problem_name)
        out.append(Case(
            "nonsmooth", name, f"{problem_name} {params}", "small", SMALL_VECTOR,
            lambda p=problem, q=params: p.make(0, **q),
            run=_runner(problem.algorithms[name].run, hyper),
            twin=_runner(getattr(ns_reference, name), hyper),
            floor_flops=lambda inst, t: 10.0 * t, floor_note="O(1) per step (flops)",
            quick=QUICK[name]))
    return out


if __name__ == "__main__":
    main()
