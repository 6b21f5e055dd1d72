"""Verdicts: consistent, mismatch (with a direction) or inconclusive, and the interval test."""

from __future__ import annotations

from dataclasses import dataclass

CONSISTENT, MISMATCH, INCONCLUSIVE = "consistent", "mismatch", "inconclusive"


@dataclass(frozen=True)
class Verdict:
    """``verdict`` is consistent, mismatch or inconclusive; ``direction`` says which way a
    mismatch goes; ``notes`` carry what a reader should know besides (slack, vacuity)."""

    verdict: str
    direction: str = ""
    reason: str = ""
    notes: tuple[str, ...] = ()


def judge_interval(lo: float, hi: float, allowed_lo: float, allowed_hi: float,
                   faster_is_high: bool, what: str) -> Verdict:
    """Compare a confidence interval ``[lo, hi]`` with the allowed range of a quantity.

    ``faster_is_high`` says whether a larger value means faster convergence (true for rate
    constants, false for log-log slopes, which are negative for decaying errors).
    """
    above, below = "faster" if faster_is_high else "slower", \
        "slower" if faster_is_high else "faster"
    if lo > allowed_hi:
        return Verdict(MISMATCH, above, f"{what}: CI [{lo:.3g}, {hi:.3g}] lies above the "
                       f"allowed maximum {allowed_hi:.3g}")
    if hi < allowed_lo:
        return Verdict(MISMATCH, below, f"{what}: CI [{lo:.3g}, {hi:.3g}] lies below the "
                       f"allowed minimum {allowed_lo:.3g}")
    if lo >= allowed_lo and hi <= allowed_hi:
        return Verdict(CONSISTENT)
    return Verdict(INCONCLUSIVE, "", f"too noisy: {what} CI [{lo:.3g}, {hi:.3g}] straddles "
                   f"the allowed range [{allowed_lo:.3g}, {allowed_hi:.3g}]")
