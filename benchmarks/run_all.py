"""Run every family's benchmark: ``python -m benchmarks`` (or ``python -m benchmarks.run_all``).

Prints one row per case (kernel on an instance) with the kernel's, the NumPy twin's and the
floor's CPU time per iteration, their ratios, the recording overhead at quick horizons, the
agreement of kernel and twin, the cold compile and cache-load times, and the targets a case
misses; writes the same as JSON (``--json``). The method is in :mod:`benchmarks.harness`.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import time
from pathlib import Path

import benchmarks
from benchmarks import harness

#: Modules that run first, in this order; every other ``bench_<name>.py`` follows by name.
FIRST = ("matrix_sensing", "operators")


def modules() -> list[str]:
    """Every benchmark module ``benchmarks/bench_<name>.py`` that defines ``cases()`` (a new
    family's benchmark joins by existing), by ``<name>``."""
    found = sorted(info.name[len("bench_"):] for info in pkgutil.iter_modules(benchmarks.__path__)
                   if info.name.startswith("bench_"))
    return [name for name in FIRST if name in found] + \
        [name for name in found if name not in FIRST]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    names = modules()
    parser.add_argument("--family", action="append", choices=names,
                        help="only this benchmark module, bench_FAMILY.py (repeatable)")
    parser.add_argument("--kernel", action="append", default=[],
                        help="only this kernel (repeatable)")
    parser.add_argument("--size", action="append", choices=("small", "medium"),
                        help="only this instance size (repeatable)")
    parser.add_argument("--repeats", type=int, default=7, help="rounds (median; default 7)")
    parser.add_argument("--target", type=float, default=0.1,
                        help="CPU seconds per timed call (default 0.1)")
    parser.add_argument("--no-compile", action="store_true",
                        help="skip the cold-compile and cache-load probes")
    parser.add_argument("--json", type=Path, default=Path("benchmark-results.json"),
                        help="output file (default: benchmark-results.json)")
    args = parser.parse_args(argv)
    loaded = [importlib.import_module(f"benchmarks.bench_{name}")
              for name in (args.family or names)]
    skipped = [m.__name__ for m in loaded if not hasattr(m, "cases")]
    start = time.process_time()
    harness.print_preamble()
    results = harness.run_modules([m for m in loaded if hasattr(m, "cases")],
                                  args.size or ("small", "medium"), args.kernel,
                                  args.repeats, args.target, not args.no_compile)
    harness.write_json(args.json, results, vars(args) | {"json": str(args.json)})
    missed = sum(bool(harness.targets(m)) for m in results)
    print(f"\n{len(results)} cases, {missed} missing a target; {args.json} written "
          f"({time.process_time() - start:.0f} CPU s in this process)")
    if skipped:
        print(f"not run (no cases()): {', '.join(skipped)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
