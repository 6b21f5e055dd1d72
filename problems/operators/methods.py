"""Public wrappers of the operator methods: validate, seed, allocate, run the cached kernel.

Each wrapper has the catalogue's signature ``run(instance, checkpoints, seed, **hyper)`` and
accepts any instance that is, or carries as ``.operator``, an
:class:`~.affine.AffineOperator`, so a family registers a method with one line::

    Algorithm("extragradient", run_extragradient, EG_HYPER, measures, counters=CALLS)

Steps are given relative to the instance's Lipschitz constant ``L`` (``step = step_scale /
L``) so that cards state them in the papers' units. Every method starts from the instance's
``z_0`` (deterministic methods are deterministic given the instance); kernels that sample
take ``kernel_seed(algorithm_rng(seed))`` (:mod:`workbench.catalogue`).

Methods and their standard guarantees
-------------------------------------
GDA / forward
    ``z <- P(z - g F(z))``. Diverges on bilinear games (factor ``sqrt(1 + g^2 s_max^2)``
    per step); contracts ``||z - z*||^2`` by ``1 - 2 g mu + g^2 L^2`` on strongly monotone
    ``F`` (``1 - mu^2/L^2`` at ``g = mu/L^2``).
Extragradient (Korpelevich 1976)
    Last iterate ``||F(z_k)||^2 = O(||z_0 - z*||^2 / (g^2 k))`` on monotone ``L``-Lipschitz
    ``F`` (Gorbunov, Loizou, Gidel, AISTATS 2022, arXiv 2110.04261); under
    ``rho``-negative comonotonicity ``O(1/k)`` for ``rho`` and ``g`` in the admissible range
    (Gorbunov, Taylor, Horvath, Gidel, ICML 2023, arXiv 2210.13831); linear on polyhedral
    affine VIs (Tseng 1995).
Optimistic gradient / past extragradient (Popov 1980)
    One call per step; last iterate ``O(1/k)`` for ``||F||^2`` (Gorbunov, Taylor, Gidel 2022,
    arXiv 2205.08446; negative comonotone range in Gorbunov et al. 2023).
Proximal point
    ``z <- (I + g F)^{-1} z``; under ``rho``-negative comonotonicity it needs ``g > 2 rho``
    and then ``||F(z_N)||^2 = O(1/N)``, tight (Gorbunov et al. 2023).
Halpern (1967)
    ``x_{k+1} = x_0/(k + 2) + (1 - 1/(k + 2)) T x_k`` for nonexpansive ``T``:
    ``||x_k - T x_k|| <= 2 ||x_0 - x*|| / (k + 1)``, tight (Lieder, Optim. Lett. 2021).
RK4 on the flow ``dz/dt = -F(z)``
    The flow contracts ``||z(t) - z*||^2`` like ``exp(-2 mu t)`` for ``mu``-strongly monotone
    ``F`` (exactly, on the slowest eigen-direction of an affine ``F``).
"""

from __future__ import annotations

import numpy as np

from workbench.catalogue import ParameterError, algorithm_rng, kernel_seed

from . import finite_sum, kernels
from .affine import AffineOperator, as_operator, measure_names

# What one unit of the ``calls`` counter is, per method (for ``Algorithm(counters=...)``).
OPERATOR_CALLS = {"calls": "operator evaluations F(z) (n component evaluations each on a "
                           "finite sum)"}
RESOLVENT_CALLS = {"calls": "resolvent evaluations (I + g F)^{-1} z"}
COMPONENT_CALLS = {"calls": "component operator evaluations F_i(z)"}


def initial_state(op: AffineOperator, seed: int) -> tuple[np.ndarray, np.int64]:
    """A copy of the instance's initial point ``z_0`` (the kernel overwrites it) and the seed
    of a sampling kernel, ``kernel_seed(algorithm_rng(seed))`` (the catalogue's
    convention; the initial point is the instance's, so no draw precedes it)."""
    return op.z0.copy(), kernel_seed(algorithm_rng(seed))


def initial_point(op: AffineOperator, seed: int) -> np.ndarray:
    """The initial point of :func:`initial_state`."""
    return op.z0.copy()


def _setup(instance: object, checkpoints: np.ndarray):
    op = as_operator(instance)
    grid = np.ascontiguousarray(checkpoints, dtype=np.int64)
    if grid.ndim != 1 or grid.size == 0 or grid[0] < 0 or np.any(np.diff(grid) <= 0):
        raise ValueError("checkpoints must be a non-empty increasing array of iterations >= 0")
    out = np.full((grid.size, kernels.N_COLUMNS), np.nan)
    if op.constrained:
        lo, hi = op.lo, op.hi
    else:
        lo = np.full(op.d, -np.inf)
        hi = np.full(op.d, np.inf)
    return op, grid, out, lo, hi


