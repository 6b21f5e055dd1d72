"""Logistic-regression kernels (and the non-smooth kernels that serve the same seed papers)
against their NumPy twins and the floor.

Run: ``python -m benchmarks --family logistic`` (or ``python -m benchmarks.bench_logistic``).
The twins are the ones the algorithms register (their families' ``reference.py``: the same
update, the same seed, the same checkpoints). The floor of a full-gradient kernel is the two
matrix-vector products ``X w`` and ``X^T s`` one gradient needs (BLAS at 2000 x 200, flops at
200 x 20); per-sample kernels (SGD) count one row's flops. Kernels: GD (step 1/L and the raw
step of LR+GD share one kernel), SGD, clipped GD, the batch perceptron and Normalized LR+GD
(Tyurin 2024); SGD on l1 regression with the suffix and uniform averages, clipped SGD on the
noisy quadratic, and GD on the worst-case last-iterate construction, whose ``O(1)`` recursion is
timed against the brute-force ``O(T)``-per-step twin.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.harness import DENSE, MIDDLE, PER_SAMPLE, SMALL_VECTOR, Case
from workbench.catalogue import get_problem

FAMILY = "logistic"
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


def _gradient_floor(inst: Any) -> Callable[[int], None]:
    """``floor_blas``: ``X w`` and ``X^T s``, the two matrix-vector products of a gradient,
    into preallocated vectors."""
    X = inst.X
    w, s = np.zeros(X.shape[1]), np.zeros(X.shape[0])
    margins, grad, XT = np.empty(X.shape[0]), np.empty(X.shape[1]), X.T

    def run(iterations: int) -> None:
        for _ in range(iterations):
            np.dot(X, w, out=margins)
            np.dot(XT, s, out=grad)

    return run


def cases() -> list[Case]:
    """Every logistic kernel at 200 x 20 and 2000 x 200, and the non-smooth kernels.

    Full-gradient kernels at 2000 x 200 are dense (floor: the two BLAS products); at 200 x 20
    a BLAS call times NumPy's call overhead, so they are mid-size with the products' flops as
    floor. SGD is per-sample (one row's flops) at both sizes."""
    out = []
    for size, n, d in (("small", 200, 20), ("medium", 2000, 200)):
        for name, problem_name, params, hyper, full in LOGISTIC:
            problem = get_problem(problem_name)
            extra = {"lam": 1e-2} if problem_name == "logistic.l2" else params
            if full and size == "medium":
                kind, floor = DENSE, {"floor_blas": _gradient_floor,
                                      "floor_note": "X w and X^T s (BLAS, preallocated)"}
            else:
                flops = 4.0 * n * d if full else 4.0 * d
                kind = MIDDLE if full else PER_SAMPLE
                floor = {"floor_flops": lambda inst, t, k=flops: k * t,
                         "floor_note": "X w and X^T s (flops)" if full else "one row (flops)"}
            out.append(Case(
                FAMILY, name, f"{problem_name} {n}x{d}", size, kind,
                lambda p=problem, e=extra, n=n, d=d: p.make(0, n=n, d=d, **e),
                run=_runner(problem.algorithms[name].run, hyper),
                twin=_runner(problem.algorithms[name].twin, hyper), quick=QUICK[name],
                **floor))
    for name, problem_name, params, hyper, _ in _nonsmooth():
        problem = get_problem(problem_name)
        out.append(Case(
            "nonsmooth", name, " ".join([problem_name, *(f"{k}={v}" for k, v in params.items())]),
            "small", SMALL_VECTOR,
            lambda p=problem, q=params: p.make(0, **q),
            run=_runner(problem.algorithms[name].run, hyper),
            twin=_runner(problem.algorithms[name].twin, hyper),
            floor_flops=lambda inst, t: 10.0 * t, floor_note="O(1) per step (flops)",
            quick=QUICK[name]))
    return out


if __name__ == "__main__":
    from benchmarks.run_all import main

    raise SystemExit(main(["--family", FAMILY, *sys.argv[1:]]))
