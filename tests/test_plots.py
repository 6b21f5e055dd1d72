"""Figure data (limits, labels, which curves are drawn, diagnostics, scaling panel, styles),
checked without drawing; then rendering in both styles at legible sizes."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from _synthetic import all_results, claims, result, task_results

from workbench.cards.ratelaw import parse_rate
from workbench.cards.tolerances import Tolerances
from workbench.engine.evaluate import evaluate
from workbench.engine.fit import Curve, fit_curve
from workbench.engine.sweep import fit_scaling
from workbench.outputs.captions import axis_label
from workbench.outputs.figures import claim_figure, figures
from workbench.outputs.panels import (
    Line,
    clip_line,
    diagnostics_panel,
    fitted_line,
    reference_line,
    scaling_panel,
)
from workbench.outputs.styles import (
    FIRST_HASHED_GROUP,
    HASHED_SLOTS,
    METHOD_SLOTS,
    PALETTE,
    PAPER,
    SLIDES,
    STYLES,
    algorithm_color,
    algorithm_style,
    get_style,
)


def power_curve(exponent: float = -1.0, seeds: int = 4) -> Curve:
    t = np.geomspace(1, 1e4, 81)
    rng = np.random.default_rng(1)
    values = 5.0 * t**exponent * np.exp(0.02 * rng.standard_normal((seeds, t.size)))
    return Curve(t, values)


def loglog_slope(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def evaluated(claim, trace, floor: float = 0.0):
    """A claim judged on synthetic traces whose measure has accuracy ``floor``."""
    fake = [replace(r, floors={claim.measure: floor}) for r in task_results(claim, trace)]
    return evaluate(claim, fake, claim.tolerances, {"seeds": list(range(claim.seeds)),
                                                    "mode": "quick"})


# -- lines ------------------------------------------------------------------------------------

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
    # Drawn over the usable range too, through the same anchor; log(T)/T is not positive at
    # T = 1, so the line starts after it.
    wide = reference_line(curve, fit, law, {}, start=1.0)
    assert wide is not None and wide.x[0] > 1.0 and wide.x[0] < ref.x[0]
    assert np.interp(np.log(t[start]), np.log(wide.x), np.log(wide.y)) == pytest.approx(
        np.log(ref.y[0]))


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


def test_clip_line_cuts_where_the_line_leaves_the_axes():
    x = np.arange(0.0, 100.0)
    line = Line(x, 10.0 ** (-x / 10), "claimed")  # 1 down to 1e-9.9
    clipped = clip_line(line, (0.0, 80.0), (1e-5, 10.0))
    assert clipped is not None
    assert clipped.y.min() == pytest.approx(1e-5) and clipped.x[-1] == pytest.approx(50.0)
    assert np.all((clipped.y >= 1e-5 * (1 - 1e-12)) & (clipped.y <= 10.0))
    # Entering from above: the first point is moved onto the upper limit.
    rising = clip_line(Line(x, 10.0 ** (3 - x / 10), "c"), None, (1e-5, 10.0))
    assert rising is not None and rising.y[0] == pytest.approx(10.0)
    assert rising.x[0] == pytest.approx(20.0)
    assert clip_line(line, (0.0, 80.0), (1e3, 1e4)) is None  # never inside


# -- trace panel: axes set by the data --------------------------------------------------------

def test_claim_figure_axes_and_summary(tmp_path):
    cards = claims(tmp_path)
    power, detail = result(cards["syn-power"])
    data = claim_figure(power, detail)
    panel = data.trace
    assert panel.xscale == "log" and panel.xlabel == "iterations t"
    assert panel.window == power.fit.window
    # The usable range holds the local sequence; the final window is its last window.
    assert panel.usable[0] <= power.fit.local[0].t_lo
    assert panel.usable[1] == power.fit.local[-1].t_hi == power.fit.window[1]
    assert panel.seeds.shape == (4, panel.t.size)
    assert np.all(panel.band[0] <= panel.center) and np.all(panel.center <= panel.band[1])
    assert panel.reference is not None and "log(T)/T" in panel.reference.label
    assert panel.floor_level == 0  # the traces are nowhere near their floor
    # y limits hold the data with a margin, and the claimed line stays inside them.
    lo, hi = panel.ylim
    assert lo < panel.seeds.min() < panel.seeds.max() < hi
    assert lo > panel.seeds.min() / 10 and hi < panel.seeds.max() * 10
    assert np.all(panel.reference.y >= lo * (1 - 1e-9)) and np.all(panel.reference.y <= hi)
    assert data.summary[0] == "verdict: consistent"
    assert any(line.startswith(f"final local slope {power.fit.estimate:.3f}")
               for line in data.summary)
    # The slack of a consistent verdict is stated in the box.
    slack = [n for n in power.verdict.notes if n.startswith("slack")]
    assert slack and slack[0] in data.summary
    assert "Tester (2026)" in data.paper
    assert data.method_reference == "Robbins and Monro (1951)"  # sgd's Algorithm.reference
    assert data.color == algorithm_color("sgd") and data.style == algorithm_style("sgd")
    factor, detail = result(cards["syn-factor"])
    assert claim_figure(factor, detail).trace.xscale == "linear"
    # Without symbol values the reference is left out, the rest stays.
    bare = claim_figure(factor, None).trace
    assert bare.reference is None and bare.fitted is not None


def test_floor_is_marked_and_limits_follow_the_data(tmp_path):
    """An error that reaches round-off at t = 60 of 200: the y axis spans the data down to the
    floor (not 30 decades of a claimed line), values below the floor are drawn on it, and
    the x axis stops a little after the floor is reached, saying so."""
    claim = claims(tmp_path)["syn-factor"]

    def trace(t, p, s):
        return np.maximum(0.6 ** t * (1 + 0.01 * s), 1e-30)

    res = evaluated(claim, trace, floor=1e-12)
    data = claim_figure(res, None)
    panel = data.trace
    floor = max(1e-12, claim.tolerances.rel_floor * panel.center[0])
    assert panel.floor_level == pytest.approx(floor)
    assert panel.floor_label.startswith(f"floor {floor:.2g}")
    lo, hi = panel.ylim
    assert floor / 10 < lo < floor  # not down to the 1e-30 the trace goes
    shown = panel.shown(panel.seeds)
    assert np.all(shown >= floor) and np.all(np.isfinite(shown))
    assert shown[:, -1] == pytest.approx(floor)  # the tail is drawn on the floor
    reached = panel.floor_from
    assert reached is not None and 40 < reached < 70
    assert panel.xlim[1] < 100 and panel.xlim[1] > panel.window[1]
    assert "t = 200" in panel.cut_note and f"t = {reached:.4g}" in panel.cut_note


def test_reference_is_clipped_to_the_data_limits(tmp_path):
    claim = claims(tmp_path)["syn-factor"]
    res = evaluated(claim, lambda t, p, s: 0.5 ** t * (1 + 0.01 * s), floor=1e-13)
    symbols = {"mu": 0.5, "L": 1.0}  # a claimed factor 0.5: as steep as the data
    res.symbols = [symbols]
    panel = claim_figure(res, None).trace
    assert panel.reference is None  # no symbol values given: nothing claimed is drawn
    from workbench.outputs.figures import RunDetail

    panel = claim_figure(res, RunDetail([symbols])).trace
    ref = panel.reference
    assert ref is not None
    lo, hi = panel.ylim
    assert np.all((ref.y >= lo * (1 - 1e-9)) & (ref.y <= hi * (1 + 1e-9)))
    assert np.all((ref.x >= panel.xlim[0]) & (ref.x <= panel.xlim[1] * (1 + 1e-12)))


def test_exact_zeros_are_drawn_on_a_marked_zero_line(tmp_path):
    claim = claims(tmp_path)["syn-power"]
    res = evaluated(claim, lambda t, p, s: np.where(t < 3000, 1.0 / t, 0.0))
    panel = claim_figure(res, None).trace
    smallest = panel.seeds[panel.seeds > 0].min()
    assert 0 < panel.floor_level < smallest
    assert panel.floor_label.startswith("exact 0")
    shown = panel.shown(panel.seeds)
    assert np.all(np.isfinite(shown))  # traces do not vanish where the error is 0
    assert np.all(shown[:, panel.t >= 3000] == panel.floor_level)
    assert panel.ylim[0] < panel.floor_level


def test_x_axis_is_named_by_the_claims_axis(tmp_path):
    claim = claims(tmp_path)["syn-factor"]  # gd on logistic.l2
    assert axis_label(claim) == "iterations t"
    calls = replace(claim, axis="calls")
    assert axis_label(calls) == "oracle calls t: full gradients"
    sgd = replace(claims(tmp_path)["syn-power"], axis="calls")
    assert axis_label(sgd) == "oracle calls t: stochastic gradients"


# -- sweeps -------------------------------------------------------------------------------------

def test_sweep_draws_one_representative_point_in_full(tmp_path):
    sweep, detail = result(claims(tmp_path)["syn-sweep"])
    data = claim_figure(sweep, detail)
    assert len(data.traces) == 1
    panel = data.trace
    # exp(-Omega(lam*T)) speaks of small lam: that end is drawn in full.
    assert sweep.scaling.limit == "small"
    assert panel.label == "lam = 0.01"
    assert data.scaling.representative == 0.01
    assert panel.window == sweep.point_fits[0].window and panel.fitted is not None
    assert panel.reference is None  # exp(-Omega(lam*T)) fixes no constant to draw
    # The other points are their aggregates only, labelled by their value.
    assert [o.label for o in panel.others] == ["lam = 0.02", "lam = 0.04", "lam = 0.08"]
    np.testing.assert_allclose(panel.others[0].y, sweep.point_fits[1].center)
    assert data.diagnostics is not None and data.diagnostics.label == "lam = 0.01"


def test_scaling_panel_ticks_lines_and_censoring(tmp_path):
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
    # A labelled tick at every swept value, censored ones included.
    assert panel.ticks.tolist() == sorted(values.tolist())
    assert loglog_slope(panel.fitted.x, panel.fitted.y) == pytest.approx(scaling.exponent)
    assert loglog_slope(panel.expected.x, panel.expected.y) == pytest.approx(1.0)
    assert f"{scaling.exponent:.3g}" in panel.fitted.label and "1" in panel.expected.label
    assert panel.exponents == (f"fitted exponent {scaling.exponent:.3g}, claimed exponent 1")
    x, lo, hi = panel.exponent_band
    assert np.all(lo <= panel.fitted.y + 1e-12) and np.all(panel.fitted.y <= hi + 1e-12)
    np.testing.assert_allclose(panel.low[:-1], quantities[:, :-1].min(axis=0))
    assert panel.bars == "seed range"
    assert panel.xlabel == "lam (bound speaks of small lam)"


# -- diagnostics --------------------------------------------------------------------------------

def test_diagnostics_show_the_local_sequence_with_claim_and_band(tmp_path):
    cards = claims(tmp_path)
    power, _ = result(cards["syn-power"])
    tol = power.tolerances
    panel = diagnostics_panel(power.claim, power.fit, tol)
    local = power.fit.local
    assert panel.quantity == "log-log slope" and panel.xscale == "log"
    assert panel.windows == [(w.t_lo, w.t_hi) for w in local]
    np.testing.assert_allclose(panel.x, [np.sqrt(w.t_lo * w.t_hi) for w in local])
    np.testing.assert_allclose(panel.estimate, [w.estimate for w in local])
    np.testing.assert_allclose(panel.expected, [w.expected for w in local])
    np.testing.assert_allclose(panel.band[0], panel.expected - tol.slope)
    np.testing.assert_allclose(panel.band[1], panel.expected + tol.slope)
    assert panel.mismatch_side == "above"  # O(.): slower (a flatter slope) contradicts it
    assert panel.final_ci == power.fit.ci
    lo, hi = panel.ylim
    assert lo < min(panel.estimate.min(), panel.band[0].min())
    assert hi > max(panel.estimate.max(), panel.band[1].max())
    # log(T)/T judged with its log factor: the claim's local slope changes along t.
    assert panel.expected[0] > panel.expected[-1] + 0.02


def test_diagnostics_show_a_persisting_deviation_outside_the_band(tmp_path):
    slow, _ = result(claims(tmp_path)["syn-slow"])  # data T^-1/2 claimed O(1/T)
    assert slow.verdict.verdict == "mismatch"
    panel = diagnostics_panel(slow.claim, slow.fit, slow.tolerances)
    assert np.all(panel.estimate[-3:] > panel.band[1][-3:])  # on the mismatch side
    assert panel.mismatch_side == "above"


def test_diagnostics_of_geometric_claims(tmp_path):
    cards = claims(tmp_path)
    factor, _ = result(cards["syn-factor"])  # 0.8**t claimed O((1 - mu/L)**T), mu/L = 0.1
    panel = diagnostics_panel(factor.claim, factor.fit, factor.tolerances)
    rtol = factor.tolerances.rate_rtol
    assert panel.xscale == "linear" and panel.quantity == "rate constant"
    np.testing.assert_allclose(panel.expected, -np.log(0.9))
    np.testing.assert_allclose(panel.band[0], panel.expected * (1 - rtol))
    assert panel.mismatch_side == "below"  # a smaller rate constant is slower
    assert panel.ylim[0] == 0.0 and panel.reference is None
    np.testing.assert_allclose(panel.estimate, -np.log(0.8), rtol=0.01)
    sweep, _ = result(cards["syn-sweep"])  # exp(-Omega(lam*T)): no constant to compare
    point = diagnostics_panel(sweep.claim, sweep.point_fits[0], sweep.tolerances)
    assert point.band is None and point.reference == sweep.point_fits[0].estimate
    assert point.reference_band == sweep.point_fits[0].ci and "no constant" in point.note


def test_omega_claims_are_contradicted_below(tmp_path):
    cards = claims(tmp_path)
    power, _ = result(cards["syn-power"])
    omega = replace(power.claim, rate=parse_rate("Omega(log(T)/T)"))
    assert diagnostics_panel(omega, power.fit, power.tolerances).mismatch_side == "below"
    theta = replace(power.claim, rate=parse_rate("Theta(log(T)/T)"))
    assert diagnostics_panel(theta, power.fit, power.tolerances).mismatch_side == "both"


# -- styles of algorithms -------------------------------------------------------------------

def test_well_known_methods_have_fixed_distinct_styles():
    # Okabe-Ito colours; the first six well-known methods differ by colour alone.
    assert algorithm_color("gd") == "#0072B2" and algorithm_color("sgd") == "#D55E00"
    assert algorithm_style("extragradient") == algorithm_style("eg")  # aliases share
    styles = {name: algorithm_style(name) for name in METHOD_SLOTS}
    distinct = {(s.color, s.marker, s.linestyle) for s in styles.values()}
    assert len(distinct) == len(set(METHOD_SLOTS.values()))
    # More methods than colours: two that share a colour differ in marker and line style.
    same = [a for a in METHOD_SLOTS if algorithm_color(a) == algorithm_color("gd")]
    assert len({algorithm_style(a).marker for a in same}) == len(
        {METHOD_SLOTS[a] for a in same})
    assert all(s.color in PALETTE for s in styles.values())
    # Hashed names never take a well-known method's slot.
    known = {(s.color, s.marker) for s in styles.values()}
    hashed = algorithm_style("some_new_method")
    assert (hashed.color, hashed.marker) not in known
    assert min(HASHED_SLOTS) == FIRST_HASHED_GROUP * len(PALETTE)


# Literal styles of names no family registers (recorded once; crc32 of the name picks the
# slot, so they must never change, on any machine or Python hash seed).
PINNED_STYLES = {
    "adagrad": ("#0072B2", "v", "▼"),
    "lbfgs": ("#D55E00", "<", "◀"),
    "prox_newton": ("#56B4E9", "<", "◀"),
    "frank_wolfe_away": ("#CC79A7", "p", "⬟"),
}


def test_hashed_styles_are_stable_across_runs():
    """A name outside the catalogue gets the same literal style in this process and in
    fresh processes with other hash seeds (Python's salted hash() would move it)."""
    import json
    import os
    import subprocess
    import sys

    got = {n: (s.color, s.marker, s.glyph) for n in PINNED_STYLES
           for s in [algorithm_style(n)]}
    assert got == PINNED_STYLES
    code = ("import json, sys\nfrom workbench.outputs.figures import algorithm_style\n"
            "print(json.dumps({n: [s.color, s.marker, s.glyph] for n in sys.argv[1:] "
            "for s in [algorithm_style(n)]}))")
    for seed in ("1", "4242"):
        done = subprocess.run([sys.executable, "-c", code, *PINNED_STYLES], check=True,
                              capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        assert {k: tuple(v) for k, v in json.loads(done.stdout).items()} == PINNED_STYLES


def test_adding_algorithms_restyles_nothing(monkeypatch):
    """Styles depend on the name alone, not on what else the catalogue holds."""
    import workbench.catalogue as catalogue_module
    from workbench.catalogue import Algorithm, Problem, catalogue

    real = catalogue()
    names = sorted({a for problem in real.values() for a in problem.algorithms} | {"zeta"})
    before = {name: algorithm_style(name) for name in names}
    run = real["logistic.l2"].algorithms["gd"].run
    extra = Problem("aaa.extra", real["logistic.l2"].make, {},
                    [Algorithm(n, run, {}, ("f_gap",)) for n in ("a0", "aa", "gd_b", "zz")],
                    "more algorithms")
    monkeypatch.setattr(catalogue_module, "catalogue", lambda: {**real, extra.name: extra})
    assert {name: algorithm_style(name) for name in names} == before


def test_algorithms_of_one_family_are_told_apart():
    """Algorithms of a family are drawn side by side: each has its own style. A new family
    whose hashed names collide adds its algorithms to ``_KNOWN_METHODS`` in figures.py."""
    from workbench.catalogue import catalogue

    families: dict[str, set[str]] = {}
    for name, problem in catalogue().items():
        families.setdefault(name.split(".")[0], set()).update(problem.algorithms)
    for family, names in families.items():
        styles = {name: algorithm_style(name) for name in sorted(names)}
        looks = [(s.color, s.marker) for s in styles.values()]
        assert len(set(looks)) == len(looks), (family, styles)


# -- figures and captions -------------------------------------------------------------------

@pytest.fixture(scope="module")
def grouped_results(tmp_path_factory):
    return all_results(tmp_path_factory.mktemp("cards"), power_figure="pair")


def test_caption_cites_papers_methods_and_settings(grouped_results):
    results, details = grouped_results
    pair = figures(results, details)[0]
    assert pair.caption[:2] == [
        f"Claim: {results[0].claim.paper_label}",
        "Methods: sgd (Robbins and Monro (1951)); gd (Cauchy (1847))"]
    assert pair.caption[2].startswith("Run (syn-power): 4 seeds (0..3); horizon 10000; "
                                      "logistic.l2")
    single = figures(results, details)[1]
    assert single.caption[1] == "Method: gd (Cauchy (1847))"
    assert single.caption[2].startswith("Run: 4 seeds (0..3); horizon 200")


def test_shared_figure_groups_claims(grouped_results):
    results, details = grouped_results
    grouped = figures(results, details)
    assert [f.name for f in grouped] == ["pair", "syn-factor", "syn-sweep"]
    assert grouped[0].claim_ids == ["syn-power", "syn-slow"]
    first, second = grouped[0].claims
    assert first.style != second.style  # sgd and gd
    assert second.verdict == "mismatch"


# -- rendering --------------------------------------------------------------------------------

def test_styles():
    assert set(STYLES) == {"paper", "slides"} and get_style("paper") is PAPER
    with pytest.raises(ValueError, match="paper"):
        get_style("poster")
    assert PAPER.width == 6.75 and PAPER.font_size >= 8 and PAPER.dpi >= 200
    assert SLIDES.width / 7.5 == pytest.approx(16 / 9, rel=0.01) and SLIDES.font_size >= 14


@pytest.mark.parametrize("style", ["paper", "slides"])
def test_rendered_text_is_legible_at_printed_size(grouped_results, style):
    """Every text of every figure is at least 7 pt (paper) or 12 pt (slides) at the printed
    width, and the figure carries its legend, verdict box and settings (so an exported
    PDF is self-explanatory)."""
    import matplotlib
    from matplotlib.text import Text

    from workbench.outputs import drawing as render

    results, details = grouped_results
    chosen = get_style(style)
    smallest = 7.0 if style == "paper" else 12.0
    for data in figures(results, details):
        with matplotlib.rc_context(dict(chosen.rc)):
            fig = render.render(data, chosen)
            fig.draw_without_rendering()
            texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        assert fig.get_figwidth() == pytest.approx(chosen.width)
        sizes = [t.get_fontsize() for t in texts]
        assert min(sizes) >= smallest, [(t.get_text(), t.get_fontsize()) for t in texts
                                        if t.get_fontsize() < smallest][:5]
        joined = "\n".join(t.get_text() for t in texts)
        assert "Run" in joined and "Claim: " in joined
        assert "CONSISTENT" in joined or "MISMATCH" in joined
        assert any(ax.get_legend() is not None for ax in fig.axes)


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_every_figure_type_renders(tmp_path, fmt, grouped_results):
    from workbench.outputs import drawing as render

    results, details = grouped_results
    every = figures(results, details)
    if fmt != "png":  # one figure (the one with every panel type) is enough per format
        every = [d for d in every if d.name == "syn-sweep"]
    written = [render.save(d, tmp_path / "out", fmt) for d in every]
    assert sorted(p.name for p in written) == sorted(f"{d.name}.{fmt}" for d in every)
    assert len(written) == (3 if fmt == "png" else 1)
    magic = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}[fmt]
    for path in written:
        assert path.read_bytes().startswith(magic)
    if fmt == "png":
        from PIL import Image

        with Image.open(tmp_path / "out" / "syn-sweep.png") as image:
            sweep = image.size
        with Image.open(tmp_path / "out" / "syn-factor.png") as image:
            factor = image.size
        # Printed at 6.75 in, rasterised at the paper style's dpi.
        assert sweep[0] == factor[0] == round(PAPER.width * PAPER.dpi)
        assert sweep[1] > factor[1]  # the sweep has a second row (scaling, diagnostics)


def test_slides_style_renders_wider(tmp_path, grouped_results):
    from PIL import Image

    from workbench.outputs import drawing as render

    results, details = grouped_results
    data = [d for d in figures(results, details) if d.name == "syn-factor"][0]
    path = render.save(data, tmp_path, "png", "slides")
    with Image.open(path) as image:
        assert abs(image.size[0] - SLIDES.width * SLIDES.dpi) <= 1  # 16:9 at 120 dpi
