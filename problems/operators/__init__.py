"""Operator methods written once, for every family whose instances are affine operators.

API
---
:class:`AffineOperator`
    ``F(z) = M z + q`` as arrays (plus an optional box ``lo <= z <= hi`` and optional
    finite-sum components ``M_i, q_i``), its solution ``z_star``, the constants a rate may
    name (``L``, ``s_min``, ``mu``, ``rho``, ``beta``; ``n``, ``L_max``, ``L_avg``,
    ``L_coco`` for finite sums) computed from the matrices, and the floors of the measures.
    Build one with :func:`make_operator`. An instance may be an ``AffineOperator`` or carry
    one as ``.operator``.
Wrappers ``run_*(instance, checkpoints, seed, **hyper)``
    :func:`run_gda`, :func:`run_extragradient`, :func:`run_optimistic`,
    :func:`run_proximal_point`, :func:`run_halpern`, :func:`run_halpern_resolvent`,
    :func:`run_flow_rk4` (deterministic; ``step = step_scale / L``) and
    :func:`run_vr_halpern`, :func:`run_vr_halpern_resolvent` (finite sums, seeded). Each
    returns the measures of :func:`measure_names` (``residual_sq``, ``residual``,
    ``dist_sq`` unconstrained; ``natural_residual``, ``dist_sq`` on a box;
    ``fixed_point_residual`` for Halpern methods) and the counter ``calls``.
``METHODS``
    For each method: its wrapper, declared hyperparameters, counters, randomness,
    reference and NumPy twin, so that a family registers it with :func:`algorithm`.

The kernels are in :mod:`.kernels` and :mod:`.finite_sum`, their NumPy twins in
:mod:`.reference` (each method's ``twin``).

References
----------
.. [1] G. M. Korpelevich, "The extragradient method for finding saddle points and other
   problems", Ekonomika i Matematicheskie Metody, 1976 (extragradient).
.. [2] L. D. Popov, "A modification of the Arrow-Hurwicz method for search of saddle points",
   Mathematical Notes, 1980 (optimistic gradient, past extragradient).
.. [3] B. Martinet, "Regularisation d'inequations variationnelles par approximations
   successives", RIRO, 1970; R. T. Rockafellar, "Monotone operators and the proximal point
   algorithm", SIAM J. Control Optim., 1976 (proximal point).
.. [4] B. Halpern, "Fixed points of nonexpanding maps", Bull. Amer. Math. Soc., 1967.
.. [5] X. Cai, A. Alacaoglu, J. Diakonikolas, "Variance reduced Halpern iteration for
   finite-sum monotone inclusions", ICLR 2024, arXiv 2310.02987 (Algorithms 1 and 2,
   reconstructed here).
.. [6] J. P. Bailey, G. Gidel, G. Piliouras, "Finite regret and cycles with fixed step-size
   via alternating gradient descent-ascent", COLT 2020 (alternating play).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.catalogue import Algorithm, Param

from . import reference
from .affine import (
    CONSTRAINED_MEASURES,
    HALPERN_MEASURES,
    UNCONSTRAINED_MEASURES,
    AffineOperator,
    as_operator,
    finite_sum_constants,
    make_operator,
    measure_names,
    spectral_constants,
)
from .methods import (
    COMPONENT_CALLS,
    OPERATOR_CALLS,
    RESOLVENT_CALLS,
    initial_point,
    initial_state,
    resolvent,
    run_extragradient,
    run_flow_rk4,
    run_gda,
    run_halpern,
    run_halpern_resolvent,
    run_optimistic,
    run_proximal_point,
    run_vr_halpern,
    run_vr_halpern_resolvent,
)

__all__ = [
    "CONSTRAINED_MEASURES", "HALPERN_MEASURES", "METHODS", "UNCONSTRAINED_MEASURES",
    "AffineOperator", "Method", "algorithm", "as_operator", "finite_sum_constants",
    "initial_point", "initial_state", "make_operator", "measure_names", "resolvent",
    "run_extragradient", "run_flow_rk4", "run_gda", "run_halpern", "run_halpern_resolvent",
    "run_optimistic", "run_proximal_point", "run_vr_halpern", "run_vr_halpern_resolvent",
    "spectral_constants",
]


def _step(default: float, doc: str) -> dict[str, Param]:
    return {"step_scale": Param(default, "(0, inf)", doc=doc)}


@dataclass(frozen=True)
class Method:
    """How a family registers one operator method (see :func:`algorithm`)."""

    run: Any
    hyper: dict[str, Param]
    counters: dict[str, str]
    halpern: bool = False
    randomness: str = "deterministic"
    reference: str = ""
    twin: Any = None  # the NumPy twin in :mod:`.reference`, or a NoTwin


METHODS: dict[str, Method] = {
    "gda": Method(run_gda, _step(0.1, "step = step_scale / L"), OPERATOR_CALLS,
                  reference="simultaneous gradient descent-ascent (forward method)",
                  twin=reference.gda),
    "extragradient": Method(run_extragradient, _step(0.5, "step = step_scale / L"),
                            OPERATOR_CALLS, reference="Korpelevich (1976)",
                            twin=reference.extragradient),
    "optimistic": Method(run_optimistic, _step(0.3, "step = step_scale / L"), OPERATOR_CALLS,
                         reference="Popov (1980), past extragradient",
                         twin=reference.optimistic),
    "proximal_point": Method(run_proximal_point, _step(0.5, "step = step_scale / L"),
                             RESOLVENT_CALLS, reference="Martinet (1970); Rockafellar (1976)",
                             twin=reference.proximal_point),
    "halpern": Method(run_halpern, _step(1.0, "T = I - step_scale * 2 beta F"),
                      OPERATOR_CALLS, halpern=True, reference="Halpern (1967)",
                      twin=reference.halpern),
    "halpern_resolvent": Method(run_halpern_resolvent,
                                _step(1.0, "T = (I + eta F)^-1, eta = step_scale / L"),
                                RESOLVENT_CALLS, halpern=True, reference="Halpern (1967)",
                                twin=reference.halpern_resolvent),
    "flow_rk4": Method(run_flow_rk4, _step(0.1, "h = step_scale / L"), OPERATOR_CALLS,
                       reference="classical Runge-Kutta on dz/dt = -F(z)",
                       twin=reference.flow_rk4),
    "vr_halpern": Method(
        run_vr_halpern,
        {"step_scale": Param(1.0, "(0, 2]", doc="eta = step_scale / L_coco"),
         "batch_scale": Param(1.0, "(0, inf)", doc="batch = ceil(batch_scale sqrt(n))")},
        COMPONENT_CALLS, randomness="seeded",
        reference="Cai, Alacaoglu, Diakonikolas (2023), Alg. 1 (reconstruction)",
        twin=reference.vr_halpern),
    "vr_halpern_resolvent": Method(
        run_vr_halpern_resolvent,
        {"step_scale": Param(1.0, "(0, inf)", doc="eta = step_scale sqrt(n) / L_avg"),
         "inner_scale": Param(1.0, "(0, inf)",
                              doc="ceil(inner_scale n log(k + 2)) inner steps")},
        COMPONENT_CALLS, halpern=True, randomness="seeded",
        reference="Cai, Alacaoglu, Diakonikolas (2023), Alg. 2 (reconstruction)",
        twin=reference.vr_halpern_resolvent),
}


def algorithm(name: str, constrained: bool = False) -> Algorithm:
    """The catalogue :class:`~workbench.catalogue.Algorithm` for method ``name`` on
    (un)constrained instances (the declared defaults are the wrapper's own)."""
    method = METHODS[name]
    hyper = dict(method.hyper)
    measures = (CONSTRAINED_MEASURES if constrained else UNCONSTRAINED_MEASURES) + \
        (HALPERN_MEASURES if method.halpern else ())
    return Algorithm(name, method.run, hyper, measures, counters=method.counters,
                     randomness=method.randomness, reference=method.reference,
                     twin=method.twin)
