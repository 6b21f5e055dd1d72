"""One spelling of a parameter setting (``gd[step_scale=0.5]``) and the outputs that use it."""

from __future__ import annotations

import csv
from dataclasses import replace

import pytest
from _synthetic import all_results
from conftest import CARDS

from workbench.cards.settings import claim_setting, setting_changes, setting_name, setting_value


def test_setting_name_is_sorted_and_independent_of_option_order():
    assert setting_name("gd", {"step_scale": 0.5}) == "gd[step_scale=0.5]"
    assert setting_name("logistic.l2", {"n": 200, "lam": 1e-3, "d": 20}) == \
        "logistic.l2[d=20,lam=0.001,n=200]"
    assert setting_name("x", {"b": 1, "a": 2}) == setting_name("x", {"a": 2, "b": 1}) == \
        "x[a=2,b=1]"
    assert setting_name("perceptron", {}) == setting_name("perceptron") == "perceptron"


@pytest.mark.parametrize(("value", "text"), [
    (1.0, "1"), (200, "200"), (0.5, "0.5"), (1e-3, "0.001"), (1e-10, "1e-10"),
    (0.1 + 0.2, "0.30000000000000004"), (1e20, "1e+20"), (-2.0, "-2"), (True, "True"),
    ("gaussian", "gaussian"),
])
def test_values_read_back_as_the_same_number(value, text):
    assert setting_value(value) == text
    if isinstance(value, float):
        assert float(text) == value  # lossless, unlike the 6 digits of :g


def test_setting_changes_name_the_whole_setting_before_and_after():
    old = {"horizon": 1500, "hyper": {"step_scale": 1.0}, "problem_params": {"n": 5}}
    new = {"horizon": 3000, "hyper": {"step_scale": 0.5}, "problem_params": {"n": 5.0}}
    assert setting_changes(old, new, ("horizon", "problem_params", "hyper")) == [
        "horizon: 1500 -> 3000", "hyper: [step_scale=1] -> [step_scale=0.5]"]
    assert setting_changes(old, old, ("horizon", "hyper")) == []
    assert setting_changes({"hyper": {}}, {"hyper": {"c": 2}}, ("hyper",)) == [
        "hyper: [] -> [c=2]"]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return all_results(tmp_path_factory.mktemp("cards"), power_figure="pair")


def test_figure_caption_spells_the_setting(results):
    from workbench.outputs.captions import settings_text

    claim = results[0][0].claim
    result = replace(results[0][0], claim=replace(
        claim, problem_params={"n": 60, "lam": 0.01, "d": 6}, hyper={"shift": 2.0, "c": 1.0}))
    assert "; logistic.l2[d=6,lam=0.01,n=60] sgd[c=1,shift=2]" in settings_text(result)


def test_report_environment_and_plugin_message_spell_the_setting(results):
    from workbench.outputs.report import _detail_html, rows
    from workbench.pytest_plugin import claim_failure

    mismatch = next(r for r in results[0] if r.verdict.verdict == "mismatch")
    provenance = {**mismatch.provenance, "problem_params": {"n": 40, "lam": 0.01},
                  "hyper": {"step_scale": 1.0}}
    mismatch = replace(mismatch, provenance=provenance)
    expected = claim_setting("logistic.l2", {"lam": 0.01, "n": 40}, mismatch.claim.algorithm,
                             {"step_scale": 1})
    assert expected == f"logistic.l2[lam=0.01,n=40] {mismatch.claim.algorithm}[step_scale=1]"
    assert claim_failure(mismatch).splitlines()[-1].endswith(", " + expected)
    detail = _detail_html(rows([mismatch])[0])
    assert "<dt>problem_params</dt><dd>logistic.l2[lam=0.01,n=40]</dd>" in detail
    assert f"<dt>hyper</dt><dd>{mismatch.claim.algorithm}[step_scale=1]</dd>" in detail
    # report.json keeps the verify --json provenance as it is.
    assert rows([mismatch])[0]["provenance"]["hyper"] == {"step_scale": 1.0}


def test_runs_and_export_spell_the_setting(run_cli, tmp_path):
    store = tmp_path / "runs.sqlite"
    status, _, err = run_cli("verify", "--claims", str(CARDS / "baseline" / "small_gd.toml"),
                             "--quick", "--store", str(store), "--no-progress", "--jobs", "1")
    assert status == 0, err
    status, out, err = run_cli("runs", "--store", str(store))
    assert status == 0, err
    assert "logistic.l2[d=10,lam=0.001,n=100]" in out and "gd[step_scale=1]" in out
    long = tmp_path / "long.csv"
    assert run_cli("export", "--store", str(store), "--out", str(long))[0] == 0
    with open(long, newline="") as handle:
        first = next(csv.DictReader(handle))
    assert first["problem_setting"] == "logistic.l2[d=10,lam=0.001,n=100]"
    assert first["algorithm_setting"] == "gd[step_scale=1]"
