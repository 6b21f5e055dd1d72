"""The ``workbench`` command: list, verify, fit, plot, report, baseline.

Exit status: 0 no mismatch, 1 at least one mismatch, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from workbench.cli.baseline import add_baseline_commands
from workbench.cli.common import EXIT_BAD_INPUT
from workbench.cli.fit import add_fit_command
from workbench.cli.listing import add_list_command
from workbench.cli.plot import add_plot_commands
from workbench.cli.verify import add_verify_command
from workbench.errors import BadInputError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    add_list_command(sub)
    add_verify_command(sub)
    add_fit_command(sub)
    add_plot_commands(sub)
    add_baseline_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "seeds", None) is not None and args.seeds < 1:
        parser.exit(EXIT_BAD_INPUT, "workbench: error: --seeds must be at least 1\n")
    try:
        return args.func(args)
    except BadInputError as exc:
        print(f"workbench: error: {exc.one_line()}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    raise SystemExit(main())
