"""The ``workbench`` command: list, verify, fit.

Exit status: 0 no mismatch, 1 at least one mismatch, 2 bad input.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from workbench.baseline_cli import add_baseline_commands
from workbench.claims import Claim, load_claims
from workbench.errors import BadInputError
from workbench.evaluate import ClaimResult, evaluate, versions
from workbench.fit import AGGREGATES, Curve, fit_curve
from workbench.plot_cli import add_plot_commands
from workbench.ratelaw import parse_rate
from workbench.registry import catalogue
from workbench.run import plan, run_tasks
from workbench.selection import add_selection_arguments, select_claims
from workbench.table import format_table
from workbench.tolerances import Tolerances
from workbench.verdict import MISMATCH, judge

EXIT_OK, EXIT_MISMATCH, EXIT_BAD_INPUT = 0, 1, 2


def _assignments(items: Sequence[str], option: str) -> dict[str, float]:
    values = {}
    for item in items:
        name, sep, text = item.partition("=")
        try:
            if not sep or not name.strip():
                raise ValueError
            values[name.strip()] = float(text)
        except ValueError:
            raise BadInputError(f"expected NAME=NUMBER, got {item!r}", source=option) from None
    return values


def run_claims(claims: list[Claim], quick: bool, seeds: int | None = None,
               seed_start: int = 0, jobs: int = 1, progress: bool = True,
               tolerance_overrides: dict[str, float] | None = None,
               ) -> tuple[list[ClaimResult], list[BadInputError]]:
    """Run and judge claims; a claim whose evaluation hits bad input is reported, not fatal."""
    settled = []
    for claim in claims:
        claim = claim.settings(quick)
        if seeds is not None:
            claim = _with_seeds(claim, seeds)
        settled.append(claim)
    tasks = plan(settled, seed_start)
    start = time.perf_counter()
    results = run_tasks(tasks, jobs=jobs, progress=progress)
    wall = time.perf_counter() - start
    by_claim: dict[str, list] = {}
    for result in results:
        by_claim.setdefault(result.task.claim_id, []).append(result)
    outcomes, errors = [], []
    common = {**versions(), "mode": "quick" if quick else "full", "seed_start": seed_start,
              "wall_seconds_all_claims": round(wall, 3)}
    for claim in settled:
        tol = claim.tolerances.changed(tolerance_overrides or {}, source="--tol")
        provenance = {
            **common, "card": claim.source, "card_hash": claim.digest,
            "seeds": list(range(seed_start, seed_start + claim.seeds)),
            "horizon": claim.horizon, "problem_params": dict(claim.problem_params),
            "hyper": dict(claim.hyper),
        }
        try:
            outcomes.append(evaluate(claim, by_claim[claim.id], tol, provenance))
        except BadInputError as exc:
            errors.append(exc.located(source=claim.source, claim=claim.id))
    return outcomes, errors


def _with_seeds(claim: Claim, seeds: int) -> Claim:
    from dataclasses import replace

    return replace(claim, seeds=seeds)


def cmd_list(args: argparse.Namespace) -> int:
    problems = catalogue()
    for name, problem in sorted(problems.items()):
        if args.family and problem.family != args.family:
            continue
        print(f"{name}: {problem.description}")
        print(f"    params: {dict(problem.params)}")
        for algorithm in problem.algorithms.values():
            print(f"    algorithm {algorithm.name} {dict(algorithm.hyper)}; measures: "
                  f"{', '.join(algorithm.measures)}; oracle: {algorithm.oracle}")
    claims = load_claims(args.claims)
    print("\nclaims:")
    for claim in claims:
        if args.family and claim.family != args.family:
            continue
        print(f"  {claim.id:<36} {claim.rate.text:<28} {claim.problem}/{claim.algorithm} "
              f"[{claim.measure}]")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    tolerance_overrides = _assignments(args.tol, "--tol")
    Tolerances().changed(tolerance_overrides, source="--tol")
    claims = select_claims(load_claims(args.claims), args.ids, args.family)
    if not claims:
        raise BadInputError("no claims selected", source="verify")
    outcomes, errors = run_claims(claims, args.quick, args.seeds, args.seed_start, args.jobs,
                                  not args.no_progress, tolerance_overrides)
    objects = [o.as_dict() for o in outcomes]
    if args.json:
        print(json.dumps(objects, indent=2, default=_json_default))
    else:
        print(format_table(objects))
        print(f"\nmode: {'quick' if args.quick else 'full'}; tolerances: default "
              f"{_tolerance_line(Tolerances().changed(tolerance_overrides))}; per-claim "
              "overrides are in each card with their reason")
    for error in errors:
        print(f"workbench: error: {error.one_line()}", file=sys.stderr)
    if errors:
        return EXIT_BAD_INPUT
    return EXIT_MISMATCH if any(o.verdict.verdict == MISMATCH for o in outcomes) else EXIT_OK


def _tolerance_line(tol: Tolerances) -> str:
    keep = ("slope", "rate_rtol", "scaling", "min_window_decades", "window_fraction",
            "sublinear_ratio", "confidence")
    return ", ".join(f"{k}={v:g}" for k, v in tol.as_dict().items() if k in keep)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def read_trajectory(path: str) -> Curve:
    """A CSV with columns ``t,value`` and optional ``seed``; every seed on the same ``t``."""
    try:
        handle = open(path, newline="", encoding="utf-8")
    except OSError as exc:
        raise BadInputError(f"cannot read: {exc.strerror}", source=path) from None
    with handle:
        reader = csv.DictReader(handle)
        columns = [c.strip() for c in (reader.fieldnames or [])]
        if "t" not in columns or "value" not in columns:
            raise BadInputError(f"needs columns t,value (and optionally seed); found "
                           f"{','.join(columns) or 'nothing'}", source=path, field="header")
        rows: dict[str, list[tuple[float, float]]] = {}
        for line, row in enumerate(reader, start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            parsed = []
            for column in ("t", "value"):
                try:
                    number = float(row[column])
                except ValueError:
                    raise BadInputError(f"line {line}: {row[column]!r} is not a number",
                                   source=path, field=column) from None
                if not np.isfinite(number):
                    raise BadInputError(f"line {line}: {row[column]} is not finite", source=path,
                                   field=column)
                parsed.append(number)
            rows.setdefault(row.get("seed", "0") or "0", []).append((parsed[0], parsed[1]))
    if not rows:
        raise BadInputError("no data rows", source=path)
    grids = {seed: sorted(points) for seed, points in rows.items()}
    t = np.array([p[0] for p in next(iter(grids.values()))])
    for seed, points in grids.items():
        if not np.array_equal(np.array([p[0] for p in points]), t):
            raise BadInputError(f"seed {seed} has other t values than the first seed; every seed "
                           "must share one grid", source=path, field="t")
    if t.size < 2 or np.any(t <= 0) or np.any(np.diff(t) <= 0):
        raise BadInputError("t must be positive and without repeats within a seed", source=path,
                       field="t")
    values = np.array([[p[1] for p in points] for points in grids.values()])
    return Curve(t, values)


def cmd_fit(args: argparse.Namespace) -> int:
    params = _assignments(args.param, "--param")
    tol = Tolerances().changed(_assignments(args.tol, "--tol"), source="--tol")
    try:
        law = parse_rate(args.rate)
    except BadInputError as exc:
        raise exc.located(source="--rate") from None
    missing = law.missing(params)
    if missing:
        raise BadInputError(f"rate symbol(s) {', '.join(missing)} need --param NAME=VALUE",
                       source="--rate", field="rate")
    curve = read_trajectory(args.csv)
    if args.floor:
        curve = Curve(curve.t, curve.values, args.floor)
    fit = fit_curve(curve, law, params, tol, args.aggregate, args.t_min)
    verdict = judge(law, fit, tol)
    obj = {
        "id": Path(args.csv).name, "paper": "", "problem": "", "algorithm": "",
        "measure": "value", "rate": law.text, "verdict": verdict.verdict,
        "direction": verdict.direction, "reason": verdict.reason,
        "observed": {"model": fit.model, "status": fit.status, "aggregate": args.aggregate,
                     "seeds": fit.seeds, "estimate": fit.estimate,
                     "ci": list(fit.ci) if fit.ci else None, "expected": fit.expected,
                     **({"exponent": fit.estimate} if fit.model == "power" else
                        {"rate_constant": fit.estimate, "factor": fit.factor,
                         "shape_ratio": fit.shape_ratio})},
        "window": None if fit.window is None else {"t_min": fit.window[0],
                                                   "t_max": fit.window[1],
                                                   "points": fit.n_points, "axis": "t"},
        "tolerances": tol.as_dict(),
    }
    if args.json:
        print(json.dumps(obj, indent=2, default=_json_default))
    else:
        print(format_table([obj]))
    return EXIT_MISMATCH if verdict.verdict == MISMATCH else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="problems, algorithms, measures and claims")
    p.add_argument("--family")
    p.add_argument("--claims", action="append", metavar="PATH",
                   help="a card file or folder (repeatable)")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("verify", help="run claims and print verdicts")
    add_selection_arguments(p)
    p.add_argument("--seed-start", type=int, default=0, help="first seed (default 0)")
    p.add_argument("--tol", action="append", default=[], metavar="NAME=VALUE",
                   help="override a tolerance for every claim (see README)")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("fit", help="judge your own trajectory (CSV with t,value[,seed])")
    p.add_argument("csv")
    p.add_argument("--rate", required=True, help='e.g. "O(log(T)/T)"')
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--tol", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--aggregate", choices=AGGREGATES, default="mean")
    p.add_argument("--t-min", type=float, help="end of the transient, if known")
    p.add_argument("--floor", type=float, help="absolute accuracy of the values")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_fit)
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
