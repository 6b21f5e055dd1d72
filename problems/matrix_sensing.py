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
    ``gd`` on the asymmetric problem and ``gd_asym`` on the symmetric one:
    ``E = A*(A(F G^T) - y)``, ``F <- F - eta E G``, ``G <- G - eta E^T F`` (simultaneous),
    ``F0 ~ N(0, alpha^2)``, ``G0 ~ N(0, (alpha/3)^2)`` entries: the imbalanced initialisation
    scales ``alpha`` and ``alpha/3`` of [1], Sec. 4.
    ``gd_modified``: the same GD plus one rebalancing step (see :func:`run_gd_modified`).

Per-iteration cost: ``O(n1 n2 k)`` with the population operator; ``O(m n1 n2 + n1 n2 k)``
with dense Gaussian ``A_i`` (reading ``A`` once for ``A(P)`` and once for ``A*(r)``). The
``O(m n k)`` cost quoted for sensing is reachable only for rank-one ``A_i = a_i b_i^T``,
which this family does not implement: a dense ``A_i`` must be read in full.

References
----------
.. [1] N. Xiong, L. Ding, S. S. Du, "How Over-Parameterization Slows Down Gradient Descent
   in Matrix Sensing: The Curses of Symmetry and Initialization", ICLR 2024,
   arXiv 2310.01769.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numba
import numpy as np

from workbench.catalogue import Algorithm, Param, ParameterError, Problem

EPS = np.finfo(float).eps

# Columns of the kernels' output array.
FROB_SQ, LOSS, REBALANCED = range(3)
N_COLUMNS = 3

G_INIT_RATIO = 1.0 / 3.0  # G0 scale / F0 scale in the asymmetric initialisation of [1]


@dataclass(frozen=True)
class SensingInstance:
    """Ground truth, measurement operator and reference quantities of one instance.

    Attributes
    ----------
    M_star
        Ground truth, ``n1 x n2``, rank ``r``, ``sigma_1 = 1``.
    A
        Sensing matrices as rows of an ``m x (n1 n2)`` array, entries ``N(0, 1/m)``; shape
        ``(0, n1 n2)`` for the population operator.
    y
        Measurements ``A vec(M*)``, shape ``(m,)``.
    symmetric
        True when ``M*`` is symmetric PSD (``n1 == n2``).
    """

    M_star: np.ndarray
    A: np.ndarray
    y: np.ndarray
    symmetric: bool
    constants: dict[str, float]
    floors: dict[str, float] = field(default_factory=dict)

    @property
    def population(self) -> bool:
        return self.A.shape[0] == 0


# -- instances ----------------------------------------------------------------------------
def _frame(rng: np.random.Generator, n: int, r: int) -> np.ndarray:
    q, upper = np.linalg.qr(rng.standard_normal((n, r)))
    return q * np.sign(np.diag(upper))  # Haar-distributed orthonormal r-frame


def _check(n1: int, n2: int, r: int, kappa: float, m: int) -> None:
    if min(n1, n2) < 1 or not 1 <= r <= min(n1, n2):
        raise ParameterError(f"need 1 <= r <= min(n1, n2), got r={r}, n1={n1}, n2={n2}")
    if kappa < 1:
        raise ParameterError(f"the condition number kappa must be >= 1, got {kappa}")
    if m < 0:
        raise ParameterError(f"m must be 0 (population operator) or a positive count, got {m}")


def _build(seed: int, n1: int, n2: int, r: int, kappa: float, m: int,
           symmetric: bool) -> SensingInstance:
    rng = np.random.default_rng(seed)
    s = np.geomspace(1.0, 1.0 / kappa, r)
    U = _frame(rng, n1, r)
    V = U if symmetric else _frame(rng, n2, r)
    M_star = np.ascontiguousarray((U * s) @ V.T)
    if symmetric:
        M_star = 0.5 * (M_star + M_star.T)
    A = rng.standard_normal((m, n1 * n2)) / np.sqrt(max(m, 1)) if m else np.zeros((0, n1 * n2))
    y = A @ M_star.ravel()
    fro = float(np.linalg.norm(M_star))
    if m:
        sv = np.linalg.svd(A, compute_uv=False)
        a_max = float(sv[0])
        # Round-off in the residual is amplified at most by the ratio of the extreme nonzero
        # singular values of A (a generous bound: only the low-rank directions matter).
        cond = float(sv[0] / sv[min(m, n1 * n2) - 1])
    else:
        a_max, cond = 1.0, 1.0
    # Round-off: each entry of P is a k-term sum (relative error ~ k eps), the residual is
    # amplified by cond(A); 10 sqrt(n1 n2) eps ||M*||_F covers both with margin.
    frob = 10.0 * np.sqrt(n1 * n2) * EPS * fro * cond
    floors = {"frobenius": frob, "frobenius_sq": frob**2, "loss": 0.5 * (a_max * frob) ** 2}
    constants = {"sigma_1": float(s[0]), "sigma_r": float(s[-1]), "kappa": float(kappa),
                 "fro": fro, "r": float(r)}
    return SensingInstance(M_star, np.ascontiguousarray(A), y, symmetric, constants, floors)


