"""Bilevel instances with exact hypergradients, and the closed-form penalty gaps.

Problem
    ``min_x F(x) = f(x, y*(x))`` with ``y*(x) = argmin_y g(x, y)``, ``g(x, .)`` strongly
    convex. Every instance here knows ``y*(x)`` and ``grad F(x)`` exactly (in closed form or
    by Newton's method polished to round-off), so stationarity is measured, not estimated.

Instances
    :class:`QuadraticBilevel` (variants ``bilevel.quadratic`` and ``bilevel.quartic``): lower
    level ``g(x, y) = 1/2 y^T H y - y^T B x`` with ``spec(H)`` in ``[mu, L]`` (smallest
    eigenvalue ``mu`` isolated, the others log-spaced in ``[gap mu, L]``), so
    ``y*(x) = H^-1 B x = M x``; upper level ``f(x, y) = phi(x) + 1/2 ||y - b||^2`` with
    ``phi(x) = amp sum cos(x_i)`` (smooth, nonconvex when ``amp`` beats the curvature of
    ``M^T M``) or ``phi(x) = amp sum (x_i^4/4 - x_i^2/2)`` (nonconvex and not L-smooth: its
    Hessian grows like ``|grad phi|^(2/3)``, the ``(L0, L1)``-smoothness of BO-REP). The upper
    level curves in ``y``, so a penalty method has a bias. ``grad F(x) = grad phi(x) +
    M^T (M x - b)``.
    :class:`HyperCleaning` (``bilevel.hypercleaning``): data hyper-cleaning on synthetic data
    (Franceschi et al. 2017; the F2SA paper's experiment): ``g(x, w) = (1/n) sum_i
    sigmoid(x_i) l(y_i a_i^T w) + lam/2 ||w||^2`` on training labels of which a fraction is
    flipped, ``f(w) = (1/m) sum_j l(yv_j av_j^T w)`` on clean validation data, ``l`` the
    logistic loss. ``w*(x0)`` by Newton to round-off, ``grad F(x0)`` by the implicit function
    theorem with a dense solve.

Stochastic oracles
    An instance carries noise levels ``sigma_f`` (upper-level oracles) and ``sigma_g``
    (lower-level oracles): a stochastic oracle returns the exact value plus independent
    ``N(0, sigma^2 I)`` noise, a fresh draw at every call (unbiased, bounded variance: the
    assumptions of F2SA and BO-REP).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workbench.catalogue import ParameterError

EPS = float(np.finfo(float).eps)
UPPER_COSINE, UPPER_QUARTIC = 0, 1


# -- quadratic lower level ----------------------------------------------------------------
@dataclass(frozen=True)
class QuadraticBilevel:
    """A quadratic lower level with an exact hypergradient (see the module docstring).

    Attributes
    ----------
    H, B, b
        Lower-level Hessian (``dy x dy``), coupling (``dy x dx``), upper-level target.
    eigs, Q
        ``H = Q diag(eigs) Q^T``, eigenvalues ascending.
    M, G, c
        ``M = H^-1 B`` (``y* = M x``), ``G = M^T M``, ``c = M^T b``: ``grad F = grad phi +
        G x - c``.
    upper, amp
        ``phi`` kind (:data:`UPPER_COSINE` or :data:`UPPER_QUARTIC`) and amplitude.
    sigma_f, sigma_g
        Noise of the upper- and lower-level stochastic oracles.
    x0
        The initial upper-level point every method starts from.
    """

    H: np.ndarray
    B: np.ndarray
    b: np.ndarray
    eigs: np.ndarray
    Q: np.ndarray
    M: np.ndarray
    G: np.ndarray
    c: np.ndarray
    upper: int
    amp: float
    sigma_f: float
    sigma_g: float
    x0: np.ndarray
    constants: dict[str, float]
    floors: dict[str, float] = field(default_factory=dict)

    @property
    def dx(self) -> int:
        return self.B.shape[1]

    @property
    def dy(self) -> int:
        return self.B.shape[0]

    @property
    def noisy(self) -> bool:
        return self.sigma_f > 0 or self.sigma_g > 0


def _spectrum(dy: int, mu: float, kappa: float, gap: float) -> np.ndarray:
    """``mu`` isolated, then ``dy - 1`` values log-spaced in ``[gap mu, kappa mu]``."""
    if dy == 1:
        return np.array([mu])
    return np.concatenate([[mu], np.geomspace(gap * mu, kappa * mu, dy - 1)])


# The measures each variant's algorithms record (an instance has floors for those only).
QUADRATIC_MEASURES = ("hypergrad_err", "grad_F_norm", "penalty_grad_norm", "value_gap",
                      "grad_gap")
STOCHASTIC_MEASURES = ("grad_F_sq", "grad_F_sq_avg", "grad_F_sq_wavg")
QUARTIC_MEASURES = ("grad_norm", "grad_norm_avg")


def _quadratic(seed: int, dx: int, dy: int, kappa: float, mu: float, amp: float,
               coupling: float, sigma_f: float, sigma_g: float, upper: int,
               x0_scale: float, gap: float, measures: tuple[str, ...]) -> QuadraticBilevel:
    if kappa < gap:
        raise ParameterError(f"need kappa >= {gap:g} so that mu is isolated in spec(H)")
    rng = np.random.default_rng(seed)
    dx, dy = int(dx), int(dy)
    Q, _ = np.linalg.qr(rng.standard_normal((dy, dy)))
    eigs = _spectrum(dy, mu, kappa, gap)
    H = (Q * eigs) @ Q.T
    H = 0.5 * (H + H.T)
    B = coupling * mu * rng.standard_normal((dy, dx)) / np.sqrt(dx)
    b = rng.standard_normal(dy)
    if upper == UPPER_COSINE:
        # |x0_i| in [0.5, 2.5]: inside the concave part of cos near 0 or past it, at least
        # 0.5 from the maximum at 0 (a start next to a saddle would spend its transient
        # escaping it).
        x0 = x0_scale * np.where(rng.random(dx) < 0.5, -1.0, 1.0) * rng.uniform(0.5, 2.5, dx)
    else:
        x0 = x0_scale * np.where(rng.random(dx) < 0.5, -1.0, 1.0)
    M = Q @ ((Q.T @ B) / eigs[:, None])
    G = M.T @ M
    c = M.T @ b
    L = float(eigs[-1])
    inst = QuadraticBilevel(
        H=np.ascontiguousarray(H), B=np.ascontiguousarray(B), b=b, eigs=eigs, Q=Q,
        M=np.ascontiguousarray(M), G=np.ascontiguousarray(G), c=c, upper=upper,
        amp=float(amp), sigma_f=float(sigma_f), sigma_g=float(sigma_g), x0=x0,
        constants={}, floors={})
    grad0 = float(np.linalg.norm(hypergradient(inst, x0)))
    scale = max(grad0, 1.0)
    # Round-off of the exact hypergradient and of the kernels' O(d) sums (generous).
    floor = 64 * max(dx, dy) * EPS * scale
    # |phi''| <= amp (cosine); <= 2 amp on |x_i| <= 1, where the quartic's stationary
    # points lie (outside it the smoothness grows like |grad phi|^(2/3): (L0, L1)-smooth).
    curvature = 1.0 if upper == UPPER_COSINE else 2.0
    inst.constants.update(
        L=L, mu=float(mu), kappa=L / mu, rho=1.0 - mu / L,
        L_F=float(amp * curvature + np.linalg.norm(G, 2)),
        B_norm=float(np.linalg.norm(B, 2)), M_norm=float(np.linalg.norm(M, 2)),
        sigma_f=float(sigma_f), sigma_g=float(sigma_g), grad0=grad0)
    inst.floors.update({name: floor**2 if name.startswith("grad_F_sq") else floor
                        for name in measures})
    return inst


def make_quadratic(seed: int, dx: int = 10, dy: int = 10, kappa: float = 10.0,
                   mu: float = 1.0, amp: float = 1.0, coupling: float = 0.3,
                   sigma_f: float = 0.0, sigma_g: float = 0.0, x0_scale: float = 1.0,
                   gap: float = 2.0) -> QuadraticBilevel:
    """Quadratic lower level, ``phi(x) = amp sum cos(x_i)`` (``bilevel.quadratic``).

    ``B`` is Gaussian with entries of size ``coupling mu / sqrt(dx)``, so ``||M|| ~ coupling``
    and ``F``'s Hessian ``-amp diag(cos x) + M^T M`` is indefinite for ``coupling^2 < amp``.
    ``x0_i = x0_scale * (random sign) * U(0.5, 2.5)``, away from the saddles at 0; with
    ``coupling = 0.3`` the drift ``M^T (M x - b)`` stays below the cosine's restoring force,
    so runs rarely cross a saddle mid-path (at 0.5, 1 to 5 runs in 64 met one and plateaued
    for a decade). Constants: ``L``, ``mu``, ``kappa``,
    ``rho = 1 - mu/L`` (the contraction of gradient descent with step ``1/L`` on ``g(x,
    .)``), ``B_norm``, ``M_norm``, the noise levels and ``grad0 = ||grad F(x0)||``.
    """
    return _quadratic(seed, dx, dy, kappa, mu, amp, coupling, sigma_f, sigma_g,
                      UPPER_COSINE, x0_scale, gap, QUADRATIC_MEASURES)


def make_stochastic(seed: int, dx: int = 5, dy: int = 5, kappa: float = 4.0,
                    mu: float = 1.0, amp: float = 1.0, coupling: float = 0.3,
                    sigma_f: float = 0.3, sigma_g: float = 0.3, x0_scale: float = 1.0,
                    gap: float = 2.0) -> QuadraticBilevel:
    """:func:`make_quadratic` with stochastic oracles by default (``bilevel.stochastic``):
    the instance of the F2SA claims, small (``d = 5``, ``kappa = 4``) so that ``1e6``
    noisy iterations take seconds; ``sigma_f = sigma_g = 0`` gives its deterministic
    version."""
    return _quadratic(seed, dx, dy, kappa, mu, amp, coupling, sigma_f, sigma_g,
                      UPPER_COSINE, x0_scale, gap, STOCHASTIC_MEASURES)


def make_quartic(seed: int, dx: int = 5, dy: int = 5, kappa: float = 4.0, mu: float = 1.0,
                 amp: float = 1.0, coupling: float = 0.5, sigma_f: float = 0.5,
                 sigma_g: float = 0.5, x0_scale: float = 3.0,
                 gap: float = 2.0) -> QuadraticBilevel:
    """Quadratic lower level, ``phi(x) = amp sum (x_i^4/4 - x_i^2/2)`` (``bilevel.quartic``).

    ``phi`` is ``(L0, L1)``-smooth but not L-smooth (the upper-level assumption of Hao, Gong,
    Liu, ICLR 2024): ``|phi''| = amp |3 x^2 - 1| <= L0 + L1 |phi'|``. ``x0 = x0_scale *
    (random signs)``, a far start for ``x0_scale = 3`` (``|grad phi| = 24 amp`` per
    coordinate). Constants as for :func:`make_quadratic`; ``L_F`` is the smoothness of ``F``
    on ``|x_i| <= 1``, where its stationary points lie.
    """
    return _quadratic(seed, dx, dy, kappa, mu, amp, coupling, sigma_f, sigma_g,
                      UPPER_QUARTIC, x0_scale, gap, QUARTIC_MEASURES)


def upper_grad_x(inst: QuadraticBilevel, x: np.ndarray) -> np.ndarray:
    """``grad phi(x)`` (= ``grad_x f(x, y)`` for every ``y``)."""
    if inst.upper == UPPER_COSINE:
        return -inst.amp * np.sin(x)
    return inst.amp * (x**3 - x)


def upper_value(inst: QuadraticBilevel, x: np.ndarray, y: np.ndarray) -> float:
    """``f(x, y)``."""
    if inst.upper == UPPER_COSINE:
        phi = inst.amp * np.sum(np.cos(x))
    else:
        phi = inst.amp * np.sum(x**4 / 4 - x**2 / 2)
    return float(phi + 0.5 * np.sum((y - inst.b) ** 2))


def lower_value(inst: QuadraticBilevel, x: np.ndarray, y: np.ndarray) -> float:
    """``g(x, y)``."""
    return float(0.5 * y @ inst.H @ y - y @ inst.B @ x)


def y_star(inst: QuadraticBilevel, x: np.ndarray) -> np.ndarray:
    """``y*(x) = H^-1 B x``."""
    return inst.M @ x


def hyper_objective(inst: QuadraticBilevel, x: np.ndarray) -> float:
    """``F(x) = f(x, y*(x))``."""
    return upper_value(inst, x, y_star(inst, x))


def hypergradient(inst: QuadraticBilevel, x: np.ndarray) -> np.ndarray:
    """``grad F(x) = grad phi(x) + M^T (M x - b)`` (implicit function theorem)."""
    return upper_grad_x(inst, x) + inst.G @ x - inst.c


def hyper_hessian(inst: QuadraticBilevel, x: np.ndarray) -> np.ndarray:
    """``Hess F(x) = Hess phi(x) + M^T M``."""
    if inst.upper == UPPER_COSINE:
        diag = -inst.amp * np.cos(x)
    else:
        diag = inst.amp * (3 * x**2 - 1)
    return np.diag(diag) + inst.G


# -- penalty gaps in closed form ------------------------------------------------------------
def _resolvent(inst: QuadraticBilevel, sigma: float, v: np.ndarray) -> np.ndarray:
    """``(H + sigma I)^-1 v`` through the eigendecomposition (no cancellation for small
    sigma)."""
    return inst.Q @ ((inst.Q.T @ v) / (inst.eigs + sigma))


def penalty_y(inst: QuadraticBilevel, x: np.ndarray, sigma: float) -> np.ndarray:
    """``y_sigma(x) = argmin_y f(x, y) + (g(x, y) - g*(x)) / sigma = (H + sigma I)^-1
    (sigma b + B x)``."""
    return _resolvent(inst, sigma, sigma * inst.b + inst.B @ x)


def penalty_y_offset(inst: QuadraticBilevel, x: np.ndarray, sigma: float) -> np.ndarray:
    """``y_sigma(x) - y*(x) = sigma (H + sigma I)^-1 (b - y*(x))`` (closed form: no
    difference of two nearly equal solutions)."""
    return sigma * _resolvent(inst, sigma, inst.b - y_star(inst, x))


def penalty_value_gap(inst: QuadraticBilevel, x: np.ndarray, sigma: float) -> float:
    """``psi_sigma(x) - F(x) = -(sigma/2) r^T (H + sigma I)^-1 r``, ``r = b - y*(x)``.

    ``psi_sigma(x) = min_y f(x, y) + (g(x, y) - g*(x)) / sigma`` is the penalty function of
    Kwon et al. (arXiv 2309.01753, Sec. 3); the gap is ``O(sigma)`` and equals
    ``-(sigma/2) r^T H^-1 r (1 + O(sigma/mu))``.
    """
    r = inst.b - y_star(inst, x)
    return float(-0.5 * sigma * r @ _resolvent(inst, sigma, r))


def penalty_gradient(inst: QuadraticBilevel, x: np.ndarray, sigma: float) -> np.ndarray:
    """``grad psi_sigma(x) = grad phi(x) - B^T (H + sigma I)^-1 (b - M x)`` (Danskin)."""
    return upper_grad_x(inst, x) - inst.B.T @ _resolvent(inst, sigma, inst.b - y_star(inst, x))


def penalty_grad_gap(inst: QuadraticBilevel, x: np.ndarray, sigma: float) -> np.ndarray:
    """``grad psi_sigma(x) - grad F(x) = sigma B^T H^-1 (H + sigma I)^-1 (b - y*(x))``."""
    r = _resolvent(inst, sigma, inst.b - y_star(inst, x))
    return sigma * inst.M.T @ r


def stationary_point(inst: QuadraticBilevel, x: np.ndarray, sigma: float = 0.0,
                     iters: int = 100) -> np.ndarray:
    """A stationary point of ``F`` (``sigma = 0``) or of ``psi_sigma``, by Newton's method
    from ``x`` (damped by halving while the gradient norm grows), polished to round-off."""
    x = np.array(x, dtype=float)

    def grad(z: np.ndarray) -> np.ndarray:
        g = hypergradient(inst, z)
        return g + penalty_grad_gap(inst, z, sigma) if sigma > 0 else g

    best = np.inf
    for _ in range(iters):
        g = grad(x)
        norm = float(np.linalg.norm(g))
        if norm >= best and norm < 1e-11:
            break
        best = min(best, norm)
        hess = hyper_hessian(inst, x)  # the penalty's Hessian differs by O(sigma): Newton
        step = np.linalg.solve(hess, g)  # still converges (linearly at rate O(sigma))
        t = 1.0
        while np.linalg.norm(grad(x - t * step)) > norm and t > 1e-6:
            t *= 0.5
        x = x - t * step
    return x


def penalty_stationary_gap(inst: QuadraticBilevel, sigma: float,
                           x_start: np.ndarray | None = None) -> float:
    """``||grad F(x_sigma)||`` at the stationary point ``x_sigma`` of ``psi_sigma`` reached by
    Newton's method from ``x_start`` (default ``x0``).

    Since ``grad psi_sigma(x_sigma) = 0``, ``grad F(x_sigma) = -(grad psi_sigma - grad F)
    (x_sigma)``, evaluated in closed form by :func:`penalty_grad_gap`; it is ``O(sigma)``
    (Kwon et al., arXiv 2309.01753: stationary points of the penalty function are
    ``O(sigma)``-stationary for ``F``).
    """
    x = stationary_point(inst, inst.x0 if x_start is None else x_start, sigma)
    return float(np.linalg.norm(penalty_grad_gap(inst, x, sigma)))


# -- data hyper-cleaning --------------------------------------------------------------------
@dataclass(frozen=True)
class HyperCleaning:
    """Data hyper-cleaning on synthetic data (see the module docstring).

    Attributes
    ----------
    A, labels
        Training rows (``n x d``) and labels in ``{-1, +1}``, a fraction ``corrupt`` flipped.
    Av, labels_v
        Clean validation rows (``m x d``) and labels.
    lam
        Ridge weight of the lower level (its strong-convexity floor).
    x0, w_star, grad_true
        The upper-level point, ``w*(x0)`` and ``grad F(x0)``.
    hess
        ``Hess_ww g(x0, w*)``.
    """

    A: np.ndarray
    labels: np.ndarray
    Av: np.ndarray
    labels_v: np.ndarray
    lam: float
    x0: np.ndarray
    w_star: np.ndarray
    grad_true: np.ndarray
    hess: np.ndarray
    flipped: np.ndarray
    constants: dict[str, float]
    floors: dict[str, float] = field(default_factory=dict)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def cleaning_lower_grad(inst: HyperCleaning, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``grad_w g(x, w) = (1/n) sum_i sigmoid(x_i) l'(m_i) y_i a_i + lam w``."""
    m = inst.labels * (inst.A @ w)
    coef = _sigmoid(x) * (-_sigmoid(-m)) * inst.labels
    return inst.A.T @ coef / inst.A.shape[0] + inst.lam * w


