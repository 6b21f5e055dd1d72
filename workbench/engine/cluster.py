"""Tasks on a Dask distributed cluster (``--executor dask``), installed with the ``dask`` extra.

The same plain-data tasks and the same :func:`~workbench.engine.execute.run_task` run on the
cluster's workers, so results are identical to a local run (same seeds, same bits; BLAS at one
thread per worker). Without a scheduler address a ``LocalCluster`` of ``jobs`` single-threaded
worker processes is started for the run and closed after it.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from workbench.engine.execute import Progress, TaskResult, run_task
from workbench.engine.plan import Task
from workbench.errors import BadInputError

# One BLAS thread per worker process: workers must not fight over cores.
BLAS_ENV = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                   "OMP_NUM_THREADS", "NUMBA_NUM_THREADS")}


def run_on_dask(tasks: list[Task], jobs: int, scheduler: str | None, progress: bool = True,
                on_result: Callable[[TaskResult], None] | None = None) -> list[TaskResult]:
    """Run ``tasks`` on a Dask cluster; results in the order of ``tasks``."""
    bar = Progress(len(tasks), progress, on_result)
    results: dict[int, TaskResult] = {}
    try:
        _submit(tasks, jobs, scheduler, results, bar)
    finally:
        bar.close()
    return [results[i] for i in range(len(tasks))]


def _submit(tasks: list[Task], jobs: int, scheduler: str | None,
            results: dict[int, TaskResult], bar: Progress) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise BadInputError("--executor dask needs the dask extra: pip install "
                            "'rate-workbench[dask]'", source="--executor") from None
    cluster = None
    if scheduler:
        client = Client(scheduler, timeout="30s")
    else:
        os.environ.update(BLAS_ENV)  # inherited by the LocalCluster's worker processes
        cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    try:
        order = sorted(range(len(tasks)), key=lambda i: -tasks[i].horizon)
        futures = {client.submit(run_task, tasks[i], pure=False): i for i in order}
        for future in as_completed(futures):
            index = futures[future]
            results[index] = future.result()
            bar.step(results[index])
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
