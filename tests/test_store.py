"""The result store and the executors: same results whichever way tasks run, runs kept and
not recomputed, a killed run resumes, concurrent writers lose nothing, bad stores are bad
input."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from workbench.cards.claims import load_claims
from workbench.engine import execute as execute_module
from workbench.engine.execute import Execution, execution
from workbench.engine.pipeline import execute, run_claims
from workbench.engine.plan import plan
from workbench.engine.store import Store, task_key
from workbench.errors import BadInputError

CARD = """[paper]
title = "t"
[[claim]]
id = "{id}"
statement = "s"
problem = "logistic.l2"
problem_params = {{ n = 40, d = 5, lam = 1e-2 }}
algorithm = "sgd"
measure = "dist_sq"
rate = "O(1/T)"
horizon = {horizon}
seeds = {seeds}
"""


def card(tmp_path: Path, name: str = "c", horizon: int = 20000, seeds: int = 4) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(CARD.format(id=name, horizon=horizon, seeds=seeds), encoding="utf-8")
    return path


def traces(results):
    return [np.concatenate([r.measures[k] for k in sorted(r.measures)]) for r in results]


def _serial_traces(tmp_path) -> tuple[list, list[np.ndarray]]:
    tasks = plan([c.settings(False) for c in load_claims([card(tmp_path)])])
    serial = traces(execute(tasks, jobs=1, progress=False))
    assert len(serial) == len(tasks) > 1 and all(t.size for t in serial)
    return tasks, serial


def test_same_traces_serial_and_process_pool(tmp_path):
    tasks, serial = _serial_traces(tmp_path)
    with execution(Execution(isolate=True)):
        pool = traces(execute(tasks, jobs=2, progress=False))
    assert len(pool) == len(serial)
    for a, b in zip(serial, pool, strict=True):
        np.testing.assert_array_equal(a, b)


def test_same_traces_serial_and_dask(tmp_path):
    pytest.importorskip("distributed")
    tasks, serial = _serial_traces(tmp_path)
    with execution(Execution(executor="dask")):
        cluster = traces(execute(tasks, jobs=2, progress=False))
    assert len(cluster) == len(serial)
    for a, b in zip(serial, cluster, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_rerun_reads_the_store_and_key_ignores_option_order(tmp_path, monkeypatch):
    store = tmp_path / "runs.sqlite"
    claims = load_claims([card(tmp_path)])
    with execution(Execution(store=str(store))):
        first, _ = run_claims(claims, quick=False, progress=False)
    calls = []
    real = execute_module.run_task
    monkeypatch.setattr(execute_module, "run_task", lambda t: calls.append(t) or real(t))
    with execution(Execution(store=str(store))):
        second, _ = run_claims(claims, quick=False, progress=False)
    assert calls == []  # every run came from the store
    assert first[0].to_dict()["observed"] == second[0].to_dict()["observed"]
    task = plan([claims[0]])[0]
    shuffled = replace(task, problem_params=dict(reversed(list(task.problem_params.items()))))
    assert task_key(task) == task_key(shuffled)
    with execution(Execution(store=str(store), recompute=True)):
        run_claims(claims, quick=False, progress=False)
    assert len(calls) == 4  # --no-cache recomputes


def test_killed_run_resumes_without_recomputing(tmp_path):
    store = tmp_path / "runs.sqlite"
    path = card(tmp_path, "long", horizon=1_000_000, seeds=12)
    env = {**os.environ, "WORKBENCH_STORE": str(store)}
    process = subprocess.Popen([sys.executable, "-m", "workbench", "verify", "--claims",
                                str(path), "--jobs", "2", "--no-progress"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
        if store.exists():
            try:
                with sqlite3.connect(store) as db:
                    done = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
            except sqlite3.Error:
                continue
            if done >= 2:
                break
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    assert 2 <= done < 12, "the run should be killed mid-sweep"
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    tasks = plan([c.settings(False) for c in load_claims([path])])
    with execution(Execution(store=str(store))):
        handle = Store(store)
        cached = sum(handle.get(t) is not None for t in tasks)
        handle.close()
    assert cached == stored >= 2


def test_two_processes_writing_one_store_lose_nothing(tmp_path):
    store = tmp_path / "runs.sqlite"
    env = {**os.environ, "WORKBENCH_STORE": str(store)}
    paths = [card(tmp_path, f"w{i}", horizon=3000, seeds=6) for i in range(2)]
    processes = [subprocess.Popen([sys.executable, "-m", "workbench", "verify", "--claims",
                                   str(p), "--jobs", "1", "--no-progress"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                 for p in paths]
    for process in processes:
        assert process.wait(120) == 0, process.stderr.read()
    with sqlite3.connect(store) as db:
        rows = db.execute("SELECT claim, COUNT(*) FROM runs GROUP BY claim").fetchall()
    assert dict(rows) == {"w0": 6, "w1": 6}


@pytest.mark.parametrize("content", [b"not a database at all", b"SQLite format 3\x00" + b"x" * 90])
def test_a_foreign_or_corrupt_store_is_bad_input(tmp_path, content, run_cli):
    path = tmp_path / "bad.sqlite"
    path.write_bytes(content)
    with pytest.raises(BadInputError):
        Store(path)
    status, out, err = run_cli("runs", "--store", str(path))
    assert status == 2 and len(err.strip().splitlines()) == 1


def test_a_store_of_another_program_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE runs (x INTEGER)")
    with pytest.raises(BadInputError, match="not a result store"):
        Store(path)


def test_export_writes_the_long_table(tmp_path, run_cli):
    store = tmp_path / "runs.sqlite"
    status, _, err = run_cli("verify", "--claims", str(card(tmp_path, horizon=2000, seeds=2)),
                             "--store", str(store), "--no-progress", "--jobs", "1")
    assert status == 0, err
    out = tmp_path / "long.csv"
    status, text, err = run_cli("export", "--store", str(store), "--out", str(out))
    assert status == 0, err
    lines = out.read_text().splitlines()
    header = lines[0].split(",")
    assert header[:3] == ["claim", "problem", "algorithm"] and "dist_sq" in header
    assert "2 runs" in text and len(lines) > 10
