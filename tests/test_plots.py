"""Figure data (window, fitted line, claimed-rate reference, scaling panel) and rendering."""

from __future__ import annotations

import numpy as np
import pytest
from _synthetic import all_results, claims, result

from workbench.cards.ratelaw import parse_rate
from workbench.cards.tolerances import Tolerances
from workbench.engine.fit import Curve, fit_curve
from workbench.engine.sweep import fit_scaling
from workbench.outputs.figures import (
    HASHED_PALETTE,
    METHOD_COLORS,
    algorithm_color,
    claim_figure,
    figures,
    fitted_line,
    reference_line,
    scaling_panel,
)


def power_curve(exponent: float = -1.0, seeds: int = 4) -> Curve:
    t = np.geomspace(1, 1e4, 81)
    rng = np.random.default_rng(1)
    values = 5.0 * t**exponent * np.exp(0.02 * rng.standard_normal((seeds, t.size)))
    return Curve(t, values)


def loglog_slope(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def test_fitted_line_is_the_fit_over_its_window():
    curve, law = power_curve(-1.0), parse_rate("O(1/T)")
    fit = fit_curve(curve, law, {}, Tolerances())
    line = fitted_line(curve, fit)
    assert line is not None and fit.window is not None
    assert line.x[0] == pytest.approx(fit.window[0]) and line.x[-1] == pytest.approx(
        fit.window[1])
    assert loglog_slope(line.x, line.y) == pytest.approx(fit.estimate, rel=1e-9)
    assert fit.estimate == pytest.approx(-1.0, abs=0.02)
    # Least squares on the aggregate: residuals in log space sum to zero over the window.
    inside = (curve.t >= fit.window[0]) & (curve.t <= fit.window[1])
    residual = np.log(curve.values.mean(axis=0)[inside]) - np.log(line.y)
    assert abs(residual.sum()) < 1e-8


def test_reference_honours_log_factors_and_is_anchored_at_window_start():
    t = np.geomspace(1, 1e4, 81)
    curve = Curve(t, np.vstack([3 * np.log(t + 1) / t] * 3))
    law = parse_rate("O(log(T)/T)")
    fit = fit_curve(curve, law, {}, Tolerances())
    ref = reference_line(curve, fit, law, {})
    assert ref is not None and fit.window is not None
    start = int(np.flatnonzero(t >= fit.window[0])[0])
    assert ref.x[0] == t[start]
    assert ref.y[0] == pytest.approx(curve.values.mean(axis=0)[start])
    expected = ref.y[0] * (np.log(ref.x) / ref.x) / (np.log(ref.x[0]) / ref.x[0])
    np.testing.assert_allclose(ref.y, expected, rtol=1e-10)
    # Not a pure power law: the local slope -1 + 1/log(T) steepens towards -1.
    assert loglog_slope(ref.x[:10], ref.y[:10]) > loglog_slope(ref.x[-10:], ref.y[-10:]) + 0.01


def test_reference_explicit_factor_uses_the_symbol_values():
    t = np.arange(1.0, 201.0)
    curve = Curve(t, np.vstack([0.8**t] * 3))
    law = parse_rate("O((1 - mu/L)**T)")
    fit = fit_curve(curve, law, {"mu": 0.1, "L": 1.0}, Tolerances())
    ref = reference_line(curve, fit, law, {"mu": 0.1, "L": 1.0})
    assert ref is not None
    np.testing.assert_allclose(ref.y / ref.y[0], 0.9 ** (ref.x - ref.x[0]), rtol=1e-9)
    line = fitted_line(curve, fit)
    assert line is not None
    assert np.exp(-fit.estimate) == pytest.approx(0.8, rel=1e-6)
    np.testing.assert_allclose(line.y[1:] / line.y[:-1], 0.8, rtol=1e-6)
    assert reference_line(curve, fit, law, {"mu": 0.1}) is None  # L missing: no reference


def test_reference_of_exponential_form_has_constant_one():
    t = np.arange(1.0, 401.0)
    curve = Curve(t, np.vstack([np.exp(-0.05 * t)] * 3))
    law = parse_rate("exp(-Omega(alpha**2*T))")
    fit = fit_curve(curve, law, {"alpha": 0.2}, Tolerances())
    ref = reference_line(curve, fit, law, {"alpha": 0.2})
    assert ref is not None
    np.testing.assert_allclose(ref.y / ref.y[0], np.exp(-0.04 * (ref.x - ref.x[0])), rtol=1e-9)


def test_claim_figure_axes_and_summary(tmp_path):
    cards = claims(tmp_path)
    power, detail = result(cards["syn-power"])
    data = claim_figure(power, detail)
    panel = data.traces[0]
    assert panel.xscale == "log"
    assert panel.window == power.fit.window
    assert panel.seeds.shape == (4, panel.t.size)
    assert np.all(panel.band[0] <= panel.center) and np.all(panel.center <= panel.band[1])
    assert panel.reference is not None and "log(T)/T" in panel.reference.label
    assert data.summary[0] == "verdict: consistent"
    assert any(f"{power.fit.estimate:.3f}" in line for line in data.summary)
    assert "Tester (2026)" in data.paper
    assert data.method_reference == "Robbins and Monro (1951)"  # sgd's Algorithm.reference
    assert data.color == algorithm_color("sgd")
    factor, detail = result(cards["syn-factor"])
    assert claim_figure(factor, detail).traces[0].xscale == "linear"
    # Without symbol values the reference is left out, the rest stays.
    bare = claim_figure(factor, None).traces[0]
    assert bare.reference is None and bare.fitted is not None


def test_well_known_methods_have_fixed_distinct_colors():
    assert algorithm_color("gd") == "#1f77b4" and algorithm_color("sgd") == "#ff7f0e"
    assert algorithm_color("extragradient") == algorithm_color("eg")  # aliases share
    methods = {"gd", "sgd", "perceptron", "extragradient", "optimistic_gradient",
               "proximal_point", "halpern", "gda", "gd_asym", "gd_modified"}
    assert len({algorithm_color(name) for name in methods}) == len(methods)
    # Hashed colors never take a well-known method's color.
    assert not set(HASHED_PALETTE) & set(METHOD_COLORS.values())
    assert algorithm_color("some_new_method") in HASHED_PALETTE


def test_hashed_colors_are_stable_across_runs():
    # crc32 of the name, not Python's per-process salted hash(): pinned values.
    assert algorithm_color("some_new_method") == "#637939"
    assert algorithm_color("frank_wolfe_away") == "#843c39"


def test_adding_algorithms_recolors_nothing(monkeypatch):
    """Colors depend on the name alone, not on what else the catalogue holds."""
    import workbench.catalogue as catalogue_module
    from workbench.catalogue import Algorithm, Problem, catalogue

    real = catalogue()
    names = sorted({a for problem in real.values() for a in problem.algorithms} | {"zeta"})
    before = {name: algorithm_color(name) for name in names}
    run = real["logistic.l2"].algorithms["gd"].run
    extra = Problem("aaa.extra", real["logistic.l2"].make, {},
                    [Algorithm(n, run, {}, ("f_gap",)) for n in ("a0", "aa", "gd_b", "zz")],
                    "more algorithms")
    monkeypatch.setattr(catalogue_module, "catalogue", lambda: {**real, extra.name: extra})
    assert {name: algorithm_color(name) for name in names} == before


def test_caption_cites_papers_and_methods(grouped_results):
    results, details = grouped_results
    pair = figures(results, details)[0]
    assert pair.caption == [
        f"Claim: {results[0].claim.paper_label}",
        "Methods: sgd (Robbins and Monro (1951)); gd (Cauchy (1847))"]
    single = figures(results, details)[1]
    assert single.caption[-1] == "Method: gd (Cauchy (1847))"


@pytest.fixture(scope="module")
def grouped_results(tmp_path_factory):
    return all_results(tmp_path_factory.mktemp("cards"), power_figure="pair")


def test_shared_figure_groups_claims(grouped_results):
    results, details = grouped_results
    grouped = figures(results, details)
    assert [f.name for f in grouped] == ["pair", "syn-factor", "syn-sweep"]
    assert grouped[0].claim_ids == ["syn-power", "syn-slow"]
    first, second = grouped[0].claims
    assert first.color != second.color  # sgd and gd
    assert second.verdict == "mismatch"


def test_scaling_panel_lines_and_censoring(tmp_path):
    claim = claims(tmp_path)["syn-sweep"]
    values = np.array(claim.sweep.values)
    rng = np.random.default_rng(0)
    quantities = 3.0 * values**1.2 * np.exp(0.01 * rng.standard_normal((5, values.size)))
    quantities = np.hstack([quantities, np.full((5, 1), np.nan)])  # one censored point
    values = np.append(values, 0.16)
    law = parse_rate("Omega(lam)", variable="lam")
    scaling = fit_scaling("lam", values, quantities, law, {}, "rate_constant",
                          Tolerances().changed({"max_censored_fraction": 0.3}))
    panel = scaling_panel(claim, scaling, [], {}, quantities)
    assert panel.censored.tolist() == [0.16]
    assert np.isnan(panel.center[-1])
    assert loglog_slope(panel.fitted.x, panel.fitted.y) == pytest.approx(scaling.exponent)
    assert loglog_slope(panel.expected.x, panel.expected.y) == pytest.approx(1.0)
    x, lo, hi = panel.exponent_band
    assert np.all(lo <= panel.fitted.y + 1e-12) and np.all(panel.fitted.y <= hi + 1e-12)
    np.testing.assert_allclose(panel.low[:-1], quantities[:, :-1].min(axis=0))
    assert panel.bars == "seed range"


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_every_figure_type_renders(tmp_path, fmt, grouped_results):
    from workbench.outputs import drawing as render

    results, details = grouped_results
    every = figures(results, details)
    if fmt != "png":  # one figure (the one with every panel type) is enough per format
        every = [d for d in every if d.name == "syn-sweep"]
    written = [render.save(d, tmp_path / "out", fmt) for d in every]
    assert sorted(p.name for p in written) == sorted(
        f"{d.name}.{fmt}" for d in every)
    assert len(written) == (3 if fmt == "png" else 1)
    magic = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}[fmt]
    for path in written:
        assert path.read_bytes().startswith(magic)
    if fmt == "png":
        from PIL import Image

        with Image.open(tmp_path / "out" / "syn-sweep.png") as image:
            wide = image.size
        with Image.open(tmp_path / "out" / "syn-factor.png") as image:
            narrow = image.size
        assert wide[0] > narrow[0]  # the sweep figure has its scaling panel
