"""Non-smooth instances: data, exact reference solutions, constants and floors.

Problem
    ``f(w) = (1/n) sum_i phi(<a_i, w> - b_i) + (lam/2) ||w||^2`` with the piecewise-linear
    ``phi(r) = max(lo * r, r)``: ``lo = -1`` is the absolute value (l1 regression), ``lo = 0``
    the hinge (``a_i = -y_i x_i``, ``b_i = -1``, so ``r = 1 - y_i <x_i, w>``). Each component
    is ``||a_i||``-Lipschitz; with ``lam > 0`` the sum is ``lam``-strongly convex.

Reference solutions (exact to round-off, with a certificate)
    * ``lam = 0``, noiseless l1 regression: ``b = A w_true`` makes ``w* = w_true``, ``f* = 0``.
    * ``lam > 0``: the dual ``max_{u in [lo, 1]^n} -||A^T u||^2 / (2 lam n^2) - b^T u / n``
      (``w = -A^T u / (lam n)``) solved by accelerated projected gradient, then polished by a
      primal-dual active-set iteration: the free dual variables solve ``A_Z w = b_Z``
      exactly. The certificate is the duality gap, recorded as the floor of ``f_gap``.
    * ``lam = 0`` otherwise: the linear program (HiGHS), polished at its vertex (``A_Z w =
      b_Z`` for the zero residuals); the certificate is a subgradient ``0 = sum_i u_i a_i``
      with ``u_i = phi'(r_i)`` off the vertex and ``u_Z`` in ``[lo, 1]`` solving the rest.

The worst-case last-iterate construction (:func:`make_worst_case`) and the clipping
instance (:func:`make_quadratic`) are built below as well.

Builders draw from ``numpy.random.default_rng(seed)`` (the family contract's instance stream).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workbench.catalogue import ParameterError

EPS = np.finfo(float).eps
LAWS = {0: "none", 1: "gaussian", 2: "two_point", 3: "student_t3"}


@dataclass(frozen=True)
class PiecewiseLinearInstance:
    """Data and reference quantities of one piecewise-linear instance (see module docstring).

    Attributes
    ----------
    A, b, lo, lam
        Rows ``a_i`` (``n x d``, C-contiguous), offsets, the slope of ``phi`` for negative
        residuals (-1: absolute value, 0: hinge) and the l2 weight.
    w_star, f_star
        The minimiser and the minimum, exact to round-off (see ``floors["f_gap"]``).
    constants, floors
        ``G`` (largest ``||a_i||``), ``mu`` (= ``lam``), ``dist0_sq`` (``||w*||^2``: every
        method starts at 0), ``reference_accuracy`` (the certificate's gap or residual);
        floors per measure.
    """

    A: np.ndarray
    b: np.ndarray
    lo: float
    lam: float
    w_star: np.ndarray
    f_star: float
    constants: dict[str, float]
    floors: dict[str, float] = field(default_factory=dict)


def objective(A: np.ndarray, b: np.ndarray, lo: float, lam: float, w: np.ndarray) -> float:
    """``mean(max(lo r, r)) + (lam/2) ||w||^2`` with ``r = A w - b``."""
    r = A @ w - b
    return float(np.mean(np.maximum(lo * r, r)) + 0.5 * lam * w @ w)


def subgradient_weights(r: np.ndarray, lo: float) -> np.ndarray:
    """``phi'(r)``: 1 for ``r > 0``, ``lo`` for ``r < 0`` and 0 (inside ``[lo, 1]``) at 0."""
    return np.where(r > 0, 1.0, np.where(r < 0, lo, 0.0))


def _dual_value(A: np.ndarray, b: np.ndarray, lam: float, u: np.ndarray) -> float:
    n = A.shape[0]
    v = A.T @ u
    return float(-(v @ v) / (2 * lam * n * n) - (b @ u) / n)


def _polish(A: np.ndarray, b: np.ndarray, lo: float, lam: float,
            u: np.ndarray) -> tuple[np.ndarray, float]:
    """Primal-dual active-set iterations from the dual point ``u``: the dual variables at a
    bound stay there, the free ones solve ``A_Z w = b_Z`` with ``w = -A^T u / (lam n)``
    exactly; indices violating the KKT sign conditions move. Returns the best dual point
    found and its duality gap."""
    n = A.shape[0]
    width = 1.0 - lo
    upper = u > 1.0 - 1e-6 * width
    lower = u < lo + 1e-6 * width
    best_u, best_gap = np.clip(u, lo, 1.0), np.inf
    tol = 1e-13 * (1.0 + np.abs(b).max())
    for _ in range(20):
        free = ~(upper | lower)
        u = np.where(upper, 1.0, np.where(lower, lo, u))
        if free.any():
            Az = A[free]
            rhs = -lam * n * b[free] - Az @ (A[~free].T @ u[~free])
            u[free] = np.linalg.lstsq(Az @ Az.T, rhs, rcond=None)[0]
        clipped = np.clip(u, lo, 1.0)
        w = -(A.T @ clipped) / (lam * n)
        gap = objective(A, b, lo, lam, w) - _dual_value(A, b, lam, clipped)
        if gap < best_gap:
            best_u, best_gap = clipped, gap
        r = A @ (-(A.T @ u) / (lam * n)) - b
        # KKT: u = 1 needs r >= 0, u = lo needs r <= 0, a free u lies in [lo, 1].
        to_free = (upper & (r < -tol)) | (lower & (r > tol))
        to_upper = free & (u > 1.0)
        to_lower = free & (u < lo)
        if not (to_free.any() or to_upper.any() or to_lower.any()):
            break
        upper = (upper & ~to_free) | to_upper
        lower = (lower & ~to_free) | to_lower
    return best_u, max(best_gap, 0.0)


def _ridge_reference(A: np.ndarray, b: np.ndarray, lo: float,
                     lam: float) -> tuple[np.ndarray, float, float]:
    """Minimiser, minimum and duality gap for ``lam > 0`` (see the module docstring).

    The dual ``min_{u in [lo, 1]^n} u^T K u / 2 + b^T u / n`` with ``K = A A^T / (lam n^2)``
    is solved by accelerated projected gradient (FISTA with restarts) until the active-set
    polish, tried whenever the active set has settled, certifies a duality gap at round-off
    level, or 20000 iterations (very small ``lam``: the gap, then larger, is the reported
    accuracy and the floor of ``f_gap``).
    """
    n = A.shape[0]
    K = A @ A.T / (lam * n * n)
    q = b / n
    step = 1.0 / np.linalg.eigvalsh(K)[-1]
    u = np.full(n, 0.5 * (lo + 1.0))
    y, momentum = u.copy(), 1.0
    scale = 1.0 + np.abs(b).max()
    width = 1.0 - lo
    best_u, best_gap = u, np.inf
    pattern = np.zeros(n, dtype=np.int8)
    for it in range(1, 20001):
        u_next = np.clip(y - step * (K @ y + q), lo, 1.0)
        m_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * momentum * momentum))
        y = u_next + (momentum - 1.0) / m_next * (u_next - u)
        if (u_next - u) @ (y - u_next) > 0:  # restart when the momentum points uphill
            y, m_next = u_next.copy(), 1.0
        u, momentum = u_next, m_next
        if it % 25 == 0:
            # polish only once the active set has settled (it is cheap to check)
            now = (u > 1.0 - 1e-6 * width).astype(np.int8) - (u < lo + 1e-6 * width)
            if np.array_equal(now, pattern):
                candidate, gap = _polish(A, b, lo, lam, u)
                if gap < best_gap:
                    best_u, best_gap = candidate, gap
                if best_gap <= 1e-13 * scale:
                    break
            pattern = now
    w = -(A.T @ best_u) / (lam * n)
    return w, objective(A, b, lo, lam, w), best_gap


