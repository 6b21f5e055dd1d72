"""The family contract: what a problem, an instance and an algorithm declare.

A family is a module or folder under ``problems/`` defining ``PROBLEMS``, a tuple of
:class:`Problem`; :func:`catalogue` discovers every family and checks its declarations, and a
card that names anything undeclared is rejected when it loads.

The contract
------------
Problem
    ``make(seed, **params)`` builds an instance; every parameter is declared as a
    :class:`Param` (default, integer or real, allowed interval). Constraints that tie several
    parameters together raise :class:`ParameterError` from ``make``.
Instance
    Any object with ``constants`` (a mapping holding every name in ``Problem.constants``: the
    quantities a rate may name, such as ``L`` and ``mu``) and ``floors`` (a mapping from
    measure to its absolute accuracy: reference solution, round-off).
Algorithm
    ``run(instance, checkpoints, seed, **hyper)`` returns a dict holding, for every declared
    measure and counter, an array of its values at ``checkpoints``. Counters are cumulative
    counts such as oracle calls (``calls``), usable as a card's ``axis``.
Random numbers
    The instance draws from ``numpy.random.default_rng(seed)``. The algorithm draws from
    :func:`algorithm_rng` (``RandomState(seed)``, the legacy Mersenne Twister that Numba's
    ``np.random`` replays): its initial point first, then, for a kernel that samples, one
    :func:`kernel_seed` passed to ``np.random.seed`` inside the kernel. Same seed, same bits;
    an algorithm declares ``randomness = "seeded"`` when its trace depends on the seed beyond
    the instance.
Twin
    Every algorithm declares its plain NumPy reference implementation, ``twin``: called as
    ``run`` is, it returns the same arrays, computed step by step with dense NumPy algebra
    and the same random numbers, so that it agrees with the kernel above each measure's floor.
    An algorithm without one says why, ``twin=NoTwin("...")``; an algorithm that declares
    neither is refused when the catalogue loads.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from workbench.errors import BadInputError

Instance = Any
RunFunction = Callable[..., dict[str, np.ndarray]]
AXIS_ITERATIONS = "iterations"
RANDOMNESS = ("deterministic", "seeded")
_INTERVAL = re.compile(r"^\s*([\[(])\s*([^,]+?)\s*,\s*([^,]+?)\s*([\])])\s*$")


class ContractError(Exception):
    """A family breaks the contract: a bug in the catalogue, not bad user input."""


class ParameterError(ValueError):
    """Problem parameters or hyperparameters that no instance or run can have (raised by
    ``make`` or ``run`` for constraints tying several parameters together)."""


@dataclass(frozen=True)
class NoTwin:
    """Declared in place of a twin: why this algorithm has no NumPy reference implementation.

    One value rather than a ``twin=None`` plus a separate reason: a declaration cannot be
    half made (a reason beside a twin, or ``None`` with no reason).
    """

    reason: str

    def __post_init__(self) -> None:
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise ContractError("NoTwin needs a reason: why the algorithm has no NumPy twin")


def algorithm_rng(seed: int) -> np.random.RandomState:
    """The algorithm's random stream for ``seed`` (see the module docstring)."""
    return np.random.RandomState(seed)


def kernel_seed(rng: np.random.RandomState) -> np.int64:
    """A seed for ``np.random.seed`` inside a kernel, drawn after the initial point."""
    return np.int64(rng.randint(0, 2**31 - 1))


@dataclass(frozen=True)
class Param:
    """A declared parameter: its default, whether it is an integer, its allowed interval.

    ``interval`` is written as in mathematics, e.g. ``"(0, inf)"``, ``"[1, inf)"``,
    ``"(0, 1]"``.
    """

    default: float
    interval: str = "(-inf, inf)"
    integer: bool = False
    doc: str = ""

    def __post_init__(self) -> None:
        self.bounds  # noqa: B018  (parse now: a bad interval is a contract error at import)
        self.check("default", self.default, "default", contract=True)

    @property
    def bounds(self) -> tuple[float, float, bool, bool]:
        match = _INTERVAL.match(self.interval)
        if not match:
            raise ContractError(f"bad interval {self.interval!r}")
        left, lo, hi, right = match.groups()
        return float(lo), float(hi), left == "[", right == "]"

    def check(self, name: str, value: Any, field_name: str, contract: bool = False) -> float:
        """``value`` as a number of the declared type; anything else is bad input."""
        error = ContractError if contract else BadInputError
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _error(error, f"parameter {name!r} must be a number, got {value!r}",
                         field_name)
        if self.integer and float(value) != int(value):
            raise _error(error, f"parameter {name!r} must be an integer, got {value!r}",
                         field_name)
        lo, hi, closed_lo, closed_hi = self.bounds
        inside = (lo <= value if closed_lo else lo < value) and \
            (value <= hi if closed_hi else value < hi)
        if not inside or math.isnan(value):
            raise _error(error, f"parameter {name!r} = {value!r} is outside {self.interval}",
                         field_name)
        return int(value) if self.integer else float(value)

    def describe(self) -> str:
        kind = "int" if self.integer else "real"
        return f"{self.default:g} ({kind} in {self.interval})"


