"""The logistic family's Numba kernels (private; the public wrappers are in ``methods``).

Each kernel holds the whole loop in one ``@njit(cache=True)`` function and writes the
measures at the given checkpoints into a preallocated ``(checkpoints, N_COLUMNS)`` array;
nothing is allocated per step but the 8-entry scratch of a full gradient (:func:`_grad`).
Every jitted callee of a kernel lives in this module: Numba's
on-disk cache does not notice an edit to a jitted helper in another file. A sampling kernel
receives one seed for ``np.random.seed`` (the contract's :func:`~workbench.catalogue.kernel_seed`);
Numba's ``np.random`` replays NumPy's legacy Mersenne Twister, so the NumPy twins in
``reference`` draw the same indices from ``RandomState(seed)``.
"""

from __future__ import annotations

import numpy as np

from workbench.jit import njit

# Reassociation lets LLVM vectorise the dot-product reductions; NaN and inf keep their IEEE
# meaning (no "nnan"/"ninf"), so a diverging run still shows up as NaN.
FAST = {"reassoc", "contract"}

# Columns of the kernels' output array.
F_GAP, DIST_SQ, GRAD_NORM_SQ, TRAIN_ERROR, CALLS = range(5)
N_COLUMNS = 5


@njit(cache=True, fastmath=FAST)
def _weight(y_i, m, n):
    """``-y_i sigmoid(-m) / n`` as ``-y_i (1 - tanh(m/2)) / (2n)`` (the NumPy twins' form)."""
    return -y_i * 0.5 * (1.0 - np.tanh(0.5 * m)) / n


@njit(cache=True, fastmath=FAST)
def _grad(X, y, lam, w, margins, grad):
    """Fill ``margins = y * Xw`` and ``grad`` at ``w``.

    One pass over ``X`` in blocks of eight rows: their dot products with ``w`` and weights,
    then one update of ``grad`` with the eight rows while they are in cache (``grad`` is
    loaded and stored once per block, not once per row): 1.6x faster than a row at a time
    at 2000 x 200. The weights go through an 8-entry scratch array, allocated once per
    gradient (with eight scalars instead, LLVM's code was as slow as a row at a time)."""
    n, d = X.shape
    for j in range(d):
        grad[j] = lam * w[j]
    c = np.empty(8)
    for i in range(0, n, 8):
        rows = min(8, n - i)
        for r in range(rows):
            z = 0.0
            for j in range(d):
                z += X[i + r, j] * w[j]
            margins[i + r] = y[i + r] * z
            c[r] = _weight(y[i + r], margins[i + r], n)
        if rows == 8:
            c0, c1, c2, c3, c4, c5, c6, c7 = c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]
            for j in range(d):
                grad[j] += (c0 * X[i, j] + c1 * X[i + 1, j] + c2 * X[i + 2, j]
                            + c3 * X[i + 3, j]) + (c4 * X[i + 4, j] + c5 * X[i + 5, j]
                                                   + c6 * X[i + 6, j] + c7 * X[i + 7, j])
        else:
            for r in range(rows):
                for j in range(d):
                    grad[j] += c[r] * X[i + r, j]


@njit(cache=True)
def _loss(lam, w, margins):
    """Loss from the margins, stable for large ``|m|``."""
    loss = 0.0
    for i in range(margins.size):
        m = margins[i]
        loss += max(-m, 0.0) + np.log1p(np.exp(-abs(m)))
    sq = 0.0
    for j in range(w.size):
        sq += w[j] * w[j]
    return loss / margins.size + 0.5 * lam * sq


@njit(cache=True)
def _loss_grad(X, y, lam, w, margins, grad):
    """Loss at ``w``; fills ``margins`` and ``grad``."""
    _grad(X, y, lam, w, margins, grad)
    return _loss(lam, w, margins)


