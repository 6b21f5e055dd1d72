"""The result store: finished runs in an embedded SQLite database, so that an interrupted
sweep resumes and an unchanged run is not recomputed.

One row per run (task), keyed by a hash of what determines its trace: the task as plain
data (claim, problem, algorithm, parameters, seed, horizon, checkpoints; keys sorted, so the
order of options does not matter), the code that computes it (a hash of every source file of
the catalogue, the family contract and the checkpoint grid) and the numpy and numba versions.
The trace is stored compressed (``numpy.savez_compressed``). Each run is written in its own
transaction as soon as it finishes, in WAL mode, so readers and writers coexist and a killed
run loses at most the tasks in flight.

Default location: ``$WORKBENCH_STORE``, else ``$XDG_CACHE_HOME/workbench/runs.sqlite`` (or
``~/.cache/workbench/runs.sqlite``); ``--store PATH`` overrides both, ``--no-cache`` recomputes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from workbench.engine.execute import TaskResult
from workbench.engine.plan import Task
from workbench.errors import BadInputError

SCHEMA_VERSION = 1
_COLUMNS = ("key", "claim", "problem", "algorithm", "role", "point", "seed", "horizon",
            "task", "code", "versions", "seconds", "created", "payload")


def default_path() -> Path:
    """``$WORKBENCH_STORE``, else the user's cache directory."""
    if os.environ.get("WORKBENCH_STORE"):
        return Path(os.environ["WORKBENCH_STORE"])
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home) / "workbench" / "runs.sqlite"


@cache
def code_hash() -> str:
    """A hash of every source that shapes a trace: the catalogue (``problems/``), the family
    contract and the checkpoint grid. Editing any of them invalidates stored runs."""
    import workbench.problems as problems
    from workbench import catalogue
    from workbench.engine import checkpoints

    digest = hashlib.sha256()
    files = sorted(p for root in problems.__path__ for p in Path(root).rglob("*.py"))
    for path in [*files, Path(catalogue.__file__), Path(checkpoints.__file__)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@cache
def library_versions() -> str:
    import numba

    return json.dumps({"numpy": np.__version__, "numba": numba.__version__}, sort_keys=True)


def task_key(task: Task) -> str:
    """The run's key: the task, the code and the library versions; order-independent."""
    plain = json.dumps(dataclasses.asdict(task), sort_keys=True, default=float)
    return hashlib.sha256(f"{plain}|{code_hash()}|{library_versions()}".encode()).hexdigest()


def _pack(result: TaskResult) -> bytes:
    buffer = io.BytesIO()
    arrays = {f"m_{name}": values for name, values in result.measures.items()}
    meta = json.dumps({"constants": result.constants, "floors": result.floors})
    np.savez_compressed(buffer, t=result.t, meta=np.frombuffer(meta.encode(), dtype=np.uint8),
                        **arrays)
    return buffer.getvalue()


def _unpack(task: Task, payload: bytes, seconds: float) -> TaskResult:
    with np.load(io.BytesIO(payload)) as data:
        meta = json.loads(bytes(data["meta"]).decode())
        measures = {name[2:]: np.array(data[name]) for name in data.files
                    if name.startswith("m_")}
        return TaskResult(task, np.array(data["t"]), measures, meta["constants"], meta["floors"],
                          seconds)


class Store:
    """An open result store (see the module docstring).

    Raises
    ------
    BadInputError
        When ``path`` is not a SQLite file, or one of another program (no ``runs`` table of
        this schema), or cannot be created.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS runs (key TEXT PRIMARY KEY, claim TEXT, "
                "problem TEXT, algorithm TEXT, role TEXT, point INTEGER, seed INTEGER, "
                "horizon INTEGER, task TEXT, code TEXT, versions TEXT, seconds REAL, "
                "created REAL, payload BLOB)")
            self._db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, "
                             "value TEXT)")
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)",
                             (str(SCHEMA_VERSION),))
            columns = [row[1] for row in self._db.execute("PRAGMA table_info(runs)")]
            schema = self._db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
        except (OSError, sqlite3.Error) as exc:
            raise BadInputError(f"not a usable result store: {exc}", source=str(path),
                                field="--store") from None
        if tuple(columns) != _COLUMNS or schema is None or schema[0] != str(SCHEMA_VERSION):
            raise BadInputError("not a result store of this version (a foreign or older "
                                "SQLite file); give another --store path", source=str(path),
                                field="--store")

    def get(self, task: Task) -> TaskResult | None:
        """The stored result of ``task`` under the current code, or None."""
        try:
            row = self._db.execute("SELECT payload, seconds FROM runs WHERE key = ?",
                                   (task_key(task),)).fetchone()
        except sqlite3.Error as exc:
            raise BadInputError(f"cannot read the result store: {exc}", source=str(self.path),
                                field="--store") from None
        if row is None:
            return None
        try:
            return _unpack(task, row[0], row[1])
        except (OSError, ValueError, KeyError):
            return None  # a damaged row is recomputed

    def put(self, result: TaskResult) -> None:
        """Store a finished run (not one that failed or had impossible parameters)."""
        if result.error:
            return
        task = result.task
        row = (task_key(task), task.claim_id, task.problem, task.algorithm, task.role,
               task.point, task.seed, task.horizon,
               json.dumps(dataclasses.asdict(task), sort_keys=True, default=float),
               code_hash(), library_versions(), result.seconds, time.time(), _pack(result))
        try:
            with self._db:  # one transaction per run
                self._db.execute(f"INSERT OR REPLACE INTO runs VALUES "
                                 f"({', '.join('?' * len(_COLUMNS))})", row)
        except sqlite3.Error as exc:
            raise BadInputError(f"cannot write the result store: {exc}", source=str(self.path),
                                field="--store") from None

    def rows(self, claim: str | None = None) -> Iterator[dict[str, Any]]:
        """The stored runs (without their traces), newest first, each with the problem
        parameters and hyperparameters it ran with."""
        query = ("SELECT key, claim, problem, algorithm, role, point, seed, horizon, code, "
                 "seconds, created, task FROM runs")
        args: tuple = ()
        if claim:
            query, args = query + " WHERE claim = ?", (claim,)
        names = ("key", "claim", "problem", "algorithm", "role", "point", "seed", "horizon",
                 "code", "seconds", "created")
        for *row, task_json in self._db.execute(query + " ORDER BY created DESC", args):
            task = json.loads(task_json)
            yield {**dict(zip(names, row, strict=True)),
                   "problem_params": task["problem_params"], "hyper": task["hyper"]}

    def traces(self, claim: str | None = None) -> Iterator[tuple[dict[str, Any], TaskResult]]:
        """Every stored run with its trace (for ``workbench export``)."""
        query = "SELECT task, payload, seconds, code FROM runs"
        args: tuple = ()
        if claim:
            query, args = query + " WHERE claim = ?", (claim,)
        for task_json, payload, seconds, code in self._db.execute(query + " ORDER BY rowid",
                                                                   args):
            task = Task(**json.loads(task_json))
            yield {"code": code}, _unpack(task, payload, seconds)

    def close(self) -> None:
        self._db.close()
