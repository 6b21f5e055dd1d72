"""Gradient play on a block (player) split of an affine operator: per-block steps, and the
alternating (Gauss-Seidel) order.

An instance that carries ``blocks``, the offsets ``[0, d_1, d_1 + d_2, ..., d]`` of its
players' coordinates (a game's pseudo-gradient ``F = (F_1, ..., F_N)``, ``F_i = grad_{x_i}
f_i``), can register these methods; every other operator method ignores the split.

Methods
-------
Block (simultaneous) gradient play, :func:`run_block_gda`
    ``x_i <- P(x_i - h_i F_i(x))`` for every player at once, with a step per player
    (``h_1 = step_scale / L`` and ``h_i = step_ratio h_1`` for the others: two timescales,
    as in two-timescale GDA). ``step_ratio = 1`` is :func:`~.methods.run_gda`.
Alternating gradient play, :func:`run_alternating_gda`
    Players in turn, each against the others' latest moves: ``x_i <- P(x_i - h_i F_i(x_1^+,
    ..., x_{i-1}^+, x_i, ..., x_N))``. On a two-player game ``F = [[a I, B], [-B^T, a I]]``
    each singular pair ``s`` of ``B`` has the iteration matrix ``[[1 - h a, -h s], [h s (1 -
    h a), 1 - h a - h^2 s^2]]``, of determinant ``(1 - h a)^2``: its eigenvalues have
    modulus exactly ``1 - h a`` whenever ``h s < 2 sqrt(1 - h a)``, so alternating play
    contracts at ``1 - h a`` per step whatever ``s`` (and is bounded, not divergent, on a
    bilinear game, ``a = 0``), where simultaneous play grows like ``sqrt((1 - h a)^2 + h^2
    s_max^2)`` (Bailey, Gidel, Piliouras, "Finite regret and cycles with fixed step-size via
    alternating gradient descent-ascent", COLT 2020; Gidel et al., "Negative momentum for
    improved game dynamics", AISTATS 2019).

``calls`` counts operator evaluations, a block ``F_i(x)`` counting ``d_i / d`` of one: one
step of either method costs one call. The kernel holds every jitted callee it uses (Numba's
cache rule); its NumPy twins are :func:`.reference.block_gda` and
:func:`.reference.alternating_gda`.
"""

from __future__ import annotations

import numpy as np

from workbench.catalogue import Param, ParameterError
from workbench.jit import njit

from .affine import AffineOperator, as_operator, measure_names

FAST = {"reassoc", "contract"}
RES_SQ, DIST_SQ, NATURAL_SQ, CALLS = range(4)
N_COLUMNS = 4

BLOCK_CALLS = {"calls": "operator evaluations (a player's block F_i counts d_i/d of one)"}
BLOCK_HYPER = {
    "step_scale": Param(0.1, "(0, inf)", doc="first player's step h_1 = step_scale / L"),
    "step_ratio": Param(1.0, "(0, inf)", doc="the other players' step h_i = step_ratio h_1"),
}


@njit(cache=True, fastmath=FAST)
def _affine_rows(A, b, z, out, lo, hi):
    """``out[lo:hi] = (A z + b)[lo:hi]`` (no allocation)."""
    d = z.size
    for i in range(lo, hi):
        acc = 0.0
        for j in range(d):
            acc += A[i, j] * z[j]
        out[i] = acc + b[i]


@njit(cache=True, fastmath=FAST)
def _record(out, k, M, q, z, z_star, lo, hi, boxed, fz, calls):
    """The measures at ``z`` into row ``k``; False once they are not finite."""
    _affine_rows(M, q, z, fz, 0, z.size)
    rsq = 0.0
    dsq = 0.0
    nat = 0.0
    for i in range(z.size):
        rsq += fz[i] * fz[i]
        dsq += (z[i] - z_star[i]) ** 2
        if boxed:
            p = z[i] - fz[i]
            if p < lo[i]:
                p = lo[i]
            elif p > hi[i]:
                p = hi[i]
            nat += (z[i] - p) ** 2
    out[k, RES_SQ] = rsq
    out[k, DIST_SQ] = dsq
    out[k, NATURAL_SQ] = nat if boxed else rsq
    out[k, CALLS] = calls
    return np.isfinite(rsq) and np.isfinite(dsq)


