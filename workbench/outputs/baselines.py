"""Convergence-rate baselines: record what each claim observed, and compare a re-run with it.

A baseline file (JSON) holds, per claim, the verdict, the fitted quantity with its confidence
interval, the fit window, the tolerances and the provenance of the run. A re-run *regresses*
when

* the verdict (or its direction) changes, except (NOISE_FLIP) a change between
  ``consistent`` and ``inconclusive: too noisy`` or ``inconclusive: pre-asymptotic`` while
  the fitted quantity stays within the allowance below: then both runs measured the same
  quantity and only its confidence interval, or its final local slope, crossed the edge of
  the claim's tolerance (a claim whose observed value sits on its bound, or whose transient
  is dying out near it); this is printed as a note, or
* the fitted quantity moves by more than ``floor + sqrt(h_old**2 + h_new**2)``, where ``h`` is
  the half-width of each run's confidence interval and ``floor`` is the named floor of the
  quantity below, or
* the baseline had a fitted value and the re-run has none.

The fitted quantity is the log-log slope (``exponent``) for power laws, the rate constant
``c`` of ``exp(-c t)`` (``rate_constant``) for geometric laws, and the scaling exponent
(``scaling_exponent``) for sweep claims. Rate constants are compared as ``log c``: they vary
multiplicatively from instance to instance, and a changed step size scales them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from workbench.cards.settings import setting_changes
from workbench.errors import BadInputError, excerpt

FORMAT, FORMAT_VERSION = "workbench-baseline", 1
MODES = ("quick", "full")
# The fitted quantity of each law kind (LawKind.baseline_quantity in workbench/engine/laws.py)
# and a sweep's scaling exponent.
QUANTITIES = ("exponent", "rate_constant", "scaling_exponent", "growth_rate", "plateau")

# Floors: how far a fitted quantity may move beyond what the two CIs explain. They absorb
# what a bootstrap over 4-8 seeds misses (the seed-to-seed spread of whole instances) and a
# fit window that shifts by a checkpoint. Measured on the quick catalogue over 20-40 disjoint
# seed sets, |new - old| - sqrt(h_old**2 + h_new**2) never exceeded 0.022 for slopes and
# scaling exponents and 0.24 for log rate constants; each floor keeps a margin above that
# while staying below the smallest change worth catching.
EXPONENT_FLOOR = 0.05
"""Log-log slopes: half the verdict's default slope tolerance (0.1). A change from ``1/T`` to
``1/sqrt(T)`` (0.5) or a slope bias of half what the verdict tolerates is flagged."""
RATE_CONSTANT_FLOOR = math.log(1.5)
"""Rate constants, on the log scale: a factor of 1.5. Quick instances of the GD linear-rate
claim gave rate constants 0.29-0.40 across seed sets (a factor 1.4, wider than their
bootstrap CIs); a halved step (factor 2) is still flagged."""
SCALING_FLOOR = 0.075
"""Scaling exponents of sweeps: half the verdict's default scaling tolerance (0.15)."""
# Growth rates and plateaus are positive like rate constants and take the same log floor.
FLOORS = {"exponent": EXPONENT_FLOOR, "rate_constant": RATE_CONSTANT_FLOOR,
          "scaling_exponent": SCALING_FLOOR, "growth_rate": RATE_CONSTANT_FLOOR,
          "plateau": RATE_CONSTANT_FLOOR}
FLOOR_NAMES = {"exponent": "EXPONENT_FLOOR", "rate_constant": "RATE_CONSTANT_FLOOR",
               "scaling_exponent": "SCALING_FLOOR", "growth_rate": "RATE_CONSTANT_FLOOR",
               "plateau": "RATE_CONSTANT_FLOOR"}
LABELS = {"exponent": "log-log slope", "rate_constant": "rate constant",
          "scaling_exponent": "scaling exponent", "growth_rate": "growth rate",
          "plateau": "plateau"}
# Provenance entries whose change is reported next to a result (never a failure by itself).
SETTINGS = ("horizon", "problem_params", "hyper")
VERSIONS = ("workbench", "git", "python", "numpy", "numba", "scipy", "sympy")


def default_path(quick: bool) -> Path:
    """``baselines/quick.json`` or ``baselines/full.json``, relative to the working folder."""
    return Path("baselines") / ("quick.json" if quick else "full.json")


