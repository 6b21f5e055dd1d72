"""Per-iteration CPU time of the bilevel kernels against their NumPy twins, side by side.

Run: ``python benchmarks/bench_bilevel.py`` (BLAS is limited to one thread below, before
NumPy loads). Not a test: it prints a table. Each kernel is called once first, and the
time of that call (JIT compilation or loading Numba's on-disk cache, plus one short run)
is printed apart. Then the Numba kernel (through its public wrapper) and its plain NumPy
twin from ``workbench.problems.bilevel.reference`` (dense algebra, one allocation per
operation, the same seed and hence the same noise) run on the same instance, alternately,
and the median CPU time (``time.process_time``) of a few rounds is reported per iteration.
The kernel runs more iterations than the twin so that each timing lasts long enough; both
are divided by their own iteration count. For AID and ITD one "iteration" is one inner
step (the grid is ``[1, K]``: ``K`` lower-level steps and, for AID, ``K`` linear-system
steps at the last checkpoint).
"""

from __future__ import annotations

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402
from workbench.problems.bilevel import instances, methods, reference  # noqa: E402

ROUNDS = 5


def median_alternating(functions: list[Callable[[], object]]) -> list[float]:
    """Median CPU time of each function over ``ROUNDS`` rounds, the functions alternating."""
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(ROUNDS):
        for i, function in enumerate(functions):
            start = time.process_time()
            function()
            times[i].append(time.process_time() - start)
    return [float(np.median(t)) for t in times]


def grid(iterations: int) -> np.ndarray:
    return np.array([1, iterations], dtype=np.int64)


def bench(label: str, kernel: Callable[[np.ndarray], object],
          twin: Callable[[np.ndarray], object], kernel_iters: int, twin_iters: int) -> None:
    start = time.process_time()
    kernel(grid(2))
    first = time.process_time() - start
    t_kernel, t_numpy = median_alternating([lambda: kernel(grid(kernel_iters)),
                                            lambda: twin(grid(twin_iters))])
    t_kernel, t_numpy = t_kernel / kernel_iters, t_numpy / twin_iters
    print(f"{label:<36} {first:9.2f} {t_kernel * 1e6:10.3f} {t_numpy * 1e6:10.2f} "
          f"{t_numpy / t_kernel:8.1f}x")


def main() -> None:
    print(f"{'kernel, instance':<36} {'first s':>9} {'numba us':>10} {'numpy us':>10} "
          f"{'speedup':>9}")
    for dim in (10, 50):
        quad = instances.make_quadratic(0, dx=dim, dy=dim)
        bench(f"aid, quadratic d={dim}", lambda g, q=quad: methods.run_aid(q, g, 0),
              lambda g, q=quad: reference.aid(q, g), 20000 // dim * 10, 2000)
        bench(f"itd, quadratic d={dim}", lambda g, q=quad: methods.run_itd(q, g, 0),
              lambda g, q=quad: reference.itd(q, g), 20000 // dim * 2, 500)
    clean = instances.make_hypercleaning(0, n=400, m=400, d=40)
    bench("aid, hypercleaning n=400 d=40", lambda g: methods.run_aid(clean, g, 0),
          lambda g: reference.aid(clean, g), 4000, 400)
    for dim, sigma in ((5, 0.0), (5, 0.3), (20, 0.3)):
        quad = instances.make_quadratic(0, dx=dim, dy=dim, kappa=4, sigma_f=sigma,
                                        sigma_g=sigma)
        bench(f"f2sa, quadratic d={dim} sigma={sigma:g}",
              lambda g, q=quad: methods.run_f2sa(q, g, 0),
              lambda g, q=quad: reference.f2sa(q, g, 0), 200000, 5000)
    quad = instances.make_quadratic(0, dx=5, dy=5, kappa=4)
    bench("penalty, quadratic d=5 inner=10", lambda g: methods.run_penalty(quad, g, 0),
          lambda g: reference.penalty(quad, g), 20000, 500)
    quartic = instances.make_quartic(0)
    bench("borep, quartic d=5 eps=1", lambda g: methods.run_borep(quartic, g, 0, eps=1.0),
          lambda g: reference.borep(quartic, g, 0, eps=1.0), 200000, 5000)
    near = instances.make_quartic(0, x0_scale=0.5)
    bench("soba, quartic d=5", lambda g: methods.run_soba(near, g, 0, eta_scale=0.5),
          lambda g: reference.soba(near, g, 0, eta_scale=0.5), 200000, 5000)


if __name__ == "__main__":
    main()
