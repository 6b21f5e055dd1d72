"""The ``workbench baseline save`` and ``workbench baseline check`` subcommands.

``check`` exit status: 0 no regression, 1 at least one regression, 2 bad input (no or
malformed baseline file, a mode other than the baseline's, a claim named on the command line
that the baseline does not hold, a card that does not load).

Claims in the cards but not in the baseline (added after it was saved) are listed as "new,
not in baseline" and are not run; claims in the baseline but not in the cards are listed as
"in baseline, not in the cards". Neither is a failure: ``baseline save`` records them.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.cli.common import (
    JSON,
    add_format_argument,
    add_selection_arguments,
    check_output_file,
    select_claims,
    writing,
)
from workbench.errors import BadInputError, Interrupted
from workbench.outputs import baselines as baseline

if TYPE_CHECKING:  # cards and the engine load sympy and scipy: imported when a command runs
    from workbench.cards.claims import Claim

EXIT_OK, EXIT_REGRESSION, EXIT_BAD_INPUT = 0, 1, 2
CHECK_HELP = """Re-run the baseline's claims and compare. A claim regresses when its verdict
changes, or its fitted quantity (slope, rate constant or scaling exponent) moves by more than
floor + sqrt(h_old^2 + h_new^2), h the CI half-widths. Exit 0 no regression, 1 regression,
2 bad input. Claims not in the baseline are listed as new and not run."""


def _run(claims: list[Claim], quick: bool, seed_start: int, args: argparse.Namespace,
         ) -> list[dict[str, Any]]:
    """Run claims like ``verify``; a claim that hits bad input stops the command (exit 2, or 4
    for a task that did not finish). Interrupted, it prints the finished claims and writes
    nothing."""
    from workbench.engine.pipeline import run_claims
    from workbench.engine.result import ClaimResult
    from workbench.outputs.table import format_table

    try:
        outcomes, errors = run_claims(claims, quick, None, seed_start, args.jobs,
                                      not args.no_progress)
    except Interrupted as exc:
        finished = [r for r in exc.finished if isinstance(r, ClaimResult)]
        if finished:
            print(format_table(finished))
            exc.printed = True
        raise
    for error in errors[1:]:
        print(f"workbench: error: {error.one_line()}", file=sys.stderr)
    if errors:
        raise errors[0]
    return [o.to_dict() for o in outcomes]


def cmd_save(args: argparse.Namespace) -> int:
    from workbench.cards.claims import load_claims
    from workbench.engine.pipeline import code_version, versions
    from workbench.outputs.table import format_table

    claims = select_claims(load_claims(args.claims), args.ids, args.family)
    if not claims:
        raise BadInputError("no claims selected", source="baseline save")
    out = Path(args.out) if args.out else baseline.default_path(args.quick)
    check_output_file(out, "--out")
    mode = "quick" if args.quick else "full"
    previous: dict[str, Any] = {}
    if args.merge and out.exists():
        old = baseline.load(out)
        if old["mode"] != mode:
            raise BadInputError(f"--merge into a {old['mode']} baseline needs the same mode; "
                                f"this run is {mode}", source=str(out), field="mode")
        previous = old["claims"]
    start = time.perf_counter()
    results = _run(claims, args.quick, args.seed_start, args)
    seconds = time.perf_counter() - start
    command = _command_line(args, out)
    document = baseline.build(results, mode, command, seconds, versions(),
                              code_version())
    document["claims"] = {**previous, **document["claims"]}
    with writing(out, "--out"):
        baseline.write(document, out)
    print(format_table(results))
    print(f"\nwrote {out}: {len(results)} claim(s) recorded ({mode} mode, seeds from "
          f"{args.seed_start}) in {seconds:.1f} s"
          + (f"; {len(document['claims'])} in the file" if previous else ""))
    return EXIT_OK


def _groups(claims: list[Claim], recorded: dict[str, Any], seed_start: int | None,
            ) -> dict[int, list[Claim]]:
    """Claims by the first seed they re-run with: ``seed_start``, or the baseline's own."""
    groups: dict[int, list[Claim]] = {}
    for claim in claims:
        first = seed_start if seed_start is not None \
            else recorded[claim.id]["provenance"]["seeds"][0]
        groups.setdefault(first, []).append(claim)
    return groups


def _row(check: baseline.ClaimCheck) -> tuple[str, ...]:
    quantity = check.old.get("quantity") or check.new.get("quantity")
    name = baseline.LABELS[quantity["name"]] if quantity else "-"
    moved = allowed = "-"
    if check.drift is not None:
        moved, allowed = f"{check.drift.distance:.3g}", f"{check.drift.allowed:.3g}"
    return (check.claim_id, name, baseline.quantity_text(check.old.get("quantity")),
            baseline.quantity_text(check.new.get("quantity")), moved, allowed,
            baseline.verdict_text(check.old), baseline.verdict_text(check.new),
            "REGRESSION" if check.regressed else "ok")


def _table(rows: list[tuple[str, ...]]) -> str:
    head = ("claim", "quantity", "baseline", "now", "moved", "allowed", "verdict was",
            "verdict now", "result")
    widths = [max(len(head[i]), *(len(r[i]) for r in rows)) for i in range(len(head))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in rows]
    return "\n".join(lines)


