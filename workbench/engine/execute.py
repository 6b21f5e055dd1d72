"""Execute: run each task (build the instance, run the kernel) in this process or in workers.

A kernel cannot be interrupted from Python, so stopping a run means ending the worker
processes that run kernels. Each worker is a process of its own with one pipe to this one
(a pool of ``jobs`` of them, larger horizons first): on SIGINT or SIGTERM every worker is
terminated and joined before :class:`~workbench.errors.Interrupted` carries the finished
results out; a task over its time limit has its worker terminated and replaced, and is
reported as failed. Workers ignore SIGINT (Ctrl-C in a terminal reaches the whole process
group; this process decides) and, on Linux, die with this process even if it is killed.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

import numpy as np

from workbench.catalogue import ParameterError, check_run, get_problem
from workbench.engine.checkpoints import checkpoints
from workbench.engine.plan import Task
from workbench.errors import Interrupted

__all__ = ["Execution", "Task", "TaskResult", "WorkerError", "current_execution",
           "default_jobs", "execution", "run_task", "run_tasks"]

# Seconds a terminated worker gets to exit before it is killed.
GRACE = 1.0
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass
class TaskResult:
    """Measures at the checkpoints of one task, plus the instance's constants and floors.

    ``error`` (``"field: message"``) is set when the task's parameters are impossible (bad
    input) or the task did not finish; ``failed`` marks the latter (time limit exceeded, or
    the worker process died).
    """

    task: Task
    t: np.ndarray
    measures: dict[str, np.ndarray]
    constants: dict[str, float]
    floors: dict[str, float]
    seconds: float
    error: str = ""
    failed: bool = False


class WorkerError(RuntimeError):
    """An unexpected exception inside a worker process (a bug); ``remote_traceback`` holds the
    worker's traceback."""

    def __init__(self, message: str, remote_traceback: str = "") -> None:
        super().__init__(message)
        self.remote_traceback = remote_traceback


@dataclass(frozen=True)
class Execution:
    """How tasks run.

    Attributes
    ----------
    isolate
        Run tasks in worker processes even with one job, so that Ctrl-C, SIGTERM and the time
        limit stop a running kernel at once (the command line does this).
    time_limit
        Seconds a task may run before its worker is terminated (None: no limit). A limit
        implies worker processes.
    store
        The result store's path (None: no store, every task runs).
    recompute
        Run every task even when the store holds it (``--no-cache``); results are stored.
    executor
        ``local`` (this process or a pool of worker processes) or ``dask`` (a Dask
        distributed cluster at ``scheduler``, or a ``LocalCluster`` of ``jobs`` workers; see
        :mod:`workbench.engine.cluster`, chosen by the pipeline).
    """

    isolate: bool = False
    time_limit: float | None = None
    store: str | None = None
    recompute: bool = False
    executor: str = "local"
    scheduler: str | None = None


IN_PROCESS = Execution()
_execution: ContextVar[Execution] = ContextVar("workbench_execution", default=IN_PROCESS)


@contextlib.contextmanager
def execution(settings: Execution) -> Iterator[Execution]:
    """Run tasks with ``settings`` inside the ``with`` block."""
    token = _execution.set(settings)
    try:
        yield settings
    finally:
        _execution.reset(token)


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


def failed_task(task: Task, message: str, seconds: float = 0.0) -> TaskResult:
    """The result of a task that did not finish."""
    grid = checkpoints(task.horizon, linear=task.linear_checkpoints)
    return TaskResult(task, grid, {}, {}, {}, seconds, error=f"task: {message}", failed=True)


class Progress:
    """Progress on stderr, once a run has taken more than a second: a one-line bar with the
    ETA on a terminal; elsewhere (a log file, CI) a plain line at most every 10% of the tasks.

    Every finished result also goes to ``on_result`` (the result store writes it at once).
    """

    def __init__(self, total: int, enabled: bool = True,
                 on_result: Callable[[TaskResult], None] | None = None) -> None:
        self.total, self.done, self.enabled = total, 0, enabled
        self.on_result = on_result
        self.start = time.perf_counter()
        self.shown = False
        self.terminal = sys.stderr.isatty()
        self.reported = 0

    def step(self, result: TaskResult) -> None:
        self.done += 1
        if self.on_result is not None:
            self.on_result(result)
        elapsed = time.perf_counter() - self.start
        if not self.enabled or elapsed <= 1.0:
            return
        label = result.task.claim_id
        eta = elapsed / self.done * (self.total - self.done)
        if self.terminal:
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] "
                             f"{self.done}/{self.total} {elapsed:5.1f}s ETA {eta:5.0f}s "
                             f"{label[:32]:<32}")
            sys.stderr.flush()
            self.shown = True
        elif self.done * 10 // self.total > self.reported or self.done == self.total:
            self.reported = self.done * 10 // self.total
            sys.stderr.write(f"workbench: {self.done}/{self.total} tasks, {elapsed:.0f} s, "
                             f"ETA {eta:.0f} s\n")
            sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def current_execution() -> Execution:
    """The execution settings in force (see :func:`execution`)."""
    return _execution.get()


