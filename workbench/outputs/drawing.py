"""Draw :mod:`workbench.outputs.figures` figure data with matplotlib (Agg backend, headless).

One row per claim in the figure; the left panel is error against ``t`` (every sweep point of
the claim overlaid), the right panel, for sweep claims, the fitted quantity against the swept
parameter. Nothing here computes: every number comes from the figure data.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib import colors as mcolors  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import NullFormatter  # noqa: E402

from workbench.outputs.figures import (  # noqa: E402
    FORMATS,
    ClaimFigure,
    FigureData,
    ScalingPanel,
    TracePanel,
)

DPI = 80
ROW_HEIGHT = 4.2
PANEL_WIDTH = 5.2
INFO_WIDTH = 3.2


def _shade(color: str, j: int, count: int) -> tuple[float, float, float]:
    """The algorithm's color, lightened towards white for later sweep points."""
    rgb = np.array(mcolors.to_rgb(color))
    mix = 0.0 if count <= 1 else 0.6 * j / (count - 1)
    return tuple(rgb + (1 - rgb) * mix)


def draw_traces(ax: Axes, claim: ClaimFigure) -> None:
    """Seeds, aggregate, band, window, fit and claimed rate of every sweep point."""
    count = len(claim.traces)
    for j, panel in enumerate(claim.traces):
        _draw_one(ax, panel, _shade(claim.color, j, count), j == 0, count)
    head = claim.traces[0] if claim.traces else None
    if head is not None:
        ax.set_xscale(head.xscale)
        ax.set_xlabel(head.xlabel)
        ax.set_ylabel(head.ylabel)
    ax.set_yscale("log")
    ax.grid(True, which="major", alpha=0.3)


def draw_info(ax: Axes, source: Axes, claim: ClaimFigure) -> None:
    """The legend of ``source`` and the verdict box, in a column of their own."""
    ax.axis("off")
    handles, labels = source.get_legend_handles_labels()
    ax.legend(handles, labels, loc="upper left", fontsize=7, frameon=False,
              borderaxespad=0)
    text = "\n".join(textwrap.fill(line, 44, subsequent_indent="  ")
                     for line in claim.summary)
    ax.text(0, 0, text, transform=ax.transAxes, fontsize=7, va="bottom", ha="left",
            family="monospace",
            bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": claim.verdict_color})


def _positive(y: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(y) & (y > 0), y, np.nan)


def _draw_one(ax: Axes, panel: TracePanel, color: tuple[float, float, float], first: bool,
              count: int) -> None:
    suffix = f" ({panel.label})" if panel.label else ""
    for k, row in enumerate(panel.seeds):
        ax.plot(panel.t, _positive(row), color=color, lw=0.5, alpha=0.35,
                label="seeds" if first and k == 0 and count == 1 else None)
    ax.fill_between(panel.t, _positive(panel.band[0]), _positive(panel.band[1]), color=color,
                    alpha=0.15, lw=0, label="seed range" if first else None)
    ax.plot(panel.t, _positive(panel.center), color=color, lw=1.6,
            label=("aggregate" if count == 1 else "aggregate") + suffix)
    if panel.window is not None:
        ax.axvspan(*panel.window, color=color, alpha=0.08 if count > 1 else 0.12, lw=0,
                   label="fit window" if first else None)
    if panel.fitted is not None:
        ax.plot(panel.fitted.x, panel.fitted.y, color="black", lw=1.2, ls="--",
                label=panel.fitted.label if count == 1 else ("fit" if first else None))
    if panel.reference is not None:
        ax.plot(panel.reference.x, panel.reference.y, color="#555555", lw=1.2, ls=":",
                label=panel.reference.label if first else None)
    if panel.target is not None and first:
        ax.axhline(panel.target, color="#d62728", lw=0.8, ls="--", label="sweep target")
    lowest = np.nanmin(_positive(panel.band[0])) if np.isfinite(
        _positive(panel.band[0])).any() else 0.0
    if panel.floor > 0 and panel.floor >= 1e-2 * lowest:
        ax.axhline(panel.floor, color="#999999", lw=0.6, ls="-.",
                   label="accuracy floor" if first else None)


def draw_scaling(ax: Axes, panel: ScalingPanel, color: str) -> None:
    """Fitted quantity against the swept parameter, with the claimed and fitted lines."""
    ok = np.isfinite(panel.center)
    x, y = panel.values[ok], panel.center[ok]
    err = np.vstack([y - panel.low[ok], panel.high[ok] - y])
    ax.errorbar(x, y, yerr=np.maximum(err, 0), fmt="o", color=color, capsize=3,
                label=f"{panel.quantity.replace('_', ' ')} (median; bars: {panel.bars})")
    if panel.exponent_band is not None:
        ax.fill_between(*panel.exponent_band, color="black", alpha=0.08, lw=0,
                        label="exponent CI")
    if panel.fitted is not None:
        ax.plot(panel.fitted.x, panel.fitted.y, color="black", ls="--", lw=1.2,
                label=panel.fitted.label)
    if panel.expected is not None:
        ax.plot(panel.expected.x, panel.expected.y, color="#555555", ls=":", lw=1.2,
                label=panel.expected.label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())
    if panel.censored.size:
        low = np.nanmin(panel.center) if ok.any() else 1.0
        ax.plot(panel.censored, np.full(panel.censored.size, low * 0.5), "x", color="#d62728",
                ms=8, mew=2, label="censored")
    ax.set_xlabel(panel.parameter + (f" (bound speaks of {panel.limit} {panel.parameter})"
                                     if panel.limit else ""))
    ax.set_ylabel(panel.quantity.replace("_", " "))
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, framealpha=0.85, loc="best")


