"""Claim cards: TOML files, one per paper, validated completely on load.

Every problem is reported as a :class:`~workbench.errors.BadInputError` naming the file, the claim
id and the field, before anything runs.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from workbench.cards.ratelaw import RateLaw, parse_rate
from workbench.cards.tolerances import Tolerances
from workbench.catalogue import AXIS_ITERATIONS, Param, check_params, get_algorithm, get_problem
from workbench.errors import BadInputError

PAPER_KEYS = {"title", "authors", "year", "arxiv", "doi", "url", "venue"}
CLAIM_KEYS = {
    "id", "statement", "problem", "problem_params", "algorithm", "hyper", "measure", "rate",
    "horizon", "seeds", "aggregate", "axis", "rate_params", "t_min", "notes", "tolerances",
    "quick", "sweep", "figure", "source_ref",
}
# ``rate`` is required too, except for cost sweeps, where ``sweep.complexity`` is the claim.
REQUIRED = ("id", "statement", "problem", "algorithm", "measure", "horizon", "seeds")
MODE_KEYS = {"horizon", "seeds", "problem_params", "hyper", "t_min", "sweep"}
SWEEP_KEYS = {"parameter", "values", "range", "quantity", "target", "limit", "complexity"}
QUANTITIES = ("rate_constant", "cost")
# How seeds combine: mean (claims in expectation), median, max (worst case over seeds).
AGGREGATES = ("mean", "median", "max")


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
    if aggregate not in AGGREGATES:
        raise _fail(f"must be one of {', '.join(AGGREGATES)}, got {aggregate!r}", "aggregate")
    return Claim(id=name, statement="", paper={}, source=name, problem="", algorithm="",
                 measure="value", rate=law, horizon=1, seeds=1, problem_params={}, hyper={},
                 rate_params=dict(params), aggregate=aggregate, axis="t", t_min=t_min,
                 tolerances=tolerances or Tolerances())


def _fail(message: str, field_name: str) -> BadInputError:
    return BadInputError(message, field=field_name)


def _number(value: Any, field_name: str, *, integer: bool = False, positive: bool = True):
    ok = isinstance(value, int if integer else (int, float)) and not isinstance(value, bool)
    if not ok or (positive and value <= 0):
        kind = "a positive integer" if integer else "a positive number"
        raise _fail(f"must be {kind}, got {value!r}", field_name)
    return value


def _table(value: Any, field_name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(f"must be a table, got {value!r}", field_name)
    return value


def _sweep_values(spec: Mapping[str, Any], field_name: str) -> list[float]:
    if "values" in spec and "range" in spec:
        raise _fail("give either values or range, not both", field_name)
    if "values" in spec:
        values = spec["values"]
        if not isinstance(values, list) or len(values) < 3:
            raise _fail("values must list at least 3 numbers", field_name + ".values")
        return [float(_number(v, field_name + ".values")) for v in values]
    if "range" in spec:
        r = _table(spec["range"], field_name + ".range")
        unknown = set(r) - {"start", "stop", "num"}
        if unknown:
            raise _fail(f"unknown key(s) {', '.join(sorted(unknown))}", field_name + ".range")
        start, stop = (float(_number(r.get(k), f"{field_name}.range.{k}"))
                       for k in ("start", "stop"))
        num = _number(r.get("num"), field_name + ".range.num", integer=True)
        if num < 3:
            raise _fail("num must be at least 3", field_name + ".range.num")
        return list(np.geomspace(start, stop, num))
    raise _fail("needs values = [...] or range = {start, stop, num}", field_name)


def _parse_sweep(spec: Any, allowed: Mapping[str, Param], rate: RateLaw | None) -> Sweep:
    spec = _table(spec, "sweep")
    unknown = set(spec) - SWEEP_KEYS
    if unknown:
        raise _fail(f"unknown key(s) {', '.join(sorted(unknown))}", "sweep")
    parameter = spec.get("parameter")
    if parameter not in allowed:
        raise _fail(f"parameter {parameter!r} is not a problem or algorithm parameter; "
                    f"known: {', '.join(sorted(allowed))}", "sweep.parameter")
    quantity = spec.get("quantity")
    if quantity not in QUANTITIES:
        raise _fail(f"quantity must be one of {', '.join(QUANTITIES)}, got {quantity!r}",
                    "sweep.quantity")
    law = None
    if "complexity" in spec:
        try:
            law = parse_rate(spec["complexity"], variable=parameter)
        except BadInputError as exc:
            raise exc.located(field="sweep.complexity") from None
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
    elif target is not None:
        raise _fail("target applies to quantity = \"cost\" only", "sweep.target")
    limit = spec.get("limit", "")
    if limit not in ("", "small", "large"):
        raise _fail(f"limit must be \"small\" or \"large\", got {limit!r}", "sweep.limit")
    values = tuple(allowed[parameter].check(parameter, v, "sweep.values")
                   for v in _sweep_values(spec, "sweep"))
    return Sweep(parameter, values, quantity, law, target, limit)


def _parse_claim(raw: Mapping[str, Any], paper: Mapping[str, Any], source: str) -> Claim:
    unknown = set(raw) - CLAIM_KEYS
    if unknown:
        raise _fail(f"unknown key(s) {', '.join(sorted(unknown))}", sorted(unknown)[0])
    for key in REQUIRED:
        if key not in raw:
            raise _fail("is required", key)
    cost_sweep = isinstance(raw.get("sweep"), dict) and raw["sweep"].get("quantity") == "cost"
    if "rate" not in raw and not cost_sweep:
        raise _fail("is required", "rate")
    for key in ("id", "statement", "problem", "algorithm", "measure", "rate"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            raise _fail("must be a non-empty string", key)
    problem = get_problem(raw["problem"])
    algorithm = get_algorithm(problem, raw["algorithm"])
    if raw["measure"] not in algorithm.measures:
        raise _fail(f"unknown measure {raw['measure']!r} for {problem.name}/{algorithm.name};"
                    f" known: {', '.join(algorithm.measures)}", "measure")
    problem_params = _table(raw.get("problem_params", {}), "problem_params")
    problem_params = check_params(problem_params, problem.params, "problem_params")
    hyper = _table(raw.get("hyper", {}), "hyper")
    hyper = check_params(hyper, algorithm.hyper, "hyper")
    rate_params = _table(raw.get("rate_params", {}), "rate_params")
    rate_params = check_params(rate_params, {k: Param(0.0) for k in rate_params},
                               "rate_params")
    law = None
    try:
        law = parse_rate(raw["rate"]) if "rate" in raw else None
    except BadInputError as exc:
        raise exc.located(field="rate") from None
    sweep = None
    if "sweep" in raw:
        sweep = _parse_sweep(raw["sweep"], {**problem.params, **algorithm.hyper}, law)
    if law is None:
        assert sweep is not None and sweep.law is not None
        law = sweep.law
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
    aggregate = raw.get("aggregate", "mean")
    if aggregate not in AGGREGATES:
        raise _fail(f"must be one of {', '.join(AGGREGATES)}, got {aggregate!r}", "aggregate")
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
    quick = _table(raw.get("quick", {}), "quick")
    if set(quick) - MODE_KEYS:
        raise _fail(f"unknown key(s) {', '.join(sorted(set(quick) - MODE_KEYS))}", "quick")
    check_params(_table(quick.get("problem_params", {}), "quick.problem_params"),
                 problem.params, "quick.problem_params")
    check_params(_table(quick.get("hyper", {}), "quick.hyper"), algorithm.hyper, "quick.hyper")
    for key in ("horizon", "seeds"):
        for where, table in ((key, raw), (f"quick.{key}", quick)):
            if key in table:
                _number(table[key], where, integer=True)
    if "sweep" in quick:
        if sweep is None:
            raise _fail("the claim has no sweep", "quick.sweep")
        declared = {**problem.params, **algorithm.hyper}[sweep.parameter]
        for value in _sweep_values(_table(quick["sweep"], "quick.sweep"), "quick.sweep"):
            declared.check(sweep.parameter, value, "quick.sweep.values")
    for where, table in (("t_min", raw), ("quick.t_min", quick)):
        if "t_min" in table:
            _number(table["t_min"], where)
    digest = hashlib.sha256(repr(sorted(raw.items())).encode()).hexdigest()[:16]
    return Claim(
        id=raw["id"], statement=raw["statement"], paper=paper, source=source,
        problem=problem.name, algorithm=algorithm.name, measure=raw["measure"], rate=law,
        horizon=raw["horizon"], seeds=raw["seeds"], problem_params=problem_params,
        hyper=hyper, rate_params=rate_params, aggregate=aggregate, axis=axis,
        t_min=raw.get("t_min"), notes=raw.get("notes", ""), tolerances=tolerances,
        tolerance_note=tolerance_note, sweep=sweep, figure=raw.get("figure", ""),
        quick=quick, digest=digest,
    )


def load_card(path: Path | str) -> list[Claim]:
    """Load and validate every claim of one card."""
    path = Path(path)
    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BadInputError(f"cannot read card: {exc.strerror}", source=source) from None
    except tomllib.TOMLDecodeError as exc:
        raise BadInputError(f"not valid TOML: {exc}", source=source) from None
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
    raws = data.get("claim")
    if not isinstance(raws, list) or not raws:
        raise BadInputError("needs at least one [[claim]]", source=source, field="claim")
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
        if path.is_dir():
            files.extend(sorted(path.glob("*.toml")))
        elif path.exists():
            files.append(path)
        else:
            raise BadInputError("no such card file or folder", source=str(path))
    claims: list[Claim] = []
    seen: dict[str, str] = {}
    for file in files:
        for claim in load_card(file):
            if claim.id in seen:
                raise BadInputError(f"duplicate claim id (also in {seen[claim.id]})",
                               source=str(file), claim=claim.id, field="id")
            seen[claim.id] = str(file)
            claims.append(claim)
    return claims
