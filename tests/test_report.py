"""The HTML report and its JSON twin; in headless Chromium when it is installed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from _synthetic import CARD, all_results

from workbench.outputs.report import render_html, write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A report on the synthetic claims: (page path, results)."""
    results, details = all_results(tmp_path_factory.mktemp("cards"), power_figure="pair")
    card = Path(results[0].claim.source)
    card.write_text(card.read_text().replace(
        'id = "syn-power"\n', 'id = "syn-power"\nsource_ref = "Theorem 9"\nnotes = """Measured '
        'on the last iterate\nbecause the lemma bounds it; the log factor is part of the '
        'claim."""\n', 1))
    results = [replace(r, claim=replace(r.claim, notes=(
        "Measured on the last iterate\nbecause the lemma bounds it; the log factor is part "
        "of the claim.") if r.claim.id == "syn-power" else r.claim.notes,
        source_ref="Theorem 9" if r.claim.id == "syn-power" else r.claim.source_ref))
        for r in results]
    out = tmp_path_factory.mktemp("report")
    page = write_report(results, details, out, quick=True, run_info={"selection": "test"})
    return page, results


def test_json_has_the_same_rows_as_verify(report):
    page, results = report
    data = json.loads((page.parent / "report.json").read_text())
    by_id = {row["id"]: row for row in data["claims"]}
    assert list(by_id) == [r.claim.id for r in results]
    for r in results:
        row = by_id[r.claim.id]
        assert row["verdict"] == r.verdict.verdict and row["rate"] == r.claim.rate.text
        assert (page.parent / row["figure"]).is_file()
        # Every figure has a vector twin.
        assert (page.parent / row["figure_pdf"]).read_bytes().startswith(b"%PDF")
    assert by_id["syn-power"]["figure"] == by_id["syn-slow"]["figure"] == "pair.png"
    assert by_id["syn-power"]["method_reference"] == "Robbins and Monro (1951)"  # sgd
    assert by_id["syn-slow"]["method_reference"] == "Cauchy (1847)"  # gd
    assert by_id["syn-power"]["source_ref"] == "Theorem 9"
    info = data["provenance"]
    assert info["mode"] == "quick" and info["seeds"]["syn-power"] == [0, 1, 2, 3]
    assert {"date", "code_version", "numpy", "matplotlib"} <= set(info)
    # Sweeps carry each point's fit and local sequence.
    points = by_id["syn-sweep"]["sweep_points"]
    assert [p["value"] for p in points] == [0.01, 0.02, 0.04, 0.08]
    sweep = next(r for r in results if r.claim.id == "syn-sweep")
    assert points[0]["local"] == [w.to_dict() for w in sweep.point_fits[0].local]


def test_rows_carry_the_command_that_reproduces_them(report, tmp_path):
    page, results = report
    data = json.loads((page.parent / "report.json").read_text())
    row = data["claims"][0]
    card = results[0].claim.source
    assert row["command"] == f"workbench verify syn-power --claims {card} --quick"
    from workbench.cards.claims import builtin_cards_dir
    from workbench.outputs.report import reproduce_command

    # A built-in card needs no --claims; the run's seeds, seed start and limits are kept.
    builtin = replace(results[0].claim, source=str(builtin_cards_dir() / "some_card.toml"))
    assert reproduce_command(builtin, {"mode": "full", "seed_start": 7}, False,
                             {"seeds": 3, "limit_horizon": 10**8}) == (
        "workbench verify syn-power --seeds 3 --seed-start 7 --limit-horizon 100000000")


