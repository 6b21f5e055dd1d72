"""Numba kernels of the deterministic operator methods on ``F(z) = M z + q``.

Every kernel holds the whole loop, writes the measures at the given checkpoints into a
preallocated ``out`` array of shape ``(len(checkpoints), N_COLUMNS)`` (memory
O(checkpoints)) and allocates nothing per step. Operators are data: the matrix, the vector
and the box bounds, never a Python callable. All jitted callees live in this module (Numba's
on-disk cache does not notice edits to a helper in another file).

Columns: ``RES_SQ`` = ``||F(z_k)||^2``, ``DIST_SQ`` = ``||z_k - z*||^2``, ``NATURAL_SQ`` =
``||z_k - P(z_k - F(z_k))||^2`` (equal to ``RES_SQ`` without a box), ``FIXED_POINT`` =
``||x_k - T x_k||`` (Halpern only, NaN otherwise), ``CALLS`` = operator evaluations so far
(the evaluations made to record a checkpoint are not counted: they are the observer's).
Where a step evaluates ``F`` at the recorded iterate (GDA, extragradient, RK4), the record
reuses that value instead of evaluating it again: the same arithmetic on the same data, so
the same bits, and recording then costs no operator evaluation.
A run whose residual becomes non-finite fills the remaining rows with ``inf`` and stops.
"""

from __future__ import annotations

import numpy as np

from workbench.jit import njit

# Reassociation lets LLVM vectorise the dot products; NaN and inf keep their IEEE meaning,
# so a diverging run still shows up.
FAST = {"reassoc", "contract"}

RES_SQ, DIST_SQ, NATURAL_SQ, FIXED_POINT, CALLS = range(5)
N_COLUMNS = 5


@njit(cache=True, fastmath=FAST)
def _affine(A, b, z, out):
    """``out = A z + b`` (no allocation)."""
    d = z.size
    for i in range(d):
        acc = 0.0
        for j in range(d):
            acc += A[i, j] * z[j]
        out[i] = acc + b[i]


@njit(cache=True, inline="always")
def _project(z, lo, hi):
    """Clip ``z`` to the box in place."""
    for i in range(z.size):
        if z[i] < lo[i]:
            z[i] = lo[i]
        elif z[i] > hi[i]:
            z[i] = hi[i]


@njit(cache=True, fastmath=FAST, inline="always")
def _record_at(out, k, z, fz, z_star, lo, hi, boxed, calls):
    """Write the measures at ``z``, given ``fz = F(z)``, into row ``k``; return False once
    they are not finite. Methods that evaluate ``F(z)`` for their step pass that value, so
    recording costs no operator evaluation."""
    rsq = 0.0
    dsq = 0.0
    nat = 0.0
    for i in range(z.size):
        rsq += fz[i] * fz[i]
        dsq += (z[i] - z_star[i]) ** 2
        if boxed:
            p = z[i] - fz[i]
            if p < lo[i]:
                p = lo[i]
            elif p > hi[i]:
                p = hi[i]
            nat += (z[i] - p) ** 2
    out[k, RES_SQ] = rsq
    out[k, DIST_SQ] = dsq
    out[k, NATURAL_SQ] = nat if boxed else rsq
    out[k, CALLS] = calls
    return np.isfinite(rsq) and np.isfinite(dsq)


@njit(cache=True, fastmath=FAST, inline="always")
def _record(out, k, M, q, z, z_star, lo, hi, boxed, fz, calls):
    """Evaluate ``fz = F(z)`` and write the measures at ``z`` into row ``k``
    (:func:`_record_at`)."""
    _affine(M, q, z, fz)
    return _record_at(out, k, z, fz, z_star, lo, hi, boxed, calls)


