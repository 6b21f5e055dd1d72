"""``workbench fit``: judge your own trajectory (a CSV with ``t,value[,seed]``)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from workbench.cards.aggregates import AGGREGATES, valid_aggregate
from workbench.cards.tolerances import Tolerances
from workbench.cli.common import (
    EXIT_MISMATCH,
    EXIT_OK,
    JSON,
    add_format_argument,
    assignments,
    dumps,
)
from workbench.errors import BadInputError


def _aggregate(text: str) -> str:
    if not valid_aggregate(text):
        raise argparse.ArgumentTypeError(f"must be one of {', '.join(AGGREGATES)} or a quantile "
                                         f"such as q0.9, got {text!r}")
    return text


def _options(args: argparse.Namespace) -> None:
    if args.t_min is not None and not (math.isfinite(args.t_min) and args.t_min > 0):
        raise BadInputError(f"must be a positive number, got {args.t_min!r}", source="--t-min")
    if args.floor is not None and not (math.isfinite(args.floor) and args.floor >= 0):
        raise BadInputError(f"must be a finite number at least 0, got {args.floor!r}",
                            source="--floor")


def cmd_fit(args: argparse.Namespace) -> int:
    from workbench.cards.ratelaw import parse_rate, require_decay
    from workbench.cli.trajectory import load_trajectory
    from workbench.engine.pipeline import judge_trajectory
    from workbench.engine.verdict import MISMATCH
    from workbench.outputs.table import format_table

    _options(args)
    params = assignments(args.param, "--param")
    tol = Tolerances().changed(assignments(args.tol, "--tol"), source="--tol")
    try:
        law = parse_rate(args.rate)
    except BadInputError as exc:
        raise exc.located(source="--rate") from None
    if law.variable in params:
        raise BadInputError(f"{law.variable} is the variable of the rate (the CSV's t); it "
                            "takes no value", source="--param")
    unused = sorted(set(params) - set(law.parameters))
    if unused:
        raise BadInputError(f"{', '.join(unused)} is not a symbol of the rate "
                            f"{law.text!r}", source="--param")
    missing = law.missing(params)
    if missing:
        raise BadInputError(f"rate symbol(s) {', '.join(missing)} need --param NAME=VALUE",
                            source="--rate", field="rate")
    try:
        require_decay(law, params)
    except BadInputError as exc:
        raise exc.located(source="--rate") from None
    trajectory = load_trajectory(args.csv, args.floor or 0.0)
    curve = trajectory.curve
    if args.t_min is not None and args.t_min >= curve.t[-1]:
        raise BadInputError(f"{args.t_min:g} is not below the last t of the CSV "
                            f"({curve.t[-1]:g}); nothing would be left to fit",
                            source="--t-min")
    result = judge_trajectory(curve, law, params, tol, args.aggregate, args.t_min,
                              Path(args.csv).name)
    note = trajectory.note()
    if args.format == JSON:
        data = result.to_dict()
        if note:
            data["notes"] = "; ".join(n for n in (data.get("notes"), note) if n)
        print(dumps(data))
    else:
        print(format_table([result]))
        if note:
            print(f"\nnote: {note}")
    return EXIT_MISMATCH if result.verdict.verdict == MISMATCH else EXIT_OK


def add_fit_command(sub: Any) -> None:
    p = sub.add_parser("fit", help="judge your own trajectory (CSV with t,value[,seed])")
    p.add_argument("csv")
    p.add_argument("--rate", required=True, help='e.g. "O(log(T)/T)"')
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--tol", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--aggregate", type=_aggregate, default="mean",
                   help=f"how seeds combine: {', '.join(AGGREGATES)} or a quantile such as q0.9")
    p.add_argument("--t-min", type=float, help="end of the transient, if known")
    p.add_argument("--floor", type=float,
                   help="absolute accuracy of the values; negative values down to -F are "
                        "round-off and set to 0")
    add_format_argument(p, what="the verdict (json: one JSON object)")
    p.set_defaults(func=cmd_fit)