def _positive(name: str, value: float) -> float:
    if not np.isfinite(value) or value <= 0:
        raise ParameterError(f"{name} must be positive and finite, got {value!r}")
    return float(value)


def _measures(op: AffineOperator, out: np.ndarray, calls_per_unit: float = 1.0,
              halpern: bool = False) -> dict[str, np.ndarray]:
    """The kernel's columns as the named measures of ``measure_names(op, halpern)``."""
    columns = {
        "residual_sq": out[:, kernels.RES_SQ],
        "residual": np.sqrt(out[:, kernels.RES_SQ]),
        "dist_sq": out[:, kernels.DIST_SQ],
        "natural_residual": np.sqrt(out[:, kernels.NATURAL_SQ]),
        "fixed_point_residual": out[:, kernels.FIXED_POINT],
    }
    result = {name: columns[name] for name in measure_names(op, halpern)}
    result["calls"] = out[:, kernels.CALLS] * calls_per_unit
    return result


def _step(op: AffineOperator, step_scale: float) -> float:
    return _positive("step_scale", step_scale) / op.constants["L"]


def run_gda(instance: object, checkpoints: np.ndarray, seed: int,
            step_scale: float = 0.1) -> dict[str, np.ndarray]:
    """Simultaneous GDA (forward steps) ``z <- P(z - g F(z))`` with ``g = step_scale / L``.

    ``calls`` counts operator evaluations times ``n`` (component evaluations on a finite
    sum). See the module docstring for the guarantees.

    Claims: euler-diverges-damped-bilinear, games-gda-factor, strongly-monotone-gda-factor,
    bilinear-gda-divergence.
    """
    op, grid, out, lo, hi = _setup(instance, checkpoints)
    z = initial_point(op, seed)
    kernels._gda_kernel(op.M, op.q, op.z_star, lo, hi, op.constrained, _step(op, step_scale),
                        z, grid, out)
    return _measures(op, out, op.n)


def run_extragradient(instance: object, checkpoints: np.ndarray, seed: int,
                      step_scale: float = 0.5) -> dict[str, np.ndarray]:
    """Extragradient (Korpelevich 1976) with step ``g = step_scale / L`` (two calls per
    step); projected onto the box when there is one (Korpelevich's original form).

    Claims: games-eg-factor, eg-monotone-last-iterate, comon-eg-last-iterate,
    bilinear-eg-factor, comon-eg-outside-range-divergence, box-eg-linear,
    box-eg-free-face-factor.
    """
    op, grid, out, lo, hi = _setup(instance, checkpoints)
    z = initial_point(op, seed)
    kernels._extragradient_kernel(op.M, op.q, op.z_star, lo, hi, op.constrained,
                                  _step(op, step_scale), z, grid, out)
    return _measures(op, out, op.n)


def run_optimistic(instance: object, checkpoints: np.ndarray, seed: int,
                   step_scale: float = 0.3) -> dict[str, np.ndarray]:
    """Optimistic gradient in past-extragradient form (Popov 1980):
    ``w_k = P(z_k - g F(w_{k-1}))``, ``z_{k+1} = P(z_k - g F(w_k))``, ``g = step_scale / L``;
    measures at ``z_k``.

    Claims: comon-og-last-iterate.
    """
    op, grid, out, lo, hi = _setup(instance, checkpoints)
    z = initial_point(op, seed)
    kernels._optimistic_kernel(op.M, op.q, op.z_star, lo, hi, op.constrained,
                               _step(op, step_scale), z, grid, out)
    return _measures(op, out, op.n)


def resolvent(op: AffineOperator, gamma: float) -> tuple[np.ndarray, np.ndarray]:
    """``(A, b)`` with ``(I + gamma F)^{-1} z = A z + b`` for affine ``F``: one
    factorisation, outside any jitted loop."""
    A = np.linalg.solve(np.eye(op.d) + gamma * op.M, np.eye(op.d))
    return np.ascontiguousarray(A), np.ascontiguousarray(-gamma * (A @ op.q))


