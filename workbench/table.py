"""The verdict table printed by ``workbench verify`` and ``workbench fit``."""

from __future__ import annotations

from typing import Any

COLUMNS = ("claim", "stated rate", "observed", "CI", "verdict", "reason")


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3g}"


def observed_text(result: dict[str, Any]) -> tuple[str, str]:
    """Short observed-value and CI strings for one result object."""
    observed = result.get("observed") or {}
    sweep = observed.get("sweep")
    if sweep:
        if sweep.get("exponent") is None:
            return f"{sweep['quantity']} ~ {sweep['parameter']}^?", "-"
        ci = sweep.get("ci") or [None, None]
        return (f"{sweep['quantity']} ~ {sweep['parameter']}^{sweep['exponent']:.2f} "
                f"(exp. {sweep['expected_exponent']:.2f})",
                f"[{_fmt(ci[0])}, {_fmt(ci[1])}]")
    if observed.get("estimate") is None:
        return observed.get("status", "-"), "-"
    ci = observed.get("ci") or [None, None]
    if observed["model"] == "power":
        expected = observed.get("expected")
        text = f"slope {observed['estimate']:.2f}"
        if expected is not None:
            text += f" (exp. {expected:.2f})"
        return text, f"[{_fmt(ci[0])}, {_fmt(ci[1])}]"
    text = f"factor {observed['factor']:.4g}/step"
    if observed.get("expected") is not None:
        import math

        text += f" (claim {math.exp(-observed['expected']):.4g})"
    return text, f"c in [{_fmt(ci[0])}, {_fmt(ci[1])}]"


def verdict_text(result: dict[str, Any]) -> str:
    direction = result.get("direction")
    return f"{result['verdict']} ({direction})" if direction else result["verdict"]


def format_table(results: list[dict[str, Any]], reason_width: int = 70) -> str:
    """Plain-text table, one row per result; long reasons are cut at ``reason_width``."""
    rows = []
    for r in results:
        observed, ci = observed_text(r)
        reason = r.get("reason") or ""
        if len(reason) > reason_width:
            reason = reason[: reason_width - 3] + "..."
        rows.append((r["id"], r["rate"], observed, ci, verdict_text(r), reason))
    widths = [max(len(COLUMNS[i]), *(len(row[i]) for row in rows)) if rows else len(COLUMNS[i])
              for i in range(len(COLUMNS))]
    line = "  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=False))
    out = [line.rstrip(), "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]
    return "\n".join(out)