def plain(value: Any) -> Any:
    """``value`` with numpy scalars and arrays and tuples turned into JSON types."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value


def fitted_quantity(result: dict[str, Any]) -> dict[str, Any] | None:
    """The fitted quantity of a ``verify --json`` object, or None when nothing was fitted.

    Returns a dict with ``name`` (one of :data:`QUANTITIES`), ``estimate``, ``ci``,
    ``expected`` and ``status``; ``estimate`` and ``ci`` are None when the fit had no value.
    """
    observed = result.get("observed") or {}
    sweep = observed.get("sweep")
    if sweep:
        return {"name": "scaling_exponent", "estimate": sweep.get("exponent"),
                "ci": sweep.get("ci"), "expected": sweep.get("expected_exponent"),
                "status": "ok" if sweep.get("exponent") is not None else "censored"}
    if "model" not in observed:
        return None
    from workbench.engine.laws import kind_named  # sympy: loaded only when recording

    return {"name": kind_named(observed["model"]).baseline_quantity,
            "estimate": observed.get("estimate"), "ci": observed.get("ci"),
            "expected": observed.get("expected"), "status": observed.get("status", "")}


def log_scale(name: str) -> bool:
    """True when the quantity ``name`` is compared on the log scale: a law kind's positive
    quantity whose ratio matters (``LawKind.baseline_log_scale``)."""
    from workbench.engine.laws import KINDS  # sympy: loaded only when comparing

    return any(kind.baseline_log_scale and kind.baseline_quantity == name
               for kind in KINDS.values())


def record(result: dict[str, Any], git: str = "") -> dict[str, Any]:
    """The baseline entry of one ``verify --json`` object (``ClaimResult.to_dict()``)."""
    provenance = dict(result.get("provenance") or {})
    provenance.pop("wall_seconds_all_claims", None)
    if provenance.get("card"):
        provenance["card"] = _portable(provenance["card"])
    provenance["git"] = git
    return plain({
        "rate": result["rate"], "verdict": result["verdict"],
        "direction": result.get("direction") or "", "reason": result.get("reason") or "",
        "quantity": fitted_quantity(result), "window": result.get("window"),
        "tolerances": result.get("tolerances") or {}, "provenance": provenance,
    })


def _portable(card: str) -> str:
    """A card path relative to the working folder when it lies inside it."""
    path = Path(card)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def build(results: list[dict[str, Any]], mode: str, command: str, seconds: float,
          versions: dict[str, str], git: str = "") -> dict[str, Any]:
    """A baseline document from ``verify --json`` objects."""
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION, "mode": mode,
        "saved": {"at": datetime.now(UTC).isoformat(timespec="seconds"), "command": command,
                  "seconds": round(seconds, 3), "git": git, "versions": dict(versions)},
        "claims": {r["id"]: record(r, git) for r in results},
    }


def write(document: dict[str, Any], path: Path | str) -> None:
    """Write a baseline document as indented JSON, creating the folder if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plain(document), indent=2) + "\n", encoding="utf-8")


def _bad(message: str, path: str, claim: str = "", field: str = "") -> BadInputError:
    return BadInputError(message, source=path, claim=claim, field=field)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and \
        math.isfinite(value)


