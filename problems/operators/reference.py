"""Plain NumPy twins of the operator methods, step by step (for tests and benchmarks).

Each twin has the signature and output of the public wrapper of the same name in
:mod:`.methods`, uses the same initial point and, for sampling methods, the same random
numbers (NumPy's legacy ``RandomState``, which Numba's ``np.random`` replays), and writes
each update with dense NumPy algebra as the papers state it.
"""

from __future__ import annotations

import numpy as np

from .affine import AffineOperator, as_operator, measure_names
from .methods import (
    initial_state,
    resolvent,
    vr_halpern_parameters,
    vr_halpern_resolvent_parameters,
)


class _Recorder:
    """Collects the measures at the checkpoints, as the kernels do."""

    def __init__(self, op: AffineOperator, checkpoints: np.ndarray, halpern: bool = False):
        self.op, self.halpern = op, halpern
        self.grid = [int(t) for t in checkpoints]
        self.wanted = set(self.grid)
        self.rows: list[dict[str, float]] = []

    def __call__(self, t: int, z: np.ndarray, calls: float, fixed_point: float = np.nan):
        if t not in self.wanted:
            return
        op = self.op
        fz = op(z)
        self.rows.append({
            "residual_sq": float(fz @ fz), "residual": float(np.linalg.norm(fz)),
            "dist_sq": float((z - op.z_star) @ (z - op.z_star)),
            "natural_residual": op.natural_residual(z),
            "fixed_point_residual": fixed_point, "calls": float(calls)})

    def result(self, calls_per_unit: float = 1.0) -> dict[str, np.ndarray]:
        names = measure_names(self.op, self.halpern) + ("calls",)
        out = {k: np.array([row[k] for row in self.rows]) for k in names}
        out["calls"] = out["calls"] * calls_per_unit
        return out


def _start(instance: object, checkpoints: np.ndarray, halpern: bool = False):
    op = as_operator(instance)
    return op, _Recorder(op, checkpoints, halpern), int(max(checkpoints))


def gda(instance, checkpoints, seed, step_scale=0.1):
    op, rec, horizon = _start(instance, checkpoints)
    g = step_scale / op.constants["L"]
    z, _ = initial_state(op, seed)
    for t in range(horizon + 1):
        rec(t, z, t)
        z = op.project(z - g * op(z))
    return rec.result(op.n)


def extragradient(instance, checkpoints, seed, step_scale=0.5):
    op, rec, horizon = _start(instance, checkpoints)
    g = step_scale / op.constants["L"]
    z, _ = initial_state(op, seed)
    for t in range(horizon + 1):
        rec(t, z, 2 * t)
        w = op.project(z - g * op(z))
        z = op.project(z - g * op(w))
    return rec.result(op.n)


def optimistic(instance, checkpoints, seed, step_scale=0.3):
    op, rec, horizon = _start(instance, checkpoints)
    g = step_scale / op.constants["L"]
    z, _ = initial_state(op, seed)
    w = z.copy()  # w_{-1} = z_0
    for t in range(horizon + 1):
        rec(t, z, t + 1)
        w = op.project(z - g * op(w))
        z = op.project(z - g * op(w))
    return rec.result(op.n)


def proximal_point(instance, checkpoints, seed, step_scale=0.5):
    op, rec, horizon = _start(instance, checkpoints)
    g = step_scale / op.constants["L"]
    z, _ = initial_state(op, seed)
    for t in range(horizon + 1):
        rec(t, z, t)
        z = np.linalg.solve(np.eye(op.d) + g * op.M, z - g * op.q)  # z+ + g F(z+) = z
    return rec.result()


def halpern(instance, checkpoints, seed, step_scale=1.0):
    op, rec, horizon = _start(instance, checkpoints, halpern=True)
    eta = step_scale * 2 * op.constants["beta"]
    z, _ = initial_state(op, seed)
    x0 = z.copy()
    for t in range(horizon + 1):
        tz = op.project(z - eta * op(z))
        rec(t, z, t, float(np.linalg.norm(z - tz)))
        z = x0 / (t + 2) + (1 - 1 / (t + 2)) * tz
    return rec.result(op.n)


