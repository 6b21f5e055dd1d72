"""The non-smooth family's Numba kernels (private; the public wrappers are in ``methods``).

Each kernel holds its whole loop in one ``@njit(cache=True)`` function, writes its
measures at the given checkpoints into a preallocated array and allocates nothing per step.
Every jitted callee lives in this module (Numba's on-disk cache does not notice an edit to a
jitted helper in another file). Sampling kernels receive one seed for ``np.random.seed``;
Numba replays NumPy's legacy Mersenne Twister (uniforms, integers and normals alike), so the
NumPy twins in ``reference`` draw the same numbers from ``RandomState(seed)``.

Step schedules (``t = 0, 1, ...`` counts the steps taken, ``T`` is the horizon):
``MU_T``: ``eta / (mu (t + 1))``; ``SQRT_T``: ``eta / sqrt(t + 1)``; ``LINEAR``:
``(eta / sqrt(T)) (1 - t / T)`` (Defazio et al. 2023); ``CONSTANT``: ``eta``.
"""

from __future__ import annotations

import numpy as np

from workbench.jit import njit

MU_T, SQRT_T, LINEAR, CONSTANT = range(4)
SCHEDULES = {"mu_t": MU_T, "sqrt_t": SQRT_T, "linear_decay": LINEAR, "constant": CONSTANT}

# Columns of the finite-sum SGD kernel's output.
F_GAP, F_GAP_AVG, F_GAP_SUFFIX, DIST_SQ, CALLS = range(5)
N_COLUMNS = 5
# Columns of the quadratic kernel's output.
Q_GRAD_NORM, Q_F_GAP, Q_DIST_SQ, Q_CALLS = range(4)
Q_COLUMNS = 4
# Columns of the worst-case construction's output.
W_F_GAP, W_DIST_SQ, W_CALLS = range(3)
W_COLUMNS = 3


@njit(cache=True)
def _step(schedule, eta, mu, t, horizon):
    """The step of schedule ``schedule`` at step ``t`` (0-based) of ``horizon``."""
    if schedule == MU_T:
        return eta / (mu * (t + 1.0))
    if schedule == SQRT_T:
        return eta / np.sqrt(t + 1.0)
    if schedule == LINEAR:
        return eta / np.sqrt(horizon) * (1.0 - t / horizon)
    return eta


# -- SGD on (1/n) sum_i max(lo r_i, r_i) + (lam/2)||w||^2 --------------------------------
@njit(cache=True)
def _objective(A, b, lo, lam, w):
    """``mean_i max(lo r_i, r_i) + (lam/2) ||w||^2`` with ``r = A w - b``."""
    n, d = A.shape
    total = 0.0
    for i in range(n):
        r = -b[i]
        for j in range(d):
            r += A[i, j] * w[j]
        total += max(lo * r, r)
    sq = 0.0
    for j in range(d):
        sq += w[j] * w[j]
    return total / n + 0.5 * lam * sq


@njit(cache=True)
def _sgd_kernel(A, b, lo, lam, mu, schedule, eta, w, w_star, f_star, seed, checkpoints,
                halves, out):
    """SGD with one uniformly sampled row per step, ``w <- w - eta_t (phi'(r_i) a_i + lam
    w)`` (``phi'(0) = 0``), recording the last iterate, the uniform average of ``w_1..w_t``
    and the suffix average of ``w_{h+1}..w_t`` with ``h = t // 2`` at each checkpoint.

    The suffix averages use the running sum ``S_t`` of the iterates and its snapshots at the
    half-points ``halves = checkpoints // 2``: ``(S_t - S_h) / (t - h)``.
    """
    np.random.seed(seed)
    n, d = A.shape
    horizon = checkpoints[-1]
    total = np.zeros(d)
    snaps = np.zeros((checkpoints.size, d))
    point = np.empty(d)
    k = 0
    h = 0
    for t in range(horizon + 1):
        while h < halves.size and halves[h] == t:
            for j in range(d):
                snaps[h, j] = total[j]
            h += 1
        if t == checkpoints[k]:
            dist = 0.0
            for j in range(d):
                dist += (w[j] - w_star[j]) ** 2
            out[k, F_GAP] = _objective(A, b, lo, lam, w) - f_star
            out[k, DIST_SQ] = dist
            for j in range(d):
                point[j] = total[j] / t
            out[k, F_GAP_AVG] = _objective(A, b, lo, lam, point) - f_star
            width = t - halves[k]
            for j in range(d):
                point[j] = (total[j] - snaps[k, j]) / width
            out[k, F_GAP_SUFFIX] = _objective(A, b, lo, lam, point) - f_star
            out[k, CALLS] = t
            k += 1
        if t == horizon:
            break
        i = np.random.randint(n)
        r = -b[i]
        for j in range(d):
            r += A[i, j] * w[j]
        slope = 1.0 if r > 0.0 else (lo if r < 0.0 else 0.0)
        step = _step(schedule, eta, mu, t, horizon)
        for j in range(d):
            w[j] -= step * (slope * A[i, j] + lam * w[j])
            total[j] += w[j]


