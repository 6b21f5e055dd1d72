"""Judge a fit against a claimed rate law: consistent, mismatch (direction) or inconclusive.

Semantics (see DESIGN.md, "Claim semantics"): a law that bounds the error from above (``O``,
``exp(-Omega(.))``) is contradicted only by significantly *slower* decay; one that bounds it
from below (``Omega``, ``exp(-O(.))``) only by significantly *faster* decay; ``Theta`` both.
"Significantly" means: the whole confidence interval lies beyond the tolerance.
"""

from __future__ import annotations

from dataclasses import replace

from workbench.cards.ratelaw import RateLaw
from workbench.cards.tolerances import Tolerances
from workbench.engine.fit import Fit
from workbench.engine.outcome import CONSISTENT, INCONCLUSIVE, MISMATCH, Verdict, judge_interval

__all__ = ["CONSISTENT", "INCONCLUSIVE", "MISMATCH", "Verdict", "combine", "judge",
           "judge_interval"]


def combine(*verdicts: Verdict) -> Verdict:
    """Several checks of one claim: a mismatch in any is a mismatch, else an inconclusive
    one is inconclusive, else consistent (with every check's notes)."""
    for wanted in (MISMATCH, INCONCLUSIVE):
        for verdict in verdicts:
            if verdict.verdict == wanted:
                return verdict
    return Verdict(CONSISTENT, notes=tuple(n for v in verdicts for n in v.notes))

def judge(law: RateLaw, fit: Fit, tol: Tolerances) -> Verdict:
    """The verdict for one fitted curve (for ``aggregate = "each"``, for every seed)."""
    if fit.per_seed:
        return _judge_each(law, fit, tol)
    if fit.status in ("diverged", "stalled"):
        return Verdict(MISMATCH, fit.status, fit.reason)
    if fit.status == "sublinear":
        return Verdict(MISMATCH, "slower", fit.reason)
    if fit.status in ("superlinear", "floor_early"):
        return Verdict(MISMATCH, "faster", fit.reason)
    if fit.status == "insufficient":
        return Verdict(INCONCLUSIVE, "", fit.reason)
    verdict = fit.kind.judge(fit.measurement(), law, tol)
    return Verdict(verdict.verdict, verdict.direction, verdict.reason,
                   tuple(fit.notes) + verdict.notes)


def _judge_each(law: RateLaw, fit: Fit, tol: Tolerances) -> Verdict:
    """Every run must satisfy the claim: a mismatch in one seed is a mismatch."""
    per_tol = replace(tol, confidence=1 - (1 - tol.confidence) / len(fit.per_seed))
    verdicts = [judge(law, f, per_tol) for f in fit.per_seed]
    total = len(verdicts)
    for wanted in (MISMATCH, INCONCLUSIVE):
        hits = [(i, v) for i, v in enumerate(verdicts) if v.verdict == wanted]
        if hits:
            i, v = hits[0]
            return Verdict(wanted, v.direction, f"{len(hits)} of {total} seeds {wanted}; seed "
                           f"{i + 1}: {v.reason}", tuple(fit.notes))
    # The slack that matters is the shown seed's: the slowest one.
    shown = next((v for f, v in zip(fit.per_seed, verdicts, strict=True)
                  if f.estimate == fit.estimate), verdicts[0])
    slack = tuple(n for n in shown.notes if n.startswith("slack"))
    return Verdict(CONSISTENT, "", "", tuple(fit.notes) + slack)
