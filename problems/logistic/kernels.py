"""The logistic family's Numba kernels (private; the public wrappers are in ``methods``).

Each kernel holds the whole loop in one ``@numba.njit(cache=True)`` function and writes the
measures at the given checkpoints into a preallocated ``(checkpoints, N_COLUMNS)`` array;
nothing is allocated per step. Every jitted callee of a kernel lives in this module: Numba's
on-disk cache does not notice an edit to a jitted helper in another file. A sampling kernel
receives one seed for ``np.random.seed`` (the contract's :func:`~workbench.catalogue.kernel_seed`);
Numba's ``np.random`` replays NumPy's legacy Mersenne Twister, so the NumPy twins in
``reference`` draw the same indices from ``RandomState(seed)``.
"""

from __future__ import annotations

import numba
import numpy as np

# Reassociation lets LLVM vectorise the dot-product reductions; NaN and inf keep their IEEE
# meaning (no "nnan"/"ninf"), so a diverging run still shows up as NaN.
FAST = {"reassoc", "contract"}

# Columns of the kernels' output array.
F_GAP, DIST_SQ, GRAD_NORM_SQ, TRAIN_ERROR, CALLS = range(5)
N_COLUMNS = 5


@numba.njit(cache=True, fastmath=FAST)
def _grad(X, y, lam, w, margins, grad):
    """Fill ``margins = y * Xw`` and ``grad`` at ``w``. No allocation."""
    n, d = X.shape
    for j in range(d):
        grad[j] = lam * w[j]
    for i in range(n):
        z = 0.0
        for j in range(d):
            z += X[i, j] * w[j]
        m = y[i] * z
        margins[i] = m
        coef = -y[i] * 0.5 * (1.0 - np.tanh(0.5 * m)) / n
        for j in range(d):
            grad[j] += coef * X[i, j]


@numba.njit(cache=True)
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


@numba.njit(cache=True)
def _loss_grad(X, y, lam, w, margins, grad):
    """Loss at ``w``; fills ``margins`` and ``grad``."""
    _grad(X, y, lam, w, margins, grad)
    return _loss(lam, w, margins)


@numba.njit(cache=True)
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


@numba.njit(cache=True)
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


@numba.njit(cache=True)
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


@numba.njit(cache=True)
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