def _lp_reference(A: np.ndarray, b: np.ndarray, lo: float) -> tuple[np.ndarray, float, float]:
    """Minimiser, minimum and certificate residual for ``lam = 0`` (the linear program)."""
    from scipy import optimize
    n, d = A.shape
    # variables (w, s): minimise mean(s) with s >= r and s >= lo r, r = A w - b
    cost = np.concatenate([np.zeros(d), np.full(n, 1.0 / n)])
    eye = np.eye(n)
    upper = np.block([[A, -eye], [lo * A, -eye]])
    rhs = np.concatenate([b, lo * b])
    res = optimize.linprog(cost, A_ub=upper, b_ub=rhs, bounds=[(None, None)] * (d + n),
                           method="highs")
    if res.status != 0:
        raise ParameterError(f"the reference linear program failed: {res.message}")
    w = res.x[:d]
    r = A @ w - b
    zero = np.argsort(np.abs(r))[:d]  # the vertex: d residuals vanish
    w = np.linalg.solve(A[zero], b[zero])
    r = A @ w - b
    r[zero] = 0.0
    others = np.setdiff1d(np.arange(n), zero)
    g = A[others].T @ subgradient_weights(r[others], lo)
    u_zero = np.linalg.solve(A[zero].T, -g)
    if np.any(u_zero < lo - 1e-9) or np.any(u_zero > 1.0 + 1e-9):
        raise ParameterError("the reference vertex has no optimality certificate (degenerate "
                             "instance); try another seed")
    residual = float(np.linalg.norm(A[zero].T @ u_zero + g))
    return w, objective(A, b, lo, 0.0, w), residual