def _check_entry(entry: Any, path: str, claim: str) -> None:
    if not isinstance(entry, dict):
        raise _bad("must be an object", path, claim)
    for key in ("verdict", "direction", "rate"):
        if not isinstance(entry.get(key), str):
            raise _bad("must be a string", path, claim, key)
    if not isinstance(entry.get("reason", ""), (str, type(None))):
        raise _bad("must be a string", path, claim, "reason")
    for key in ("window", "tolerances"):
        if not isinstance(entry.get(key), (dict, type(None))):
            raise _bad("must be an object or null", path, claim, key)
    quantity = entry.get("quantity")
    if quantity is not None:
        if not isinstance(quantity, dict) or quantity.get("name") not in QUANTITIES:
            raise _bad(f"must be null or an object whose name is one of "
                       f"{', '.join(QUANTITIES)}", path, claim, "quantity")
        estimate, ci = quantity.get("estimate"), quantity.get("ci")
        if estimate is not None and not _is_number(estimate):
            raise _bad(f"must be a finite number or null, got {excerpt(estimate)}", path,
                       claim, "quantity.estimate")
        if ci is not None and not (isinstance(ci, list) and len(ci) == 2
                                   and all(_is_number(x) for x in ci) and ci[0] <= ci[1]):
            raise _bad(f"must be null or [low, high], got {excerpt(ci)}", path, claim,
                       "quantity.ci")
    provenance = entry.get("provenance")
    seeds = provenance.get("seeds") if isinstance(provenance, dict) else None
    if not (isinstance(seeds, list) and seeds and all(
            isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 2**32 for s in seeds)):
        raise _bad("must list the integer seeds of the run", path, claim, "provenance.seeds")
    for key in SETTINGS:
        if not isinstance(provenance.get(key), (dict, int, float, str, type(None))):
            raise _bad("must be an object, a number or a string", path, claim,
                       f"provenance.{key}")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def load(path: Path | str) -> dict[str, Any]:
    """Read and validate a baseline file; any problem is a :class:`BadInputError`."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise _bad("no baseline file; record one with 'workbench baseline save'",
                   source) from None
    except OSError as exc:
        raise _bad(f"cannot read baseline: {exc.strerror or exc}", source) from None
    if raw[:2] == b"\x1f\x8b":
        raise _bad("gzip-compressed; a baseline is a JSON text file", source)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                   source) from None
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise _bad(f"not valid JSON: {exc}", source) from None
    except (ValueError, RecursionError) as exc:
        raise _bad(f"not valid JSON: {exc}", source) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _bad(f"not a workbench baseline (needs \"format\": \"{FORMAT}\")", source,
                   field="format")
    if document.get("format_version") != FORMAT_VERSION:
        raise _bad(f"format_version {document.get('format_version')!r} is not supported "
                   f"(this workbench reads {FORMAT_VERSION}); re-save the baseline", source,
                   field="format_version")
    if document.get("mode") not in MODES:
        raise _bad(f"mode must be one of {', '.join(MODES)}", source, field="mode")
    saved = document.get("saved")
    if not isinstance(saved, (dict, type(None))) or (
            isinstance(saved, dict) and not isinstance(saved.get("versions"), (dict, type(None)))):
        raise _bad("must be an object (with versions an object)", source, field="saved")
    claims = document.get("claims")
    if not isinstance(claims, dict):
        raise _bad("must be an object of claim id -> entry", source, field="claims")
    for claim_id, entry in claims.items():
        _check_entry(entry, source, claim_id)
    return document


@dataclass(frozen=True)
class Drift:
    """How far a fitted quantity moved between two runs, and how far it may move.

    ``distance`` is ``|new - old|`` (``|log(new / old)|`` for rate constants); ``noise`` is
    ``sqrt(h_old**2 + h_new**2)`` from the CI half-widths on the same scale.
    """

    name: str
    distance: float
    floor: float
    noise: float

    @property
    def allowed(self) -> float:
        return self.floor + self.noise

    @property
    def moved(self) -> bool:
        return self.distance > self.allowed

    def explain(self) -> str:
        scale = "|log(new/old)|" if log_scale(self.name) else "|new - old|"
        floor = f"{FLOOR_NAMES[self.name]} {self.floor:.3g}"
        if log_scale(self.name):
            floor += " (a factor 1.5)"
        relation = ">" if self.moved else "<="
        return (f"{scale} = {self.distance:.3g} {relation} allowed {self.allowed:.3g} = floor "
                f"{floor} + CI noise {self.noise:.3g} (sqrt(h_old^2 + h_new^2))")


def _half_width(ci: list[float] | None, log: bool) -> float:
    if ci is None:
        return 0.0
    lo, hi = ci
    if log:
        return (math.log(hi) - math.log(lo)) / 2 if lo > 0 and hi > 0 else math.inf
    return (hi - lo) / 2


def drift(old: dict[str, Any], new: dict[str, Any]) -> Drift | None:
    """The drift between two fitted quantities of the same name, both with an estimate.

    None when the quantity cannot be compared: a rate constant that is not positive has no
    log scale (the verdict then speaks for it).
    """
    name = old["name"]
    a, b = old["estimate"], new["estimate"]
    log = log_scale(name)
    if log:
        if a <= 0 or b <= 0:
            return None
        distance = abs(math.log(b) - math.log(a))
    else:
        distance = abs(b - a)
    noise = math.hypot(_half_width(old.get("ci"), log), _half_width(new.get("ci"), log))
    return Drift(name, distance, FLOORS[name], noise)


def quantity_text(quantity: dict[str, Any] | None) -> str:
    """``-0.962 [-0.997, -0.918]``, or the fit status when there is no value."""
    if quantity is None:
        return "-"
    if quantity.get("estimate") is None:
        return f"({quantity.get('status') or 'no value'})"
    text = f"{quantity['estimate']:.4g}"
    if quantity.get("ci"):
        lo, hi = quantity["ci"]
        text += f" [{lo:.4g}, {hi:.4g}]"
    return text


def verdict_text(entry: dict[str, Any]) -> str:
    return f"{entry['verdict']} ({entry['direction']})" if entry.get("direction") \
        else entry["verdict"]


@dataclass
class ClaimCheck:
    """The comparison of one claim with its baseline entry.

    ``problems`` are the regressions (each one line naming old and new values); ``notes``
    are changes that explain a result but are not failures by themselves.
    """

    claim_id: str
    old: dict[str, Any]
    new: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    drift: Drift | None = None

    @property
    def regressed(self) -> bool:
        return bool(self.problems)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.claim_id, "status": "regression" if self.regressed else "ok",
            "regressions": self.problems, "notes": self.notes,
            "old": {k: self.old.get(k) for k in ("verdict", "direction", "quantity", "window")},
            "new": {k: self.new.get(k) for k in ("verdict", "direction", "quantity", "window",
                                                 "reason")},
        }
        if self.drift is not None:
            out["drift"] = {"quantity": self.drift.name, "distance": self.drift.distance,
                            "floor": self.drift.floor, "noise": self.drift.noise,
                            "allowed": self.drift.allowed}
        return out


def compare(claim_id: str, old: dict[str, Any], new: dict[str, Any]) -> ClaimCheck:
    """Compare a baseline entry ``old`` with the entry ``new`` of a re-run (see module doc)."""
    check = ClaimCheck(claim_id, old, new)
    verdict_change = ""
    if (old["verdict"], old.get("direction", "")) != (new["verdict"], new.get("direction", "")):
        reason = f": {new['reason']}" if new.get("reason") else ""
        verdict_change = f"verdict changed: {verdict_text(old)} -> {verdict_text(new)}{reason}"
        check.problems.append(verdict_change)
    before, after = old.get("quantity"), new.get("quantity")
    if before is not None and after is not None and before["name"] != after["name"]:
        check.problems.append(f"fitted quantity changed: baseline has the "
                              f"{LABELS[before['name']]} {quantity_text(before)}, the re-run "
                              f"the {LABELS[after['name']]} {quantity_text(after)} (did the "
                              "card's rate change? re-save the baseline)")
    elif before is not None and before.get("estimate") is not None:
        label = LABELS[before["name"]]
        if after is None or after.get("estimate") is None:
            check.problems.append(f"{label} no longer fitted: baseline "
                                  f"{quantity_text(before)} -> now {quantity_text(after)}")
        else:
            check.drift = drift(before, after)
            if check.drift is None:
                check.notes.append(f"{label} not compared (not positive): baseline "
                                   f"{quantity_text(before)}, now {quantity_text(after)}")
            elif check.drift.moved:
                check.problems.append(f"{label} moved: baseline {quantity_text(before)} -> "
                                      f"now {quantity_text(after)}; {check.drift.explain()}")
    elif after is not None and after.get("estimate") is not None:
        check.notes.append(f"{LABELS[after['name']]} now fitted: {quantity_text(after)} "
                           f"(baseline: {quantity_text(before)})")
    if verdict_change and _noise_flip(old, new) and check.drift is not None \
            and not check.drift.moved:
        # The fitted quantity agrees within the allowance: only the CI's edge crossed the
        # claim's tolerance. Reported, not a regression (see NOISE_FLIP in the module doc).
        check.problems.remove(verdict_change)
        check.notes.append(f"unstable verdict (noise, quantity unchanged: "
                           f"{check.drift.explain()}): {verdict_change}")
    check.notes.extend(_provenance_notes(old.get("provenance") or {},
                                         new.get("provenance") or {}))
    return check


#: Inconclusive reasons that sit at the edge of a consistent verdict with the same fitted
#: quantity (both come with an estimate; "insufficient" data and censored sweeps do not).
EDGE_REASONS = ("too noisy", "pre-asymptotic")


def _noise_flip(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """A change between consistent and inconclusive at the tolerance's edge (either way)."""
    pair = {old["verdict"], new["verdict"]}
    edge = [e for e in (old, new) if e["verdict"] == "inconclusive"]
    return pair == {"consistent", "inconclusive"} and \
        all((e.get("reason") or "").startswith(EDGE_REASONS) for e in edge)


