"""Public wrappers of the bilevel kernels: validate, derive the schedules, seed, allocate,
call, name the columns.

Random numbers follow the family contract (:mod:`workbench.catalogue`): every method starts
from the instance's ``x0`` and from ``y = z = 0`` (no draw); a method with stochastic oracles
passes ``kernel_seed(algorithm_rng(seed))`` to its kernel's ``np.random.seed``. The schedules
are named helpers (:func:`f2sa_schedule`, :func:`borep_parameters`) that cite the paper and
say what is reconstructed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from workbench.catalogue import ParameterError, algorithm_rng, kernel_seed

from .instances import HyperCleaning, QuadraticBilevel, hypergradient
from .kernels import (
    GRAD_F_SQ,
    GRAD_F_SQ_AVG,
    GRAD_F_SQ_WAVG,
    GRAD_GAP,
    GRAD_NORM,
    GRAD_NORM_AVG,
    HVPS,
    HYPERGRAD_ERR,
    LOWER_GRADS,
    N_COLUMNS,
    PENALTY_GRAD_NORM,
    UPPER_GRADS,
    VALUE_GAP,
    _aid_cleaning_kernel,
    _aid_quadratic_kernel,
    _borep_kernel,
    _f2sa_kernel,
    _itd_quadratic_kernel,
    _penalty_kernel,
    _soba_kernel,
)

COUNTERS = {"upper_grads": UPPER_GRADS, "lower_grads": LOWER_GRADS, "hvps": HVPS}


def _output(checkpoints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    checkpoints = np.ascontiguousarray(checkpoints, dtype=np.int64)
    return checkpoints, np.full((checkpoints.size, N_COLUMNS), np.nan)


def _columns(out: np.ndarray, **measures: int) -> dict[str, np.ndarray]:
    named = {name: out[:, column].copy() for name, column in measures.items()}
    named.update({name: out[:, column].copy() for name, column in COUNTERS.items()})
    return named


def _deterministic(instance: QuadraticBilevel, method: str) -> None:
    if instance.noisy:
        raise ParameterError(f"{method} is a deterministic baseline here; the instance has "
                             f"sigma_f={instance.sigma_f:g}, sigma_g={instance.sigma_g:g}")


def _quadratic_data(inst: QuadraticBilevel) -> tuple:
    return (inst.upper, inst.amp, inst.H, inst.B, inst.b, inst.G, inst.c)


# -- AID and ITD ----------------------------------------------------------------------------
def run_aid(instance: QuadraticBilevel | HyperCleaning, checkpoints: np.ndarray, seed: int,
            step_scale: float = 1.0) -> dict[str, np.ndarray]:
    """AID with fixed-point iterations at ``x0``: error of the hypergradient estimate
    against the number ``K`` of inner iterations (deterministic).

    ``K`` gradient steps with step ``step_scale / L`` on the lower level, then ``K`` fixed-point
    steps on the linear system ``Hess_yy g v = grad_y f``. With step ``1/L`` and
    ``spec(Hess_yy g)`` in ``[mu, L]`` the contraction constant is ``q = 1 - mu/L`` (the
    instance constant ``rho``).

    Claims: bilevel-aid-quadratic-factor, bilevel-aid-hypercleaning-factor.
    """
    checkpoints, out = _output(checkpoints)
    step = step_scale / instance.constants["L"]
    if isinstance(instance, HyperCleaning):
        _aid_cleaning_kernel(instance.A, instance.labels, instance.Av, instance.labels_v,
                             instance.lam, instance.x0, step, instance.grad_true, checkpoints,
                             out)
    else:
        _deterministic(instance, "aid")
        grad_true = hypergradient(instance, instance.x0)
        _aid_quadratic_kernel(instance.upper, instance.amp, instance.H, instance.B,
                              instance.b, instance.x0, step, grad_true, checkpoints, out)
    return _columns(out, hypergrad_err=HYPERGRAD_ERR)


def run_itd(instance: QuadraticBilevel, checkpoints: np.ndarray, seed: int,
            step_scale: float = 1.0) -> dict[str, np.ndarray]:
    """ITD (differentiate through ``K`` gradient steps with step ``step_scale / L``) at
    ``x0`` (deterministic).

    Claims: bilevel-itd-quadratic-factor.
    """
    _deterministic(instance, "itd")
    checkpoints, out = _output(checkpoints)
    step = step_scale / instance.constants["L"]
    grad_true = hypergradient(instance, instance.x0)
    _itd_quadratic_kernel(instance.upper, instance.amp, instance.H, instance.B, instance.b,
                          instance.x0, step, grad_true, checkpoints, out)
    return _columns(out, hypergrad_err=HYPERGRAD_ERR)


# -- F2SA -----------------------------------------------------------------------------------
#: Exponents ``(a, c)`` of ``alpha_k ~ k^-a`` and ``gamma_k ~ k^-c`` per noise setting.
F2SA_EXPONENTS = {0: (1 / 3, 0.0), 1: (3 / 5, 2 / 5), 2: (5 / 7, 4 / 7)}
F2SA_SETTINGS = {0: "deterministic", 1: "noise in the upper level only",
                 2: "noise in both levels"}


@dataclass(frozen=True)
class F2SASchedule:
    """``gamma_k = gamma0 s^-c``, ``lambda_k = lam0 s^p``, ``alpha_k = gamma_k / lambda_k``
    with ``s = (k + k0) / k0``; the x-step is ``xi alpha_k``."""

    setting: int
    a: float
    c: float
    p: float
    gamma0: float
    lam0: float
    k0: float
    xi: float


def f2sa_setting(instance: QuadraticBilevel) -> int:
    """0 deterministic, 1 upper-level noise only, 2 noise in the lower level."""
    if instance.sigma_g > 0:
        return 2
    return 1 if instance.sigma_f > 0 else 0


def f2sa_schedule(instance: QuadraticBilevel, schedule: int = -1, penalty_scale: float = 1.0,
                  lam0: float = 1.0, step_scale: float = 0.5, k0: float = 1.0,
                  xi: float = 1.0) -> F2SASchedule:
    """The step sizes and penalty of F2SA (Kwon, Kwon, Wright, Nowak, ICML 2023, arXiv
    2301.10945, Algorithm 1 and the main theorem of Sec. 3).

    ``alpha_k ~ k^-a``, ``gamma_k ~ k^-c``, ``lambda_k = gamma_k / alpha_k ~ k^(a - c)``, with
    ``(a, c) = (1/3, 0)`` deterministic, ``(3/5, 2/5)`` with upper-level noise only,
    ``(5/7, 4/7)`` with noise in both levels, which give ``E ||grad F||^2 = O(K^-2/3)``,
    ``O(K^-2/5)``, ``O(K^-2/7)``: the paper's ``eps^-3/2``, ``eps^-5/2``, ``eps^-7/2``
    iterations with ``||grad F||^2 <= eps``.

    **Reconstructed**: only the abstract could be read here; these exponents are the
    unique ones that balance the three terms of its analysis (optimization ``K^-(1-a)``,
    penalty bias ``lambda_K^-2 = K^-2(a-c)``, noise ``gamma_K`` or ``lambda_K^2 gamma_K``)
    and they reproduce the three stated complexities. The constants (``gamma0 =
    step_scale / L``, ``lam0``, ``k0``, ``xi``) are ours; ``gamma0 <= 1/L`` keeps the
    ``z``- and ``y``-steps stable.

    Parameters
    ----------
    schedule
        -1: the setting of the instance's noise; 0, 1, 2 force one (an ablation).
    penalty_scale
        ``lambda_k`` grows like ``k^(penalty_scale (a - c))`` (1: the paper; 0: a fixed
        penalty; between: too slowly); ``gamma_k`` keeps its schedule.
    """
    setting = f2sa_setting(instance) if schedule < 0 else int(schedule)
    if setting not in F2SA_EXPONENTS:
        raise ParameterError(f"schedule must be -1, 0, 1 or 2, got {schedule}")
    a, c = F2SA_EXPONENTS[setting]
    return F2SASchedule(setting, a, c, penalty_scale * (a - c),
                        step_scale / instance.constants["L"], lam0, k0, xi)


def run_f2sa(instance: QuadraticBilevel, checkpoints: np.ndarray, seed: int,
             schedule: int = -1, penalty_scale: float = 1.0, lam0: float = 1.0,
             step_scale: float = 0.5, k0: float = 1.0,
             xi: float = 1.0) -> dict[str, np.ndarray]:
    """F2SA from ``x0``, ``y = z = 0``, one inner step per iteration, the schedule of
    :func:`f2sa_schedule`; stochastic oracles with the instance's noise.

    Claims: bilevel-f2sa-deterministic, bilevel-f2sa-upper-noise, bilevel-f2sa-both-noise.
    """
    sched = f2sa_schedule(instance, schedule, penalty_scale, lam0, step_scale, k0, xi)
    checkpoints, out = _output(checkpoints)
    kseed = kernel_seed(algorithm_rng(seed))
    x = instance.x0.copy()
    y, z = np.zeros(instance.dy), np.zeros(instance.dy)
    _f2sa_kernel(*_quadratic_data(instance), instance.sigma_f, instance.sigma_g, x, y, z,
                 sched.a, sched.c, sched.p, sched.lam0, sched.gamma0, sched.k0, sched.xi,
                 kseed, checkpoints, out)
    return _columns(out, grad_F_sq=GRAD_F_SQ, grad_F_sq_avg=GRAD_F_SQ_AVG,
                    grad_F_sq_wavg=GRAD_F_SQ_WAVG)


# -- the penalty method ---------------------------------------------------------------------
def penalty_operator(instance: QuadraticBilevel, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """``P``, ``q`` with ``grad psi_sigma(x) = grad phi(x) + P x - q``: ``R = B^T (H + sigma
    I)^-1``, ``P = R M``, ``q = R b``."""
    R = ((instance.B.T @ instance.Q) / (instance.eigs + sigma)) @ instance.Q.T
    return np.ascontiguousarray(R @ instance.M), R @ instance.b


def run_penalty(instance: QuadraticBilevel, checkpoints: np.ndarray, seed: int,
                sigma: float = 0.01, inner: int = 10,
                step_scale: float = 0.5) -> dict[str, np.ndarray]:
    """Gradient descent on the penalty function ``psi_sigma(x) = min_y f(x, y) + (g(x, y) -
    g*(x)) / sigma`` with warm-started inner loops of ``inner`` steps for ``y`` and ``z``;
    outer step ``step_scale / L_F`` (deterministic).

    Besides ``||grad F||`` and
    ``||grad psi_sigma||`` the run records, at its iterates, the value gap ``F -
    psi_sigma`` and the gradient gap ``||grad psi_sigma - grad F||`` in closed form (see
    :func:`~.instances.penalty_value_gap`). The paper's inner accuracies and
    outer step (stated as orders) are replaced here by fixed warm-started loops that converge
    to the exact stationary point of ``psi_sigma``, whose ``||grad F||`` is then
    :func:`~.instances.penalty_stationary_gap`.

    Claims: bilevel-penalty-stationary-gap, bilevel-penalty-value-gap,
    bilevel-penalty-gradient-gap.
    """
    _deterministic(instance, "penalty")
    checkpoints, out = _output(checkpoints)
    P, q = penalty_operator(instance, sigma)
    S = np.ascontiguousarray((instance.Q / (instance.eigs + sigma)) @ instance.Q.T)
    Gs = np.ascontiguousarray(sigma * instance.M.T @ S)
    eta = step_scale / instance.constants["L_F"]
    x = instance.x0.copy()
    y, z = np.zeros(instance.dy), np.zeros(instance.dy)
    _penalty_kernel(*_quadratic_data(instance), P, q, instance.M, S, Gs, sigma, eta,
                    int(inner), instance.constants["L"], x, y, z, checkpoints, out)
    return _columns(out, grad_F_norm=GRAD_NORM, penalty_grad_norm=PENALTY_GRAD_NORM,
                    value_gap=VALUE_GAP, grad_gap=GRAD_GAP)


# -- BO-REP and SOBA ------------------------------------------------------------------------
@dataclass(frozen=True)
class BorepParameters:
    """What :func:`borep_parameters` derives from ``eps``."""

    eta: float
    beta: float
    nu: float
    gamma: float
    period: int
    inner: int
    refine: int


def borep_parameters(instance: QuadraticBilevel, eps: float, eta_scale: float = 1.0,
                     beta_scale: float = 1.0, step_scale: float = 1.0,
                     period_scale: float = 1.0) -> BorepParameters:
    """BO-REP's parameters as functions of the target accuracy ``eps`` (Hao, Gong, Liu,
    "Bilevel optimization under unbounded smoothness", ICLR 2024, arXiv 2401.09587, the
    main theorem; only the abstract and the authors' code could be read here).

    The orders follow the analysis of normalized SGD with momentum under ``(L0, L1)``-
    smoothness that the paper builds on: ``1 - beta = Theta(eps^2 / V)`` (momentum averages
    the hypergradient noise, of variance ``V``, down to ``O(eps)``), ``eta = Theta(eps (1 -
    beta) / L0)`` (the momentum's lag stays ``O(eps)``), hence ``eta = Theta(eps^3)`` and
    ``T = Theta(eps^-4)``; lower-level and linear-system steps ``Theta(eps^2)`` (their noise
    floors ``O(eps)``); a period ``I = Theta(eps / eta)`` so that ``y*(x)`` moves ``O(eps)``
    between lower-level updates, each of ``N = Theta(eps^-2 log(1/eps))`` SGD steps; the
    initialization refinement runs ``2 N`` steps.

    **Reconstructed**: the theorem's exact expressions could not be read here; the orders
    above are those of its ``O~(eps^-4)`` statement, and the constants are ours, fixed once
    (each term's floor at ``eps / 8``), not tuned to a verdict:

    * ``V = dx (sigma_f^2 + sigma_g^2)``, ``1 - beta = min(1, beta_scale eps^2 / (8 V))``;
    * ``eta = eta_scale eps (1 - beta) / (8 L_F)``, ``L_F`` the smoothness of ``F`` where its
      stationary points lie;
    * ``nu = gamma = min(1 / L, step_scale mu eps^2 / (32 V_y ||B||^2))`` with
      ``V_y = dy (sigma_f^2 + sigma_g^2)``;
    * ``I = max(1, period_scale eps mu / (8 eta ||B|| ||M||))``, ``N = log(8 / eps) /
      (gamma mu)``.
    """
    if not 0 < eps:
        raise ParameterError("eps must be positive")
    const = instance.constants
    L, mu, B_norm = const["L"], const["mu"], const["B_norm"]
    noise = instance.sigma_f**2 + instance.sigma_g**2
    V, V_y = instance.dx * noise, instance.dy * noise
    one_minus_beta = min(1.0, beta_scale * eps**2 / (8 * V)) if V > 0 else 1.0
    eta = eta_scale * eps * one_minus_beta / (8 * const["L_F"])
    gamma = 1.0 / L
    if V_y > 0:
        gamma = min(gamma, step_scale * mu * eps**2 / (32 * V_y * B_norm**2))
    period = max(1, int(period_scale * eps * mu / (8 * eta * B_norm * const["M_norm"])))
    inner = max(1, int(math.ceil(math.log(max(8 / eps, 1.0)) / (gamma * mu))))
    return BorepParameters(eta, 1.0 - one_minus_beta, gamma, gamma, period, inner, 2 * inner)


def run_borep(instance: QuadraticBilevel, checkpoints: np.ndarray, seed: int,
              eps: float = 0.5, eta_scale: float = 1.0, beta_scale: float = 1.0,
              step_scale: float = 1.0, period_scale: float = 1.0) -> dict[str, np.ndarray]:
    """BO-REP from ``x0`` with the parameters of :func:`borep_parameters` for accuracy
    ``eps``; stochastic oracles with the instance's noise.

    ``grad_norm_avg_rel`` is the running mean ``(1/T) sum_t ||grad F(x_t)||`` divided by
    ``eps``.

    Claims: bilevel-borep-eps-4.
    """
    p = borep_parameters(instance, eps, eta_scale, beta_scale, step_scale, period_scale)
    checkpoints, out = _output(checkpoints)
    kseed = kernel_seed(algorithm_rng(seed))
    x = instance.x0.copy()
    _borep_kernel(*_quadratic_data(instance), instance.sigma_f, instance.sigma_g, x, p.eta,
                  p.beta, p.nu, p.gamma, p.period, p.inner, p.refine, kseed, checkpoints, out)
    result = _columns(out, grad_norm=GRAD_NORM, grad_norm_avg=GRAD_NORM_AVG)
    result["grad_norm_avg_rel"] = result["grad_norm_avg"] / eps
    return result


def run_soba(instance: QuadraticBilevel, checkpoints: np.ndarray, seed: int,
             eta_scale: float = 0.5, step_scale: float = 0.5) -> dict[str, np.ndarray]:
    """SOBA (Dagreou, Ablin, Vaiter, Moreau, NeurIPS 2022, arXiv 2201.13409): one stochastic
    step on ``y`` and on the linear-system variable ``z`` (step ``step_scale / L``) and one on
    ``x`` (fixed step ``eta_scale / L_F``, not normalized) per iteration.

    Its analysis assumes an L-smooth upper level, and a step of order ``1 / L_F`` suits the
    region where ``F``'s stationary points lie; on the quartic instance from a far start
    (``|x_i| = 3``, where ``F``'s curvature is about ``26 / L_F`` times larger) the step
    ``0.7 / L_F`` overshoots and the iterates blow up, while from ``|x_i| = 0.5`` it converges:
    the failure BO-REP's normalized steps are designed to avoid. The default ``0.5 / L_F``
    survives this start (with noise ``0.5``; 0.7 diverged in 8 of 8 seeds, 0.5 in none).
    """
    checkpoints, out = _output(checkpoints)
    kseed = kernel_seed(algorithm_rng(seed))
    x = instance.x0.copy()
    eta = eta_scale / instance.constants["L_F"]
    nu = step_scale / instance.constants["L"]
    with np.errstate(over="ignore", invalid="ignore"):
        _soba_kernel(*_quadratic_data(instance), instance.sigma_f, instance.sigma_g, x, eta,
                     nu, kseed, checkpoints, out)
    return _columns(out, grad_norm=GRAD_NORM, grad_norm_avg=GRAD_NORM_AVG)
