"""Affine monotone-inclusion instances with controlled structure, exact solutions and
constants computed (and checked) per instance.

Every generator returns an :class:`~workbench.problems.operators.AffineOperator`, including
the initial point ``z_0 ~ N(0, I/d)`` (projected onto the box, if any). The building
block is the scaled 2x2 rotation ``s R(theta)``: its eigenvalues are ``s exp(+-i theta)``,
``<Bv, v> = s cos(theta) ||v||^2`` and ``||Bv|| = s ||v||``, so

* ``cos(theta) = -rho s`` puts the block exactly on the boundary of ``rho``-negative
  comonotonicity, ``<Bv, v> = -rho ||Bv||^2`` for *every* ``v`` (``sym(B^{-1}) = -rho I``);
* ``rho = 0`` is a skew (bilinear) block, ``rho = -beta < 0`` a ``beta``-cocoercive one
  (``beta = 1/L``: ``I - (2/L) B`` is a rotation, the worst case of Halpern's iteration).

A block-diagonal matrix of such blocks, with scales ``s_j`` log-spaced in ``[s_min, L]`` and
conjugated by a random orthogonal matrix (which changes none of the constants), is the
"spread-spectrum" instance: the slow blocks near ``s_min`` are what makes sublinear rates
visible (on a fixed full-rank instance every method here is eventually linear).

After building, the constants are recomputed from the matrix by
:func:`~workbench.problems.operators.spectral_constants` and compared with the targets; a
disagreement beyond round-off is a generator bug (:class:`RuntimeError`). Reference
accuracy: ``z*`` is chosen first and the offset set from it (``q = -M z*``), so ``z*`` solves
the stored problem to the round-off of that product (relative ``cond(M) eps``), which each
measure's floor covers; no iterative solve is involved.
"""

from __future__ import annotations

import numpy as np
from workbench.problems.operators import AffineOperator, make_operator

from workbench.catalogue import ParameterError

# Targets and computed constants must agree to this relative accuracy (round-off of an
# inverse whose condition number is L/s_min <= 1e4 here).
CHECK_RTOL = 1e-7


def rotation_block(s: float, cos_theta: float, sign: float = 1.0) -> np.ndarray:
    """``s R(theta)`` with ``cos(theta) = cos_theta`` and ``sin(theta) = sign sqrt(1 -
    cos^2)``."""
    sin_theta = sign * np.sqrt(max(0.0, 1.0 - cos_theta**2))
    return s * np.array([[cos_theta, -sin_theta], [sin_theta, cos_theta]])


def block_diagonal(blocks: list[np.ndarray]) -> np.ndarray:
    d = 2 * len(blocks)
    M = np.zeros((d, d))
    for j, B in enumerate(blocks):
        M[2 * j:2 * j + 2, 2 * j:2 * j + 2] = B
    return M


def random_orthogonal(rng: np.random.Generator, d: int) -> np.ndarray:
    Q, R = np.linalg.qr(rng.standard_normal((d, d)))
    return Q * np.sign(np.diag(R))


def scales(s_min: float, L: float, blocks: int) -> np.ndarray:
    """``blocks`` scales log-spaced from ``L`` down to ``s_min``."""
    return np.geomspace(L, s_min, blocks) if blocks > 1 else np.array([L])


def _start(rng: np.random.Generator, d: int) -> np.ndarray:
    """The initial point ``z_0 ~ N(0, I/d)``, drawn last from the instance's stream."""
    return rng.standard_normal(d) / np.sqrt(d)