def make_symmetric(seed: int, n: int = 20, r: int = 2, kappa: float = 2.0,
                   m: int = 0) -> SensingInstance:
    """PSD ground truth ``U diag(s) U^T`` of rank ``r``, ``s`` geometric in ``[1/kappa, 1]``.

    ``m = 0`` gives the population operator, ``m > 0`` that many Gaussian measurements.
    """
    n, r, m = int(n), int(r), int(m)
    _check(n, n, r, kappa, m)
    return _build(seed, n, n, r, kappa, m, True)


def make_asymmetric(seed: int, n1: int = 20, n2: int = 16, r: int = 2, kappa: float = 2.0,
                    m: int = 0) -> SensingInstance:
    """Ground truth ``U diag(s) V^T`` of rank ``r``, ``n1 x n2``; measurements as above."""
    n1, n2, r, m = int(n1), int(n2), int(r), int(m)
    _check(n1, n2, r, kappa, m)
    return _build(seed, n1, n2, r, kappa, m, False)


# -- kernels ------------------------------------------------------------------------------
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


# -- public wrappers ----------------------------------------------------------------------
def _checkpoints(checkpoints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    checkpoints = np.ascontiguousarray(checkpoints, dtype=np.int64)
    return checkpoints, np.full((checkpoints.size, N_COLUMNS), np.nan)


def _check_hyper(instance: SensingInstance, k: float, alpha: float, eta: float) -> int:
    rank = int(instance.constants["r"])
    if int(k) != k or k < rank:
        raise ParameterError(f"k must be an integer >= r = {rank}, got {k}")
    if alpha <= 0 or eta <= 0:
        raise ParameterError(f"alpha and eta must be positive, got alpha={alpha}, eta={eta}")
    return int(k)


def _measures(out: np.ndarray, checkpoints: np.ndarray) -> dict[str, np.ndarray]:
    """The measures, and ``calls``: one gradient per iteration."""
    return {"frobenius_sq": out[:, FROB_SQ], "frobenius": np.sqrt(out[:, FROB_SQ]),
            "loss": out[:, LOSS], "calls": checkpoints.astype(float)}


def initial_factors(instance: SensingInstance, seed: int, k: int, alpha: float,
                    asymmetric: bool) -> tuple[np.ndarray, np.ndarray]:
    """The small random initialisation: ``X0`` (or ``F0``) and ``G0`` from ``seed``.

    ``X0``/``F0`` entries ``N(0, alpha^2)``, ``G0`` entries ``N(0, (alpha/3)^2)`` ([1]); the
    stream is seeded by ``(seed, 1)``, independent of the instance's stream.
    """
    rng = np.random.default_rng([int(seed), 1])
    n1, n2 = instance.M_star.shape
    F = alpha * rng.standard_normal((n1, k))
    G = alpha * G_INIT_RATIO * rng.standard_normal((n2, k)) if asymmetric else F.copy()
    return np.ascontiguousarray(F), np.ascontiguousarray(G)


def run_gd(instance: SensingInstance, checkpoints: np.ndarray, seed: int, k: float = 4,
           alpha: float = 0.1, eta: float = 0.1) -> dict[str, np.ndarray]:
    """GD on ``X X^T`` (symmetric problem) or ``F G^T`` (asymmetric problem).

    Guarantees ([1], informal Theorems 1.1-1.3, from random initialisation of scale
    ``alpha`` and small enough ``eta``): symmetric ``k > r``: ``||X_T X_T^T - M*||_F^2 =
    Omega(1/T^2)`` (lower bound, tight: the ``k - r`` excess directions shrink like
    ``1/sqrt(eta t)``); symmetric ``k = r``: ``exp(-Omega(T))``; asymmetric ``k = r``:
    ``exp(-Omega(T))``; asymmetric ``k > r``: ``exp(-Omega(alpha^2 T))``.
    """
    k = _check_hyper(instance, k, alpha, eta)
    checkpoints, out = _checkpoints(checkpoints)
    if instance.symmetric:
        X, _ = initial_factors(instance, seed, k, alpha, asymmetric=False)
        _symmetric_gd_kernel(X, instance.M_star, instance.A, instance.y, float(eta),
                             checkpoints, out)
    else:
        F, G = initial_factors(instance, seed, k, alpha, asymmetric=True)
        _asymmetric_gd_kernel(F, G, instance.M_star, instance.A, instance.y, float(eta), -1.0,
                              1.0, checkpoints, out)
    return _measures(out, checkpoints)


def run_gd_asym(instance: SensingInstance, checkpoints: np.ndarray, seed: int,
                k: float = 4, alpha: float = 0.1, eta: float = 0.2) -> dict[str, np.ndarray]:
    """GD on the asymmetric parameterization ``F G^T`` of any ``M*`` (also a symmetric one).

    [1] (abstract and Sec. 4): applied to a PSD ``M*`` with ``k > r`` it converges linearly,
    ``exp(-Omega(alpha^2 T))``, instead of the symmetric parameterization's ``Omega(1/T^2)``.
    """
    k = _check_hyper(instance, k, alpha, eta)
    checkpoints, out = _checkpoints(checkpoints)
    F, G = initial_factors(instance, seed, k, alpha, asymmetric=True)
    _asymmetric_gd_kernel(F, G, instance.M_star, instance.A, instance.y, float(eta), -1.0, 1.0,
                          checkpoints, out)
    return _measures(out, checkpoints)


def run_gd_modified(instance: SensingInstance, checkpoints: np.ndarray, seed: int,
                    k: float = 4, alpha: float = 0.1, eta: float = 0.2,
                    switch_tol: float = 1e-2, beta: float = 1.0) -> dict[str, np.ndarray]:
    """Asymmetric GD with one rebalancing step: a rate independent of ``alpha``.

    [1] (abstract; Sec. 5, step (5.1)) modifies one step of GD, applied once the iterate is
    close to ``M*``, and proves a linear rate independent of ``alpha``. **We could not
    consult the text of step (5.1)**; this kernel implements the modification as we
    reconstruct it from the paper's mechanism (the rate of plain GD is set by the imbalance
    ``F^T F - G^T G ~ alpha^2``, so one step that makes one factor well conditioned removes
    the ``alpha`` dependence): at the first iterate with ``loss <= switch_tol * 0.5 ||y||^2``
    (computable from the data), with ``S = (G^T G)^{1/2}``,

    ``F <- F S / beta``,  ``G <- beta G S^{-1}``,

    which keeps ``F G^T`` (and hence the error) unchanged and sets all ``k`` singular values
    of ``G`` to ``beta`` (default 1 = ``sqrt(sigma_1(M*))``). The excess part of ``F`` then
    contracts by ``1 - eta beta^2`` per step instead of ``1 - O(eta alpha^2)``. Plain GD runs
    before and after. The output also carries ``rebalanced`` (1 from the switch on).
    """
    k = _check_hyper(instance, k, alpha, eta)
    if switch_tol <= 0 or beta <= 0:
        raise ParameterError("switch_tol and beta must be positive")
    checkpoints, out = _checkpoints(checkpoints)
    F, G = initial_factors(instance, seed, k, alpha, asymmetric=True)
    _asymmetric_gd_kernel(F, G, instance.M_star, instance.A, instance.y, float(eta),
                          float(switch_tol), float(beta), checkpoints, out)
    return {**_measures(out, checkpoints), "rebalanced": out[:, REBALANCED]}


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


PROBLEMS = (
    Problem(
        name="matrix_sensing.symmetric",
        make=make_symmetric,
        params=_truth(n=Param(20, "[1, inf)", integer=True)),
        algorithms=(
            Algorithm("gd", run_gd, _hyper(0.1), _MEASURES, counters=_CALLS,
                      randomness="seeded",
                      reference=_REFERENCE + ", symmetric parameterization X X^T"),
            Algorithm("gd_asym", run_gd_asym, _hyper(0.2), _MEASURES, counters=_CALLS,
                      randomness="seeded",
                      reference=_REFERENCE + ", asymmetric parameterization F G^T"),
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
            Algorithm("gd", run_gd, _hyper(0.2), _MEASURES, counters=_CALLS,
                      randomness="seeded",
                      reference=_REFERENCE + ", asymmetric parameterization F G^T"),
            Algorithm("gd_modified", run_gd_modified,
                      _hyper(0.2, switch_tol=Param(1e-2, "(0, inf)"),
                             beta=Param(1.0, "(0, inf)")),
                      _MEASURES, counters={**_CALLS, "rebalanced": "rebalancing steps made"},
                      randomness="seeded",
                      reference=_REFERENCE + ", Sec. 5 one-step modification (reconstructed)"),
        ),
        description="rank-r M* (n1 x n2, sigma_1 = 1, condition kappa); m = 0 population "
                    "operator, m > 0 Gaussian measurements",
        constants=("sigma_1", "sigma_r", "kappa", "fro"),
    ),
)