@njit(cache=True, inline="always")
def _blow_up(out, k):
    """Rows ``k`` onwards after a non-finite value: ``inf`` (the run diverged)."""
    for r in range(k, out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = np.inf


@njit(cache=True, fastmath=FAST)
def _gda_kernel(M, q, z_star, lo, hi, boxed, step, z, checkpoints, out):
    """Forward (simultaneous GDA) steps ``z <- P(z - step F(z))``; one call per step (the
    step's ``F(z)`` is also the recorded one)."""
    d = z.size
    fz = np.empty(d)
    k = 0
    calls = 0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        _affine(M, q, z, fz)
        if t == checkpoints[k]:
            if not _record_at(out, k, z, fz, z_star, lo, hi, boxed, calls):
                _blow_up(out, k + 1)
                return
            k += 1
        if t == horizon:
            break
        calls += 1
        for i in range(d):
            z[i] -= step * fz[i]
        if boxed:
            _project(z, lo, hi)


@njit(cache=True, fastmath=FAST)
def _extragradient_kernel(M, q, z_star, lo, hi, boxed, step, z, checkpoints, out):
    """Korpelevich's extragradient: ``w = P(z - step F(z))``, ``z <- P(z - step F(w))``;
    two calls per step (the first, ``F(z)``, is also the recorded one)."""
    d = z.size
    fz = np.empty(d)
    w = np.empty(d)
    k = 0
    calls = 0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        _affine(M, q, z, fz)
        if t == checkpoints[k]:
            if not _record_at(out, k, z, fz, z_star, lo, hi, boxed, calls):
                _blow_up(out, k + 1)
                return
            k += 1
        if t == horizon:
            break
        for i in range(d):
            w[i] = z[i] - step * fz[i]
        if boxed:
            _project(w, lo, hi)
        _affine(M, q, w, fz)
        for i in range(d):
            z[i] -= step * fz[i]
        if boxed:
            _project(z, lo, hi)
        calls += 2


@njit(cache=True, fastmath=FAST)
def _optimistic_kernel(M, q, z_star, lo, hi, boxed, step, z, checkpoints, out):
    """Optimistic gradient in its past-extragradient (Popov) form:
    ``w_k = P(z_k - step F(w_{k-1}))``, ``z_{k+1} = P(z_k - step F(w_k))`` with
    ``w_{-1} = z_0``; one call per step after the first."""
    d = z.size
    fz = np.empty(d)
    g = np.empty(d)
    w = np.empty(d)
    _affine(M, q, z, g)  # F(w_{-1}) = F(z_0)
    calls = 1
    k = 0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        if t == checkpoints[k]:
            if not _record(out, k, M, q, z, z_star, lo, hi, boxed, fz, calls):
                _blow_up(out, k + 1)
                return
            k += 1
        if t == horizon:
            break
        for i in range(d):
            w[i] = z[i] - step * g[i]
        if boxed:
            _project(w, lo, hi)
        _affine(M, q, w, g)
        calls += 1
        for i in range(d):
            z[i] -= step * g[i]
        if boxed:
            _project(z, lo, hi)


@njit(cache=True, fastmath=FAST)
def _linear_map_kernel(A, b, M, q, z_star, lo, hi, boxed, z, checkpoints, out):
    """Iterate ``z <- A z + b`` (proximal point: ``A = (I + gamma M)^{-1}``,
    ``b = -gamma A q``, the resolvent precomputed outside); one call per step."""
    d = z.size
    fz = np.empty(d)
    tz = np.empty(d)
    k = 0
    calls = 0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        if t == checkpoints[k]:
            if not _record(out, k, M, q, z, z_star, lo, hi, boxed, fz, calls):
                _blow_up(out, k + 1)
                return
            k += 1
        if t == horizon:
            break
        _affine(A, b, z, tz)
        calls += 1
        for i in range(d):
            z[i] = tz[i]


@njit(cache=True, fastmath=FAST)
def _halpern_kernel(A, b, M, q, z_star, lo, hi, boxed, z, checkpoints, out):
    """Halpern's iteration ``x_{k+1} = l_k x_0 + (1 - l_k) T x_k``, ``l_k = 1/(k + 2)``, on
    the nonexpansive map ``T x = P(A x + b)``; records ``||x_k - T x_k||`` in
    ``FIXED_POINT``; one call (one evaluation of ``T``) per step."""
    d = z.size
    fz = np.empty(d)
    tz = np.empty(d)
    x0 = z.copy()
    k = 0
    calls = 0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        _affine(A, b, z, tz)
        if boxed:
            _project(tz, lo, hi)
        if t == checkpoints[k]:
            if not _record(out, k, M, q, z, z_star, lo, hi, boxed, fz, calls):
                _blow_up(out, k + 1)
                return
            fp = 0.0
            for i in range(d):
                fp += (z[i] - tz[i]) ** 2
            out[k, FIXED_POINT] = np.sqrt(fp)
            k += 1
        if t == horizon:
            break
        calls += 1
        lam = 1.0 / (t + 2.0)
        for i in range(d):
            z[i] = lam * x0[i] + (1.0 - lam) * tz[i]


@njit(cache=True, fastmath=FAST)
def _rk4_kernel(M, q, z_star, lo, hi, boxed, h, z, checkpoints, out):
    """Classical Runge-Kutta (RK4) on the flow ``dz/dt = -F(z)`` with step ``h``; four calls
    per step (the first, ``F(z)``, is also the recorded one)."""
    d = z.size
    k1 = np.empty(d)
    k2 = np.empty(d)
    k3 = np.empty(d)
    k4 = np.empty(d)
    y = np.empty(d)
    k = 0
    calls = 0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        _affine(M, q, z, k1)
        if t == checkpoints[k]:
            if not _record_at(out, k, z, k1, z_star, lo, hi, boxed, calls):
                _blow_up(out, k + 1)
                return
            k += 1
        if t == horizon:
            break
        for i in range(d):
            y[i] = z[i] - 0.5 * h * k1[i]
        _affine(M, q, y, k2)
        for i in range(d):
            y[i] = z[i] - 0.5 * h * k2[i]
        _affine(M, q, y, k3)
        for i in range(d):
            y[i] = z[i] - h * k3[i]
        _affine(M, q, y, k4)
        for i in range(d):
            z[i] -= h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])
        calls += 4