def run_tasks(tasks: list[Task], jobs: int = 1, progress: bool = True,
              on_result: Callable[[TaskResult], None] | None = None) -> list[TaskResult]:
    """Run every task, in the order given.

    In this process when ``jobs == 1`` (unless :func:`execution` asks for isolation or a time
    limit), else in ``jobs`` worker processes.

    Raises
    ------
    Interrupted
        On SIGINT (Ctrl-C) or SIGTERM, once every worker has stopped; ``finished`` holds the
        results of the tasks that had finished.
    """
    settings = _execution.get()
    bar = Progress(len(tasks), progress, on_result)
    results: dict[int, TaskResult] = {}
    try:
        if not tasks:
            return []
        if jobs <= 1 and not settings.isolate and settings.time_limit is None:
            for index, task in enumerate(tasks):
                results[index] = run_task(task)
                bar.step(results[index])
        else:
            _Pool(tasks, max(1, jobs), settings.time_limit, results, bar).run()
    except KeyboardInterrupt as exc:
        signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
        raise Interrupted(signum, [results[i] for i in sorted(results)], len(tasks)) from None
    finally:
        bar.close()
    return [results[i] for i in range(len(tasks))]


# -- worker processes ------------------------------------------------------------------------
def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (no orphan even on SIGKILL)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(0)


