"""Draw :mod:`workbench.outputs.figures` figure data with matplotlib (Agg backend, headless).

Each claim is a block of panels: error against ``t``, the local sequence of the verdict
analysis (diagnostics) and, for sweeps, the scaling panel; then a cell with the legend and
the verdict box. A style (:mod:`workbench.outputs.styles`: ``paper`` or ``slides``) sets the
size, fonts and how many panels share a row. The caption under the figure cites the papers
and methods and gives the settings as run, so an exported PDF carries its own legend and
parameters. Nothing here computes: every number comes from the figure data.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib import mathtext  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure, SubFigure  # noqa: E402
from matplotlib.ticker import (  # noqa: E402
    FixedLocator,
    FuncFormatter,
    LogLocator,
    MaxNLocator,
    NullFormatter,
)
from matplotlib.transforms import blended_transform_factory  # noqa: E402

from workbench.outputs.figures import ClaimFigure, FigureData
from workbench.outputs.panels import DiagnosticsPanel, ScalingPanel, TracePanel
from workbench.outputs.styles import (  # noqa: E402
    CLAIM_COLOR,
    DEFAULT_STYLE,
    FIT_COLOR,
    FLOOR_COLOR,
    FORMATS,
    AlgorithmStyle,
    FigureStyle,
    algorithm_style,
    get_style,
)

MISMATCH_SHADE = "#D55E00"
MISMATCH_HATCH = "#b0b0b0"
OTHER_GREYS = ("#4d4d4d", "#737373", "#999999", "#b3b3b3", "#cccccc")


def _style(style: FigureStyle | str | None) -> FigureStyle:
    return get_style(style or DEFAULT_STYLE) if not isinstance(style, FigureStyle) else style


def _small() -> float:
    """The style's smallest text size (its legend size): nothing drawn is smaller."""
    return float(matplotlib.rcParams["legend.fontsize"])


def _math_ok(text: str) -> bool:
    try:
        mathtext.MathTextParser("path").parse(text)
    except ValueError:
        return False
    return True


def _log_ticks(ax: Axes, which: str = "y") -> None:
    """Labelled ticks on a log axis: every decade, thinned when there are many; 1-2-5
    subdivisions labelled when the axis spans less than two decades."""
    axis = ax.yaxis if which == "y" else ax.xaxis
    lo, hi = ax.get_ylim() if which == "y" else ax.get_xlim()
    decades = math.log10(hi / lo) if lo > 0 and hi > lo else 1.0
    if decades < 2:
        axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(FuncFormatter(_log_label))
    else:
        axis.set_major_locator(LogLocator(base=10, numticks=7 if which == "y" else 8))
    axis.set_minor_formatter(NullFormatter())


def _log_label(value: float, pos: int | None = None) -> str:
    """``0.05``, ``200`` or ``2×10⁴`` style labels for 1-2-5 ticks on a log axis."""
    if value <= 0:
        return ""
    if 1e-3 <= value < 1e4:
        return f"{value:g}"
    exponent = math.floor(math.log10(value) + 1e-9)
    mantissa = value / 10**exponent
    head = "" if abs(mantissa - 1) < 1e-6 else f"{mantissa:g}\\times"
    return f"${head}10^{{{exponent}}}$"


