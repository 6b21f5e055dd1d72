"""The shared benchmark harness: cases, side-by-side CPU timing, compile times, the table.

A family's benchmark module (``benchmarks/bench_<family>.py``) defines ``FAMILY`` and
``cases() -> list[Case]``: each case names a kernel, an instance (built lazily), the kernel's
public wrapper, its NumPy twin from the family's ``reference.py`` and the floor of one
iteration. :func:`run_cases` measures them and :func:`print_table` prints the ratios.

Method
------
- CPU time (``time.process_time``), BLAS limited to one thread (``benchmarks/__init__.py``
  sets the variables before NumPy loads).
- Kernel, twin and floor run alternately, ``repeats`` rounds; each figure is the median of
  its rounds. Horizons are calibrated so that one timed call lasts about ``target`` seconds.
- Time per iteration is ``(T(N) - T(1)) / (N - 1)``: the wrapper's one-time work (validation,
  a precomputed resolvent, allocating the output) is taken out, for kernel and twin alike.
  The timed runs record two checkpoints (the first and the last iteration): the cost of
  recording is measured apart, on the cards' grids (below).
- The floor is either the BLAS operations one iteration cannot avoid, called on
  preallocated buffers (``floor_blas``), or, for per-sample and small-vector kernels whose
  BLAS calls would time NumPy's call overhead rather than arithmetic, the iteration's flop
  count at the measured rate of an in-cache BLAS matrix-vector product (``floor_flops``).
- Agreement: kernel and twin on one checkpoint grid (10 per decade, at most 200 iterations):
  the largest relative difference, with each measure's floor as an absolute allowance
  (:func:`relative_disagreement`); at most 1e-9 is agreement to 1e-9 relative above the
  floor.
- Recording (small, quick-size instances only): the time of the kernel's cheapest quick-mode
  run in the cards, on the engine's grid for it (30 checkpoints per decade, plus 60 evenly
  spaced ones for a geometric claim),
  against the same horizon with two checkpoints; alternated call by call, lower deciles of
  the per-call times (see :func:`record_percent`).
- Compile: each kernel's first call in a fresh process (``benchmarks.compile_probe``) with an
  empty Numba cache directory (cold compile), then in a second process with that cache
  (load). Numba itself is initialised first, so neither includes LLVM's start-up.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from benchmarks import BLAS_VARIABLES, NUMPY_LOADED_FIRST
from workbench.engine.checkpoints import checkpoints

# Kinds of kernel, by the targets: one example per step, or an iterate of dimension
# under 100: 30x NumPy; matrix-vector products of dimension 1000 or more: 1.3x the BLAS floor;
# in between (mid-size): never slower than NumPy. Every kind: agreement, recording, compile.
PER_SAMPLE = "per-sample"
SMALL_VECTOR = "small-vector"
DENSE = "dense"
MIDDLE = "mid-size"
KINDS = (PER_SAMPLE, SMALL_VECTOR, DENSE, MIDDLE)

SPEEDUP_TARGET = 30.0  # per-sample and small-vector kernels against the NumPy loop
FLOOR_TARGET = 1.3  # dense kernels against the BLAS floor
AGREE_TARGET = 1e-9  # kernel against twin, relative, above the floor
RECORD_TARGET = 5.0  # percent of the kernel's time spent recording, at quick horizons
COMPILE_TARGET = 2.0  # CPU seconds to compile one kernel cold
ROUND_OFF = 1e-14  # agreement: the least floor of a measure, as a fraction of its largest value
AGREE_HORIZON = 200
LINEAR_CHECKPOINTS = 60  # as workbench.engine.plan adds for geometric claims
FLOP_RATE_SIZE = 256  # d x d matrix-vector product (512 KiB: in cache) for the flop rate

Instance = Any
Runner = Callable[[Instance, np.ndarray], Mapping[str, Any]]


@dataclass
class Case:
    """One kernel on one instance.

    Attributes
    ----------
    family, kernel
        The family and the algorithm (as registered, or the wrapper's short name).
    instance
        A short description of the instance (``n=30 k=6 Gaussian m=2000``).
    size
        ``small`` (quick-mode-like) or ``medium``.
    kind
        One of :data:`KINDS`; sets the targets that apply (see :func:`targets`).
    build
        Builds the instance (called once, when the case runs).
    run, twin
        ``run(instance, checkpoints)``: the kernel through its public wrapper, and its NumPy
        twin, with the same seed and hyperparameters.
    floor_blas
        ``floor_blas(instance)`` returns ``f(n)`` running the BLAS floor of ``n`` units of
        work (iterations unless ``unit`` says otherwise).
    floor_flops
        ``floor_flops(instance, n)``: the flops of the first ``n`` iterations (used instead
        of BLAS).
    floor_note
        What the floor counts, for the JSON file.
    quick
        The checkpoint grid of the kernel's cheapest quick-mode run in the cards: its
        horizon and how many evenly spaced checkpoints the engine adds (60 for geometric
        claims, else 0); the recording overhead is measured on it.
    unit, units
        What a time is per: ``"it"`` (iteration, the default), or another unit of work with
        ``units(instance, n)`` counting it in the first ``n`` iterations, for kernels whose
        iterations differ in cost (the kernel, the twin and the floor are all divided by
        it, so their ratios do not depend on their horizons).
    grid, record
        ``grid(n)``: the checkpoints of a timed run of horizon ``n`` (default: the engine's
        grid), for kernels whose checkpoints are part of the workload (an estimate with
        ``K`` inner steps at checkpoint ``K``); ``record=False`` skips the recording
        measurement for them.
    specialisation
        Cases of one kernel whose instances make Numba compile a different specialisation
        (argument types) name it; the compile probes run once per kernel and
        specialisation.
    """

    family: str
    kernel: str
    instance: str
    size: str
    kind: str
    build: Callable[[], Instance]
    run: Runner
    twin: Runner
    floor_blas: Callable[[Instance], Callable[[int], object]] | None = None
    floor_flops: Callable[[Instance, int], float] | None = None
    floor_note: str = ""
    quick: tuple[int, int] = (1000, LINEAR_CHECKPOINTS)
    unit: str = "it"
    units: Callable[[Instance, int], float] | None = None
    grid: Callable[[int], np.ndarray] | None = None
    record: bool = True
    specialisation: str = ""

    def count(self, instance: Instance, iterations: int) -> float:
        """Units of work in the first ``iterations`` iterations."""
        return float(iterations) if self.units is None else self.units(instance, iterations)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.kernel}: kind must be one of {KINDS}")
        if (self.floor_blas is None) == (self.floor_flops is None):
            raise ValueError(f"{self.kernel}: give exactly one of floor_blas, floor_flops")

    @property
    def label(self) -> str:
        return f"{self.family}/{self.kernel}"


@dataclass
class Measured:
    """What :func:`measure` found for one case (times in seconds per unit of work)."""

    case: Case
    kernel: float
    twin: float
    floor: float
    floor_kind: str
    iterations: dict[str, int]
    agreement: float
    compared: int
    record_percent: float
    compile: dict[str, float] = field(default_factory=dict)

    def ratios(self) -> dict[str, float]:
        return {"numpy_over_kernel": self.twin / self.kernel,
                "kernel_over_floor": self.kernel / self.floor,
                "numpy_over_floor": self.twin / self.floor}


def cpu(function: Callable[[], object], reps: int = 1) -> float:
    """CPU seconds per call of ``function``, over ``reps`` calls."""
    start = time.process_time()
    for _ in range(reps):
        function()
    return (time.process_time() - start) / reps


def median(values: Sequence[float]) -> float:
    return float(np.median(values))


def grid_for(horizon: int) -> np.ndarray:
    """The checkpoints of a timed run: the first and the last iteration (recording is
    measured apart, see :func:`record_percent`)."""
    return np.array([1, horizon] if horizon > 1 else [1], dtype=np.int64)


def calibrate(cost: Callable[[int], float], target: float, start: int = 4,
              limit: int = 10**8) -> int:
    """An iteration count ``n`` for which ``cost(n)`` (seconds) is about ``target``."""
    n = max(start, 2)
    while True:
        seconds = cost(n)
        if seconds >= target / 4 or n >= limit:
            break
        n = min(limit, n * max(2, min(64, int(target / 4 / max(seconds, 1e-7)))))
    return int(min(limit, max(2, round(n * target / max(seconds, 1e-9)))))


def reps_for(function: Callable[[], object], target: float) -> int:
    """How many calls of ``function`` take about ``target`` seconds."""
    reps = 1
    while True:
        seconds = cpu(function, reps) * reps
        if seconds >= target / 4 or reps >= 10**6:
            return max(1, round(reps * target / max(seconds, 1e-9)))
        reps *= 4


_FLOP_RATE: list[float] = []


def flop_rate(repeats: int = 7) -> float:
    """Flops per CPU second of an in-cache BLAS matrix-vector product (cached)."""
    if not _FLOP_RATE:
        d = FLOP_RATE_SIZE
        rng = np.random.default_rng(0)
        M, z, out = rng.standard_normal((d, d)), rng.standard_normal(d), np.empty(d)

        def product() -> None:
            np.dot(M, z, out=out)

        reps = reps_for(product, 0.05)
        seconds = median([cpu(product, reps) for _ in range(repeats)])
        _FLOP_RATE.append(2.0 * d * d / seconds)
    return _FLOP_RATE[0]


def gaussian_draw_ns(draws: int = 1_000_000, repeats: int = 7) -> float:
    """CPU nanoseconds of one ``np.random.standard_normal()`` inside a Numba kernel (NumPy's
    legacy Gaussian, as the sampling kernels draw their noise), median of ``repeats``: the
    part of a noisy small-vector kernel's time no arithmetic can remove."""
    import numba

    @numba.njit
    def draw(n: int) -> float:
        total = 0.0
        for _ in range(n):
            total += np.random.standard_normal()
        return total

    draw(10)
    return median([cpu(lambda: draw(draws)) for _ in range(repeats)]) / draws * 1e9


def relative_disagreement(got: Mapping[str, Any], want: Mapping[str, Any],
                          floors: Mapping[str, float]) -> tuple[float, int]:
    """The largest ``|got - want| / (|want| + floor / AGREE_TARGET)`` over every measure, and
    how many values were compared (``inf`` when the measures, their shapes or their NaN
    patterns differ).

    Far above its floor a value contributes its relative difference; near or below the floor
    the floor takes over, so at most :data:`AGREE_TARGET` means ``numpy.allclose(got, want,
    rtol=AGREE_TARGET, atol=floor)`` up to a factor 2. A measure's floor is the instance's
    declared floor (round-off of a difference such as ``f - f*`` included), and at least
    :data:`ROUND_OFF` times the measure's largest value.
    """
    if set(got) != set(want):
        return np.inf, 0
    worst, compared = 0.0, 0
    for key, wanted in want.items():
        w = np.atleast_1d(np.asarray(wanted, dtype=float))
        g = np.atleast_1d(np.asarray(got[key], dtype=float))
        if g.shape != w.shape or not np.array_equal(np.isfinite(g), np.isfinite(w)):
            return np.inf, compared
        finite = np.isfinite(w)
        if not finite.any():
            continue
        w, g = w[finite], g[finite]
        floor = max(float(floors.get(key, 0.0)), ROUND_OFF * float(np.max(np.abs(w))))
        if floor == 0.0:  # every value is exactly zero
            worst = max(worst, float(np.max(np.abs(g))) * np.inf if np.any(g) else 0.0)
            continue
        worst = max(worst, float(np.max(np.abs(g - w) / (np.abs(w) + floor / AGREE_TARGET))))
        compared += w.size
    return worst, compared


def _per_iteration(run: Callable[[np.ndarray], object], target: float, start: int,
                   grid: Callable[[int], np.ndarray] = grid_for
                   ) -> tuple[int, Callable[[], object], Callable[[], object], int]:
    """The calibrated horizon, the timed call at that horizon, the one-iteration call and
    how many one-iteration calls make one timing of it. The iterations' share of a timed
    call is at least three times the one-time work's."""
    one = np.array([1], dtype=np.int64)
    setup = median([cpu(lambda: run(one)) for _ in range(3)])
    horizon = calibrate(lambda n: cpu(lambda: run(grid(n))) - setup,
                        max(target, 3 * setup), start)
    long_grid = grid(horizon)
    reps = reps_for(lambda: run(one), target / 5)
    return horizon, (lambda: run(long_grid)), (lambda: run(one)), reps


def measure(case: Case, repeats: int = 7, target: float = 0.1) -> Measured:
    """Time one case; see the module docstring for the method."""
    instance = case.build()
    floors = dict(getattr(instance, "floors", {}) or {})
    warm = np.array([1, 2], dtype=np.int64)
    case.run(instance, warm)
    case.twin(instance, warm)

    def kernel(grid: np.ndarray) -> object:
        return case.run(instance, grid)

    def twin(grid: np.ndarray) -> object:
        return case.twin(instance, grid)

    grid = case.grid or grid_for
    n_kernel, kernel_long, kernel_one, kernel_reps = _per_iteration(kernel, target, 64, grid)
    n_twin, twin_long, twin_one, twin_reps = _per_iteration(twin, target, 4, grid)
    timings: dict[str, list[float]] = {k: [] for k in ("kernel", "kernel1", "twin", "twin1",
                                                      "floor")}
    if case.floor_blas is not None:
        floor_run = case.floor_blas(instance)
        n_floor = calibrate(lambda n: cpu(lambda: floor_run(n)), target, 16)
        floor_kind = "blas"
    else:
        n_floor, floor_kind = 0, "flops"
    for _ in range(repeats):
        timings["kernel"].append(cpu(kernel_long))
        timings["twin"].append(cpu(twin_long))
        if case.floor_blas is not None:
            timings["floor"].append(cpu(lambda: floor_run(n_floor)) / n_floor)
        timings["kernel1"].append(cpu(kernel_one, kernel_reps))
        timings["twin1"].append(cpu(twin_one, twin_reps))
    one = case.count(instance, 1)
    t_kernel = (median(timings["kernel"]) - median(timings["kernel1"])) / (
        case.count(instance, n_kernel) - one)
    t_twin = (median(timings["twin"]) - median(timings["twin1"])) / (
        case.count(instance, n_twin) - one)
    if case.floor_blas is not None:
        t_floor = median(timings["floor"])
    else:
        t_floor = case.floor_flops(instance, n_kernel) / case.count(instance, n_kernel) / \
            flop_rate()

    horizon = int(min(AGREE_HORIZON, max(20, n_twin)))
    agree_grid = checkpoints(horizon, per_decade=10)
    agreement, compared = relative_disagreement(kernel(agree_grid), twin(agree_grid), floors)

    # Quick horizons belong to quick-size instances: a medium instance would run a quick
    # horizon of 1e5 steps at d = 1000 for seconds per call, hundreds of calls.
    record = record_percent(kernel, case.quick, repeats, target) \
        if case.record and case.size == "small" else np.nan
    return Measured(case, t_kernel, t_twin, t_floor, floor_kind,
                    {"kernel": n_kernel, "twin": n_twin, "floor": n_floor,
                     "agreement": horizon, "record": case.quick[0]},
                    agreement, compared, record)


def record_percent(kernel: Callable[[np.ndarray], object], quick: tuple[int, int],
                   repeats: int, target: float) -> float:
    """Percent of a run's CPU time spent recording on the grid ``quick = (horizon, linear)``
    (see the module docstring): the engine's grid against two checkpoints.

    A quick run often lasts a millisecond or less; on a shared machine single calls then
    scatter by 10% and more (interference only adds time), and where the allocator puts
    their arrays matters. So the two grids alternate call by call, a randomly sized array is
    allocated before each pair to move the heap, and the lower deciles of the per-call
    times (of at least ``20 * repeats`` calls each) are compared.
    """
    horizon, linear = quick
    full = checkpoints(horizon, linear=linear)
    sparse = np.array([1, horizon], dtype=np.int64)
    calls = max(20 * repeats, reps_for(lambda: kernel(sparse), target) * repeats // 2)
    rng = np.random.default_rng(0)
    times: dict[str, list[float]] = {"full": [], "sparse": []}
    padding = []
    for i in range(calls):
        padding.append(np.empty(int(rng.integers(1, 512))))
        for name in ("full", "sparse") if i % 2 == 0 else ("sparse", "full"):
            grid = full if name == "full" else sparse
            times[name].append(cpu(lambda g=grid: kernel(g)))
    low = {name: float(np.percentile(t, 10)) for name, t in times.items()}
    return 100.0 * (low["full"] - low["sparse"]) / low["full"]


def compile_times(module: str, index: int) -> dict[str, float]:
    """Cold compile and cache-load CPU seconds of the kernel of case ``index`` of ``module``,
    each in a fresh process (:mod:`benchmarks.compile_probe`), the cold one with an empty
    cache directory."""
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        found = {}
        for label in ("cold", "load"):
            done = subprocess.run(
                [sys.executable, "-m", "benchmarks.compile_probe", module, str(index)],
                capture_output=True, text=True, env=env, cwd=root, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"compile probe of {module} case {index} failed:\n"
                                   f"{done.stderr}")
            report = json.loads(done.stdout.strip().splitlines()[-1])
            found[label] = max(0.0, report["first"] - report["second"])
    return found


def targets(m: Measured) -> list[str]:
    """The targets this measurement misses, as short strings (empty: every one met)."""
    missed = []
    ratios = m.ratios()
    if ratios["numpy_over_kernel"] < 1.0:
        missed.append(f"slower than NumPy ({ratios['numpy_over_kernel']:.2f}x)")
    if m.case.kind in (PER_SAMPLE, SMALL_VECTOR) and ratios["numpy_over_kernel"] < SPEEDUP_TARGET:
        missed.append(f"< {SPEEDUP_TARGET:g}x NumPy")
    if m.case.kind == DENSE and ratios["kernel_over_floor"] > FLOOR_TARGET:
        missed.append(f"> {FLOOR_TARGET:g}x floor")
    if not m.agreement <= AGREE_TARGET:
        missed.append(f"twin differs {m.agreement:.1e}")
    if m.record_percent > RECORD_TARGET:  # NaN (not measured) compares False
        missed.append(f"recording {m.record_percent:.0f}%")
    if m.compile.get("cold", 0.0) > COMPILE_TARGET:
        missed.append(f"compile {m.compile['cold']:.1f} s")
    return missed


def environment() -> dict[str, Any]:
    """Where and how the numbers were taken."""
    import numba

    cpu_model = platform.processor()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    git = ""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        git = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                             text=True, cwd=Path(__file__).resolve().parent,
                             check=False).stdout.strip()
    return {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "cpu": cpu_model,
            "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "numba": numba.__version__, "git": git,
            "blas_threads": {name: os.environ.get(name) for name in BLAS_VARIABLES},
            "numpy_loaded_first": NUMPY_LOADED_FIRST, "clock": "time.process_time",
            "flop_rate_gflops": flop_rate() / 1e9,
            "flop_rate_source": f"np.dot({FLOP_RATE_SIZE}x{FLOP_RATE_SIZE} @ vector, out=...)",
            "gaussian_draw_ns": gaussian_draw_ns()}


def as_json(m: Measured) -> dict[str, Any]:
    c = m.case
    return {"family": c.family, "kernel": c.kernel, "instance": c.instance, "size": c.size,
            "kind": c.kind, "unit": c.unit,
            "us_per_unit": {"kernel": m.kernel * 1e6, "numpy": m.twin * 1e6,
                            "floor": m.floor * 1e6},
            "floor": {"kind": m.floor_kind, "what": c.floor_note},
            "ratios": m.ratios(), "iterations": m.iterations,
            "agreement": {"max_relative": m.agreement, "compared": m.compared},
            "record_percent": m.record_percent,
            "record_grid": {"horizon": c.quick[0], "linear": c.quick[1]},
            "compile_seconds": m.compile, "targets_missed": targets(m)}


HEADER = (f"{'kernel':<34} {'instance':<26} {'kind':<12} {'cold s':>6} {'load s':>6} "
          f"{'per':>3} {'kern us':>9} {'numpy us':>9} {'floor us':>10} {'np/kern':>8} "
          f"{'kern/fl':>8} {'rec %':>6} {'agree':>8}  targets missed")


def row(m: Measured) -> str:
    r = m.ratios()
    cold = f"{m.compile['cold']:6.2f}" if "cold" in m.compile else f"{'':>6}"
    load = f"{m.compile['load']:6.2f}" if "load" in m.compile else f"{'':>6}"
    floor = f"{m.floor * 1e6:10.3g}" + ("*" if m.floor_kind == "flops" else " ")
    record = f"{'-':>6}" if np.isnan(m.record_percent) else f"{m.record_percent:6.1f}"
    return (f"{m.case.label:<34} {m.case.instance:<26} {m.case.kind:<12} {cold} {load} "
            f"{m.case.unit:>3} {m.kernel * 1e6:9.3g} {m.twin * 1e6:9.3g} {floor}"
            f"{r['numpy_over_kernel']:7.1f}x "
            f"{r['kernel_over_floor']:7.2f}x {record} {m.agreement:8.1e}  "
            f"{'; '.join(targets(m)) or 'all met'}")


def print_preamble() -> None:
    env = environment()
    threads = ", ".join(f"{k}={v}" for k, v in env["blas_threads"].items())
    print(f"CPU time (us) per iteration ('it') or per unit named under 'per', medians; "
          f"BLAS threads: {threads}"
          + ("  (NumPy was loaded first: not applied!)" if NUMPY_LOADED_FIRST else ""))
    print(f"{env['cpu']}, {env['cores']} cores; numpy {env['numpy']}, numba {env['numba']}; "
          f"git {env['git']}; in-cache BLAS matvec rate {env['flop_rate_gflops']:.2f} "
          "GFlop/s (floors marked * are flops at that rate); one Gaussian draw in a kernel "
          f"{env['gaussian_draw_ns']:.1f} ns")
    print(HEADER, flush=True)


def run_modules(modules: Sequence[ModuleType], sizes: Sequence[str], kernels: Sequence[str],
                repeats: int, target: float, compile_kernels: bool) -> list[Measured]:
    """Measure every selected case of ``modules``, printing a row as each finishes."""
    results = []
    for module in modules:
        compiled: dict[tuple[str, str], dict[str, float]] = {}
        for index, case in enumerate(module.cases()):
            if case.size not in sizes or (kernels and case.kernel not in kernels):
                continue
            measured = measure(case, repeats, target)
            key = (case.kernel, case.specialisation)
            if compile_kernels and key not in compiled:
                compiled[key] = compile_times(module.__name__, index)
                measured.compile = compiled[key]
            results.append(measured)
            print(row(measured), flush=True)
    return results


def write_json(path: Path, results: Sequence[Measured], options: Mapping[str, Any]) -> None:
    data = {"environment": environment(), "options": dict(options),
            "targets": {"speedup_vs_numpy": SPEEDUP_TARGET, "kernel_over_floor": FLOOR_TARGET,
                        "agreement": AGREE_TARGET, "record_percent": RECORD_TARGET,
                        "compile_seconds": COMPILE_TARGET},
            "cases": [as_json(m) for m in results]}
    path.write_text(json.dumps(data, indent=1) + "\n")
