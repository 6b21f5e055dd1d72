"""Plan and run: claims become a flat list of tasks (claim x sweep point x seed).

A task is plain data, so the same list runs in this process, in a process pool, or on any
executor with a ``map`` (a Dask client's executor, for instance) without engine changes.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from workbench.checkpoints import checkpoints
from workbench.claims import Claim
from workbench.registry import get_problem

# Geometric fits use the last part of the run in linear t: add evenly spaced checkpoints.
LINEAR_CHECKPOINTS = 60


@dataclass(frozen=True)
class Task:
    """One run: a claim's problem and algorithm at one sweep point with one seed."""

    claim_id: str
    point: int
    seed: int
    problem: str
    algorithm: str
    problem_params: dict[str, float]
    hyper: dict[str, float]
    horizon: int
    linear_checkpoints: int = 0


@dataclass
class TaskResult:
    """Measures at the checkpoints of one task, plus the instance's constants and floors."""

    task: Task
    t: np.ndarray
    measures: dict[str, np.ndarray]
    constants: dict[str, float]
    floors: dict[str, float]
    seconds: float
    meta: dict[str, float] = field(default_factory=dict)
    error: str = ""


def plan(claims: Iterable[Claim], seed_start: int = 0) -> list[Task]:
    """The flat task list. Every sweep point uses the same seeds (common random numbers)."""
    tasks = []
    for claim in claims:
        points: list[tuple[str, float] | None] = [None]
        if claim.sweep is not None:
            points = [(claim.sweep.parameter, v) for v in claim.sweep.values]
        linear = LINEAR_CHECKPOINTS if claim.rate.shape == "geometric" else 0
        problem = get_problem(claim.problem)
        for index, point in enumerate(points):
            params, hyper = dict(claim.problem_params), dict(claim.hyper)
            if point is not None:
                (params if point[0] in problem.params else hyper)[point[0]] = point[1]
            for seed in range(seed_start, seed_start + claim.seeds):
                tasks.append(Task(claim.id, index, seed, claim.problem, claim.algorithm,
                                  params, hyper, claim.horizon, linear))
    return tasks


def run_task(task: Task) -> TaskResult:
    """Build the instance and run the kernel; pure function of the task."""
    problem = get_problem(task.problem)
    algorithm = problem.algorithms[task.algorithm]
    start = time.perf_counter()
    grid = checkpoints(task.horizon, linear=task.linear_checkpoints)
    try:
        instance = problem.make(task.seed, **task.problem_params)
    except ValueError as exc:  # impossible parameters: reported for this claim only
        return TaskResult(task, grid, {}, {}, {}, 0.0, error=f"problem_params: {exc}")
    built = time.perf_counter()
    try:
        measures = algorithm.run(instance, grid, task.seed, **task.hyper)
    except ValueError as exc:
        return TaskResult(task, grid, {}, {}, {}, 0.0, error=f"hyper: {exc}")
    done = time.perf_counter()
    return TaskResult(task, grid, {k: np.asarray(v, float) for k, v in measures.items()},
                      dict(instance.constants), dict(instance.floors), done - start,
                      {"build_seconds": built - start, "run_seconds": done - built})


class Progress:
    """A one-line progress bar on stderr, shown once a run has taken more than a second."""

    def __init__(self, total: int, enabled: bool = True) -> None:
        self.total, self.done, self.enabled = total, 0, enabled
        self.start = time.perf_counter()

    def step(self, label: str) -> None:
        self.done += 1
        elapsed = time.perf_counter() - self.start
        if self.enabled and elapsed > 1.0:
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] "
                             f"{self.done}/{self.total} {elapsed:5.1f}s {label[:40]:<40}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and time.perf_counter() - self.start > 1.0:
            sys.stderr.write("\n")


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def run_tasks(tasks: list[Task], jobs: int = 1, progress: bool = True,
              executor_factory: Callable[[int], Executor] | None = None) -> list[TaskResult]:
    """Run every task; in this process when ``jobs == 1``, else on a process pool."""
    bar = Progress(len(tasks), progress)
    results: list[TaskResult] = []
    try:
        if jobs <= 1 or len(tasks) <= 1:
            for task in tasks:
                results.append(run_task(task))
                bar.step(task.claim_id)
        else:
            factory = executor_factory or (lambda n: ProcessPoolExecutor(max_workers=n))
            with factory(jobs) as pool:
                # Larger horizons first, so the pool does not end on one long task.
                order = sorted(range(len(tasks)), key=lambda i: -tasks[i].horizon)
                by_index: dict[int, TaskResult] = {}
                results_in_order = pool.map(run_task, [tasks[i] for i in order])
                for i, result in zip(order, results_in_order, strict=True):
                    by_index[i] = result
                    bar.step(result.task.claim_id)
                results = [by_index[i] for i in range(len(tasks))]
    finally:
        bar.close()
    return results
