"""pytest plugin: assert convergence rates in tests (registered as the ``workbench`` plugin).

Two entry points, both judged by the same engine as ``workbench verify``:

``assert_rate(trace, "O(1/T**2)", params=..., tol=...)``
    Fit a trace you computed and raise ``AssertionError`` on a mismatch (and, with
    ``fail_on_inconclusive=True`` or ``pytest --rate-fail-inconclusive``, on an inconclusive
    verdict). Import it (``from workbench.pytest_plugin import assert_rate``) or request the
    ``assert_rate`` fixture, whose default for inconclusive verdicts follows the option.

``@pytest.mark.rate_claim("cards/my_card.toml", "claim-id", quick=True)``
    Run a claim card's claim before the test body; the test fails on a mismatch. A relative
    card path is taken from the test file's folder; ``None`` means the built-in cards. The
    ``rate_claim_result`` fixture gives the test body the result (``ClaimResult``).

The module imports only pytest at import time; the engine loads when a rate is checked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from workbench.cards.settings import claim_setting

if TYPE_CHECKING:
    from workbench.cards.ratelaw import RateLaw
    from workbench.cards.tolerances import Tolerances
    from workbench.engine.fit import Fit
    from workbench.engine.result import ClaimResult
    from workbench.engine.verdict import Verdict

DEFAULT_HORIZON = 10_000
"""A callable trace is evaluated on ``checkpoints(DEFAULT_HORIZON)`` (30 points per decade
from 1) unless ``t`` is given."""
_RESULT_KEY = pytest.StashKey["ClaimResult"]()


@dataclass(frozen=True)
class RateCheck:
    """What :func:`assert_rate` observed: the verdict, the fit and a readable summary."""

    verdict: Verdict
    fit: Fit
    law: RateLaw
    tolerances: Tolerances
    summary: str


def _curve(trace: Any, t: Any, floor: float):
    import numpy as np

    from workbench.engine.checkpoints import checkpoints
    from workbench.engine.fit import Curve

    if callable(trace):
        grid = np.asarray(checkpoints(DEFAULT_HORIZON) if t is None else t, dtype=float)
        return Curve(grid, np.asarray(trace(grid), dtype=float), floor)
    if isinstance(trace, tuple):
        if len(trace) != 2 or t is not None:
            raise TypeError("a tuple trace is (t, values); give t only with a bare array")
        return Curve(np.asarray(trace[0], float), np.asarray(trace[1], float), floor)
    values = np.atleast_2d(np.asarray(trace, dtype=float))
    grid = np.arange(1, values.shape[1] + 1, dtype=float) if t is None else t
    return Curve(np.asarray(grid, float), values, floor)


def _tolerances(tol: Tolerances | Mapping[str, float] | None) -> Tolerances:
    from workbench.cards.tolerances import Tolerances

    if tol is None:
        return Tolerances()
    if isinstance(tol, Tolerances):
        return tol
    if isinstance(tol, Mapping):
        return Tolerances().changed(tol, source="tol")
    raise TypeError(f"tol must be a Tolerances or a mapping of named tolerances such as "
                    f"{{'slope': 0.2}}, got {tol!r}")


def _observed(fit: Fit) -> str:
    if fit.estimate is None:
        return f"no fitted value (fit status {fit.status})"
    ci = f", CI [{fit.ci[0]:.4g}, {fit.ci[1]:.4g}]" if fit.ci else ""
    factor = f" (factor {fit.factor:.4g} per unit of t)" if fit.factor is not None else ""
    return f"{fit.kind.quantity} {fit.estimate:.4g}{factor}{ci}"


def _expected(law: RateLaw, fit: Fit, tol: Tolerances) -> str:
    side = {"upper": "upper bound: only slower decay is a mismatch",
            "lower": "lower bound: only faster decay is a mismatch",
            "tight": "tight: both directions"}[law.error_bound]
    if fit.expected is None:
        return f"{law.text} ({side})"
    return f"{fit.kind.expected_text(fit.expected, tol)} ({side})"


def _window(fit: Fit, how: str) -> str:
    if fit.window is None:
        return "none"
    return (f"t in [{fit.window[0]:g}, {fit.window[1]:g}], {fit.n_points} points, "
            f"{fit.seeds} seed(s), aggregate {how}")


def assert_rate(trace: Any, rate: str, params: Mapping[str, float] | None = None,
                tol: Tolerances | Mapping[str, float] | None = None, *,
                t: Any = None, aggregate: str = "mean", t_min: float | None = None,
                floor: float = 0.0, fail_on_inconclusive: bool = False) -> RateCheck:
    """Fit ``trace`` against ``rate`` and raise ``AssertionError`` unless it is consistent.

    Parameters
    ----------
    trace
        ``(t, values)``; or ``values`` alone (``t = 1, 2, ...`` unless ``t`` is given); or a
        callable ``f(t_array) -> values``. ``values`` has shape ``(n,)`` or ``(seeds, n)``.
    rate
        A rate as on a claim card, e.g. ``"O(1/T**2)"``, ``"Theta(log(T)/T)"``,
        ``"O((1 - mu/L)**T)"``.
    params
        Values of the rate's other symbols (``{"mu": 0.1, "L": 1.0}``).
    tol
        Named tolerance overrides (``{"slope": 0.2}``) or a :class:`Tolerances`.
    t
        The grid for a callable or a bare array.
    aggregate, t_min, floor
        As in ``workbench fit``: how seeds combine, the end of the transient, the absolute
        accuracy of the values.
    fail_on_inconclusive
        Also raise when the verdict is inconclusive (too little signal).

    Returns
    -------
    RateCheck
        The verdict and fit, for further assertions.
    """
    from workbench.cards.ratelaw import parse_rate
    from workbench.engine.fit import fit_curve
    from workbench.engine.verdict import CONSISTENT, MISMATCH, judge
    from workbench.errors import BadInputError

    law = parse_rate(rate)
    values = {k: float(v) for k, v in (params or {}).items()}
    missing = law.missing(values)
    if missing:
        raise BadInputError(f"rate symbol(s) {', '.join(missing)} need a value in params",
                            source="assert_rate", field="params")
    tolerances = _tolerances(tol)
    fit = fit_curve(_curve(trace, t, floor), law, values, tolerances, aggregate, t_min)
    verdict = judge(law, fit, tolerances)
    shown = f"{verdict.verdict} ({verdict.direction})" if verdict.direction \
        else verdict.verdict
    summary = "\n".join([
        f"verdict:  {shown}",
        f"claimed:  {law.text}" + (f" with {values}" if values else ""),
        f"observed: {_observed(fit)}",
        f"expected: {_expected(law, fit, tolerances)}",
        f"window:   {_window(fit, aggregate)}",
        f"reason:   {verdict.reason or '-'}",
    ])
    if verdict.verdict == MISMATCH or (fail_on_inconclusive and verdict.verdict != CONSISTENT):
        raise AssertionError(f"rate {law.text}: {shown}\n{summary}")
    return RateCheck(verdict, fit, law, tolerances, summary)


# -- claim cards as tests --------------------------------------------------------------------
def _marker_args(marker: pytest.Mark) -> dict[str, Any]:
    def spec(card: str | Path | None, claim_id: str | None = None, *, quick: bool = True,
             seed_start: int = 0, seeds: int | None = None,
             fail_on_inconclusive: bool | None = None) -> dict[str, Any]:
        return dict(card=card, claim_id=claim_id, quick=quick, seed_start=seed_start,
                    seeds=seeds, fail_on_inconclusive=fail_on_inconclusive)

    return spec(*marker.args, **marker.kwargs)


def run_claim(card: str | Path | None, claim_id: str | None = None, *, quick: bool = True,
              seed_start: int = 0, seeds: int | None = None) -> ClaimResult:
    """Run one claim of a card (or of the built-in cards when ``card`` is None) in-process.

    ``claim_id`` may be left out when the card holds a single claim.
    """
    from workbench.cards.claims import load_claims
    from workbench.engine.pipeline import run_claims
    from workbench.errors import BadInputError

    claims = load_claims(None if card is None else [card])
    if claim_id is None:
        if len(claims) != 1:
            raise BadInputError(f"holds {len(claims)} claims; name one", source=str(card))
        chosen = claims
    else:
        chosen = [c for c in claims if c.id == claim_id]
        if not chosen:
            raise BadInputError(f"no claim {claim_id!r}; known: "
                                f"{', '.join(c.id for c in claims)}",
                                source=str(card or "built-in cards"))
    outcomes, errors = run_claims(chosen, quick, seeds, seed_start, jobs=1, progress=False)
    if errors:
        raise errors[0]
    return outcomes[0]


def claim_failure(result: ClaimResult, fail_on_inconclusive: bool = False) -> str:
    """The failure message for a claim result, or ``""`` when it passes."""
    from workbench.engine.verdict import CONSISTENT, MISMATCH

    obj = result.to_dict()
    verdict = result.verdict.verdict
    if verdict != MISMATCH and not (fail_on_inconclusive and verdict != CONSISTENT):
        return ""
    observed, ci = obj["observed_text"], obj["ci_text"]
    window = obj["window"]
    window_text = "none" if window is None else (
        f"{window['axis']} in [{window['t_min']:g}, {window['t_max']:g}], "
        f"{window['points']} points")
    shown = f"{verdict} ({obj['direction']})" if obj["direction"] else verdict
    provenance = obj["provenance"]
    setting = claim_setting(obj["problem"], provenance.get("problem_params") or {},
                            obj["algorithm"], provenance.get("hyper") or {})
    return "\n".join([
        f"claim {obj['id']} ({provenance.get('card', '')}): {shown}",
        f"claimed:  {obj['rate']}",
        f"observed: {observed}, CI {ci}",
        f"window:   {window_text}",
        f"reason:   {obj['reason'] or '-'}",
        f"run:      {provenance.get('mode')} mode, seeds {provenance.get('seeds')}, {setting}",
    ])


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("workbench", "convergence-rate assertions")
    group.addoption("--rate-fail-inconclusive", action="store_true",
                    help="assert_rate (fixture) and rate_claim tests also fail when the "
                         "verdict is inconclusive")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "rate_claim(card, claim_id=None, *, quick=True, seed_start=0, seeds=None, "
        "fail_on_inconclusive=None): run a claim card's claim (card relative to the test "
        "file; None for the built-in cards) and fail the test on a mismatch")


def _item_result(item: pytest.Item) -> ClaimResult:
    if _RESULT_KEY not in item.stash:
        spec = _marker_args(item.get_closest_marker("rate_claim"))
        card = spec["card"]
        if card is not None and not Path(card).is_absolute():
            card = Path(item.path).parent / card
        item.stash[_RESULT_KEY] = run_claim(card, spec["claim_id"], quick=spec["quick"],
                                            seed_start=spec["seed_start"], seeds=spec["seeds"])
    return item.stash[_RESULT_KEY]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """Run a ``rate_claim`` test's claim before its body; fail on a mismatch."""
    marker = item.get_closest_marker("rate_claim")
    if marker is None:
        return
    strict = _marker_args(marker)["fail_on_inconclusive"]
    if strict is None:
        strict = item.config.getoption("rate_fail_inconclusive")
    message = claim_failure(_item_result(item), strict)
    if message:
        raise AssertionError(message)


@pytest.fixture(name="rate_claim_result")
def _rate_claim_result(request: pytest.FixtureRequest) -> ClaimResult:
    """The ``ClaimResult`` of the test's ``rate_claim`` marker (the claim runs once)."""
    if request.node.get_closest_marker("rate_claim") is None:
        pytest.fail("rate_claim_result needs @pytest.mark.rate_claim(card, claim_id)")
    return _item_result(request.node)


@pytest.fixture(name="assert_rate")
def _assert_rate_fixture(request: pytest.FixtureRequest) -> Callable[..., RateCheck]:
    """:func:`assert_rate`, failing on inconclusive verdicts under --rate-fail-inconclusive."""
    strict = bool(request.config.getoption("rate_fail_inconclusive"))

    def check(*args: Any, **kwargs: Any) -> RateCheck:
        kwargs.setdefault("fail_on_inconclusive", strict)
        return assert_rate(*args, **kwargs)

    return check
