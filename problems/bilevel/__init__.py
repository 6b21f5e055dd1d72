"""Bilevel optimization: ``min_x F(x) = f(x, y*(x))``, ``y*(x) = argmin_y g(x, y)``.

Variants
    ``bilevel.quadratic``: quadratic lower level ``g = 1/2 y^T H y - y^T B x`` (``spec(H)`` in
    ``[mu, kappa mu]``, ``mu`` isolated), nonconvex upper level ``f = amp sum cos(x_i) +
    1/2 ||y - b||^2``; ``y*(x) = H^-1 B x`` and ``grad F`` in closed form; deterministic by
    default (its methods, AID, ITD and the penalty method, reject a noisy instance).
    ``bilevel.stochastic``: the same instance, small (``d = 5``, ``kappa = 4``) with noisy
    oracles by default (``sigma_f = sigma_g = 0.3``): the instance of the F2SA claims.
    ``bilevel.quartic``: the same lower level, upper level ``amp sum (x_i^4/4 - x_i^2/2) +
    1/2 ||y - b||^2`` (``(L0, L1)``-smooth, not L-smooth), a far start ``|x_i| = x0_scale``.
    ``bilevel.hypercleaning``: data hyper-cleaning on synthetic data (per-example weights
    ``sigmoid(x_i)`` in a ridge logistic regression, validation loss above); ``w*(x0)`` and
    ``grad F(x0)`` to round-off.

Methods
    ``aid``, ``itd``: hypergradient estimates at ``x0`` against the number of inner
    iterations (Grazzi et al. 2020). ``f2sa``: the fully first-order method with a growing
    penalty (Kwon et al. 2023). ``penalty``: gradient descent on the penalty function with
    inner loops (Kwon et al. 2023b). ``borep``: normalized momentum with periodic lower-level
    updates (Hao, Gong, Liu 2024). ``soba``: a plain single-loop stochastic baseline
    (Dagreou et al. 2022). The multi-block method of the seed list is not implemented: its
    speedup claim is only meaningful with the paper's parameter formulas as functions of the
    number of blocks and the batch size, which could not be read here (with hand-tuned steps
    a "speedup" reflects the steps chosen).

Measures (exact, from the closed-form hypergradient)
    ``hypergrad_err`` ``||h_K - grad F(x0)||``; ``grad_F_sq`` ``||grad F(x_t)||^2`` and its
    running mean ``grad_F_sq_avg`` and step-weighted mean ``grad_F_sq_wavg``;
    ``grad_F_norm``, ``penalty_grad_norm``, the penalty gaps ``value_gap``
    (``F - psi_sigma``) and ``grad_gap`` (``||grad psi_sigma - grad F||``); ``grad_norm``
    ``||grad F(x_t)||``, its running mean ``grad_norm_avg`` and ``grad_norm_avg_rel``
    (divided by the target ``eps``).
    Counters (cumulative, exact): ``upper_grads`` (partial gradients of ``f``),
    ``lower_grads`` (gradients of ``g``), ``hvps`` (Hessian- and Jacobian-vector products of
    ``g``). The penalty gaps of Kwon et al. 2023b are closed forms in :mod:`.instances`.

Layout
    ``instances`` (builders, exact hypergradients, penalty gaps), ``kernels`` (private
    ``@njit(cache=True)`` loops and their jitted helpers), ``methods`` (public wrappers
    and the schedules), ``reference`` (plain NumPy twins). This module is the registration.

References
----------
.. [1] R. Grazzi, L. Franceschi, M. Pontil, S. Salzo, "On the iteration complexity of
   hypergradient computation", ICML 2020, arXiv 2006.16218.
.. [2] J. Kwon, D. Kwon, S. Wright, R. Nowak, "A fully first-order method for stochastic
   bilevel optimization", ICML 2023, arXiv 2301.10945.
.. [3] J. Kwon, D. Kwon, S. Wright, R. Nowak, "On penalty methods for nonconvex bilevel
   optimization and first-order stochastic approximation", ICLR 2024, arXiv 2309.01753.
.. [4] J. Hao, X. Gong, M. Liu, "Bilevel optimization under unbounded smoothness: a new
   algorithm and convergence analysis", ICLR 2024, arXiv 2401.09587.
.. [5] M. Dagreou, P. Ablin, S. Vaiter, T. Moreau, "A framework for bilevel optimization that
   enables stochastic and global variance reduction algorithms", NeurIPS 2022,
   arXiv 2201.13409.
.. [6] L. Franceschi, M. Donini, P. Frasconi, M. Pontil, "Forward and reverse gradient-based
   hyperparameter optimization", ICML 2017 (data hyper-cleaning).
"""

