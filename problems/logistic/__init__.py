"""Logistic regression: l2-regularised (strongly convex) and separable (no minimiser).

Problem
    ``f(w) = (1/n) sum_i log(1 + exp(-y_i <x_i, w>)) + (lam/2) ||w||^2``, rows ``x_i`` with
    ``||x_i|| <= 1``-ish and labels ``y_i`` in ``{-1, +1}``.

Variants
    ``logistic.l2``: noisy labels, ``lam > 0``; reference minimiser by Newton's method polished
    to round-off (its gradient norm is recorded as the reference accuracy).
    ``logistic.separable``: labels of a unit vector ``w_sep`` with margin exactly ``gamma`` and
    unit-norm rows (``R = 1``); ``lam = 0``, the infimum 0 is not attained.

Layout
    ``instances`` (builders, reference solutions, constants, floors), ``kernels`` (the
    private ``@numba.njit(cache=True)`` loops and every jitted helper they call), ``methods``
    (public wrappers), ``reference`` (plain NumPy twins, step by step, for the tests and the
    benchmarks). This module is the registration.

References
----------
.. [1] A. Cauchy, "Methode generale pour la resolution des systemes d'equations
   simultanees", C. R. Acad. Sci. Paris, 1847 (gradient descent).
.. [2] H. Robbins, S. Monro, "A stochastic approximation method", Ann. Math. Statist., 1951.
.. [3] F. Rosenblatt, "The perceptron", Psychological Review, 1958; A. B. J. Novikoff, "On
   convergence proofs for perceptrons", Symposium on the Mathematical Theory of Automata, 1962.
"""

from __future__ import annotations

from workbench.catalogue import Algorithm, Param, Problem

from .instances import LogisticInstance, make_l2, make_separable
from .methods import run_gd, run_perceptron, run_sgd

__all__ = ["PROBLEMS", "LogisticInstance", "make_l2", "make_separable", "run_gd",
           "run_perceptron", "run_sgd"]

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
        constants=("L", "L_max", "mu", "dist0_sq"),
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
