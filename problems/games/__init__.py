"""Games: quadratic games (affine pseudo-gradients) and preference games over the simplex.

Variants (builders in :mod:`.instances`, the Small-Gain Nash certificate in
:mod:`.certificate`):

``games.damped_bilinear``
    Two players, ``F = [[a I, B], [-B^T, a I]]``: strongly monotone (``a > 0``) or merely
    monotone (``a = 0``, bilinear), normal, with exact spectral predictions for every
    method.
``games.small_gain``
    N players coupled along a chain, own curvature in ``[1, curvature_max]``: not monotone
    in the Euclidean metric for a large gain asymmetry, yet certified by a Small-Gain Nash
    certificate (block weights, margin, safe step band, certified factor) reported with the
    instance.
``games.preference``
    Two-player constant-sum preference game ``P + P^T = 1`` with KL regularization
    ``beta`` to a uniform reference; regularized equilibrium by Newton's method,
    unregularized one by linear programming.

Affine methods come from :mod:`workbench.problems.operators` (GDA, extragradient,
optimistic, RK4 on the flow; block and alternating gradient play from
:mod:`workbench.problems.operators.blocks`); the simplex methods (Nash-MP, EGPO, multiplicative
weights) are in :mod:`.methods` and :mod:`.kernels`.

References
----------
.. [1] D. Tiapkin, D. Calandriello, D. Belomestny, E. Moulines, A. Naumov, K. Rasul,
   M. Valko, P. Menard, "Accelerating Nash learning from human feedback via Mirror Prox",
   arXiv 2505.19731, 2025 (Nash-MP, reconstructed here).
.. [2] R. Zhou, M. Fazel, S. S. Du, "Extragradient preference optimization (EGPO): beyond
   last-iterate convergence for Nash learning from human feedback", arXiv 2503.08942, 2025;
   S. Cen, Y. Wei, Y. Chi, "Fast policy extragradient methods for competitive games with
   entropy regularization", arXiv 2105.15186, 2021 (EGPO).
.. [3] Y. Freund, R. E. Schapire, "Adaptive game playing using multiplicative weights",
   Games Econ. Behav., 1999 (Hedge self-play).
.. [4] Sharma, "Small-Gain Nash: Certified Contraction to Nash Equilibria in Differentiable
   Games", arXiv 2512.06791, 2025 (the certified step of ``gda_sgn``).
"""

from __future__ import annotations

from workbench.problems.operators import OPERATOR_CALLS, algorithm
from workbench.problems.operators import reference as operator_reference
from workbench.problems.operators.blocks import (
    BLOCK_CALLS,
    BLOCK_HYPER,
    run_alternating_gda,
    run_block_gda,
)

from workbench.catalogue import Algorithm, Param, Problem

from . import instances, methods, reference
from .instances import AFFINE_MEASURES

_SPECTRAL = ("L", "s_min", "mu", "rho", "beta", "R0", "n", "re_min", "spec_max", "players")
_SGN = ("sgn_margin", "sgn_lipschitz", "sgn_kappa", "sgn_step", "sgn_step_max", "sgn_factor",
        "sgn_cond", "small_gain", "band_lo", "band_hi")
_BLOCK = (
    Algorithm("alternating_gda", run_alternating_gda, dict(BLOCK_HYPER), AFFINE_MEASURES,
              counters=BLOCK_CALLS,
              reference="alternating gradient play; Bailey, Gidel, Piliouras (COLT 2020)",
              twin=operator_reference.alternating_gda),
    Algorithm("block_gda", run_block_gda, dict(BLOCK_HYPER), AFFINE_MEASURES,
              counters=BLOCK_CALLS, reference="simultaneous gradient play, a step per player",
              twin=operator_reference.block_gda),
)
_PREFERENCE_STEP = {"step_scale": Param(1.0, "(0, inf)", doc="see the method's docstring")}

PROBLEMS = (
    Problem(
        name="games.damped_bilinear",
        make=instances.make_damped_bilinear,
        params={"m": Param(4, "[1, inf)", integer=True, doc="each player's dimension"),
                "a": Param(0.1, "[0, inf)", doc="own curvature (mu = a)"),
                "sigma_min": Param(0.5, "(0, inf)", doc="smallest singular value of B"),
                "L": Param(1.0, "(0, inf)", doc="||M|| (sigma_max = sqrt(L^2 - a^2))")},
        algorithms=(*(algorithm(m) for m in ("gda", "extragradient", "optimistic",
                                             "flow_rk4")), *_BLOCK),
        description="two-player game F = [[a I, B], [-B^T, a I]], singular values of B in "
                    "[sigma_min, sqrt(L^2 - a^2)]",
        constants=_SPECTRAL + ("a", "sigma_min", "sigma_max"),
    ),
    Problem(
        name="games.small_gain",
        make=instances.make_small_gain,
        params={"players": Param(2, "[2, inf)", integer=True, doc="players (a chain)"),
                "dim": Param(4, "[1, inf)", integer=True, doc="each player's dimension"),
                "curvature_max": Param(1.5, "[1, inf)", doc="own curvature in [1, this]"),
                "gain_product": Param(0.6, "(0, inf)",
                                      doc="product of a neighbour pair's coupling gains"),
                "asymmetry": Param(15.0, "(0, inf)", doc="ratio of the two coupling gains")},
        algorithms=(
            Algorithm("gda_sgn", methods.run_certified_gda,
                      {"step_scale": Param(1.0, "(0, inf)",
                                           doc="h = step_scale h*, safe band (0, 2)")},
                      AFFINE_MEASURES, counters=OPERATOR_CALLS,
                      reference="gradient play at the Small-Gain Nash step (Sharma 2025, "
                                "reconstruction)", twin=reference.certified_gda),
            *(algorithm(m) for m in ("gda", "extragradient", "optimistic", "flow_rk4")),
            *_BLOCK),
        description="N-player quadratic game on a chain, own curvature in [1, "
                    "curvature_max], Small-Gain Nash certificate",
        constants=_SPECTRAL + _SGN + ("gain_product",),
    ),
    Problem(
        name="games.preference",
        make=instances.make_preference,
        params={"n_actions": Param(10, "[2, inf)", integer=True, doc="actions"),
                "beta": Param(0.1, "(0, inf)", doc="KL regularization to pi_ref")},
        algorithms=(
            Algorithm("nash_mp", methods.run_nash_mp, dict(_PREFERENCE_STEP),
                      methods.EXTRAGRADIENT_MEASURES, counters=methods.QUERIES,
                      reference="Nash Mirror Prox, Tiapkin et al. (2025), reconstruction",
                      twin=reference.nash_mp),
            Algorithm("egpo", methods.run_egpo, dict(_PREFERENCE_STEP),
                      methods.EXTRAGRADIENT_MEASURES, counters=methods.QUERIES,
                      reference="EGPO, Zhou, Fazel, Du (2025); Cen, Wei, Chi (2021)",
                      twin=reference.egpo),
            Algorithm("mwu", methods.run_mwu, dict(_PREFERENCE_STEP), methods.MWU_MEASURES,
                      counters=methods.QUERIES,
                      reference="Hedge self-play, Freund and Schapire (1999)",
                      twin=reference.mwu),
        ),
        description="constant-sum preference game P + P^T = 1 with KL regularization beta "
                    "to a uniform reference",
        constants=("kl0", "gap0", "exploit_beta", "L_pref", "ne_residual", "nash_support"),
    ),
)
