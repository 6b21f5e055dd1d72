"""``workbench verify``: run claims and print their verdicts."""

from __future__ import annotations

import argparse
from typing import Any

from workbench.cards.tolerances import Tolerances
from workbench.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_MISMATCH,
    EXIT_OK,
    add_selection_arguments,
    assignments,
    dumps,
    print_errors,
    selected,
)
from workbench.engine.pipeline import run_claims
from workbench.engine.verdict import MISMATCH
from workbench.outputs.table import format_table, tolerance_line


def cmd_verify(args: argparse.Namespace) -> int:
    overrides = assignments(args.tol, "--tol")
    Tolerances().changed(overrides, source="--tol")
    claims = selected(args)
    outcomes, errors = run_claims(claims, args.quick, args.seeds, args.seed_start, args.jobs,
                                  not args.no_progress, overrides)
    if args.json:
        print(dumps([o.to_dict() for o in outcomes]))
    else:
        print(format_table(outcomes))
        print(f"\nmode: {'quick' if args.quick else 'full'}; tolerances: default "
              f"{tolerance_line(Tolerances().changed(overrides))}; per-claim overrides are in "
              "each card with their reason")
    print_errors(errors)
    if errors:
        return EXIT_BAD_INPUT
    return EXIT_MISMATCH if any(o.verdict.verdict == MISMATCH for o in outcomes) else EXIT_OK


def add_verify_command(sub: Any) -> None:
    p = sub.add_parser("verify", help="run claims and print verdicts")
    add_selection_arguments(p)
    p.add_argument("--seed-start", type=int, default=0, help="first seed (default 0)")
    p.add_argument("--tol", action="append", default=[], metavar="NAME=VALUE",
                   help="override a tolerance for every claim (see README)")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(func=cmd_verify)
