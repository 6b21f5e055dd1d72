"""The project's error types and the command's exit statuses.

Every bad input (a card, a rate string, a CSV, a baseline, a command-line value, an output
path) is a :class:`BadInputError` naming the file, the claim and the field; the CLI prints it
as one line and exits with :data:`EXIT_BAD_INPUT`. A task that could not finish (it exceeded
``--task-timeout`` or its worker process died) is a :class:`TaskFailedError`. SIGINT and SIGTERM
become :class:`Interrupted`, which carries what had finished.
"""

from __future__ import annotations

import signal
from typing import Any

EXIT_OK = 0
"""No mismatch."""
EXIT_MISMATCH = 1
"""At least one claim (or baseline entry) is a mismatch (or a regression)."""
EXIT_BAD_INPUT = 2
"""Bad input: one line on stderr naming file, claim and field."""
EXIT_INTERNAL = 3
"""An internal error (a bug): one line on stderr, the traceback with ``--debug``."""
EXIT_TASK_FAILED = 4
"""A task did not finish (``--task-timeout`` exceeded, or its worker process died)."""
EXIT_SIGINT = 128 + signal.SIGINT
"""Interrupted by SIGINT (Ctrl-C): 130."""
EXIT_SIGTERM = 128 + signal.SIGTERM
"""Stopped by SIGTERM: 143."""

# Longest message part kept on the one error line (a 24 KB rate is not echoed in full).
MAX_MESSAGE = 400


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` on one printable line: control and line-separator characters escaped, and
    cut to ``limit`` characters."""
    clean = "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode()
                    for c in str(text))
    return clean if len(clean) <= limit else clean[: limit - 3] + "..."


def excerpt(text: Any, limit: int = 60) -> str:
    """A short quoted excerpt of a user's value for a message (``repr``, cut to ``limit``)."""
    shown = repr(text) if not isinstance(text, str) else repr(text[:limit])
    if isinstance(text, str) and len(text) > limit:
        shown = shown[:-1] + f"...' ({len(text)} characters)"
    return one_line(shown, limit + 40)


class BadInputError(Exception):
    """Bad user input; the CLI prints it as one line and exits with status 2.

    Parameters
    ----------
    message
        What is wrong, in one sentence.
    source
        The file (or ``--rate`` / ``--param`` option) the input came from.
    claim
        The claim id, where the problem is inside one claim.
    field
        The card field or CSV column at fault.
    """

    exit_status = EXIT_BAD_INPUT

    def __init__(
        self, message: str, *, source: str = "", claim: str = "", field: str = ""
    ) -> None:
        self.message = message
        self.source = source
        self.claim = claim
        self.field = field
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """``file: claim 'id': field 'name': message`` on one printable line."""
        where = [one_line(part, 200) for part in (
            self.source, self.claim and f"claim {self.claim!r}",
            self.field and f"field {self.field!r}") if part]
        prefix = ": ".join(where)
        message = one_line(self.message)
        return f"{prefix}: {message}" if prefix else message

    def located(self, *, source: str = "", claim: str = "", field: str = "") -> BadInputError:
        """Return a copy (of the same type) with the missing location parts filled in."""
        return type(self)(
            self.message,
            source=self.source or source,
            claim=self.claim or claim,
            field=self.field or field,
        )


class TaskFailedError(BadInputError):
    """A task that did not finish: it exceeded the per-task time limit, or its worker process
    died (killed, out of memory). Reported for its claim; the command exits with status 4."""

    exit_status = EXIT_TASK_FAILED


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM stopped the command; the workers have been stopped.

    A subclass of :class:`KeyboardInterrupt`, so code that lets Ctrl-C through lets this
    through too.

    Parameters
    ----------
    signum
        The signal: ``signal.SIGINT`` or ``signal.SIGTERM``.
    finished
        What had finished when the signal came (task results, or claim results once the
        pipeline has judged the finished claims).
    total
        How many there were to finish.
    """

    def __init__(self, signum: int = signal.SIGINT, finished: list[Any] | None = None,
                 total: int = 0) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = int(signum)
        self.finished = list(finished or [])
        self.total = total
        self.printed = False  # the command printed the finished results

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_status(self) -> int:
        return 128 + self.signum
