"""Logistic regression: l2-regularised (strongly convex) and separable (no minimiser).

Problem
    ``f(w) = (1/n) sum_i log(1 + exp(-y_i <x_i, w>)) + (lam/2) ||w||^2``, rows ``x_i`` with
    ``||x_i|| <= 1``-ish and labels ``y_i`` in ``{-1, +1}``.

Variants
    ``logistic.l2``: noisy labels, ``lam > 0``; reference minimiser by Newton's method polished
    to round-off (its gradient norm is recorded as the reference accuracy).
    ``logistic.separable``: labels of a unit vector ``w_sep`` with margin exactly ``gamma`` and
    unit-norm rows (``R = 1``); ``lam = 0``, the infimum 0 is not attained.

Every kernel follows the project convention: the whole loop in one ``@njit(cache=True)``
function writing the measures at the given checkpoints into a preallocated array.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numba
import numpy as np

from workbench.catalogue import Algorithm, Param, ParameterError, Problem

EPS = np.finfo(float).eps

# Reassociation lets LLVM vectorise the dot-product reductions; NaN and inf keep their IEEE
# meaning (no "nnan"/"ninf"), so a diverging run still shows up as NaN.
FAST = {"reassoc", "contract"}

# Columns of the kernels' output array.
F_GAP, DIST_SQ, GRAD_NORM_SQ, TRAIN_ERROR, CALLS = range(5)
N_COLUMNS = 5


@dataclass(frozen=True)
class LogisticInstance:
    """Data and reference quantities of one logistic-regression instance."""

    X: np.ndarray
    y: np.ndarray
    lam: float
    w_star: np.ndarray
    f_star: float
    constants: dict[str, float]
    floors: dict[str, float] = field(default_factory=dict)


# -- instances ----------------------------------------------------------------------------
def _loss_grad_numpy(X: np.ndarray, y: np.ndarray, lam: float, w: np.ndarray):
    margins = y * (X @ w)
    loss = np.mean(np.logaddexp(0.0, -margins)) + 0.5 * lam * w @ w
    weights = -y * 0.5 * (1 - np.tanh(0.5 * margins))  # -y * sigmoid(-margin)
    return loss, X.T @ weights / X.shape[0] + lam * w, margins


def _newton_reference(X: np.ndarray, y: np.ndarray, lam: float) -> tuple[np.ndarray, float]:
    """Minimiser of the l2-regularised loss by damped Newton, polished to round-off."""
    n, d = X.shape
    w = np.zeros(d)
    best = np.inf
    for _ in range(100):
        loss, grad, margins = _loss_grad_numpy(X, y, lam, w)
        norm = np.linalg.norm(grad)
        if norm >= best and norm < 1e-12:
            break
        best = min(best, norm)
        s = 0.5 * (1 - np.tanh(0.5 * margins))
        hessian = (X.T * (s * (1 - s))) @ X / n + lam * np.eye(d)
        step = np.linalg.solve(hessian, grad)
        t = 1.0
        while _loss_grad_numpy(X, y, lam, w - t * step)[0] > loss and t > 1e-8:
            t *= 0.5
        w = w - t * step
    loss, grad, _ = _loss_grad_numpy(X, y, lam, w)
    return w, float(np.linalg.norm(grad))


def make_l2(seed: int, n: int = 200, d: int = 20, lam: float = 1e-3,
            label_noise: float = 0.5) -> LogisticInstance:
    """Gaussian rows scaled to ``||x|| ~ 1``, labels ``sign(<x, w0> + noise)``.

    ``L = ||X||_2^2 / (4 n) + lam`` and ``mu = lam``; the reference minimiser's gradient norm
    ``g`` gives the floors ``dist_sq >= (g / mu)^2`` and ``f_gap >= g^2 / (2 mu)`` plus the
    round-off of an ``n``-term mean.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((int(n), int(d))) / np.sqrt(d)
    w0 = rng.standard_normal(int(d)) * 3 / np.sqrt(d)
    y = np.sign(X @ w0 + label_noise * rng.standard_normal(int(n)))
    y[y == 0] = 1.0
    w_star, grad_norm = _newton_reference(X, y, lam)
    f_star = float(_loss_grad_numpy(X, y, lam, w_star)[0])
    L = np.linalg.norm(X, 2) ** 2 / (4 * n) + lam
    floors = {
        "f_gap": grad_norm**2 / (2 * lam) + 4 * n * EPS * abs(f_star),
        "dist_sq": (grad_norm / lam) ** 2 + (4 * EPS * np.linalg.norm(w_star)) ** 2,
        "grad_norm_sq": (4 * n * EPS) ** 2,
        "train_error": 0.0,
    }
    L_max = float(np.max(np.sum(X**2, axis=1)) / 4 + lam)
    constants = {"L": float(L), "L_max": L_max, "mu": float(lam),
                 "reference_grad_norm": grad_norm}
    return LogisticInstance(np.ascontiguousarray(X), y, float(lam), w_star, f_star, constants,
                            floors)


