"""Operator-method kernels (``problems/operators``, instances of ``problems/monotone``) against
their NumPy twins and the floor.

Run: ``python -m benchmarks --family operators`` (or ``python -m
benchmarks.bench_operators``). The twins are ``problems/operators/reference.py`` (same
instance, same seed, same checkpoints). Sizes: ``d = 20`` (small-vector: the floor is the
iteration's matrix-vector flops at the measured in-cache rate, since a BLAS call this small
times NumPy's call overhead) and ``d = 1000`` (dense: the floor is the iteration's
matrix-vector products ``np.dot(M, z, out=...)``, one per operator evaluation: one for GDA,
optimistic, proximal point and Halpern, two for extragradient, four for RK4).

The proximal-point twin solves ``(I + g M) z+ = z - g q`` at every step, as the method is
written; the kernel applies the resolvent the wrapper factorises once (its one-time cost is
taken out of the time per iteration, see :mod:`benchmarks.harness`). The variance-reduced
kernels do a varying number of matrix-vector products per iteration (full passes with a
decreasing probability, ``b`` sampled components otherwise; ``n log k`` inner steps per outer
step for the resolvent variant), so their times are per expected ``d x d`` product (unit
``mv``), counted from the method's parameters.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import cache

import numpy as np
from workbench.problems import operators as ops
from workbench.problems.monotone import instances
from workbench.problems.operators.methods import (
    vr_halpern_parameters,
    vr_halpern_resolvent_parameters,
)

from benchmarks.harness import DENSE, MIDDLE, PER_SAMPLE, SMALL_VECTOR, Case

FAMILY = "operators"
CALLS_PER_STEP = {"gda": 1, "extragradient": 2, "optimistic": 1, "proximal_point": 1,
                  "halpern": 1, "halpern_resolvent": 1, "flow_rk4": 4}
# The cheapest quick-mode run of each method in the cards: (horizon, linear checkpoints).
QUICK = {"gda": (800, 60), "extragradient": (600, 60), "optimistic": (100000, 0),
         "proximal_point": (600, 60), "halpern": (5000, 0), "halpern_resolvent": (100000, 0),
         "flow_rk4": (800, 60), "vr_halpern": (20000, 0), "vr_halpern_resolvent": (1000, 0)}
BUILDERS: dict[str, Callable[..., ops.AffineOperator]] = {
    "strongly": instances.make_strongly_monotone, "comonotone": instances.make_comonotone,
    "cocoercive": instances.make_cocoercive, "box": instances.make_bilinear_box,
    "finite_sum": instances.make_finite_sum, "finite_sum_skew": instances.make_finite_sum_skew}


@cache
def _instance(kind: str, **params: float) -> ops.AffineOperator:
    """Instances are built once (those with ``d = 1000`` take seconds)."""
    return BUILDERS[kind](0, **params)


def _matvec_floor(op: ops.AffineOperator, calls: int) -> Callable[[int], None]:
    z, out = op.z0.copy(), np.empty(op.d)
    M = op.M

    def run(iterations: int) -> None:
        for _ in range(iterations * calls):
            np.dot(M, z, out=out)

    return run


def _vr_products(op: ops.AffineOperator, iterations: int) -> float:
    """Expected ``d x d`` products in ``iterations`` steps of ``vr_halpern``: a full pass
    (one product with the mean) with probability ``max(2/(t + 2), p_floor)``, ``b`` sampled
    products otherwise."""
    par = vr_halpern_parameters(op)
    p = np.maximum(2.0 / (np.arange(iterations) + 2.0), par["p_floor"])
    return float(np.sum(p + (1 - p) * par["batch"]))


def _vr_resolvent_products(op: ops.AffineOperator, iterations: int) -> float:
    """Expected ``d x d`` products in ``iterations`` outer steps of ``vr_halpern_resolvent``:
    ``ceil(inner_scale n log(t + 2))`` inner steps, each one sampled product plus a full pass
    with probability ``p``."""
    par = vr_halpern_resolvent_parameters(op)
    inner = np.ceil(par["inner_scale"] * op.n * np.log(np.arange(iterations) + 2.0))
    return float(np.sum(inner) * (1.0 + par["p"]))


def _case(method: str, size: str, label: str, kind: str, build: Callable[[], object],
          **extra: object) -> Case:
    run, twin = ops.METHODS[method].run, ops.METHODS[method].twin
    if "units" not in extra:
        calls = CALLS_PER_STEP[method]
        if kind == DENSE:
            extra.update(floor_blas=lambda op, c=calls: _matvec_floor(op, c),
                         floor_note=f"{calls} x np.dot(M, z, out=...) (BLAS dgemv)")
        else:
            extra.update(floor_flops=lambda op, t, c=calls: c * 2.0 * op.d**2 * t,
                         floor_note=f"{calls} x 2 d^2 flops")
    return Case(FAMILY, method, label, size, kind, build,
                run=lambda op, grid, f=run: f(op, grid, 0),
                twin=lambda op, grid, f=twin: f(op, grid, 0),
                quick=QUICK[method], **extra)


def _vr_case(method: str, size: str, label: str, build: Callable[[], object],
             products: Callable[[ops.AffineOperator, int], float]) -> Case:
    kind = PER_SAMPLE if size == "small" else MIDDLE  # d = 200: a sample is a 200 x 200 matvec
    return _case(method, size, label, kind, build, unit="mv", units=products,
                 floor_flops=lambda op, t: products(op, t) * 2.0 * op.d**2,
                 floor_note="2 d^2 flops per expected d x d product")


def cases() -> list[Case]:
    """Every operator method at ``d = 20`` and ``d = 1000``; the variance-reduced ones on
    finite sums with ``d = 20`` and ``d = 200``."""
    found = []
    for size, blocks, kind in (("small", 10, SMALL_VECTOR), ("medium", 500, DENSE)):
        label = f"d={2 * blocks}"
        for method, instance in (("gda", "strongly"), ("extragradient", "comonotone"),
                                 ("extragradient", "box"), ("optimistic", "comonotone"),
                                 ("proximal_point", "comonotone"), ("halpern", "cocoercive"),
                                 ("halpern_resolvent", "comonotone"),
                                 ("flow_rk4", "strongly")):
            params = {"m": blocks} if instance == "box" else {"blocks": blocks}
            found.append(_case(method, size, f"{instance} {label}", kind,
                               lambda i=instance, p=params: _instance(i, **p)))
    for size, n, blocks in (("small", 256, 10), ("medium", 64, 100)):
        found.append(_vr_case("vr_halpern", size, f"n={n} d={2 * blocks}",
                              lambda n=n, b=blocks: _instance("finite_sum", n=n, blocks=b),
                              _vr_products))
    for size, n, blocks in (("small", 64, 10), ("medium", 64, 100)):
        found.append(_vr_case("vr_halpern_resolvent", size, f"skew n={n} d={2 * blocks}",
                              lambda n=n, b=blocks: _instance("finite_sum_skew", n=n,
                                                              blocks=b),
                              _vr_resolvent_products))
    return found


if __name__ == "__main__":
    from benchmarks.run_all import main

    raise SystemExit(main(["--family", FAMILY, *sys.argv[1:]]))
