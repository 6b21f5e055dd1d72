"""Signals and limits: ``verify`` in a subprocess, stopped by SIGINT, SIGTERM, SIGKILL or its
task time limit; the workers must not survive it, the exit status and the one line on stderr
are the documented ones, and finished claims are kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CARDS

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="reads worker processes from /proc (Linux)")

# Hours of work per task: 1e8 iterations of full-gradient GD on a 2000 x 200 problem.
SLOW = """
[paper]
title = "Slow on purpose"

[[claim]]
id = "slow-gd"
statement = "A run that takes hours."
problem = "logistic.l2"
problem_params = {{ n = 2000, d = 200, lam = 1e-2 }}
algorithm = "gd"
measure = "dist_sq"
rate = "O((1 - mu/L)**T)"
horizon = 100000000
seeds = {seeds}
"""


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()  # state, ppid, ...


def children(pid: int) -> set[int]:
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and fields[1] == str(pid):
                out.add(int(entry.name))
    return out


def alive(pids: set[int]) -> set[int]:
    return {p for p in pids if (s := _stat(p)) is not None and s[0] not in ("Z", "X")}


def start(tmp_path: Path, *extra: str, seeds: int = 4, jobs: int = 2,
          fast: bool = False) -> subprocess.Popen:
    card = tmp_path / "slow.toml"
    card.write_text(SLOW.format(seeds=seeds))
    cards = ["--claims", str(card)] + (["--claims", str(CARDS / "good_small.toml")] * fast)
    return subprocess.Popen(
        [sys.executable, "-m", "workbench", "verify", *cards, "--jobs", str(jobs),
         "--no-progress", "--no-store", *extra],  # every run computed: signals hit kernels
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)


def workers(proc: subprocess.Popen, count: int, timeout: float = 60) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = alive(children(proc.pid))
        if len(found) >= count:
            return found
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} workers after {timeout} s")


def gone(pids: set[int], timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pids)


@pytest.mark.parametrize(("signum", "group", "status"), [
    (signal.SIGINT, False, 130),
    (signal.SIGTERM, False, 143),
    (signal.SIGINT, True, 130),  # Ctrl-C in a terminal reaches the whole process group
], ids=["SIGINT", "SIGTERM", "SIGINT-to-group"])
def test_signal_stops_every_worker(tmp_path, signum, group, status):
    proc = start(tmp_path)
    running = workers(proc, 2)
    time.sleep(0.5)
    sent = time.monotonic()
    if group:
        os.killpg(proc.pid, signum)
    else:
        os.kill(proc.pid, signum)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == status, err
    assert time.monotonic() - sent < 10
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert f"interrupted by {signal.Signals(signum).name}: workers stopped" in err
    assert gone(running), f"orphan workers: {alive(running)}"


def test_sigkill_of_the_main_process_takes_the_workers_along(tmp_path):
    proc = start(tmp_path)
    running = workers(proc, 2)
    proc.kill()
    proc.communicate(timeout=30)
    assert gone(running), f"orphan workers: {alive(running)}"


def test_interrupt_keeps_the_finished_claims(tmp_path):
    proc = start(tmp_path, seeds=1, fast=True)
    running = workers(proc, 2)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until one worker is idle: the fast claim is done
        states = [(_stat(p) or ["X"])[0] for p in running]
        if states.count("S") == 1:
            time.sleep(0.3)
            if [(_stat(p) or ["X"])[0] for p in running].count("S") == 1:
                break
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "small-gd-linear" in out and "consistent" in out  # the finished claim, judged
    assert "slow-gd" not in out
    assert "1 of 2 finished (printed above)" in err and err.count("\n") == 1
    assert gone(running)


def test_task_timeout_stops_the_task_and_reports_it(tmp_path):
    proc = start(tmp_path, "--task-timeout", "1", seeds=4)
    running = workers(proc, 2)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 4, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "slow-gd" in err and "exceeded the time limit of 1 s" in err
    assert gone(running)


def test_a_crash_inside_a_worker_is_an_internal_error(tmp_path, capsys, monkeypatch):
    from workbench.cli.main import main

    def broken(task):
        raise ZeroDivisionError("simulated bug in a kernel")

    monkeypatch.setattr("workbench.engine.execute.run_task", broken)
    status = main(["verify", "--claims", str(CARDS / "good_small.toml"), "--jobs", "2",
                   "--no-progress", "--no-cache"])  # runs, even if the store holds them
    err = capsys.readouterr().err
    assert status == 3 and err.count("\n") == 1 and "simulated bug in a kernel" in err
    assert "internal error" in err and "Traceback" not in err
