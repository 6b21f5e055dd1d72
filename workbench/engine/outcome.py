"""Verdicts: consistent, mismatch (with a direction) or inconclusive, and the interval test."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CONSISTENT, MISMATCH, INCONCLUSIVE = "consistent", "mismatch", "inconclusive"


@dataclass(frozen=True)
class Verdict:
    """``verdict`` is consistent, mismatch or inconclusive; ``direction`` says which way a
    mismatch goes; ``notes`` carry what a reader should know besides (slack, vacuity)."""

    verdict: str
    direction: str = ""
    reason: str = ""
    notes: tuple[str, ...] = ()


def seeds_to_settle(lo: float, hi: float, allowed_lo: float, allowed_hi: float,
                    seeds: int) -> str:
    """What would settle a "too noisy" interval: the seeds at which an interval of today's
    spread, shrinking like ``1/sqrt(seeds)``, would clear the nearest edge of the allowed
    range (the t-quantile's fall with more seeds is ignored, so the number errs high)."""
    if seeds < 3:
        return ("; with fewer than 3 seeds the interval is a single trace's regression error "
                "or has one degree of freedom: seeds = 3 or more give an interval over seeds "
                "(not for aggregate = \"each\", where every seed is judged alone)")
    center, half = (lo + hi) / 2, (hi - lo) / 2
    edges = [e for e in (allowed_lo, allowed_hi) if np.isfinite(e)]
    distance = min(abs(center - e) for e in edges) if edges else 0.0
    if half <= 0 or distance < half / 10:
        return ("; the estimate sits on the tolerance's edge, where more seeds hardly settle "
                "it")
    needed = int(np.ceil(seeds * (half / distance) ** 2))
    return (f"; at this spread about {needed} seeds would settle it (now {seeds}): set "
            f"seeds = {needed} in the card, or max_seeds = {needed} to add them while it "
            f"stays too noisy")


def judge_interval(lo: float, hi: float, allowed_lo: float, allowed_hi: float,
                   faster_is_high: bool, what: str, seeds: int = 0) -> Verdict:
    """Compare a confidence interval ``[lo, hi]`` with the allowed range of a quantity.

    ``faster_is_high`` says whether a larger value means faster convergence (true for rate
    constants, false for log-log slopes, which are negative for decaying errors). With the
    number of ``seeds`` behind the interval, a "too noisy" verdict says how many would settle
    it (:func:`seeds_to_settle`).
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
    hint = seeds_to_settle(lo, hi, allowed_lo, allowed_hi, seeds) if seeds else ""
    return Verdict(INCONCLUSIVE, "", f"too noisy: {what} CI [{lo:.3g}, {hi:.3g}] straddles "
                   f"the allowed range [{allowed_lo:.3g}, {allowed_hi:.3g}]{hint}")
