"""Throughput of the whole quick catalogue: 1 and 2 workers, cold and warm Numba cache, and a
warm result store.

Each configuration runs ``workbench verify --quick`` in a fresh subprocess (BLAS at one thread)
and reports its wall time and the CPU time of the process and its workers. "Cold" gives the run
an empty Numba cache directory; "empty store" an empty result store. Usage::

    python benchmarks/bench_throughput.py [--repeat N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONFIGS = [
    # (label, jobs, Numba cache, result store)
    ("1 worker, cold Numba cache, empty store", 1, "cold", "empty"),
    ("1 worker, warm Numba cache, empty store", 1, "warm", "empty"),
    ("2 workers, cold Numba cache, empty store", 2, "cold", "empty"),
    ("2 workers, warm Numba cache, empty store", 2, "warm", "empty"),
    ("2 workers, warm Numba cache, warm store", 2, "warm", "warm"),
]


def run(jobs: int, numba_dir: Path | None, store: Path) -> tuple[float, float]:
    """Wall and CPU seconds (this child and its workers) of one quick verify."""
    env = {**os.environ, "WORKBENCH_STORE": str(store), "OPENBLAS_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    if numba_dir is not None:
        env["NUMBA_CACHE_DIR"] = str(numba_dir)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "workbench", "verify", "--quick", "--jobs",
                           str(jobs), "--no-progress"], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"verify failed ({done.returncode}): {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", help="write the measurements to this file")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        warm_store = root / "warm.sqlite"
        run(2, None, warm_store)  # warms the default Numba cache and fills warm_store
        for label, jobs, numba, store in CONFIGS:
            for repeat in range(args.repeat):
                numba_dir = root / f"numba-{label}-{repeat}" if numba == "cold" else None
                path = warm_store if store == "warm" else root / f"store-{label}-{repeat}.sqlite"
                wall, cpu = run(jobs, numba_dir, path)
                rows.append({"config": label, "jobs": jobs, "wall_s": round(wall, 1),
                             "cpu_s": round(cpu, 1)})
                print(f"{label:<44} wall {wall:6.1f} s   cpu {cpu:6.1f} s", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
