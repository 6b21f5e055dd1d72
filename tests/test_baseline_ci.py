"""CI: ``workbench baseline check --quick`` over the whole checked-in baseline.

This is the only test that runs the whole catalogue. It re-runs every claim of
``baselines/quick.json`` with fresh seeds (disjoint from the ones the baseline was saved with)
and expects no regression. Claims added after the baseline was saved are reported as new and
do not fail it; regenerate the file with
``workbench baseline save --quick --out baselines/quick.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

from workbench.outputs import baselines as baseline

BASELINE = Path(__file__).resolve().parent.parent / "baselines" / "quick.json"


def test_quick_catalogue_has_no_regression_with_fresh_seeds(run_cli):
    recorded = baseline.load(BASELINE)["claims"]
    used = [s for entry in recorded.values() for s in entry["provenance"]["seeds"]]
    fresh = (max(used) // 1000 + 1) * 1000
    status, out, err = run_cli("baseline", "check", "--quick", "--baseline", str(BASELINE),
                               "--seed-start", str(fresh), "--no-progress", "--json")
    report = json.loads(out)
    failures = [f"{c['id']}: {'; '.join(c['regressions'])}" for c in report["claims"]
                if c["regressions"]]
    assert status == 0, "\n".join(failures) or err
    checked = {c["id"] for c in report["claims"]}
    assert checked == set(recorded) - set(report["not_in_cards"])
    assert checked, "the baseline check ran no claim"
