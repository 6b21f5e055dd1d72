"""Private Numba kernels of the bilevel family: the whole loop in one ``@njit(cache=True)``
function writing the measures at the checkpoints into a preallocated array.

Every jitted helper a kernel calls lives in this module (Numba's on-disk cache does not see
edits to helpers in other files). Operators are data: ``H``, ``B``, ``b`` (and ``G = M^T M``,
``c = M^T b`` for the exact hypergradient ``grad F = grad phi + G x - c``), or the data
matrices of the hyper-cleaning instance. A stochastic oracle adds ``sigma * N(0, I)``,
drawn coordinate by coordinate from ``np.random`` in the order the kernel's docstring
states; nothing is drawn when ``sigma == 0``. Counters are cumulative and exact.
"""

from __future__ import annotations

import numpy as np

from workbench.jit import njit

# Columns of the kernels' output array (one layout for every kernel; unused columns stay
# NaN and the wrappers return only what an algorithm declares).
(GRAD_F_SQ, GRAD_F_SQ_AVG, GRAD_F_SQ_WAVG, GRAD_NORM, GRAD_NORM_AVG, PENALTY_GRAD_NORM,
 VALUE_GAP, GRAD_GAP, HYPERGRAD_ERR, UPPER_GRADS, LOWER_GRADS, HVPS) = range(12)
N_COLUMNS = 12

UPPER_COSINE, UPPER_QUARTIC = 0, 1


# -- helpers --------------------------------------------------------------------------------
@njit(cache=True)
def _mv(A, x, out):
    """``out = A @ x``."""
    rows, cols = A.shape
    for i in range(rows):
        s = 0.0
        for j in range(cols):
            s += A[i, j] * x[j]
        out[i] = s


@njit(cache=True)
def _mtv(A, x, out):
    """``out = A.T @ x``."""
    rows, cols = A.shape
    for j in range(cols):
        out[j] = 0.0
    for i in range(rows):
        xi = x[i]
        for j in range(cols):
            out[j] += A[i, j] * xi


@njit(cache=True)
def _grad_phi(upper, amp, x, out):
    """``grad phi(x)``: ``-amp sin x`` (cosine) or ``amp (x^3 - x)`` (quartic)."""
    for i in range(x.size):
        if upper == UPPER_COSINE:
            out[i] = -amp * np.sin(x[i])
        else:
            out[i] = amp * (x[i] * x[i] * x[i] - x[i])


@njit(cache=True)
def _hypergrad(upper, amp, G, c, x, out):
    """Exact ``grad F(x) = grad phi(x) + G x - c``; returns ``||grad F(x)||^2``."""
    _grad_phi(upper, amp, x, out)
    n = x.size
    sq = 0.0
    for i in range(n):
        s = out[i] - c[i]
        for j in range(n):
            s += G[i, j] * x[j]
        out[i] = s
        sq += s * s
    return sq


@njit(cache=True)
def _noise(v, sigma):
    """``v += sigma * N(0, I)``, one draw per coordinate in order; none when sigma is 0."""
    if sigma > 0.0:
        for i in range(v.size):
            v[i] += sigma * np.random.standard_normal()


@njit(cache=True)
def _lower_grad_y(H, B, x, y, out):
    """``grad_y g(x, y) = H y - B x``."""
    rows, cols = B.shape
    for i in range(rows):
        s = 0.0
        for j in range(rows):
            s += H[i, j] * y[j]
        for j in range(cols):
            s -= B[i, j] * x[j]
        out[i] = s


@njit(cache=True)
def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


@njit(cache=True)
def _count(out, k, upper_grads, lower_grads, hvps):
    out[k, UPPER_GRADS] = upper_grads
    out[k, LOWER_GRADS] = lower_grads
    out[k, HVPS] = hvps