# -- SGD and clipped SGD on ||x||^2 / 2 with a noisy oracle -------------------------------
@njit(cache=True)
def _quadratic_kernel(x, sigma, law, c, schedule, eta, two_a, two_b, two_p, seed,
                      checkpoints, out):
    """SGD on ``||x||^2/2`` with the oracle ``g = x + xi``, clipped to norm ``c`` when
    ``c > 0``: ``x <- x - eta_t min(1, c / ||g||) g``.

    Noise laws: 0 none, 1 Gaussian ``N(0, sigma^2 I / d)``, 2 two-point along ``e_1``
    (``+two_a`` with probability ``two_p``, ``-two_b`` otherwise), 3 Student t with 3 degrees
    of freedom per coordinate (``z / sqrt((z1^2 + z2^2 + z3^2) / 3)``, scaled by
    ``sigma / sqrt(3 d)`` to variance ``sigma^2``).
    """
    np.random.seed(seed)
    d = x.size
    g = np.empty(d)
    horizon = checkpoints[-1]
    k = 0
    for t in range(horizon + 1):
        if t == checkpoints[k]:
            sq = 0.0
            for j in range(d):
                sq += x[j] * x[j]
            out[k, Q_GRAD_NORM] = np.sqrt(sq)
            out[k, Q_F_GAP] = 0.5 * sq
            out[k, Q_DIST_SQ] = sq
            out[k, Q_CALLS] = t
            k += 1
        if t == horizon:
            break
        for j in range(d):
            g[j] = x[j]
        if law == 1:
            for j in range(d):
                g[j] += sigma / np.sqrt(d) * np.random.standard_normal()
        elif law == 2:
            if np.random.random() < two_p:
                g[0] += two_a
            else:
                g[0] -= two_b
        elif law == 3:
            for j in range(d):
                z = np.random.standard_normal()
                chi = 0.0
                for _ in range(3):
                    e = np.random.standard_normal()
                    chi += e * e
                g[j] += sigma / np.sqrt(3.0 * d) * z / np.sqrt(chi / 3.0)
        scale = _step(schedule, eta, 1.0, t, horizon)
        if c > 0.0:
            norm = 0.0
            for j in range(d):
                norm += g[j] * g[j]
            norm = np.sqrt(norm)
            if norm > c:
                scale *= c / norm
        for j in range(d):
            x[j] -= scale * g[j]


# -- the worst-case construction: GD in O(1) per step, and the certificate of its order ---
@njit(cache=True)
def _chao_insert(alpha, beta, has, xs, new_a, new_b):
    """Insert the line ``new_a + new_b s`` into the Li Chao tree (upper envelope) built over
    the sorted query points ``xs``."""
    node, lo, hi = 1, 0, xs.size - 1
    while True:
        if not has[node]:
            alpha[node], beta[node], has[node] = new_a, new_b, True
            return
        mid = (lo + hi) // 2
        if new_a + new_b * xs[mid] > alpha[node] + beta[node] * xs[mid]:
            alpha[node], new_a = new_a, alpha[node]
            beta[node], new_b = new_b, beta[node]
        if lo == hi:
            return
        if new_a + new_b * xs[lo] > alpha[node] + beta[node] * xs[lo]:
            node, hi = 2 * node, mid
        elif new_a + new_b * xs[hi] > alpha[node] + beta[node] * xs[hi]:
            node, lo = 2 * node + 1, mid + 1
        else:
            return


@njit(cache=True)
def _chao_query(alpha, beta, has, xs, p):
    """The upper envelope at ``xs[p]``."""
    node, lo, hi = 1, 0, xs.size - 1
    best = -np.inf
    s = xs[p]
    while has[node]:
        best = max(best, alpha[node] + beta[node] * s)
        if lo == hi:
            break
        mid = (lo + hi) // 2
        if p <= mid:
            node, hi = 2 * node, mid
        else:
            node, lo = 2 * node + 1, mid + 1
    return best


