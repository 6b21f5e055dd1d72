"""The catalogue's vocabulary: problems, their algorithms and measures.

A family module under ``problems/`` defines a module-level ``PROBLEMS`` tuple of
:class:`Problem`; :func:`catalogue` discovers every family module, so adding a family touches
one file.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from workbench.errors import BadInputError

Instance = Any
# run(instance, checkpoints, seed, **hyper) -> {measure: values at checkpoints, "calls": ...}
RunFunction = Callable[..., dict[str, np.ndarray]]


@dataclass(frozen=True)
class Algorithm:
    """An algorithm run on a problem.

    Attributes
    ----------
    name
        Short name used in cards (``gd``, ``sgd``).
    run
        Public wrapper: ``run(instance, checkpoints, seed, **hyper)`` returns a dict mapping
        each measure to its values at ``checkpoints`` and, where counted, ``"calls"`` (oracle
        calls made by each checkpoint).
    hyper
        Accepted hyperparameters and their defaults.
    measures
        Measures the run records.
    oracle
        What one oracle call is, for claims stated in oracle complexity.
    reference
        Citation of the method.
    """

    name: str
    run: RunFunction
    hyper: Mapping[str, float]
    measures: tuple[str, ...]
    oracle: str = "iteration"
    reference: str = ""


@dataclass(frozen=True)
class Problem:
    """A synthetic problem family variant such as ``logistic.l2``.

    Attributes
    ----------
    name
        ``family.variant``.
    make
        ``make(seed, **params)`` builds an instance; its ``floors`` attribute maps each
        measure to its absolute accuracy and its ``constants`` attribute (a dict) holds the
        quantities a rate may name (``L``, ``mu``, ``R``...).
    params
        Accepted problem parameters and their defaults.
    algorithms
        Algorithms that run on it, by name.
    description
        One line for ``workbench list``.
    """

    name: str
    make: Callable[..., Instance]
    params: Mapping[str, float]
    algorithms: Mapping[str, Algorithm]
    description: str
    constants: tuple[str, ...] = field(default=())

    @property
    def family(self) -> str:
        return self.name.split(".")[0]

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(sorted({m for a in self.algorithms.values() for m in a.measures}))


def _family_modules() -> list[Any]:
    import workbench.problems as package

    return [importlib.import_module(f"{package.__name__}.{info.name}")
            for info in pkgutil.iter_modules(package.__path__) if not info.name.startswith("_")]


@cache
def catalogue() -> dict[str, Problem]:
    """Every registered problem, by name; checks that names are unique and well formed."""
    problems: dict[str, Problem] = {}
    for module in _family_modules():
        for problem in getattr(module, "PROBLEMS", ()):
            if problem.name.count(".") != 1:
                raise ValueError(f"{module.__name__}: problem name {problem.name!r} must be "
                                 "family.variant")
            if problem.name in problems:
                raise ValueError(f"problem {problem.name!r} is registered twice")
            for name, algorithm in problem.algorithms.items():
                if name != algorithm.name:
                    raise ValueError(f"{problem.name}: algorithm registered as {name!r} is "
                                     f"named {algorithm.name!r}")
            problems[problem.name] = problem
    return problems


def get_problem(name: str) -> Problem:
    problems = catalogue()
    if name not in problems:
        raise BadInputError(f"unknown problem {name!r}; known: {', '.join(sorted(problems))}",
                       field="problem")
    return problems[name]


def get_algorithm(problem: Problem, name: str) -> Algorithm:
    if name not in problem.algorithms:
        raise BadInputError(f"unknown algorithm {name!r} for {problem.name}; known: "
                       f"{', '.join(sorted(problem.algorithms))}", field="algorithm")
    return problem.algorithms[name]


def check_keys(given: Mapping[str, Any], allowed: Mapping[str, Any], field_name: str) -> None:
    """Reject misspelled parameter names and non-numeric values."""
    for key, value in given.items():
        if key not in allowed:
            raise BadInputError(f"unknown parameter {key!r}; known: {', '.join(sorted(allowed))}",
                           field=field_name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BadInputError(f"parameter {key!r} must be a number, got {value!r}",
                           field=field_name)
