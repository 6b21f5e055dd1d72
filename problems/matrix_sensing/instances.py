"""Matrix-sensing instances: ground truth, measurement operator, constants and floors.

``M*`` has rank ``r``, singular values geometric from ``1`` down to ``1/kappa`` and
Haar-random orthonormal ``r``-frames; the operator is the population one (``m = 0``) or ``m``
Gaussian sensing matrices with ``N(0, 1/m)`` entries. Reference accuracy: the ground truth
``M*`` is the reference, exact by construction (its only error is the round-off of forming
``U diag(s) V^T``, inside each measure's floor). Both builders draw from
``numpy.random.default_rng(seed)`` (the family contract's instance stream, see
:mod:`workbench.catalogue`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workbench.catalogue import ParameterError

EPS = np.finfo(float).eps


@dataclass(frozen=True)
class SensingInstance:
    """Ground truth, measurement operator and reference quantities of one instance.

    Attributes
    ----------
    M_star
        Ground truth, ``n1 x n2``, rank ``r``, ``sigma_1 = 1``.
    A
        Sensing matrices as rows of an ``m x (n1 n2)`` array, entries ``N(0, 1/m)``; shape
        ``(0, n1 n2)`` for the population operator.
    y
        Measurements ``A vec(M*)``, shape ``(m,)``.
    symmetric
        True when ``M*`` is symmetric PSD (``n1 == n2``).
    """

    M_star: np.ndarray
    A: np.ndarray
    y: np.ndarray
    symmetric: bool
    constants: dict[str, float]
    floors: dict[str, float] = field(default_factory=dict)

    @property
    def population(self) -> bool:
        return self.A.shape[0] == 0


def _frame(rng: np.random.Generator, n: int, r: int) -> np.ndarray:
    q, upper = np.linalg.qr(rng.standard_normal((n, r)))
    return q * np.sign(np.diag(upper))  # Haar-distributed orthonormal r-frame


def _check(n1: int, n2: int, r: int, kappa: float, m: int) -> None:
    if min(n1, n2) < 1 or not 1 <= r <= min(n1, n2):
        raise ParameterError(f"need 1 <= r <= min(n1, n2), got r={r}, n1={n1}, n2={n2}")
    if kappa < 1:
        raise ParameterError(f"the condition number kappa must be >= 1, got {kappa}")
    if m < 0:
        raise ParameterError(f"m must be 0 (population operator) or a positive count, got {m}")


def _build(seed: int, n1: int, n2: int, r: int, kappa: float, m: int,
           symmetric: bool) -> SensingInstance:
    rng = np.random.default_rng(seed)
    s = np.geomspace(1.0, 1.0 / kappa, r)
    U = _frame(rng, n1, r)
    V = U if symmetric else _frame(rng, n2, r)
    M_star = np.ascontiguousarray((U * s) @ V.T)
    if symmetric:
        M_star = 0.5 * (M_star + M_star.T)
    A = rng.standard_normal((m, n1 * n2)) / np.sqrt(max(m, 1)) if m else np.zeros((0, n1 * n2))
    y = A @ M_star.ravel()
    fro = float(np.linalg.norm(M_star))
    if m:
        sv = np.linalg.svd(A, compute_uv=False)
        a_max = float(sv[0])
        # Round-off in the residual is amplified at most by the ratio of the extreme nonzero
        # singular values of A (a generous bound: only the low-rank directions matter).
        cond = float(sv[0] / sv[min(m, n1 * n2) - 1])
    else:
        a_max, cond = 1.0, 1.0
    # Round-off: each entry of P is a k-term sum (relative error ~ k eps), the residual is
    # amplified by cond(A); 10 sqrt(n1 n2) eps ||M*||_F covers both with margin.
    frob = 10.0 * np.sqrt(n1 * n2) * EPS * fro * cond
    floors = {"frobenius": frob, "frobenius_sq": frob**2, "loss": 0.5 * (a_max * frob) ** 2}
    constants = {"sigma_1": float(s[0]), "sigma_r": float(s[-1]), "kappa": float(kappa),
                 "fro": fro, "r": float(r)}
    return SensingInstance(M_star, np.ascontiguousarray(A), y, symmetric, constants, floors)


def make_symmetric(seed: int, n: int = 20, r: int = 2, kappa: float = 2.0,
                   m: int = 0) -> SensingInstance:
    """PSD ground truth ``U diag(s) U^T`` of rank ``r``, ``s`` geometric in ``[1/kappa, 1]``.

    ``m = 0`` gives the population operator, ``m > 0`` that many Gaussian measurements.
    """
    n, r, m = int(n), int(r), int(m)
    _check(n, n, r, kappa, m)
    return _build(seed, n, n, r, kappa, m, True)


def make_asymmetric(seed: int, n1: int = 20, n2: int = 16, r: int = 2, kappa: float = 2.0,
                    m: int = 0) -> SensingInstance:
    """Ground truth ``U diag(s) V^T`` of rank ``r``, ``n1 x n2``; measurements as above."""
    n1, n2, r, m = int(n1), int(n2), int(r), int(m)
    _check(n1, n2, r, kappa, m)
    return _build(seed, n1, n2, r, kappa, m, False)
