"""Numba kernels of the variance-reduced Halpern methods on finite sums
``F = (1/n) sum_i F_i``, ``F_i(z) = M_i z + q_i``.

Reference: X. Cai, A. Alacaoglu, J. Diakonikolas, *Variance Reduced Halpern Iteration for
Finite-Sum Monotone Inclusions*, ICLR 2024, arXiv 2310.02987.

**These kernels are reconstructions.** Only the paper's abstract and summaries could be read
here, not its algorithm boxes. What is known from them: Algorithm 1 (cocoercive in the mean)
combines Halpern's iteration with a recursive (PAGE/SARAH-type) variance-reduced estimator of
``F``; Algorithm 2 (monotone and Lipschitz in the mean) runs an inexact Halpern iteration on
the resolvent ``J_{eta F}``, computed by a variance-reduced forward-reflected-backward
(VR-FoRB) subsolver; both reach ``||F|| <= eps`` with ``O~(n + sqrt(n) L / eps)`` component
calls. The loop structure and parameters below are our own choices, made so that our own
accounting gives that complexity; they are documented in each kernel, and the claims checked
with them are claims about these kernels.

Every kernel records the measures of :mod:`.kernels` (same columns) at the checkpoints,
computed exactly from the mean operator ``(M, q)`` (the observer's evaluations are not
counted), and counts component evaluations in ``CALLS``: a full pass costs ``n``, one sampled
difference ``F_i(x) - F_i(y)`` costs 2. A full pass is computed as ``M x + q``, which equals
the mean of the ``n`` component evaluations it is charged for (the operator is affine).
Randomness: ``np.random.seed(seed)`` inside the kernel (Numba replays NumPy's legacy
Mersenne Twister, so the NumPy twins in :mod:`.reference` draw the same numbers).
"""

from __future__ import annotations

import numpy as np

from workbench.jit import njit

FAST = {"reassoc", "contract"}

# Same columns as .kernels (kept literal here: a kernel's callees and constants live in its
# own module, see the Kernel convention).
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


@njit(cache=True, fastmath=FAST)
def _add_matvec(A, z, scale, out):
    """``out += scale * A z`` (no allocation)."""
    d = z.size
    for i in range(d):
        acc = 0.0
        for j in range(d):
            acc += A[i, j] * z[j]
        out[i] += scale * acc


@njit(cache=True, fastmath=FAST, inline="always")
def _record(out, k, M, q, z, z_star, fz, calls):
    """Measures at ``z`` into row ``k``; False once they are not finite."""
    _affine(M, q, z, fz)
    rsq = 0.0
    dsq = 0.0
    for i in range(z.size):
        rsq += fz[i] * fz[i]
        dsq += (z[i] - z_star[i]) ** 2
    out[k, RES_SQ] = rsq
    out[k, DIST_SQ] = dsq
    out[k, NATURAL_SQ] = rsq
    out[k, CALLS] = calls
    return np.isfinite(rsq) and np.isfinite(dsq)