from __future__ import annotations

from workbench.catalogue import Algorithm, Param, Problem

from . import reference
from .instances import (
    HyperCleaning,
    QuadraticBilevel,
    make_hypercleaning,
    make_quadratic,
    make_quartic,
    make_stochastic,
)
from .methods import run_aid, run_borep, run_f2sa, run_itd, run_penalty, run_soba

__all__ = ["PROBLEMS", "HyperCleaning", "QuadraticBilevel", "make_hypercleaning",
           "make_quadratic", "make_quartic", "make_stochastic", "run_aid", "run_borep",
           "run_f2sa", "run_itd", "run_penalty", "run_soba"]

COUNTERS = {"upper_grads": "partial gradients of the upper level f",
            "lower_grads": "gradients of the lower level g",
            "hvps": "Hessian- and Jacobian-vector products of g"}


def _quadratic_params(dim: int, kappa: float, coupling: float, sigma: float,
                      x0_scale: float) -> dict:
    return {
        "dx": Param(dim, "[1, inf)", integer=True, doc="upper-level dimension"),
        "dy": Param(dim, "[1, inf)", integer=True, doc="lower-level dimension"),
        "kappa": Param(kappa, "[1, inf)", doc="condition number of H (>= gap)"),
        "mu": Param(1.0, "(0, inf)", doc="smallest eigenvalue of H (isolated)"),
        "amp": Param(1.0, "[0, inf)", doc="amplitude of the nonconvex term phi"),
        "coupling": Param(coupling, "[0, inf)", doc="||B|| ~ coupling mu, ||M|| ~ coupling"),
        "sigma_f": Param(sigma, "[0, inf)", doc="noise of the upper-level oracles"),
        "sigma_g": Param(sigma, "[0, inf)", doc="noise of the lower-level oracles"),
        "x0_scale": Param(x0_scale, "[0, inf)", doc="scale of the initial x0"),
        "gap": Param(2.0, "[1, inf)", doc="spec(H) \\ {mu} lies in [gap mu, kappa mu]"),
    }


_STEP = {"step_scale": Param(1.0, "(0, 2)", doc="inner step = step_scale / L")}
_GRAD = ("hypergrad_err",)
_AID = Algorithm("aid", run_aid, _STEP, _GRAD, counters=COUNTERS,
                 reference="Grazzi, Franceschi, Pontil, Salzo (2020), AID-FP",
                 twin=reference.aid)
_ITD = Algorithm("itd", run_itd, _STEP, _GRAD, counters=COUNTERS,
                 reference="Grazzi, Franceschi, Pontil, Salzo (2020), ITD", twin=reference.itd)
_F2SA = Algorithm(
    "f2sa", run_f2sa,
    {"schedule": Param(-1, "[-1, 2]", integer=True,
                       doc="-1: by the instance's noise; 0 det., 1 upper, 2 both"),
     "penalty_scale": Param(1.0, "[0, inf)", doc="lambda_k ~ k^(penalty_scale (a - c))"),
     "lam0": Param(1.0, "(0, inf)", doc="initial penalty"),
     "step_scale": Param(0.5, "(0, 1]", doc="gamma_0 = step_scale / L"),
     "k0": Param(1.0, "[1, inf)", doc="schedule offset: s = (k + k0) / k0"),
     "xi": Param(1.0, "(0, inf)", doc="x-step = xi alpha_k")},
    ("grad_F_sq", "grad_F_sq_avg", "grad_F_sq_wavg"), counters=COUNTERS, randomness="seeded",
    reference="Kwon, Kwon, Wright, Nowak (2023), F2SA", twin=reference.f2sa)