def _provenance_notes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    notes = []
    if old.get("card_hash") and old.get("card_hash") != new.get("card_hash"):
        notes.append(f"card changed since the baseline (hash {old.get('card_hash')} -> "
                     f"{new.get('card_hash')})")
    notes.extend(setting_changes(old, new, SETTINGS))
    if len(old.get("seeds", [])) != len(new.get("seeds", [])):
        notes.append(f"seeds: {len(old.get('seeds', []))} -> {len(new.get('seeds', []))}")
    changed = [f"{k} {old.get(k)} -> {new.get(k)}" for k in VERSIONS
               if old.get(k) and new.get(k) and old.get(k) != new.get(k)]
    if changed:
        notes.append("versions: " + ", ".join(changed))
    return notes


def floors_line() -> str:
    """One line naming the floors, printed under every check."""
    return (f"floors: log-log slope EXPONENT_FLOOR={EXPONENT_FLOOR:g}, rate constant "
            f"RATE_CONSTANT_FLOOR=log(1.5)={RATE_CONSTANT_FLOOR:.3f} on log(c), scaling "
            f"exponent SCALING_FLOOR={SCALING_FLOOR:g}; a quantity regresses when it moves by "
            "more than floor + sqrt(h_old^2 + h_new^2) (h: CI half-widths); the floors cover "
            "the seed-to-seed spread the CIs miss (see workbench/baseline.py)")
