"""Bilevel kernels against their NumPy twins and the flops of their oracle calls.

Run: ``python -m benchmarks --family bilevel`` (or ``python -m benchmarks.bench_bilevel``).
The twins are ``workbench.problems.bilevel.reference`` (dense algebra, one allocation per
operation, the same seed and hence the same noise). The floor is the oracle calls (upper and
lower gradients, Hessian-vector products, counted by the kernel) times one matrix-vector
product with the instance's largest matrix, in flops at the measured in-cache rate. For AID
and ITD one "iteration" is one inner step (the grid is ``[1, K]``: ``K`` lower-level steps
and, for AID, ``K`` linear-system steps at the last checkpoint), so their recording is not
measured.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable

import numpy as np
from workbench.problems.bilevel import instances, methods, reference

from benchmarks.harness import LINEAR_CHECKPOINTS, MIDDLE, SMALL_VECTOR, Case

FAMILY = "bilevel"


def grid(iterations: int) -> np.ndarray:
    return np.array([1, iterations], dtype=np.int64)


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


def cases() -> list[Case]:
    """Every bilevel kernel on a small and a medium instance (every instance here is
    small-vector but hyper-cleaning, a 400 x 40 data matrix)."""
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
                          lambda i, g: methods.run_aid(i, g, 0),
                          lambda i, g: reference.aid(i, g, 0), inner=True))
        found.append(case("itd", f"quadratic d={dim}", size, q,
                          lambda i, g: methods.run_itd(i, g, 0),
                          lambda i, g: reference.itd(i, g, 0), inner=True))
    found.append(case("aid", "hypercleaning n=400 d=40", "medium",
                      lambda: instances.make_hypercleaning(0, n=400, m=400, d=40),
                      lambda i, g: methods.run_aid(i, g, 0),
                      lambda i, g: reference.aid(i, g, 0), inner=True, kind=MIDDLE))
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
            lambda i, g: methods.run_penalty(i, g, 0),
            lambda i, g: reference.penalty(i, g, 0)))
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
    from benchmarks.run_all import main

    raise SystemExit(main(["--family", FAMILY, *sys.argv[1:]]))