# -- hypergradient baselines: AID and ITD -------------------------------------------------
@njit(cache=True)
def _aid_quadratic_kernel(upper, amp, H, B, b, x, step, grad_true, checkpoints, out):
    """AID with fixed-point iterations (Grazzi et al. 2020, "AID-FP") at a fixed ``x``.

    ``K`` gradient steps ``y <- y - step (H y - B x)`` from ``y = 0``, then ``K`` steps of the
    linear system ``v <- v - step (H v - (y_K - b))`` from ``v = 0``, and the estimate
    ``h_K = grad_x f(x, y_K) - Hess_xy g v_K = grad phi(x) + B^T v_K``. At checkpoint ``K``
    the kernel writes ``||h_K - grad F(x)||`` and the calls one estimate with ``K`` inner
    steps costs: ``K`` lower gradients, ``K + 1`` Hessian(-vector) products, 1 upper
    gradient. The ``y`` iterates are shared across checkpoints; ``v`` restarts at each.
    """
    dy, dx = B.shape
    y = np.zeros(dy)
    v = np.zeros(dy)
    r = np.empty(dy)
    hv = np.empty(dy)
    bx = np.empty(dy)
    gphi = np.empty(dx)
    h = np.empty(dx)
    _mv(B, x, bx)
    _grad_phi(upper, amp, x, gphi)
    k = 0
    horizon = checkpoints[-1]
    for K in range(horizon + 1):
        if K == checkpoints[k]:
            for i in range(dy):
                v[i] = 0.0
                r[i] = y[i] - b[i]
            for _ in range(K):
                _mv(H, v, hv)
                for i in range(dy):
                    v[i] -= step * (hv[i] - r[i])
            _mtv(B, v, h)
            err = 0.0
            for j in range(dx):
                e = gphi[j] + h[j] - grad_true[j]
                err += e * e
            out[k, HYPERGRAD_ERR] = np.sqrt(err)
            _count(out, k, 1, K, K + 1)
            k += 1
        if K == horizon:
            break
        _mv(H, y, hv)
        for i in range(dy):
            y[i] -= step * (hv[i] - bx[i])


@njit(cache=True)
def _itd_quadratic_kernel(upper, amp, H, B, b, x, step, grad_true, checkpoints, out):
    """ITD (iterative differentiation) at a fixed ``x``, in forward mode.

    ``y_{k+1} = y_k - step (H y_k - B x)`` from ``y_0 = 0`` and its Jacobian
    ``J_{k+1} = J_k - step (H J_k - B)`` (``J = dy_k/dx``, ``J_0 = 0``); the estimate is
    ``h_K = grad phi(x) + J_K^T (y_K - b)``, the exact derivative of ``x -> f(x, y_K(x))``
    (reverse mode gives the same number). Counters at ``K``: ``K`` lower gradients, ``K dx``
    Jacobian-vector products (forward mode), 1 upper gradient.
    """
    dy, dx = B.shape
    y = np.zeros(dy)
    J = np.zeros((dy, dx))
    HJ = np.empty((dy, dx))
    hv = np.empty(dy)
    bx = np.empty(dy)
    r = np.empty(dy)
    gphi = np.empty(dx)
    h = np.empty(dx)
    _mv(B, x, bx)
    _grad_phi(upper, amp, x, gphi)
    k = 0
    horizon = checkpoints[-1]
    for K in range(horizon + 1):
        if K == checkpoints[k]:
            for i in range(dy):
                r[i] = y[i] - b[i]
            _mtv(J, r, h)
            err = 0.0
            for j in range(dx):
                e = gphi[j] + h[j] - grad_true[j]
                err += e * e
            out[k, HYPERGRAD_ERR] = np.sqrt(err)
            _count(out, k, 1, K, K * dx)
            k += 1
        if K == horizon:
            break
        np.dot(H, J, HJ)  # BLAS into a preallocated buffer (O(dy^2 dx) per step)
        for i in range(dy):
            for j in range(dx):
                J[i, j] -= step * (HJ[i, j] - B[i, j])
        _mv(H, y, hv)
        for i in range(dy):
            y[i] -= step * (hv[i] - bx[i])


