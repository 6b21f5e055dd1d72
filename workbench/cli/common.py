"""What every command shares: exit codes, claim selection and its arguments, JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from workbench.cards.claims import Claim, load_claims
from workbench.engine.execute import default_jobs
from workbench.errors import BadInputError
from workbench.outputs.baselines import plain

EXIT_OK, EXIT_MISMATCH, EXIT_BAD_INPUT = 0, 1, 2


def assignments(items: Sequence[str], option: str) -> dict[str, float]:
    """``NAME=NUMBER`` options (``--tol``, ``--param``) as a dict; anything else is bad input."""
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


def select_claims(claims: list[Claim], ids: Sequence[str], family: str | None,
                  source: str = "verify") -> list[Claim]:
    """The claims named by ``ids`` (all when none), restricted to ``family``."""
    known = {c.id for c in claims}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise BadInputError(f"unknown claim id(s) {', '.join(unknown)}; see 'workbench list'",
                            source=source)
    chosen = [c for c in claims if not ids or c.id in ids]
    if family:
        families = {c.family for c in claims}
        if family not in families:
            raise BadInputError(f"unknown family {family!r}; known: "
                                f"{', '.join(sorted(families))}", source="--family")
        chosen = [c for c in chosen if c.family == family]
    return chosen


def selected(args: argparse.Namespace) -> list[Claim]:
    """The claims the command line selects; none selected is bad input."""
    claims = select_claims(load_claims(args.claims), args.ids, args.family, args.command)
    if not claims:
        raise BadInputError("no claims selected", source=args.command)
    return claims


def add_selection_arguments(p: argparse.ArgumentParser, seeds: bool = True) -> None:
    """``CLAIM_ID ...``, ``--claims``, ``--family``, ``--quick``, ``--jobs`` and more."""
    p.add_argument("ids", nargs="*", metavar="CLAIM_ID")
    p.add_argument("--claims", action="append", metavar="PATH",
                   help="a card file or folder, repeatable (default: the built-in cards)")
    p.add_argument("--family", help="only claims on this problem family")
    p.add_argument("--quick", action="store_true", help="the cards' quick settings (CI size)")
    if seeds:
        p.add_argument("--seeds", type=int, help="override every claim's number of seeds")
    p.add_argument("--jobs", type=int, default=default_jobs(),
                   help="worker processes (default: all cores)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def print_errors(errors: Sequence[BadInputError]) -> None:
    for error in errors:
        print(f"workbench: error: {error.one_line()}", file=sys.stderr)


def dumps(value: Any) -> str:
    """JSON text of results (numpy scalars and arrays become plain numbers and lists)."""
    return json.dumps(plain(value), indent=2)
