"""What every command shares: exit codes, claim selection and its arguments, run settings,
output-path checks, the output format (``--format``, ``--json``) and JSON output."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.cards import limits
from workbench.engine.execute import Execution, default_jobs, execution
from workbench.engine.store import default_path as default_store
from workbench.errors import (
    EXIT_BAD_INPUT,
    EXIT_MISMATCH,
    EXIT_OK,
    EXIT_TASK_FAILED,
    BadInputError,
    excerpt,
)

__all__ = ["EXIT_BAD_INPUT", "EXIT_MISMATCH", "EXIT_OK", "EXIT_TASK_FAILED", "assignments",
           "add_format_argument", "add_selection_arguments", "check_output_dir",
           "check_output_file", "dumps", "error_status", "print_errors", "run_context",
           "select_claims", "selected"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
MAX_TASK_TIMEOUT = 10**7
#: What a command's ``--format`` may print: its plain-text table, JSON, or a Markdown table.
TABLE, JSON, MARKDOWN = "table", "json", "markdown"


def add_format_argument(p: argparse.ArgumentParser, formats: Sequence[str] = (TABLE, JSON),
                        what: str = "the results") -> None:
    """``--format {table,json,...}`` (default the first of ``formats``) as ``args.format``;
    with ``json`` among them, ``--json`` is kept as its alias (the last one given wins)."""
    p.add_argument("--format", choices=tuple(formats), default=formats[0],
                   help=f"how to print {what} (default {formats[0]})")
    if JSON in formats:
        p.add_argument("--json", action="store_const", const=JSON, dest="format",
                       help="the same as --format json")


def assignments(items: Sequence[str], option: str) -> dict[str, float]:
    """``NAME=NUMBER`` options (``--tol``, ``--param``) as a dict; anything else (a NaN or
    infinite number included) is bad input."""
    values = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not _NAME.match(name):
            raise BadInputError(f"expected NAME=NUMBER, got {excerpt(item)}", source=option)
        try:
            value = float(text)
        except ValueError:
            raise BadInputError(f"expected NAME=NUMBER, got {excerpt(item)}",
                                source=option) from None
        if not math.isfinite(value):
            raise BadInputError(f"{name} must be a finite number, got {excerpt(text.strip())}",
                                source=option)
        values[name] = value
    return values


if TYPE_CHECKING:  # cards load sympy: imported when a command reads them
    from workbench.cards.claims import Claim


def select_claims(claims: list[Claim], ids: Sequence[str], family: str | None,
                  source: str = "verify") -> list[Claim]:
    """The claims named by ``ids`` (all when none), restricted to ``family``."""
    known = {c.id for c in claims}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise BadInputError(f"unknown claim id(s) {excerpt(', '.join(unknown))}; see "
                            "'workbench list'", source=source)
    chosen = [c for c in claims if not ids or c.id in ids]
    if family:
        families = {c.family for c in claims}
        if family not in families:
            raise BadInputError(f"unknown family {excerpt(family)}; known: "
                                f"{', '.join(sorted(families))}", source="--family")
        chosen = [c for c in chosen if c.family == family]
    return chosen


def selected(args: argparse.Namespace) -> list[Claim]:
    """The claims the command line selects; none selected is bad input."""
    from workbench.cards.claims import load_claims

    claims = select_claims(load_claims(args.claims), args.ids, args.family, args.command)
    if not claims:
        raise BadInputError("no claims selected", source=args.command)
    return claims


def add_selection_arguments(p: argparse.ArgumentParser, seeds: bool = True) -> None:
    """``CLAIM_ID ...``, ``--claims``, ``--family``, ``--quick``, ``--jobs``, the limits and
    ``--task-timeout``."""
    p.add_argument("ids", nargs="*", metavar="CLAIM_ID")
    p.add_argument("--claims", action="append", metavar="PATH",
                   help="a card file or folder, repeatable (default: the built-in cards)")
    p.add_argument("--family", help="only claims on this problem family")
    p.add_argument("--quick", action="store_true", help="the cards' quick settings (CI size)")
    if seeds:
        p.add_argument("--seeds", type=int, help="override every claim's number of seeds")
    p.add_argument("--jobs", type=int, default=None,
                   help=f"worker processes (default: all cores; at most {limits.MAX_JOBS})")
    p.add_argument("--task-timeout", type=float, metavar="SECONDS",
                   help="stop a task (one claim, sweep point and seed) that runs longer and "
                        "report it (exit status 4)")
    add_limit_arguments(p)
    add_execution_arguments(p)
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def add_execution_arguments(p: argparse.ArgumentParser) -> None:
    """``--store``, ``--no-store``, ``--no-cache``, ``--executor``, ``--scheduler``."""
    p.add_argument("--store", metavar="PATH",
                   help="result store (SQLite; default $WORKBENCH_STORE or "
                        "~/.cache/workbench/runs.sqlite): finished runs are kept there and "
                        "not recomputed")
    p.add_argument("--no-store", action="store_true", help="neither read nor write the store")
    p.add_argument("--no-cache", action="store_true",
                   help="recompute every run (the results are still written to the store)")
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="local worker processes (default) or a Dask cluster (the dask extra)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="the Dask scheduler's address (default: a LocalCluster of --jobs "
                        "workers)")


def add_limit_arguments(p: argparse.ArgumentParser) -> None:
    """``--limit-horizon``, ``--limit-seeds``, ``--limit-size``: raise the cards' limits."""
    d, hard = limits.DEFAULT, limits.HARD
    p.add_argument("--limit-horizon", type=int, metavar="N",
                   help=f"largest horizon a card may ask for (default {d.max_horizon:g}, at "
                        f"most {hard.max_horizon:g})")
    p.add_argument("--limit-seeds", type=int, metavar="N",
                   help=f"largest number of seeds (default {d.max_seeds}, at most "
                        f"{hard.max_seeds:g})")
    p.add_argument("--limit-size", type=int, metavar="N",
                   help="largest instance size, the product of a problem's integer parameters "
                        f"(default {d.max_size:g}, at most {hard.max_size:g})")