_PENALTY = Algorithm(
    "penalty", run_penalty,
    {"sigma": Param(0.01, "(0, inf)", doc="penalty parameter (weight 1/sigma on g - g*)"),
     "inner": Param(10, "[1, inf)", integer=True, doc="inner steps for y and z"),
     "step_scale": Param(0.5, "(0, 2)", doc="outer step = step_scale / L_F")},
    ("grad_F_norm", "penalty_grad_norm", "value_gap", "grad_gap"), counters=COUNTERS,
    reference="Kwon, Kwon, Wright, Nowak (2023b), penalty method", twin=reference.penalty)
_BOREP = Algorithm(
    "borep", run_borep,
    {"eps": Param(0.5, "(0, inf)", doc="target accuracy: every parameter is set from it"),
     "eta_scale": Param(1.0, "(0, inf)"), "beta_scale": Param(1.0, "(0, inf)"),
     "step_scale": Param(1.0, "(0, inf)"), "period_scale": Param(1.0, "(0, inf)")},
    ("grad_norm", "grad_norm_avg", "grad_norm_avg_rel"), counters=COUNTERS,
    randomness="seeded", reference="Hao, Gong, Liu (2024), BO-REP", twin=reference.borep)
_SOBA = Algorithm(
    "soba", run_soba,
    {"eta_scale": Param(0.5, "(0, inf)", doc="x-step = eta_scale / L_F"),
     "step_scale": Param(0.5, "(0, 1]", doc="y- and z-steps = step_scale / L")},
    ("grad_norm", "grad_norm_avg"), counters=COUNTERS, randomness="seeded",
    reference="Dagreou, Ablin, Vaiter, Moreau (2022), SOBA", twin=reference.soba)
_QUADRATIC_CONSTANTS = ("L", "mu", "kappa", "rho", "L_F", "B_norm", "M_norm", "grad0")

PROBLEMS = (
    Problem(
        name="bilevel.quadratic",
        make=make_quadratic,
        params=_quadratic_params(10, 10.0, 0.3, 0.0, 1.0),
        algorithms=(_AID, _ITD, _PENALTY),
        description="quadratic lower level (closed-form y*), nonconvex cosine upper level",
        constants=_QUADRATIC_CONSTANTS,
    ),
    Problem(
        name="bilevel.stochastic",
        make=make_stochastic,
        params=_quadratic_params(5, 4.0, 0.3, 0.3, 1.0),
        algorithms=(_F2SA,),
        description="the quadratic instance, small, with noisy oracles (sigma_f, sigma_g)",
        constants=_QUADRATIC_CONSTANTS,
    ),
    Problem(
        name="bilevel.quartic",
        make=make_quartic,
        params=_quadratic_params(5, 4.0, 0.5, 0.5, 3.0),
        algorithms=(_BOREP, _SOBA),
        description="quadratic lower level, (L0, L1)-smooth quartic upper level, far start",
        constants=_QUADRATIC_CONSTANTS,
    ),
    Problem(
        name="bilevel.hypercleaning",
        make=make_hypercleaning,
        params={"n": Param(200, "[1, inf)", integer=True, doc="training examples"),
                "m": Param(200, "[1, inf)", integer=True, doc="validation examples"),
                "d": Param(20, "[1, inf)", integer=True, doc="features"),
                "corrupt": Param(0.3, "[0, 0.5)", doc="fraction of flipped labels"),
                "lam": Param(1e-3, "(0, inf)", doc="ridge weight of the lower level"),
                "x0_scale": Param(1.0, "[0, inf)", doc="x0 ~ x0_scale N(0, I)")},
        algorithms=(_AID,),
        description="data hyper-cleaning, synthetic data, logistic lower level",
        constants=("L", "mu", "kappa", "rho", "grad0"),
    ),
)
