"""Logistic regression: l2-regularised (strongly convex) and separable (no minimiser).

Problem
    ``f(w) = (1/n) sum_i log(1 + exp(-y_i <x_i, w>)) + (lam/2) ||w||^2``, rows ``x_i`` with
    ``||x_i|| <= 1``-ish and labels ``y_i`` in ``{-1, +1}``.

Variants
    ``logistic.l2``: noisy labels, ``lam > 0``; reference minimiser by Newton's method polished
    to round-off (its gradient norm is recorded as the reference accuracy).
    ``logistic.separable``: labels of a unit vector ``w_sep`` with margin exactly ``gamma`` and
    unit-norm rows (``R = 1``); ``lam = 0``, the infimum 0 is not attained.
    ``logistic.imbalanced``: the 2-D set of Tyurin (2024), Theorem 5.1 (one hard point and
    ``n - 1`` copies of an easy one), on which the batch perceptron needs ``Omega(n)``
    iterations.

Layout
    ``instances`` (builders, reference solutions, constants, floors), ``kernels`` (the
    private ``@njit(cache=True)`` loops and every jitted helper they call), ``methods``
    (public wrappers), ``reference`` (plain NumPy twins, step by step, for the tests and the
    benchmarks). This module is the registration.

References
----------
.. [1] A. Cauchy, "Methode generale pour la resolution des systemes d'equations
   simultanees", C. R. Acad. Sci. Paris, 1847 (gradient descent).
.. [2] H. Robbins, S. Monro, "A stochastic approximation method", Ann. Math. Statist., 1951.
.. [3] F. Rosenblatt, "The perceptron", Psychological Review, 1958; A. B. J. Novikoff, "On
   convergence proofs for perceptrons", Symposium on the Mathematical Theory of Automata, 1962.
.. [4] A. Tyurin, "From Logistic Regression to the Perceptron Algorithm: Exploring Gradient
   Descent with Large Step Sizes", AAAI 2025, arXiv 2412.08424 (LR+GD with the raw step,
   batch perceptron, normalized batch perceptron, normalized LR+GD).
.. [5] A. Koloskova, H. Hendrikx, S. U. Stich, "Revisiting Gradient Clipping: Stochastic bias
   and tight convergence guarantees", ICML 2023, arXiv 2305.01588 (clipped GD).
"""

from __future__ import annotations

from workbench.catalogue import Algorithm, Param, Problem

from . import reference
from .instances import LogisticInstance, make_imbalanced, make_l2, make_separable
from .methods import (
    run_batch_perceptron,
    run_clipped_gd,
    run_gd,
    run_lr_gd,
    run_normalized_batch_perceptron,
    run_normalized_lr_gd,
    run_perceptron,
    run_sgd,
)

__all__ = ["PROBLEMS", "LogisticInstance", "make_imbalanced", "make_l2", "make_separable",
           "run_batch_perceptron", "run_clipped_gd", "run_gd", "run_lr_gd",
           "run_normalized_batch_perceptron", "run_normalized_lr_gd", "run_perceptron",
           "run_sgd"]

_L2_MEASURES = ("f_gap", "dist_sq", "grad_norm_sq", "train_error")
_SEPARABLE_MEASURES = ("loss", "grad_norm_sq", "train_error")
_SIZE = {"n": Param(200, "[1, inf)", integer=True, doc="examples"),
         "d": Param(20, "[1, inf)", integer=True, doc="features")}
_GD_HYPER = {"step_scale": Param(1.0, "(0, inf)", doc="step = step_scale / L")}
_GD_REFERENCE = "Cauchy (1847)"
_TYURIN = "Tyurin (2024), arXiv 2412.08424"
_STEP = {"step": Param(1.0, "(0, inf)", doc="raw step gamma of Tyurin (2024) (not scaled by "
                                            "1/L); the perceptrons record step * theta")}
