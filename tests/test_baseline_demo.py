"""Demonstration: ``baseline check`` catches a perturbed kernel update and passes a clean re-run.

The baseline is recorded from ``small_gd.toml`` (GD with step 1/L). The perturbed card
``small_gd_half_step.toml`` is the same claim with ``step_scale = 0.5``: the bound still holds
(the verdict stays consistent), but the fitted rate constant halves, which is what a kernel
change that silently halves the step would do.
"""

from __future__ import annotations

import json

import pytest
from conftest import CARDS

from workbench.outputs import baselines as baseline

CARD = CARDS / "baseline" / "small_gd.toml"
PERTURBED = CARDS / "baseline" / "small_gd_half_step.toml"
CLAIM = "test-gd-linear-factor"


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    from workbench.cli.main import main

    path = tmp_path_factory.mktemp("demo") / "quick.json"
    assert main(["baseline", "save", "--quick", "--claims", str(CARD), "--out", str(path),
                 "--jobs", "1", "--no-progress"]) == 0
    return path


def test_halved_step_is_reported_as_a_regression(run_cli, saved):
    status, out, _ = run_cli("baseline", "check", "--quick", "--claims", str(PERTURBED),
                             "--baseline", str(saved), "--jobs", "1", "--no-progress")
    assert status == 1, out
    old = baseline.load(saved)["claims"][CLAIM]["quantity"]
    assert f"REGRESSION {CLAIM}" in out
    assert f"rate constant moved: baseline {baseline.quantity_text(old)} -> now" in out
    assert "hyper: [step_scale=1] -> [step_scale=0.5]" in out
    assert "RATE_CONSTANT_FLOOR" in out and "result: 1 regression(s)" in out

    status, out, _ = run_cli("baseline", "check", "--quick", "--claims", str(PERTURBED),
                             "--baseline", str(saved), "--jobs", "1", "--no-progress", "--json")
    (check,) = json.loads(out)["claims"]
    assert status == 1 and check["status"] == "regression"
    # The verdict holds (a halved step still beats 1 - mu/L); the rate constant caught it.
    assert check["old"]["verdict"] == check["new"]["verdict"] == "consistent"
    ratio = check["new"]["quantity"]["estimate"] / old["estimate"]
    assert 0.4 < ratio < 0.6
    assert check["drift"]["distance"] > check["drift"]["allowed"]


def test_unchanged_card_with_fresh_seeds_passes(run_cli, saved):
    status, out, _ = run_cli("baseline", "check", "--quick", "--claims", str(CARD),
                             "--baseline", str(saved), "--seed-start", "100", "--jobs", "1",
                             "--no-progress", "--json")
    report = json.loads(out)
    assert status == 0, out
    (check,) = report["claims"]
    assert check["id"] == CLAIM and check["status"] == "ok" and check["regressions"] == []
    assert report["seed_start"] == 100
