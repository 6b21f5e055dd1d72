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


def test_usage_errors_are_one_line_exit_2(run_cli):
    for argv in (["verify", "--jobs", "x"], ["nope"], [], ["fit"], ["verify", "--bogus"]):
        status, out, err = run_cli(*argv)
        assert status == 2 and out == "", argv
        assert err.count("\n") == 1 and "usage:" not in err and "--help" in err, err


def test_debug_flag_before_or_after_the_command(run_cli):
    assert run_cli("--debug", "list", "--family", "logistic")[0] == 0
    assert run_cli("list", "--family", "logistic", "--debug")[0] == 0


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda doc: "caf\xe9".encode("latin-1"), "not UTF-8"),
        (lambda doc: json.dumps(doc).replace('"estimate": -1.0', '"estimate": NaN').encode(),
         "NaN"),
        (lambda doc: json.dumps({**doc, "saved": []}).encode(), "field 'saved'"),
        (lambda doc: json.dumps({**doc, "claims": {"c": {**doc["claims"]["c"], "quantity": {
            "name": "exponent", "estimate": -1.0, "ci": [2, 1]}}}}).encode(), "quantity.ci"),
        (lambda doc: json.dumps({**doc, "claims": {"c": {**doc["claims"]["c"],
                                                         "reason": 5}}}).encode(),
         "field 'reason'"),
    ],
)
def test_malformed_baseline_is_one_line_exit_2(run_cli, tmp_path, mutate, needle):
    doc = {"format": "workbench-baseline", "format_version": 1, "mode": "quick",
           "claims": {"c": {"rate": "O(1/T)", "verdict": "consistent", "direction": "",
                            "quantity": {"name": "exponent", "estimate": -1.0,
                                         "ci": [-1.1, -0.9]},
                            "provenance": {"seeds": [0, 1]}}}}
    path = tmp_path / "b.json"
    path.write_bytes(mutate(doc))
    status, out, err = run_cli("baseline", "check", "--quick", "--baseline", str(path),
                               "--claims", str(CARDS / "good_small.toml"))
    assert status == 2 and out == "" and err.count("\n") == 1
    assert str(path) in err and needle in err, err


def test_error_status_tells_unfinished_tasks_from_bad_input():
    from workbench.cli.common import error_status
    from workbench.errors import BadInputError, TaskFailedError

    timeout, bad = TaskFailedError("too slow"), BadInputError("bad")
    assert (error_status([]), error_status([timeout]), error_status([timeout, bad])) == (0, 4, 2)


def test_csv_with_bom_quotes_and_extra_columns_is_read(run_cli, tmp_path):
    t = np.unique(np.geomspace(1, 1e4, 80).astype(int))
    rows = "".join(f'"{ti}",{float(1 / ti)!r},x,"{s}"\n' for s in (0, 1, 2) for ti in t)
    csv = tmp_path / "bom.csv"
    csv.write_text('\ufeff"t",value,note,seed\n' + rows, encoding="utf-8")
    status, out, err = run_cli("fit", str(csv), "--rate", "Theta(1/T)", "--json")
    assert status == 0, err
    assert json.loads(out)["observed"]["seeds"] == 3


@pytest.mark.parametrize("command", [("verify",), ("fit", "run.csv", "--rate", "O(1/T)"),
                                     ("baseline", "check")])
def test_format_option_is_shared_and_json_is_its_alias(command):
    """Every command that prints JSON takes ``--format {table,json}`` (declared once, in
    cli/common.py) and keeps ``--json`` as an alias; the last one given wins."""
    from workbench.cli.main import build_parser

    parser = build_parser()
    assert parser.parse_args([*command]).format == "table"
    assert parser.parse_args([*command, "--json"]).format == "json"
    assert parser.parse_args([*command, "--format", "json"]).format == "json"
    assert parser.parse_args([*command, "--json", "--format", "table"]).format == "table"


def test_fit_prints_the_same_json_under_both_spellings(run_cli, tmp_path):
    t = np.unique(np.geomspace(1, 1e4, 100).astype(int))
    csv = tmp_path / "run.csv"
    _write_csv(csv, t, 1 / t, seeds=2)
    outputs = {}
    for spelling in (["--json"], ["--format", "json"], ["--format", "table"]):
        status, out, _ = run_cli("fit", str(csv), "--rate", "O(1/T)", *spelling)
        assert status == 0
        outputs[" ".join(spelling)] = out
    assert json.loads(outputs["--json"]) == json.loads(outputs["--format json"])
    assert json.loads(outputs["--json"])["verdict"] == "consistent"
    assert outputs["--format table"].startswith("claim ")  # the text table, not JSON
    status, _, err = run_cli("fit", str(csv), "--rate", "O(1/T)", "--format", "yaml")
    assert status == 2 and "invalid choice: 'yaml'" in err
