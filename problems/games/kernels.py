"""Numba kernels of the simplex methods on preference games (logit form).

Every kernel holds its whole loop, writes the measures at the checkpoints into a
preallocated ``out`` of shape ``(len(checkpoints), N_COLUMNS)`` and allocates nothing per
step; the game is data (``P``, ``log pi_ref``, the equilibrium's logits). All jitted callees
live in this module (Numba's cache rule).

Columns: ``KL`` = ``KL(pi*_beta || pi_k)``, ``GAP`` = the regularized gap
``max_pi' J_beta(pi', pi_k) - 1/2``, ``EXPLOIT`` = ``max_y P(y > pi_k) - 1/2`` (unregularized),
``EXPLOIT_AVG`` = the same for the average of the policies played so far
``(pi_0 + ... + pi_k) / (k + 1)``, ``QUERIES`` = evaluations of ``P pi`` (preference queries
against one policy) made by the method so far; those made to record a checkpoint are the
observer's and are not counted. A run whose measures become non-finite fills that row and
the remaining ones with ``inf`` and stops.
"""

from __future__ import annotations

import numpy as np

from workbench.jit import njit

FAST = {"reassoc", "contract"}
KL, GAP, EXPLOIT, EXPLOIT_AVG, QUERIES = range(5)
N_COLUMNS = 5


@njit(cache=True)
def _softmax(theta, out):
    """``out = softmax(theta)``; returns ``logsumexp(theta)``."""
    top = theta.max()
    total = 0.0
    for i in range(theta.size):
        out[i] = np.exp(theta[i] - top)
        total += out[i]
    for i in range(theta.size):
        out[i] /= total
    return top + np.log(total)


@njit(cache=True, fastmath=FAST)
def _matvec(P, x, out):
    """``out = P x`` (no allocation)."""
    n = x.size
    for i in range(n):
        acc = 0.0
        for j in range(n):
            acc += P[i, j] * x[j]
        out[i] = acc


@njit(cache=True, inline="always")
def _phi(x):
    """``expm1(-x) + x`` to relative precision."""
    if abs(x) < 1e-3:
        return x * x * (0.5 - x * (1.0 / 6.0 - x * (1.0 / 24.0 - x / 120.0)))
    return np.expm1(-x) + x


@njit(cache=True, inline="always")
def _psi(s):
    """``log1p(s) - s`` to relative precision."""
    if abs(s) < 1e-3:
        return s * s * (-0.5 + s * (1.0 / 3.0 - s * (0.25 - s / 5.0)))
    return np.log1p(s) - s


@njit(cache=True, inline="always")
def _kl(theta_p, pi_p, theta_q):
    """``KL(softmax(theta_p) || softmax(theta_q))`` without cancellation (see
    :func:`..instances.kl_logits`)."""
    n = theta_p.size
    c = 0.0
    for i in range(n):
        c += pi_p[i] * (theta_p[i] - theta_q[i])
    first = 0.0
    s = 0.0
    for i in range(n):
        e = theta_p[i] - theta_q[i] - c
        first += pi_p[i] * _phi(e)
        s += pi_p[i] * np.expm1(-e)
    return first + _psi(s)


@njit(cache=True, inline="always")
def _record(out, k, P, log_ref, beta, theta_star, pi_star, theta, pi, lse, avg, work,
            queries):
    """Write the measures at ``theta`` (``pi = softmax(theta)``, ``lse`` its log-normaliser)
    into row ``k``; False once they are not finite."""
    n = theta.size
    _matvec(P, pi, work)
    top = -np.inf
    best_top = -np.inf
    for i in range(n):
        top = max(top, work[i])
        best_top = max(best_top, log_ref[i] + work[i] / beta)
    total = 0.0
    kl_ref = 0.0
    for i in range(n):
        total += np.exp(log_ref[i] + work[i] / beta - best_top)
        if pi[i] > 0:
            kl_ref += pi[i] * (theta[i] - lse - log_ref[i])
    out[k, KL] = _kl(theta_star, pi_star, theta)
    out[k, GAP] = beta * (best_top + np.log(total)) + beta * kl_ref - 0.5
    out[k, EXPLOIT] = top - 0.5
    _matvec(P, avg, work)
    out[k, EXPLOIT_AVG] = work.max() - 0.5
    out[k, QUERIES] = queries
    return np.isfinite(out[k, KL]) and np.isfinite(out[k, GAP])