def render(data: FigureData) -> Figure:
    """A matplotlib figure (not attached to pyplot) for one figure's data.

    Each claim is a row: error against ``t``, a column with the legend and the verdict box,
    and for sweep claims the scaling panel. The caption underneath cites the claims' papers
    and the methods' references.
    """
    rows = len(data.claims)
    sweeps = any(c.scaling is not None for c in data.claims)
    ratios = [PANEL_WIDTH, INFO_WIDTH] + ([PANEL_WIDTH] if sweeps else [])
    width = sum(ratios)
    fig = Figure(figsize=(width, ROW_HEIGHT * rows + 0.3), dpi=DPI)
    axes = fig.subplots(rows, len(ratios), squeeze=False, width_ratios=ratios)
    for row, claim in enumerate(data.claims):
        ax = axes[row][0]
        draw_traces(ax, claim)
        ax.set_title(claim.title, fontsize=8, loc="left")
        draw_info(axes[row][1], ax, claim)
        axes[row][1].set_title(claim.verdict.upper(), fontsize=10, loc="left",
                               color=claim.verdict_color, fontweight="bold")
        if sweeps:
            if claim.scaling is not None:
                draw_scaling(axes[row][2], claim.scaling, claim.color)
                axes[row][2].set_title("scaling over the sweep", fontsize=8, loc="left")
            else:
                axes[row][2].axis("off")
    caption = "\n".join(textwrap.fill(line, int(width * 17)) for line in data.caption)
    lines = caption.count("\n") + 1
    bottom = 0.14 * lines / (ROW_HEIGHT * rows + 0.3)
    fig.tight_layout(rect=(0, bottom, 1, 1))
    fig.text(0.01, 0.01, caption, fontsize=7, color="#333333", ha="left", va="bottom")
    return fig


def save(data: FigureData, out_dir: Path | str, fmt: str = "png") -> Path:
    """Render and write ``<out_dir>/<name>.<fmt>``; returns the path."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{data.name}.{fmt}"
    fig = render(data)
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

    from matplotlib import mathtext

    buffer = io.BytesIO()
    try:
        mathtext.math_to_image(f"${latex}$", buffer, format="svg", dpi=72)
    except ValueError:
        return None
    return buffer.getvalue()
