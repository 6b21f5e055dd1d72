"""Checks beside the fit: explicit bounds as inequalities, regime conditions per seed, and
sequential seeds with a split confidence level."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from workbench.cards.claims import load_card
from workbench.catalogue import get_problem
from workbench.engine.pipeline import planned_looks, run_claims
from workbench.errors import BadInputError

PAPER = '[paper]\ntitle = "t"\n'
GD = """
[[claim]]
id = "{id}"
statement = "s"
problem = "logistic.l2"
problem_params = {{ n = 60, d = 6, lam = 1e-2 }}
algorithm = "gd"
measure = "dist_sq"
rate = "O((1 - mu/L)**T)"
horizon = 300
seeds = 4
"""


def card(tmp_path: Path, body: str, name: str = "c.toml") -> Path:
    path = tmp_path / name
    path.write_text(PAPER + body, encoding="utf-8")
    return path


def run_one(path: Path, **kwargs):
    results, errors = run_claims(load_card(path), quick=False, progress=False, **kwargs)
    assert not errors, errors
    return results[0]


def test_a_true_explicit_bound_holds_with_its_slack(tmp_path):
    # Perceptron: at most (R/gamma)^2 updates on every run (Novikoff 1962).
    path = card(tmp_path, """
[[claim]]
id = "perceptron-bound"
statement = "s"
problem = "logistic.separable"
problem_params = { n = 60, d = 6 }
algorithm = "perceptron"
measure = "train_error"
axis = "calls"
aggregate = "each"
horizon = 100000
seeds = 3
bound = "(R/gamma)**2"
[claim.sweep]
parameter = "gamma"
values = [0.2, 0.1, 0.05]
quantity = "cost"
target = 0.0
complexity = "O((R/gamma)**2)"
""")
    result = run_one(path)
    bound = result.to_dict()["observed"]["bound"]
    assert bound["holds"] and 0 < bound["max_ratio"] <= 1
    assert bound["scope"] == "every run" and bound["variable"] == "gamma"
    assert any("explicit bound" in note for note in result.verdict.notes)


def test_a_violated_explicit_bound_is_a_mismatch(tmp_path):
    path = card(tmp_path, GD.format(id="gd-too-tight") + 'bound = "1e-6 * 0.5**T"\n'
                'aggregate = "each"\n')
    result = run_one(path)
    assert (result.verdict.verdict, result.verdict.direction) == ("mismatch", "slower")
    assert "violated" in result.verdict.reason
    assert result.to_dict()["observed"]["bound"]["holds"] is False


def test_regime_leaves_out_the_seeds_outside_it(tmp_path):
    problem = get_problem("logistic.l2")
    smoothness = [problem.make(s, n=60, d=6, lam=1e-2).constants["L"] for s in range(4)]
    cut = float(np.median(smoothness))
    outside = {str(s) for s, value in enumerate(smoothness) if not value < cut}
    path = card(tmp_path, GD.format(id="gd-regime") + f"""
[claim.regime]
conditions = ["L < {cut!r}"]
why = "a test: only the seeds with smaller smoothness constants"
""")
    result = run_one(path)
    regime = result.to_dict()["observed"]["regime"]
    assert set(regime["left_out"]) == outside and outside
    assert result.curves[0].values.shape[0] == 4 - len(outside)


def test_regime_with_every_seed_outside_is_inconclusive(tmp_path):
    path = card(tmp_path, GD.format(id="gd-no-seed") + """
[claim.regime]
conditions = ["L > 1e6"]
why = "no instance has it"
""")
    result = run_one(path)
    assert result.verdict.verdict == "inconclusive"
    assert result.verdict.reason.startswith("regime:")


@pytest.mark.parametrize(("body", "field"), [
    ('[claim.regime]\nconditions = ["L = 1"]\nwhy = "x"\n', "regime"),
    ('[claim.regime]\nconditions = ["nonsense > 1"]\nwhy = "x"\n', "regime.conditions"),
    ('[claim.regime]\nconditions = ["L > 1"]\n', "regime.why"),
    ('bound = "C / T"\n', "bound"),
    ("max_seeds = 2\n", "max_seeds"),
])
def test_bad_checks_are_located_bad_input(tmp_path, body, field):
    path = card(tmp_path, GD.format(id="bad") + body)
    with pytest.raises(BadInputError) as caught:
        load_card(path)
    assert caught.value.field == field and caught.value.claim == "bad"


def test_sequential_seeds_double_up_to_the_cap_with_a_split_confidence(tmp_path):
    body = """
[[claim]]
id = "noisy"
statement = "s"
problem = "logistic.l2"
problem_params = { lam = 1e-4 }
algorithm = "sgd"
measure = "dist_sq"
rate = "O(1/T)"
horizon = 100000
seeds = 2
max_seeds = 8
"""
    claim = load_card(card(tmp_path, body))[0]
    assert planned_looks(claim) == 3
    result = run_one(card(tmp_path, body))
    provenance = result.provenance
    assert provenance["planned_looks"] == 3
    assert len(provenance["seeds"]) == 2 * 2 ** (provenance["looks"] - 1)
    assert result.tolerances.confidence == pytest.approx(1 - 0.05 / 3)
