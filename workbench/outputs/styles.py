"""Figure styles: size, resolution and fonts for a paper and for a slide.

Each style is plain data (a matplotlib ``rcParams`` dict plus the figure geometry), shipped
as Python so the package needs no data files; :mod:`workbench.outputs.drawing` applies one
with ``matplotlib.rc_context``. Sizes are in inches and points at the printed size: a
``paper`` figure is 6.75 in wide (the text width of a one-column article, or a figure
spanning both columns of a two-column one) with 8 pt text, a ``slides`` figure fills a
16:9 slide (13.33 x 7.5 in) with 14 pt text. PNGs are rasterised at ``dpi``; PDF and SVG are
vector output of the same figure.

Algorithm styles: each algorithm has one style everywhere (:func:`algorithm_style`: a
colour-blind-safe colour, a marker and a line style, and the marker as a character for the
HTML report), a function of its name alone; plus the colours of what is not an algorithm.
"""

from __future__ import annotations

import zlib
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


# -- algorithm styles ---------------------------------------------------------------------
# Okabe and Ito's colour-blind-safe palette (2008), without its yellow and black (too light
# and reserved for fits on white). More algorithms than colours are told apart by marker and
# line style: the style of an algorithm is (colour, marker, line style) of one slot.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">", "p")
# The same marker as a character, for the HTML report.
GLYPHS = ("●", "■", "▲", "◆", "▼", "✚", "✖", "★", "⬢", "◀", "▶", "⬟")
# Line styles as matplotlib dash tuples, one per marker group ("solid" for the first); none
# is plain dotted, which is the claimed rate's.
LINESTYLES: tuple[str | tuple[float, tuple[float, ...]], ...] = (
    "solid", (0, (5.0, 1.5)), (0, (6.0, 1.5, 1.5, 1.5)), (0, (10.0, 2.0, 2.0, 2.0)),
    (0, (6.0, 1.5, 1.5, 1.5, 1.5, 1.5)), (0, (8.0, 2.0)), (0, (3.0, 1.0, 1.0, 1.0)),
    (0, (4.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)), "solid", (0, (5.0, 1.5)),
    (0, (6.0, 1.5, 1.5, 1.5)), (0, (8.0, 2.0)))
# One fixed slot per well-known method, whatever the catalogue holds: slot i has colour
# i % 6 and marker and line style i // 6. Rows are aliases of one method.
_KNOWN_METHODS: tuple[tuple[str, ...], ...] = (
    ("gd",), ("sgd",), ("perceptron",), ("extragradient", "eg"),
    ("optimistic_gradient", "optimistic", "ogda", "past_extragradient", "popov"),
    ("proximal_point", "ppm"),
    ("halpern", "anchored", "extra_anchored_gradient", "eag"), ("gda", "gradient_descent_ascent"),
    ("gd_asym",), ("gd_modified",), ("aid",), ("itd",),
    ("f2sa",), ("penalty",), ("borep",), ("soba",), ("halpern_resolvent",), ("flow_rk4",),
    ("vr_halpern",), ("newton",), ("heavy_ball", "polyak"), ("nesterov", "agd", "accelerated_gd"),
    ("svrg",), ("saga", "sag"),
    ("adam", "adagrad"), ("forward_backward", "proximal_gradient", "ista"), ("fista",),
    ("mirror_descent", "mirror_prox"), ("frank_wolfe", "conditional_gradient"),
    # step-size schedules and clipping (nonsmooth), the large-step perceptron comparison
    ("gd_sqrt_t",), ("sgd_sqrt_t",), ("gd_mu_t",), ("sgd_mu_t",), ("gd_linear_decay",),
    ("sgd_linear_decay",), ("clipped_gd",), ("clipped_sgd_constant",), ("clipped_sgd_mu_t",),
    ("clipped_sgd_sqrt_t",), ("lr_gd",), ("batch_perceptron",), ("normalized_lr_gd",),
    ("normalized_batch_perceptron",), ("vr_halpern_resolvent",),
    # games
    ("alternating_gda",), ("block_gda",), ("gda_sgn",), ("mwu",), ("nash_mp",), ("egpo",),
)
METHOD_SLOTS = {name: slot for slot, names in enumerate(_KNOWN_METHODS) for name in names}
# Names outside the table: the crc32 of the name (stable across runs and machines, unlike
# Python's salted hash()) picks a slot in the marker groups no well-known method uses.
FIRST_HASHED_GROUP = -(-len(_KNOWN_METHODS) // len(PALETTE))
HASHED_SLOTS = tuple(range(FIRST_HASHED_GROUP * len(PALETTE), len(MARKERS) * len(PALETTE)))
VERDICT_COLORS = {"consistent": "#009E73", "mismatch": "#D55E00", "inconclusive": "#666666"}


@dataclass(frozen=True)
class AlgorithmStyle:
    """How an algorithm is drawn everywhere: colour, marker, line style, and the marker
    as a character (for HTML)."""

    color: str
    marker: str
    linestyle: str | tuple[float, tuple[float, ...]]
    glyph: str


def _slot_style(slot: int) -> AlgorithmStyle:
    group = slot // len(PALETTE)
    return AlgorithmStyle(PALETTE[slot % len(PALETTE)], MARKERS[group], LINESTYLES[group],
                          GLYPHS[group])


def algorithm_style(algorithm: str) -> AlgorithmStyle:
    """The one style of an algorithm, in every figure and the report.

    A function of the name alone, so adding a family or an algorithm restyles nothing:
    well-known methods take a fixed slot (:data:`METHOD_SLOTS`, all distinct); any other name
    takes one of :data:`HASHED_SLOTS` by the crc32 of its name (two such names may share).

    Parameters
    ----------
    algorithm
        Algorithm name as in the cards (``gd``, ``sgd``).
    """
    slot = METHOD_SLOTS.get(algorithm)
    if slot is None:
        slot = HASHED_SLOTS[zlib.crc32(algorithm.encode()) % len(HASHED_SLOTS)]
    return _slot_style(slot)


def algorithm_color(algorithm: str) -> str:
    """The colour of :func:`algorithm_style`."""
    return algorithm_style(algorithm).color
# Colours of what is not an algorithm: fits, claims, floors, other sweep points.
FIT_COLOR, CLAIM_COLOR, FLOOR_COLOR = "#000000", "#444444", "#888888"