@njit(cache=True)
def _record(out, k, loss, f_star, w, w_star, margins, grad, calls):
    """Write row ``k`` of ``out``: gap, squared distance, squared gradient norm, training
    error (fraction of margins ``<= 0``) and the call count."""
    dist = 0.0
    gsq = 0.0
    for j in range(w.size):
        dist += (w[j] - w_star[j]) ** 2
        gsq += grad[j] * grad[j]
    wrong = 0
    for i in range(margins.size):
        if margins[i] <= 0.0:
            wrong += 1
    out[k, F_GAP] = loss - f_star
    out[k, DIST_SQ] = dist
    out[k, GRAD_NORM_SQ] = gsq
    out[k, TRAIN_ERROR] = wrong / margins.size
    out[k, CALLS] = calls


@njit(cache=True)
def _gd_kernel(X, y, lam, step, w, w_star, f_star, checkpoints, out):
    """Gradient descent ``w <- w - step * grad f(w)``; one full gradient per iteration."""
    n, d = X.shape
    margins = np.empty(n)
    grad = np.empty(d)
    k = 0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        _grad(X, y, lam, w, margins, grad)
        if t == checkpoints[k]:
            _record(out, k, _loss(lam, w, margins), f_star, w, w_star, margins, grad, t)
            k += 1
        if t == horizon:
            break
        for j in range(d):
            w[j] -= step * grad[j]


@njit(cache=True, fastmath=FAST)
def _sgd_kernel(X, y, lam, mu, shift, c, w, w_star, f_star, seed, checkpoints, out):
    """SGD with step ``c / (mu (t + shift))``, one uniformly sampled example per step."""
    np.random.seed(seed)
    n, d = X.shape
    margins = np.empty(n)
    grad = np.empty(d)
    k = 0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        if t == checkpoints[k]:
            loss = _loss_grad(X, y, lam, w, margins, grad)
            _record(out, k, loss, f_star, w, w_star, margins, grad, t)
            k += 1
        if t == horizon:
            break
        i = np.random.randint(n)
        z = 0.0
        for j in range(d):
            z += X[i, j] * w[j]
        coef = -y[i] * 0.5 * (1.0 - np.tanh(0.5 * y[i] * z))
        step = c / (mu * (t + shift))
        for j in range(d):
            w[j] -= step * (coef * X[i, j] + lam * w[j])


@njit(cache=True)
def _perceptron_kernel(X, y, w, seed, checkpoints, out):
    """Online perceptron: visit examples in a fresh random order each pass and add
    ``y_i x_i`` on a mistake (``y_i <x_i, w> <= 0``). ``t`` counts visits, calls count
    updates (mistakes)."""
    np.random.seed(seed)
    n, d = X.shape
    margins = np.empty(n)
    grad = np.zeros(d)
    order = np.arange(n)
    k = 0
    mistakes = 0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        if t == checkpoints[k]:
            for i in range(n):
                z = 0.0
                for j in range(d):
                    z += X[i, j] * w[j]
                margins[i] = y[i] * z
            _record(out, k, 0.0, 0.0, w, w, margins, grad, mistakes)
            k += 1
        if t == horizon:
            break
        if t % n == 0:
            np.random.shuffle(order)
        i = order[t % n]
        z = 0.0
        for j in range(d):
            z += X[i, j] * w[j]
        if y[i] * z <= 0.0:
            mistakes += 1
            for j in range(d):
                w[j] += y[i] * X[i, j]


# -- Tyurin (2024): large-step LR+GD, the batch perceptron and their normalized variants ---
@njit(cache=True, fastmath=FAST)
def _margins(X, y, w, margins):
    """Fill ``margins = y * Xw``. No allocation."""
    n, d = X.shape
    for i in range(n):
        z = 0.0
        for j in range(d):
            z += X[i, j] * w[j]
        margins[i] = y[i] * z


