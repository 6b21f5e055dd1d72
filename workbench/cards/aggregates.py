"""How the seeds of a claim combine (a card's ``aggregate``; ``workbench fit --aggregate``)."""

from __future__ import annotations

import re

# mean (claims in expectation), median, max (worst case over seeds), each (claims about every
# run: each seed judged alone, a mismatch in one is a mismatch).
AGGREGATES = ("mean", "median", "max", "each")
# High-probability claims: "q0.9" is the 0.9-quantile over seeds at each checkpoint.
QUANTILE = re.compile(r"q(0\.\d*[1-9])\Z")


def valid_aggregate(how: object) -> bool:
    """One of :data:`AGGREGATES`, or a quantile such as ``q0.9``."""
    return isinstance(how, str) and (how in AGGREGATES or QUANTILE.match(how) is not None)
