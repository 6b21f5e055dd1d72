"""Plan: claims become a flat list of tasks (claim x sweep point x seed).

A task is plain data, so the same list runs in this process, in a process pool, or on any
executor with a ``map``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.cards.claims import Claim
from workbench.catalogue import get_problem

# Geometric fits use the last part of the run in linear t: add evenly spaced checkpoints.
LINEAR_CHECKPOINTS = 60


@dataclass(frozen=True)
class Task:
    """One run: a claim's problem and algorithm at one sweep point with one seed."""

    claim_id: str
    point: int
    seed: int
    problem: str
    algorithm: str
    problem_params: dict[str, float]
    hyper: dict[str, float]
    horizon: int
    linear_checkpoints: int = 0
    #: ``claim``, or ``baseline`` for a comparison's baseline algorithm.
    role: str = "claim"


def plan(claims: Iterable[Claim], seed_start: int = 0) -> list[Task]:
    """The flat task list. Every sweep point, and a comparison's baseline, uses the same
    seeds (common random numbers: the same instances)."""
    from workbench.cards.claims import HORIZON  # cards load sympy: imported when planning
    from workbench.engine.laws import kind_of

    tasks = []
    for claim in claims:
        points: list[tuple[str, float] | None] = [None]
        if claim.sweep is not None:
            points = [(claim.sweep.parameter, v) for v in claim.sweep.values]
        linear = LINEAR_CHECKPOINTS if kind_of(claim.rate).linear_checkpoints else 0
        problem = get_problem(claim.problem)
        runs = [("claim", claim.algorithm, claim.hyper)]
        if claim.compare is not None:
            runs.append(("baseline", claim.compare.algorithm, claim.compare.hyper))
        for role, algorithm, settings in runs:
            for index, point in enumerate(points):
                params, hyper = dict(claim.problem_params), dict(settings)
                horizon = claim.horizon
                if point is not None and point[0] == HORIZON:
                    horizon = int(point[1])  # one run per horizon
                elif point is not None:
                    (params if point[0] in problem.params else hyper)[point[0]] = point[1]
                for seed in range(seed_start, seed_start + claim.seeds):
                    tasks.append(Task(claim.id, index, seed, claim.problem, algorithm,
                                      params, hyper, horizon, linear, role))
    return tasks
