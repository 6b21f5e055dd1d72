"""Time per iteration and per oracle call of the operator kernels against their NumPy twins.

Run: ``python benchmarks/bench_monotone.py``. BLAS is limited to one thread (set below, before
NumPy loads). For each method and size it prints the CPU time per iteration and per operator
(or component) call of the Numba kernel (through its public wrapper) and of its NumPy twin
from ``workbench.problems.operators.reference`` (same instance, same seed, same checkpoints),
their ratio, and the kernel's time per call against the arithmetic floor of one call: a
``d x d`` matrix-vector product into a preallocated vector (``np.dot(M, z, out=...)``, BLAS).
Kernel and twin run alternately, median of several repeats; compilation (or loading the
on-disk cache) is timed apart, on the first call. The grid has one checkpoint per decade, so
recording the measures costs nothing measurable.

Reading the columns: at ``d = 20`` the "floor" is NumPy's per-call overhead (about 0.5 us),
not arithmetic, so ``kernel/floor`` below 1 there only says the kernel pays no call overhead;
at ``d = 200`` it compares the kernel's plain loops with BLAS. The proximal-point twin solves
``(I + g M) z+ = z - g q`` at every step, as the method is written, while the kernel applies
the precomputed resolvent. The variance-reduced kernels are charged ``n`` calls per full pass
but compute it as one matrix-vector product with the mean ``M`` (the operator is affine), so
their time per charged call is below the cost of one real component evaluation.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402
from workbench.problems import operators as ops  # noqa: E402
from workbench.problems.monotone import instances  # noqa: E402
from workbench.problems.operators import reference  # noqa: E402

from workbench.engine.checkpoints import checkpoints  # noqa: E402


def median_alternating(functions: list[Callable[[], object]], repeats: int = 5) -> list[float]:
    """Median CPU time of each function over ``repeats`` rounds, the functions alternating."""
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(repeats):
        for i, function in enumerate(functions):
            start = time.process_time()
            function()
            times[i].append(time.process_time() - start)
    return [float(np.median(t)) for t in times]


def floor_call(op: ops.AffineOperator, calls: int) -> None:
    z, out = op.z0.copy(), np.empty(op.d)
    for _ in range(calls):
        np.dot(op.M, z, out=out)


CASES = [  # method, instance builder, label, kernel iterations, twin iterations
    ("gda", lambda: instances.make_strongly_monotone(0, blocks=10), "d=20", 20000, 2000),
    ("extragradient", lambda: instances.make_comonotone(0, blocks=10), "d=20", 20000, 2000),
    ("extragradient", lambda: instances.make_comonotone(0, blocks=100), "d=200", 2000, 500),
    ("extragradient", lambda: instances.make_bilinear_box(0, m=10), "box d=20", 20000, 2000),
    ("optimistic", lambda: instances.make_comonotone(0, blocks=10), "d=20", 20000, 2000),
    ("proximal_point", lambda: instances.make_comonotone(0, blocks=10), "d=20", 20000, 500),
    ("halpern", lambda: instances.make_cocoercive(0, blocks=10), "d=20", 20000, 2000),
    ("halpern", lambda: instances.make_cocoercive(0, blocks=100), "d=200", 2000, 500),
    ("flow_rk4", lambda: instances.make_strongly_monotone(0, blocks=10), "d=20", 20000, 2000),
    ("vr_halpern", lambda: instances.make_finite_sum(0, n=256, blocks=10), "n=256 d=20",
     20000, 2000),
    ("vr_halpern_resolvent", lambda: instances.make_finite_sum_skew(0, n=64, blocks=10),
     "n=64 d=20", 200, 30),
]


def main() -> None:
    print("CPU time, one BLAS thread; us = microseconds; calls = operator (component) "
          "evaluations")
    print(f"{'method':<21} {'instance':<11} {'compile s':>9} {'kernel us/it':>12} "
          f"{'numpy us/it':>12} {'numpy/kernel':>12} {'kernel us/call':>14} "
          f"{'numpy us/call':>13} {'floor us/call':>13} {'kernel/floor':>12}")
    for name, build, label, iterations, twin_iterations in CASES:
        op = build()
        run, twin = ops.METHODS[name].run, getattr(reference, name)
        grid = checkpoints(iterations, per_decade=1)
        twin_grid = checkpoints(twin_iterations, per_decade=1)
        start = time.process_time()
        run(op, checkpoints(10, per_decade=1), 0)  # compile, or load the cache
        compile_s = time.process_time() - start
        calls = run(op, grid, 0)["calls"][-1]
        twin_calls = twin(op, twin_grid, 0)["calls"][-1]
        kernel_s, numpy_s = median_alternating([
            lambda r=run, o=op, g=grid: r(o, g, 0),
            lambda f=twin, o=op, g=twin_grid: f(o, g, 0)])
        floor_s = median_alternating([lambda o=op: floor_call(o, 2000)])[0] / 2000
        kernel_call = kernel_s / calls * 1e6
        print(f"{name:<21} {label:<11} {compile_s:9.2f} {kernel_s / iterations * 1e6:12.2f} "
              f"{numpy_s / twin_iterations * 1e6:12.2f} "
              f"{(numpy_s / twin_iterations) / (kernel_s / iterations):12.1f} "
              f"{kernel_call:14.3f} {numpy_s / twin_calls * 1e6:13.3f} "
              f"{floor_s * 1e6:13.3f} {kernel_call / (floor_s * 1e6):12.2f}")


if __name__ == "__main__":
    main()