def _worker_main(conn: Connection, other_end: Connection, parent: int) -> None:
    """Run tasks received on ``conn`` until it closes; never raise, never print."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    other_end.close()
    _die_with_parent(parent)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if message is None:
            return
        index, task = message
        start = time.perf_counter()
        try:
            reply = (index, "ok", run_task(task))
        except MemoryError:
            reply = (index, "ok", failed_task(task, "ran out of memory in its worker",
                                              time.perf_counter() - start))
        except BaseException as exc:  # noqa: BLE001 (reported to the main process)
            reply = (index, "error", (f"{type(exc).__name__}: {exc}", traceback.format_exc()))
        try:
            conn.send(reply)
        except BaseException as exc:  # noqa: BLE001 (an unpicklable result is a bug)
            with contextlib.suppress(BaseException):
                conn.send((index, "error", (f"cannot send the result: {exc}",
                                            traceback.format_exc())))


class _Worker:
    """One worker process and its pipe."""

    def __init__(self, context: multiprocessing.context.BaseContext) -> None:
        ours, theirs = context.Pipe()
        self.conn, self._theirs = ours, theirs
        self.process = context.Process(target=_worker_main, args=(theirs, ours, os.getpid()),
                                       daemon=True, name="workbench-worker")
        self.index: int | None = None
        self.started = 0.0

    def start(self) -> None:
        with _blocked_signals():  # the child starts with SIGINT/SIGTERM blocked
            self.process.start()
        self._theirs.close()

    def submit(self, index: int, task: Task) -> None:
        self.conn.send((index, task))
        self.index, self.started = index, time.monotonic()

    def terminate(self) -> None:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            self.process.terminate()

    def reap(self, deadline: float) -> None:
        """Wait until ``deadline`` for the process to end, then kill it."""
        with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
            self.process.join(max(0.0, deadline - time.monotonic()))
            if self.process.is_alive():
                self.process.kill()
                self.process.join(GRACE)
        with contextlib.suppress(OSError):
            self.conn.close()


@contextlib.contextmanager
def _blocked_signals() -> Iterator[None]:
    """SIGINT and SIGTERM held back (delivered on exit) in this thread."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def _deferred_signals() -> Iterator[None]:
    """A second Ctrl-C or SIGTERM while workers are being stopped waits until they are."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {s: signal.getsignal(s) for s in _STOP_SIGNALS}
    for s in _STOP_SIGNALS:
        signal.signal(s, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if caught:
            signal.raise_signal(caught[0])


class _Pool:
    """``jobs`` workers over ``tasks``: larger horizons first, each task's time limited."""

    def __init__(self, tasks: list[Task], jobs: int, limit: float | None,
                 results: dict[int, TaskResult], bar: Progress) -> None:
        self.tasks, self.limit, self.results, self.bar = tasks, limit, results, bar
        self.jobs = min(jobs, len(tasks))
        self.context = multiprocessing.get_context()
        self.order = deque(sorted(range(len(tasks)), key=lambda i: -tasks[i].horizon))
        self.workers: list[_Worker] = []
        self.idle: list[_Worker] = []

    def run(self) -> None:
        try:
            for _ in range(self.jobs):
                self._spawn()
            while self.order or self._busy():
                while self.order and self.idle:
                    worker = self.idle.pop()
                    index = self.order.popleft()
                    try:
                        worker.submit(index, self.tasks[index])
                    except OSError:  # the worker died while idle: fail the task, replace it
                        worker.index, worker.started = index, time.monotonic()
                        worker.terminate()
                        worker.reap(time.monotonic() + GRACE)
                        self._collect(worker)
                busy = self._busy()
                ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy],
                             self._timeout(busy))
                for worker in busy:
                    if worker.conn in ready or worker.process.sentinel in ready:
                        self._collect(worker)
                self._enforce_limit()
        finally:
            with _deferred_signals():
                self._stop_all()

    def _spawn(self) -> None:
        worker = _Worker(self.context)
        self.workers.append(worker)  # listed before it starts: a signal cannot orphan it
        worker.start()
        self.idle.append(worker)

    def _busy(self) -> list[_Worker]:
        return [w for w in self.workers if w.index is not None]

    def _timeout(self, busy: list[_Worker]) -> float | None:
        if self.limit is None or not busy:
            return None
        return max(0.0, min(w.started for w in busy) + self.limit - time.monotonic())

    def _finish(self, worker: _Worker, result: TaskResult) -> None:
        assert worker.index is not None
        self.results[worker.index] = result
        worker.index = None
        self.bar.step(result)

    def _collect(self, worker: _Worker) -> None:
        """Read a worker's reply; a worker that died fails its task and is replaced."""
        task = self.tasks[worker.index]
        message = None
        try:
            if worker.conn.poll():
                message = worker.conn.recv()
        except (EOFError, OSError):
            message = None
        if message is None:
            worker.process.join(GRACE)
            code = worker.process.exitcode
            if code is None:
                return  # still running; its pipe only looked readable
            how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
            self._finish(worker, failed_task(task, f"its worker process died ({how}; out of "
                                             "memory?)", time.monotonic() - worker.started))
            self._replace(worker)
            return
        index, status, payload = message
        if status == "error":
            raise WorkerError(f"{payload[0]} (in a worker running claim {task.claim_id!r}, "
                              f"seed {task.seed})", payload[1])
        self._finish(worker, payload)
        self.idle.append(worker)

    def _enforce_limit(self) -> None:
        if self.limit is None:
            return
        now = time.monotonic()
        for worker in self._busy():
            if now - worker.started >= self.limit:
                worker.terminate()
                worker.reap(time.monotonic() + GRACE)
                task = self.tasks[worker.index]
                self._finish(worker, failed_task(
                    task, f"exceeded the time limit of {self.limit:g} s (--task-timeout); its "
                    "worker was stopped", now - worker.started))
                self._replace(worker)
                self._skip(task.claim_id)

    def _skip(self, claim_id: str) -> None:
        """Leave out the claim's tasks not started yet: the claim cannot be judged."""
        for index in [i for i in self.order if self.tasks[i].claim_id == claim_id]:
            self.order.remove(index)
            self.results[index] = failed_task(self.tasks[index], "not run: another run of "
                                              "the claim did not finish")
            self.bar.step(self.results[index])

    def _replace(self, worker: _Worker) -> None:
        self.workers.remove(worker)
        with contextlib.suppress(ValueError):
            self.idle.remove(worker)
        worker.terminate()
        worker.reap(time.monotonic() + GRACE)
        if self.order:
            self._spawn()

    def _stop_all(self) -> None:
        """Close every pipe (idle workers exit), terminate every worker, then reap them."""
        for worker in self.workers:
            if worker.index is None:
                with contextlib.suppress(OSError, ValueError):
                    worker.conn.send(None)
            else:
                worker.terminate()
        deadline = time.monotonic() + GRACE
        for worker in self.workers:
            worker.reap(deadline)
        self.workers.clear()
        self.idle.clear()