def make_separable(seed: int, n: int = 100, d: int = 10, gamma: float = 0.1,
                   spread: float = 0.2) -> LogisticInstance:
    """Unit-norm rows with margin exactly ``gamma`` along a random unit vector ``w_sep``.

    Row ``i`` is ``y_i a_i w_sep + sqrt(1 - a_i^2) u_i`` with ``u_i`` a random unit vector
    orthogonal to ``w_sep`` and ``a_i = gamma + spread * U(0, 1)`` (``a_0 = gamma``), so
    ``R = max ||x_i|| = 1`` and the margin of ``w_sep`` is ``gamma``; the max margin is at
    least ``gamma``. ``f* = 0`` (infimum, not attained).
    """
    if not 0 < gamma < 1 or gamma + spread > 1:
        raise ParameterError("need 0 < gamma and gamma + spread <= 1")
    rng = np.random.default_rng(seed)
    n, d = int(n), int(d)
    w_sep = rng.standard_normal(d)
    w_sep /= np.linalg.norm(w_sep)
    u = rng.standard_normal((n, d))
    u -= np.outer(u @ w_sep, w_sep)
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    a = gamma + spread * rng.random(n)
    a[0] = gamma
    y = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    X = (y * a)[:, None] * w_sep[None, :] + np.sqrt(1 - a**2)[:, None] * u
    L = np.linalg.norm(X, 2) ** 2 / (4 * n)
    floors = {"loss": 4 * n * EPS, "grad_norm_sq": (4 * n * EPS) ** 2, "train_error": 0.0}
    constants = {"L": float(L), "R": 1.0, "gamma": float(gamma)}
    return LogisticInstance(np.ascontiguousarray(X), y, 0.0, w_sep, 0.0, constants, floors)


# -- kernels ------------------------------------------------------------------------------
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


# -- public wrappers ----------------------------------------------------------------------
def _start(instance: LogisticInstance, checkpoints: np.ndarray):
    checkpoints = np.ascontiguousarray(checkpoints, dtype=np.int64)
    return np.zeros(instance.X.shape[1]), checkpoints, np.full((checkpoints.size, N_COLUMNS),
                                                               np.nan)


def _as_measures(instance: LogisticInstance, out: np.ndarray) -> dict[str, np.ndarray]:
    result = {"grad_norm_sq": out[:, GRAD_NORM_SQ], "train_error": out[:, TRAIN_ERROR],
              "calls": out[:, CALLS]}
    if instance.lam > 0:
        result.update(f_gap=out[:, F_GAP], dist_sq=out[:, DIST_SQ])
    else:
        result["loss"] = out[:, F_GAP]
    return result


def run_gd(instance: LogisticInstance, checkpoints: np.ndarray, seed: int,
           step_scale: float = 1.0) -> dict[str, np.ndarray]:
    """Gradient descent from 0 with step ``step_scale / L``.

    For ``L``-smooth ``mu``-strongly convex ``f`` and step ``1/L``,
    ``||w_t - w*||^2 <= (1 - mu/L)^t ||w_0 - w*||^2`` (standard; e.g. Garrigos and Gower,
    arXiv 2301.11235, Sec. 3). On separable data the loss decays like ``1/t`` (Soudry et al.,
    JMLR 2018, Theorem 3: ``w_t = w_hat log t + rho_t`` with ``rho_t`` bounded).
    """
    w, checkpoints, out = _start(instance, checkpoints)
    step = step_scale / instance.constants["L"]
    _gd_kernel(instance.X, instance.y, instance.lam, step, w, instance.w_star,
               instance.f_star, checkpoints, out)
    return _as_measures(instance, out)


