"""Affine operators as data: the representation every operator method runs on.

An operator ``F(z) = M z + q`` (optionally with a box ``lo <= z <= hi`` that methods project
onto, and optionally given as a finite sum ``F = (1/n) sum_i F_i`` with
``F_i(z) = M_i z + q_i``) is held as arrays, never as a Python callable, so the Numba kernels
in :mod:`.kernels` and :mod:`.finite_sum` can be cached. Any family whose instances are (or
carry, as ``.operator``) an :class:`AffineOperator` can register the methods of
:mod:`workbench.problems.operators` with one line each; a quadratic game's pseudo-gradient is
affine, for instance.

The constants a rate may name are computed from the matrices (never copied from the
generator's targets):

``L``
    Lipschitz constant ``||M||_2``.
``s_min``
    Smallest singular value of ``M``.
``mu``
    ``lambda_min((M + M^T)/2)``: ``F`` is ``mu``-strongly monotone when ``mu > 0`` and
    monotone when ``mu >= 0``.
``rho``
    The smallest ``rho`` with ``<F(x) - F(y), x - y> >= -rho ||F(x) - F(y)||^2`` for all
    ``x, y`` (``rho``-negative comonotonicity, Gorbunov et al. 2023, Eq. (1)). For invertible
    ``M`` it is ``-lambda_min(sym(M^{-1}))``, because ``<Mv, v> = <w, M^{-1} w>`` with
    ``w = Mv``. A negative value means ``F`` is cocoercive.
``beta``
    ``-rho``: the cocoercivity constant (``<F(x) - F(y), x - y> >= beta ||F(x) - F(y)||^2``)
    when positive.
``R0``
    ``||z_0 - z*||``, the initial distance every bound here is proportional to.

and for finite sums:

``n``
    Number of components.
``L_max``
    ``max_i ||M_i||_2``.
``L_avg``
    Lipschitz constant in mean square: ``(1/n) sum_i ||F_i(x) - F_i(y)||^2 <=
    L_avg^2 ||x - y||^2``, i.e. ``sqrt(lambda_max((1/n) sum_i M_i^T M_i))``.
``L_coco``
    Average cocoercivity: the smallest ``L`` with ``(1/n) sum_i ||F_i(x) - F_i(y)||^2 <=
    L <F(x) - F(y), x - y>`` (the assumption of Cai, Alacaoglu, Diakonikolas, Algorithm 1),
    i.e. the largest generalized eigenvalue of ``((1/n) sum_i M_i^T M_i, sym(M))``;
    ``inf`` when ``sym(M)`` is singular.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

EPS = float(np.finfo(float).eps)

# Measures every method records (see README of the family and ``measure_names``).
UNCONSTRAINED_MEASURES = ("residual_sq", "residual", "dist_sq")
CONSTRAINED_MEASURES = ("natural_residual", "dist_sq")
HALPERN_MEASURES = ("fixed_point_residual",)


@dataclass(frozen=True)
class AffineOperator:
    """``F(z) = M z + q`` with its solution, constants and measure floors.

    Attributes
    ----------
    M, q
        The operator, ``M`` of shape ``(d, d)`` (C-contiguous float64) and ``q`` of shape
        ``(d,)``.
    z_star
        The solution: ``F(z_star) = 0`` unconstrained, or the solution of the variational
        inequality ``<F(z*), z - z*> >= 0`` for all ``z`` in the box.
    z0
        The initial point every method starts from (part of the instance, as in the
        theorems, whose bounds name ``||z_0 - z*||``).
    constants
        The constants a rate may name (see the module docstring), computed from ``M``.
    floors
        Absolute accuracy of each measure (reference solution, round-off).
    lo, hi
        The box, or None when unconstrained.
    components, component_q
        For a finite sum, ``M_i`` stacked as ``(n, d, d)`` and ``q_i`` as ``(n, d)``, with
        ``M = mean(M_i)`` and ``q = mean(q_i)``; None otherwise.
    info
        Anything else the generator wants to report (targets, accuracies).
    """

    M: np.ndarray
    q: np.ndarray
    z_star: np.ndarray
    z0: np.ndarray
    constants: dict[str, float]
    floors: dict[str, float]
    lo: np.ndarray | None = None
    hi: np.ndarray | None = None
    components: np.ndarray | None = None
    component_q: np.ndarray | None = None
    info: dict[str, float] = field(default_factory=dict)

    @property
    def d(self) -> int:
        return int(self.q.size)

    @property
    def constrained(self) -> bool:
        return self.lo is not None

    @property
    def n(self) -> int:
        """Number of components (1 unless a finite sum)."""
        return 1 if self.components is None else int(self.components.shape[0])

    def __call__(self, z: np.ndarray) -> np.ndarray:
        """``F(z)`` (NumPy; for tests and references, never inside a kernel)."""
        return self.M @ z + self.q

    def project(self, z: np.ndarray) -> np.ndarray:
        """Projection onto the box (identity when unconstrained)."""
        return z if self.lo is None else np.clip(z, self.lo, self.hi)

    def natural_residual(self, z: np.ndarray) -> float:
        """``||z - P(z - F(z))||``: zero exactly at solutions of the variational inequality."""
        return float(np.linalg.norm(z - self.project(z - self(z))))

    def with_floors_for(self, measures: tuple[str, ...]) -> AffineOperator:
        """A copy whose ``floors`` hold exactly the given measures (the catalogue rejects
        floors of measures no algorithm records)."""
        return replace(self, floors={m: self.floors[m] for m in measures if m in self.floors})


def measure_names(op: AffineOperator, halpern: bool = False) -> tuple[str, ...]:
    """The measures a method records on ``op``.

    Unconstrained: ``residual_sq`` (``||F(z_k)||^2``), ``residual`` (``||F(z_k)||``) and
    ``dist_sq`` (``||z_k - z*||^2``). Constrained: ``natural_residual``
    (``||z_k - P(z_k - F(z_k))||``; ``F(z*)`` is not zero on a box) and ``dist_sq``. Halpern
    methods add ``fixed_point_residual`` (``||x_k - T x_k||``).
    """
    names = CONSTRAINED_MEASURES if op.constrained else UNCONSTRAINED_MEASURES
    return names + (HALPERN_MEASURES if halpern else ())


# -- constants ----------------------------------------------------------------------------
def sym(A: np.ndarray) -> np.ndarray:
    return 0.5 * (A + A.T)


def spectral_constants(M: np.ndarray) -> dict[str, float]:
    """``L``, ``s_min``, ``mu``, ``rho`` and ``beta`` of ``F(z) = M z + q`` (module docstring).

    ``rho`` and ``beta`` need an invertible ``M``; they are ``nan`` otherwise.
    """
    sv = np.linalg.svd(M, compute_uv=False)
    L, s_min = float(sv[0]), float(sv[-1])
    mu = float(np.linalg.eigvalsh(sym(M))[0])
    if s_min > 1e3 * EPS * L:
        M_inv = np.linalg.solve(M, np.eye(M.shape[0]))
        rho = -float(np.linalg.eigvalsh(sym(M_inv))[0])
    else:
        rho = float("nan")
    return {"L": L, "s_min": s_min, "mu": mu, "rho": rho, "beta": -rho}


def finite_sum_constants(Ms: np.ndarray) -> dict[str, float]:
    """``n``, ``L_max``, ``L_avg`` and ``L_coco`` of ``F = (1/n) sum_i F_i`` (module
    docstring)."""
    import scipy.linalg
    n = Ms.shape[0]
    norms = np.array([np.linalg.norm(Mi, 2) for Mi in Ms])
    gram = np.einsum("nki,nkj->ij", Ms, Ms) / n  # (1/n) sum_i M_i^T M_i
    S = sym(Ms.mean(axis=0))
    L_avg = float(np.sqrt(np.linalg.eigvalsh(gram)[-1]))
    if np.linalg.eigvalsh(S)[0] > 0:
        L_coco = float(scipy.linalg.eigh(gram, S, eigvals_only=True)[-1])
    else:
        L_coco = float("inf")
    return {"n": float(n), "L_max": float(norms.max()), "L_avg": L_avg, "L_coco": L_coco}


def floors(M: np.ndarray, q: np.ndarray, z_star: np.ndarray, inverse_norm: float,
           constrained: bool = False) -> dict[str, float]:
    """Absolute accuracy of each measure.

    Evaluating ``F`` at points of size ``||z*||`` carries round-off ``eps sqrt(d) (||M||
    ||z*|| + ||q||)``; the stored ``(M, q)`` has an exact solution within ``inverse_norm``
    times that of ``z_star`` (``inverse_norm`` bounds the inverse of the map that fixes
    ``z*``: ``1/s_min`` unconstrained, the free block's for a box).
    """
    d = q.size
    res = EPS * np.sqrt(d) * (np.linalg.norm(M, 2) * np.linalg.norm(z_star)
                             + np.linalg.norm(q))
    dist = res * inverse_norm + EPS * np.sqrt(d) * np.linalg.norm(z_star)
    out = {"dist_sq": float(dist**2), "fixed_point_residual": float(res + dist)}
    if constrained:
        out["natural_residual"] = float(res + dist)
    else:
        out.update(residual=float(res), residual_sq=float(res**2))
    return out


def make_operator(M: np.ndarray, q: np.ndarray, z_star: np.ndarray,
                  z0: np.ndarray | None = None, *,
                  lo: np.ndarray | None = None, hi: np.ndarray | None = None,
                  inverse_norm: float | None = None,
                  components: np.ndarray | None = None,
                  component_q: np.ndarray | None = None,
                  extra_constants: dict[str, float] | None = None,
                  info: dict[str, float] | None = None) -> AffineOperator:
    """An :class:`AffineOperator` with its constants and floors computed from the arrays.

    Parameters
    ----------
    M, q, z_star
        The operator and its solution.
    z0
        The initial point (the origin by default), projected onto the box if there is one.
    lo, hi
        A box, if any.
    inverse_norm
        Bound on the inverse of the map that fixes ``z*`` (for the floors); ``1/s_min`` by
        default.
    components, component_q
        Finite-sum components; their mean must equal ``(M, q)``.
    extra_constants
        Further constants of the instance (its parameters as built, say).
    info
        Free-form report of the generator.
    """
    M = np.ascontiguousarray(M, dtype=float)
    q = np.ascontiguousarray(q, dtype=float)
    z_star = np.ascontiguousarray(z_star, dtype=float)
    constants = spectral_constants(M)
    if components is not None:
        components = np.ascontiguousarray(components, dtype=float)
        component_q = np.ascontiguousarray(component_q, dtype=float)
        if not (np.allclose(components.mean(axis=0), M, rtol=0, atol=1e-13 * constants["L"])
                and np.allclose(component_q.mean(axis=0), q, rtol=0,
                                atol=1e-13 * (1 + np.linalg.norm(q)))):
            raise ValueError("the components' mean is not (M, q)")
        constants.update(finite_sum_constants(components))
    else:
        constants["n"] = 1.0
    constants.update(extra_constants or {})
    if inverse_norm is None:
        inverse_norm = 1.0 / constants["s_min"]
    if lo is not None:
        lo = np.ascontiguousarray(lo, dtype=float)
        hi = np.ascontiguousarray(hi, dtype=float)
    z0 = np.zeros_like(q) if z0 is None else np.asarray(z0, dtype=float)
    z0 = np.ascontiguousarray(z0 if lo is None else np.clip(z0, lo, hi))
    constants["R0"] = float(np.linalg.norm(z0 - z_star))
    return AffineOperator(M, q, z_star, z0, constants,
                          floors(M, q, z_star, inverse_norm, lo is not None), lo, hi,
                          components, component_q, dict(info or {}))


def as_operator(instance: object) -> AffineOperator:
    """The :class:`AffineOperator` an instance is or carries (as ``.operator``)."""
    if isinstance(instance, AffineOperator):
        return instance
    op = getattr(instance, "operator", None)
    if not isinstance(op, AffineOperator):
        raise TypeError(f"{type(instance).__name__} is not an AffineOperator and has no "
                        ".operator attribute")
    return op