def test_page_is_self_contained(report):
    page, results = report
    text = page.read_text()
    assert "<script src" not in text and "<link" not in text
    assert not re.search(r"""(src|href)=["'](https?:)?//""", text)
    sources = re.findall(r'<img[^>]* src="([^"]+)"', text)
    rates = [s for s in sources if s.startswith("data:image/svg+xml;base64,")]
    assert len(rates) == len(results)  # one rendered formula per row
    for source in set(sources) - set(rates):
        assert (page.parent / source).is_file()
    for link in re.findall(r'href="([^"#][^"]*)"', text):
        assert (page.parent / link).is_file(), link
    assert text.count('<tbody class="claim" data-family="logistic"') == len(results)
    assert 'data-verdict="mismatch" id="claim-syn-slow"' in text
    # The method column: the algorithm in its style, with the method's citation.
    assert "<th>method</th>" in text
    group = re.search(r'id="claim-syn-power">(.*?)</tbody>', text, re.S).group(1)
    main = re.search(r'<tr class="main">(.*?)</tr>', group, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", main, re.S)
    assert "sgd" in cells[2] and "Robbins and Monro (1951)" in cells[2]
    assert "border-color:#D55E00" in cells[2]


def test_each_row_expands_to_notes_source_local_rates_command_and_environment(report):
    page, results = report
    text = page.read_text()
    power = next(r for r in results if r.claim.id == "syn-power")
    group = re.search(r'id="claim-syn-power">(.*?)</tbody>', text, re.S).group(1)
    details = re.search(r'<details id="details-syn-power">(.*?)</details>\s*</td>', group,
                        re.S).group(1)
    assert "Source: Theorem 9" in details
    notes = re.search(r'<section class="notes">(.*?)</section>', details, re.S).group(1)
    # The card's hard-wrapped notes come back as one paragraph.
    assert "<p>Measured on the last iterate because the lemma bounds it; the log factor " \
           "is part of the claim.</p>" in notes
    assert any(n in details for n in power.verdict.notes if n.startswith("slack"))
    # The local rates per window, the final one (the verdict's) marked.
    table = re.search(r'<table class="local">(.*?)</table>', details, re.S).group(1)
    windows = re.findall(r"<tr( class=\"final\")?><td>", table)
    assert len(windows) == len(power.fit.local) and windows[-1] and not windows[0]
    assert f"{power.fit.local[-1].estimate:.4g}" in table
    assert 'href="#fig-pair"' in details and 'href="pair.pdf"' in details
    assert "workbench verify syn-power" in details
    assert "<dt>seeds</dt><dd>0..3 (4 seeds)</dd>" in details
def test_unrenderable_rate_falls_back_to_text():
    row = {"id": "x", "paper": "p", "problem": "q", "algorithm": "gd", "measure": "m",
           "rate": "O(1/T)", "rate_latex": r"\badcommand{", "statement": "", "verdict":
           "consistent", "direction": "", "reason": "", "observed": {}, "observed_text": "-",
               "ci_text": "-", "family": "f",
           "figure": "x.png"}
    html = render_html([row], {"mode": "quick"}, [])
    assert "<code>O(1/T)</code>" in html


def _chromium(*args: str, tmp: Path) -> subprocess.CompletedProcess:
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install "
                    "chromium); the in-browser report test needs it")
def test_report_in_headless_chromium(report, tmp_path):
    page, results = report
    url = page.resolve().as_uri()
    shown, notes = {}, {}
    for fragment, expected in (("", {r.claim.id for r in results}),
                               ("#verdict=mismatch", {"syn-slow"}),
                               ("#verdict=consistent&family=logistic",
                                {"syn-power", "syn-factor", "syn-sweep"}),
                               ("#family=nonexistent", {r.claim.id for r in results}),
                               ("#claim=syn-power", {r.claim.id for r in results}),
                               ("#details=all&verdict=mismatch", {"syn-slow"}),
                               ("#details=all", {r.claim.id for r in results})):
        done = _chromium("--virtual-time-budget=5000", "--dump-dom", url + fragment,
                         tmp=tmp_path)
        dom = done.stdout
        assert "<table" in dom, done.stderr[-2000:]
        body = re.search(r"<body([^>]*)>", dom).group(1)
        images = re.search(r'data-images="(\d+)/(\d+)"', body)
        assert images, "the page's load handler did not run"
        assert images.group(1) == images.group(2) != "0", body
        groups = re.findall(r'<tbody class="claim" data-family="[^"]*" data-verdict="[^"]*" '
                            r'id="claim-([^"]+)"([^>]*)>', dom)
        visible = {claim for claim, rest in groups if "hidden" not in rest}
        assert visible == expected, fragment
        shown[fragment] = re.search(r'data-shown="(\d+)"', body).group(1)
        notes[fragment] = re.search(r'data-notes-visible="(\d+)"', body).group(1)
    # Notes are rendered (not only in the DOM) when their row is expanded, from the URL.
    assert notes[""] == "0"
    assert notes["#claim=syn-power"] == "1"
    assert notes["#details=all&verdict=mismatch"] == "1"
    assert notes["#details=all"] == str(len(results))
    assert shown["#verdict=mismatch"] == "1"
    shot = tmp_path / "report.png"
    done = _chromium("--window-size=1400,1000", f"--screenshot={shot}",
                     url + "#claim=syn-power", tmp=tmp_path)
    assert shot.is_file() and shot.read_bytes().startswith(b"\x89PNG"), done.stderr[-2000:]
    shutil.copy(shot, page.parent / "screenshot.png")


