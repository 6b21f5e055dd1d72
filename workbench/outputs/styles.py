"""Figure styles: size, resolution and fonts for a paper and for a slide.

Each style is plain data (a matplotlib ``rcParams`` dict plus the figure geometry), shipped
as Python so the package needs no data files; :mod:`workbench.outputs.drawing` applies one
with ``matplotlib.rc_context``. Sizes are in inches and points at the printed size: a
``paper`` figure is 6.75 in wide (the text width of a one-column article, or a figure
spanning both columns of a two-column one) with 8 pt text, a ``slides`` figure fills a
16:9 slide (13.33 x 7.5 in) with 14 pt text. PNGs are rasterised at ``dpi``; PDF and SVG are
vector output of the same figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FigureStyle:
    """Geometry and fonts of a figure.

    Attributes
    ----------
    name
        ``paper`` or ``slides``.
    width
        Figure width in inches.
    panel_height
        Height of one row of panels, in inches.
    columns
        Panels per row (the legend and verdict box fill the rest of the last row, or a row
        of their own).
    dpi
        Raster resolution of PNG output.
    rc
        matplotlib ``rcParams`` in force while drawing.
    """

    name: str
    width: float
    panel_height: float
    columns: int
    dpi: int
    rc: Mapping[str, Any] = field(default_factory=dict)

    @property
    def font_size(self) -> float:
        return float(self.rc.get("font.size", 10))

    @property
    def small_size(self) -> float:
        """Size of the legend, the verdict box and the caption."""
        return float(self.rc.get("legend.fontsize", self.font_size))

    def chars(self, inches: float, size: float | None = None) -> int:
        """About how many characters of text at ``size`` points fit in ``inches``."""
        return max(20, int(inches * 72 / (0.52 * (size or self.small_size))))


_COMMON = {
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "axes.grid": True,
    "grid.alpha": 0.35,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "savefig.facecolor": "white",
    "figure.facecolor": "white",
    "hatch.linewidth": 0.4,
    "pdf.fonttype": 42,  # TrueType in PDFs: editable text, no Type 3 bitmaps
    "ps.fonttype": 42,
}

PAPER = FigureStyle(
    name="paper", width=6.75, panel_height=2.5, columns=2, dpi=200,
    rc={**_COMMON, "font.size": 8.0, "axes.titlesize": 8.5, "axes.labelsize": 8.0,
        "xtick.labelsize": 7.5, "ytick.labelsize": 7.5, "legend.fontsize": 7.0,
        "figure.titlesize": 9.0, "lines.linewidth": 1.2, "lines.markersize": 4.0,
        "axes.linewidth": 0.6, "grid.linewidth": 0.4, "xtick.major.width": 0.6,
        "ytick.major.width": 0.6, "xtick.minor.width": 0.4, "ytick.minor.width": 0.4},
)

SLIDES = FigureStyle(
    name="slides", width=40 / 3, panel_height=3.0, columns=2, dpi=120,
    rc={**_COMMON, "font.size": 14.0, "axes.titlesize": 15.0, "axes.labelsize": 14.0,
        "xtick.labelsize": 12.0, "ytick.labelsize": 12.0, "legend.fontsize": 12.0,
        "figure.titlesize": 16.0, "lines.linewidth": 2.2, "lines.markersize": 7.0,
        "axes.linewidth": 1.0, "grid.linewidth": 0.7, "xtick.major.width": 1.0,
        "ytick.major.width": 1.0, "xtick.major.size": 5.0, "ytick.major.size": 5.0},
)

STYLES = {style.name: style for style in (PAPER, SLIDES)}
#: Figure file formats (here, not in ``figures``, so the CLI's ``--help`` loads no sympy).
FORMATS = ("png", "pdf", "svg")
DEFAULT_STYLE = "paper"


def get_style(name: str) -> FigureStyle:
    """The style called ``name``; ``ValueError`` naming the known ones otherwise."""
    if name not in STYLES:
        raise ValueError(f"unknown style {name!r}; known: {', '.join(STYLES)}")
    return STYLES[name]
