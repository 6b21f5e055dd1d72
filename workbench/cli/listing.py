"""``workbench list``: problems, algorithms, measures, counters and claims."""

from __future__ import annotations

import argparse
from typing import Any

from workbench.cli.common import EXIT_OK, add_limit_arguments
from workbench.errors import BadInputError, excerpt


def cmd_list(args: argparse.Namespace) -> int:
    from workbench.cards.claims import load_claims
    from workbench.catalogue import catalogue

    claims = load_claims(args.claims)
    families = {p.family for p in catalogue().values()} | {c.family for c in claims}
    if args.family and args.family not in families:
        raise BadInputError(f"unknown family {excerpt(args.family)}; known: "
                            f"{', '.join(sorted(families))}", source="--family")
    for name, problem in sorted(catalogue().items()):
        if args.family and problem.family != args.family:
            continue
        print(f"{name}: {problem.description}")
        print(f"    params: {problem.describe_params()}")
        for algorithm in problem.algorithms.values():
            print(f"    algorithm {algorithm.describe()}")
    print("\nclaims:")
    for claim in claims:
        if args.family and claim.family != args.family:
            continue
        print(f"  {claim.id:<36} {claim.rate.text:<28} {claim.problem}/{claim.algorithm} "
              f"[{claim.measure}]")
    return EXIT_OK


def add_list_command(sub: Any) -> None:
    p = sub.add_parser("list", help="problems, algorithms, measures and claims")
    p.add_argument("--family")
    p.add_argument("--claims", action="append", metavar="PATH",
                   help="a card file or folder (repeatable)")
    add_limit_arguments(p)
    p.set_defaults(func=cmd_list)
