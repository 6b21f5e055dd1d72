"""Run claims end to end: settle the settings, plan, execute, evaluate, attach provenance.

Every command (``verify``, ``plot``, ``report``, ``baseline``) and the pytest plugin run
claims through :func:`run_claims`; ``workbench fit`` and ``assert_rate`` judge a given
trajectory through :func:`judge_trajectory`. Provenance is assembled here and only here.
"""

from __future__ import annotations

import platform
import subprocess
import time
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np

from workbench import __version__
from workbench.cards.claims import Claim, trajectory_claim
from workbench.cards.ratelaw import RateLaw
from workbench.cards.tolerances import Tolerances
from workbench.engine.evaluate import evaluate, evaluate_curve
from workbench.engine.execute import run_tasks
from workbench.engine.fit import Curve
from workbench.engine.plan import plan
from workbench.engine.result import ClaimResult
from workbench.errors import BadInputError


def versions() -> dict[str, str]:
    """Code and library versions for provenance."""
    import numba
    import scipy
    import sympy

    return {"workbench": __version__, "git": code_version(),
            "python": platform.python_version(), "numpy": np.__version__,
            "numba": numba.__version__, "scipy": scipy.__version__,
            "sympy": sympy.__version__}


@cache
def code_version() -> str:
    """``git describe --always --dirty`` of the checkout holding this package, or ``""``."""
    here = Path(__file__).resolve().parent
    try:
        done = subprocess.run(["git", "-C", str(here), "describe", "--always", "--dirty"],
                              capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def settle(claims: list[Claim], quick: bool, seeds: int | None = None) -> list[Claim]:
    """The claims with their quick or full settings applied and ``seeds`` overridden."""
    settled = [claim.settings(quick) for claim in claims]
    return settled if seeds is None else [replace(c, seeds=seeds) for c in settled]


def run_claims(claims: list[Claim], quick: bool, seeds: int | None = None,
               seed_start: int = 0, jobs: int = 1, progress: bool = True,
               tolerance_overrides: Mapping[str, float] | None = None,
               ) -> tuple[list[ClaimResult], list[BadInputError]]:
    """Run and judge claims.

    A claim whose evaluation hits bad input (impossible parameters, say) is reported in the
    returned errors, located at its card and field; the other claims' results are kept.
    """
    settled = settle(claims, quick, seeds)
    tolerances = [c.tolerances.changed(tolerance_overrides or {}, source="--tol")
                  for c in settled]
    start = time.perf_counter()
    results = run_tasks(plan(settled, seed_start), jobs=jobs, progress=progress)
    wall = time.perf_counter() - start
    by_claim: dict[str, list] = {}
    for result in results:
        by_claim.setdefault(result.task.claim_id, []).append(result)
    common = {**versions(), "mode": "quick" if quick else "full", "seed_start": seed_start,
              "wall_seconds_all_claims": round(wall, 3)}
    outcomes, errors = [], []
    for claim, tol in zip(settled, tolerances, strict=True):
        provenance = {
            **common, "card": claim.source, "card_hash": claim.digest,
            "seeds": list(range(seed_start, seed_start + claim.seeds)),
            "horizon": claim.horizon, "problem_params": dict(claim.problem_params),
            "hyper": dict(claim.hyper),
        }
        try:
            outcomes.append(evaluate(claim, by_claim[claim.id], tol, provenance))
        except BadInputError as exc:
            errors.append(exc.located(source=claim.source, claim=claim.id))
    return outcomes, errors


def judge_trajectory(curve: Curve, law: RateLaw, params: Mapping[str, float],
                     tol: Tolerances, aggregate: str = "mean", t_min: float | None = None,
                     name: str = "trajectory") -> ClaimResult:
    """Fit and judge a given trajectory (``workbench fit``, ``assert_rate``)."""
    claim = trajectory_claim(name, law, params, aggregate, t_min, tol)
    return evaluate_curve(claim, curve, dict(params), tol, {"source": name,
                                                             **versions()})
