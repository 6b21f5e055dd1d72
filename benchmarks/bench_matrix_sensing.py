"""Matrix-sensing kernels against their NumPy twins and the BLAS floor.

Run: ``python -m benchmarks --family matrix_sensing`` (or ``python -m
benchmarks.bench_matrix_sensing``). The twins are ``problems/matrix_sensing/reference.py``
(BLAS products, one allocation per operation; same seed, hence the same initial factors).
The floor is every BLAS product one iteration needs, into preallocated buffers: ``X X^T``
and ``E X`` (symmetric) or ``F G^T``, ``E G`` and ``E^T F`` (factored), plus, with Gaussian
measurements, the two matrix-vector products ``A vec(P)`` and ``A^T r``. The symmetric
kernel's ``sym(E)`` and every elementwise update are left out of the floor.

Instances: the population operator at quick size (``n = 10``, ``k = 4``; a small vector)
and full size (``n = 30``, ``k = 6``; mid-size: a 900-entry matrix), and Gaussian
measurements at ``m = 300`` (``n = 10``) and ``m = 2000`` (``n = 30``, ``k = 6``, the size
of issue 16).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial

import numpy as np
from workbench.problems import matrix_sensing as ms
from workbench.problems.matrix_sensing import reference

from benchmarks.harness import DENSE, MIDDLE, SMALL_VECTOR, Case

FAMILY = "matrix_sensing"
# The cheapest quick-mode run of each kernel in the cards (horizon, linear checkpoints).
QUICK = {"gd": (1000, 60), "gd_asym": (1000, 60), "gd_modified": (1500, 60)}


def _floor(inst: ms.SensingInstance, k: int, factored: bool) -> Callable[[int], None]:
    n1, n2 = inst.M_star.shape
    rng = np.random.default_rng(0)
    F, G = rng.standard_normal((n1, k)), rng.standard_normal((n2, k))
    P, E = np.empty((n1, n2)), inst.M_star.copy()
    DF, DG = np.empty((n1, k)), np.empty((n2, k))
    res, e = np.empty(inst.A.shape[0]), E.reshape(-1)
    A, At = inst.A, inst.A.T
    gaussian = not inst.population
    GT = G.T if factored else F.T

    def run(iterations: int) -> None:
        for _ in range(iterations):
            np.dot(F, GT, out=P)
            if gaussian:
                np.dot(A, P.reshape(-1), out=res)
                np.dot(At, res, out=e)
            np.dot(E, G if factored else F, out=DF)
            if factored:
                np.dot(E.T, F, out=DG)

    return run


def _cases(size: str, label: str, kind: str, n: int, n2: int, r: int, k: int,
           m: int) -> list[Case]:
    def symmetric() -> ms.SensingInstance:
        return ms.make_symmetric(0, n=n, r=r, m=m)

    def asymmetric() -> ms.SensingInstance:
        return ms.make_asymmetric(0, n1=n, n2=n2, r=r, m=m)

    hyper = {"k": k, "alpha": 0.1}
    modified = {**hyper, "eta": 0.2, "switch_tol": 1e-2, "beta": 1.0}
    specs = [
        ("gd", symmetric, ms.run_gd_symmetric, reference.gd_symmetric, {**hyper, "eta": 0.1},
         False),
        ("gd_asym", asymmetric, ms.run_gd_factored, reference.gd_factored,
         {**hyper, "eta": 0.2}, True),
        ("gd_modified", asymmetric, ms.run_gd_modified, reference.gd_modified, modified,
         True),
    ]
    cases = []
    for name, build, run, twin, options, factored in specs:
        note = ("F G^T, E G, E^T F" if factored else "X X^T, E X") + \
            (" + A vec(P), A^T r" if m else "")
        floor: dict[str, object] = {
            "floor_blas": partial(_floor, k=k, factored=factored),
            "floor_note": note + " (BLAS, preallocated)"}
        if not m:  # population: BLAS calls this small time NumPy's overhead: count flops
            products = 3 if factored else 2
            floor = {"floor_flops": lambda inst, t, p=products: p * 2.0 * inst.M_star.size * k * t,
                     "floor_note": note + " (flops)"}
        cases.append(Case(
            FAMILY, name, label if name == "gd" else label.replace(f"n={n}", f"{n}x{n2}"),
            size, kind, build,
            run=lambda inst, grid, f=run, o=options: f(inst, grid, 0, **o),
            twin=lambda inst, grid, f=twin, o=options: f(inst, grid, 0, **o),
            quick=QUICK[name], specialisation="Gaussian" if m else "population", **floor))
    return cases


def cases() -> list[Case]:
    """Every matrix-sensing kernel on a small and a medium instance of each operator."""
    return [
        *_cases("small", "n=10 k=4 population", SMALL_VECTOR, 10, 12, 2, 4, 0),
        # n x n = 900 entries: not a small vector (dimension under 100), not dense (a
        # matrix-vector product of dimension 1000 or more): mid-size, never slower than NumPy.
        *_cases("medium", "n=30 k=6 population", MIDDLE, 30, 24, 3, 6, 0),
        *_cases("small", "n=10 k=4 Gaussian m=300", MIDDLE, 10, 10, 2, 4, 300),
        *_cases("medium", "n=30 k=6 Gaussian m=2000", DENSE, 30, 30, 3, 6, 2000),
    ]


if __name__ == "__main__":
    from benchmarks.run_all import main

    raise SystemExit(main(["--family", FAMILY, *sys.argv[1:]]))