@njit(cache=True)
def _cleaning_margins(A, labels, w, margins):
    """``margins = labels * (A @ w)`` (BLAS matrix-vector product, no allocation)."""
    np.dot(A, w, margins)
    for i in range(margins.size):
        margins[i] *= labels[i]


@njit(cache=True)
def _aid_cleaning_kernel(A, labels, Av, labels_v, lam, x, step, grad_true, checkpoints,
                         out):
    """AID-FP on data hyper-cleaning at a fixed ``x`` (see :func:`_aid_quadratic_kernel`).

    ``K`` gradient steps on ``g(x, .)`` from ``w = 0`` (full-batch gradients
    ``(1/n) sum_i sigmoid(x_i) l'(m_i) y_i a_i + lam w``), then ``K`` steps of
    ``v <- v - step (Hess_ww g(x, w_K) v - grad_w f(w_K))`` from 0, and ``h_i =
    -(1/n) sigmoid'(x_i) l'(m_i) y_i a_i^T v_K``. The Hessian at ``w_K`` is formed once per
    checkpoint (``d x d``); each of the ``K`` products with it counts as one HVP.
    """
    n, d = A.shape
    mv = Av.shape[0]
    w = np.zeros(d)
    grad = np.empty(d)
    margins = np.empty(n)
    margins_v = np.empty(mv)
    hess = np.empty((d, d))
    gf = np.empty(d)
    v = np.empty(d)
    hv = np.empty(d)
    sx = np.empty(n)
    coefs = np.empty(n)
    scaled = np.empty((n, d))
    for i in range(n):
        sx[i] = _sigmoid(x[i])
    k = 0
    horizon = checkpoints[-1]
    for K in range(horizon + 1):
        _cleaning_margins(A, labels, w, margins)
        if K == checkpoints[k]:
            for i in range(n):
                s = sx[i] * _sigmoid(margins[i]) * _sigmoid(-margins[i]) / n
                for p in range(d):
                    scaled[i, p] = s * A[i, p]
            np.dot(A.T, scaled, hess)  # (1/n) A^T diag(s) A by BLAS, no allocation
            for p in range(d):
                hess[p, p] += lam
            _cleaning_margins(Av, labels_v, w, margins_v)
            for p in range(d):
                gf[p] = 0.0
            for j in range(mv):
                coef = -_sigmoid(-margins_v[j]) * labels_v[j] / mv
                for p in range(d):
                    gf[p] += coef * Av[j, p]
            for p in range(d):
                v[p] = 0.0
            for _ in range(K):
                _mv(hess, v, hv)
                for p in range(d):
                    v[p] -= step * (hv[p] - gf[p])
            err = 0.0
            for i in range(n):
                av = 0.0
                for p in range(d):
                    av += A[i, p] * v[p]
                h = -sx[i] * (1.0 - sx[i]) * (-_sigmoid(-margins[i])) * labels[i] * av / n
                e = h - grad_true[i]
                err += e * e
            out[k, HYPERGRAD_ERR] = np.sqrt(err)
            _count(out, k, 1, K, K + 1)
            k += 1
        if K == horizon:
            break
        for i in range(n):
            coefs[i] = sx[i] * (-_sigmoid(-margins[i])) * labels[i] / n
        np.dot(A.T, coefs, grad)
        for p in range(d):
            w[p] -= step * (grad[p] + lam * w[p])