def _bounded(value: int | float | None, option: str, low: float, high: float) -> None:
    if value is not None and not (math.isfinite(value) and low <= value <= high):
        raise BadInputError(f"must be in [{low:g}, {high:g}], got {value!r}", source=option)


@contextlib.contextmanager
def run_context(args: argparse.Namespace) -> Iterator[None]:
    """Check the run-wide options (jobs, seeds, limits, time limit) and put the limits and the
    execution settings in force for the command."""
    hard = limits.HARD
    chosen = {}
    for name in ("max_horizon", "max_seeds", "max_size"):
        option = limits.FLAGS[name]
        value = getattr(args, option[2:].replace("-", "_"), None)
        _bounded(value, option, 1, getattr(hard, name))
        chosen[name] = value if value is not None else getattr(limits.DEFAULT, name)
    bounds = limits.Limits(**chosen)
    if getattr(args, "jobs", None) is None and hasattr(args, "jobs"):
        args.jobs = default_jobs()
    _bounded(getattr(args, "jobs", None), "--jobs", 1, limits.MAX_JOBS)
    _bounded(getattr(args, "seed_start", None), "--seed-start", 0,
             limits.MAX_SEED + 1 - bounds.max_seeds)
    timeout = getattr(args, "task_timeout", None)
    if timeout is not None and not (math.isfinite(timeout) and 0 < timeout <= MAX_TASK_TIMEOUT):
        raise BadInputError(f"must be a number of seconds in (0, {MAX_TASK_TIMEOUT:g}], got "
                            f"{timeout!r}", source="--task-timeout")
    if getattr(args, "scheduler", None) and getattr(args, "executor", "local") != "dask":
        raise BadInputError("--scheduler goes with --executor dask", source="--scheduler")
    store = None
    if hasattr(args, "executor") and not args.no_store:
        store = str(Path(args.store) if args.store else default_store())
    settings = Execution(isolate=True, time_limit=timeout, store=store,
                         recompute=getattr(args, "no_cache", False),
                         executor=getattr(args, "executor", "local"),
                         scheduler=getattr(args, "scheduler", None))
    with limits.using(bounds), execution(settings):
        seeds = getattr(args, "seeds", None)
        if seeds is not None:
            if seeds < 1:
                raise BadInputError(f"must be at least 1, got {seeds}", source="--seeds")
            limits.check_count("seeds", seeds, "--seeds")
        yield


