"""``workbench fit``: judge your own trajectory (a CSV with ``t,value[,seed]``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from workbench.cards.claims import AGGREGATES
from workbench.cards.ratelaw import parse_rate
from workbench.cards.tolerances import Tolerances
from workbench.cards.trajectory import read_trajectory
from workbench.cli.common import EXIT_MISMATCH, EXIT_OK, assignments, dumps
from workbench.engine.fit import Curve
from workbench.engine.pipeline import judge_trajectory
from workbench.engine.verdict import MISMATCH
from workbench.errors import BadInputError
from workbench.outputs.table import format_table


def cmd_fit(args: argparse.Namespace) -> int:
    params = assignments(args.param, "--param")
    tol = Tolerances().changed(assignments(args.tol, "--tol"), source="--tol")
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
    result = judge_trajectory(curve, law, params, tol, args.aggregate, args.t_min,
                              Path(args.csv).name)
    print(dumps(result.to_dict()) if args.json else format_table([result]))
    return EXIT_MISMATCH if result.verdict.verdict == MISMATCH else EXIT_OK


def add_fit_command(sub: Any) -> None:
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