def run_sgd(instance: LogisticInstance, checkpoints: np.ndarray, seed: int, c: float = 1.0,
            shift: float = 1.0) -> dict[str, np.ndarray]:
    """SGD from 0, step ``c / (mu (t + shift * L_max / mu))``, last iterate recorded.

    With step ``1/(mu t)`` on a ``mu``-strongly convex objective with bounded stochastic
    gradients, ``E ||w_T - w*||^2 = O(1/T)`` (Rakhlin, Shamir, Sridharan, ICML 2012,
    arXiv 1109.5647, Lemma 1). The shift ``L_max/mu`` keeps every step below ``1/L_max``,
    ``L_max = max_i ||x_i||^2 / 4 + lam`` the largest per-example smoothness constant.
    """
    w, checkpoints, out = _start(instance, checkpoints)
    mu, L_max = instance.constants["mu"], instance.constants["L_max"]
    _sgd_kernel(instance.X, instance.y, instance.lam, mu, shift * L_max / mu, c, w,
                instance.w_star, instance.f_star, np.int64(seed), checkpoints, out)
    return _as_measures(instance, out)


def run_perceptron(instance: LogisticInstance, checkpoints: np.ndarray,
                   seed: int) -> dict[str, np.ndarray]:
    """Online perceptron from 0; ``calls`` counts updates.

    Novikoff (1962): on data with ``||x_i|| <= R`` separable with margin ``gamma``, the
    perceptron makes at most ``(R / gamma)^2`` mistakes, whatever the order.
    """
    w, checkpoints, out = _start(instance, checkpoints)
    _perceptron_kernel(instance.X, instance.y, w, np.int64(seed), checkpoints, out)
    return {"train_error": out[:, TRAIN_ERROR], "calls": out[:, CALLS]}


_L2_MEASURES = ("f_gap", "dist_sq", "grad_norm_sq", "train_error")
_SEPARABLE_MEASURES = ("loss", "grad_norm_sq", "train_error")
_SIZE = {"n": Param(200, "[1, inf)", integer=True, doc="examples"),
         "d": Param(20, "[1, inf)", integer=True, doc="features")}
_GD_HYPER = {"step_scale": Param(1.0, "(0, inf)", doc="step = step_scale / L")}
_GD_REFERENCE = "Cauchy (1847)"

PROBLEMS = (
    Problem(
        name="logistic.l2",
        make=make_l2,
        params={**_SIZE, "lam": Param(1e-3, "(0, inf)", doc="l2 weight = mu"),
                "label_noise": Param(0.5, "[0, inf)")},
        algorithms=(
            Algorithm("gd", run_gd, _GD_HYPER, _L2_MEASURES,
                      counters={"calls": "full gradients"}, reference=_GD_REFERENCE),
            Algorithm("sgd", run_sgd, {"c": Param(1.0, "(0, inf)"),
                                       "shift": Param(1.0, "(0, inf)")}, _L2_MEASURES,
                      counters={"calls": "stochastic gradients"}, randomness="seeded",
                      reference="Robbins and Monro (1951)"),
        ),
        description="l2-regularised logistic regression, noisy labels (strongly convex)",
        constants=("L", "L_max", "mu"),
    ),
    Problem(
        name="logistic.separable",
        make=make_separable,
        params={"n": Param(100, "[1, inf)", integer=True),
                "d": Param(10, "[2, inf)", integer=True),
                "gamma": Param(0.1, "(0, 1)", doc="margin"),
                "spread": Param(0.2, "[0, 1)")},
        algorithms=(
            Algorithm("gd", run_gd, _GD_HYPER, _SEPARABLE_MEASURES,
                      counters={"calls": "full gradients"}, reference=_GD_REFERENCE),
            Algorithm("perceptron", run_perceptron, {}, ("train_error",),
                      counters={"calls": "perceptron updates (mistakes)"}, randomness="seeded",
                      reference="Rosenblatt (1958); Novikoff (1962)"),
        ),
        description="separable data, margin gamma, unit-norm rows (no minimiser)",
        constants=("L", "R", "gamma"),
    ),
)
