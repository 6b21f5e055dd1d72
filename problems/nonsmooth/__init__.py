"""Non-smooth and stochastic instances for last-iterate and clipping claims.

Problems
    ``nonsmooth.l1``, ``nonsmooth.l1_ridge``: l1 regression ``(1/n) ||A w - b||_1`` (sharp,
    ``f* = 0`` when noiseless), plus ``(lam/2) ||w||^2`` (strongly convex).
    ``nonsmooth.hinge``, ``nonsmooth.hinge_ridge``: the hinge loss on noisy labels, plain
    (reference by linear programming) and l2-regularised (a linear SVM).
    ``nonsmooth.worst_case``, ``nonsmooth.worst_case_sc``: the max-of-affine constructions
    on which GD's last iterate is ``Theta(log T / sqrt(T))`` (step ``1/sqrt(t)``) and
    ``Theta(log T / T)`` (step ``1/(mu t)``) (Harvey, Liaw, Plan, Randhawa 2019); their
    dimension is the run's horizon, so claims about them sweep the horizon.
    ``nonsmooth.quadratic``: ``||x||^2/2`` with a stochastic oracle of a chosen noise law
    (Gaussian, the two-point worst case for clipping, Student t), for clipped SGD
    (Koloskova, Hendrikx, Stich 2023).

Layout as in every family: ``instances`` (builders, exact references, constants, floors),
``kernels`` (private ``@njit(cache=True)`` loops), ``methods`` (public wrappers),
``reference`` (NumPy twins); this module is the registration.

References
----------
.. [1] N. J. A. Harvey, C. Liaw, Y. Plan, S. Randhawa, "Tight analyses for non-smooth
   stochastic gradient descent", COLT 2019, arXiv 1812.05217.
.. [2] Z. Liu, Z. Zhou, "Revisiting the Last-Iterate Convergence of Stochastic Gradient
   Methods", ICLR 2024, arXiv 2312.08531.
.. [3] A. Defazio, A. Cutkosky, H. Mehta, K. Mishchenko, "When, Why and How Much? Adaptive
   Learning Rate Scheduling by Refinement", arXiv 2310.07831.
.. [4] A. Koloskova, H. Hendrikx, S. U. Stich, "Revisiting Gradient Clipping: Stochastic
   bias and tight convergence guarantees", ICML 2023, arXiv 2305.01588.
.. [5] H. Robbins, S. Monro, "A stochastic approximation method", Ann. Math. Statist., 1951
   (SGD with the steps ``1/sqrt(t)`` and ``1/(mu t)``).
"""

from __future__ import annotations

from workbench.catalogue import Algorithm, Param, Problem

from . import reference as twins
from .instances import (
    make_hinge,
    make_hinge_ridge,
    make_l1,
    make_l1_ridge,
    make_quadratic,
    make_worst_case,
    make_worst_case_sc,
)
from .methods import (
    run_clipped_sgd_constant,
    run_clipped_sgd_mu_t,
    run_clipped_sgd_sqrt_t,
    run_gd_linear_decay,
    run_gd_mu_t,
    run_gd_sqrt_t,
    run_sgd_linear_decay,
    run_sgd_mu_t,
    run_sgd_sqrt_t,
)

__all__ = ["PROBLEMS"]

_SIZE = {"n": Param(100, "[1, inf)", integer=True, doc="rows"),
         "d": Param(10, "[1, inf)", integer=True, doc="features")}
_SGD_MEASURES = ("f_gap", "f_gap_avg", "f_gap_suffix", "dist_sq")
_SGD_CALLS = {"calls": "stochastic subgradients (one sampled row each)"}
_ETA = {"eta": Param(1.0, "(0, inf)", doc="step multiplier")}
_SGD = "Robbins and Monro (1951)"
_HARVEY = "Harvey, Liaw, Plan, Randhawa (2019), arXiv 1812.05217"
_DEFAZIO = "Defazio, Cutkosky, Mehta, Mishchenko (2023), arXiv 2310.07831"
_KOLOSKOVA = "Koloskova, Hendrikx, Stich (2023), arXiv 2305.01588"


def _sgd(name: str) -> Algorithm:
    run, twin, reference = {
        "sgd_mu_t": (run_sgd_mu_t, twins.sgd_mu_t, _SGD + "; step 1/(mu t)"),
        "sgd_sqrt_t": (run_sgd_sqrt_t, twins.sgd_sqrt_t, _SGD + "; step 1/sqrt(t)"),
        "sgd_linear_decay": (run_sgd_linear_decay, twins.sgd_linear_decay,
                             _DEFAZIO + " (linear decay)"),
    }[name]
    return Algorithm(name, run, _ETA, _SGD_MEASURES, counters=_SGD_CALLS, randomness="seeded",
                     reference=reference, twin=twin)


_WORST_MEASURES = ("f_gap", "dist_sq")
_WORST_COUNTERS = {"calls": "subgradients"}
_WORST_DIAGNOSTICS = {
    "order_margin": "relative margin by which GD's piece at step t beats every earlier piece "
                    "(positive: the visiting order is certified)",
    "max_norm_sq": "largest ||x_t||^2 (at most 1: the unit ball's projection is inactive)",
}