@njit(cache=True, inline="always")
def _blow_up(out, k):
    for r in range(k, out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = np.inf


@njit(cache=True, inline="always")
def _normalise(theta):
    """Subtract the mean (logits are defined up to a constant; this keeps them bounded)."""
    mean = theta.mean()
    for i in range(theta.size):
        theta[i] -= mean


@njit(cache=True, fastmath=FAST)
def _policy_extragradient_kernel(P, log_ref, beta, theta_star, pi_star, keep, mix, gain,
                                 theta, checkpoints, out):
    """Policy extragradient in logits, two queries per iteration:

    ``theta_{k+1/2} = keep theta_k + mix log pi_ref + gain P pi_k``,
    ``theta_{k+1} = keep theta_k + mix log pi_ref + gain P pi_{k+1/2}``.

    Nash-MP with step ``eta`` is ``keep = 1/(1 + eta beta)``, ``mix = eta beta/(1 + eta
    beta)``, ``gain = eta/(1 + eta beta)``; EGPO (policy extragradient of Cen et al.) with step
    ``eta`` is ``keep = 1 - eta beta``, ``mix = eta beta``, ``gain = eta``.
    """
    n = theta.size
    pi = np.empty(n)
    half = np.empty(n)
    work = np.empty(n)
    avg = np.zeros(n)
    k = 0
    queries = 0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        lse = _softmax(theta, pi)
        for i in range(n):
            avg[i] += (pi[i] - avg[i]) / (t + 1.0)
        if t == checkpoints[k]:
            if not _record(out, k, P, log_ref, beta, theta_star, pi_star, theta, pi, lse,
                           avg, work, queries):
                _blow_up(out, k)
                return
            k += 1
        if t == horizon:
            break
        _matvec(P, pi, work)
        for i in range(n):
            half[i] = keep * theta[i] + mix * log_ref[i] + gain * work[i]
        _softmax(half, pi)
        _matvec(P, pi, work)
        for i in range(n):
            theta[i] = keep * theta[i] + mix * log_ref[i] + gain * work[i]
        _normalise(theta)
        queries += 2


@njit(cache=True, fastmath=FAST)
def _mwu_kernel(P, log_ref, beta, theta_star, pi_star, step, anytime, theta, checkpoints,
                out):
    """Multiplicative weights (Hedge) self-play on the unregularized game, one query per
    iteration: ``theta_k = theta_0 + eta_k (P pi_0 + ... + P pi_{k-1})`` with ``eta_k = step /
    sqrt(k + 1)`` when ``anytime`` (follow the regularized leader with a decreasing step),
    else ``eta_k = step`` (then ``theta_{k+1} = theta_k + step P pi_k``)."""
    n = theta.size
    pi = np.empty(n)
    work = np.empty(n)
    avg = np.zeros(n)
    gains = np.zeros(n)
    theta0 = theta.copy()
    k = 0
    queries = 0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        lse = _softmax(theta, pi)
        for i in range(n):
            avg[i] += (pi[i] - avg[i]) / (t + 1.0)
        if t == checkpoints[k]:
            if not _record(out, k, P, log_ref, beta, theta_star, pi_star, theta, pi, lse,
                           avg, work, queries):
                _blow_up(out, k)
                return
            k += 1
        if t == horizon:
            break
        _matvec(P, pi, work)
        queries += 1
        eta = step / np.sqrt(t + 2.0) if anytime else step
        for i in range(n):
            gains[i] += work[i]
            theta[i] = theta0[i] + eta * gains[i]
        _normalise(theta)
