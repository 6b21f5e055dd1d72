"""Execute: run each task (build the instance, run the kernel) in this process or a pool."""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from workbench.catalogue import ParameterError, check_run, get_problem
from workbench.engine.checkpoints import checkpoints
from workbench.engine.plan import Task

__all__ = ["Task", "TaskResult", "default_jobs", "run_task", "run_tasks"]


@dataclass
class TaskResult:
    """Measures at the checkpoints of one task, plus the instance's constants and floors."""

    task: Task
    t: np.ndarray
    measures: dict[str, np.ndarray]
    constants: dict[str, float]
    floors: dict[str, float]
    seconds: float
    error: str = ""


def run_task(task: Task) -> TaskResult:
    """Build the instance and run the kernel; a pure function of the task.

    Parameters that no instance or run can have (:class:`ParameterError`) are reported for
    this task's claim only; anything else is a bug and propagates.
    """
    problem = get_problem(task.problem)
    algorithm = problem.algorithms[task.algorithm]
    start = time.perf_counter()
    grid = checkpoints(task.horizon, linear=task.linear_checkpoints)
    try:
        instance = problem.make(task.seed, **task.problem_params)
    except ParameterError as exc:
        return TaskResult(task, grid, {}, {}, {}, 0.0, error=f"problem_params: {exc}")
    problem.check_instance(instance)
    try:
        output = algorithm.run(instance, grid, task.seed, **task.hyper)
    except ParameterError as exc:
        return TaskResult(task, grid, {}, {}, {}, 0.0, error=f"hyper: {exc}")
    measures = check_run(problem, algorithm, output, grid.size)
    return TaskResult(task, grid, measures, dict(instance.constants), dict(instance.floors),
                      time.perf_counter() - start)


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


def run_tasks(tasks: list[Task], jobs: int = 1, progress: bool = True) -> list[TaskResult]:
    """Run every task; in this process when ``jobs == 1``, else on a process pool."""
    bar = Progress(len(tasks), progress)
    results: list[TaskResult] = []
    try:
        if jobs <= 1 or len(tasks) <= 1:
            for task in tasks:
                results.append(run_task(task))
                bar.step(task.claim_id)
        else:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
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
