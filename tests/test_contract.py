"""The family contract (``workbench/catalogue.py``), checked on every algorithm of every family.

One test, parametrised over every (problem, algorithm) pair the catalogue discovers, so a new
family or algorithm is covered without new test code. Each runs on the instance its declared
parameter defaults build, for ``HORIZON`` iterations with a checkpoint at every one: families
keep their defaults small enough for that to take well under a second (README, "Developer
notes"). Every algorithm is also compared with the NumPy twin it registers, on the same
instance and seed; the families' own tests compare them on further instances and
hyperparameters (``tests/test_<family>.py``).
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Callable, Mapping
from types import SimpleNamespace

import numpy as np
import pytest

import workbench.catalogue as catalogue_module
from workbench.catalogue import (
    Algorithm,
    ContractError,
    NoTwin,
    Param,
    Problem,
    catalogue,
    check_run,
    check_twins,
)

HORIZON = 50
GRID = np.arange(1, HORIZON + 1, dtype=np.int64)  # 50 checkpoints
SEED, OTHER_SEED = 3, 4
TIME_LIMIT = 1.0  # seconds for make + run once compiled; the defaults should need far less
# Kernel and twin make the same updates with another summation order: over HORIZON steps on
# the default instances their round-off grows to 7e-11 relative at worst (measured: the
# logistic.separable gradient norms), while a wrong sign, step or index is off by far more.
# Below a measure's declared floor the digits are round-off (of the reference solution, of
# cancellation), so the absolute tolerance of each measure is its floor.
TWIN_RTOL = 1e-9
# The comparison must read digits: some measure rises this far above its floor in the run.
READABLE_ABOVE_FLOOR = 1e3

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


@pytest.mark.parametrize(("problem", "algorithm"), CASES)
def test_kernel_matches_its_registered_twin(problem: Problem, algorithm: Algorithm):
    where = f"{problem.name}/{algorithm.name}"
    if isinstance(algorithm.twin, NoTwin):
        pytest.skip(f"{where} has no NumPy twin: {algorithm.twin.reason}")
    twin = algorithm.twin
    assert twin is not algorithm.run, f"{where}: the twin is the wrapper itself"
    assert twin.__module__.rsplit(".", 1)[-1] == "reference", (
        f"{where}: twin {twin.__module__}.{twin.__name__} is not a family's reference.py")
    check_declared_defaults(twin, algorithm.hyper, 3, f"{where} twin")

    instance = problem.make(SEED, **defaults(problem.params))
    got = run(problem, algorithm, instance, SEED)
    want = check_run(problem, algorithm,
                     twin(instance, GRID.copy(), SEED, **defaults(algorithm.hyper)), GRID.size)
    for name in algorithm.measures:
        floor = instance.floors.get(name, 0.0)
        np.testing.assert_allclose(got[name], want[name], rtol=TWIN_RTOL, atol=floor,
                                   err_msg=f"{where}: {name} (floor {floor:g})")
    for name in algorithm.counters:
        np.testing.assert_array_equal(got[name], want[name], err_msg=f"{where}: {name}")
    for name in algorithm.diagnostics:
        np.testing.assert_allclose(got[name], want[name], rtol=TWIN_RTOL,
                                   err_msg=f"{where}: {name}")
    readable = [name for name in algorithm.measures
                if np.max(np.abs(want[name])) > READABLE_ABOVE_FLOOR *
                instance.floors.get(name, 0.0)]
    assert readable, f"{where}: every measure stays near its floor; the comparison reads nothing"


def _problem_with(*algorithms: Algorithm) -> Problem:
    logistic = catalogue()["logistic.l2"]
    return Problem("fake.variant", logistic.make, {}, algorithms, "a synthetic family")


def _algorithm(name: str, **twin: object) -> Algorithm:
    gd = catalogue()["logistic.l2"].algorithms["gd"]
    return Algorithm(name, gd.run, {}, ("f_gap",), **twin)


def test_an_algorithm_without_a_twin_is_refused_naming_family_and_algorithm():
    problems = [_problem_with(_algorithm("with_twin", twin=np.zeros),
                              _algorithm("without"))]
    with pytest.raises(ContractError, match=r"family 'fake': fake.variant/without declares "
                                            r"no NumPy twin.*NoTwin"):
        check_twins("fake", problems)
    check_twins("fake", [_problem_with(_algorithm("why", twin=NoTwin("a closed form")))])


def test_the_catalogue_checks_twins_when_it_loads(monkeypatch):
    family = SimpleNamespace(__name__="workbench.problems.fake",
                             PROBLEMS=(_problem_with(_algorithm("without")),))
    monkeypatch.setattr(catalogue_module, "_family_modules", lambda: [family])
    catalogue.cache_clear()
    try:
        with pytest.raises(ContractError, match="family 'fake': fake.variant/without"):
            catalogue()
    finally:
        monkeypatch.undo()
        catalogue.cache_clear()
    assert "logistic.l2" in catalogue()


def test_a_twin_is_a_function_or_a_reason():
    with pytest.raises(ContractError, match="twin must be a function or a NoTwin"):
        _algorithm("bad", twin="reference.gd")
    with pytest.raises(ContractError, match="NoTwin needs a reason"):
        NoTwin("  ")
