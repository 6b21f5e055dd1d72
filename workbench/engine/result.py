"""The one result type: a claim's verdict with what was observed.

Every output (the table, ``--json``, figures, the report, baselines, the pytest plugin) reads
a :class:`ClaimResult`; :meth:`ClaimResult.to_dict` is the ``--json`` object and
:func:`observed_text` the one short description of what was observed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workbench.cards.claims import Claim
from workbench.cards.tolerances import Tolerances
from workbench.engine.fit import Curve, Fit
from workbench.engine.laws import kind_named
from workbench.engine.power import Power
from workbench.engine.sweep import ScalingFit
from workbench.engine.verdict import Verdict


@dataclass
class ClaimResult:
    """A claim's verdict with what was observed.

    Attributes
    ----------
    claim
        The claim as run (quick or full settings applied).
    verdict
        The verdict.
    fit
        The fit of the claim's curve (None for sweeps, whose fits are in ``point_fits``).
    scaling
        Sweeps: the fitted scaling exponent.
    curves, point_fits
        Per sweep point (one for plain claims): the seeds' traces and their fit.
    tolerances
        The tolerances actually used (the card's, with ``--tol`` overrides applied).
    provenance
        What is needed to reproduce the result.
    symbols
        Per sweep point, the values of the rate's symbols the fit used.
    quantities
        Sweeps only: each seed's rate constant or cost at each point, ``(seeds, points)``.
    checks
        The checks beside the fit: ``regime`` (seeds left out and why) and ``bound`` (the
        explicit bound checked as an inequality).
    power
        The claims these data would have contradicted, and the weak label
        (:mod:`workbench.engine.power`).
    """

    claim: Claim
    verdict: Verdict
    fit: Fit | None
    scaling: ScalingFit | None = None
    curves: list[Curve] = field(default_factory=list)
    point_fits: list[Fit] = field(default_factory=list)
    tolerances: Tolerances | None = None
    provenance: dict[str, Any] = field(default_factory=dict)
    symbols: list[dict[str, float]] = field(default_factory=list)
    quantities: np.ndarray | None = None
    checks: dict[str, Any] = field(default_factory=dict)
    power: Power | None = None

    def observed(self) -> dict[str, Any]:
        """The ``observed`` object of the JSON."""
        out: dict[str, Any] = {}
        if self.fit is not None:
            out = {"aggregate": self.claim.aggregate, **self.fit.to_dict()}
        if self.scaling is not None:
            out["sweep"] = self.scaling.as_dict()
        out.update(self.checks)
        if self.power is not None:
            out["power"] = self.power.to_dict()
        return out

    def window(self) -> dict[str, Any] | None:
        fit = self.fit
        if fit is None or fit.window is None:
            return None
        return {"t_min": fit.window[0], "t_max": fit.window[1], "points": fit.n_points,
                "axis": self.claim.axis}

    def to_dict(self) -> dict[str, Any]:
        """The ``verify --json`` object (see the README's CLI reference)."""
        claim = self.claim
        observed = self.observed()
        text, ci = observed_text(observed)
        tolerances = self.tolerances or claim.tolerances
        return {
            "id": claim.id, "paper": claim.paper_label, "problem": claim.problem,
            "algorithm": claim.algorithm, "measure": claim.measure, "rate": claim.rate.text,
            "statement": claim.statement, "source_ref": claim.source_ref, "kind": claim.kind,
            "scope": claim.scope,
            "verdict": self.verdict.verdict,
            "direction": self.verdict.direction, "reason": self.verdict.reason,
            "verdict_notes": list(self.verdict.notes),
            "observed": observed, "observed_text": text, "ci_text": ci,
            "window": self.window(), "tolerances": tolerances.as_dict(),
            "false_mismatch_rate": false_mismatch_rate(claim, tolerances),
            "tolerance_note": claim.tolerance_note, "notes": claim.notes,
            "provenance": self.provenance,
        }


def false_mismatch_rate(claim: Claim, tol: Tolerances) -> float:
    """The level at which a true claim's interval test calls it a mismatch: one tail,
    ``(1 - confidence) / 2``, per direction the claim guards (two for ``Theta``); the
    confidence is already split over sequential looks and, for ``each``, over seeds."""
    law = claim.sweep.law if claim.sweep is not None and claim.sweep.law is not None \
        else claim.rate
    sides = 2 if law.kind == "Theta" else 1
    return sides * (1 - tol.confidence) / 2


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3g}"


def observed_text(observed: dict[str, Any]) -> tuple[str, str]:
    """Short observed-value and CI strings for an ``observed`` object."""
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
    kind = kind_named(observed["model"])
    text = kind.describe(observed["estimate"], observed.get("expected"))
    return text, f"{kind.ci_label}[{_fmt(ci[0])}, {_fmt(ci[1])}]"
