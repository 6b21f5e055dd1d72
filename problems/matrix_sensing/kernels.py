"""The matrix-sensing Numba kernels (private; the public wrappers are in ``methods``).

Each kernel holds the whole loop in one ``@numba.njit(cache=True)`` function and writes the
measures at the given checkpoints into a preallocated ``(checkpoints, N_COLUMNS)`` array.
Every jitted callee of a kernel lives in this module: Numba's on-disk cache does not notice an
edit to a jitted helper in another file. The kernels draw no random numbers (the initial
factors come from the wrapper).

References
----------
.. [1] N. Xiong, L. Ding, S. S. Du, "How Over-Parameterization Slows Down Gradient Descent
   in Matrix Sensing: The Curses of Symmetry and Initialization", ICLR 2024,
   arXiv 2310.01769.
"""

from __future__ import annotations

import numba
import numpy as np

# Columns of the kernels' output array.
FROB_SQ, LOSS, REBALANCED = range(3)
N_COLUMNS = 3


@numba.njit(cache=True)
def _product(F, G, P):
    """``P = F G^T`` into ``P`` (no allocation)."""
    n1, k = F.shape
    n2 = G.shape[0]
    for i in range(n1):
        for j in range(n2):
            acc = 0.0
            for c in range(k):
                acc += F[i, c] * G[j, c]
            P[i, j] = acc


@numba.njit(cache=True)
def _residual(P, M_star, A, y, res, E):
    """``E = A*(A(P) - y)`` into ``E``; returns ``(0.5 ||A(P) - y||^2, ||P - M*||_F^2)``.

    Population operator (``A`` has no rows): ``E = P - M*``. Gaussian: one pass over ``A``
    for ``res = A vec(P) - y`` and one for ``vec(E) = A^T res``: ``O(m n1 n2)``.
    """
    n1, n2 = P.shape
    m = A.shape[0]
    frob_sq = 0.0
    for i in range(n1):
        for j in range(n2):
            d = P[i, j] - M_star[i, j]
            frob_sq += d * d
            if m == 0:
                E[i, j] = d
    if m == 0:
        return 0.5 * frob_sq, frob_sq
    size = n1 * n2
    flat_p = P.reshape(size)  # views of C-contiguous arrays: contiguous inner loops
    flat_e = E.reshape(size)
    loss = 0.0
    for q in range(m):
        acc = 0.0
        for p in range(size):
            acc += A[q, p] * flat_p[p]
        res[q] = acc - y[q]
        loss += res[q] * res[q]
    flat_e[:] = 0.0
    for q in range(m):
        rq = res[q]
        for p in range(size):
            flat_e[p] += rq * A[q, p]
    return 0.5 * loss, frob_sq


@numba.njit(cache=True)
def _times(E, G, out, transpose):
    """``out = E G`` (or ``E^T G`` when ``transpose``) into ``out``."""
    rows = E.shape[1] if transpose else E.shape[0]
    inner = E.shape[0] if transpose else E.shape[1]
    k = G.shape[1]
    for i in range(rows):
        for c in range(k):
            out[i, c] = 0.0
        for j in range(inner):
            e = E[j, i] if transpose else E[i, j]
            for c in range(k):
                out[i, c] += e * G[j, c]


@numba.njit(cache=True)
def _symmetric_gd_kernel(X, M_star, A, y, eta, checkpoints, out):
    """``X <- X - eta sym(A*(A(X X^T) - y)) X`` ([1], GD on the symmetric parameterization).

    Cost per iteration ``O(n^2 k)`` (population) or ``O(m n^2 + n^2 k)`` (Gaussian).
    """
    n, k = X.shape
    P = np.empty((n, n))
    E = np.empty((n, n))
    D = np.empty((n, k))
    res = np.empty(A.shape[0])
    gaussian = A.shape[0] > 0
    j = 0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        _product(X, X, P)
        loss, frob_sq = _residual(P, M_star, A, y, res, E)
        if t == checkpoints[j]:
            out[j, FROB_SQ] = frob_sq
            out[j, LOSS] = loss
            j += 1
        if t == horizon:
            break
        if gaussian:  # symmetrise A*(r): the gradient of a function of X X^T
            for a in range(n):
                for b in range(a + 1, n):
                    s = 0.5 * (E[a, b] + E[b, a])
                    E[a, b] = s
                    E[b, a] = s
        _times(E, X, D, False)
        for a in range(n):
            for c in range(k):
                X[a, c] -= eta * D[a, c]


@numba.njit(cache=True)
def _asymmetric_gd_kernel(F, G, M_star, A, y, eta, switch_tol, beta, checkpoints, out):
    """GD on ``F G^T``; with ``switch_tol > 0`` also the one-step rebalancing of [1], Sec. 5.

    Each iteration: ``E = A*(A(F G^T) - y)``, ``F <- F - eta E G``, ``G <- G - eta E^T F``.
    Rebalancing (once, at the first iterate with ``loss <= switch_tol * 0.5 ||y||^2``):
    ``F <- F (G^T G)^{1/2} / beta``, ``G <- beta G (G^T G)^{-1/2}``, which leaves ``F G^T``
    unchanged and sets every singular value of ``G`` to ``beta``.
    """
    n1, k = F.shape
    n2 = G.shape[0]
    P = np.empty((n1, n2))
    E = np.empty((n1, n2))
    DF = np.empty((n1, k))
    DG = np.empty((n2, k))
    res = np.empty(A.shape[0])
    y_energy = 0.0
    if A.shape[0] == 0:
        for i in range(n1):
            for c in range(n2):
                y_energy += M_star[i, c] * M_star[i, c]
    else:
        for q in range(y.size):
            y_energy += y[q] * y[q]
    switched = 0.0
    j = 0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        _product(F, G, P)
        loss, frob_sq = _residual(P, M_star, A, y, res, E)
        if switch_tol > 0.0 and switched == 0.0 and loss <= switch_tol * 0.5 * y_energy:
            _rebalance(F, G, beta)
            switched = 1.0
            _product(F, G, P)
            loss, frob_sq = _residual(P, M_star, A, y, res, E)
        if t == checkpoints[j]:
            out[j, FROB_SQ] = frob_sq
            out[j, LOSS] = loss
            out[j, REBALANCED] = switched
            j += 1
        if t == horizon:
            break
        _times(E, G, DF, False)
        _times(E, F, DG, True)
        for i in range(n1):
            for c in range(k):
                F[i, c] -= eta * DF[i, c]
        for i in range(n2):
            for c in range(k):
                G[i, c] -= eta * DG[i, c]


@numba.njit(cache=True)
def _rebalance(F, G, beta):
    """``F <- F S / beta``, ``G <- beta G S^{-1}`` with ``S = (G^T G)^{1/2}`` (in place).

    Runs once per run; the ``k x k`` eigendecomposition allocates, outside the hot path.
    """
    w, Q = np.linalg.eigh(G.T @ G)
    root = (Q * np.sqrt(w)) @ Q.T
    inv_root = (Q / np.sqrt(w)) @ Q.T
    F[:, :] = F @ root / beta
    G[:, :] = beta * (G @ inv_root)
