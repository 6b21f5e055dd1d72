"""End-to-end CLI: verdicts, exit codes, JSON contract, the fit command."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import CARDS

CONTRACT = {"id", "paper", "problem", "algorithm", "rate", "verdict", "direction", "reason",
            "observed", "window"}


def test_wrong_claims_are_mismatches_in_the_right_direction(verify_json):
    status, results = verify_json("--claims", str(CARDS / "wrong_logistic.toml"))
    assert status == 1
    expected = {
        "wrong-sgd-1-over-T-squared": "slower",
        "wrong-gd-lower-bound": "faster",
        "wrong-gd-factor": "slower",
        "wrong-separable-linear": "slower",
        "wrong-perceptron-tight": "faster",
    }
    got = {k: (r["verdict"], r["direction"]) for k, r in results.items()}
    assert got == {k: ("mismatch", d) for k, d in expected.items()}
    for result in results.values():
        assert CONTRACT <= set(result)
    sweep = results["wrong-perceptron-tight"]["observed"]["sweep"]
    assert {"parameter", "values", "exponent", "ci", "expected_exponent", "censored"} <= set(sweep)
    assert sweep["expected_exponent"] == pytest.approx(-2.0)


def test_small_claim_is_consistent_and_exit_zero(run_cli):
    status, out, _ = run_cli("verify", "--claims", str(CARDS / "good_small.toml"),
                             "--no-progress", "--jobs", "1")
    assert status == 0
    assert "small-gd-linear" in out and "consistent" in out
    assert "tolerances: default slope=0.1" in out


def test_same_seed_same_json_numbers(verify_json):
    args = ("--claims", str(CARDS / "good_small.toml"))
    first = verify_json(*args)[1]["small-gd-linear"]["observed"]
    second = verify_json(*args)[1]["small-gd-linear"]["observed"]
    assert first == second


def test_unknown_claim_id_is_bad_input(run_cli):
    status, out, err = run_cli("verify", "no-such-claim", "--no-progress")
    assert status == 2 and out == ""
    assert "no-such-claim" in err and err.count("\n") == 1


def test_list_shows_catalogue_and_claims(run_cli):
    status, out, _ = run_cli("list", "--family", "logistic")
    assert status == 0
    assert "logistic.l2" in out and "perceptron" in out and "logreg-sgd-last-iterate" in out


def _write_csv(path, t, values, seeds=1):
    lines = ["t,value,seed"]
    for s in range(seeds):
        lines += [f"{ti},{float(vi) * (1 + 0.01 * s)!r},{s}"
                  for ti, vi in zip(t, values, strict=True)]
    path.write_text("\n".join(lines) + "\n")


def test_fit_csv_consistent_and_mismatch(run_cli, tmp_path):
    t = np.unique(np.geomspace(1, 1e4, 100).astype(int))
    csv = tmp_path / "run.csv"
    _write_csv(csv, t, np.log(t + 1) / t, seeds=3)
    status, out, _ = run_cli("fit", str(csv), "--rate", "O(log(T)/T)", "--json")
    result = json.loads(out)
    assert status == 0 and result["verdict"] == "consistent"
    assert CONTRACT <= set(result)
    status, out, _ = run_cli("fit", str(csv), "--rate", "O(1/T**2)", "--json")
    assert status == 1 and json.loads(out)["direction"] == "slower"


def test_fit_explicit_factor_with_params(run_cli, tmp_path):
    t = np.arange(1, 400)
    csv = tmp_path / "geo.csv"
    _write_csv(csv, t, (1 + 2 * 0.05) ** (-t / 2.0))
    status, out, _ = run_cli("fit", str(csv), "--rate", "Theta((1 + 2*beta)**(-T/2))",
                             "--param", "beta=0.05", "--json")
    assert status == 0, out
    assert json.loads(out)["observed"]["factor"] == pytest.approx(1.1**-0.5)
    status, out, _ = run_cli("fit", str(csv), "--rate", "Theta((1 + 2*beta)**(-T/2))",
                             "--param", "beta=0.2", "--json")
    assert status == 1 and json.loads(out)["direction"] == "slower"


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("t,value\n1,1.0\n2,nan\n3,0.3\n", "'value'"),
        ("t,value\n1,1.0\n2,abc\n", "line 3"),
        ("time,value\n1,1.0\n", "needs columns t,value"),
        ("t,value\n", "no data rows"),
        ("t,value,seed\n1,1,0\n2,0.5,0\n1,1,1\n3,0.5,1\n", "seed 1"),
    ],
)
def test_bad_csv_is_one_line_exit_2(run_cli, tmp_path, content, needle):
    csv = tmp_path / "bad.csv"
    csv.write_text(content)
    status, out, err = run_cli("fit", str(csv), "--rate", "O(1/T)")
    assert status == 2 and out == ""
    assert str(csv) in err and needle in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--rate", "O(1/T"], "cannot parse rate"),
        (["--rate", "O((1+2*beta)**(-T/2))"], "beta"),
        (["--rate", "O(1/T)", "--param", "beta"], "NAME=NUMBER"),
        (["--rate", "O(1/T)", "--tol", "slop=1"], "unknown tolerance"),
    ],
)
def test_bad_fit_options_exit_2(run_cli, tmp_path, argv, needle):
    csv = tmp_path / "ok.csv"
    csv.write_text("t,value\n1,1\n2,0.5\n3,0.33\n")
    status, out, err = run_cli("fit", str(csv), *argv)
    assert status == 2 and out == "" and needle in err


def test_impossible_parameters_fail_one_claim_and_keep_the_others(run_cli, tmp_path):
    card = tmp_path / "impossible.toml"
    card.write_text("""
[paper]
title = "x"
[[claim]]
id = "impossible-margin"
statement = "A margin larger than the rows allow."
problem = "logistic.separable"
problem_params = { gamma = 0.95, spread = 0.2 }
algorithm = "gd"
measure = "loss"
rate = "O(1/T)"
horizon = 100
seeds = 2
""")
    status, out, err = run_cli("verify", "--claims", str(CARDS / "good_small.toml"),
                               "--claims", str(card), "--no-progress", "--jobs", "1")
    assert status == 2
    assert "small-gd-linear" in out and "consistent" in out  # computed results are kept
    assert "impossible-margin" in err and "field 'problem_params'" in err and "gamma" in err