def _error(kind: type[Exception], message: str, field_name: str) -> Exception:
    return BadInputError(message, field=field_name) if kind is BadInputError \
        else ContractError(message)


@dataclass(frozen=True)
class Algorithm:
    """An algorithm as a family offers it.

    Attributes
    ----------
    name
        Short name used in cards (``gd``, ``sgd``, ``extragradient``).
    run
        ``run(instance, checkpoints, seed, **hyper)``; see the module docstring.
    hyper
        Declared hyperparameters.
    measures
        Error measures it records.
    counters
        Cumulative counters it records, with what one unit is (``{"calls": "component
        operator evaluations"}``); a card may use a counter as its ``axis``.
    diagnostics
        Scalars the run reports, with what each is (``{"imbalance_min": "smallest eigenvalue
        of F0^T F0 - G0^T G0"}``); cards may name them in ``regime`` and ``bound``.
    randomness
        ``"deterministic"`` or ``"seeded"`` (see the module docstring).
    reference
        Citation of the method (shown in figures and the report).
    twin
        The plain NumPy reference implementation (``reference.py`` of the family), called as
        ``run`` is; or :class:`NoTwin` saying why there is none. Left out (``None``), the
        catalogue refuses the family when it loads (:func:`check_twins`).
    """

    name: str
    run: RunFunction
    hyper: Mapping[str, Param]
    measures: tuple[str, ...]
    counters: Mapping[str, str] = field(default_factory=dict)
    diagnostics: Mapping[str, str] = field(default_factory=dict)
    randomness: str = "deterministic"
    reference: str = ""
    twin: RunFunction | NoTwin | None = None

    def __post_init__(self) -> None:
        if self.twin is not None and not isinstance(self.twin, NoTwin) \
                and not callable(self.twin):
            raise ContractError(f"{self.name}: twin must be a function or a NoTwin, got "
                                f"{self.twin!r}")
        if self.randomness not in RANDOMNESS:
            raise ContractError(f"{self.name}: randomness must be one of {RANDOMNESS}")
        names = [*self.measures, *self.counters, *self.diagnostics]
        if len(set(names)) != len(names):
            raise ContractError(f"{self.name}: a name is declared twice among measures, "
                                "counters and diagnostics")
        for name, param in self.hyper.items():
            if not isinstance(param, Param):
                raise ContractError(f"{self.name}: hyperparameter {name!r} is not a Param")

    @property
    def axes(self) -> tuple[str, ...]:
        """What a card may use as its ``axis``: iterations, or a declared counter."""
        return (AXIS_ITERATIONS, *self.counters)

    def describe(self) -> str:
        hyper = ", ".join(f"{k}={p.describe()}" for k, p in self.hyper.items()) or "none"
        counters = ", ".join(f"{k} ({v})" for k, v in self.counters.items()) or "none"
        return (f"{self.name}: hyper {hyper}; measures {', '.join(self.measures)}; counters "
                f"{counters}; {self.randomness}")