def _instance(A: np.ndarray, b: np.ndarray, lo: float, lam: float, w: np.ndarray, f: float,
              accuracy: float) -> PiecewiseLinearInstance:
    n = A.shape[0]
    G = float(np.max(np.linalg.norm(A, axis=1)))
    rounding = 4 * n * EPS * (1.0 + abs(f) + float(np.abs(b).max()))
    floors = {"f_gap": accuracy + rounding, "f_gap_avg": accuracy + rounding,
              "f_gap_suffix": accuracy + rounding,
              "dist_sq": (4 * EPS * (1.0 + np.linalg.norm(w))) ** 2}
    constants = {"G": G, "mu": float(lam), "dist0_sq": float(w @ w),
                 "reference_accuracy": float(accuracy)}
    return PiecewiseLinearInstance(np.ascontiguousarray(A), np.ascontiguousarray(b), float(lo),
                                   float(lam), w, float(f), constants, floors)


def make_l1(seed: int, n: int = 100, d: int = 10, lam: float = 0.0,
            noise: float = 0.0) -> PiecewiseLinearInstance:
    """l1 regression ``(1/n) ||A w - b||_1 + (lam/2) ||w||^2``, Gaussian rows ``||a_i|| ~ 1``.

    ``b = A w_true + noise * N(0, 1)``. Noiseless with ``lam = 0`` it is a sharp problem with
    ``w* = w_true`` and ``f* = 0`` exactly; otherwise the reference is computed and certified
    (module docstring).
    """
    n, d = int(n), int(d)
    if n < d:
        raise ParameterError("need n >= d (a unique minimiser)")
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d)) / np.sqrt(d)
    w_true = rng.standard_normal(d) / np.sqrt(d)
    b = A @ w_true + noise * rng.standard_normal(n)
    if lam == 0 and noise == 0:
        return _instance(A, b, -1.0, 0.0, w_true, 0.0, 0.0)
    w, f, accuracy = _ridge_reference(A, b, -1.0, lam) if lam > 0 else \
        _lp_reference(A, b, -1.0)
    return _instance(A, b, -1.0, lam, w, f, accuracy)


def make_l1_ridge(seed: int, n: int = 100, d: int = 10, lam: float = 0.1,
                  noise: float = 0.0) -> PiecewiseLinearInstance:
    """:func:`make_l1` with ``lam > 0`` (strongly convex; the minimiser is no longer
    ``w_true`` and is computed by the dual active-set method)."""
    if not lam > 0:
        raise ParameterError("need lam > 0")
    return make_l1(seed, n, d, lam, noise)


def make_hinge(seed: int, n: int = 100, d: int = 10, lam: float = 0.0,
               flip: float = 0.1) -> PiecewiseLinearInstance:
    """Hinge loss ``(1/n) sum_i max(0, 1 - y_i <x_i, w>) + (lam/2) ||w||^2`` (an SVM).

    Gaussian rows scaled to ``||x_i|| ~ 1``, labels ``sign(<x_i, w0>)`` of which a fraction
    ``flip`` is flipped (not separable). ``a_i = -y_i x_i``, ``b_i = -1``.
    """
    n, d = int(n), int(d)
    if not 0 <= flip < 0.5:
        raise ParameterError("need 0 <= flip < 0.5")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) / np.sqrt(d)
    w0 = rng.standard_normal(d) * 3 / np.sqrt(d)
    y = np.sign(X @ w0)
    y[y == 0] = 1.0
    y[rng.random(n) < flip] *= -1.0
    A = -y[:, None] * X
    b = -np.ones(n)
    w, f, accuracy = _ridge_reference(A, b, 0.0, lam) if lam > 0 else _lp_reference(A, b, 0.0)
    return _instance(A, b, 0.0, lam, w, f, accuracy)