def _nearest_existing(path: Path) -> Path:
    for parent in [path, *path.parents]:
        if parent.exists() or parent == parent.parent:
            return parent
    return Path(".")


def _probe(folder: Path, option: str, what: str) -> None:
    """Create and remove an unnamed file in ``folder``: the one reliable test that it can be
    written (permissions, read-only file systems, running as root)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise BadInputError(f"cannot write in the folder: {exc.strerror or exc}",
                            source=str(what), field=option) from None


def _make_folder(folder: Path, option: str) -> None:
    """Create the output folder (and its parents) before the run, or say why it cannot be."""
    base = _nearest_existing(folder)
    if base.exists() and not base.is_dir():
        raise BadInputError(f"cannot create the folder: {base} is a file", source=str(folder),
                            field=option)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInputError(f"cannot create the folder: {exc.strerror or exc}",
                            source=str(folder), field=option) from None


def check_output_dir(path: str | Path, option: str, names: Iterable[str] = ()) -> Path:
    """An output folder that can be written, checked (and created) before anything runs.

    An existing folder is reused; an existing file where the folder should be, a folder where
    one of ``names`` should be written, or a place that cannot be written is bad input.
    """
    folder = Path(path)
    try:
        if folder.exists() and not folder.is_dir():
            raise BadInputError("exists and is not a folder; give a folder for the output",
                                source=str(folder), field=option)
        _make_folder(folder, option)
        _probe(folder, option, str(folder))
        for name in names:
            target = folder / name
            if target.is_dir() or (target.exists() and not os.access(target, os.W_OK)):
                raise BadInputError(f"cannot write {name} there: it is a folder or read-only",
                                    source=str(folder), field=option)
    except OSError as exc:
        raise BadInputError(f"cannot use it: {exc.strerror or exc}", source=str(folder),
                            field=option) from None
    return folder


def check_output_file(path: str | Path, option: str) -> Path:
    """An output file that can be written (created or replaced), checked before anything
    runs; its folder is created if needed."""
    target = Path(path)
    try:
        if target.is_dir():
            raise BadInputError("is a folder; give a file name", source=str(target),
                                field=option)
        check_output_dir(target.parent, option)
        if target.exists():
            with open(target, "r+b"):
                pass
    except OSError as exc:
        raise BadInputError(f"cannot write it: {exc.strerror or exc}", source=str(target),
                            field=option) from None
    return target


@contextlib.contextmanager
def writing(path: str | Path, option: str) -> Iterator[None]:
    """Turn an operating-system error while writing outputs into bad input naming the path
    (a disk that filled up, a folder removed during the run)."""
    try:
        yield
    except OSError as exc:
        where = exc.filename or path
        raise BadInputError(f"cannot write: {exc.strerror or exc}", source=str(where),
                            field=option) from None


def print_errors(errors: Sequence[BadInputError]) -> None:
    for error in errors:
        print(f"workbench: error: {error.one_line()}", file=sys.stderr)


def error_status(errors: Sequence[BadInputError]) -> int:
    """The exit status for claims that could not be judged: 2 for bad input, 4 when every one
    of them is a task that did not finish."""
    if not errors:
        return EXIT_OK
    return EXIT_TASK_FAILED if all(e.exit_status == EXIT_TASK_FAILED for e in errors) \
        else EXIT_BAD_INPUT


def dumps(value: Any) -> str:
    """JSON text of results (numpy scalars and arrays become plain numbers and lists)."""
    from workbench.outputs.baselines import plain

    return json.dumps(plain(value), indent=2)
