"""The ``workbench`` command: list, verify, fit, plot, report, baseline, runs, export.

Exit status: 0 no mismatch, 1 at least one mismatch, 2 bad input, 3 internal error (a bug),
4 a task did not finish, 130 / 143 interrupted by SIGINT / SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from typing import NoReturn

from workbench.cli.baseline import add_baseline_commands
from workbench.cli.common import run_context
from workbench.cli.fit import add_fit_command
from workbench.cli.listing import add_list_command
from workbench.cli.plot import add_plot_commands
from workbench.cli.runs import add_store_commands
from workbench.cli.verify import add_verify_command
from workbench.engine.execute import WorkerError
from workbench.errors import EXIT_INTERNAL, BadInputError, Interrupted, one_line

PREFIX = "workbench: "
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE


class UsageError(BadInputError):
    """A command line argparse rejects (unknown option, missing or malformed value)."""


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line of bad input, not a usage block."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')", source=self.prog)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="workbench", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true",
                        help="print the traceback of an internal error")
    sub = parser.add_subparsers(dest="command", required=True)
    add_list_command(sub)
    add_verify_command(sub)
    add_fit_command(sub)
    add_plot_commands(sub)
    add_baseline_commands(sub)
    add_store_commands(sub)
    for command in _all_subparsers(parser):
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                             help="print the traceback of an internal error")
    return parser


def _all_subparsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                if not any(isinstance(a, argparse._SubParsersAction) for a in child._actions):
                    yield child
                yield from _all_subparsers(child)


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGINT and SIGTERM raise :class:`Interrupted` in the main thread for the command."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise Interrupted(signum)

    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s in previous:
        signal.signal(s, stop)
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _say(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(PREFIX + one_line(text, 1000), file=sys.stderr, flush=True)


def _interrupted(exc: Interrupted) -> int:
    done = ""
    if exc.total:
        done = f"; {len(exc.finished)} of {exc.total} finished"
        if exc.finished:
            done += " (printed above)" if getattr(exc, "printed", False) else ""
    _say(f"interrupted by {exc.name}: workers stopped{done}")
    return exc.exit_status


def _internal(exc: BaseException, debug: bool) -> int:
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
        if isinstance(exc, WorkerError) and exc.remote_traceback:
            print("the worker's traceback:\n" + exc.remote_traceback, file=sys.stderr)
    what = "out of memory" if isinstance(exc, MemoryError) else f"{type(exc).__name__}: {exc}"
    hint = "" if debug else "; run with --debug for the traceback"
    _say(f"internal error (a bug; please report it): {what}{hint}")
    return EXIT_INTERNAL


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    words = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in words
    with _signals_raise():
        try:
            args = build_parser().parse_args(words)
            debug = args.debug
            with run_context(args):
                return args.func(args)
        except Interrupted as exc:
            return _interrupted(exc)
        except KeyboardInterrupt:
            return _interrupted(Interrupted(signal.SIGINT))
        except BadInputError as exc:
            _say(f"error: {exc.one_line()}")
            return exc.exit_status
        except BrokenPipeError:
            # The reader of stdout went away (``workbench list | head``): stop quietly.
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            return EXIT_BROKEN_PIPE
        except SystemExit:
            raise
        except Exception as exc:  # noqa: BLE001 (every other exception is a bug)
            return _internal(exc, debug)


if __name__ == "__main__":
    raise SystemExit(main())
