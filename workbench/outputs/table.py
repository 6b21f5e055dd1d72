"""The verdict table printed by ``workbench verify`` and ``workbench fit``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbench.cards.tolerances import Tolerances
from workbench.engine.result import ClaimResult

COLUMNS = ("claim", "stated rate", "observed", "CI", "verdict", "reason")
# The tolerances printed under the table (the rest are in the README and the JSON).
SHOWN_TOLERANCES = ("slope", "rate_rtol", "scaling", "min_window_decades", "window_fraction",
                    "transient_order", "ratio_growth", "sublinear_exponent", "confidence")


def verdict_text(result: dict[str, Any]) -> str:
    direction = result.get("direction")
    return f"{result['verdict']} ({direction})" if direction else result["verdict"]


def tolerance_line(tol: Tolerances) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in tol.as_dict().items() if k in SHOWN_TOLERANCES)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def format_table(results: Sequence[ClaimResult | dict[str, Any]],
                 reason_width: int = 70, rate_width: int = 44) -> str:
    """Plain-text table, one row per result; long reasons and rates are cut at
    ``reason_width`` and ``rate_width`` (``--json`` has them whole)."""
    rows = []
    for result in results:
        r = result.to_dict() if isinstance(result, ClaimResult) else result
        rows.append((r["id"], _cut(r["rate"], rate_width), r["observed_text"], r["ci_text"],
                     verdict_text(r), _cut(r.get("reason") or "", reason_width)))
    widths = [max(len(COLUMNS[i]), *(len(row[i]) for row in rows)) if rows else len(COLUMNS[i])
              for i in range(len(COLUMNS))]
    out = ["  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True)).rstrip(),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]
    return "\n".join(out)
