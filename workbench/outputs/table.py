"""The verdict table printed by ``workbench verify`` and ``workbench fit``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbench.cards.tolerances import Tolerances
from workbench.engine.result import ClaimResult

COLUMNS = ("claim", "stated rate", "observed", "CI", "verdict", "marks", "reason")
#: The marks column's letters, explained under the table.
MARKS = {"1": "one-sided check (only one direction of the claim can fail)",
         "W": "weak check (the claim moved by power_slope/power_rtol/power_scaling in the "
              "direction it guards is not contradicted by these data; JSON observed.power)"}
# The tolerances printed under the table (the rest are in the README and the JSON).
SHOWN_TOLERANCES = ("slope", "rate_rtol", "scaling", "min_window_decades", "window_fraction",
                    "transient_order", "ratio_growth", "sublinear_exponent", "confidence")


def verdict_text(result: dict[str, Any]) -> str:
    direction = result.get("direction")
    return f"{result['verdict']} ({direction})" if direction else result["verdict"]


def marks(result: dict[str, Any]) -> str:
    """The marks of one result (the JSON object): see :data:`MARKS`."""
    power = result.get("observed", {}).get("power") or {}
    out = "1" if power.get("one_sided") else ""
    return out + ("W" if power.get("weak") else "")


def summary_lines(results: Sequence[ClaimResult | dict[str, Any]]) -> list[str]:
    """Under the table: the verdict counts, the weak checks, the marks' meaning, and how
    the catalogue's error rate is controlled (the bound on the expected number of false
    mismatches if every claim were true, and the mismatches that remain at the level
    corrected for the number of claims)."""
    rows = [r.to_dict() if isinstance(r, ClaimResult) else r for r in results]
    if not rows:
        return []
    counts = {v: sum(r["verdict"] == v for r in rows)
              for v in ("consistent", "mismatch", "inconclusive")}
    weak = sum(bool((r["observed"].get("power") or {}).get("weak")) for r in rows)
    lines = [f"{len(rows)} claims: " + ", ".join(f"{n} {v}" for v, n in counts.items())
             + f"; {weak} weak checks (W)"]
    lines += [f"marks: {mark} = {text}" for mark, text in MARKS.items()]
    expected = sum(r.get("false_mismatch_rate") or 0.0 for r in rows)
    mismatches = [r for r in rows if r["verdict"] == "mismatch"]
    kept = [r for r in mismatches
            if (r["observed"].get("family_wise") or {}).get("verdict") == "mismatch"]
    lines.append(f"error rate: if every claim were true, the interval tests would give at "
                 f"most {expected:.2g} false mismatches in expectation (the sum of the "
                 f"claims' levels); {len(kept)} of {len(mismatches)} mismatches remain at the "
                 f"level corrected for {len(rows)} claims (Bonferroni)")
    return lines


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
                     verdict_text(r), marks(r), _cut(r.get("reason") or "", reason_width)))
    widths = [max(len(COLUMNS[i]), *(len(row[i]) for row in rows)) if rows else len(COLUMNS[i])
              for i in range(len(COLUMNS))]
    out = ["  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True)).rstrip(),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]
    return "\n".join(out)