_SEPARATED = {"separated": "1 when the training error reached 0 at some checkpoint"}
_ITERATIONS = {"calls": "iterations (full passes over the data)"}
_CLIPPED = Algorithm("clipped_gd", run_clipped_gd,
                     {"step_scale": Param(1.0, "(0, inf)", doc="step = step_scale / L"),
                      "c": Param(0.1, "(0, inf)", doc="clipping threshold c")},
                     (), counters={"calls": "full gradients"},
                     reference="Koloskova, Hendrikx, Stich (2023), arXiv 2305.01588",
                     twin=reference.clipped_gd)


def _tyurin(measures: tuple[str, ...]) -> tuple[Algorithm, ...]:
    """LR+GD, the batch perceptron and their normalized variants (Tyurin 2024)."""
    return (
        Algorithm("lr_gd", run_lr_gd, _STEP, measures, counters=_ITERATIONS,
                  diagnostics=_SEPARATED, reference=_TYURIN + " (LR+GD)",
                  twin=reference.lr_gd),
        Algorithm("batch_perceptron", run_batch_perceptron, _STEP, measures,
                  counters=_ITERATIONS, diagnostics=_SEPARATED,
                  reference="Novikoff (1962); " + _TYURIN + " (Batch Perceptron)",
                  twin=reference.batch_perceptron),
        Algorithm("normalized_batch_perceptron", run_normalized_batch_perceptron, _STEP,
                  measures, counters=_ITERATIONS, diagnostics=_SEPARATED,
                  reference=_TYURIN + ", Theorem 5.3",
                  twin=reference.normalized_batch_perceptron),
        Algorithm("normalized_lr_gd", run_normalized_lr_gd, _STEP, measures,
                  counters=_ITERATIONS, diagnostics=_SEPARATED,
                  reference=_TYURIN + ", Sec. 6 (Normalized LR+GD)",
                  twin=reference.normalized_lr_gd),
    )


def _clipped(measures: tuple[str, ...]) -> Algorithm:
    return Algorithm(_CLIPPED.name, _CLIPPED.run, _CLIPPED.hyper, measures,
                     counters=_CLIPPED.counters, reference=_CLIPPED.reference,
                     twin=_CLIPPED.twin)

PROBLEMS = (
    Problem(
        name="logistic.l2",
        make=make_l2,
        params={**_SIZE, "lam": Param(1e-3, "(0, inf)", doc="l2 weight = mu"),
                "label_noise": Param(0.5, "[0, inf)")},
        algorithms=(
            Algorithm("gd", run_gd, _GD_HYPER, _L2_MEASURES,
                      counters={"calls": "full gradients"}, reference=_GD_REFERENCE,
                      twin=reference.gd),
            Algorithm("sgd", run_sgd, {"c": Param(1.0, "(0, inf)"),
                                       "shift": Param(1.0, "(0, inf)")}, _L2_MEASURES,
                      counters={"calls": "stochastic gradients"}, randomness="seeded",
                      reference="Robbins and Monro (1951)", twin=reference.sgd),
            _clipped(_L2_MEASURES),
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
                      counters={"calls": "full gradients"}, reference=_GD_REFERENCE,
                      twin=reference.gd),
            Algorithm("perceptron", run_perceptron, {}, ("train_error",),
                      counters={"calls": "perceptron updates (mistakes)"}, randomness="seeded",
                      reference="Rosenblatt (1958); Novikoff (1962)",
                      twin=reference.perceptron),
            *_tyurin(_SEPARABLE_MEASURES),
            _clipped(_SEPARABLE_MEASURES),
        ),
        description="separable data, margin gamma, unit-norm rows (no minimiser)",
        constants=("L", "R", "gamma"),
    ),
    Problem(
        name="logistic.imbalanced",
        make=make_imbalanced,
        params={"n": Param(20, "[2, inf)", integer=True, doc="1 hard + n - 1 easy rows"),
                "jitter": Param(0.0, "[0, 0.5)", doc="uniform perturbation of the easy rows")},
        algorithms=_tyurin(_SEPARABLE_MEASURES),
        description="Tyurin (2024) Theorem 5.1: one hard point, n - 1 easy ones (2-D)",
        constants=("L", "R", "gamma"),
    ),
)
