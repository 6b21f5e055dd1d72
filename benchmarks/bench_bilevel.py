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

import functools  # noqa: E402
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


# -- the same kernels as cases of the shared harness (``python -m benchmarks``) -------------
FAMILY = "bilevel"
#: The cheapest quick-mode run of each kernel in the cards (horizon, linear checkpoints);
#: no card runs SOBA (the harness's default grid is used). AID and ITD are timed on the grid
#: ``[1, K]`` above (an estimate with ``K`` inner steps), so their recording is not measured.
QUICK = {"penalty": (500, 0), "borep": (60000, 0), "f2sa": (100000, 0)}
COUNTERS = ("upper_grads", "lower_grads", "hvps")


def _calls_per_unit(run: Callable[[np.ndarray], dict], horizon: int) -> float:
    """Oracle calls (upper and lower gradients and Hessian-vector products) per iteration,
    from the kernel's counters at the last checkpoint of ``grid(horizon)``."""
    out = run(grid(horizon))
    return sum(float(out[name][-1]) for name in COUNTERS) / horizon


def _flops_per_call(inst: object) -> float:
    """One oracle call as one matrix-vector product with the instance's largest matrix:
    ``dy x max(dx, dy)`` (quadratic, quartic) or the training data (hyper-cleaning)."""
    A = getattr(inst, "A", None)
    if A is not None:
        return 2.0 * A.size
    return 2.0 * inst.dy * max(inst.dx, inst.dy)


def cases() -> list:
    """The kernels of :func:`main` (plus a second size where it has one) as cases of
    :mod:`benchmarks.harness` (imported here so that this script also runs on its own). The
    floor is the oracle calls' flops at the measured in-cache rate (every instance here is
    small-vector but hyper-cleaning, a 400 x 40 data matrix)."""
    from benchmarks.harness import LINEAR_CHECKPOINTS, MIDDLE, SMALL_VECTOR, Case

    def case(name: str, label: str, size: str, build: Callable[[], object],
             run: Callable[..., dict], twin: Callable[..., dict], inner: bool = False,
             kind: str = SMALL_VECTOR) -> Case:
        def flops(inst: object, iterations: int) -> float:
            calls = _calls_per_unit(lambda g: run(inst, g), 200)
            return calls * _flops_per_call(inst) * iterations

        return Case(FAMILY, name, label, size, kind, build, run=run, twin=twin,
                    floor_flops=flops, floor_note="oracle calls x one matrix-vector product",
                    quick=QUICK.get(name, (1000, LINEAR_CHECKPOINTS)),
                    grid=grid if inner else None, record=not inner)

    found = []
    for dim, size in ((10, "small"), (50, "medium")):
        q = functools.partial(instances.make_quadratic, 0, dx=dim, dy=dim)
        found.append(case("aid", f"quadratic d={dim}", size, q,
                          lambda i, g: methods.run_aid(i, g, 0), reference.aid, inner=True))
        found.append(case("itd", f"quadratic d={dim}", size, q,
                          lambda i, g: methods.run_itd(i, g, 0), reference.itd, inner=True))
    found.append(case("aid", "hypercleaning n=400 d=40", "medium",
                      lambda: instances.make_hypercleaning(0, n=400, m=400, d=40),
                      lambda i, g: methods.run_aid(i, g, 0), reference.aid, inner=True,
                      kind=MIDDLE))
    for dim, sigma, size in ((5, 0.3, "small"), (20, 0.3, "medium")):
        found.append(case(
            "f2sa", f"quadratic d={dim} sigma={sigma:g}", size,
            functools.partial(instances.make_quadratic, 0, dx=dim, dy=dim, kappa=4,
                              sigma_f=sigma, sigma_g=sigma),
            lambda i, g: methods.run_f2sa(i, g, 0), lambda i, g: reference.f2sa(i, g, 0)))
    for dim, size in ((5, "small"), (20, "medium")):
        found.append(case(
            "penalty", f"quadratic d={dim}", size,
            functools.partial(instances.make_quadratic, 0, dx=dim, dy=dim, kappa=4),
            lambda i, g: methods.run_penalty(i, g, 0), reference.penalty))
        found.append(case(
            "borep", f"quartic d={dim} eps=1", size,
            functools.partial(instances.make_quartic, 0, dx=dim, dy=dim),
            lambda i, g: methods.run_borep(i, g, 0, eps=1.0),
            lambda i, g: reference.borep(i, g, 0, eps=1.0)))
        found.append(case(
            "soba", f"quartic d={dim}", size,
            functools.partial(instances.make_quartic, 0, dx=dim, dy=dim, x0_scale=0.5),
            lambda i, g: methods.run_soba(i, g, 0, eta_scale=0.5),
            lambda i, g: reference.soba(i, g, 0, eta_scale=0.5)))
    return found


if __name__ == "__main__":
    main()
