"""Claim kinds beyond a decaying rate: divergence at a stated factor, comparisons between two
algorithms on the same instances; each consistent when true and a mismatch, in the right
direction, when wrong."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from workbench.cards.claims import load_card
from workbench.cards.ratelaw import parse_rate
from workbench.cards.tolerances import Tolerances
from workbench.engine.fit import Curve, fit_curve
from workbench.engine.pipeline import run_claims
from workbench.engine.verdict import judge
from workbench.errors import BadInputError

TOL = Tolerances()
T = np.arange(1.0, 400.0)


def growth_verdict(values, rate, params):
    law = parse_rate(rate)
    fit = fit_curve(Curve(T, np.atleast_2d(values)), law, params, TOL)
    verdict = judge(law, fit, TOL)
    return fit, (verdict.verdict, verdict.direction)


@pytest.mark.parametrize(("factor", "rate", "expected"), [
    (1.05, "Theta((1 + g**2)**(T/2))", ("consistent", "")),
    (1.10, "Theta((1 + g**2)**(T/2))", ("mismatch", "slower")),   # grows faster: worse
    (1.02, "Theta((1 + g**2)**(T/2))", ("mismatch", "faster")),   # grows slower
    (0.95, "Theta((1 + g**2)**(T/2))", ("mismatch", "faster")),   # converges instead
    (1.02, "O((1 + g**2)**(T/2))", ("consistent", "")),          # at most this growth
    (1.10, "Omega((1 + g**2)**(T/2))", ("consistent", "")),      # at least this growth
])
def test_divergence_at_a_stated_factor(factor, rate, expected):
    g = np.sqrt(1.05**2 - 1)  # the claimed factor sqrt(1 + g^2) is 1.05
    fit, verdict = growth_verdict(factor**T, rate, {"g": g})
    assert fit.model == "growth"
    assert verdict == expected


def test_growth_is_fitted_before_overflow():
    with np.errstate(over="ignore"):
        values = np.exp(3.0 * T)  # overflows to inf near t = 237
    fit, verdict = growth_verdict(values, "Theta(exp(3*T))", {})
    assert fit.estimate == pytest.approx(3.0, rel=1e-9)
    assert verdict == ("consistent", "")


PAPER = '[paper]\ntitle = "t"\n'
COMPARE = """
[[claim]]
id = "{id}"
statement = "GD with step 1/L needs half the iterations of GD with step 1/(2L), whatever mu."
problem = "logistic.l2"
problem_params = {{ n = 60, d = 6 }}
algorithm = "gd"
hyper = {{ step_scale = 1.0 }}
measure = "dist_sq"
horizon = 40000
seeds = 3
[claim.sweep]
parameter = "lam"
values = [1e-2, 3e-3, 1e-3]
quantity = "cost"
target = 1e-10
complexity = "{complexity}"
[claim.compare]
algorithm = "gd"
hyper = {{ step_scale = 0.5 }}
"""


def test_comparison_on_the_same_instances(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(PAPER + COMPARE.format(id="half-step", complexity="Theta(lam**0)")
                    + COMPARE.format(id="wrong-advantage", complexity="Theta(lam**(-1))"),
                    encoding="utf-8")
    results, errors = run_claims(load_card(path), quick=False, progress=False)
    assert not errors
    right, wrong = results
    sweep = right.to_dict()["observed"]["sweep"]
    assert sweep["quantity"] == "advantage"
    # Contraction 1 - mu/L against 1 - mu/(2L): the iteration ratio tends to 2 as mu/L -> 0.
    medians = [p["median"] for p in sweep["points"]]
    assert all(1.8 < m < 2.6 for m in medians), medians
    assert right.verdict.verdict == "consistent"
    assert right.to_dict()["observed"]["compare"]["baseline"] == "gd"
    # Claiming that the advantage grows like 1/lam is wrong: it does not grow at all.
    assert (wrong.verdict.verdict, wrong.verdict.direction) == ("mismatch", "slower")


def test_a_comparison_needs_a_baseline_that_records_the_measure(tmp_path):
    body = COMPARE.format(id="bad", complexity="Theta(lam**0)").replace(
        'algorithm = "gd"\nhyper = { step_scale = 0.5 }', 'algorithm = "perceptron"')
    path = tmp_path / "bad.toml"
    path.write_text(PAPER + body, encoding="utf-8")
    with pytest.raises(BadInputError) as caught:
        load_card(path)
    assert caught.value.field == "compare.algorithm"


def test_a_divergence_claim_needs_a_growing_factor(tmp_path):
    body = COMPARE.format(id="bad", complexity="Theta(lam**0)").split("[claim.sweep]")[0]
    body = body.replace('horizon = 40000', 'rate = "Theta(0.9**T)"\nkind = "divergence"'
                        '\nhorizon = 40000')
    path = tmp_path / "d.toml"
    path.write_text(PAPER + body, encoding="utf-8")
    with pytest.raises(BadInputError) as caught:
        load_card(Path(path))
    assert caught.value.field == "rate"


# Eight seeds: each seed's instance has its own mu/L (0.12 to 0.16 here), so the exponent of
# the final value in the horizon varies from seed to seed (-17 to -36 between horizons 20 and
# 40), and with three seeds its t-interval straddled the tolerance. Every final value read is
# at least 1e7 times the family's floor of dist_sq (1e-29 with the polished reference).
TREND = """
[[claim]]
id = "{id}"
statement = "s"
problem = "logistic.l2"
problem_params = {{ n = 60, d = 6, lam = 1e-2 }}
algorithm = "gd"
measure = "dist_sq"
horizon = 25
seeds = 8
[claim.sweep]
parameter = "{parameter}"
values = {values}
quantity = "final"
trend = "{trend}"
"""


def run_text(tmp_path, text):
    path = tmp_path / "k.toml"
    path.write_text(PAPER + text, encoding="utf-8")
    results, errors = run_claims(load_card(path), quick=False, progress=False)
    assert not errors, errors
    for result in results:  # verdicts on real kernels read values far above the floor
        for curve in result.curves:
            assert np.min(curve.values[:, -1]) > 1e7 * curve.floor > 0, result.claim.id
    return results


def test_trend_of_the_final_value_over_a_parameter(tmp_path):
    # GD with step s/L, s <= 1, after 25 steps: a larger step is closer to w*.
    right, wrong = run_text(tmp_path, TREND.format(
        id="down", parameter="step_scale", values="[0.25, 0.5, 1.0]", trend="decreasing")
        + TREND.format(id="up", parameter="step_scale", values="[0.25, 0.5, 1.0]",
                       trend="increasing"))
    assert right.verdict.verdict == "consistent"
    assert right.to_dict()["observed"]["trend"]["against"] == 0
    # The error falls where the claim says it rises: faster.
    assert (wrong.verdict.verdict, wrong.verdict.direction) == ("mismatch", "faster")


def test_horizon_sweep_runs_once_per_horizon(tmp_path):
    text = TREND.format(id="per-horizon", parameter="horizon", values="[10, 20, 40]",
                        trend="decreasing")
    text = text.replace('trend = "decreasing"',
                        'trend = "decreasing"\ncomplexity = "O((1 - mu/L)**horizon)"')
    (result,) = run_text(tmp_path, text)
    assert [c.t[-1] for c in result.curves] == [10, 20, 40]
    assert result.verdict.verdict == "consistent", result.verdict.reason


def test_quantile_aggregate_for_high_probability_claims(tmp_path):
    from workbench.engine.fit import aggregate

    values = np.arange(1.0, 11.0)[:, None] * np.ones((10, 3))
    np.testing.assert_allclose(aggregate(values, "q0.9"), np.quantile(values, 0.9, axis=0))
    good = COMPARE.format(id="q", complexity="Theta(lam**0)").split("[claim.sweep]")[0]
    good = good.replace("horizon = 40000", 'rate = "O((1 - mu/L)**T)"\naggregate = "q0.9"\n'
                        "horizon = 400")
    path = tmp_path / "q.toml"
    path.write_text(PAPER + good, encoding="utf-8")
    assert load_card(path)[0].aggregate == "q0.9"
    path.write_text(PAPER + good.replace("q0.9", "q1.5"), encoding="utf-8")
    with pytest.raises(BadInputError) as caught:
        load_card(path)
    assert caught.value.field == "aggregate"


def test_seeds_with_different_call_counts_share_one_grid():
    from workbench.engine.evaluate import _common_grid

    calls = [np.array([0.0, 10, 20, 40, 80]), np.array([0.0, 12, 30, 50, 100])]
    values = np.array([1 / np.maximum(c, 1) for c in calls])
    grid, rows = _common_grid(calls, values)
    assert grid[0] == 12 and grid[-1] == 80
    # 1/c is a straight line in log-log: interpolation there is exact.
    np.testing.assert_allclose(rows, np.vstack([1 / grid, 1 / grid]), rtol=1e-12)


def test_worst_case_scope_is_said(tmp_path):
    text = COMPARE.format(id="w", complexity="Theta(lam**0)").split("[claim.sweep]")[0]
    text = text.replace("horizon = 40000", 'rate = "O((1 - mu/L)**T)"\nscope = "worst_case"\n'
                        "horizon = 300")
    path = tmp_path / "w.toml"
    path.write_text(PAPER + text, encoding="utf-8")
    (result,), _ = run_claims(load_card(path), quick=False, progress=False)
    assert result.to_dict()["scope"] == "worst_case"
    assert any(note.startswith("scope:") for note in result.verdict.notes)


FINAL_COMPARE = TREND.replace('trend = "{trend}"', 'complexity = "{complexity}"') + """
[claim.compare]
algorithm = "gd"
hyper = {{ step_scale = 0.5 }}
[claim.quick]
sweep = {{ values = [10, 20, 40] }}
"""


def test_final_value_comparison_over_horizons(tmp_path):
    # GD with step 1/L against step 1/(2L): the error ratio (the baseline's over the claim's)
    # grows geometrically with the horizon, so the advantage grows: at least constant, and not
    # bounded.
    text = (FINAL_COMPARE.format(id="grows", parameter="horizon", values="[10, 20, 40]",
                                 complexity="Omega(horizon**0)")
            + FINAL_COMPARE.format(id="bounded", parameter="horizon", values="[10, 20, 40]",
                                   complexity="O(horizon**0)"))
    grows, bounded = run_text(tmp_path, text)
    medians = grows.to_dict()["observed"]["compare"]
    assert medians["advantage"] == "baseline final / claim final"
    assert grows.verdict.verdict == "consistent"
    assert (bounded.verdict.verdict, bounded.verdict.direction) == ("mismatch", "faster")
    # The quick override of a horizon sweep loads (it used to be a KeyError).
    assert load_card(tmp_path / "k.toml")[0].settings(True).sweep.values == (10, 20, 40)