# -- F2SA -----------------------------------------------------------------------------------
@njit(cache=True)
def _f2sa_kernel(upper, amp, H, B, b, G, c, sigma_f, sigma_g, x, y, z, a_exp, c_exp,
                 p_exp, lam0, gamma0, k0, xi, seed, checkpoints, out):
    """F2SA with one inner step per iteration (Kwon et al. 2023, Algorithm 1 with ``T = 1``).

    At iteration ``k``, with ``s = (k + k0) / k0``: ``gamma_k = gamma0 s^-c``, ``lambda_k =
    lam0 s^p``, ``alpha_k = gamma_k / lambda_k``, and

    * ``z <- z - gamma_k (grad_y g(x, z) + sigma_g xi_1)``
    * ``y <- y - alpha_k (grad_y f(x, y) + sigma_f xi_2 + lambda_k (grad_y g(x, y) +
      sigma_g xi_3))``
    * ``x <- x - xi alpha_k (grad_x f(x, y) + sigma_f xi_4 + lambda_k ((grad_x g(x, y) +
      sigma_g xi_5) - (grad_x g(x, z) + sigma_g xi_6)))`` with the new ``y``, ``z``,

    ``grad_x g(x, y) = -B^T y``, ``grad_x f = grad phi``. The noise vectors are drawn in the
    order ``xi_1 .. xi_6`` (those with ``sigma = 0`` skipped). Per iteration: 2 upper and 4
    lower gradient calls. Measures at ``x_t``: ``||grad F(x_t)||^2``, its running mean over
    ``x_0 .. x_{t-1}``, and its mean over ``x_0 .. x_{t-1}`` weighted by the x-steps
    ``alpha_k`` (``E ||grad F(x_R)||^2`` for an output index ``R`` drawn with probability
    proportional to ``alpha_k``).
    """
    np.random.seed(seed)
    dy, dx = B.shape
    grad = np.empty(dx)
    gz = np.empty(dy)
    gy = np.empty(dy)
    gx = np.empty(dx)
    gxy = np.empty(dx)
    gxz = np.empty(dx)
    tmp = np.empty(dy)
    k = 0
    total = 0.0
    weighted = 0.0
    weights = 0.0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        sq = _hypergrad(upper, amp, G, c, x, grad)
        if t == checkpoints[k]:
            out[k, GRAD_F_SQ] = sq
            out[k, GRAD_F_SQ_AVG] = total / t if t > 0 else sq
            out[k, GRAD_F_SQ_WAVG] = weighted / weights if t > 0 else sq
            _count(out, k, 2 * t, 4 * t, 0)
            k += 1
        if t == horizon:
            break
        s = (t + k0) / k0
        gamma = gamma0 * s ** (-c_exp)
        lam = lam0 * s ** p_exp
        alpha = gamma / lam
        total += sq
        weighted += alpha * sq
        weights += alpha
        _lower_grad_y(H, B, x, z, gz)
        _noise(gz, sigma_g)
        _lower_grad_y(H, B, x, y, gy)
        for i in range(dy):
            tmp[i] = y[i] - b[i]
        _noise(tmp, sigma_f)
        _noise(gy, sigma_g)
        for i in range(dy):
            z[i] -= gamma * gz[i]
            y[i] -= alpha * (tmp[i] + lam * gy[i])
        _grad_phi(upper, amp, x, gx)
        _noise(gx, sigma_f)
        _mtv(B, y, gxy)
        for j in range(dx):
            gxy[j] = -gxy[j]
        _noise(gxy, sigma_g)
        _mtv(B, z, gxz)
        for j in range(dx):
            gxz[j] = -gxz[j]
        _noise(gxz, sigma_g)
        for j in range(dx):
            x[j] -= xi * alpha * (gx[j] + lam * (gxy[j] - gxz[j]))


