"""Baselines: the regression rule, the file format, and the bad-input paths of the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from conftest import CARDS

from workbench.errors import BadInputError
from workbench.outputs import baselines as baseline

SMALL = CARDS / "baseline" / "small_gd.toml"
SMALL_ID = "test-gd-linear-factor"


def _entry(verdict: str = "consistent", name: str | None = "exponent",
           estimate: float | None = -1.0, ci: list[float] | None = None,
           direction: str = "", **provenance) -> dict:
    quantity = None if name is None else {
        "name": name, "estimate": estimate,
        "ci": ci if ci is not None or estimate is None else [estimate - 0.01, estimate + 0.01],
        "expected": None, "status": "ok" if estimate is not None else "insufficient"}
    return {"rate": "O(1/T)", "verdict": verdict, "direction": direction, "reason": "why",
            "quantity": quantity, "window": None,
            "provenance": {"seeds": [0, 1, 2], **provenance}}


def test_unchanged_entry_passes():
    check = baseline.compare("c", _entry(), _entry())
    assert not check.regressed and check.drift is not None and check.drift.distance == 0


def test_verdict_change_is_a_regression_with_both_verdicts():
    check = baseline.compare("c", _entry(), _entry("mismatch", direction="slower"))
    assert check.regressed
    assert "verdict changed: consistent -> mismatch (slower): why" in check.problems[0]


def test_slope_drift_uses_floor_plus_both_half_widths():
    old = _entry(estimate=-1.0, ci=[-1.03, -0.97])   # half-width 0.03
    new = _entry(estimate=-0.88, ci=[-0.92, -0.84])  # half-width 0.04
    check = baseline.compare("c", old, new)
    assert check.drift.noise == pytest.approx(0.05)
    assert check.drift.allowed == pytest.approx(baseline.EXPONENT_FLOOR + 0.05)
    assert check.drift.distance == pytest.approx(0.12)
    assert check.regressed  # 0.12 > 0.05 + 0.05
    assert "-1 [-1.03, -0.97] -> now -0.88 [-0.92, -0.84]" in check.problems[0]
    assert "EXPONENT_FLOOR" in check.problems[0]
    within = baseline.compare("c", old, _entry(estimate=-0.92, ci=[-0.96, -0.88]))
    assert not within.regressed  # 0.08 <= 0.1


def test_rate_constants_compare_on_the_log_scale():
    old = _entry(name="rate_constant", estimate=0.2, ci=[0.2, 0.2])
    slower = baseline.compare("c", old, _entry(name="rate_constant", estimate=0.1,
                                               ci=[0.1, 0.1]))
    assert slower.drift.distance == pytest.approx(math.log(2))
    assert slower.regressed and "RATE_CONSTANT_FLOOR" in slower.problems[0]
    # A factor 1.4 is within the floor (log 1.5), whichever way.
    for estimate in (0.2 * 1.4, 0.2 / 1.4):
        near = _entry(name="rate_constant", estimate=estimate, ci=[estimate, estimate])
        assert not baseline.compare("c", old, near).regressed


def test_lost_fit_and_changed_quantity_regress_new_fit_does_not():
    assert baseline.compare("c", _entry(), _entry("consistent", estimate=None)).regressed
    changed = baseline.compare("c", _entry(), _entry(name="rate_constant", estimate=0.3))
    assert changed.regressed and "fitted quantity changed" in changed.problems[0]
    gained = baseline.compare("c", _entry(estimate=None), _entry())
    assert not gained.regressed and "now fitted" in gained.notes[0]


def test_non_positive_rate_constant_is_left_to_the_verdict():
    old = _entry(name="rate_constant", estimate=0.2)
    check = baseline.compare("c", old, _entry(name="rate_constant", estimate=-0.01))
    assert not check.regressed and "not compared" in check.notes[0]


def test_changed_settings_and_versions_are_notes():
    old = _entry(card_hash="a", hyper={"step_scale": 1.0}, numpy="2.0")
    new = _entry(card_hash="b", hyper={"step_scale": 0.5}, numpy="2.1")
    check = baseline.compare("c", old, new)
    assert not check.regressed
    assert any("hyper: [step_scale=1] -> [step_scale=0.5]" in n for n in check.notes)
    assert any("card changed" in n for n in check.notes)
    assert any("numpy 2.0 -> 2.1" in n for n in check.notes)


@pytest.mark.parametrize("text, field", [
    ("{not json", ""),
    ('{"format": "other"}', "format"),
    ('{"format": "workbench-baseline", "format_version": 99}', "format_version"),
    ('{"format": "workbench-baseline", "format_version": 1, "mode": "fast", "claims": {}}',
     "mode"),
    ('{"format": "workbench-baseline", "format_version": 1, "mode": "quick", '
     '"claims": {"x": {"rate": "O(1/T)", "verdict": "consistent", "direction": "", '
     '"quantity": {"name": "exponent", "estimate": -1, "ci": [0]}, '
     '"provenance": {"seeds": [0]}}}}', "quantity.ci"),
])
def test_malformed_baseline_is_bad_input_naming_the_field(tmp_path, text, field):
    path = tmp_path / "b.json"
    path.write_text(text)
    with pytest.raises(BadInputError) as caught:
        baseline.load(path)
    assert caught.value.source == str(path) and caught.value.field == field


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    """A quick baseline of the small test card (seeds 0-3)."""
    from workbench.cli.main import main

    path = tmp_path_factory.mktemp("baseline") / "quick.json"
    assert main(["baseline", "save", "--quick", "--claims", str(SMALL), "--out", str(path),
                 "--jobs", "1", "--no-progress"]) == 0
    return path


def test_save_records_quantity_verdict_window_and_provenance(saved):
    document = baseline.load(saved)
    assert document["mode"] == "quick" and document["saved"]["versions"]["numba"]
    entry = document["claims"][SMALL_ID]
    assert entry["verdict"] == "consistent"
    assert entry["quantity"]["name"] == "rate_constant"
    lo, hi = entry["quantity"]["ci"]
    assert 0 < lo <= entry["quantity"]["estimate"] <= hi
    assert entry["window"]["t_max"] > entry["window"]["t_min"] > 0
    provenance = entry["provenance"]
    assert provenance["seeds"] == [0, 1, 2, 3] and provenance["mode"] == "quick"
    assert provenance["hyper"] == {"step_scale": 1.0} and "numpy" in provenance
    assert "--quick" in document["saved"]["command"]


def test_missing_baseline_file_is_exit_2(run_cli, tmp_path):
    status, _, err = run_cli("baseline", "check", "--quick", "--claims", str(SMALL),
                             "--baseline", str(tmp_path / "none.json"), "--no-progress")
    assert status == 2 and "no baseline file" in err


def test_mode_other_than_the_baseline_is_exit_2(run_cli, saved):
    status, _, err = run_cli("baseline", "check", "--claims", str(SMALL), "--baseline",
                             str(saved), "--no-progress")
    assert status == 2 and "saved in quick mode" in err


def test_named_claim_absent_from_baseline_is_exit_2(run_cli, saved, tmp_path):
    renamed = _renamed(saved, tmp_path)
    status, _, err = run_cli("baseline", "check", "--quick", SMALL_ID, "--claims", str(SMALL),
                             "--baseline", str(renamed), "--no-progress")
    assert status == 2 and f"{SMALL_ID} not in the baseline" in err


def test_claims_added_after_the_baseline_are_new_not_failures(run_cli, saved, tmp_path):
    renamed = _renamed(saved, tmp_path)
    status, out, _ = run_cli("baseline", "check", "--quick", "--claims", str(SMALL),
                             "--baseline", str(renamed), "--no-progress", "--json")
    report = json.loads(out)
    assert status == 0 and report["claims"] == []
    assert report["new"] == [SMALL_ID] and report["not_in_cards"] == ["old-name"]


def test_merge_keeps_the_other_claims(run_cli, saved, tmp_path):
    renamed = _renamed(saved, tmp_path)
    status, _, _ = run_cli("baseline", "save", "--quick", "--merge", "--claims", str(SMALL),
                           "--out", str(renamed), "--jobs", "1", "--no-progress")
    assert status == 0
    assert set(baseline.load(renamed)["claims"]) == {"old-name", SMALL_ID}


def _renamed(saved: Path, tmp_path: Path) -> Path:
    """A copy of the saved baseline whose claim is recorded under another id."""
    document = json.loads(saved.read_text())
    document["claims"] = {"old-name": document["claims"][SMALL_ID]}
    path = tmp_path / "renamed.json"
    path.write_text(json.dumps(document))
    return path


def _scaling(verdict: str, estimate: float, half: float, reason: str = "") -> dict:
    return {"verdict": verdict, "direction": "", "reason": reason,
            "quantity": {"name": "scaling_exponent", "estimate": estimate,
                         "ci": [estimate - half, estimate + half]}}


def test_noise_flip_on_a_bound_is_a_note_not_a_regression():
    old = _scaling("consistent", 2.05, 0.08)
    new = _scaling("inconclusive", 1.99, 0.2, "too noisy: CI straddles the allowed range")
    check = baseline.compare("c", old, new)
    assert not check.regressed
    assert any("unstable verdict" in note for note in check.notes)
    # The same flip with a quantity that really moved is a regression ...
    moved = _scaling("inconclusive", 1.2, 0.2, "too noisy: CI straddles the allowed range")
    assert baseline.compare("c", old, moved).regressed
    # A transient dying out at the slope tolerance's edge is the same kind of flip ...
    transient = _scaling("inconclusive", 2.0, 0.1, "pre-asymptotic: the final local slope ...")
    assert not baseline.compare("c", old, transient).regressed
    # ... but any other verdict change is a regression.
    mismatch = _scaling("mismatch", 2.0, 0.05)
    assert baseline.compare("c", old, mismatch).regressed
    other = _scaling("inconclusive", 2.0, 0.05, "4 of 4 sweep points censored")
    assert baseline.compare("c", old, other).regressed
