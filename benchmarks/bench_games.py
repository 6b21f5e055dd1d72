"""Time per iteration and per oracle call of the games kernels against their NumPy twins.

Run: ``python benchmarks/bench_games.py``. BLAS is limited to one thread (set below, before
NumPy loads). For each method and size it prints the CPU time per iteration and per oracle
call of the Numba kernel (through its public wrapper) and of its NumPy twin (same instance,
same seed, same checkpoints): ``workbench.problems.games.reference`` for the simplex methods
(Nash-MP, EGPO, multiplicative weights; oracle call = one preference query, an evaluation of
``P pi``), ``workbench.problems.operators.reference`` for the block methods (one call = one
operator evaluation, every player's block once). The floor of one call is the arithmetic it
needs done by BLAS into a preallocated vector: ``np.dot(P, pi, out=...)`` for a query,
``np.dot(M, z, out=...)`` for an operator evaluation. Kernel and twin run alternately, median
of several repeats; compilation (or loading the on-disk cache) is timed apart, on the first
call. The grid has one checkpoint per decade, so recording the measures costs nothing
measurable.

Reading the columns: a simplex iteration is two ``n x n`` matrix-vector products, two
softmaxes and the logit updates, so at ``n = 10`` the kernel's cost is loop overhead and
``exp``, and the NumPy twin's is per-call overhead (about 1 us per NumPy call, a dozen calls
per iteration); at ``n = 200`` the matrix-vector products dominate and the comparison is the
kernel's plain loops against BLAS. The twins work in probability form (powers and
exponentials of the policies), as the papers write the updates.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from workbench.problems.games import instances, methods  # noqa: E402
from workbench.problems.games import reference as games_reference  # noqa: E402
from workbench.problems.operators import blocks  # noqa: E402
from workbench.problems.operators import reference as operator_reference  # noqa: E402

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


def floor_call(A: np.ndarray, calls: int) -> None:
    x, out = np.full(A.shape[0], 1.0 / A.shape[0]), np.empty(A.shape[0])
    for _ in range(calls):
        np.dot(A, x, out=out)


def preference(n: int):
    return instances.make_preference(0, n_actions=n, beta=0.1)


def damped(m: int):
    return instances.make_damped_bilinear(0, m=m)


def small_gain(players: int, dim: int):
    return instances.make_small_gain(0, players=players, dim=dim, gain_product=0.3)


# name, kernel wrapper, twin, instance builder, label, matrix of one call, counter,
# kernel iterations, twin iterations
CASES = [
    ("nash_mp", methods.run_nash_mp, games_reference.nash_mp, lambda: preference(10), "n=10",
     "P", "queries", 20000, 2000),
    ("nash_mp", methods.run_nash_mp, games_reference.nash_mp, lambda: preference(200),
     "n=200", "P", "queries", 2000, 500),
    ("egpo", methods.run_egpo, games_reference.egpo, lambda: preference(10), "n=10", "P",
     "queries", 20000, 2000),
    ("mwu", methods.run_mwu, games_reference.mwu, lambda: preference(10), "n=10", "P",
     "queries", 20000, 2000),
    ("mwu", methods.run_mwu, games_reference.mwu, lambda: preference(200), "n=200", "P",
     "queries", 2000, 500),
    ("alternating_gda", blocks.run_alternating_gda, operator_reference.alternating_gda,
     lambda: damped(4), "d=8", "M", "calls", 20000, 2000),
    ("alternating_gda", blocks.run_alternating_gda, operator_reference.alternating_gda,
     lambda: small_gain(4, 50), "N=4 d=200", "M", "calls", 2000, 500),
    ("block_gda", blocks.run_block_gda, operator_reference.block_gda,
     lambda: small_gain(4, 50), "N=4 d=200", "M", "calls", 2000, 500),
]


def main() -> None:
    print("CPU time, one BLAS thread; us = microseconds; call = one preference query (P pi) "
          "or one operator evaluation (M z)")
    print(f"{'method':<16} {'instance':<10} {'compile s':>9} {'kernel us/it':>12} "
          f"{'numpy us/it':>12} {'numpy/kernel':>12} {'kernel us/call':>14} "
          f"{'floor us/call':>13} {'kernel/floor':>12}")
    for name, run, twin, build, label, matrix, counter, iterations, twin_iterations in CASES:
        game = build()
        A = game.P if matrix == "P" else game.operator.M
        grid = checkpoints(iterations, per_decade=1)
        twin_grid = checkpoints(twin_iterations, per_decade=1)
        start = time.process_time()
        run(game, checkpoints(10, per_decade=1), 0)  # compile, or load the cache
        compile_s = time.process_time() - start
        calls = run(game, grid, 0)[counter][-1]
        kernel_s, numpy_s = median_alternating([
            lambda r=run, g=game, c=grid: r(g, c, 0),
            lambda f=twin, g=game, c=twin_grid: f(g, c, 0)])
        floor_s = median_alternating([lambda a=A: floor_call(a, 2000)])[0] / 2000
        kernel_call = kernel_s / calls * 1e6
        print(f"{name:<16} {label:<10} {compile_s:9.2f} {kernel_s / iterations * 1e6:12.2f} "
              f"{numpy_s / twin_iterations * 1e6:12.2f} "
              f"{(numpy_s / twin_iterations) / (kernel_s / iterations):12.1f} "
              f"{kernel_call:14.3f} {floor_s * 1e6:13.3f} "
              f"{kernel_call / (floor_s * 1e6):12.2f}")


# -- the same kernels as cases of the shared harness (``python -m benchmarks``) -------------
FAMILY = "games"
#: The cheapest quick-mode run of each kernel in the cards (horizon, linear checkpoints);
#: no card runs block_gda (the harness's default grid is used).
QUICK = {"nash_mp": (150, 60), "egpo": (400, 60), "mwu": (100000, 0),
         "alternating_gda": (300, 60)}


def _calls_per_iteration(run: Callable[..., Any], game: Any, counter: str) -> float:
    """Oracle calls per iteration, read from the kernel's own counter over 1000 steps."""
    return float(run(game, checkpoints(1000, per_decade=1), 0)[counter][-1]) / 1000.0