def halpern_resolvent(instance, checkpoints, seed, step_scale=1.0):
    op, rec, horizon = _start(instance, checkpoints, halpern=True)
    A, b = resolvent(op, step_scale / op.constants["L"])
    z, _ = initial_state(op, seed)
    x0 = z.copy()
    for t in range(horizon + 1):
        tz = A @ z + b
        rec(t, z, t, float(np.linalg.norm(z - tz)))
        z = x0 / (t + 2) + (1 - 1 / (t + 2)) * tz
    return rec.result()


def flow_rk4(instance, checkpoints, seed, step_scale=0.1):
    op, rec, horizon = _start(instance, checkpoints)
    h = step_scale / op.constants["L"]
    z, _ = initial_state(op, seed)
    for t in range(horizon + 1):
        rec(t, z, 4 * t)
        k1 = -op(z)
        k2 = -op(z + h / 2 * k1)
        k3 = -op(z + h / 2 * k2)
        k4 = -op(z + h * k3)
        z = z + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return rec.result(op.n)


def vr_halpern(instance, checkpoints, seed, step_scale=1.0, batch_scale=1.0):
    op, rec, horizon = _start(instance, checkpoints)
    par = vr_halpern_parameters(op, step_scale, batch_scale)
    z, kseed = initial_state(op, seed)
    rs = np.random.RandomState(kseed)
    n = op.n
    x0 = z.copy()
    g = op(z)  # full pass
    calls = n
    for t in range(horizon + 1):
        rec(t, z, calls)
        lam = 1 / (t + 2)
        xn = lam * x0 + (1 - lam) * (z - par["eta"] * g)
        if rs.random_sample() < max(2 / (t + 2), par["p_floor"]):
            g = op(xn)
            calls += n
        else:
            idx = [rs.randint(n) for _ in range(par["batch"])]
            g = g + sum((op.components[i] @ xn + op.component_q[i])
                        - (op.components[i] @ z + op.component_q[i]) for i in idx) / len(idx)
            calls += 2 * par["batch"]
        z = xn
    return rec.result()


def vr_halpern_resolvent(instance, checkpoints, seed, step_scale=1.0, inner_scale=1.0):
    op, rec, horizon = _start(instance, checkpoints, halpern=True)
    par = vr_halpern_resolvent_parameters(op, step_scale, inner_scale)
    eta, tau, p = par["eta"], par["tau"], par["p"]
    z, kseed = initial_state(op, seed)
    rs = np.random.RandomState(kseed)
    n = op.n
    x0, x, u, w, w_prev = z.copy(), z.copy(), z.copy(), z.copy(), z.copy()
    fw = op(w)
    calls = n
    for t in range(horizon + 1):
        for _ in range(int(np.ceil(inner_scale * n * np.log(t + 2.0)))):
            i = rs.randint(n)
            Fi = (op.components[i] @ u + op.component_q[i]) - \
                (op.components[i] @ w_prev + op.component_q[i])
            calls += 2
            u = (u - tau * eta * (fw + Fi) + tau * x) / (1 + tau)
            refresh = rs.random_sample() < p
            w_prev = w
            if refresh:
                w = u.copy()
                fw = op(w)
                calls += n
        rec(t, u, calls, float(np.linalg.norm(x - u)))
        x = x0 / (t + 2) + (1 - 1 / (t + 2)) * u
    return rec.result()


# -- block (player) split: problems/operators/blocks.py -------------------------------------
def _block_play(instance, checkpoints, step_scale, step_ratio, alternating):
    from .blocks import block_offsets, block_steps

    op, rec, horizon = _start(instance, checkpoints)
    offsets = block_offsets(instance, op)
    steps = block_steps(op, offsets.size - 1, step_scale, step_ratio)
    z, _ = initial_state(op, 0)
    for t in range(horizon + 1):
        rec(t, z, t)
        g = op(z)
        for b in range(offsets.size - 1):
            part = slice(offsets[b], offsets[b + 1])
            if alternating:
                g = op(z)  # the other players' latest moves
            z = z.copy()
            z[part] = z[part] - steps[b] * g[part]
            z = op.project(z)
    return rec.result()


def block_gda(instance, checkpoints, seed, step_scale=0.1, step_ratio=1.0):
    return _block_play(instance, checkpoints, step_scale, step_ratio, alternating=False)


def alternating_gda(instance, checkpoints, seed, step_scale=0.1, step_ratio=1.0):
    return _block_play(instance, checkpoints, step_scale, step_ratio, alternating=True)
