"""The family contract (``workbench/catalogue.py``), checked on every algorithm of every family.

One test, parametrised over every (problem, algorithm) pair the catalogue discovers, so a new
family or algorithm is covered without new test code. Each runs on the instance its declared
parameter defaults build, for ``HORIZON`` iterations with a checkpoint at every one: families
keep their defaults small enough for that to take well under a second (README, "Developer
notes"). The NumPy-twin agreement of each kernel is tested per family, beside its reference
implementation (``tests/test_<family>.py``).
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Callable, Mapping

import numpy as np
import pytest

from workbench.catalogue import Algorithm, Param, Problem, catalogue, check_run

HORIZON = 50
GRID = np.arange(1, HORIZON + 1, dtype=np.int64)  # 50 checkpoints
SEED, OTHER_SEED = 3, 4
TIME_LIMIT = 1.0  # seconds for make + run once compiled; the defaults should need far less

CASES = [pytest.param(problem, algorithm, id=f"{problem.name}/{name}")
         for problem in catalogue().values() for name, algorithm in problem.algorithms.items()]


def defaults(declared: Mapping[str, Param]) -> dict[str, float]:
    return {name: param.default for name, param in declared.items()}


def check_declared_defaults(function: Callable, declared: Mapping[str, Param],
                            positional: int, where: str) -> None:
    """Every declared parameter is accepted by ``function``, its default is valid, and it is
    the default ``function`` itself uses when a card leaves the parameter out."""
    for name, param in declared.items():
        assert param.check(name, param.default, "default") == param.default, (where, name)
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):  # not introspectable: the run below still checks it
        return
    parameters = list(signature.parameters.values())[positional:]
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    named = {p.name: p for p in parameters
             if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                           inspect.Parameter.KEYWORD_ONLY)}
    for name, param in declared.items():
        assert name in named or takes_any, f"{where}: declares {name!r}, which it does not take"
        if name in named and named[name].default is not inspect.Parameter.empty:
            assert named[name].default == param.default, (
                f"{where}: {name!r} is declared with default {param.default!r} but runs with "
                f"{named[name].default!r} when a card leaves it out")


def instance_bytes(instance: object) -> bytes:
    """The instance's arrays and numbers, as bytes (for 'did the instance change?')."""
    state = vars(instance) if hasattr(instance, "__dict__") else {}
    parts = []
    for key in sorted(state):
        value = state[key]
        if isinstance(value, np.ndarray):
            parts.append(value.tobytes())
        elif isinstance(value, (int, float, bool, str)):
            parts.append(repr(value).encode())
        elif isinstance(value, Mapping):
            parts.append(repr(sorted(value.items())).encode())
    return b"|".join(parts)


def run(problem: Problem, algorithm: Algorithm, instance: object,
        seed: int) -> dict[str, np.ndarray]:
    output = algorithm.run(instance, GRID.copy(), seed, **defaults(algorithm.hyper))
    return check_run(problem, algorithm, output, GRID.size)


def test_the_catalogue_holds_the_known_families():
    names = {param.values[0].name for param in CASES}
    assert {"logistic.l2", "logistic.separable", "matrix_sensing.symmetric",
            "matrix_sensing.asymmetric"} <= names
    assert len(CASES) >= 8


@pytest.mark.parametrize(("problem", "algorithm"), CASES)
def test_family_contract(problem: Problem, algorithm: Algorithm):
    where = f"{problem.name}/{algorithm.name}"
    check_declared_defaults(problem.make, problem.params, 1, f"{problem.name}.make")
    check_declared_defaults(algorithm.run, algorithm.hyper, 3, f"{where} run")

    instance = problem.make(SEED, **defaults(problem.params))
    problem.check_instance(instance)  # declared constants present, floors for known measures
    for name in problem.constants:
        assert math.isfinite(float(instance.constants[name])), (where, name)
    for name, floor in instance.floors.items():
        assert math.isfinite(floor) and floor >= 0, (where, name, floor)
    before = instance_bytes(instance)

    first = run(problem, algorithm, instance, SEED)  # compiles (or loads the cache)
    for name in algorithm.measures:
        assert np.all(np.isfinite(first[name])), f"{where}: {name} not finite"
    for name in algorithm.counters:
        values = first[name]
        assert np.all(np.isfinite(values)) and np.all(values >= 0), (where, name)
        assert np.all(np.diff(values) >= 0), f"{where}: counter {name} decreases"
    assert instance_bytes(instance) == before, f"{where}: the run changed the instance"

    start = time.perf_counter()
    fresh = problem.make(SEED, **defaults(problem.params))
    again = run(problem, algorithm, fresh, SEED)
    seconds = time.perf_counter() - start
    assert instance_bytes(fresh) == before, f"{where}: make is not reproducible"
    for name in first:
        assert first[name].tobytes() == again[name].tobytes(), f"{where}: {name} not bitwise"
    assert seconds < TIME_LIMIT, f"{where}: {seconds:.2f} s on the default instance"

    other = run(problem, algorithm, instance, OTHER_SEED)  # same instance, another seed
    changed = [name for name in algorithm.measures
               if first[name].tobytes() != other[name].tobytes()]
    if algorithm.randomness == "seeded":
        assert changed, f"{where}: declared seeded, but the seed changes no measure"
    else:
        assert not changed, f"{where}: declared deterministic, but the seed changes {changed}"
