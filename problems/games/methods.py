"""Public wrappers of the game methods: validate, set the step, allocate, run the kernel.

Affine games reuse the operator methods of :mod:`workbench.problems.operators` (their
kernels run on the game's pseudo-gradient unchanged); :func:`run_certified_gda` only sets
GDA's step from the instance's Small-Gain Nash certificate. The simplex methods run the
kernels of :mod:`.kernels`.

Simplex methods and their guarantees
------------------------------------
Nash Mirror Prox, :func:`run_nash_mp` (Tiapkin, Calandriello, Belomestny, Moulines, Naumov,
Rasul, Valko, Menard, "Accelerating Nash learning from human feedback via Mirror Prox",
arXiv 2505.19731, 2025)
    Mirror Prox on the regularized game with the KL geometry and the regularizer kept in
    the prox steps::

        pi_{k+1/2} = argmax_pi eta P(pi > pi_k) - eta beta KL(pi||pi_ref) - KL(pi||pi_k)
        pi_{k+1}   = argmax_pi eta P(pi > pi_{k+1/2}) - eta beta KL(pi||pi_ref) - KL(pi||pi_k)

    in closed form ``log pi_{k+1/2} = (log pi_k + eta beta log pi_ref + eta P pi_k) / (1 + eta
    beta) + const`` (and the same with ``P pi_{k+1/2}``). Abstract: the KL divergence to the
    regularized equilibrium decreases like ``(1 + 2 beta)^(-N/2)`` in the number ``N`` of
    preference queries, independently of the number of actions. Our reconstruction (only
    the abstract could be read here): ``KL(pi*_beta || pi_{k+1}) <= KL(pi*_beta || pi_k) / (1
    + eta beta)`` for ``eta <= 1 / L`` with ``L = 1/2`` the l1-to-l-infinity Lipschitz
    constant of ``pi -> P pi`` on the simplex (``P + P^T = 1`` puts the entries of ``P - 1/2``
    in ``[-1/2, 1/2]``); at ``eta = 2`` and two queries per iteration (``N = 2k``) that is
    ``(1 + 2 beta)^(-N/2)``. Step ``eta = 2 step_scale``.
EGPO, :func:`run_egpo` (Zhou, Fazel, Du, "Extragradient preference optimization (EGPO):
beyond last-iterate convergence for Nash learning from human feedback", arXiv 2503.08942,
2025; the policy extragradient method of Cen, Wei, Chi, "Fast policy extragradient methods
for competitive games with entropy regularization", arXiv 2105.15186, 2021)
    ``log pi_{k+1/2} = (1 - eta beta) log pi_k + eta beta log pi_ref + eta P pi_k`` and
    ``log pi_{k+1}`` the same with ``P pi_{k+1/2}``; two queries per iteration. Guarantee
    (reconstructed from Cen et al., Theorem 1, with the KL reference in place of the
    entropy): ``KL(pi*_beta || pi_k) <= (1 - eta beta)^k KL(pi*_beta || pi_0)`` for ``0 < eta
    <= 1 / (beta + 2 ||P||_max)``; step ``eta = step_scale / (beta + 2)``. Nash-MP with step
    ``eta'`` is EGPO with step ``eta' / (1 + eta' beta)`` (the same two maps).
Multiplicative weights, :func:`run_mwu` (Freund and Schapire, "Adaptive game playing using
multiplicative weights", Games Econ. Behav. 1999)
    Hedge self-play on the unregularized game: ``pi_k`` proportional to ``pi_0 exp(eta_k
    sum_{s<k} P pi_s)``, ``eta_k = step_scale sqrt(log(n) / (k + 1))`` (anytime). No regret:
    the exploitability of the average policy ``(pi_0 + ... + pi_k)/(k + 1)`` is its regret
    over ``k + 1`` rounds, ``O(sqrt(log(n) / k))``; the last iterate need not converge.
"""

from __future__ import annotations

import numpy as np
from workbench.problems.operators import run_gda

from workbench.catalogue import ParameterError

from . import kernels
from .instances import PreferenceGame, QuadraticGame

SIMPLEX_COLUMNS = {"kl": kernels.KL, "gap_reg": kernels.GAP,
                   "exploitability": kernels.EXPLOIT,
                   "exploitability_avg": kernels.EXPLOIT_AVG}
EXTRAGRADIENT_MEASURES = ("kl", "gap_reg", "exploitability")
MWU_MEASURES = ("exploitability", "exploitability_avg")
QUERIES = {"queries": "preference queries: evaluations of the vector P pi (P(y > pi) for "
                      "every action y) against one policy"}


def _positive(name: str, value: float) -> float:
    if not np.isfinite(value) or value <= 0:
        raise ParameterError(f"{name} must be positive and finite, got {value!r}")
    return float(value)


# -- affine games -------------------------------------------------------------------------
def certified_step(game: QuadraticGame, step_scale: float) -> float:
    """``h = step_scale h*`` with ``h*`` the certificate's best step (``step_scale`` in
    ``(0, 2)`` is the safe band); a game without a certificate is a
    :class:`ParameterError`."""
    certificate = game.certificate
    if certificate is None or not certificate.certified:
        raise ParameterError("this game has no Small-Gain Nash certificate (no block weights "
                             "give a positive margin)")
    return _positive("step_scale", step_scale) * certificate.step