def make_hinge_ridge(seed: int, n: int = 100, d: int = 10, lam: float = 1e-2,
                     flip: float = 0.1) -> PiecewiseLinearInstance:
    """:func:`make_hinge` with ``lam > 0``: the l2-regularised hinge (a linear SVM)."""
    if not lam > 0:
        raise ParameterError("need lam > 0")
    return make_hinge(seed, n, d, lam, flip)


# -- the worst-case last-iterate construction (Harvey, Liaw, Plan, Randhawa 2019) ----------
@dataclass(frozen=True)
class WorstCaseInstance:
    """The max-of-affine construction; its dimension is the horizon ``T`` of the run.

    ``f_T(x) = max_{i = 1..T+1} <h_i, x> + (mu/2) ||x||^2`` on ``R^T`` with ``h_i = (a_1, ...,
    a_{i-1}, -b_i, 0, ..., 0)`` (``b_{T+1}`` unused). The run builds ``a`` and ``b`` for its
    own ``T`` (:func:`construction`). ``f* = 0`` at ``x* = 0`` for every ``T``: the
    coefficients ``lam_j = a_j sum_{i > j} lam_i / b_j > 0`` put 0 in the convex hull of the
    ``h_i``, so ``max_i <h_i, x> >= 0``.
    """

    mu: float
    constants: dict[str, float]
    floors: dict[str, float] = field(default_factory=dict)


def construction(T: int, mu: float) -> tuple[np.ndarray, np.ndarray]:
    """``a_j, b_j`` (``j = 1..T``) of the construction for horizon ``T``.

    Strongly convex (``mu > 0``, steps ``1/(mu t)``): ``a_j = mu/(2 (T + 1 - j))``,
    ``b_j = mu`` (the pieces scale with ``mu`` so that the iterates stay in the unit ball).
    Convex (``mu = 0``, steps proportional to ``1/sqrt(t)`` or the linear decay):
    ``a_j = 1/(4 (T + 1 - j))``, ``b_j = sqrt(j / T)``. Both follow the pattern of the
    final-iterate lower bounds of Harvey et al. (2019, arXiv 1812.05217); the constants are
    ours, and the order in which GD visits the pieces is certified by every run.

    Why the order holds (strongly convex, ``eta_k = 1/(mu k)``): if GD took piece ``k`` at
    step ``k``, then ``k x_{k+1} = -(1/mu) sum_{s <= k} h_s`` gives ``x_{k+1, j} = (b_j -
    (k - j) a_j) / (mu k)`` for ``j <= k`` and 0 beyond, positive since ``(k - j) a_j <
    mu/2``, and ``||x_{k+1}||^2 <= k / k^2 <= 1``. Pieces ``i > k + 1`` tie with ``k + 1``
    (the coordinates past ``k`` vanish) and the oracle returns the smallest index; a piece
    ``i <= k`` loses by ``b_i x_i + sum_{i <= j <= k} a_j x_j > 0``. So ``f(x_{T+1}) =
    sum_j a_j x_j + (mu/2)||x||^2``, about ``mu ln(T) / (4 T)``. The convex schedules are
    certified numerically (``methods._worst_case``).
    """
    j = np.arange(1, T + 1, dtype=float)
    if mu > 0:
        return mu / (2.0 * (T + 1 - j)), np.full(T, float(mu))
    return 1.0 / (4.0 * (T + 1 - j)), np.sqrt(j / T)