def draw_traces(ax: Axes, claim: ClaimFigure, lw: float) -> list:
    """Seeds, aggregate, band, usable range, final window, fit, claimed rate and floor of
    the trace panel; other sweep points as labelled grey lines. Returns legend handles."""
    panel = claim.trace
    if panel is None:
        ax.axis("off")
        return []
    style = claim.style or algorithm_style(claim.algorithm)
    shown = panel.shown
    seeds = panel.seeds.shape[0]
    if panel.ylim is not None:
        ax.set_ylim(*panel.ylim)
    if panel.floor_level > 0 and panel.ylim is not None:
        ax.axhspan(panel.ylim[0], panel.floor_level, facecolor=FLOOR_COLOR, alpha=0.18,
                   hatch="///", edgecolor="white", lw=0, zorder=0)
        ax.axhline(panel.floor_level, color=FLOOR_COLOR, lw=0.8 * lw, ls=(0, (4, 2)),
                   label=panel.floor_label, zorder=1)
    if panel.usable is not None:
        ax.axvspan(*panel.usable, color=style.color, alpha=0.07, lw=0,
                   label="usable range (local windows)", zorder=0)
    if panel.window is not None:
        ax.axvspan(*panel.window, color=style.color, alpha=0.22, lw=0,
                   label="final window (the fit)", zorder=0)
    anchors: list[tuple[float, float, str, str]] = []
    for k, other in enumerate(panel.others):
        grey = OTHER_GREYS[min(k, len(OTHER_GREYS) - 1)]
        y = shown(other.y)
        ax.plot(other.x, y, color=grey, lw=0.9 * lw, zorder=2,
                label="other sweep points (labelled)" if k == 0 else None)
        anchor = _line_anchor(other.x, y, panel)
        if anchor is not None:
            anchors.append((*anchor, other.label.split(" = ")[-1], grey))
    _label_lines(ax, anchors, panel)
    if seeds > 1:
        for k, row in enumerate(panel.seeds):
            ax.plot(panel.t, shown(row), color=style.color, lw=0.5 * lw, alpha=0.45, zorder=2,
                    label=f"each of {seeds} seeds" if k == 0 else None)
        ax.fill_between(panel.t, shown(panel.band[0]), shown(panel.band[1]),
                        color=style.color, alpha=0.15, lw=0, zorder=2, label="seed range")
    ax.plot(panel.t, shown(panel.center), color=style.color, lw=1.5 * lw,
            ls=style.linestyle, marker=style.marker, markevery=0.08, zorder=3,
            label=_aggregate_label(claim, panel))
    if panel.fitted is not None:
        ax.plot(panel.fitted.x, panel.fitted.y, color=FIT_COLOR, lw=1.0 * lw, ls=(0, (5, 2)),
                zorder=4, label=panel.fitted.label)
    if panel.reference is not None:
        ax.plot(panel.reference.x, panel.reference.y, color=CLAIM_COLOR, lw=1.3 * lw,
                ls=(0, (1, 1.5)), zorder=4, label=panel.reference.label)
    if panel.target is not None and panel.target > 0:
        ax.axhline(panel.target, color=MISMATCH_SHADE, lw=0.8 * lw, ls="--",
                   label="sweep target")
    ax.set_xscale(panel.xscale)
    ax.set_yscale("log")
    if panel.ylim is not None:
        ax.set_ylim(*panel.ylim)
    if panel.xlim is not None:
        ax.set_xlim(*panel.xlim)
    _log_ticks(ax, "y")
    if panel.xscale == "log":
        _log_ticks(ax, "x")
    if panel.floor_level > 0:
        _floor_ticks(ax, panel)
    if panel.cut_note:
        ax.text(0.98, 0.97, panel.cut_note + " →", transform=ax.transAxes, ha="right",
                va="top", fontsize=_small(), color="#333333", multialignment="right",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
    ax.set_xlabel(panel.xlabel)
    ax.set_ylabel(panel.ylabel.split(" (")[0])
    title = "error against t" + (f" ({panel.label})" if panel.label else "")
    ax.set_title(title, loc="left")
    return ax.get_legend_handles_labels()


def _aggregate_label(claim: ClaimFigure, panel: TracePanel) -> str:
    """``gd: mean of 4 seeds`` (with the sweep point shown, for sweeps)."""
    what = panel.ylabel.split("(")[-1].rstrip(")")
    return f"{claim.algorithm}: {what}" + (f", {panel.label}" if panel.label else "")


def _floor_ticks(ax: Axes, panel: TracePanel) -> None:
    """No y ticks under the floor (nothing is drawn there); an exact-zero floor gets a tick
    labelled 0."""
    lo, hi = ax.get_ylim()
    ticks = [v for v in ax.yaxis.get_major_locator().tick_values(lo, hi)
             if panel.floor_level * 1.5 <= v <= hi]
    zero = panel.floor_label.startswith("exact 0")
    if zero:
        ticks.append(panel.floor_level)
    ax.yaxis.set_major_locator(FixedLocator(sorted(ticks)))
    ax.yaxis.set_minor_locator(FixedLocator([]))
    default = ax.yaxis.get_major_formatter()
    level = panel.floor_level

    def label(value: float, pos: int | None = None) -> str:
        if zero and abs(value - level) <= 1e-9 * level:
            return "0"
        return default(value, pos)

    ax.yaxis.set_major_formatter(FuncFormatter(label))


def _line_anchor(x: np.ndarray, y: np.ndarray, panel: TracePanel
                 ) -> tuple[float, float] | None:
    """Where to label a line: its elbow (where it reaches the floor) or its last point
    inside the x limits."""
    finite = np.flatnonzero(np.isfinite(y))
    if finite.size == 0:
        return None
    at = finite[-1]
    if panel.floor_level > 0:
        on = np.flatnonzero(np.isfinite(y) & (y <= panel.floor_level * 1.0001))
        if on.size:
            at = on[0]
    if panel.xlim is not None and x[at] > panel.xlim[1]:
        inside = finite[x[finite] <= panel.xlim[1]]
        if inside.size == 0:
            return None
        at = inside[-1]
    return float(x[at]), float(y[at])


def _label_lines(ax: Axes, anchors: list[tuple[float, float, str, str]],
                 panel: TracePanel) -> None:
    """Direct labels; lines that end in the same place share one label (``16, 64``)."""
    if not anchors:
        return
    xlo, xhi = panel.xlim or (min(a[0] for a in anchors), max(a[0] for a in anchors))
    ylo, yhi = panel.ylim or (min(a[1] for a in anchors), max(a[1] for a in anchors))

    def unit(x: float, y: float) -> tuple[float, float]:
        fx = (math.log(x / xlo) / math.log(xhi / xlo)) if panel.xscale == "log" and xlo > 0 \
            else (x - xlo) / max(xhi - xlo, 1e-300)
        fy = math.log(y / ylo) / math.log(yhi / ylo) if ylo > 0 and y > 0 else 0.0
        return fx, fy

    groups: list[list[tuple[float, float, str, str]]] = []
    for anchor in anchors:
        ux, uy = unit(anchor[0], anchor[1])
        for group in groups:
            gx, gy = unit(group[0][0], group[0][1])
            if abs(ux - gx) < 0.06 and abs(uy - gy) < 0.05:
                group.append(anchor)
                break
        else:
            groups.append([anchor])
    for group in groups:
        x, y, _, color = group[0]
        text = ", ".join(a[2] for a in group)
        ax.annotate(text, (x, y), xytext=(2, 4), textcoords="offset points",
                    fontsize=_small(), color=color, ha="left", va="bottom")


def draw_diagnostics(ax: Axes, panel: DiagnosticsPanel, style: AlgorithmStyle,
                     lw: float, label_chars: int = 60, height: float = 2.0) -> None:
    """The local estimates against ``t`` with the claim, its tolerance band and the side
    where an estimate contradicts the claim. The legend sits in room left above the data
    (``height``: the axes' height in inches, about)."""
    plural = panel.plural or panel.quantity + "s"
    ax.set_title(f"local {plural} over t (bars: windows)", loc="left")
    ax.set_xlabel(panel.xlabel)
    ax.set_ylabel(panel.ylabel)
    if panel.empty or panel.ylim is None:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.text(0.5, 0.5, textwrap.fill(panel.note, 40), transform=ax.transAxes,
                ha="center", va="center", color="#333333")
        return
    x = panel.x
    lo = np.array([w[0] for w in panel.windows])
    hi = np.array([w[1] for w in panel.windows])
    edges = np.concatenate([[lo[0]], x, [hi[-1]]])
    labels = ["local rate", "final CI (verdict)"]
    if panel.band is not None:
        labels += [panel.tolerance_label] + (["mismatch side"] if panel.mismatch_side else [])
    if np.all(np.isfinite(panel.expected)):
        labels.append("claim")
    if panel.per_seed:
        labels.append("each seed")
    if panel.reference is not None:
        labels += ["fit, final window"] + (["its CI"] if panel.reference_band else [])
    # Two columns when they fit across the panel, else one.
    ncols = 2 if 2 * (max(map(len, labels)) + 4) <= label_chars else 1
    share = (math.ceil(len(labels) / ncols) * 1.5 + 1.0) * _small() / 72 / max(height, 0.5)
    bottom, top = panel.ylim
    top = top + min(share, 0.6) / (1 - min(share, 0.6)) * (top - bottom)  # legend room
    quantity = "slope" if panel.quantity == "log-log slope" else "rate"
    if panel.band is not None:
        band_lo = np.concatenate([[panel.band[0][0]], panel.band[0], [panel.band[0][-1]]])
        band_hi = np.concatenate([[panel.band[1][0]], panel.band[1], [panel.band[1][-1]]])
        ax.fill_between(edges, band_lo, band_hi, color=CLAIM_COLOR, alpha=0.16, lw=0,
                        label=panel.tolerance_label)
        sides = {"above": [(band_hi, np.full_like(band_hi, top))],
                 "below": [(np.full_like(band_lo, bottom), band_lo)]}
        sides["both"] = sides["above"] + sides["below"]
        for k, (a, b) in enumerate(sides.get(panel.mismatch_side, [])):
            # Hatched grey, not a colour: an algorithm may have any palette colour.
            ax.fill_between(edges, a, b, facecolor="none", edgecolor=MISMATCH_HATCH,
                            hatch="\\\\\\", lw=0, label="mismatch side" if k == 0 else None)
    if np.all(np.isfinite(panel.expected)):
        expected = np.concatenate([[panel.expected[0]], panel.expected, [panel.expected[-1]]])
        ax.plot(edges, expected, color=CLAIM_COLOR, lw=1.2 * lw, ls=(0, (1, 1.5)),
                label="claim")
    if panel.reference is not None:
        ax.axhline(panel.reference, color=FIT_COLOR, lw=0.9 * lw, ls=(0, (5, 2)),
                   label="fit, final window")
        if panel.reference_band is not None:
            ax.axhspan(*panel.reference_band, color=FIT_COLOR, alpha=0.08, lw=0,
                       label="its CI")
    for k, seed in enumerate(panel.per_seed):
        ax.plot(seed.x, seed.y, color=style.color, lw=0.6 * lw, alpha=0.45,
                label="each seed" if k == 0 else None)
    xerr = np.vstack([x - lo, hi - x])
    ax.errorbar(x, panel.estimate, xerr=xerr, color=style.color, lw=0.9 * lw,
                elinewidth=0.6 * lw, capsize=0, marker=style.marker, ls=style.linestyle,
                label=f"local {quantity}")
    if panel.final_ci is not None:
        y = panel.estimate[-1]
        err = [[max(y - panel.final_ci[0], 0)], [max(panel.final_ci[1] - y, 0)]]
        ax.errorbar([x[-1]], [y], yerr=err, color=FIT_COLOR, capsize=3, lw=0, elinewidth=lw,
                    marker="none", label="final CI (verdict)")
    ax.set_xscale(panel.xscale)
    if panel.xlim is not None:
        ax.set_xlim(*panel.xlim)
    ax.set_ylim(bottom, top)
    if panel.xscale == "log":
        _log_ticks(ax, "x")
    if panel.note:
        ax.text(0.01, 0.02, textwrap.fill(panel.note, max(label_chars - 6, 20)),
                transform=ax.transAxes,
                ha="left", va="bottom", fontsize=_small(), color="#333333",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
    _panel_legend(ax, "upper left", label_chars, ncols=ncols)


def _panel_legend(ax: Axes, loc: str, chars: int, ncols: int = 1) -> None:
    """A legend inside a panel, its labels wrapped to the panel's width."""
    items, labels = ax.get_legend_handles_labels()
    chars = max(chars // ncols - 4, 12)  # room for the handle and the spacing
    ax.legend(items, [_legend_label(label, chars) for label in labels], loc=loc, ncols=ncols,
              fontsize=_small(), framealpha=0.85, frameon=True, edgecolor="none",
              columnspacing=1.0, handlelength=1.8)


def draw_scaling(ax: Axes, panel: ScalingPanel, style: AlgorithmStyle, lw: float,
                 label_chars: int = 60) -> None:
    """Fitted quantity at every swept value, with the claimed and fitted lines, the
    exponent's CI band and censored points."""
    ok = np.isfinite(panel.center)
    x, y = panel.values[ok], panel.center[ok]
    if panel.exponent_band is not None:
        ax.fill_between(*panel.exponent_band, color=FIT_COLOR, alpha=0.08, lw=0,
                        label="exponent CI")
    if panel.fitted is not None:
        ax.plot(panel.fitted.x, panel.fitted.y, color=FIT_COLOR, ls=(0, (5, 2)), lw=lw,
                label=panel.fitted.label)
    if panel.expected is not None:
        ax.plot(panel.expected.x, panel.expected.y, color=CLAIM_COLOR, ls=(0, (1, 1.5)),
                lw=1.3 * lw, label=panel.expected.label)
    err = np.vstack([y - panel.low[ok], panel.high[ok] - y])
    ax.errorbar(x, y, yerr=np.maximum(err, 0), fmt=style.marker, color=style.color,
                capsize=3, lw=lw, label=f"median over seeds (bars: {panel.bars})")
    if panel.representative is not None and np.any(panel.values == panel.representative):
        j = int(np.flatnonzero(panel.values == panel.representative)[0])
        if np.isfinite(panel.center[j]):
            ax.plot([panel.values[j]], [panel.center[j]], "o", mfc="none", mec=FIT_COLOR,
                    ms=9, mew=0.9 * lw, label="point shown in full")
    ax.set_xscale("log")
    ax.set_yscale("log")
    if panel.censored.size:
        transform = blended_transform_factory(ax.transData, ax.transAxes)
        ax.plot(panel.censored, np.full(panel.censored.size, 0.04), "x", color=MISMATCH_SHADE,
                ms=8, mew=2, transform=transform, clip_on=False, label="censored")
    ticks = np.asarray(panel.ticks if panel.ticks.size else panel.values, float)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(FixedLocator([]))
    lo, hi = ticks.min(), ticks.max()
    ax.set_xlim(lo / 1.25, hi * 1.25)
    # Close values (1.75, 1.9) would print over each other: slant their labels.
    span = math.log(hi * 1.25 / (lo / 1.25))
    gaps = np.diff(np.log(ticks)) / span * label_chars if ticks.size > 1 else np.array([99])
    widths = np.array([len(_log_label(v).strip("$")) for v in ticks], float)
    crowded = bool(np.any(gaps < (widths[:-1] + widths[1:]) / 2 + 3))
    ax.set_xticklabels([_log_label(v) for v in ticks], rotation=40 if crowded else 0,
                       ha="right" if crowded else "center")
    bottom, top = ax.get_ylim()
    ax.set_ylim(bottom, top * (top / bottom) ** 0.6)  # headroom for the legend
    _log_ticks(ax, "y")
    ax.set_xlabel(panel.xlabel)
    ax.set_ylabel(panel.ylabel)
    ax.set_title("scaling over the sweep", loc="left")
    # The legend goes in the upper corner the data leave empty: left when they rise.
    rising = y.size >= 2 and y[np.argmax(x)] > y[np.argmin(x)]
    _panel_legend(ax, "upper left" if rising else "upper right", label_chars)


def _wrapped(lines: list[str], chars: int) -> list[str]:
    out = []
    for line in lines:
        out.extend(textwrap.wrap(line, chars, subsequent_indent="   ") or [""])
    return out


def draw_info(legend_ax: Axes, box_ax: Axes, claim: ClaimFigure, handles: tuple,
              style: FigureStyle, box_width: float, legend_width: float) -> None:
    """The trace panel's legend (in ``legend_ax``) and the verdict box (in ``box_ax``):
    the verdict as a heading, then the numbers, the notes (slack) and the reason."""
    for ax in (legend_ax, box_ax):
        ax.axis("off")
    items, labels = handles
    if items:
        ncols, chars = _legend_columns(claim, style, legend_width)
        labels = [_legend_label(label, chars) for label in labels]
        legend = legend_ax.legend(items, labels, loc="upper left", bbox_to_anchor=(0, 1),
                                  borderaxespad=0, handlelength=2.4, ncols=ncols,
                                  columnspacing=1.2)
        legend.set_in_layout(False)
    heading = claim.summary[0].removeprefix("verdict: ").upper()
    body = _wrapped(claim.summary[1:], style.chars(box_width - 0.25))
    texts = [
        box_ax.text(0.0, 1.0, heading, transform=box_ax.transAxes, ha="left", va="top",
                    color=claim.verdict_color, fontweight="bold",
                    fontsize=style.font_size + 1),
        box_ax.annotate("\n".join(body), (0.0, 1.0), xycoords="axes fraction",
                        xytext=(3, -(style.font_size + 9)), textcoords="offset points",
                        ha="left", va="top", fontsize=style.small_size, linespacing=1.25,
                        bbox={"boxstyle": "round,pad=0.4", "facecolor": "white",
                              "edgecolor": claim.verdict_color, "lw": 1.0})]
    for text in texts:
        text.set_in_layout(False)


# Lines a legend label may take before it is cut.
LEGEND_LINES = 2


def _legend_label(label: str, chars: int) -> str:
    lines = textwrap.wrap(label, chars, subsequent_indent="  ")
    if len(lines) > LEGEND_LINES:
        lines = lines[:LEGEND_LINES]
        lines[-1] = lines[-1][: chars - 1] + "…"
    return "\n".join(lines)


# Shares of a wide info cell: the legend, then the verdict box.
LEGEND_SHARE, BOX_SHARE = 0.42, 0.58


def _legend_columns(claim: ClaimFigure, style: FigureStyle, width: float) -> tuple[int, int]:
    """Columns of the trace legend in ``width`` inches (two when they fit without wrapping
    more than one column would), and the characters a label may take per line."""
    longest = max((len(label) for label in _legend_texts(claim)), default=20)
    two = style.chars(width / 2 - 0.55)
    if longest <= two or two >= 24:  # long labels then wrap onto a second line
        return 2, two
    return 1, style.chars(width - 0.55)


def _legend_height(claim: ClaimFigure, style: FigureStyle, width: float) -> float:
    """Inches the trace legend takes (long labels on two lines)."""
    ncols, chars = _legend_columns(claim, style, width)
    extra = sum(_legend_label(label, chars).count("\n") for label in _legend_texts(claim))
    rows = math.ceil(_legend_entries(claim) / ncols) + math.ceil(extra / ncols)
    return (rows * 1.8 + 0.5) * style.small_size / 72


def _box_height(claim: ClaimFigure, style: FigureStyle, box_width: float) -> float:
    """Inches the verdict heading and box take."""
    lines = len(_wrapped(claim.summary[1:], style.chars(box_width - 0.25)))
    return (style.font_size + 9 + lines * style.small_size * 1.25 * 1.17
            + 2 * style.small_size) / 72


def _legend_texts(claim: ClaimFigure) -> list[str]:
    """The long labels of the trace legend (the others fit on one line)."""
    panel = claim.trace
    if panel is None:
        return []
    return [line.label for line in (panel.fitted, panel.reference) if line is not None] + \
        [panel.floor_label, _aggregate_label(claim, panel), "usable range (local windows)",
         "other sweep points (labelled)"]


def _legend_entries(claim: ClaimFigure) -> int:
    panel = claim.trace
    if panel is None:
        return 0
    count = 1 + (2 if panel.seeds.shape[0] > 1 else 0)
    count += sum(x is not None for x in (panel.usable, panel.window, panel.fitted,
                                         panel.reference))
    count += bool(panel.floor_level > 0) + bool(panel.others)
    count += bool(panel.target is not None and panel.target > 0)
    return count


def _panels(claim: ClaimFigure) -> list[str]:
    names = ["trace"]
    if claim.scaling is not None:
        names.append("scaling")
    if claim.diagnostics is not None:
        names.append("diagnostics")
    return names


@dataclass
class _Layout:
    """A claim's block: rows of cells (panel names, ``info``), the columns, whether the
    legend and verdict box have a row of their own (``wide``) and that cell's width."""

    rows: list[list[str]]
    cols: int
    wide: bool
    info_width: float


def _layout(claim: ClaimFigure, style: FigureStyle) -> _Layout:
    """Panels in rows of at most ``style.columns``; the legend and the verdict box in the
    cells left in the last row when they fit there without making it much taller, else in
    a row of their own."""
    names = _panels(claim)
    cols = min(style.columns, len(names))
    rows = [names[i:i + cols] for i in range(0, len(names), cols)]
    left = cols - len(rows[-1])
    if left:
        width = style.width * left / cols
        needed = _legend_height(claim, style, width) + _box_height(claim, style, width) + 0.2
        if needed <= 1.6 * style.panel_height:
            rows[-1].append("info")
            return _Layout(rows, cols, False, width)
    rows.append(["info"])
    return _Layout(rows, cols, True, style.width)


def _block_heights(claim: ClaimFigure, style: FigureStyle) -> list[float]:
    """Heights in inches of a claim's rows: its title, its panel rows, the info cell."""
    layout = _layout(claim, style)
    subtitle = _title(claim, style.chars(style.width, style.font_size + 0.5))[1]
    title = style.font_size * (1.6 + 1.45 * len(subtitle)) / 72
    heights = [title] + [style.panel_height] * len(layout.rows)
    width = layout.info_width
    if layout.wide:
        heights[-1] = max(_legend_height(claim, style, width * LEGEND_SHARE),
                          _box_height(claim, style, width * BOX_SHARE)) + 0.1
    else:
        needed = _legend_height(claim, style, width) + _box_height(claim, style, width) + 0.2
        heights[-1] = max(heights[-1], needed)
    return heights


def _title(claim: ClaimFigure, chars: int) -> tuple[str, list[str]]:
    """The claim's id, and the lines saying what it states: the algorithm, problem, measure
    and rate (as math when mathtext can typeset it and it fits on the line)."""
    head = f"{claim.algorithm} on {claim.problem}, measure {claim.measure}; stated "
    latex = f"${claim.rate_latex}$"
    plain = claim.rate_text
    if claim.rate_latex and not plain.startswith("cost") and \
            len(head) + len(plain) <= chars and _math_ok(latex):
        return claim.claim_id, [head + latex]
    return claim.claim_id, textwrap.wrap(head + plain, chars, subsequent_indent="  ")[:3]


def _wrap_label(text: str, inches: float, style: FigureStyle) -> str:
    if "$" in text or "\n" in text:
        return text
    return "\n".join(textwrap.wrap(text, style.chars(inches, style.font_size)))


def render(data: FigureData, style: FigureStyle | str | None = None) -> Figure:
    """A matplotlib figure (not attached to pyplot) for one figure's data.

    Each claim is a block: its title, its panels in rows of ``style.columns`` and a cell
    with the legend and the verdict box. The caption underneath cites the claims' papers and
    the methods' references and gives the settings as run. Call inside
    ``matplotlib.rc_context(style.rc)`` (as :func:`save` does) for the style's fonts.
    """
    style = _style(style)
    lw = float(style.rc.get("lines.linewidth", 1.2)) / 1.2
    blocks = [_block_heights(c, style) for c in data.claims]
    caption = _wrapped(data.caption, style.chars(style.width - 0.2))
    caption_height = len(caption) * style.small_size * 1.3 / 72 + 0.12
    heights = [sum(b) for b in blocks] + [caption_height]
    fig = Figure(figsize=(style.width, sum(heights) + 0.1), dpi=style.dpi,
                 layout="constrained")
    fig.get_layout_engine().set(h_pad=0.02, w_pad=0.03, hspace=0.02, wspace=0.04)
    subs = fig.subfigures(len(heights), 1, height_ratios=heights, squeeze=False)[:, 0]
    for claim, sub, block in zip(data.claims, subs, blocks, strict=False):
        _draw_claim(sub, claim, style, block, lw)
    cap = subs[-1].add_subplot()
    cap.axis("off")
    cap.text(0.0, 1.0, "\n".join(caption), ha="left", va="top", fontsize=style.small_size,
             color="#333333", linespacing=1.3, transform=cap.transAxes).set_in_layout(False)
    return fig


def _draw_claim(sub: SubFigure, claim: ClaimFigure, style: FigureStyle, heights: list[float],
                lw: float) -> None:
    layout = _layout(claim, style)
    rows, cols = layout.rows, layout.cols
    grid = sub.add_gridspec(len(rows) + 1, cols, height_ratios=heights)
    head = sub.add_subplot(grid[0, :])
    head.axis("off")
    name, states = _title(claim, style.chars(style.width, style.font_size + 0.5))
    texts = [head.text(0.0, 1.0, name, transform=head.transAxes, ha="left", va="top",
                       fontsize=style.font_size + 1.5, fontweight="bold"),
             head.text(0.0, 0.0, "\n".join(states), transform=head.transAxes, ha="left",
                       va="bottom", fontsize=style.font_size + 0.5, linespacing=1.3)]
    for text in texts:
        text.set_in_layout(False)
    axes: dict[str, Axes] = {}
    info = None
    for r, row in enumerate(rows, start=1):
        for c, cell in enumerate(row):
            if cell == "info":
                info = grid[r, c:]
            else:
                axes[cell] = sub.add_subplot(grid[r, c])
    algo = claim.style or algorithm_style(claim.algorithm)
    panel_width = style.width / cols - 0.6
    handles = draw_traces(axes["trace"], claim, lw)
    chars = style.chars(panel_width - 0.5)
    if "scaling" in axes and claim.scaling is not None:
        draw_scaling(axes["scaling"], claim.scaling, algo, lw, chars)
    if "diagnostics" in axes and claim.diagnostics is not None:
        draw_diagnostics(axes["diagnostics"], claim.diagnostics, algo, lw, chars,
                         style.panel_height - 3.6 * style.font_size / 72)
    for ax in axes.values():
        ax.set_xlabel(_wrap_label(ax.get_xlabel(), panel_width, style))
        ax.set_ylabel(_wrap_label(ax.get_ylabel(), style.panel_height - 0.5, style))
        if ax.xaxis.get_scale() == "linear":
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    assert info is not None
    width = layout.info_width
    if layout.wide:
        inner = info.subgridspec(1, 2, width_ratios=(LEGEND_SHARE, BOX_SHARE), wspace=0.02)
        box_width, legend_width = width * BOX_SHARE, width * LEGEND_SHARE
    else:
        inner = info.subgridspec(2, 1, height_ratios=(
            _legend_height(claim, style, width) + 0.05,
            _box_height(claim, style, width) + 0.05), hspace=0.02)
        box_width = legend_width = width
    draw_info(sub.add_subplot(inner[0]), sub.add_subplot(inner[1]), claim, handles, style,
              box_width, legend_width)


def save(data: FigureData, out_dir: Path | str, fmt: str = "png",
         style: FigureStyle | str | None = None) -> Path:
    """Render in ``style`` and write ``<out_dir>/<name>.<fmt>``; returns the path."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    style = _style(style)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{data.name}.{fmt}"
    with matplotlib.rc_context(dict(style.rc)):
        fig = render(data, style)
        if fmt == "png":
            _save_small_png(fig, path)
            return path
        metadata = {"Date": None} if fmt == "svg" else {"CreationDate": None}
        fig.savefig(path, format=fmt, metadata=metadata)
    return path


def _save_small_png(fig: Figure, path: Path) -> None:
    """A 256-color PNG: a fraction of the size of matplotlib's RGBA output, same look."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    buffer.seek(0)
    with Image.open(buffer) as image:
        image.convert("RGB").quantize(256).save(path, format="png", optimize=True)


def math_svg(latex: str) -> bytes | None:
    """A LaTeX formula rendered to SVG by matplotlib mathtext; None if mathtext rejects it."""
    import io

    buffer = io.BytesIO()
    try:
        mathtext.math_to_image(f"${latex}$", buffer, format="svg", dpi=72)
    except ValueError:
        return None
    return buffer.getvalue()
