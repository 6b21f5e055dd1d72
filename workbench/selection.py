"""Choosing claims on the command line: the arguments and the selection every command shares."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from workbench.claims import Claim
from workbench.errors import BadInputError
from workbench.run import default_jobs


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
