"""The matrix-sensing Numba kernels (private; the public wrappers are in ``methods``).

Each kernel holds the whole loop in one ``@njit(cache=True)`` function and writes the
measures at the given checkpoints into a preallocated ``(checkpoints, N_COLUMNS)`` array;
nothing is allocated per step. Every jitted callee of a kernel lives in this module: Numba's
on-disk cache does not notice an edit to a jitted helper in another file. The kernels draw no
random numbers (the initial factors come from the wrapper).

Speed: the kernels keep transposed copies of the factors (``Ft = F^T``, ``Gt = G^T``) so that
every inner loop runs over a contiguous row of length ``n1`` or ``n2``, and allow
reassociation (``fastmath={"reassoc", "contract"}``: no ``nnan``/``ninf``, so a diverging run
still shows up as NaN or inf) so that LLVM vectorises the reductions. With Gaussian
measurements ``A(P)`` and ``A*(r)`` share one pass over ``A``: a row's dot product and its
``r_q A_q`` update run back to back while the row is in cache. The population operator is
passed as ``A = y = None``: Numba prunes the ``if A is None`` branches when it compiles, so
the population specialisation neither contains nor compiles the Gaussian code; there each
row of ``E = F G^T - M*`` is formed and used at once (no ``P``). The one-time rebalancing
of ``gd_modified`` is plain NumPy (:func:`_rebalance`): the kernel stops at the switch, the
wrapper rebalances and calls it again from that iteration (compiling an eigendecomposition
in nopython mode cost seconds; running it once costs microseconds).

References
----------
.. [1] N. Xiong, L. Ding, S. S. Du, "How Over-Parameterization Slows Down Gradient Descent
   in Matrix Sensing: The Curses of Symmetry and Initialization", ICLR 2024,
   arXiv 2310.01769.
"""

from __future__ import annotations

import numpy as np

from workbench.jit import njit

# Reassociation lets LLVM vectorise the reductions; NaN and inf keep their IEEE meaning.
FAST = {"reassoc", "contract"}

# Columns of the kernels' output array.
FROB_SQ, LOSS, REBALANCED = range(3)
N_COLUMNS = 3


@njit(cache=True, fastmath=FAST, inline="always")
def _product(Ft, Gt, P):
    """``P = F G^T`` into ``P``, from the transposed factors ``Ft = F^T``, ``Gt = G^T``."""
    k, n1 = Ft.shape
    n2 = Gt.shape[1]
    for i in range(n1):
        for j in range(n2):
            P[i, j] = 0.0
        for c in range(k):
            f = Ft[c, i]
            for j in range(n2):
                P[i, j] += f * Gt[c, j]


@njit(cache=True, fastmath=FAST)
def _residual(P, M_star, A, y, res, E):
    """``E = A*(A(P) - y)`` into ``E``; returns ``(0.5 ||A(P) - y||^2, ||P - M*||_F^2)``.

    Population operator (``A`` has no rows): ``E = P - M*``. Gaussian: one pass over ``A``;
    for each row, ``res_q = <A_q, vec(P)> - y_q`` and then ``vec(E) += res_q A_q`` while the
    row is in cache: ``O(m n1 n2)``.
    """
    n1, n2 = P.shape
    m = A.shape[0]
    frob_sq = 0.0
    for i in range(n1):
        for j in range(n2):
            d = P[i, j] - M_star[i, j]
            frob_sq += d * d
            E[i, j] = d
    if m == 0:
        return 0.5 * frob_sq, frob_sq
    size = n1 * n2
    flat_p = P.reshape(size)  # views of C-contiguous arrays: contiguous inner loops
    flat_e = E.reshape(size)
    for p in range(size):
        flat_e[p] = 0.0
    loss = 0.0
    for q in range(m):
        acc = 0.0
        for p in range(size):
            acc += A[q, p] * flat_p[p]
        rq = acc - y[q]
        res[q] = rq
        loss += rq * rq
        for p in range(size):
            flat_e[p] += rq * A[q, p]
    return 0.5 * loss, frob_sq


@njit(cache=True, fastmath=FAST)
def _transpose(F, Ft):
    """``Ft = F^T`` into ``Ft``."""
    rows, cols = F.shape
    for i in range(rows):
        for c in range(cols):
            Ft[c, i] = F[i, c]