def hull_weights(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Positive ``lam_1..lam_{T+1}`` summing to 1 with ``sum_i lam_i h_i = 0``: the
    certificate that ``f* = 0`` (``lam_j b_j = a_j sum_{i > j} lam_i``, from ``j = T`` down)."""
    T = a.size
    lam = np.empty(T + 1)
    lam[T] = 1.0
    tail = 1.0
    for j in range(T - 1, -1, -1):
        lam[j] = a[j] * tail / b[j]
        tail += lam[j]
    return lam / lam.sum()


def make_worst_case(seed: int) -> WorstCaseInstance:
    """The convex construction (``mu = 0``); see :func:`make_worst_case_sc`."""
    return make_worst_case_sc(seed, 0.0)


def make_worst_case_sc(seed: int, mu: float = 1.0) -> WorstCaseInstance:
    """The construction's recipe (deterministic; ``seed`` is unused).

    ``G`` bounds every subgradient on the unit ball, where every run stays (``||x_t|| <= 1``
    for the schedules of this family, checked by each run): ``||h_i|| <= sqrt(sum_j a_j^2 +
    max_j b_j^2)``, at most ``sqrt(pi^2/96 + 1)`` (convex) or ``mu sqrt(pi^2/24 + 1)``, plus
    ``mu`` for the quadratic. ``D = 1`` is the ball's radius.
    """
    G = float(mu * (np.sqrt(np.pi**2 / 24 + 1.0) + 1.0) if mu > 0
              else np.sqrt(np.pi**2 / 96 + 1.0))
    return WorstCaseInstance(float(mu), {"G": G, "D": 1.0, "mu": float(mu)},
                             {"f_gap": 1e-15})


# -- the clipping instance: x^2/2 with a stochastic oracle ---------------------------------
@dataclass(frozen=True)
class QuadraticInstance:
    """``f(x) = ||x||^2 / 2`` on ``R^d`` with the oracle ``g = x + xi``, ``xi`` drawn from one
    of :data:`LAWS` with ``E xi = 0`` and ``E ||xi||^2 = sigma^2``.

    ``two_point`` is the worst case for a clipping threshold ``c`` (Koloskova et al. 2023,
    stochastic lower bound): ``xi = +2c e_1`` with probability ``p = sigma^2 / (4 c^2 +
    sigma^2)`` and ``-(sigma^2 / (2c)) e_1`` otherwise. Mean zero and variance ``sigma^2``;
    if ``sigma <= 2c`` the clipped mean field ``E clip_c(x + xi)`` vanishes at ``x = sigma^2 /
    (4c)`` exactly (derivation in :func:`two_point_law`), so clipped SGD with vanishing
    steps settles at ``||grad f|| = sigma^2 / (4c)``, not at 0. The law depends on the
    run's threshold (the lower bound is "for every c there is a law"), so the run builds it.
    """

    x0: np.ndarray
    sigma: float
    law: int
    constants: dict[str, float]
    floors: dict[str, float] = field(default_factory=dict)


def two_point_law(sigma: float, c: float) -> tuple[float, float, float]:
    """``(A, B, p)``: ``xi = +A`` with probability ``p``, ``-B`` otherwise.

    Mean zero: ``p A = (1 - p) B``; variance ``p A^2 + (1 - p) B^2 = p A^2 / (1 - p) =
    sigma^2``. At a point ``x`` with ``x + A >= c`` and ``|x - B| <= c`` the clipped mean is
    ``p c + (1 - p)(x - B)``, zero at ``x = p (A - c) / (1 - p) = sigma^2 (A - c) / A^2``,
    largest for ``A = 2c``: ``x = sigma^2 / (4c)``, ``B = sigma^2 / (2c)``; the two
    conditions hold when ``sigma <= 2c``. Without clipping (``c = 0``) the law with
    ``A = 2 sigma`` is used.
    """
    A = 2.0 * c if c > 0 else 2.0 * sigma
    p = sigma**2 / (A**2 + sigma**2)
    return A, p * A / (1.0 - p), p


def make_quadratic(seed: int, d: int = 1, sigma: float = 1.0, law: int = 2,
                   x0: float = 1.0) -> QuadraticInstance:
    """``f = ||x||^2/2`` started at ``x0 * e_1`` with noise law ``law`` of scale ``sigma``
    (0 none: exact gradients, 1 Gaussian, 2 two-point worst case, 3 Student t with 3 degrees
    of freedom, heavy-tailed, scaled to variance ``sigma^2``)."""
    if int(law) not in LAWS:
        raise ParameterError(f"law must be one of {sorted(LAWS)} ({LAWS})")
    start = np.zeros(int(d))
    start[0] = x0
    constants = {"L": 1.0, "mu": 1.0, "sigma": float(sigma), "dist0_sq": float(x0 * x0)}
    floors = {"grad_norm": 4 * EPS, "f_gap": 4 * EPS, "dist_sq": 4 * EPS}
    return QuadraticInstance(start, float(sigma), int(law), constants, floors)
