"""The ``workbench plot`` and ``workbench report`` subcommands.

Both run the selected claims like ``verify`` does and keep, per sweep point, the values of
the rate's symbols the fit used (instance constants such as ``mu`` and ``L`` included), so the
claimed rate can be drawn from its expression.
"""

from __future__ import annotations

import argparse
from typing import Any

from workbench.cards.claims import Claim
from workbench.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    add_selection_arguments,
    print_errors,
    selected,
)
from workbench.engine.pipeline import run_claims
from workbench.engine.result import ClaimResult
from workbench.errors import BadInputError
from workbench.outputs.figures import FORMATS, RunDetail


def run_with_details(claims: list[Claim], quick: bool, seeds: int | None = None,
                     jobs: int = 1, progress: bool = True,
                     ) -> tuple[list[ClaimResult], list[RunDetail], list[BadInputError]]:
    """Run and judge claims as ``workbench verify`` does, with a
    :class:`~workbench.outputs.figures.RunDetail` per result for the figures."""

    results, errors = run_claims(claims, quick, seeds, 0, jobs, progress)
    details = [RunDetail(r.symbols, r.quantities) for r in results]
    return results, details, errors


def _run(args: argparse.Namespace) -> tuple[list[ClaimResult], list[RunDetail], int]:
    if args.seeds is not None and args.seeds < 1:
        raise BadInputError("--seeds must be at least 1", source="--seeds")
    claims = selected(args)
    results, details, errors = run_with_details(claims, args.quick, args.seeds, args.jobs,
                                                not args.no_progress)
    print_errors(errors)
    return results, details, EXIT_BAD_INPUT if errors else EXIT_OK


def cmd_plot(args: argparse.Namespace) -> int:
    from workbench.outputs import drawing as render
    from workbench.outputs.figures import figures

    if not (args.ids or args.family or args.all):
        raise BadInputError("name claim ids, --family F or --all", source="plot")
    results, details, status = _run(args)
    for data in figures(results, details):
        path = render.save(data, args.out, args.format)
        print(f"{path}  ({', '.join(data.claim_ids)})")
    return status


def cmd_report(args: argparse.Namespace) -> int:
    from workbench.outputs.report import write_report

    results, details, status = _run(args)
    run_info: dict[str, Any] = {"selection": {"ids": list(args.ids), "family": args.family,
                                              "claims": args.claims, "seeds": args.seeds}}
    page = write_report(results, details, args.out, quick=args.quick, run_info=run_info)
    print(page)
    return status


def add_plot_commands(sub: Any) -> None:
    """Register ``plot`` and ``report`` on the ``workbench`` subparsers."""
    p = sub.add_parser("plot", help="one figure per claim (or per shared card 'figure')")
    add_selection_arguments(p)
    p.add_argument("--all", action="store_true", help="every selected claim")
    p.add_argument("--out", default="figures", help="output folder (default: figures)")
    p.add_argument("--format", choices=FORMATS, default="png")
    p.set_defaults(func=cmd_plot)

    p = sub.add_parser("report", help="a self-contained HTML report with figures and JSON")
    add_selection_arguments(p)
    p.add_argument("--out", required=True, help="output folder for report.html and more")
    p.set_defaults(func=cmd_report)