# -- the penalty method ---------------------------------------------------------------------
@njit(cache=True)
def _penalty_kernel(upper, amp, H, B, b, G, c, P, q, M, S, Gs, sigma, eta, inner, L, x, y,
                    z, checkpoints, out):
    """Gradient descent on the penalty function ``psi_sigma`` with inner loops
    (Kwon et al. 2023b, the penalty method with first-order oracles, deterministic).

    Per outer iteration: ``inner`` gradient steps on ``y -> f(x, y) + g(x, y) / sigma``
    (step ``sigma / (sigma + L)``, warm start), ``inner`` steps on ``z -> g(x, z)`` (step
    ``1/L``, warm start), then ``x <- x - eta (grad_x f(x, y) + (grad_x g(x, y) -
    grad_x g(x, z)) / sigma)``. Measures at ``x_t``, in closed form from the wrapper's
    ``P``, ``q``, ``S = (H + sigma I)^-1``, ``Gs = sigma M^T S``: ``||grad F||``,
    ``||grad psi_sigma|| = ||grad phi + P x - q||``, the value gap ``F - psi_sigma =
    (sigma/2) r^T S r`` and the gradient gap ``||grad psi_sigma - grad F|| = ||Gs r||``,
    ``r = b - M x``. Per iteration: ``inner + 1`` upper and ``2 inner + 2`` lower gradient
    calls.
    """
    dy, dx = B.shape
    grad = np.empty(dx)
    r = np.empty(dy)
    sr = np.empty(dy)
    gap = np.empty(dx)
    gy = np.empty(dy)
    gx = np.empty(dx)
    bty = np.empty(dx)
    btz = np.empty(dx)
    step_y = sigma / (sigma + L)
    step_z = 1.0 / L
    k = 0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        sq = _hypergrad(upper, amp, G, c, x, grad)
        if t == checkpoints[k]:
            out[k, GRAD_NORM] = np.sqrt(sq)
            _grad_phi(upper, amp, x, gx)
            pen = 0.0
            for i in range(dx):
                s = gx[i] - q[i]
                for j in range(dx):
                    s += P[i, j] * x[j]
                pen += s * s
            out[k, PENALTY_GRAD_NORM] = np.sqrt(pen)
            _mv(M, x, r)
            for i in range(dy):
                r[i] = b[i] - r[i]
            _mv(S, r, sr)
            value = 0.0
            for i in range(dy):
                value += r[i] * sr[i]
            out[k, VALUE_GAP] = 0.5 * sigma * value
            _mv(Gs, r, gap)
            norm = 0.0
            for j in range(dx):
                norm += gap[j] * gap[j]
            out[k, GRAD_GAP] = np.sqrt(norm)
            _count(out, k, (inner + 1) * t, (2 * inner + 2) * t, 0)
            k += 1
        if t == horizon:
            break
        for _ in range(inner):
            _lower_grad_y(H, B, x, y, gy)
            for i in range(dy):
                y[i] -= step_y * (y[i] - b[i] + gy[i] / sigma)
        for _ in range(inner):
            _lower_grad_y(H, B, x, z, gy)
            for i in range(dy):
                z[i] -= step_z * gy[i]
        _grad_phi(upper, amp, x, gx)
        _mtv(B, y, bty)
        _mtv(B, z, btz)
        for j in range(dx):
            x[j] -= eta * (gx[j] + (btz[j] - bty[j]) / sigma)


