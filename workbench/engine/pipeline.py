"""Run claims end to end: settle the settings, plan, execute, evaluate, attach provenance.

Every command (``verify``, ``plot``, ``report``, ``baseline``) and the pytest plugin run
claims through :func:`run_claims`; ``workbench fit`` and ``assert_rate`` judge a given
trajectory through :func:`judge_trajectory`. Provenance is assembled here and only here.
"""

from __future__ import annotations

import contextlib
import platform
import subprocess
import time
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np

from workbench import __version__, jit
from workbench.cards.claims import Claim, trajectory_claim
from workbench.cards.ratelaw import RateLaw
from workbench.cards.tolerances import Tolerances
from workbench.engine.cluster import run_on_dask
from workbench.engine.evaluate import evaluate, evaluate_curve
from workbench.engine.execute import TaskResult, current_execution, run_task, run_tasks
from workbench.engine.fit import Curve
from workbench.engine.plan import Task, plan
from workbench.engine.result import ClaimResult
from workbench.engine.store import Store, code_hash
from workbench.engine.verdict import INCONCLUSIVE, MISMATCH
from workbench.errors import BadInputError, Interrupted, TaskFailedError


def versions() -> dict[str, str]:
    """Code and library versions for provenance."""
    import numba
    import scipy
    import sympy

    return {"workbench": __version__, "git": code_version(),
            "python": platform.python_version(), "numpy": np.__version__,
            "numba": numba.__version__, "scipy": scipy.__version__,
            "sympy": sympy.__version__}