def cmd_check(args: argparse.Namespace) -> int:
    from workbench.cards.claims import load_claims

    path = Path(args.baseline) if args.baseline else baseline.default_path(args.quick)
    document = baseline.load(path)
    mode = "quick" if args.quick else "full"
    if document["mode"] != mode:
        flag = "with --quick" if document["mode"] == "quick" else "without --quick"
        raise BadInputError(f"the baseline was saved in {document['mode']} mode; run the check "
                            f"{flag}", source=str(path), field="mode")
    recorded: dict[str, Any] = document["claims"]
    every = load_claims(args.claims)
    claims = select_claims(every, args.ids, args.family)
    absent = [i for i in args.ids if i not in recorded]
    if absent:
        raise BadInputError(f"claim(s) {', '.join(absent)} not in the baseline; record them "
                            "with 'workbench baseline save --merge'", source=str(path))
    checked = [c for c in claims if c.id in recorded]
    new = [c.id for c in claims if c.id not in recorded]
    # Only a full selection can tell that a baseline claim has left the cards.
    gone = [] if args.ids or args.family else sorted(set(recorded) - {c.id for c in every})
    checks: list[baseline.ClaimCheck] = []
    for first, group in sorted(_groups(checked, recorded, args.seed_start).items()):
        for result in _run(group, args.quick, first, args):
            entry = baseline.record(result)
            check = baseline.compare(result["id"], recorded[result["id"]], entry)
            if set(entry["provenance"]["seeds"]) & set(
                    recorded[result["id"]]["provenance"]["seeds"]) and args.seed_start is not None:
                check.notes.append("the re-run shares seeds with the baseline")
            checks.append(check)
    order = {c.id: i for i, c in enumerate(claims)}
    checks.sort(key=lambda c: order[c.claim_id])
    status = EXIT_REGRESSION if any(c.regressed for c in checks) else EXIT_OK
    if args.format == JSON:
        print(json.dumps(baseline.plain({
            "baseline": str(path), "mode": mode, "seed_start": args.seed_start,
            "status": status, "claims": [c.as_dict() for c in checks], "new": new,
            "not_in_cards": gone, "floors": baseline.FLOORS}), indent=2))
        return status
    _print_report(path, document, args.seed_start, checks, new, gone)
    return status


def _print_report(path: Path, document: dict[str, Any], seed_start: int | None,
                  checks: list[baseline.ClaimCheck], new: list[str], gone: list[str]) -> None:
    saved = document.get("saved") or {}
    versions = saved.get("versions") or {}
    print(f"baseline: {path} ({document['mode']} mode, saved {saved.get('at', '?')}, git "
          f"{saved.get('git') or '?'}, numpy {versions.get('numpy', '?')}, numba "
          f"{versions.get('numba', '?')})")
    print("re-run seeds: " + (f"from {seed_start}" if seed_start is not None
                              else "the baseline's own"))
    if checks:
        print()
        print(_table([_row(c) for c in checks]))
    for check in checks:
        if not check.regressed and not check.notes:
            continue
        print(f"\n{'REGRESSION' if check.regressed else 'ok'} {check.claim_id}")
        for problem in check.problems:
            print(f"  {problem}")
        for note in check.notes:
            print(f"  note: {note}")
    if new:
        print(f"\nnew, not in baseline (not run, not a failure): {', '.join(new)}; record "
              "with 'workbench baseline save --merge'")
    if gone:
        print(f"\nin baseline, not in the cards (removed or renamed?): {', '.join(gone)}")
    print(f"\n{baseline.floors_line()}")
    regressions = sum(c.regressed for c in checks)
    print(f"result: {regressions} regression(s) in {len(checks)} claim(s) checked"
          + (f"; {len(new)} new" if new else ""))


def add_baseline_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``baseline save`` and ``baseline check`` to the ``workbench`` parser."""
    p = sub.add_parser("baseline", help="record fitted rates and catch regressions",
                       description="Record fitted rates (save) and catch regressions (check).")
    commands = p.add_subparsers(dest="baseline_command", required=True)

    save = commands.add_parser("save", help="run claims and record a baseline file")
    add_selection_arguments(save, seeds=False)
    save.add_argument("--out", metavar="FILE",
                      help="baseline file (default baselines/quick.json with --quick, else "
                           "baselines/full.json)")
    save.add_argument("--seed-start", type=int, default=0, help="first seed (default 0)")
    save.add_argument("--merge", action="store_true",
                      help="keep the file's other claims; replace only the ones run")
    save.set_defaults(func=cmd_save)

    check = commands.add_parser(
        "check", help="re-run and compare with a baseline (exit 1 on a regression)",
        description=CHECK_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_selection_arguments(check, seeds=False)
    check.add_argument("--baseline", metavar="FILE",
                       help="baseline file (default as for save)")
    check.add_argument("--seed-start", type=int,
                       help="first seed of the re-run (default: the baseline's own seeds)")
    add_format_argument(check, what="the report")
    check.set_defaults(func=cmd_check)



def _command_line(args: argparse.Namespace, out: Path) -> str:
    """The ``baseline save`` command that reproduces this run (for provenance)."""
    words = ["workbench", "baseline", "save", *args.ids]
    if args.claims:
        words += ["--claims", *args.claims]
    if args.family:
        words += ["--family", args.family]
    words += ["--quick"] * args.quick + ["--seed-start", str(args.seed_start), "--out", str(out)]
    return " ".join(shlex.quote(w) for w in words)
