"""Claim cards: TOML files, one per paper, validated completely on load.

Every problem is reported as a :class:`~workbench.errors.BadInputError` naming the file, the claim
id and the field, before anything runs.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from workbench.cards import limits
from workbench.cards.aggregates import AGGREGATES, valid_aggregate
from workbench.cards.conditions import Condition, parse_condition
from workbench.cards.ratelaw import RateLaw, parse_rate, require_decay, require_scaling
from workbench.cards.tolerances import Tolerances
from workbench.catalogue import AXIS_ITERATIONS, Param, check_params, get_algorithm, get_problem
from workbench.errors import BadInputError, excerpt

PAPER_KEYS = {"title", "authors", "year", "arxiv", "doi", "url", "venue"}
CLAIM_KEYS = {
    "id", "statement", "problem", "problem_params", "algorithm", "hyper", "measure", "rate",
    "horizon", "seeds", "aggregate", "axis", "rate_params", "t_min", "notes", "tolerances",
    "quick", "sweep", "figure", "source_ref", "bound", "regime", "max_seeds", "kind",
    "compare", "scope",
}
COMPARE_KEYS = {"algorithm", "hyper"}
# What a claim says of the error: it converges at a rate (default), it diverges at a stated
# growth factor, or it settles at a stated floor (``limit``).
CLAIM_KINDS = ("convergence", "divergence", "floor")
# ``rate`` is required too, except for cost sweeps, where ``sweep.complexity`` is the claim.
REQUIRED = ("id", "statement", "problem", "algorithm", "measure", "horizon", "seeds")
MODE_KEYS = {"horizon", "seeds", "problem_params", "hyper", "t_min", "sweep", "max_seeds"}
REGIME_KEYS = {"conditions", "why"}
SWEEP_KEYS = {"parameter", "values", "range", "quantity", "target", "limit", "complexity",
              "trend"}
# What each run of a sweep contributes: its fitted rate constant, its cost to a target, or
# its final value (the measure at the last iterate: at a fixed iteration, or per horizon).
QUANTITIES = ("rate_constant", "cost", "final")
TRENDS = ("increasing", "decreasing")
# Sweeping the horizon runs once per horizon (schedules and constructions that depend on it).
HORIZON = "horizon"
SCOPES = ("every_instance", "worst_case")


@dataclass(frozen=True)
class Sweep:
    """A sweep over one problem or algorithm parameter (see README, "Sweep claims").

    ``quantity`` is what each run contributes: ``rate_constant`` (geometric fit),
    or ``cost`` (iterations or calls until the measure first drops to ``target``). ``law``
    states how that quantity scales with ``parameter``; for rate constants it may be left
    out and is then implied by the claim's rate (``exp(-Omega(alpha**2*T))`` gives
    ``Omega(alpha**2)``).
    """

    parameter: str
    values: tuple[float, ...]
    quantity: str
    law: RateLaw | None
    target: float | None = None
    limit: str = ""
    #: ``increasing`` or ``decreasing``: the quantity moves monotonically with the parameter.
    trend: str = ""


@dataclass(frozen=True)
class Compare:
    """A baseline algorithm run on the same problem, instances and seeds (see README,
    "Comparisons"). The sweep's ``complexity`` then states how the claim algorithm's advantage
    scales: the baseline's cost over the claim's (cost sweeps), or the claim's rate constant
    over the baseline's (rate-constant sweeps)."""

    algorithm: str
    hyper: Mapping[str, float]