def run_proximal_point(instance: object, checkpoints: np.ndarray, seed: int,
                       step_scale: float = 0.5) -> dict[str, np.ndarray]:
    """Proximal point ``z <- (I + g F)^{-1} z`` with ``g = step_scale / L``; the resolvent
    is the exact affine map of :func:`resolvent`. ``calls`` counts resolvent evaluations.
    Unconstrained operators only (the resolvent of ``F`` plus a box is not affine).

    Claims: comon-pp-last-iterate, comon-pp-below-threshold-divergence.
    """
    op, grid, out, lo, hi = _setup(instance, checkpoints)
    if op.constrained:
        raise ParameterError("proximal point is implemented for unconstrained operators only")
    A, b = resolvent(op, _step(op, step_scale))
    z = initial_point(op, seed)
    kernels._linear_map_kernel(A, b, op.M, op.q, op.z_star, lo, hi, False, z, grid, out)
    return _measures(op, out)


def run_halpern(instance: object, checkpoints: np.ndarray, seed: int,
                step_scale: float = 1.0) -> dict[str, np.ndarray]:
    """Halpern's iteration on ``T = P(I - eta F)``, ``eta = step_scale * 2 beta``.

    For a ``beta``-cocoercive ``F`` (``beta = -rho > 0``, computed per instance) ``I - 2 beta
    F`` is nonexpansive, so ``step_scale <= 1`` gives a nonexpansive ``T``; a
    non-cocoercive instance is a :class:`ParameterError`. ``calls`` counts evaluations of
    ``T`` (times ``n`` on a finite sum).

    Claims: halpern-fixed-point-residual, halpern-calls-vs-n, vrh-advantage-over-halpern.
    """
    op, grid, out, lo, hi = _setup(instance, checkpoints)
    beta = op.constants["beta"]
    if not beta > 0:
        raise ParameterError(f"forward Halpern needs a cocoercive operator; this one has "
                             f"beta = {beta:.3g} (use halpern_resolvent)")
    eta = _positive("step_scale", step_scale) * 2.0 * beta
    A = np.ascontiguousarray(np.eye(op.d) - eta * op.M)
    b = np.ascontiguousarray(-eta * op.q)
    z = initial_point(op, seed)
    kernels._halpern_kernel(A, b, op.M, op.q, op.z_star, lo, hi, op.constrained, z, grid,
                            out)
    return _measures(op, out, op.n, halpern=True)


def run_halpern_resolvent(instance: object, checkpoints: np.ndarray, seed: int,
                          step_scale: float = 1.0) -> dict[str, np.ndarray]:
    """Halpern's iteration on the resolvent ``T = (I + eta F)^{-1}``, ``eta = step_scale /
    L`` (firmly nonexpansive for monotone ``F``); ``calls`` counts resolvent evaluations.
    Residual measures are at the anchored iterate ``x_k``; ``||F(T x_k)|| = ||x_k - T x_k||
    / eta`` exactly.

    Claims: halpern-resolvent-fixed-point.
    """
    op, grid, out, lo, hi = _setup(instance, checkpoints)
    if op.constrained:
        raise ParameterError("the resolvent Halpern method is implemented for unconstrained "
                             "operators only")
    A, b = resolvent(op, _step(op, step_scale))
    z = initial_point(op, seed)
    kernels._halpern_kernel(A, b, op.M, op.q, op.z_star, lo, hi, False, z, grid, out)
    return _measures(op, out, halpern=True)


def run_flow_rk4(instance: object, checkpoints: np.ndarray, seed: int,
                 step_scale: float = 0.1) -> dict[str, np.ndarray]:
    """Classical RK4 on the flow ``dz/dt = -F(z)`` with step ``h = step_scale / L`` (four
    calls per step); unconstrained only. Iteration ``k`` is time ``t = k h``.

    Claims: rk4-converges-same-step, rk4-converges-per-call, flow-rk4-exponential.
    """
    op, grid, out, lo, hi = _setup(instance, checkpoints)
    if op.constrained:
        raise ParameterError("RK4 on the flow is implemented for unconstrained operators only")
    z = initial_point(op, seed)
    kernels._rk4_kernel(op.M, op.q, op.z_star, lo, hi, False, _step(op, step_scale), z, grid,
                        out)
    return _measures(op, out, op.n)


# -- finite sums ----------------------------------------------------------------------------
def _finite_sum(instance: object, checkpoints: np.ndarray):
    op, grid, out, _, _ = _setup(instance, checkpoints)
    if op.components is None:
        raise ParameterError("a variance-reduced method needs a finite-sum instance")
    if op.constrained:
        raise ParameterError("the variance-reduced Halpern methods are implemented for "
                             "unconstrained operators only")
    return op, grid, out