@njit(cache=True, fastmath=FAST)
def _symmetric_gd_kernel(X, M_star, A, y, eta, checkpoints, out):
    """``X <- X - eta sym(A*(A(X X^T) - y)) X`` ([1], GD on the symmetric parameterization).

    Cost per iteration ``O(n^2 k)`` (population) or ``O(m n^2 + n^2 k)`` (Gaussian). Row by
    row: row ``e`` of ``E`` (``X X^T - M*``, formed there and then, or ``sym(A*(r))``), then
    row ``e X`` of the step (stored transposed in ``Dt``).
    """
    n, k = X.shape
    Xt = np.empty((k, n))
    _transpose(X, Xt)
    P = np.empty((n, n))
    E = np.empty((n, n))
    Dt = np.empty((k, n))
    e = np.empty(n)
    res = np.empty(0 if A is None else A.shape[0])
    j = 0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        loss = frob_sq = 0.0
        if A is not None:
            _product(Xt, Xt, P)
            loss, frob_sq = _residual(P, M_star, A, y, res, E)
        for a in range(n):
            if A is not None:  # row a of sym(A*(r)): the gradient of a function of X X^T
                for b in range(n):
                    e[b] = 0.5 * (E[a, b] + E[b, a])
            else:  # written out here and in the asymmetric kernel: as a jitted helper
                # (inlined or not) the population row cost 10-45% run time, measured
                f = Xt[0, a]
                for b in range(n):
                    e[b] = f * Xt[0, b] - M_star[a, b]
                for c in range(1, k):
                    f = Xt[c, a]
                    for b in range(n):
                        e[b] += f * Xt[c, b]
            acc = 0.0
            sq = 0.0
            for b in range(n):
                acc += e[b] * Xt[0, b]
                sq += e[b] * e[b]
            Dt[0, a] = acc
            for c in range(1, k):
                acc = 0.0
                for b in range(n):
                    acc += e[b] * Xt[c, b]
                Dt[c, a] = acc
            if A is None:
                frob_sq += sq
        if A is None:
            loss = 0.5 * frob_sq
        if t == checkpoints[j]:
            out[j, FROB_SQ] = frob_sq
            out[j, LOSS] = loss
            j += 1
        if t == horizon:
            break
        for c in range(k):
            for a in range(n):
                Xt[c, a] -= eta * Dt[c, a]
    _transpose(Xt, X)


@njit(cache=True, fastmath=FAST)
def _asymmetric_gd_kernel(F, G, M_star, A, y, eta, switch_level, start, switched,
                          checkpoints, out):
    """GD on ``F G^T`` from iteration ``start``; stops where rebalancing is due.

    Each iteration: ``E = A*(A(F G^T) - y)``, ``F <- F - eta E G``, ``G <- G - eta E^T F``
    (both from the old factors), row by row of ``E`` (formed there and then with the
    population operator): row ``a`` gives row ``a`` of ``E G`` and adds ``F[a, c] e`` into
    ``(E^T F)^T``. At the first iteration ``t`` whose ``loss <= switch_level`` the kernel
    returns ``t`` without recording it or stepping (``switch_level < 0``: never); the
    wrapper rebalances ``F`` and ``G`` ([1], Sec. 5, see :func:`_rebalance`) and calls the
    kernel again with ``start = t`` and ``switched = 1`` (the ``REBALANCED`` column).
    Returns -1 once the horizon is reached.
    """
    n1, k = F.shape
    n2 = G.shape[0]
    Ft = np.empty((k, n1))
    Gt = np.empty((k, n2))
    _transpose(F, Ft)
    _transpose(G, Gt)
    P = np.empty((n1, n2))
    E = np.empty((n1, n2))
    DFt = np.empty((k, n1))
    DGt = np.empty((k, n2))
    e = np.empty(n2)
    res = np.empty(0 if A is None else A.shape[0])
    j = 0
    while checkpoints[j] < start:
        j += 1
    stop = -1
    horizon = checkpoints[-1]
    for t in range(start, horizon + 1):
        for c in range(k):
            for b in range(n2):
                DGt[c, b] = 0.0
        loss = frob_sq = 0.0
        if A is not None:
            _product(Ft, Gt, P)
            loss, frob_sq = _residual(P, M_star, A, y, res, E)
        for a in range(n1):
            if A is not None:
                for b in range(n2):
                    e[b] = E[a, b]
            else:
                f = Ft[0, a]
                for b in range(n2):
                    e[b] = f * Gt[0, b] - M_star[a, b]
                for c in range(1, k):
                    f = Ft[c, a]
                    for b in range(n2):
                        e[b] += f * Gt[c, b]
            f = Ft[0, a]
            acc = 0.0
            sq = 0.0
            for b in range(n2):
                acc += e[b] * Gt[0, b]
                sq += e[b] * e[b]
                DGt[0, b] += f * e[b]
            DFt[0, a] = acc
            for c in range(1, k):
                f = Ft[c, a]
                acc = 0.0
                for b in range(n2):
                    acc += e[b] * Gt[c, b]
                    DGt[c, b] += f * e[b]
                DFt[c, a] = acc
            if A is None:
                frob_sq += sq
        if A is None:
            loss = 0.5 * frob_sq
        if loss <= switch_level:
            stop = t
            break
        if t == checkpoints[j]:
            out[j, FROB_SQ] = frob_sq
            out[j, LOSS] = loss
            out[j, REBALANCED] = switched
            j += 1
        if t == horizon:
            break
        for c in range(k):
            for a in range(n1):
                Ft[c, a] -= eta * DFt[c, a]
            for b in range(n2):
                Gt[c, b] -= eta * DGt[c, b]
    _transpose(Ft, F)
    _transpose(Gt, G)
    return stop


def _rebalance(F: np.ndarray, G: np.ndarray, beta: float) -> None:
    """``F <- F S / beta``, ``G <- beta G S^{-1}`` with ``S = (G^T G)^{1/2}`` (in place).

    Plain NumPy, called by the wrapper once per run (between two calls of the kernel): it
    leaves ``F G^T`` unchanged and sets every singular value of ``G`` to ``beta``.
    """
    w, Q = np.linalg.eigh(G.T @ G)
    root = (Q * np.sqrt(w)) @ Q.T
    inv_root = (Q / np.sqrt(w)) @ Q.T
    F[:, :] = F @ root / beta
    G[:, :] = beta * (G @ inv_root)