def _floor(matrix: str, counter: str, run: Callable[..., Any]) -> Callable[[Any], Any]:
    """``floor_blas``: each call's matrix-vector product (``P pi`` or ``M z``), BLAS."""

    def build(game: Any) -> Callable[[int], None]:
        A = game.P if matrix == "P" else game.operator.M
        per = _calls_per_iteration(run, game, counter)
        return lambda iterations: floor_call(A, max(1, round(iterations * per)))

    return build


def _flops(matrix: str, counter: str, run: Callable[..., Any]) -> Callable[[Any, int], float]:
    """``floor_flops``: ``2 n^2`` flops per call."""

    def count(game: Any, iterations: int) -> float:
        A = game.P if matrix == "P" else game.operator.M
        return 2.0 * A.shape[0] ** 2 * _calls_per_iteration(run, game, counter) * iterations

    return count


def cases() -> list[Any]:
    """:data:`CASES` as cases of :mod:`benchmarks.harness` (imported here so that this
    script also runs on its own): the small instances are small-vector cases whose floor is
    the calls' flops at the measured in-cache rate; the others are mid-size, floor in BLAS."""
    from benchmarks.harness import LINEAR_CHECKPOINTS, MIDDLE, SMALL_VECTOR, Case

    found = []
    small = {"n=10", "d=8"}
    extra = [("block_gda", blocks.run_block_gda, operator_reference.block_gda,
              lambda: damped(4), "d=8", "M", "calls", 0, 0)]
    for name, run, twin, build, label, matrix, counter, _, _ in [*CASES, *extra]:
        size = "small" if label in small else "medium"
        if size == "small":
            floor: dict[str, Any] = {"floor_flops": _flops(matrix, counter, run),
                                     "floor_note": f"2 n^2 flops per call ({matrix} x)"}
        else:
            floor = {"floor_blas": _floor(matrix, counter, run),
                     "floor_note": f"np.dot({matrix}, x, out=...) per call (BLAS)"}
        found.append(Case(FAMILY, name, label, size, SMALL_VECTOR if size == "small" else MIDDLE,
                          build, run=lambda g, grid, f=run: f(g, grid, 0),
                          twin=lambda g, grid, f=twin: f(g, grid, 0),
                          quick=QUICK.get(name, (1000, LINEAR_CHECKPOINTS)), **floor))
    for name, run, twin in (("egpo", methods.run_egpo, games_reference.egpo),):
        found.append(Case(FAMILY, name, "n=200", "medium", MIDDLE, lambda: preference(200),
                          run=lambda g, grid, f=run: f(g, grid, 0),
                          twin=lambda g, grid, f=twin: f(g, grid, 0), quick=QUICK[name],
                          floor_blas=_floor("P", "queries", run),
                          floor_note="np.dot(P, x, out=...) per call (BLAS)"))
    return found


if __name__ == "__main__":
    main()