@cache
def code_version() -> str:
    """``git describe --always --dirty`` of the checkout holding this package, or ``""``."""
    here = Path(__file__).resolve().parent
    try:
        done = subprocess.run(["git", "-C", str(here), "describe", "--always", "--dirty"],
                              capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def settle(claims: list[Claim], quick: bool, seeds: int | None = None) -> list[Claim]:
    """The claims with their quick or full settings applied and ``seeds`` overridden."""
    settled = [claim.settings(quick) for claim in claims]
    return settled if seeds is None else [replace(c, seeds=seeds) for c in settled]


def execute(tasks: list[Task], jobs: int = 1, progress: bool = True) -> list[TaskResult]:
    """Run ``tasks``, reading those the result store holds and writing each new result to it
    as soon as it finishes (see :mod:`workbench.engine.store`; no store: every task runs).

    Before a pool of workers starts on code the Numba cache has not seen, the parent compiles
    each kernel once (:func:`warm_kernels`), so workers load it instead of compiling it each.
    """
    settings = current_execution()

    def run(todo: list[Task], on_result=None) -> list[TaskResult]:
        if settings.executor == "dask":
            return run_on_dask(todo, jobs, settings.scheduler, progress, on_result)
        return run_tasks(todo, jobs=jobs, progress=progress, on_result=on_result)

    if settings.store is None:
        if jobs > 1 or settings.executor != "local":
            warm_kernels(tasks, None)
        return run(tasks)
    store = Store(settings.store)
    try:
        found: dict[int, TaskResult] = {}
        if not settings.recompute:
            for index, task in enumerate(tasks):
                cached = store.get(task)
                if cached is not None:
                    found[index] = cached
        missing = [i for i in range(len(tasks)) if i not in found]
        if missing and (jobs > 1 or settings.executor != "local" or settings.isolate):
            warm_kernels([tasks[i] for i in missing], Path(jit.cache_dir()))
        try:
            ran = run([tasks[i] for i in missing], store.put)
        except Interrupted as exc:  # the store already holds every finished run
            exc.finished = [found[i] for i in sorted(found)] + list(exc.finished)
            exc.total = len(tasks)
            raise
        found.update(zip(missing, ran, strict=True))
        return [found[i] for i in range(len(tasks))]
    finally:
        store.close()


def warm_kernels(tasks: list[Task], marker_dir: Path | None) -> None:
    """Compile each (problem, algorithm) pair's kernels once in this process, on a two-step
    run, so that worker processes load them from Numba's on-disk cache.

    With a ``marker_dir`` (Numba's cache folder, so a new or emptied cache is warmed again), a
    marker file named after :func:`store.code_hash` records that this code has been compiled;
    later runs skip the warm-up (Numba's own cache notices edits to a kernel's module, which
    also change the hash).
    """
    marker = None
    if marker_dir is not None:
        marker = marker_dir / f"numba-warm-{code_hash()}"
        if marker.exists():
            return
    seen = set()
    for task in tasks:
        key = (task.problem, task.algorithm)
        if key in seen:
            continue
        seen.add(key)
        run_task(replace(task, horizon=2, linear_checkpoints=0))
    if marker is not None:
        with contextlib.suppress(OSError):
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()


def planned_looks(claim: Claim, max_seeds: int | None = None) -> int:
    """How many looks the sequential plan allows: seeds double from ``claim.seeds`` up to
    the cap (the card's ``max_seeds``, or ``max_seeds`` from the command line)."""
    cap = max_seeds if max_seeds is not None else claim.max_seeds
    if cap is None or cap <= claim.seeds:
        return 1
    return 1 + int(np.floor(np.log2(cap / claim.seeds)))


def _too_noisy(result: ClaimResult) -> bool:
    return result.verdict.verdict == INCONCLUSIVE and result.verdict.reason.startswith(
        "too noisy")


def run_claims(claims: list[Claim], quick: bool, seeds: int | None = None,
               seed_start: int = 0, jobs: int = 1, progress: bool = True,
               tolerance_overrides: Mapping[str, float] | None = None,
               max_seeds: int | None = None,
               ) -> tuple[list[ClaimResult], list[BadInputError]]:
    """Run and judge claims.

    A claim whose evaluation hits bad input (impossible parameters, say) is reported in the
    returned errors, located at its card and field; the other claims' results are kept.

    Sequential seeds: a claim whose verdict is "too noisy" while its cap allows more seeds
    (``max_seeds`` in the card or here) is run again with twice the seeds, fixed in advance
    (seeds double up to the cap). Every look uses the confidence level split over the planned
    looks (Bonferroni), so looking again does not inflate false verdicts; the provenance
    records the seeds and looks used.
    """
    settled = settle(claims, quick, seeds)
    looks = {c.id: planned_looks(c, max_seeds) for c in settled}
    tolerances = {}
    for c in settled:
        tol = c.tolerances.changed(tolerance_overrides or {}, source="--tol")
        if looks[c.id] > 1:
            tol = replace(tol, confidence=1 - (1 - tol.confidence) / looks[c.id])
        tolerances[c.id] = tol
    start = time.perf_counter()
    by_claim: dict[str, list] = {}
    tasks = plan(settled, seed_start)
    try:
        finished = execute(tasks, jobs=jobs, progress=progress)
    except Interrupted as exc:
        raise _interrupted(exc, settled, tasks, tolerances) from None
    for result in finished:
        by_claim.setdefault(result.task.claim_id, []).append(result)
    current = {c.id: c for c in settled}
    used = {c.id: 1 for c in settled}
    outcomes: dict[str, ClaimResult] = {}
    errors: dict[str, BadInputError] = {}
    todo = list(settled)
    while todo:
        for claim in todo:
            failed = [r for r in by_claim[claim.id] if r.failed]
            if failed:
                errors[claim.id] = _task_failed(claim, failed)
                outcomes.pop(claim.id, None)
                continue
            try:
                outcomes[claim.id] = evaluate(claim, by_claim[claim.id], tolerances[claim.id])
            except BadInputError as exc:
                errors[claim.id] = exc.located(source=claim.source, claim=claim.id)
        more = [c for c in todo if c.id in outcomes and _too_noisy(outcomes[c.id])
                and used[c.id] < looks[c.id]]
        extra = []
        for claim in more:
            current[claim.id] = replace(claim, seeds=2 * claim.seeds)
            used[claim.id] += 1
            extra.append((replace(claim, seeds=claim.seeds), seed_start + claim.seeds))
        for claim, first in extra:
            try:
                for result in execute(plan([claim], first), jobs=jobs, progress=progress):
                    by_claim[claim.id].append(result)
            except Interrupted as exc:
                exc.finished = [outcomes[c.id] for c in settled if c.id in outcomes]
                exc.total = len(settled)
                raise
        todo = [current[c.id] for c in more]
    _family_wise(outcomes, current, by_claim, tolerances)
    wall = time.perf_counter() - start
    common = {**versions(), "mode": "quick" if quick else "full", "seed_start": seed_start,
              "wall_seconds_all_claims": round(wall, 3)}
    for claim in settled:
        if claim.id not in outcomes:
            continue
        final = current[claim.id]
        outcomes[claim.id].provenance = {
            **common, "card": final.source, "card_hash": final.digest,
            "seeds": list(range(seed_start, seed_start + final.seeds)),
            "looks": used[claim.id], "planned_looks": looks[claim.id],
            "horizon": final.horizon, "problem_params": dict(final.problem_params),
            "hyper": dict(final.hyper),
            "seconds": round(sum(r.seconds for r in by_claim[claim.id]), 3),
        }
    return ([outcomes[c.id] for c in settled if c.id in outcomes],
            [errors[c.id] for c in settled if c.id in errors])


def _family_wise(outcomes: dict[str, ClaimResult], claims: dict[str, Claim],
                 by_claim: dict[str, list], tolerances: dict[str, Tolerances]) -> None:
    """Each mismatch judged again at the confidence level corrected for the number of claims
    run (Bonferroni: ``1 - (1 - confidence) / claims``), so a reader can tell the mismatches
    that one unlucky claim among many could give from those that survive the correction
    (``observed.family_wise``)."""
    family = len(outcomes)
    for claim_id, outcome in outcomes.items():
        if outcome.verdict.verdict != MISMATCH:
            continue
        tol = tolerances[claim_id]
        strict = replace(tol, confidence=1 - (1 - tol.confidence) / family)
        again = evaluate(claims[claim_id], by_claim[claim_id], strict)
        outcome.checks["family_wise"] = {"claims": family, "confidence": strict.confidence,
                                         "verdict": again.verdict.verdict,
                                         "direction": again.verdict.direction}


def _task_failed(claim: Claim, failed: list[TaskResult]) -> TaskFailedError:
    """The error for a claim some of whose tasks did not finish (time limit, dead worker)."""
    first = failed[0]
    point = f", sweep point {first.task.point + 1}" if claim.sweep is not None else ""
    message = first.error.partition(": ")[2]
    more = f" ({len(failed)} tasks of the claim did not finish)" if len(failed) > 1 else ""
    return TaskFailedError(f"the run with seed {first.task.seed}{point} did not finish: "
                           f"{message}{more}", source=claim.source, claim=claim.id,
                           field="horizon")


def _interrupted(exc: Interrupted, settled: list[Claim], tasks: list[Task],
                 tolerances: Mapping[str, Tolerances]) -> Interrupted:
    """``exc`` with the claims whose every task had finished judged (``finished``)."""
    planned: dict[str, int] = {}
    for task in tasks:
        planned[task.claim_id] = planned.get(task.claim_id, 0) + 1
    done: dict[str, list] = {}
    for result in exc.finished:
        done.setdefault(result.task.claim_id, []).append(result)
    outcomes = []
    for claim in settled:
        results = done.get(claim.id, [])
        if len(results) != planned.get(claim.id) or any(r.error for r in results):
            continue
        try:
            outcomes.append(evaluate(claim, results, tolerances[claim.id]))
        except BadInputError:
            continue
    return Interrupted(exc.signum, outcomes, len(settled))


def judge_trajectory(curve: Curve, law: RateLaw, params: Mapping[str, float],
                     tol: Tolerances, aggregate: str = "mean", t_min: float | None = None,
                     name: str = "trajectory") -> ClaimResult:
    """Fit and judge a given trajectory (``workbench fit``, ``assert_rate``)."""
    claim = trajectory_claim(name, law, params, aggregate, t_min, tol)
    return evaluate_curve(claim, curve, dict(params), tol, {"source": name,
                                                             **versions()})