@njit(cache=True)
def _batch_perceptron_kernel(X, y, step, normalized, w, checkpoints, out):
    """Batch perceptron (Tyurin 2024, Sec. 3 and Theorem 5.3) scaled by ``step``.

    ``theta`` holds the perceptron's iterate; ``w = step * theta`` is recorded (the point
    LR+GD with step ``step`` approaches, Theorem 3.2). Plain: ``theta_1 = (1/(2n)) sum_i y_i
    x_i``, then ``theta += (1/n) sum_{i in S_t} y_i x_i`` with ``S_t = {i: y_i <x_i, theta>
    <= 0}``. Normalized: ``theta += (1/|S_t|) sum_{i in S_t} y_i x_i`` from ``t = 0``. Once
    ``S_t`` is empty the iterate stops. ``calls`` counts iterations.
    """
    n, d = X.shape
    theta = np.zeros(d)
    margins = np.empty(n)
    scaled = np.empty(n)
    grad = np.empty(d)
    k = 0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        _margins(X, y, theta, margins)
        if t == checkpoints[k]:
            for j in range(d):
                w[j] = step * theta[j]
            for i in range(n):
                scaled[i] = step * margins[i]
            # the logistic gradient at w, for the grad_norm_sq column
            for j in range(d):
                grad[j] = 0.0
            for i in range(n):
                coef = -y[i] * 0.5 * (1.0 - np.tanh(0.5 * scaled[i])) / n
                for j in range(d):
                    grad[j] += coef * X[i, j]
            _record(out, k, _loss(0.0, w, scaled), 0.0, w, w, scaled, grad, t)
            k += 1
        if t == horizon:
            break
        wrong = 0
        for i in range(n):
            if margins[i] <= 0.0:
                wrong += 1
        if wrong == 0:
            continue
        if t == 0 and not normalized:
            scale = 0.5 / n
        elif normalized:
            scale = 1.0 / wrong
        else:
            scale = 1.0 / n
        for i in range(n):
            if margins[i] <= 0.0:
                for j in range(d):
                    theta[j] += scale * y[i] * X[i, j]


@njit(cache=True)
def _normalized_lr_gd_kernel(X, y, step, w, checkpoints, out):
    """Normalized LR+GD (Tyurin 2024, Sec. 6): ``w <- w - step * beta_t * grad f(w)`` with
    ``beta_t = 1 / mean_i sigmoid(-m_i)``, i.e. ``w += step * sum_i p_i y_i x_i / sum_i p_i``
    with ``p_i`` proportional to ``sigmoid(-m_i)``, computed in logs so that it stays finite
    when every margin is large. Margins every step; the gradient at checkpoints only."""
    n, d = X.shape
    margins = np.empty(n)
    logp = np.empty(n)
    grad = np.empty(d)
    k = 0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        if t == checkpoints[k]:
            _grad(X, y, 0.0, w, margins, grad)
            _record(out, k, _loss(0.0, w, margins), 0.0, w, w, margins, grad, t)
            k += 1
        else:
            _margins(X, y, w, margins)
        if t == horizon:
            break
        top = -np.inf
        for i in range(n):
            m = margins[i]
            logp[i] = -(max(m, 0.0) + np.log1p(np.exp(-abs(m))))  # log sigmoid(-m)
            top = max(top, logp[i])
        total = 0.0
        for i in range(n):
            logp[i] = np.exp(logp[i] - top)
            total += logp[i]
        for i in range(n):
            coef = step * logp[i] * y[i] / total
            for j in range(d):
                w[j] += coef * X[i, j]


# -- Koloskova, Hendrikx, Stich (2023): deterministic clipped gradient descent -------------
@njit(cache=True)
def _clipped_gd_kernel(X, y, lam, step, c, w, w_star, f_star, checkpoints, out):
    """Clipped GD ``w <- w - step * min(1, c / ||g||) g`` with ``g = grad f(w)``."""
    n, d = X.shape
    margins = np.empty(n)
    grad = np.empty(d)
    k = 0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        _grad(X, y, lam, w, margins, grad)
        if t == checkpoints[k]:
            _record(out, k, _loss(lam, w, margins), f_star, w, w_star, margins, grad, t)
            k += 1
        if t == horizon:
            break
        norm = 0.0
        for j in range(d):
            norm += grad[j] * grad[j]
        norm = np.sqrt(norm)
        scale = step if norm <= c else step * c / norm
        for j in range(d):
            w[j] -= scale * grad[j]