@njit(cache=True)
def _blow_up(out, k):
    for r in range(k, out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = np.inf


@njit(cache=True, fastmath=FAST)
def _block_gradient_kernel(M, q, z_star, lo, hi, boxed, offsets, steps, alternating, z,
                           checkpoints, out):
    """Block gradient play: every player steps on its own block with its own step,
    simultaneously (Jacobi) or in turn (Gauss-Seidel, ``alternating``); one call per step."""
    d = z.size
    players = offsets.size - 1
    fz = np.empty(d)
    k = 0
    calls = 0.0
    horizon = checkpoints[-1]
    for t in range(horizon + 1):
        if t == checkpoints[k]:
            if not _record(out, k, M, q, z, z_star, lo, hi, boxed, fz, calls):
                _blow_up(out, k + 1)
                return
            k += 1
        if t == horizon:
            break
        if not alternating:
            _affine_rows(M, q, z, fz, 0, d)
        for b in range(players):
            first, last = offsets[b], offsets[b + 1]
            if alternating:
                _affine_rows(M, q, z, fz, first, last)
            for i in range(first, last):
                z[i] -= steps[b] * fz[i]
                if boxed:
                    if z[i] < lo[i]:
                        z[i] = lo[i]
                    elif z[i] > hi[i]:
                        z[i] = hi[i]
        calls += 1.0


def block_offsets(instance: object, op: AffineOperator) -> np.ndarray:
    """The instance's player split ``[0, d_1, ..., d]`` (int64), checked against ``op``."""
    offsets = getattr(instance, "blocks", None)
    if offsets is None:
        raise ParameterError("block gradient play needs an instance with a player split "
                             "(attribute blocks = [0, d_1, ..., d])")
    offsets = np.ascontiguousarray(offsets, dtype=np.int64)
    if offsets.ndim != 1 or offsets.size < 2 or offsets[0] != 0 or offsets[-1] != op.d or \
            np.any(np.diff(offsets) <= 0):
        raise ValueError(f"blocks must increase from 0 to d = {op.d}, got {offsets}")
    return offsets


def block_steps(op: AffineOperator, players: int, step_scale: float,
                step_ratio: float) -> np.ndarray:
    """``h_1 = step_scale / L`` for the first player, ``step_ratio h_1`` for the others."""
    for name, value in (("step_scale", step_scale), ("step_ratio", step_ratio)):
        if not np.isfinite(value) or value <= 0:
            raise ParameterError(f"{name} must be positive and finite, got {value!r}")
    h = step_scale / op.constants["L"]
    steps = np.full(players, h * step_ratio)
    steps[0] = h
    return steps


def _run(instance: object, checkpoints: np.ndarray, step_scale: float, step_ratio: float,
         alternating: bool) -> dict[str, np.ndarray]:
    op = as_operator(instance)
    offsets = block_offsets(instance, op)
    grid = np.ascontiguousarray(checkpoints, dtype=np.int64)
    if grid.ndim != 1 or grid.size == 0 or grid[0] < 0 or np.any(np.diff(grid) <= 0):
        raise ValueError("checkpoints must be a non-empty increasing array of iterations >= 0")
    out = np.full((grid.size, N_COLUMNS), np.nan)
    lo = op.lo if op.constrained else np.full(op.d, -np.inf)
    hi = op.hi if op.constrained else np.full(op.d, np.inf)
    steps = block_steps(op, offsets.size - 1, step_scale, step_ratio)
    _block_gradient_kernel(op.M, op.q, op.z_star, lo, hi, op.constrained, offsets, steps,
                           alternating, op.z0.copy(), grid, out)
    columns = {"residual_sq": out[:, RES_SQ], "residual": np.sqrt(out[:, RES_SQ]),
               "dist_sq": out[:, DIST_SQ], "natural_residual": np.sqrt(out[:, NATURAL_SQ])}
    result = {name: columns[name] for name in measure_names(op)}
    result["calls"] = out[:, CALLS]
    return result


def run_block_gda(instance: object, checkpoints: np.ndarray, seed: int,
                  step_scale: float = 0.1, step_ratio: float = 1.0) -> dict[str, np.ndarray]:
    """Simultaneous gradient play with a step per player (see the module docstring); starts
    from the instance's ``z_0`` (deterministic)."""
    return _run(instance, checkpoints, step_scale, step_ratio, alternating=False)


def run_alternating_gda(instance: object, checkpoints: np.ndarray, seed: int,
                        step_scale: float = 0.1, step_ratio: float = 1.0
                        ) -> dict[str, np.ndarray]:
    """Alternating (Gauss-Seidel) gradient play, players in the order of ``blocks`` (see the
    module docstring); starts from the instance's ``z_0`` (deterministic).

    Claims: games-alternating-gda-factor.
    """
    return _run(instance, checkpoints, step_scale, step_ratio, alternating=True)