@dataclass(frozen=True)
class Claim:
    """One validated claim; ``settings(mode)`` gives the quick or full run settings."""

    id: str
    statement: str
    paper: Mapping[str, Any]
    source: str
    problem: str
    algorithm: str
    measure: str
    rate: RateLaw
    horizon: int
    seeds: int
    problem_params: Mapping[str, float]
    hyper: Mapping[str, float]
    rate_params: Mapping[str, float]
    aggregate: str = "mean"
    axis: str = "iterations"
    t_min: float | None = None
    notes: str = ""
    tolerances: Tolerances = field(default_factory=Tolerances)
    tolerance_note: str = ""
    sweep: Sweep | None = None
    figure: str = ""
    quick: Mapping[str, Any] = field(default_factory=dict)
    digest: str = ""
    #: An explicit non-asymptotic bound on the measure (a law in T; for cost sweeps, on the
    #: cost, a law in the swept parameter), checked as an inequality at every checkpoint.
    bound: RateLaw | None = None
    #: Conditions the theorem needs of the instance or initialization, checked per seed.
    regime: tuple[Condition, ...] = ()
    regime_why: str = ""
    #: Seeds may be added (doubling) up to this many while the verdict is "too noisy".
    max_seeds: int | None = None
    #: ``convergence`` or ``divergence`` (see :data:`CLAIM_KINDS`).
    kind: str = "convergence"
    #: A baseline algorithm the claim compares against.
    compare: Compare | None = None
    #: The theorem or section the claim cites.
    source_ref: str = ""
    #: ``every_instance``, or ``worst_case``: the bound holds over a class and is checked on
    #: its worst-case instance, not read as a statement about every instance.
    scope: str = "every_instance"

    @property
    def family(self) -> str:
        return self.problem.split(".")[0]

    @property
    def paper_label(self) -> str:
        p = self.paper
        ident = f"arXiv {p['arxiv']}" if p.get("arxiv") else p.get("doi", "")
        head = f"{p.get('authors', '')} ({p.get('year', '')})".strip()
        return ", ".join(part for part in (head, p.get("title", ""), ident) if part)

    def settings(self, quick: bool) -> Claim:
        """This claim with the quick overrides applied (or unchanged for full)."""
        if not quick or not self.quick:
            return self
        q = self.quick
        return replace(
            self,
            horizon=int(q.get("horizon", self.horizon)),
            seeds=int(q.get("seeds", self.seeds)),
            problem_params={**self.problem_params, **q.get("problem_params", {})},
            hyper={**self.hyper, **q.get("hyper", {})},
            t_min=q.get("t_min", self.t_min),
            max_seeds=q.get("max_seeds", self.max_seeds),
            sweep=replace(self.sweep, values=tuple(_sweep_values(q["sweep"], "quick.sweep")))
            if self.sweep and "sweep" in q else self.sweep,
        )

    def symbol_values(self, params: Mapping[str, float], hyper: Mapping[str, float],
                      constants: Mapping[str, float]) -> dict[str, float]:
        """Values for the rate's symbols: the card's rate_params first, then the instance's
        constants, then the problem parameters and hyperparameters as run."""
        return {**hyper, **params, **constants, **self.rate_params}


def trajectory_claim(name: str, law: RateLaw, params: Mapping[str, float],
                     aggregate: str = "mean", t_min: float | None = None,
                     tolerances: Tolerances | None = None) -> Claim:
    """A claim about a given trajectory (``workbench fit``): no problem, no algorithm."""
    if not valid_aggregate(aggregate):
        raise _fail(f"must be one of {', '.join(AGGREGATES)} or a quantile such as q0.9, got "
                    f"{aggregate!r}", "aggregate")
    return Claim(id=name, statement="", paper={}, source=name, problem="", algorithm="",
                 measure="value", rate=law, horizon=1, seeds=1, problem_params={}, hyper={},
                 rate_params=dict(params), aggregate=aggregate, axis="t", t_min=t_min,
                 tolerances=tolerances or Tolerances())


def _fail(message: str, field_name: str) -> BadInputError:
    return BadInputError(message, field=field_name)


def _number(value: Any, field_name: str, *, integer: bool = False, positive: bool = True):
    """``value`` if it is a finite number (an integer with ``integer``), positive unless
    ``positive`` is False; anything else is bad input."""
    ok = isinstance(value, int if integer else (int, float)) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or (positive and value <= 0):
        kind = ("a positive " if positive else "a finite ") + ("integer" if integer else
                                                                "number")
        raise _fail(f"must be {kind}, got {excerpt(value)}", field_name)
    return value