@njit(cache=True)
def _order_margin(a, b, mu, steps):
    """Smallest relative margin by which piece ``t`` beats every earlier piece at ``x_t``.

    With 1-based steps ``k`` and ``rho_k = 1 - mu eta_k``, GD visiting the pieces in order
    gives ``x_{t,j} = Pi(t-1) (g_j - a_j (E(t-1) - E(j)))`` for ``j < t``, where ``Pi(m) =
    prod_{k=2..m} rho_k``, ``E(m) = sum_{k=2..m} eta_k / Pi(k)``, ``g_j = eta_j b_j / Pi(j)``.
    Then ``<h_i, x_t> / Pi(t-1) = alpha_i + beta_i s`` with ``s = E(t-1)``: a line in one
    scalar. Pieces ``i >= t`` tie with ``t`` (the oracle returns the smallest index), so the
    order holds iff ``<h_t, x_t>`` exceeds the upper envelope of the lines ``i < t`` at
    ``s``, checked for every ``t`` with a Li Chao tree in ``O(T log T)``. Returns the
    smallest ``(U_t - max_{i<t}) / (|U_t| + |max_{i<t}|)`` (positive: order certified), or
    -1 when some ``rho_k <= 0`` (``k >= 2``): the division by ``Pi`` then flips or breaks
    the comparison and nothing is certified.
    """
    T = a.size
    for m in range(2, T + 1):
        if 1.0 - mu * steps[m - 1] <= 0.0:
            return -1.0
    Pi = np.empty(T + 1)  # Pi[m], m = 1..T
    E = np.empty(T + 1)
    Pi[1] = 1.0
    E[1] = 0.0
    for m in range(2, T + 1):
        Pi[m] = Pi[m - 1] * (1.0 - mu * steps[m - 1])
        E[m] = E[m - 1] + steps[m - 1] / Pi[m]
    xs = np.empty(T)  # query point of t = 2..T+1 at position t - 2: s_t = E(t - 1)
    for t in range(2, T + 2):
        xs[t - 2] = E[t - 1]
    size = 4 * T + 4
    alpha = np.zeros(size)
    beta = np.zeros(size)
    has = np.zeros(size, dtype=np.bool_)
    cum_c = 0.0  # sum_{j < i} (a_j g_j + a_j^2 E(j))
    cum_w = 0.0  # sum_{j < i} a_j^2
    worst = np.inf
    for t in range(2, T + 2):
        i = t - 1  # the newest earlier piece
        ai, bi = a[i - 1], b[i - 1]
        gi = steps[i - 1] * bi / Pi[i]
        _chao_insert(alpha, beta, has, xs, cum_c - bi * gi - ai * bi * E[i],
                     -cum_w + ai * bi)
        cum_c += ai * gi + ai * ai * E[i]
        cum_w += ai * ai
        s = xs[t - 2]
        frontier = cum_c - cum_w * s
        rival = _chao_query(alpha, beta, has, xs, t - 2)
        margin = (frontier - rival) / (abs(frontier) + abs(rival) + 1e-300)
        worst = min(worst, margin)
    return worst


@njit(cache=True)
def _worst_case_kernel(a, b, mu, steps, checkpoints, out):
    """GD from ``x_1 = 0`` on the construction, visiting piece ``k`` at step ``k``.

    Step ``k``: ``x <- rho_k x - eta_k h_k``. Only three sums are needed (``j < k``):
    ``U = sum a_j x_j = <h_k, x>``, ``V = ||x||^2``, ``W = sum a_j^2``:
    ``U' = rho U - eta W + eta a_k b_k``, ``V' = rho^2 V - 2 rho eta U + eta^2 (W + b_k^2)``,
    ``W' = W + a_k^2``; ``f(x_{k+1}) = U' + (mu/2) V'``. ``O(1)`` per step; the order of the
    pieces is certified separately by :func:`_order_margin`. Returns the largest ``V``.
    """
    U = 0.0
    V = 0.0
    W = 0.0
    largest = 0.0
    k = 0
    horizon = checkpoints[-1]
    for step in range(1, horizon + 1):
        eta = steps[step - 1]
        rho = 1.0 - mu * eta
        ak, bk = a[step - 1], b[step - 1]
        V_new = rho * rho * V - 2.0 * rho * eta * U + eta * eta * (W + bk * bk)
        U = rho * U - eta * W + eta * ak * bk
        V = max(V_new, 0.0)
        W += ak * ak
        largest = max(largest, V)
        if step == checkpoints[k]:
            out[k, W_F_GAP] = U + 0.5 * mu * V
            out[k, W_DIST_SQ] = V
            out[k, W_CALLS] = step
            k += 1
    return largest
