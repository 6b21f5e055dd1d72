"""Judge a fit against a claimed rate law: consistent, mismatch (direction) or inconclusive.

Semantics (see DESIGN.md, "Claim semantics"): a law that bounds the error from above (``O``,
``exp(-Omega(.))``) is contradicted only by significantly *slower* decay; one that bounds it
from below (``Omega``, ``exp(-O(.))``) only by significantly *faster* decay; ``Theta`` both.
"Significantly" means: the whole confidence interval lies beyond the tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.cards.ratelaw import RateLaw
from workbench.cards.tolerances import Tolerances
from workbench.engine.fit import Fit

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


def judge(law: RateLaw, fit: Fit, tol: Tolerances) -> Verdict:
    """The verdict for one fitted curve."""
    if fit.status == "diverged":
        return Verdict(MISMATCH, "diverged", fit.reason)
    if fit.status == "stalled":
        return Verdict(MISMATCH, "stalled", fit.reason)
    if fit.status == "insufficient":
        return Verdict(INCONCLUSIVE, "", fit.reason)
    assert fit.ci is not None
    lo, hi = fit.ci
    side = law.error_bound
    inf = float("inf")
    if fit.model == "power":
        allowed_lo = fit.expected - tol.slope if side != "upper" else -inf
        allowed_hi = fit.expected + tol.slope if side != "lower" else inf
        return judge_interval(lo, hi, allowed_lo, allowed_hi, False,
                              f"log-log slope {fit.estimate:.3f} (expected {fit.expected:.3f}"
                              f" ± {tol.slope:g})")
    if side != "lower" and fit.shape_ratio is not None \
            and fit.shape_ratio < tol.sublinear_ratio:
        return Verdict(MISMATCH, "slower", f"sublinear: the semilog rate falls to "
                       f"{fit.shape_ratio:.2f} of its early value within the window "
                       f"(< sublinear_ratio={tol.sublinear_ratio:g})")
    if side != "upper" and fit.shape_ratio is not None \
            and fit.shape_ratio > 1 / tol.sublinear_ratio:
        return Verdict(MISMATCH, "faster", f"superlinear: the semilog rate grows to "
                       f"{fit.shape_ratio:.2f} times its early value within the window")
    if fit.expected is None:
        if lo <= 0 and side != "lower":
            return Verdict(INCONCLUSIVE, "", f"rate constant CI [{lo:.3g}, {hi:.3g}] "
                           "includes 0")
        return Verdict(CONSISTENT)
    allowed_lo = fit.expected * (1 - tol.rate_rtol) if side != "lower" else -inf
    allowed_hi = fit.expected * (1 + tol.rate_rtol) if side != "upper" else inf
    return judge_interval(lo, hi, allowed_lo, allowed_hi, True,
                          f"rate constant {fit.estimate:.4g} (claimed {fit.expected:.4g} ± "
                          f"{tol.rate_rtol:.0%})")