def test_cli_plot_and_report(run_cli, tmp_path):
    card = tmp_path / "small.toml"
    card.write_text(CARD.split("[[claim]]")[0] + """
[[claim]]
id = "tiny-gd"
statement = "GD with step 1/L contracts by at least 1 - mu/L."
problem = "logistic.l2"
problem_params = { n = 40, d = 4, lam = 1e-2 }
algorithm = "gd"
measure = "dist_sq"
rate = "O((1 - mu/L)**T)"
horizon = 200
seeds = 2
""")
    status, out, err = run_cli("plot", "--claims", str(card), "--all", "--out",
                               str(tmp_path / "figs"), "--format", "svg", "--jobs", "1",
                               "--no-progress")
    assert status == 0, err
    assert (tmp_path / "figs" / "tiny-gd.svg").is_file()
    status, out, err = run_cli("plot", "--claims", str(card), "--all", "--out",
                               str(tmp_path / "slides"), "--style", "slides", "--jobs", "1",
                               "--no-progress")
    assert status == 0, err
    from PIL import Image

    with Image.open(tmp_path / "slides" / "tiny-gd.png") as image:
        assert image.size[0] >= 1599  # 13.3 in at 120 dpi
    status, out, err = run_cli("plot", "--claims", str(card), "--all", "--style", "poster")
    assert status == 2 and "poster" in err
    status, out, err = run_cli("report", "--claims", str(card), "--quick", "--out",
                               str(tmp_path / "rep"), "--jobs", "1", "--no-progress")
    assert status == 0, err
    data = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert [row["id"] for row in data["claims"]] == ["tiny-gd"]
    assert data["claims"][0]["observed"]["model"] == "geometric"
    assert (tmp_path / "rep" / "tiny-gd.png").is_file()
    assert (tmp_path / "rep" / "tiny-gd.pdf").is_file()
    assert data["claims"][0]["command"].endswith(f"verify tiny-gd --claims {card} --quick")
    status, out, err = run_cli("plot", "--claims", str(card))
    assert status == 2 and "--all" in err
    status, out, err = run_cli("plot", "nope", "--claims", str(card))
    assert status == 2 and "unknown claim" in err


def test_report_assets_are_package_data():
    """The page's template, style sheet and script are files in ``workbench/outputs/assets``
    that a non-editable install ships: each one named in ``ASSETS`` exists, every file there
    is named, and each matches a ``[tool.setuptools.package-data]`` pattern."""
    import fnmatch
    import tomllib

    from workbench.outputs.report import ASSETS, asset

    root = Path(__file__).resolve().parents[1]
    folder = root / "workbench" / "outputs" / "assets"
    assert sorted(p.name for p in folder.iterdir()) == sorted(ASSETS)
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["workbench.outputs"]
    for name in ASSETS:
        assert any(fnmatch.fnmatch(f"assets/{name}", p) for p in patterns), name
        assert asset(name) == (folder / name).read_text(encoding="utf-8")
    assert "{css}" in asset("report.html") and "{js}" in asset("report.html")
    with pytest.raises(ValueError, match="unknown report asset"):
        asset("report.svg")
