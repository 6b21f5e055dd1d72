"""Low-rank matrix sensing with factored gradient descent (Xiong, Ding, Du 2023).

Problem
    Recover a rank-``r`` matrix ``M*`` (``n1 x n2``) from linear measurements
    ``y = A(M*)``, ``A(M)_i = <A_i, M>``. The error is exact because ``M*`` is known:
    ``frobenius_sq = ||P - M*||_F^2`` with ``P`` the current product (``X X^T`` or ``F G^T``),
    ``frobenius = ||P - M*||_F`` and ``loss = 0.5 ||A(P) - y||^2``.

Variants
    ``matrix_sensing.symmetric``: ``M* = U diag(s) U^T`` PSD, ``n x n``.
    ``matrix_sensing.asymmetric``: ``M* = U diag(s) V^T``, ``n1 x n2``.
    ``s`` is geometric from ``1`` down to ``1/kappa`` (so ``sigma_1(M*) = 1``, condition number
    ``kappa``), ``U`` and ``V`` Haar-random orthonormal ``r``-frames.

Measurement operator (problem parameter ``m``)
    ``m = 0``: the population (identity) operator, ``A*A = I``; the cleanest instance.
    ``m > 0``: ``m`` Gaussian sensing matrices, ``A_i`` with i.i.d. ``N(0, 1/m)`` entries, so
    ``E[A*A] = I`` (near-isotropic; RIP with high probability for ``m`` large enough). Stored
    as one ``m x (n1 n2)`` row-major matrix; ``A(P)`` and ``A*(r)`` are one pass over it.

Algorithms (``k`` columns per factor, small random initialisation of scale ``alpha``)
    ``gd`` on the symmetric problem: ``X <- X - eta sym(A*(A(X X^T) - y)) X``, ``X0`` with
    i.i.d. ``N(0, alpha^2)`` entries ([1], Sec. 3, eq. (2.2)); this is a step ``eta/2`` on
    ``0.5 ||A(X X^T) - y||^2``, i.e. step ``eta`` on ``(1/4) ||A(X X^T) - y||^2``.
    ``gd`` on the asymmetric problem and ``gd_asym`` on the symmetric one (one method,
    registered twice): ``E = A*(A(F G^T) - y)``, ``F <- F - eta E G``, ``G <- G - eta E^T F``
    (simultaneous), ``F0 ~ N(0, alpha^2)``, ``G0 ~ N(0, (alpha/3)^2)`` entries: the
    imbalanced initialisation scales ``alpha`` and ``alpha/3`` of [1], Sec. 4.
    ``gd_modified``: the same GD plus one rebalancing step (see
    :func:`~workbench.problems.matrix_sensing.methods.run_gd_modified`).

Per-iteration cost: ``O(n1 n2 k)`` with the population operator; ``O(m n1 n2 + n1 n2 k)``
with dense Gaussian ``A_i`` (reading ``A`` once for ``A(P)`` and once for ``A*(r)``). The
``O(m n k)`` cost quoted for sensing is reachable only for rank-one ``A_i = a_i b_i^T``,
which this family does not implement: a dense ``A_i`` must be read in full.

Layout: ``instances`` (builders, constants, floors), ``kernels`` (private Numba loops and
their jitted helpers), ``methods`` (public wrappers, initial factors), ``reference`` (NumPy
twins for the tests and benchmarks); this module is the registration.

References
----------
.. [1] N. Xiong, L. Ding, S. S. Du, "How Over-Parameterization Slows Down Gradient Descent
   in Matrix Sensing: The Curses of Symmetry and Initialization", ICLR 2024,
   arXiv 2310.01769.
"""

from __future__ import annotations

from workbench.catalogue import Algorithm, Param, Problem

from . import reference
from .instances import SensingInstance, make_asymmetric, make_symmetric
from .methods import initial_factors, run_gd_factored, run_gd_modified, run_gd_symmetric

__all__ = ["PROBLEMS", "SensingInstance", "initial_factors", "make_asymmetric",
           "make_symmetric", "run_gd_factored", "run_gd_modified", "run_gd_symmetric"]

_MEASURES = ("frobenius_sq", "frobenius", "loss")
_REFERENCE = "Xiong, Ding, Du (2023), arXiv 2310.01769"
_CALLS = {"calls": "gradients (one A and one A* application each)"}


def _hyper(eta: float, **extra: Param) -> dict[str, Param]:
    return {"k": Param(4, "[1, inf)", integer=True, doc="factor columns (k >= r)"),
            "alpha": Param(0.1, "(0, inf)", doc="initialization scale"),
            "eta": Param(eta, "(0, inf)", doc="step size"), **extra}


def _truth(**size: Param) -> dict[str, Param]:
    return {**size, "r": Param(2, "[1, inf)", integer=True, doc="rank of M*"),
            "kappa": Param(2.0, "[1, inf)", doc="condition number of M*"),
            "m": Param(0, "[0, inf)", integer=True, doc="measurements (0: population)")}


_FACTORED = _REFERENCE + ", asymmetric parameterization F G^T"
_IMBALANCE = {"imbalance_min": "lambda_min(F0^T F0 - G0^T G0), the initial imbalance"}

PROBLEMS = (
    Problem(
        name="matrix_sensing.symmetric",
        make=make_symmetric,
        params=_truth(n=Param(20, "[1, inf)", integer=True)),
        algorithms=(
            Algorithm("gd", run_gd_symmetric, _hyper(0.1), _MEASURES, counters=_CALLS,
                      randomness="seeded",
                      reference=_REFERENCE + ", symmetric parameterization X X^T",
                      twin=reference.gd_symmetric),
            Algorithm("gd_asym", run_gd_factored, _hyper(0.2), _MEASURES, counters=_CALLS,
                      diagnostics=_IMBALANCE, randomness="seeded", reference=_FACTORED,
                      twin=reference.gd_factored),
        ),
        description="PSD rank-r M* (n x n, sigma_1 = 1, condition kappa); m = 0 population "
                    "operator, m > 0 Gaussian measurements",
        constants=("sigma_1", "sigma_r", "kappa", "fro"),
    ),
    Problem(
        name="matrix_sensing.asymmetric",
        make=make_asymmetric,
        params=_truth(n1=Param(20, "[1, inf)", integer=True),
                      n2=Param(16, "[1, inf)", integer=True)),
        algorithms=(
            Algorithm("gd", run_gd_factored, _hyper(0.2), _MEASURES, counters=_CALLS,
                      diagnostics=_IMBALANCE, randomness="seeded", reference=_FACTORED,
                      twin=reference.gd_factored),
            Algorithm("gd_modified", run_gd_modified,
                      _hyper(0.2, switch_tol=Param(1e-2, "(0, inf)"),
                             beta=Param(1.0, "(0, inf)")),
                      _MEASURES, counters={**_CALLS, "rebalanced": "rebalancing steps made"},
                      diagnostics=_IMBALANCE, randomness="seeded",
                      reference=_REFERENCE + ", Sec. 5 one-step modification (reconstructed)",
                      twin=reference.gd_modified),
        ),
        description="rank-r M* (n1 x n2, sigma_1 = 1, condition kappa); m = 0 population "
                    "operator, m > 0 Gaussian measurements",
        constants=("sigma_1", "sigma_r", "kappa", "fro"),
    ),
)
