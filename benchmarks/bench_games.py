"""Games kernels against their NumPy twins and the floor of their oracle calls.

Run: ``python -m benchmarks --family games`` (or ``python -m benchmarks.bench_games``). The
twins are ``workbench.problems.games.reference`` for the simplex methods (Nash-MP, EGPO,
multiplicative weights; oracle call = one preference query, an evaluation of ``P pi``) and
``workbench.problems.operators.reference`` for the block methods (one call = one operator
evaluation, every player's block once). The floor of a call is its matrix-vector product:
at ``n = 10`` / ``d = 8`` its flops at the measured in-cache rate (a BLAS call this small
times NumPy's call overhead), at ``n = 200`` / ``d = 200`` ``np.dot(P, pi, out=...)`` or
``np.dot(M, z, out=...)`` into a preallocated vector.

Reading the columns: a simplex iteration is two ``n x n`` matrix-vector products, two
softmaxes and the logit updates, so at ``n = 10`` the kernel's cost is loop overhead and
``exp``, and the NumPy twin's is per-call overhead (about 1 us per NumPy call, a dozen calls
per iteration); at ``n = 200`` the matrix-vector products dominate and the comparison is the
kernel's plain loops against BLAS. The twins work in probability form (powers and
exponentials of the policies), as the papers write the updates.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np
from workbench.problems.games import instances, methods
from workbench.problems.games import reference as games_reference
from workbench.problems.operators import blocks
from workbench.problems.operators import reference as operator_reference

from benchmarks.harness import LINEAR_CHECKPOINTS, MIDDLE, SMALL_VECTOR, Case
from workbench.engine.checkpoints import checkpoints

FAMILY = "games"


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


# name, kernel wrapper, twin, instance builder, label, matrix of one call, counter
CASES = [
    ("nash_mp", methods.run_nash_mp, games_reference.nash_mp, lambda: preference(10), "n=10",
     "P", "queries"),
    ("nash_mp", methods.run_nash_mp, games_reference.nash_mp, lambda: preference(200),
     "n=200", "P", "queries"),
    ("egpo", methods.run_egpo, games_reference.egpo, lambda: preference(10), "n=10", "P",
     "queries"),
    ("mwu", methods.run_mwu, games_reference.mwu, lambda: preference(10), "n=10", "P",
     "queries"),
    ("mwu", methods.run_mwu, games_reference.mwu, lambda: preference(200), "n=200", "P",
     "queries"),
    ("alternating_gda", blocks.run_alternating_gda, operator_reference.alternating_gda,
     lambda: damped(4), "d=8", "M", "calls"),
    ("alternating_gda", blocks.run_alternating_gda, operator_reference.alternating_gda,
     lambda: small_gain(4, 50), "N=4 d=200", "M", "calls"),
    ("block_gda", blocks.run_block_gda, operator_reference.block_gda,
     lambda: small_gain(4, 50), "N=4 d=200", "M", "calls"),
    ("block_gda", blocks.run_block_gda, operator_reference.block_gda, lambda: damped(4),
     "d=8", "M", "calls"),
    ("egpo", methods.run_egpo, games_reference.egpo, lambda: preference(200), "n=200", "P",
     "queries"),
]
SMALL = {"n=10", "d=8"}


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


def cases() -> list[Case]:
    """:data:`CASES` as cases of :mod:`benchmarks.harness`: the small instances are
    small-vector cases whose floor is the calls' flops at the measured in-cache rate; the
    others are mid-size, floor in BLAS."""
    found = []
    for name, run, twin, build, label, matrix, counter in CASES:
        small = label in SMALL
        if small:
            floor: dict[str, Any] = {"floor_flops": _flops(matrix, counter, run),
                                     "floor_note": f"2 n^2 flops per call ({matrix} x)"}
        else:
            floor = {"floor_blas": _floor(matrix, counter, run),
                     "floor_note": f"np.dot({matrix}, x, out=...) per call (BLAS)"}
        found.append(Case(FAMILY, name, label, "small" if small else "medium",
                          SMALL_VECTOR if small else MIDDLE, build,
                          run=lambda g, grid, f=run: f(g, grid, 0),
                          twin=lambda g, grid, f=twin: f(g, grid, 0),
                          quick=QUICK.get(name, (1000, LINEAR_CHECKPOINTS)), **floor))
    return found


if __name__ == "__main__":
    from benchmarks.run_all import main

    raise SystemExit(main(["--family", FAMILY, *sys.argv[1:]]))
