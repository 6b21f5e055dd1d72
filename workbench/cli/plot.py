"""The ``workbench plot`` and ``workbench report`` subcommands.

Both run the selected claims like ``verify`` does and keep, per sweep point, the values of
the rate's symbols the fit used (instance constants such as ``mu`` and ``L`` included), so the
claimed rate can be drawn from its expression. The output folder and every file to be written
in it are checked before anything runs.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from workbench.cli.common import (
    EXIT_OK,
    add_selection_arguments,
    check_output_dir,
    error_status,
    print_errors,
    selected,
    writing,
)
from workbench.errors import BadInputError, Interrupted
from workbench.outputs.styles import DEFAULT_STYLE, FORMATS, STYLES

if TYPE_CHECKING:  # cards, the engine and the figures load sympy: imported where used
    from workbench.cards.claims import Claim
    from workbench.engine.result import ClaimResult
    from workbench.outputs.figures import RunDetail



def run_with_details(claims: list[Claim], quick: bool, seeds: int | None = None,
                     jobs: int = 1, progress: bool = True,
                     ) -> tuple[list[ClaimResult], list[RunDetail], list[BadInputError]]:
    """Run and judge claims as ``workbench verify`` does, with a
    :class:`~workbench.outputs.figures.RunDetail` per result for the figures."""
    from workbench.engine.pipeline import run_claims
    from workbench.outputs.figures import RunDetail

    results, errors = run_claims(claims, quick, seeds, 0, jobs, progress)
    details = [RunDetail(r.symbols, r.quantities) for r in results]
    return results, details, errors


def _run(args: argparse.Namespace, claims: list[Claim],
         ) -> tuple[list[ClaimResult], list[RunDetail], int]:
    from workbench.engine.result import ClaimResult
    from workbench.outputs.table import format_table

    try:
        results, details, errors = run_with_details(claims, args.quick, args.seeds,
                                                    args.jobs, not args.no_progress)
    except Interrupted as exc:
        finished = [r for r in exc.finished if isinstance(r, ClaimResult)]
        if finished:
            print(format_table(finished))
            exc.printed = True
        raise
    print_errors(errors)
    return results, details, error_status(errors) if errors else EXIT_OK


def _figure_files(claims: list[Claim], fmt: str) -> list[str]:
    from workbench.outputs.figures import figure_name

    return sorted({f"{figure_name(c)}.{fmt}" for c in claims})


def cmd_plot(args: argparse.Namespace) -> int:
    from workbench.outputs import drawing as render
    from workbench.outputs.figures import figures

    if not (args.ids or args.family or args.all):
        raise BadInputError("name claim ids, --family F or --all", source="plot")
    claims = selected(args)
    check_output_dir(args.out, "--out", _figure_files(claims, args.format))
    results, details, status = _run(args, claims)
    with writing(args.out, "--out"):
        for data in figures(results, details):
            path = render.save(data, args.out, args.format, args.style)
            print(f"{path}  ({', '.join(data.claim_ids)})")
    return status


def cmd_report(args: argparse.Namespace) -> int:
    from workbench.outputs.report import DATA, PAGE, write_report

    claims = selected(args)
    check_output_dir(args.out, "--out", [PAGE, DATA, *_figure_files(claims, "png"),
                                         *_figure_files(claims, "pdf")])
    results, details, status = _run(args, claims)
    selection = {"ids": list(args.ids), "family": args.family, "claims": args.claims,
                 "seeds": args.seeds}
    for option in ("limit_horizon", "limit_seeds", "limit_size"):
        if getattr(args, option, None) is not None:
            selection[option] = getattr(args, option)
    run_info: dict[str, Any] = {"selection": selection, "style": args.style}
    with writing(args.out, "--out"):
        page = write_report(results, details, args.out, quick=args.quick, run_info=run_info,
                            style=args.style)
    print(page)
    return status


def add_plot_commands(sub: Any) -> None:
    """Register ``plot`` and ``report`` on the ``workbench`` subparsers."""
    p = sub.add_parser("plot", help="one figure per claim (or per shared card 'figure')")
    add_selection_arguments(p)
    p.add_argument("--all", action="store_true", help="every selected claim")
    p.add_argument("--out", default="figures", help="output folder (default: figures)")
    p.add_argument("--format", choices=FORMATS, default="png",
                   help="png (raster at the style's dpi), or vector pdf / svg")
    _add_style(p)
    p.set_defaults(func=cmd_plot)

    p = sub.add_parser("report", help="a self-contained HTML report with figures and JSON")
    add_selection_arguments(p)
    p.add_argument("--out", required=True, help="output folder for report.html and more")
    _add_style(p)
    p.set_defaults(func=cmd_report)


def _add_style(p: argparse.ArgumentParser) -> None:
    p.add_argument("--style", choices=tuple(STYLES), default=DEFAULT_STYLE,
                   help="figure size and fonts: paper (6.75 in wide, 8 pt text; default) or "
                        "slides (13.3 in wide, 14 pt text)")
