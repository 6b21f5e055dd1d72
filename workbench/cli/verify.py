"""``workbench verify``: run claims and print their verdicts."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from workbench.cards import limits
from workbench.cards.tolerances import Tolerances
from workbench.cli.common import (
    EXIT_MISMATCH,
    EXIT_OK,
    JSON,
    add_format_argument,
    add_selection_arguments,
    assignments,
    dumps,
    error_status,
    print_errors,
    selected,
)
from workbench.errors import BadInputError, Interrupted

if TYPE_CHECKING:  # the engine and outputs load sympy and scipy: imported when a command runs
    from workbench.engine.result import ClaimResult


def _print(outcomes: Sequence[ClaimResult], args: argparse.Namespace,
           overrides: dict[str, float]) -> None:
    from workbench.outputs.table import format_table, summary_lines, tolerance_line

    if args.format == JSON:
        print(dumps([o.to_dict() for o in outcomes]))
        return
    print(format_table(outcomes))
    print("\n" + "\n".join(summary_lines(outcomes)))
    print(f"\nmode: {'quick' if args.quick else 'full'}; tolerances: default "
          f"{tolerance_line(Tolerances().changed(overrides))}; per-claim overrides are in "
          "each card with their reason")


def cmd_verify(args: argparse.Namespace) -> int:
    from workbench.engine.pipeline import run_claims
    from workbench.engine.result import ClaimResult
    from workbench.engine.verdict import MISMATCH

    overrides = assignments(args.tol, "--tol")
    Tolerances().changed(overrides, source="--tol")
    claims = selected(args)
    if args.max_seeds is not None:
        if args.max_seeds < 1:
            raise BadInputError("--max-seeds must be at least 1", source="--max-seeds")
        limits.check_count("seeds", args.max_seeds, "--max-seeds")
    try:
        outcomes, errors = run_claims(claims, args.quick, args.seeds, args.seed_start,
                                      args.jobs, not args.no_progress, overrides,
                                      args.max_seeds)
    except Interrupted as exc:
        finished = [r for r in exc.finished if isinstance(r, ClaimResult)]
        if finished:
            _print(finished, args, overrides)
            exc.printed = True
        raise
    _print(outcomes, args, overrides)
    print_errors(errors)
    if errors:
        return error_status(errors)
    return EXIT_MISMATCH if any(o.verdict.verdict == MISMATCH for o in outcomes) else EXIT_OK


def add_verify_command(sub: Any) -> None:
    p = sub.add_parser("verify", help="run claims and print verdicts")
    add_selection_arguments(p)
    p.add_argument("--seed-start", type=int, default=0, help="first seed (default 0)")
    p.add_argument("--tol", action="append", default=[], metavar="NAME=VALUE",
                   help="override a tolerance for every claim (see README)")
    p.add_argument("--max-seeds", type=int, metavar="N",
                   help="while a verdict is 'too noisy', double its seeds up to N (overrides "
                        "the cards' max_seeds; the confidence level is split over the looks)")
    add_format_argument(p, what="the verdicts (json: a JSON array)")
    p.set_defaults(func=cmd_verify)