# -- BO-REP and a plain single-loop baseline ------------------------------------------------
@njit(cache=True)
def _borep_kernel(upper, amp, H, B, b, G, c, sigma_f, sigma_g, x, eta, beta, nu, gamma,
                  period, inner, refine, seed, checkpoints, out):
    """BO-REP (Hao, Gong, Liu, ICLR 2024, Algorithm 1), as reconstructed here.

    Initialization refinement: ``refine`` SGD steps ``y <- y - gamma (grad_y g(x0, y) +
    sigma_g xi)`` from ``y = 0``. Then at every iteration ``t``:

    * periodic update: if ``t > 0`` and ``t % period == 0``, ``inner`` SGD steps on ``y``
      at ``x_t`` (warm start, step ``gamma``);
    * ``h = grad_x f(x, y) + sigma_f xi_1 - (Hess_xy g z + sigma_g xi_2)``
      (``-Hess_xy g z = B^T z``);
    * ``z <- z - nu ((H z + sigma_g xi_3) - (grad_y f(x, y) + sigma_f xi_4))``;
    * ``m <- beta m + (1 - beta) h`` (``m = h`` at ``t = 0``), ``x <- x - eta m / ||m||``.

    Measures at ``x_t``: ``||grad F||`` and its running mean over ``x_0 .. x_{t-1}``.
    Counters: upper partial gradients (2 per iteration), lower gradients (refinement and
    periodic updates), Hessian-vector products (2 per iteration).
    """
    np.random.seed(seed)
    dy, dx = B.shape
    grad = np.empty(dx)
    y = np.zeros(dy)
    z = np.zeros(dy)
    m = np.zeros(dx)
    gy = np.empty(dy)
    hz = np.empty(dy)
    fy = np.empty(dy)
    h = np.empty(dx)
    btz = np.empty(dx)
    lower = 0
    for _ in range(refine):
        _lower_grad_y(H, B, x, y, gy)
        _noise(gy, sigma_g)
        for i in range(dy):
            y[i] -= gamma * gy[i]
    lower += refine
    k = 0
    total = 0.0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        sq = _hypergrad(upper, amp, G, c, x, grad)
        norm = np.sqrt(sq)
        if t == checkpoints[k]:
            out[k, GRAD_NORM] = norm
            out[k, GRAD_NORM_AVG] = total / t if t > 0 else norm
            _count(out, k, 2 * t, lower, 2 * t)
            k += 1
        total += norm
        if t == horizon:
            break
        if t > 0 and t % period == 0:
            for _ in range(inner):
                _lower_grad_y(H, B, x, y, gy)
                _noise(gy, sigma_g)
                for i in range(dy):
                    y[i] -= gamma * gy[i]
            lower += inner
        _grad_phi(upper, amp, x, h)
        _noise(h, sigma_f)
        _mtv(B, z, btz)
        _noise(btz, sigma_g)
        _mv(H, z, hz)
        _noise(hz, sigma_g)
        for i in range(dy):
            fy[i] = y[i] - b[i]
        _noise(fy, sigma_f)
        for i in range(dy):
            z[i] -= nu * (hz[i] - fy[i])
        mnorm = 0.0
        for j in range(dx):
            hj = h[j] + btz[j]
            m[j] = hj if t == 0 else beta * m[j] + (1.0 - beta) * hj
            mnorm += m[j] * m[j]
        mnorm = np.sqrt(mnorm)
        if mnorm > 0.0:
            for j in range(dx):
                x[j] -= eta * m[j] / mnorm


@njit(cache=True)
def _soba_kernel(upper, amp, H, B, b, G, c, sigma_f, sigma_g, x, eta, nu, seed,
                 checkpoints, out):
    """A plain single-loop stochastic method (SOBA, Dagreou et al. 2022): per iteration

    * ``h = grad_x f(x, y) + sigma_f xi_1 + (B^T z + sigma_g xi_2)``;
    * ``y <- y - nu (grad_y g(x, y) + sigma_g xi_3)``;
    * ``z <- z - nu ((H z + sigma_g xi_4) - (grad_y f(x, y) + sigma_f xi_5))``;
    * ``x <- x - eta h``,

    all at the current ``(x, y, z)``. Same measures and counters as :func:`_borep_kernel`.
    """
    np.random.seed(seed)
    dy, dx = B.shape
    grad = np.empty(dx)
    y = np.zeros(dy)
    z = np.zeros(dy)
    gy = np.empty(dy)
    hz = np.empty(dy)
    fy = np.empty(dy)
    h = np.empty(dx)
    btz = np.empty(dx)
    k = 0
    total = 0.0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        sq = _hypergrad(upper, amp, G, c, x, grad)
        norm = np.sqrt(sq)
        if t == checkpoints[k]:
            out[k, GRAD_NORM] = norm
            out[k, GRAD_NORM_AVG] = total / t if t > 0 else norm
            _count(out, k, 2 * t, t, 2 * t)
            k += 1
        total += norm
        if t == horizon:
            break
        _grad_phi(upper, amp, x, h)
        _noise(h, sigma_f)
        _mtv(B, z, btz)
        _noise(btz, sigma_g)
        _lower_grad_y(H, B, x, y, gy)
        _noise(gy, sigma_g)
        _mv(H, z, hz)
        _noise(hz, sigma_g)
        for i in range(dy):
            fy[i] = y[i] - b[i]
        _noise(fy, sigma_f)
        for i in range(dy):
            y[i] -= nu * gy[i]
            z[i] -= nu * (hz[i] - fy[i])
        for j in range(dx):
            x[j] -= eta * (h[j] + btz[j])