@njit(cache=True, inline="always")
def _blow_up(out, k):
    for r in range(k, out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = np.inf


@njit(cache=True, fastmath=FAST)
def _vr_halpern_kernel(Ms, M, q, z_star, eta, batch, p_floor, z, seed, checkpoints, out):
    """Halpern iteration with a recursive variance-reduced estimator (our reconstruction of
    Cai, Alacaoglu, Diakonikolas, Algorithm 1; see the module docstring).

    ``x_{k+1} = l_k x_0 + (1 - l_k) (x_k - eta g_k)``, ``l_k = 1/(k + 2)``, where ``g_k``
    estimates ``F(x_k)``: ``g_0 = F(x_0)``; then with probability
    ``p_k = max(2/(k + 2), p_floor)`` a full pass ``g_{k+1} = F(x_{k+1})``, otherwise the
    PAGE/SARAH update ``g_{k+1} = g_k + (1/b) sum_{i in S} (F_i(x_{k+1}) - F_i(x_k))`` with
    ``b`` indices drawn uniformly with replacement.
    """
    np.random.seed(seed)
    n = Ms.shape[0]
    d = z.size
    x0 = z.copy()
    g = np.empty(d)
    fz = np.empty(d)
    dz = np.empty(d)
    xn = np.empty(d)
    _affine(M, q, z, g)
    calls = n
    k = 0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        if t == checkpoints[k]:
            if not _record(out, k, M, q, z, z_star, fz, calls):
                _blow_up(out, k + 1)
                return
            k += 1
        if t == horizon:
            break
        lam = 1.0 / (t + 2.0)
        for i in range(d):
            xn[i] = lam * x0[i] + (1.0 - lam) * (z[i] - eta * g[i])
        p = 2.0 / (t + 2.0)
        if p < p_floor:
            p = p_floor
        if np.random.random() < p:
            _affine(M, q, xn, g)
            calls += n
        else:
            for i in range(d):
                dz[i] = xn[i] - z[i]
            for _ in range(batch):
                j = np.random.randint(n)
                _add_matvec(Ms[j], dz, 1.0 / batch, g)
            calls += 2 * batch
        for i in range(d):
            z[i] = xn[i]


@njit(cache=True, fastmath=FAST)
def _vr_halpern_resolvent_kernel(Ms, M, q, z_star, eta, tau, p, inner_scale, z, seed,
                                 checkpoints, out):
    """Inexact Halpern iteration on the resolvent with a VR-FoRB subsolver (our
    reconstruction of Cai, Alacaoglu, Diakonikolas, Algorithm 2; see the module docstring).

    Outer: ``x_{k+1} = l_k x_0 + (1 - l_k) u_k``, ``l_k = 1/(k + 2)``, where
    ``u_k ~ J_{eta F}(x_k)``, the zero of ``u - x_k + eta F(u)``. Inner (Alacaoglu, Malitsky,
    Cevher 2021, forward-reflected-backward with variance reduction), warm-started at
    ``u_{k-1}``, ``m_k = ceil(inner_scale n log(k + 2))`` steps of
    ``u <- J_{tau A}(u - tau eta [F(w) + F_i(u) - F_i(w_prev)])`` with ``A(u) = u - x_k``
    (``J_{tau A}(v) = (v + tau x_k)/(1 + tau)``), ``i`` uniform; then the snapshot advances,
    ``w_prev <- w`` and, with probability ``p``, ``w <- u`` (a full pass for ``F(w)``).
    The measures are recorded at the resolvent output ``u_k`` (whose residual is
    ``||x_k - u_k|| / eta`` up to the inner error), not at the anchored ``x_k``;
    ``FIXED_POINT`` holds ``||x_k - u_k||``.
    """
    np.random.seed(seed)
    n = Ms.shape[0]
    d = z.size
    x0 = z.copy()
    x = z.copy()
    u = z.copy()
    w = z.copy()
    w_prev = z.copy()
    fw = np.empty(d)
    fz = np.empty(d)
    v = np.empty(d)
    diff = np.empty(d)
    _affine(M, q, w, fw)
    calls = n
    k = 0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        m = int(np.ceil(inner_scale * n * np.log(t + 2.0)))
        for _ in range(m):
            j = np.random.randint(n)
            for i in range(d):
                diff[i] = u[i] - w_prev[i]
                v[i] = fw[i]
            _add_matvec(Ms[j], diff, 1.0, v)  # F(w) + F_j(u) - F_j(w_prev)
            calls += 2
            for i in range(d):
                u[i] = (u[i] - tau * eta * v[i] + tau * x[i]) / (1.0 + tau)
            refresh = np.random.random() < p
            for i in range(d):
                w_prev[i] = w[i]
            if refresh:
                for i in range(d):
                    w[i] = u[i]
                _affine(M, q, w, fw)
                calls += n
        if t == checkpoints[k]:
            if not _record(out, k, M, q, u, z_star, fz, calls):
                _blow_up(out, k + 1)
                return
            fp = 0.0
            for i in range(d):
                fp += (x[i] - u[i]) ** 2
            out[k, FIXED_POINT] = np.sqrt(fp)
            k += 1
        if t == horizon:
            break
        lam = 1.0 / (t + 2.0)
        for i in range(d):
            x[i] = lam * x0[i] + (1.0 - lam) * u[i]