def _worst(name: str, run, reference: str, twin) -> Algorithm:
    return Algorithm(name, run, _ETA, _WORST_MEASURES, counters=_WORST_COUNTERS,
                     diagnostics=_WORST_DIAGNOSTICS, reference=reference, twin=twin)


_CLIP = {"eta": Param(1.0, "(0, inf)", doc="step multiplier"),
         "c": Param(1.0, "[0, inf)", doc="clipping threshold c (0: no clipping)")}
_QUAD_MEASURES = ("grad_norm", "f_gap", "dist_sq")
_QUAD_CALLS = {"calls": "stochastic gradients"}

PROBLEMS = (
    Problem(
        name="nonsmooth.l1",
        make=make_l1,
        params={**_SIZE, "lam": Param(0.0, "[0, inf)", doc="l2 weight"),
                "noise": Param(0.0, "[0, inf)", doc="b = A w_true + noise N(0, 1)")},
        algorithms=(_sgd("sgd_sqrt_t"), _sgd("sgd_linear_decay")),
        description="l1 regression (sharp, f* = 0 when noiseless), convex and Lipschitz",
        constants=("G", "mu", "dist0_sq"),
    ),
    Problem(
        name="nonsmooth.l1_ridge",
        make=make_l1_ridge,
        params={**_SIZE, "lam": Param(0.1, "(0, inf)", doc="l2 weight = mu"),
                "noise": Param(0.0, "[0, inf)", doc="b = A w_true + noise N(0, 1)")},
        algorithms=(_sgd("sgd_mu_t"), _sgd("sgd_sqrt_t")),
        description="l1 regression + (lam/2)||w||^2: strongly convex, Lipschitz on bounded sets",
        constants=("G", "mu", "dist0_sq"),
    ),
    Problem(
        name="nonsmooth.hinge",
        make=make_hinge,
        params={**_SIZE, "lam": Param(0.0, "[0, inf)", doc="l2 weight"),
                "flip": Param(0.1, "[0, 0.5)", doc="fraction of flipped labels")},
        algorithms=(_sgd("sgd_sqrt_t"), _sgd("sgd_linear_decay")),
        description="hinge loss on noisy labels (reference by linear programming)",
        constants=("G", "mu", "dist0_sq"),
    ),
    Problem(
        name="nonsmooth.hinge_ridge",
        make=make_hinge_ridge,
        params={**_SIZE, "lam": Param(1e-2, "(0, inf)", doc="l2 weight = mu"),
                "flip": Param(0.1, "[0, 0.5)", doc="fraction of flipped labels")},
        algorithms=(_sgd("sgd_mu_t"), _sgd("sgd_sqrt_t")),
        description="l2-regularised hinge (linear SVM): strongly convex",
        constants=("G", "mu", "dist0_sq"),
    ),
    Problem(
        name="nonsmooth.worst_case",
        make=make_worst_case,
        params={},
        algorithms=(_worst("gd_sqrt_t", run_gd_sqrt_t, _HARVEY, twins.gd_sqrt_t),
                    _worst("gd_linear_decay", run_gd_linear_decay, _DEFAZIO,
                           twins.gd_linear_decay)),
        description="max-of-affine construction of dimension T (convex); f* = 0 at x* = 0",
        constants=("G", "D"),
    ),
    Problem(
        name="nonsmooth.worst_case_sc",
        make=make_worst_case_sc,
        params={"mu": Param(1.0, "(0, inf)", doc="strong convexity")},
        algorithms=(_worst("gd_mu_t", run_gd_mu_t, _HARVEY, twins.gd_mu_t),),
        description="max-of-affine + (mu/2)||x||^2 of dimension T; f* = 0 at x* = 0",
        constants=("G", "D"),
    ),
    Problem(
        name="nonsmooth.quadratic",
        make=make_quadratic,
        params={"d": Param(1, "[1, inf)", integer=True, doc="dimension"),
                "sigma": Param(1.0, "[0, inf)", doc="noise scale: E||xi||^2 = sigma^2"),
                "law": Param(2, "[0, 3]", integer=True,
                             doc="0 none, 1 Gaussian, 2 two-point worst case, 3 Student t3"),
                "x0": Param(1.0, "(-inf, inf)", doc="start x0 e_1")},
        algorithms=(
            Algorithm("clipped_sgd_mu_t", run_clipped_sgd_mu_t, _CLIP, _QUAD_MEASURES,
                      counters=_QUAD_CALLS, randomness="seeded", reference=_KOLOSKOVA,
                      twin=twins.clipped_sgd_mu_t),
            Algorithm("clipped_sgd_sqrt_t", run_clipped_sgd_sqrt_t, _CLIP, _QUAD_MEASURES,
                      counters=_QUAD_CALLS, randomness="seeded", reference=_KOLOSKOVA,
                      twin=twins.clipped_sgd_sqrt_t),
            Algorithm("clipped_sgd_constant", run_clipped_sgd_constant,
                      {**_CLIP, "eta": Param(0.01, "(0, inf)", doc="constant step")},
                      _QUAD_MEASURES, counters=_QUAD_CALLS, randomness="seeded",
                      reference=_KOLOSKOVA, twin=twins.clipped_sgd_constant),
        ),
        description="||x||^2/2 with a noisy oracle (noise law and scale are parameters)",
        constants=("L", "mu", "sigma", "dist0_sq"),
    ),
)