def run_certified_gda(instance: QuadraticGame, checkpoints: np.ndarray, seed: int,
                      step_scale: float = 1.0) -> dict[str, np.ndarray]:
    """Simultaneous gradient play (the operator layer's GDA kernel) with the step ``h =
    step_scale h*`` of the Small-Gain Nash certificate (:mod:`.certificate`).

    Claims: sgn-gda-certified-factor, sgn-gda-step-band-lower, sgn-gda-step-band-upper.
    """
    h = certified_step(instance, step_scale)
    return run_gda(instance, checkpoints, seed, step_scale=h * instance.operator.constants["L"])


# -- preference games -----------------------------------------------------------------------
def _setup(checkpoints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    grid = np.ascontiguousarray(checkpoints, dtype=np.int64)
    if grid.ndim != 1 or grid.size == 0 or grid[0] < 0 or np.any(np.diff(grid) <= 0):
        raise ValueError("checkpoints must be a non-empty increasing array of iterations >= 0")
    return grid, np.full((grid.size, kernels.N_COLUMNS), np.nan)


def _measures(out: np.ndarray, names: tuple[str, ...]) -> dict[str, np.ndarray]:
    result = {name: out[:, SIMPLEX_COLUMNS[name]] for name in names}
    result["queries"] = out[:, kernels.QUERIES]
    return result


def extragradient_coefficients(method: str, beta: float, eta: float
                               ) -> tuple[float, float, float]:
    """``(keep, mix, gain)`` of the policy-extragradient kernel for ``method`` (``nash_mp``
    or ``egpo``) at step ``eta`` (see :func:`.kernels._policy_extragradient_kernel`)."""
    if method == "nash_mp":
        c = 1.0 + eta * beta
        return 1.0 / c, eta * beta / c, eta / c
    if method == "egpo":
        if eta * beta >= 1:
            raise ParameterError(f"EGPO needs eta beta < 1, got {eta * beta:.3g}")
        return 1.0 - eta * beta, eta * beta, eta
    raise ValueError(f"unknown method {method!r}")


def _policy_extragradient(game: PreferenceGame, checkpoints: np.ndarray, method: str,
                          eta: float) -> dict[str, np.ndarray]:
    grid, out = _setup(checkpoints)
    keep, mix, gain = extragradient_coefficients(method, game.beta, eta)
    kernels._policy_extragradient_kernel(game.P, game.log_ref, game.beta, game.theta_star,
                                         game.pi_star, keep, mix, gain, game.theta0.copy(),
                                         grid, out)
    return _measures(out, EXTRAGRADIENT_MEASURES)


def nash_mp_step(step_scale: float) -> float:
    """Nash-MP's step ``eta = 2 step_scale`` (``eta = 1/L`` with ``L = 1/2`` at
    ``step_scale = 1``)."""
    return 2.0 * _positive("step_scale", step_scale)


def egpo_step(beta: float, step_scale: float) -> float:
    """EGPO's step ``eta = step_scale / (beta + 2)`` (the largest step of the reconstructed
    guarantee at ``step_scale = 1``)."""
    return _positive("step_scale", step_scale) / (beta + 2.0)


def run_nash_mp(instance: PreferenceGame, checkpoints: np.ndarray, seed: int,
                step_scale: float = 1.0) -> dict[str, np.ndarray]:
    """Nash Mirror Prox (module docstring) from ``pi_0 = pi_ref``; two queries per
    iteration.

    Claims: nashmp-kl-factor, nashmp-gap-factor, nashmp-beta-sweep, nashmp-action-sweep.
    """
    return _policy_extragradient(instance, checkpoints, "nash_mp", nash_mp_step(step_scale))


def run_egpo(instance: PreferenceGame, checkpoints: np.ndarray, seed: int,
             step_scale: float = 1.0) -> dict[str, np.ndarray]:
    """EGPO's policy extragradient (module docstring) from ``pi_0 = pi_ref``; two queries per
    iteration.

    Claims: egpo-kl-linear.
    """
    return _policy_extragradient(instance, checkpoints, "egpo",
                                 egpo_step(instance.beta, step_scale))


def mwu_step(n: int, step_scale: float) -> float:
    """Hedge's step constant: ``eta_k = step_scale sqrt(log(n) / (k + 1))``."""
    return _positive("step_scale", step_scale) * float(np.sqrt(np.log(n)))


def run_mwu(instance: PreferenceGame, checkpoints: np.ndarray, seed: int,
            step_scale: float = 1.0) -> dict[str, np.ndarray]:
    """Multiplicative weights (Hedge) self-play with the anytime step (module docstring),
    from ``pi_0 = pi_ref``; one query per iteration.

    Claims: selfplay-mwu-average-exploitability.
    """
    grid, out = _setup(checkpoints)
    kernels._mwu_kernel(instance.P, instance.log_ref, instance.beta, instance.theta_star,
                        instance.pi_star, mwu_step(instance.n, step_scale), True,
                        instance.theta0.copy(), grid, out)
    return _measures(out, MWU_MEASURES)
