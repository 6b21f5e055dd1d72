"""Monotone inclusions and variational inequalities: affine operators with controlled structure.

Variants (builders in :mod:`.instances`; every constant is computed from the matrices and
checked against the generator's targets):

``monotone.comonotone``
    ``rho``-negatively comonotone (``rho > 0``), skew (``rho = 0``: the monotone
    spread-spectrum instance) or cocoercive (``rho < 0``) block rotations, scales log-spaced
    in ``[s_min, L]``.
``monotone.cocoercive``
    ``beta``-cocoercive block rotations; at ``beta L = 1``, ``I - (2/L) F`` is orthogonal.
``monotone.bilinear``
    Bilinear game ``x^T A y + b^T x - c^T y``, singular values log-spaced in ``[s_min, L]``.
``monotone.bilinear_box``
    The bilinear game on ``[-1, 1]^(2m)`` with a built solution having active constraints.
``monotone.strongly_monotone``
    ``mu``-strongly monotone, ``L``-Lipschitz, both attained on one block.
``monotone.finite_sum``, ``monotone.finite_sum_skew``
    ``F = (1/n) sum_i F_i``: cocoercive in the mean (``L_coco = L``), or skew components.

Methods come from :mod:`workbench.problems.operators` (written once for every family with
affine instances).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from workbench.problems.operators import METHODS, AffineOperator, algorithm, measure_names

from workbench.catalogue import Param, Problem

from . import instances

_SPECTRAL = ("L", "s_min", "mu", "rho", "beta", "R0", "n")
_FINITE_SUM = _SPECTRAL + ("L_max", "L_avg", "L_coco")
_L = {"L": Param(1.0, "(0, inf)", doc="Lipschitz constant ||M||")}


def _blocks(default: int) -> dict[str, Param]:
    return {"blocks": Param(default, "[1, inf)", integer=True, doc="2x2 blocks (d = 2 blocks)")}


def _s_min(default: float) -> dict[str, Param]:
    return {"s_min": Param(default, "(0, inf)", doc="smallest block scale / singular value")}


def _make(builder: Callable[..., AffineOperator],
          methods: tuple[str, ...]) -> Callable[..., AffineOperator]:
    """``builder`` with the instance's floors restricted to the measures the problem's
    methods record (the catalogue rejects floors of unrecorded measures)."""
    halpern = any(METHODS[m].halpern for m in methods)

    @functools.wraps(builder)
    def make(seed: int, **params: float) -> AffineOperator:
        op = builder(seed, **params)
        return op.with_floors_for(measure_names(op, halpern=halpern))

    return make


def _problem(name: str, builder: Callable[..., AffineOperator], params: dict[str, Param],
             methods: tuple[str, ...], description: str, constants: tuple[str, ...] = _SPECTRAL,
             constrained: bool = False) -> Problem:
    return Problem(name=f"monotone.{name}", make=_make(builder, methods), params=params,
                   algorithms=tuple(algorithm(m, constrained) for m in methods),
                   description=description, constants=constants)


_DETERMINISTIC = ("gda", "extragradient", "optimistic", "proximal_point", "halpern_resolvent",
                  "flow_rk4")
_FS_PARAMS = {"n": Param(64, "[1, inf)", integer=True, doc="components"), **_blocks(10),
              **_s_min(0.05), **_L,
              "hetero": Param(0.5, "[0, 1)", doc="component scales in [1 - hetero, 1] x g_j"),
              "noise": Param(1.0, "[0, inf)", doc="spread of the F_i(z*) around 0")}

PROBLEMS = (
    _problem("comonotone", instances.make_comonotone,
             {**_blocks(40), "rho": Param(0.1, "(-inf, inf)", doc="comonotonicity, |rho| L <= 1"),
              **_s_min(1e-3), **_L},
             _DETERMINISTIC,
             "rho-negatively comonotone block rotations (rho = 0: skew, spread spectrum)"),
    _problem("cocoercive", instances.make_cocoercive,
             {**_blocks(20), "beta_L": Param(1.0, "(0, 1]", doc="cocoercivity beta = beta_L/L"),
              **_s_min(1e-2), **_L},
             ("halpern", "halpern_resolvent", "gda", "extragradient"),
             "beta-cocoercive block rotations (beta L = 1: I - (2/L) F orthogonal)"),
    _problem("bilinear", instances.make_bilinear,
             {"m": Param(4, "[1, inf)", integer=True, doc="x and y in R^m"), **_s_min(0.3),
              **_L},
             _DETERMINISTIC, "bilinear game, singular values log-spaced in [s_min, L]"),
    _problem("bilinear_box", instances.make_bilinear_box,
             {"m": Param(10, "[1, inf)", integer=True, doc="x and y in R^m"), **_s_min(0.3),
              **_L, "active": Param(0.3, "[0, 1)", doc="share of active bounds at z*"),
              "coupling": Param(1.0, "[0, inf)", doc="free-active coupling / s_min")},
             ("gda", "extragradient", "optimistic"),
             "bilinear game on the box [-1, 1]^(2m), solution with active constraints",
             constants=_SPECTRAL + ("s_min_free",), constrained=True),
    _problem("strongly_monotone", instances.make_strongly_monotone,
             {**_blocks(10), "mu": Param(0.2, "(0, inf)", doc="strong monotonicity"), **_L},
             ("gda", "extragradient", "optimistic", "proximal_point", "flow_rk4", "halpern"),
             "mu-strongly monotone, L-Lipschitz (both attained on one block)"),
    _problem("finite_sum", instances.make_finite_sum, dict(_FS_PARAMS),
             ("vr_halpern", "halpern", "extragradient"),
             "finite sum cocoercive in the mean (L_coco = L), components disagreeing at z*",
             constants=_FINITE_SUM),
    _problem("finite_sum_skew", instances.make_finite_sum_skew, dict(_FS_PARAMS),
             ("vr_halpern_resolvent", "extragradient"),
             "finite sum of skew components: monotone, Lipschitz in the mean",
             constants=_SPECTRAL + ("L_max", "L_avg")),
)
