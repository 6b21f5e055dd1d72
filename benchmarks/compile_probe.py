"""Child process of :func:`benchmarks.harness.compile_times`: one kernel's first call.

``python -m benchmarks.compile_probe MODULE INDEX`` builds case ``INDEX`` of the benchmark
module ``MODULE``, calls its kernel twice on a two-step grid and prints, as one JSON line, the
CPU seconds of both calls; the first minus the second is the compile (or cache-load) time.
Numba is initialised on a throwaway function first (loops over arrays it allocates), so
LLVM's start-up and the one-time set-up of typing array operations, which every process
pays once whatever it compiles, are not counted against the kernel. The
parent sets ``NUMBA_CACHE_DIR`` (empty for a cold compile).
"""

from __future__ import annotations

import importlib
import json
import sys
import time

import numba
import numpy as np


@numba.njit
def _initialise(n: int) -> float:
    """Allocate, index and loop over arrays: Numba's one-time set-up of its typing of these
    operations is paid here, not by the first kernel the process compiles."""
    a = np.empty((n, n))
    v = np.zeros(n)
    total = 0.0
    for i in range(n):
        for j in range(n):
            a[i, j] = i * j
        v[i] = np.sqrt(a[i, i])
        total += v[i]
    return total


def main(argv: list[str]) -> None:
    module_name, index = argv[0], int(argv[1])
    _initialise(3)
    case = importlib.import_module(module_name).cases()[index]
    instance = case.build()
    grid = np.array([1, 2], dtype=np.int64)
    times = []
    for _ in range(2):
        start = time.process_time()
        case.run(instance, grid)
        times.append(time.process_time() - start)
    print(json.dumps({"kernel": case.label, "first": times[0], "second": times[1]}))


if __name__ == "__main__":
    main(sys.argv[1:])