@dataclass(frozen=True)
class Problem:
    """A synthetic problem variant such as ``logistic.l2`` (see the module docstring)."""

    name: str
    make: Callable[..., Instance]
    params: Mapping[str, Param]
    algorithms: Mapping[str, Algorithm] | Sequence[Algorithm]
    description: str
    constants: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.name.count(".") != 1:
            raise ContractError(f"problem name {self.name!r} must be family.variant")
        algorithms = self.algorithms
        if not isinstance(algorithms, Mapping):
            algorithms = {a.name: a for a in algorithms}
            if len(algorithms) != len(self.algorithms):
                raise ContractError(f"{self.name}: two algorithms share a name")
        for name, algorithm in algorithms.items():
            if name != algorithm.name:
                raise ContractError(f"{self.name}: algorithm registered as {name!r} is named "
                                    f"{algorithm.name!r}")
            clash = set(algorithm.hyper) & set(self.params)
            if clash:
                raise ContractError(f"{self.name}/{name}: {', '.join(clash)} is both a "
                                    "problem parameter and a hyperparameter")
        for name, param in self.params.items():
            if not isinstance(param, Param):
                raise ContractError(f"{self.name}: parameter {name!r} is not a Param")
        object.__setattr__(self, "algorithms", dict(algorithms))

    @property
    def family(self) -> str:
        return self.name.split(".")[0]

    def describe_params(self) -> str:
        return ", ".join(f"{k}={p.describe()}" for k, p in self.params.items()) or "none"

    def check_instance(self, instance: Instance) -> None:
        """Raise :class:`ContractError` unless ``instance`` carries what the problem declares."""
        constants = getattr(instance, "constants", None)
        floors = getattr(instance, "floors", None)
        if not isinstance(constants, Mapping) or not isinstance(floors, Mapping):
            raise ContractError(f"{self.name}: an instance needs mappings constants, floors")
        missing = [c for c in self.constants if c not in constants]
        if missing:
            raise ContractError(f"{self.name}: instance lacks constant(s) {missing}")
        measures = {m for a in self.algorithms.values() for m in a.measures}
        unknown = set(floors) - measures
        if unknown:
            raise ContractError(f"{self.name}: floors for undeclared measure(s) {unknown}")


def check_run(problem: Problem, algorithm: Algorithm, output: Mapping[str, Any],
              points: int) -> dict[str, np.ndarray]:
    """The run's output as float arrays; :class:`ContractError` when it breaks the contract.

    Measures and counters are arrays over the checkpoints; a diagnostic, a scalar, comes back
    as a constant array over the checkpoints so that every entry has one shape.
    """
    expected = set(algorithm.measures) | set(algorithm.counters) | set(algorithm.diagnostics)
    if set(output) != expected:
        raise ContractError(f"{problem.name}/{algorithm.name} returned {sorted(output)}, "
                            f"declared {sorted(expected)}")
    arrays = {}
    for name, value in output.items():
        values = np.asarray(value, dtype=float)
        if name in algorithm.diagnostics:
            if values.shape != ():
                raise ContractError(f"{problem.name}/{algorithm.name}: diagnostic {name} "
                                    f"must be a scalar, got shape {values.shape}")
            values = np.full(points, float(values))
        elif values.shape != (points,):
            raise ContractError(f"{problem.name}/{algorithm.name}: {name} has shape "
                                f"{values.shape}, expected ({points},)")
        arrays[name] = values
    return arrays


def _family_modules() -> list[Any]:
    import workbench.problems as package

    return [importlib.import_module(f"{package.__name__}.{info.name}")
            for info in pkgutil.iter_modules(package.__path__) if not info.name.startswith("_")]


def check_twins(family: str, problems: Sequence[Problem]) -> None:
    """Raise :class:`ContractError` naming the family, problem and algorithm of the first
    algorithm that declares neither a twin nor why it has none."""
    for problem in problems:
        for algorithm in problem.algorithms.values():
            if algorithm.twin is None:
                raise ContractError(
                    f"family {family!r}: {problem.name}/{algorithm.name} declares no NumPy "
                    "twin; register it with twin=<its reference implementation> or "
                    "twin=NoTwin('why it has none')")


@cache
def catalogue() -> dict[str, Problem]:
    """Every registered problem, by name."""
    problems: dict[str, Problem] = {}
    for module in _family_modules():
        family = getattr(module, "PROBLEMS", ())
        check_twins(module.__name__.rsplit(".", 1)[-1], family)
        for problem in family:
            if problem.name in problems:
                raise ContractError(f"problem {problem.name!r} is registered twice")
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


def check_params(given: Mapping[str, Any], declared: Mapping[str, Param],
                 field_name: str) -> dict[str, float]:
    """Given parameters checked against their declarations: names, types and ranges."""
    clean = {}
    for key, value in given.items():
        if key not in declared:
            raise BadInputError(f"unknown parameter {key!r}; known: "
                                f"{', '.join(sorted(declared)) or 'none'}", field=field_name)
        clean[key] = declared[key].check(key, value, field_name)
    return clean