def vr_halpern_parameters(op: AffineOperator, step_scale: float = 1.0,
                          batch_scale: float = 1.0) -> dict[str, float]:
    """Parameters of :func:`run_vr_halpern` (our choices, see :mod:`.finite_sum`).

    ``eta = step_scale / L_coco`` (``I - eta F`` is then averaged: the mean is
    ``1/L_coco``-cocoercive); batch ``b = ceil(batch_scale sqrt(n))``; full-pass probability
    floor ``1/sqrt(n)``. A full pass every ``sqrt(n)`` steps plus ``2 b`` calls per step
    cost ``O(sqrt(n))`` calls per step in expectation; the early phase
    (``p_k = 2/(k + 2)`` while above the floor) costs ``O(n log n)``; the Halpern part needs
    ``O(L / eps)`` steps: ``O~(n + sqrt(n) L / eps)`` in all.
    """
    n = op.n
    L_coco = op.constants["L_coco"]
    if not np.isfinite(L_coco):
        raise ParameterError("vr_halpern needs an operator cocoercive in the mean (finite "
                             "L_coco); use vr_halpern_resolvent")
    return {"eta": _positive("step_scale", step_scale) / L_coco,
            "batch": int(np.ceil(_positive("batch_scale", batch_scale) * np.sqrt(n))),
            "p_floor": 1.0 / np.sqrt(n)}


def run_vr_halpern(instance: object, checkpoints: np.ndarray, seed: int,
                   step_scale: float = 1.0, batch_scale: float = 1.0
                   ) -> dict[str, np.ndarray]:
    """Variance-reduced Halpern iteration for finite sums cocoercive in the mean (our
    reconstruction of Cai, Alacaoglu, Diakonikolas 2023, Algorithm 1; parameters in
    :func:`vr_halpern_parameters`). Measures at the Halpern iterate ``x_k``; ``calls``
    counts component evaluations.

    Claims: vrh-last-iterate, vrh-calls-vs-n, vrh-advantage-over-halpern.
    """
    op, grid, out = _finite_sum(instance, checkpoints)
    par = vr_halpern_parameters(op, step_scale, batch_scale)
    z, kseed = initial_state(op, seed)
    finite_sum._vr_halpern_kernel(op.components, op.M, op.q, op.z_star, par["eta"],
                                  par["batch"], par["p_floor"], z, kseed, grid, out)
    return _measures(op, out)


def vr_halpern_resolvent_parameters(op: AffineOperator, step_scale: float = 1.0,
                                    inner_scale: float = 1.0) -> dict[str, float]:
    """Parameters of :func:`run_vr_halpern_resolvent` (our choices, see :mod:`.finite_sum`).

    Resolvent step ``eta = step_scale sqrt(n) / L_avg`` (so the inner problem costs
    ``O(n)`` calls per constant-factor decrease and the outer Halpern needs
    ``O(L / (sqrt(n) eps))`` steps); snapshot probability ``p = 1/n``; inner step
    ``tau = sqrt(p) / (4 eta L_avg)`` (the operator ``eta F`` is ``eta L_avg``-Lipschitz in
    mean square); ``ceil(inner_scale n log(k + 2))`` inner steps at outer step ``k``.
    """
    n = op.n
    L_avg = op.constants["L_avg"]
    eta = _positive("step_scale", step_scale) * np.sqrt(n) / L_avg
    p = 1.0 / n
    return {"eta": eta, "p": p, "tau": np.sqrt(p) / (4.0 * eta * L_avg),
            "inner_scale": _positive("inner_scale", inner_scale)}


def run_vr_halpern_resolvent(instance: object, checkpoints: np.ndarray, seed: int,
                             step_scale: float = 1.0, inner_scale: float = 1.0
                             ) -> dict[str, np.ndarray]:
    """Inexact Halpern on the resolvent with a VR-FoRB subsolver for finite sums monotone
    and Lipschitz in the mean (our reconstruction of Cai, Alacaoglu, Diakonikolas 2023,
    Algorithm 2; parameters in :func:`vr_halpern_resolvent_parameters`). Measures at the
    resolvent output ``u_k``; ``fixed_point_residual`` is ``||x_k - u_k||``; ``calls`` counts
    component evaluations.

    Claims: vrh-resolvent-last-iterate, vrh-resolvent-calls-vs-n.
    """
    op, grid, out = _finite_sum(instance, checkpoints)
    par = vr_halpern_resolvent_parameters(op, step_scale, inner_scale)
    z, kseed = initial_state(op, seed)
    finite_sum._vr_halpern_resolvent_kernel(op.components, op.M, op.q, op.z_star,
                                            par["eta"], par["tau"], par["p"],
                                            par["inner_scale"], z, kseed, grid, out)
    return _measures(op, out, halpern=True)