def _even_start(rng: np.random.Generator, z_star: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """``z_0 = z* + Q u`` with ``u`` a random unit 2-vector per block divided by
    ``sqrt(blocks)``: ``||z_0 - z*|| = 1`` and every spectral block holds the same share of
    it. With random shares (``z_0 ~ N(0, I/d)``) the share of a block is exponentially
    distributed, and a sum of ``blocks`` decaying modes with such weights makes the local
    slopes of a sublinear rate wander by 0.1-0.3 from seed to seed; equal shares remove that
    noise without changing the rate (every block of these normal matrices evolves by its own
    scalar factor, whatever the direction inside it)."""
    blocks = Q.shape[0] // 2
    angle = rng.uniform(0.0, 2 * np.pi, blocks)
    u = np.empty(2 * blocks)
    u[0::2], u[1::2] = np.cos(angle), np.sin(angle)
    return z_star + Q @ u / np.sqrt(blocks)


def _check(name: str, computed: float, target: float, scale: float = 1.0) -> None:
    if not abs(computed - target) <= CHECK_RTOL * max(abs(target), scale):
        raise RuntimeError(f"generator bug: {name} computed {computed!r}, built for {target!r}")


def _check_size(blocks: int, s_min: float, L: float) -> None:
    if blocks < 1:
        raise ParameterError("need at least one block")
    if not 0 < s_min <= L:
        raise ParameterError(f"need 0 < s_min <= L, got s_min={s_min}, L={L}")


def make_comonotone(seed: int, blocks: int = 40, rho: float = 0.1, s_min: float = 1e-3,
                    L: float = 1.0) -> AffineOperator:
    """``rho``-negatively comonotone (``rho > 0``), monotone skew (``rho = 0``) or
    ``-rho``-cocoercive (``rho < 0``) affine operator on ``R^(2 blocks)``.

    ``M = Q diag(s_j R(theta_j)) Q^T`` with ``s_j`` log-spaced in ``[s_min, L]``,
    ``cos(theta_j) = -rho s_j`` (so ``|rho| L <= 1``), random signs of ``sin(theta_j)`` and
    random orthogonal ``Q``; ``z* ~ N(0, I/d)``, ``q = -M z*``; ``z_0 - z*`` has norm 1,
    split evenly over the blocks (see ``_even_start``). Every block sits on the
    comonotonicity boundary: the constant ``rho`` is attained by every pair of points.
    Gorbunov, Taylor, Horvath, Gidel (ICML 2023) use such rotations for their worst cases.
    """
    blocks = int(blocks)
    _check_size(blocks, s_min, L)
    if abs(rho) * L > 1:
        raise ParameterError(f"need |rho| L <= 1 (cos(theta) = -rho s), got rho L = {rho * L}")
    rng = np.random.default_rng(seed)
    s = scales(s_min, L, blocks)
    signs = np.where(rng.random(blocks) < 0.5, -1.0, 1.0)
    B = block_diagonal([rotation_block(sj, -rho * sj, sg) for sj, sg in zip(s, signs,
                                                                              strict=True)])
    Q = random_orthogonal(rng, 2 * blocks)
    M = Q @ B @ Q.T
    z_star = rng.standard_normal(2 * blocks) / np.sqrt(2 * blocks)
    op = make_operator(M, -M @ z_star, z_star, _even_start(rng, z_star, Q),
                       info={"rho_target": rho})
    c = op.constants
    _check("L", c["L"], L)
    _check("s_min", c["s_min"], s_min)
    # rho is an eigenvalue of sym(M^-1), whose entries are up to 1/s_min.
    _check("rho", c["rho"], rho, scale=1.0 / s_min)
    return op


def make_cocoercive(seed: int, blocks: int = 20, beta_L: float = 1.0, s_min: float = 1e-2,
                    L: float = 1.0) -> AffineOperator:
    """``beta``-cocoercive affine operator with ``beta = beta_L / L``: the construction of
    :func:`make_comonotone` with ``rho = -beta``. At ``beta_L = 1`` the map
    ``I - (2/L) F`` is orthogonal (a rotation by an angle ``~ 2 s_j / L`` on each block), the
    worst case of Halpern's iteration."""
    if not 0 < beta_L <= 1:
        raise ParameterError(f"need 0 < beta_L <= 1, got {beta_L}")
    return make_comonotone(seed, blocks, -beta_L / L, s_min, L)


def make_bilinear(seed: int, m: int = 4, s_min: float = 0.3, L: float = 1.0
                  ) -> AffineOperator:
    """Bilinear game ``min_x max_y x^T A y + b^T x - c^T y`` on ``R^m x R^m``:
    ``F(x, y) = (A y + b, -A^T x + c)``, ``M = [[0, A], [-A^T, 0]]``.

    ``A = U diag(s) V^T`` with singular values ``s`` log-spaced in ``[s_min, L]`` and random
    orthogonal ``U, V``; ``(x*, y*) ~ N(0, I/d)``; ``z_0 - z*`` of norm 1 split evenly over
    the singular pairs (``M`` acts on ``span{(u_j, 0), (0, v_j)}`` as ``s_j`` times a
    rotation). GDA's iterates grow by
    ``sqrt(1 + g^2 L^2)`` per step; extragradient with step ``g <= 1/L`` contracts
    ``||z - z*||^2`` by ``1 - g^2 s_min^2 + g^4 s_min^4`` per step (the ``s_min`` pair).
    """
    m = int(m)
    _check_size(m, s_min, L)
    rng = np.random.default_rng(seed)
    U, V = random_orthogonal(rng, m), random_orthogonal(rng, m)
    A = U @ np.diag(scales(s_min, L, m)) @ V.T
    M = np.block([[np.zeros((m, m)), A], [-A.T, np.zeros((m, m))]])
    z_star = rng.standard_normal(2 * m) / np.sqrt(2 * m)
    # M acts on span{(u_j, 0), (0, v_j)} as s_j times a rotation: those are its blocks.
    Q = np.zeros((2 * m, 2 * m))
    Q[:m, 0::2], Q[m:, 1::2] = U, V
    op = make_operator(M, -M @ z_star, z_star, _even_start(rng, z_star, Q))
    _check("L", op.constants["L"], L)
    _check("s_min", op.constants["s_min"], s_min)
    _check("mu", op.constants["mu"], 0.0)
    return op


def make_bilinear_box(seed: int, m: int = 10, s_min: float = 0.3, L: float = 1.0,
                      active: float = 0.3, coupling: float = 1.0) -> AffineOperator:
    """Bilinear game ``min_x max_y x^T A y + b^T x - c^T y`` on the box ``[-1, 1]^(2m)``,
    with a solution built to have active constraints and a free face of controlled
    conditioning.

    ``k = round(active m)`` coordinates of ``x`` and ``k`` of ``y`` are active at ``z*`` (at
    a bound, random sign); the others are free, uniform in ``(-0.8, 0.8)``. In the order
    (free, active) of rows and columns, ``A = [[A_ff, C], [C', A_aa]]``: ``A_ff`` has
    singular values log-spaced in ``[s_min, L]``, ``A_aa`` in ``[s_min, L]`` too, and the
    coupling blocks are Gaussian of scale ``coupling s_min / sqrt(m)``; rows and columns are
    then shuffled. ``q = F* - M z*`` with ``F*`` zero on the free coordinates and of the sign
    that makes ``z*`` a solution on the active ones, ``|F*_i|`` uniform in ``[0.1, 1.1]``
    (strict complementarity). ``z*`` solves the variational inequality by construction and
    is unique because the free block of ``M`` (``A_ff`` and ``-A_ff^T``) is invertible. Once
    the active set is identified, projected extragradient is unconstrained extragradient on
    the free face, so its ``||z - z*||^2`` contracts by ``1 - g^2 s^2 + g^4 s^4`` per step,
    ``s = s_min_free = sigma_min(A_ff) = s_min``. ``L = ||M||`` is computed (the coupling
    makes it slightly larger than the parameter ``L``). The floors carry the round-off of
    ``q`` through the inverse of the free block.
    """
    m = int(m)
    _check_size(m, s_min, L)
    if not 0 <= active < 1:
        raise ParameterError(f"need 0 <= active < 1, got {active}")
    if coupling < 0:
        raise ParameterError(f"need coupling >= 0, got {coupling}")
    rng = np.random.default_rng(seed)
    k = int(round(active * m))
    f = m - k

    def spectrum(size: int) -> np.ndarray:
        return random_orthogonal(rng, size) @ np.diag(scales(s_min, L, size)) @ \
            random_orthogonal(rng, size).T

    blocks = np.zeros((m, m))
    blocks[:f, :f] = spectrum(f)
    if k:
        blocks[f:, f:] = spectrum(k)
        blocks[:f, f:] = coupling * s_min * rng.standard_normal((f, k)) / np.sqrt(m)
        blocks[f:, :f] = coupling * s_min * rng.standard_normal((k, f)) / np.sqrt(m)
    rows, cols = rng.permutation(m), rng.permutation(m)
    A = np.empty((m, m))
    A[np.ix_(rows, cols)] = blocks  # row rows[i] of A is row i of the block form
    M = np.block([[np.zeros((m, m)), A], [-A.T, np.zeros((m, m))]])
    act = np.concatenate([rows[f:], m + cols[f:]])
    free = np.setdiff1d(np.arange(2 * m), act)
    z_star = rng.uniform(-0.8, 0.8, 2 * m)
    bound = np.where(rng.random(act.size) < 0.5, -1.0, 1.0)
    z_star[act] = bound
    F_star = np.zeros(2 * m)
    # At an upper bound the VI needs F_i <= 0, at a lower bound F_i >= 0.
    F_star[act] = -bound * rng.uniform(0.1, 1.1, act.size)
    sv = np.linalg.svd(M[np.ix_(free, free)], compute_uv=False) if free.size \
        else np.array([np.inf])
    op = make_operator(M, F_star - M @ z_star, z_star, _start(rng, 2 * m),
                       lo=-np.ones(2 * m), hi=np.ones(2 * m), inverse_norm=1.0 / sv[-1],
                       extra_constants={"s_min_free": float(sv[-1])},
                       info={"active": float(act.size)})
    if free.size:
        _check("s_min_free", op.constants["s_min_free"], s_min)
    if op.natural_residual(z_star) > 1e3 * op.floors["natural_residual"]:
        raise RuntimeError("generator bug: z* does not solve the variational inequality")
    return op


def make_strongly_monotone(seed: int, blocks: int = 10, mu: float = 0.2, L: float = 1.0
                           ) -> AffineOperator:
    """``mu``-strongly monotone, ``L``-Lipschitz affine operator with both constants attained
    on one block.

    Blocks ``a_j I + b_j J`` (``J`` the 90-degree rotation; symmetric part ``a_j``, norm
    ``sqrt(a_j^2 + b_j^2)``): block 0 has ``a = mu`` and norm ``L``; the others
    ``a_j = mu + (L - mu) u_j``, ``u_j ~ U[0.25, 1]``, norms uniform in ``[a_j, L]``. Block 0
    is the slowest direction of GDA with step ``g <= 2 mu / L^2`` (factor
    ``1 - 2 g mu + g^2 L^2`` on ``||z - z*||^2``, ``1 - mu^2/L^2`` at ``g = mu/L^2``) and of
    the flow ``dz/dt = -F(z)`` (``exp(-2 mu t)``).
    """
    blocks = int(blocks)
    if blocks < 1:
        raise ParameterError("need at least one block")
    if not 0 < mu <= L:
        raise ParameterError(f"need 0 < mu <= L, got mu={mu}, L={L}")
    rng = np.random.default_rng(seed)
    a = np.concatenate([[mu], mu + (L - mu) * rng.uniform(0.25, 1.0, blocks - 1)])
    norm = np.concatenate([[L], rng.uniform(a[1:], L)])
    signs = np.where(rng.random(blocks) < 0.5, -1.0, 1.0)
    B = block_diagonal([rotation_block(r, aj / r, sg) for aj, r, sg in zip(a, norm, signs,
                                                                             strict=True)])
    Q = random_orthogonal(rng, 2 * blocks)
    M = Q @ B @ Q.T
    z_star = rng.standard_normal(2 * blocks) / np.sqrt(2 * blocks)
    op = make_operator(M, -M @ z_star, z_star, _even_start(rng, z_star, Q))
    _check("L", op.constants["L"], L)
    _check("mu", op.constants["mu"], mu)
    return op


def make_finite_sum(seed: int, n: int = 64, blocks: int = 10, s_min: float = 0.05,
                    L: float = 1.0, hetero: float = 0.5, noise: float = 1.0,
                    cocoercive: bool = True) -> AffineOperator:
    """Finite sum ``F = (1/n) sum_i F_i`` of affine components sharing a block structure.

    Block ``j`` of component ``i`` is ``s_ij R(theta_ij)`` with ``s_ij = g_j w_ij``, ``g_j``
    log-spaced in ``[s_min, L]`` and ``w_ij ~ U[1 - hetero, 1]``; all conjugated by one
    random orthogonal ``Q``.

    ``cocoercive=True``: ``cos(theta_ij) = s_ij / L``, so ``(1/n) sum_i ||M_i v||^2 =
    L <M v, v>`` for every ``v`` (blockwise ``mean_i s_ij^2 = L mean_i s_ij^2 / L``): the mean
    is cocoercive *in the mean* with ``L_coco = L`` exactly (Cai et al., Algorithm 1's
    assumption). ``cocoercive=False``: skew blocks (``cos = 0``), ``F`` monotone and
    ``L_avg``-Lipschitz in mean square (Algorithm 2's assumption).

    ``z* ~ N(0, I/d)`` is the common solution of the mean: ``q_i = -M_i z* + e_i`` with
    ``e_i ~ noise N(0, I/d)`` centred over ``i`` (components disagree at ``z*``, which is
    what makes plain stochastic estimates noisy and variance reduction necessary).
    """
    n, blocks = int(n), int(blocks)
    _check_size(blocks, s_min, L)
    if n < 1:
        raise ParameterError("need n >= 1")
    if not 0 <= hetero < 1:
        raise ParameterError(f"need 0 <= hetero < 1, got {hetero}")
    rng = np.random.default_rng(seed)
    d = 2 * blocks
    g = scales(s_min, L, blocks)
    w = rng.uniform(1 - hetero, 1.0, (n, blocks))
    signs = np.where(rng.random(blocks) < 0.5, -1.0, 1.0)
    Q = random_orthogonal(rng, d)
    Ms = np.empty((n, d, d))
    for i in range(n):
        s = g * w[i]
        cos = s / L if cocoercive else np.zeros(blocks)
        B = block_diagonal([rotation_block(sj, cj, sg) for sj, cj, sg in zip(s, cos, signs,
                                                                              strict=True)])
        Ms[i] = Q @ B @ Q.T
    M = Ms.mean(axis=0)
    z_star = rng.standard_normal(d) / np.sqrt(d)
    e = noise * rng.standard_normal((n, d)) / np.sqrt(d)
    e -= e.mean(axis=0)
    qs = -np.einsum("nij,j->ni", Ms, z_star) + e
    op = make_operator(M, qs.mean(axis=0), z_star, _even_start(rng, z_star, Q),
                       components=Ms, component_q=qs,
                       extra_constants={"noise_at_solution": float(
                           np.sqrt(np.mean(np.sum(e**2, axis=1))))})
    if cocoercive:
        _check("L_coco", op.constants["L_coco"], L)
    else:
        _check("mu", op.constants["mu"], 0.0)
    return op


def make_finite_sum_skew(seed: int, n: int = 64, blocks: int = 10, s_min: float = 0.05,
                         L: float = 1.0, hetero: float = 0.5, noise: float = 1.0
                         ) -> AffineOperator:
    """Finite sum of skew components (:func:`make_finite_sum` with ``cocoercive=False``):
    ``F`` monotone, not cocoercive, ``L_avg``-Lipschitz in mean square."""
    return make_finite_sum(seed, n, blocks, s_min, L, hetero, noise, cocoercive=False)