def cleaning_lower_hessian(inst: HyperCleaning, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``Hess_ww g(x, w) = (1/n) sum_i sigmoid(x_i) l''(m_i) a_i a_i^T + lam I``."""
    m = inst.labels * (inst.A @ w)
    s = _sigmoid(x) * _sigmoid(m) * _sigmoid(-m)
    return (inst.A.T * s) @ inst.A / inst.A.shape[0] + inst.lam * np.eye(inst.A.shape[1])


def cleaning_upper_grad(inst: HyperCleaning, w: np.ndarray) -> np.ndarray:
    """``grad_w f(w) = (1/m) sum_j l'(mv_j) yv_j av_j`` (``f`` does not depend on ``x``)."""
    m = inst.labels_v * (inst.Av @ w)
    return inst.Av.T @ (-_sigmoid(-m) * inst.labels_v) / inst.Av.shape[0]


def cleaning_upper_value(inst: HyperCleaning, w: np.ndarray) -> float:
    m = inst.labels_v * (inst.Av @ w)
    return float(np.mean(np.logaddexp(0.0, -m)))


def cleaning_cross(inst: HyperCleaning, x: np.ndarray, w: np.ndarray,
                   v: np.ndarray) -> np.ndarray:
    """``Hess_xw g(x, w) v``: component ``i`` is ``(1/n) sigmoid'(x_i) l'(m_i) y_i a_i^T v``."""
    m = inst.labels * (inst.A @ w)
    s = _sigmoid(x)
    return s * (1 - s) * (-_sigmoid(-m)) * inst.labels * (inst.A @ v) / inst.A.shape[0]


def cleaning_w_star(inst: HyperCleaning, x: np.ndarray, iters: int = 60) -> np.ndarray:
    """``w*(x)`` by Newton's method (``g(x, .)`` is ``lam``-strongly convex and its Hessian is
    Lipschitz), polished until the gradient stops decreasing."""
    w = np.zeros(inst.A.shape[1])
    best = np.inf
    for _ in range(iters):
        g = cleaning_lower_grad(inst, x, w)
        norm = float(np.linalg.norm(g))
        if norm >= best and norm < 1e-12:
            break
        best = min(best, norm)
        w = w - np.linalg.solve(cleaning_lower_hessian(inst, x, w), g)
    return w


def cleaning_hypergradient(inst: HyperCleaning, x: np.ndarray) -> np.ndarray:
    """``grad F(x) = -Hess_xw g (Hess_ww g)^-1 grad_w f`` at ``w*(x)``."""
    w = cleaning_w_star(inst, x)
    v = np.linalg.solve(cleaning_lower_hessian(inst, x, w), cleaning_upper_grad(inst, w))
    return -cleaning_cross(inst, x, w, v)


def cleaning_objective(inst: HyperCleaning, x: np.ndarray) -> float:
    """``F(x) = f(w*(x))``."""
    return cleaning_upper_value(inst, cleaning_w_star(inst, x))


def make_hypercleaning(seed: int, n: int = 200, m: int = 200, d: int = 20,
                       corrupt: float = 0.3, lam: float = 1e-3,
                       x0_scale: float = 1.0) -> HyperCleaning:
    """Synthetic data hyper-cleaning: Gaussian rows ``N(0, I/d)`` (``||a|| ~ 1``), labels
    ``sign(a^T w_true + 0.1 noise)`` with ``||w_true|| = 3``; a fraction ``corrupt`` of the
    training labels flipped; ``x0 ~ x0_scale N(0, I)``.

    Constants: ``L`` (a global smoothness bound of ``g(x0, .)``, ``max_i sigmoid(x0_i)
    ||A||^2 / (4 n) + lam``, so gradient descent with step ``1/L`` contracts), ``mu`` (the
    smallest eigenvalue of ``Hess_ww g(x0, w*)``) and ``rho = 1 - mu/L``: the asymptotic
    contraction factor of gradient descent with step ``1/L`` near ``w*``, hence of AID's
    error.
    """
    if not 0 <= corrupt < 0.5:
        raise ParameterError("need 0 <= corrupt < 0.5")
    rng = np.random.default_rng(seed)
    n, m, d = int(n), int(m), int(d)
    w_true = rng.standard_normal(d)
    w_true *= 3 / np.linalg.norm(w_true)
    A = rng.standard_normal((n, d)) / np.sqrt(d)
    Av = rng.standard_normal((m, d)) / np.sqrt(d)
    labels = np.sign(A @ w_true + 0.1 * rng.standard_normal(n))
    labels_v = np.sign(Av @ w_true + 0.1 * rng.standard_normal(m))
    labels[labels == 0] = 1.0
    labels_v[labels_v == 0] = 1.0
    flipped = rng.random(n) < corrupt
    labels[flipped] *= -1
    x0 = x0_scale * rng.standard_normal(n)
    shell = HyperCleaning(np.ascontiguousarray(A), labels, np.ascontiguousarray(Av), labels_v,
                          float(lam), x0, np.zeros(d), np.zeros(n), np.eye(d), flipped, {}, {})
    w_star = cleaning_w_star(shell, x0)
    hess = cleaning_lower_hessian(shell, x0, w_star)
    v = np.linalg.solve(hess, cleaning_upper_grad(shell, w_star))
    grad_true = -cleaning_cross(shell, x0, w_star, v)
    L = float(np.max(_sigmoid(x0)) * np.linalg.norm(A, 2) ** 2 / (4 * n) + lam)
    mu = float(np.linalg.eigvalsh(hess)[0])
    scale = max(float(np.linalg.norm(grad_true)), EPS)
    constants = {"L": L, "mu": mu, "rho": 1.0 - mu / L, "kappa": L / mu,
                 "grad0": float(np.linalg.norm(grad_true)),
                 "residual": float(np.linalg.norm(cleaning_lower_grad(shell, x0, w_star)))}
    # Reference accuracy: w* to round-off (its residual over mu) and O(n d) sums.
    floor = (constants["residual"] / mu) * float(np.linalg.norm(A, 2)) + 64 * n * EPS * scale
    return HyperCleaning(shell.A, labels, shell.Av, labels_v, float(lam), x0, w_star,
                         grad_true, hess, flipped, constants, {"hypergrad_err": floor})