def _table(value: Any, field_name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(f"must be a table, got {excerpt(value)}", field_name)
    return value


def _sweep_values(spec: Mapping[str, Any], field_name: str) -> list[float]:
    if "values" in spec and "range" in spec:
        raise _fail("give either values or range, not both", field_name)
    if "values" in spec:
        values = spec["values"]
        if not isinstance(values, list) or len(values) < 3:
            raise _fail("values must list at least 3 numbers", field_name + ".values")
        if len(values) > limits.MAX_SWEEP_POINTS:
            raise _fail(f"values lists {len(values)} numbers (at most "
                        f"{limits.MAX_SWEEP_POINTS})", field_name + ".values")
        out = [float(_number(v, field_name + ".values")) for v in values]
        steps = np.diff(out)
        if not (np.all(steps > 0) or np.all(steps < 0)):
            raise _fail(f"values must be distinct and strictly increasing or decreasing, got "
                        f"{excerpt(values)}", field_name + ".values")
        return out
    if "range" in spec:
        r = _table(spec["range"], field_name + ".range")
        unknown = set(r) - {"start", "stop", "num"}
        if unknown:
            raise _fail(f"unknown key(s) {', '.join(sorted(unknown))}", field_name + ".range")
        start, stop = (float(_number(r.get(k), f"{field_name}.range.{k}"))
                       for k in ("start", "stop"))
        num = _number(r.get("num"), field_name + ".range.num", integer=True)
        if not 3 <= num <= limits.MAX_SWEEP_POINTS:
            raise _fail(f"num must be in [3, {limits.MAX_SWEEP_POINTS}]",
                        field_name + ".range.num")
        out = [float(v) for v in np.geomspace(start, stop, num)]
        if len(set(out)) < num:
            raise _fail("start and stop must be far enough apart for num distinct values",
                        field_name + ".range")
        return out
    raise _fail("needs values = [...] or range = {start, stop, num}", field_name)


def _parse_sweep(spec: Any, allowed: Mapping[str, Param], rate: RateLaw | None) -> Sweep:
    spec = _table(spec, "sweep")
    unknown = set(spec) - SWEEP_KEYS
    if unknown:
        raise _fail(f"unknown key(s) {', '.join(sorted(unknown))}", "sweep")
    parameter = spec.get("parameter")
    if not isinstance(parameter, str) or parameter not in allowed:
        raise _fail(f"parameter {excerpt(parameter)} is not a problem or algorithm parameter; "
                    f"known: {', '.join(sorted(allowed))}", "sweep.parameter")
    quantity = spec.get("quantity")
    if quantity not in QUANTITIES:
        raise _fail(f"quantity must be one of {', '.join(QUANTITIES)}, got {excerpt(quantity)}",
                    "sweep.quantity")
    trend = spec.get("trend", "")
    if trend not in ("", *TRENDS):
        raise _fail(f"trend must be one of {', '.join(TRENDS)}, got {excerpt(trend)}",
                    "sweep.trend")
    law = None
    if "complexity" in spec:
        try:
            law = parse_rate(spec["complexity"], variable=parameter)
        except BadInputError as exc:
            raise exc.located(field="sweep.complexity") from None
    elif trend and quantity in ("cost", "final"):
        pass  # a trend alone is the claim
    elif quantity != "rate_constant" or rate is None or rate.shape != "geometric":
        raise _fail("needs complexity = \"K(expression in the swept parameter)\" (only a "
                    "geometric rate's rate constant implies it)", "sweep.complexity")
    if quantity == "rate_constant" and (rate is None or rate.shape != "geometric"):
        raise _fail("a rate_constant sweep needs a geometric rate", "sweep.quantity")
    if law is not None and law.exponential:
        raise _fail("a scaling law must be O/Omega/Theta of an expression", "sweep.complexity")
    target = spec.get("target")
    if quantity == "cost":
        target = float(_number(target, "sweep.target", positive=False))
        if target < 0:
            raise _fail(f"must be at least 0 (an error level), got {target!r}", "sweep.target")
    elif target is not None:
        raise _fail("target applies to quantity = \"cost\" only", "sweep.target")
    limit = spec.get("limit", "")
    if limit not in ("", "small", "large"):
        raise _fail(f"limit must be \"small\" or \"large\", got {excerpt(limit)}",
                    "sweep.limit")
    values = tuple(allowed[parameter].check(parameter, v, "sweep.values")
                   for v in _sweep_values(spec, "sweep"))
    return Sweep(parameter, values, quantity, law, target, limit, trend)


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\Z")


def _check_laws(raw: Mapping[str, Any], law: RateLaw, sweep: Sweep | None,
                as_run: Mapping[str, float]) -> None:
    """Each law is valid for its kind of claim: an error rate decays (at both ends of a
    sweep), a cost grows toward one end of its sweep, a scaling law is positive."""
    points = [None] if sweep is None else [sweep.values[0], sweep.values[-1]]
    if "rate" in raw:
        for point in points:
            values = dict(as_run) if point is None else {**as_run, sweep.parameter: point}
            try:
                require_decay(law, values)
            except BadInputError as exc:
                raise exc.located(field="rate") from None
    if sweep is not None and sweep.law is not None:
        others = {k: v for k, v in as_run.items() if k != sweep.parameter}
        try:
            # A constant law is a claim too: a cost or an advantage independent of the
            # parameter ("does not degrade with the number of actions").
            require_scaling(sweep.law, sweep.values, others)
        except BadInputError as exc:
            raise exc.located(field="sweep.complexity") from None


def _check_size(declared: Mapping[str, Param], params: Mapping[str, Any],
                quick: Mapping[str, Any], sweep: Sweep | None) -> None:
    """The instance size (product of the integer problem parameters) within the limits, in
    both modes and at every sweep point."""
    integer = [k for k, p in declared.items() if p.integer]
    full = {k: params.get(k, declared[k].default) for k in integer}
    settings = (("problem_params", full),
                ("quick.problem_params", {**full, **{k: v for k, v in
                                                    quick.get("problem_params", {}).items()
                                                    if k in integer}}))
    for where, values in settings:
        if sweep is not None and sweep.parameter in integer:
            values = {**values, sweep.parameter: max(sweep.values)}
        limits.check_size(values, where)


def _parse_fields(raw: Mapping[str, Any]) -> None:
    """The claim's own keys: none unknown, the required ones present, strings and names."""
    unknown = set(raw) - CLAIM_KEYS
    if unknown:
        raise _fail(f"unknown key(s) {', '.join(sorted(unknown))}", sorted(unknown)[0])
    for key in REQUIRED:
        if key not in raw:
            raise _fail("is required", key)
    # A cost or final-value sweep states its claim in the sweep (complexity, trend).
    cost_sweep = isinstance(raw.get("sweep"), dict) and \
        raw["sweep"].get("quantity") in ("cost", "final")
    if "rate" not in raw and not cost_sweep:
        raise _fail("is required", "rate")
    for key in ("id", "statement", "problem", "algorithm", "measure", "rate"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            raise _fail("must be a non-empty string", key)
    for key in ("notes", "source_ref", "figure"):
        if key in raw and not isinstance(raw[key], str):
            raise _fail(f"must be a string, got {excerpt(raw[key])}", key)
    for key in ("id", "figure"):
        if raw.get(key) and not _NAME.match(raw[key]):
            raise _fail(f"must be 1-100 letters, digits, '_', '.' or '-' starting with a letter "
                        f"or digit (it names files), got {excerpt(raw[key])}", key)


def _parse_target(raw: Mapping[str, Any]) -> tuple[Any, Any]:
    """``problem``, ``algorithm`` and ``measure``: names the catalogue declares."""
    problem = get_problem(raw["problem"])
    algorithm = get_algorithm(problem, raw["algorithm"])
    if raw["measure"] not in algorithm.measures:
        raise _fail(f"unknown measure {raw['measure']!r} for {problem.name}/{algorithm.name};"
                    f" known: {', '.join(algorithm.measures)}", "measure")
    return problem, algorithm


def _parse_params(raw: Mapping[str, Any], problem: Any, algorithm: Any,
                  ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """``problem_params``, ``hyper`` and ``rate_params``, checked against their declarations;
    a rate parameter may not shadow a value the run provides."""
    problem_params = _table(raw.get("problem_params", {}), "problem_params")
    problem_params = check_params(problem_params, problem.params, "problem_params")
    hyper = _table(raw.get("hyper", {}), "hyper")
    hyper = check_params(hyper, algorithm.hyper, "hyper")
    rate_params = _table(raw.get("rate_params", {}), "rate_params")
    rate_params = check_params(rate_params, {k: Param(0.0) for k in rate_params},
                               "rate_params")
    for name in rate_params:
        if name == "T" or name in problem.params or name in algorithm.hyper or \
                name in problem.constants:
            what = "the horizon" if name == "T" else "a parameter or instance constant"
            raise _fail(f"{name} is {what}: its value comes from the run, not from "
                        "rate_params", "rate_params")
    return problem_params, hyper, rate_params


def _parse_law(raw: Mapping[str, Any], problem: Any, algorithm: Any,
               rate_params: Mapping[str, Any]) -> tuple[RateLaw, Sweep | None, set[str]]:
    """``rate`` and ``[claim.sweep]``: the stated law (a cost or trend sweep's own when there
    is no rate), the sweep, and the symbols that have a value."""
    law = None
    try:
        law = parse_rate(raw["rate"]) if "rate" in raw else None
    except BadInputError as exc:
        raise exc.located(field="rate") from None
    sweep = None
    if "sweep" in raw:
        sweep = _parse_sweep(raw["sweep"], {**problem.params, **algorithm.hyper,
                                            HORIZON: Param(1, "[1, inf)", integer=True)}, law)
    if law is None:
        assert sweep is not None
        law = sweep.law if sweep.law is not None else _trend_law(sweep)
    known = set(rate_params) | set(problem.params) | set(algorithm.hyper) | set(
        problem.constants)
    if sweep is not None and sweep.law is not None:
        known.add(sweep.parameter)
        missing = [s for s in sweep.law.parameters if s not in known]
        if missing:
            raise _fail(f"symbol(s) {', '.join(missing)} have no value (give them in "
                        "rate_params)", "sweep.complexity")
    missing = [s for s in law.parameters if s not in known]
    if missing:
        raise _fail(f"rate symbol(s) {', '.join(missing)} have no value; give them in "
                    "rate_params or use a problem parameter, hyperparameter or instance "
                    f"constant ({', '.join(sorted(known - set(rate_params)))})", "rate")
    return law, sweep, known


def _check_floor(raw: Mapping[str, Any], law: RateLaw, sweep: Sweep | None,
                 as_run: Mapping[str, float]) -> None:
    """A floor claim's law is the value the error settles at: no ``T``, not exponential."""
    if law.var in law.inner.free_symbols or law.exponential:
        raise _fail("a floor claim states the value the error settles at, without T: "
                    "e.g. Theta(sigma**2/(4*c))", "rate")


def _check_divergence(raw: Mapping[str, Any], law: RateLaw, sweep: Sweep | None,
                      as_run: Mapping[str, float]) -> None:
    _check_growth(law, sweep, as_run)


# What each claim kind (the card's ``kind``) requires of its law, checked when the card loads.
KIND_CHECKS = {"convergence": _check_laws, "divergence": _check_divergence,
               "floor": _check_floor}
assert tuple(KIND_CHECKS) == CLAIM_KINDS


def _parse_kind(raw: Mapping[str, Any], law: RateLaw, sweep: Sweep | None,
                as_run: Mapping[str, float]) -> str:
    """``kind``, and its check of the law (:data:`KIND_CHECKS`)."""
    kind = raw.get("kind", "convergence")
    if kind not in CLAIM_KINDS:
        raise _fail(f"must be one of {', '.join(CLAIM_KINDS)}, got {excerpt(kind)}", "kind")
    KIND_CHECKS[kind](raw, law, sweep, as_run)
    return kind


def _parse_judging(raw: Mapping[str, Any], problem: Any,
                   algorithm: Any) -> tuple[str, str, str, Tolerances, str]:
    """``aggregate``, ``scope``, ``axis`` and ``tolerances`` (with the override's ``why``)."""
    aggregate = raw.get("aggregate", "mean")
    if not valid_aggregate(aggregate):
        raise _fail(f"must be one of {', '.join(AGGREGATES)} or a quantile such as q0.9, got "
                    f"{excerpt(aggregate)}", "aggregate")
    scope = raw.get("scope", "every_instance")
    if scope not in SCOPES:
        raise _fail(f"must be one of {', '.join(SCOPES)}, got {excerpt(scope)}", "scope")
    axis = raw.get("axis", AXIS_ITERATIONS)
    if axis not in algorithm.axes:
        raise _fail(f"{problem.name}/{algorithm.name} counts {', '.join(algorithm.axes)}; got "
                    f"{axis!r}", "axis")
    tolerances = Tolerances()
    tolerance_note = ""
    if "tolerances" in raw:
        overrides = dict(_table(raw["tolerances"], "tolerances"))
        tolerance_note = overrides.pop("why", "")
        if not isinstance(tolerance_note, str) or not tolerance_note.strip():
            raise _fail("overriding a tolerance needs why = \"...\" saying why", "tolerances")
        tolerances = tolerances.changed(overrides)
    return aggregate, scope, axis, tolerances, tolerance_note


def _parse_sizes(raw: Mapping[str, Any], problem: Any, algorithm: Any, sweep: Sweep | None,
                 problem_params: Mapping[str, Any]) -> dict[str, Any]:
    """``horizon``, ``seeds``, ``t_min`` and ``[claim.quick]`` (the quick settings, returned):
    counts and sizes within the limits in both modes."""
    quick = _table(raw.get("quick", {}), "quick")
    if set(quick) - MODE_KEYS:
        raise _fail(f"unknown key(s) {', '.join(sorted(set(quick) - MODE_KEYS))}", "quick")
    check_params(_table(quick.get("problem_params", {}), "quick.problem_params"),
                 problem.params, "quick.problem_params")
    check_params(_table(quick.get("hyper", {}), "quick.hyper"), algorithm.hyper, "quick.hyper")
    for key in ("horizon", "seeds"):
        for where, table in ((key, raw), (f"quick.{key}", quick)):
            if key in table:
                limits.check_count(key, _number(table[key], where, integer=True), where)
    if "sweep" in quick:
        if sweep is None:
            raise _fail("the claim has no sweep", "quick.sweep")
        declared = {**problem.params, **algorithm.hyper,
                    HORIZON: Param(1, "[1, inf)", integer=True)}[sweep.parameter]
        extra = set(_table(quick["sweep"], "quick.sweep")) - {"values", "range"}
        if extra:
            raise _fail(f"unknown key(s) {', '.join(sorted(extra))} (quick settings may change "
                        "the sweep's values or range only)", "quick.sweep")
        for value in _sweep_values(_table(quick["sweep"], "quick.sweep"), "quick.sweep"):
            declared.check(sweep.parameter, value, "quick.sweep.values")
    for where, table in (("t_min", raw), ("quick.t_min", quick)):
        if "t_min" in table:
            _number(table["t_min"], where)
    for where, settings in (("t_min", raw), ("quick.t_min", {**raw, **quick})):
        if settings.get("t_min") is not None and settings["t_min"] >= settings["horizon"]:
            raise _fail(f"must be below the horizon {settings['horizon']} (nothing would be "
                        "left to fit)", where)
    _check_size(problem.params, problem_params, quick, sweep)
    return quick


def _parse_max_seeds(raw: Mapping[str, Any], quick: Mapping[str, Any]) -> int | None:
    """``max_seeds`` (and its quick value): within the limits, at least ``seeds``."""
    max_seeds = None
    for where, table in (("max_seeds", raw), ("quick.max_seeds", quick)):
        if "max_seeds" in table:
            limits.check_count("seeds", _number(table["max_seeds"], where, integer=True), where)
    if "max_seeds" in raw:
        max_seeds = raw["max_seeds"]
        if max_seeds < raw["seeds"]:
            raise _fail(f"must be at least seeds = {raw['seeds']}", "max_seeds")
    return max_seeds


def _parse_claim(raw: Mapping[str, Any], paper: Mapping[str, Any], source: str) -> Claim:
    """One ``[[claim]]`` table, section by section in a fixed order (the first problem found
    is the one reported)."""
    _parse_fields(raw)
    problem, algorithm = _parse_target(raw)
    problem_params, hyper, rate_params = _parse_params(raw, problem, algorithm)
    law, sweep, known = _parse_law(raw, problem, algorithm, rate_params)
    declared = {**problem.params, **algorithm.hyper}
    as_run = {**{k: p.default for k, p in declared.items()}, **problem_params, **hyper,
              **rate_params}
    if sweep is not None and sweep.parameter in rate_params:
        raise _fail(f"{sweep.parameter} is swept: its value comes from the sweep",
                    "rate_params")
    kind = _parse_kind(raw, law, sweep, as_run)
    aggregate, scope, axis, tolerances, tolerance_note = _parse_judging(raw, problem, algorithm)
    quick = _parse_sizes(raw, problem, algorithm, sweep, problem_params)
    symbols = known | set(algorithm.diagnostics)
    bound = _parse_bound(raw, sweep, symbols)
    regime, regime_why = _parse_regime(raw, symbols | set(problem.params) | set(algorithm.hyper))
    max_seeds = _parse_max_seeds(raw, quick)
    digest = hashlib.sha256(repr(sorted(raw.items())).encode()).hexdigest()[:16]
    return Claim(
        id=raw["id"], statement=raw["statement"], paper=paper, source=source,
        problem=problem.name, algorithm=algorithm.name, measure=raw["measure"], rate=law,
        horizon=raw["horizon"], seeds=raw["seeds"], problem_params=problem_params,
        hyper=hyper, rate_params=rate_params, aggregate=aggregate, axis=axis,
        t_min=raw.get("t_min"), notes=raw.get("notes", ""), tolerances=tolerances,
        tolerance_note=tolerance_note, sweep=sweep, figure=raw.get("figure", ""),
        quick=quick, digest=digest, bound=bound, regime=regime, regime_why=regime_why,
        max_seeds=max_seeds, kind=kind, scope=scope, source_ref=raw.get("source_ref", ""),
        compare=_parse_compare(raw, problem, algorithm, sweep),
    )


def _trend_law(sweep: Sweep) -> RateLaw:
    """What a trend-only claim states, as the law shown in tables ("cost decreasing in
    gamma"); it fixes no rate."""
    import sympy as sp

    return RateLaw(f"{sweep.quantity} {sweep.trend} in {sweep.parameter}", "O", sp.Integer(1),
                   False, sweep.parameter)


def _parse_compare(raw: Mapping[str, Any], problem: Any, algorithm: Any,
                   sweep: Sweep | None) -> Compare | None:
    """``[claim.compare]``: a baseline on the same problem, measure, axis and seeds."""
    if "compare" not in raw:
        return None
    spec = _table(raw["compare"], "compare")
    unknown = set(spec) - COMPARE_KEYS
    if unknown:
        raise _fail(f"unknown key(s) {', '.join(sorted(unknown))}", "compare")
    name = spec.get("algorithm")
    if not isinstance(name, str):
        raise _fail("needs algorithm = \"name\" (the baseline)", "compare.algorithm")
    try:
        baseline = get_algorithm(problem, name)
    except BadInputError as exc:
        raise _fail(exc.message, "compare.algorithm") from None
    hyper = check_params(_table(spec.get("hyper", {}), "compare.hyper"), baseline.hyper,
                         "compare.hyper")
    if name == algorithm.name and hyper == dict(raw.get("hyper", {})):
        raise _fail("the baseline is the claim's own algorithm with the same settings",
                    "compare")
    if raw["measure"] not in baseline.measures:
        raise _fail(f"{problem.name}/{name} does not record {raw['measure']!r}",
                    "compare.algorithm")
    if raw.get("axis", AXIS_ITERATIONS) not in baseline.axes:
        raise _fail(f"{problem.name}/{name} does not count {raw.get('axis')!r}",
                    "compare.algorithm")
    if sweep is None or sweep.law is None or "complexity" not in raw.get("sweep", {}):
        raise _fail("a comparison needs a sweep with complexity = \"K(...)\": how the claim "
                    "algorithm's advantage over the baseline scales", "compare")
    if sweep.parameter not in (*problem.params, *baseline.hyper, HORIZON):
        raise _fail(f"the swept {sweep.parameter} is not a problem parameter or a "
                    f"hyperparameter of {name}", "compare")
    return Compare(name, hyper)


def _check_growth(law: RateLaw, sweep: Sweep | None, as_run: Mapping[str, float]) -> None:
    """A divergence claim states an explicit growth factor, e.g. ``Theta((1 + g**2)**(T/2))``."""
    if not law.has_factor:
        raise _fail("a divergence claim states an explicit growth factor such as "
                    "Theta((1 + eta**2*s**2)**(T/2))", "rate")
    points = [None] if sweep is None else list(sweep.values)
    for point in points:
        values = dict(as_run) if point is None else {**as_run, sweep.parameter: point}
        try:
            constant = law.rate_constant_value(values)
        except (BadInputError, TypeError, ValueError):
            continue  # symbols from the instance: checked when the run is judged
        if not constant < 0:
            raise _fail(f"a divergence claim's factor must grow; {law.text} gives the rate "
                        f"constant {constant:.3g} (decay) with {values}", "rate")


def _parse_bound(raw: Mapping[str, Any], sweep: Sweep | None, known: set[str],
                 ) -> RateLaw | None:
    """``bound = "expression"``: in T (or in the swept parameter for a cost sweep)."""
    if "bound" not in raw:
        return None
    text = raw["bound"]
    if not isinstance(text, str) or not text.strip():
        raise _fail("must be an expression in a string", "bound")
    cost = sweep is not None and sweep.quantity == "cost"
    if sweep is not None and not cost:
        raise _fail("applies to plain claims and cost sweeps", "bound")
    variable = sweep.parameter if cost else "T"
    try:
        law = parse_rate(f"O({text})", variable=variable)
    except BadInputError as exc:
        raise exc.located(field="bound") from None
    missing = [s for s in law.parameters if s not in known]
    if missing:
        raise _fail(f"symbol(s) {', '.join(missing)} have no value (instance constants, "
                    "run diagnostics, parameters or rate_params)", "bound")
    return law


def _parse_regime(raw: Mapping[str, Any], known: set[str]) -> tuple[tuple[Condition, ...], str]:
    """``[claim.regime]`` with ``conditions = [...]`` and ``why = "..."``."""
    if "regime" not in raw:
        return (), ""
    spec = _table(raw["regime"], "regime")
    unknown = set(spec) - REGIME_KEYS
    if unknown:
        raise _fail(f"unknown key(s) {', '.join(sorted(unknown))}", "regime")
    texts, why = spec.get("conditions"), spec.get("why")
    if not isinstance(texts, list) or not texts:
        raise _fail("needs conditions = [\"expression > expression\", ...]",
                    "regime.conditions")
    if not isinstance(why, str) or not why.strip():
        raise _fail("needs why = \"...\": the theorem and assumption it checks", "regime.why")
    conditions = tuple(parse_condition(text) for text in texts)
    for condition in conditions:
        missing = [name for name in condition.symbols if name not in known]
        if missing:
            raise _fail(f"condition {condition.text!r} names {', '.join(missing)}, which is not "
                        "an instance constant, run diagnostic or parameter", "regime.conditions")
    return conditions, why


def _read_toml(path: Path) -> dict[str, Any]:
    """A card file's TOML: unreadable, oversized, compressed, non-UTF-8 or malformed files
    are bad input."""
    source = str(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(limits.MAX_CARD_BYTES + 1)
    except OSError as exc:
        raise BadInputError(f"cannot read card: {exc.strerror or exc}", source=source) from None
    if len(raw) > limits.MAX_CARD_BYTES:
        raise BadInputError(f"larger than {limits.MAX_CARD_BYTES} bytes; a card is a small "
                            "text file", source=source)
    if raw[:2] == b"\x1f\x8b":
        raise BadInputError("gzip-compressed; a card is a TOML text file", source=source)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise BadInputError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); "
                            "save the card as UTF-8", source=source) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInputError(f"not valid TOML: {exc}", source=source) from None
    except RecursionError:
        raise BadInputError("not valid TOML: nested too deeply", source=source) from None


def _check_paper(paper: Mapping[str, Any]) -> None:
    """Paper fields are strings (``year`` an integer); TeX math in them must render, since
    figures print the citation."""
    for key, value in paper.items():
        kind = int if key == "year" else str
        if not isinstance(value, kind) or isinstance(value, bool):
            raise _fail(f"must be {'an integer' if kind is int else 'a string'}, got "
                        f"{excerpt(value)}", f"paper.{key}")
    label = Claim.paper_label.fget(SimpleNamespace(paper=paper))
    if "$" not in label:
        return
    from matplotlib import cbook
    from matplotlib.mathtext import MathTextParser

    parser = MathTextParser("path")
    for key, text in [*((k, v) for k, v in paper.items() if isinstance(v, str)),
                      ("title", label)]:
        if cbook.is_math_text(text):
            try:
                parser.parse(text, dpi=72)
            except ValueError:
                raise _fail(f"{excerpt(text)} has TeX math between $ signs that does not "
                            "render; fix it or write \\$ for a dollar sign",
                            f"paper.{key}") from None


def load_card(path: Path | str) -> list[Claim]:
    """Load and validate every claim of one card."""
    path = Path(path)
    source = str(path)
    data = _read_toml(path)
    unknown = set(data) - {"paper", "claim"}
    if unknown:
        raise BadInputError(f"unknown top-level key(s) {', '.join(sorted(unknown))}",
                       source=source, field=sorted(unknown)[0])
    paper = data.get("paper")
    if not isinstance(paper, dict) or not isinstance(paper.get("title"), str):
        raise BadInputError("needs a [paper] table with a title", source=source, field="paper")
    if set(paper) - PAPER_KEYS:
        raise BadInputError(f"unknown key(s) {', '.join(sorted(set(paper) - PAPER_KEYS))}",
                       source=source, field="paper")
    try:
        _check_paper(paper)
    except BadInputError as exc:
        raise exc.located(source=source) from None
    raws = data.get("claim")
    if not isinstance(raws, list) or not raws:
        raise BadInputError("needs at least one [[claim]]", source=source, field="claim")
    if not all(isinstance(raw, dict) for raw in raws):
        raise BadInputError("every [[claim]] must be a table", source=source, field="claim")
    claims = []
    for index, raw in enumerate(raws):
        label = raw.get("id", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
        try:
            claims.append(_parse_claim(raw, paper, source))
        except BadInputError as exc:
            raise exc.located(source=source, claim=str(label)) from None
    return claims


def builtin_cards_dir() -> Path:
    """The built-in cards: ``workbench/rates`` installed, ``rates/`` in a checkout."""
    import workbench

    here = Path(workbench.__file__).resolve().parent
    return here / "rates" if (here / "rates").is_dir() else here.parent / "rates"


def load_claims(paths: list[Path | str] | None = None) -> list[Claim]:
    """Every claim of the given cards (files or folders); the built-in cards by default."""
    files: list[Path] = []
    for path in map(Path, paths or [builtin_cards_dir()]):
        try:
            if path.is_dir():
                files.extend(sorted(path.glob("*.toml")))
            elif path.exists():
                files.append(path)
            else:
                raise BadInputError("no such card file or folder", source=str(path))
        except OSError as exc:
            raise BadInputError(f"cannot read: {exc.strerror or exc}", source=str(path)) from None
    claims: list[Claim] = []
    seen: dict[str, str] = {}
    for file in files:
        for claim in load_card(file):
            if claim.id in seen:
                raise BadInputError(f"duplicate claim id (also in {seen[claim.id]})",
                               source=str(file), claim=claim.id, field="id")
            seen[claim.id] = str(file)
            claims.append(claim)
    _check_figure_names(claims)
    return claims


def _check_figure_names(claims: list[Claim]) -> None:
    """Two figures must not land in one file: figure names (``figure``, else the id) that
    differ only in case share a file on case-insensitive file systems."""
    owners: dict[str, str] = {}
    for claim in claims:
        name = claim.figure or claim.id
        key = name.casefold()
        if key in owners and owners[key] != name:
            raise BadInputError(f"figure file {name!r} clashes with {owners[key]!r} (names that "
                                "differ only in case share a file on some systems)",
                                source=claim.source, claim=claim.id, field="figure")
        owners.setdefault(key, name)
