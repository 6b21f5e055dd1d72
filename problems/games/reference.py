"""Plain NumPy twins of the simplex kernels, step by step (for tests and benchmarks).

Each twin has the signature and output of the public wrapper of the same name in
:mod:`.methods` and writes the update with dense NumPy algebra in probability form, as the
papers state it (the kernels work in logits); the measures come from the functions of
:mod:`.instances`. Affine games use the operator layer's twins
(:mod:`workbench.problems.operators.reference`); :func:`certified_gda` is its GDA twin at the
Small-Gain Nash step.
"""

from __future__ import annotations

import numpy as np
from scipy.special import softmax
from workbench.problems.operators import reference as operator_reference

from .instances import (
    PreferenceGame,
    QuadraticGame,
    exploitability,
    kl_logits,
    regularized_gap,
)
from .methods import (
    EXTRAGRADIENT_MEASURES,
    MWU_MEASURES,
    certified_step,
    egpo_step,
    extragradient_coefficients,
    mwu_step,
    nash_mp_step,
)


def certified_gda(instance: QuadraticGame, checkpoints: np.ndarray, seed: int,
                  step_scale: float = 1.0) -> dict[str, np.ndarray]:
    """The operator layer's GDA twin at the certified step ``h = step_scale h*``."""
    step = certified_step(instance, step_scale) * instance.operator.constants["L"]
    return operator_reference.gda(instance, checkpoints, seed, step_scale=step)


class _Recorder:
    def __init__(self, game: PreferenceGame, checkpoints: np.ndarray, names: tuple[str, ...]):
        self.game, self.names = game, names
        self.wanted = {int(t) for t in checkpoints}
        self.rows: list[dict[str, float]] = []

    def __call__(self, t: int, pi: np.ndarray, avg: np.ndarray, queries: int) -> None:
        if t not in self.wanted:
            return
        game = self.game
        self.rows.append({"kl": kl_logits(game.theta_star, np.log(pi)),
                          "gap_reg": regularized_gap(game, pi),
                          "exploitability": exploitability(game.P, pi),
                          "exploitability_avg": exploitability(game.P, avg),
                          "queries": float(queries)})

    def result(self) -> dict[str, np.ndarray]:
        return {k: np.array([row[k] for row in self.rows]) for k in (*self.names, "queries")}


def _prox_step(pi: np.ndarray, ref: np.ndarray, payoff: np.ndarray, keep: float, mix: float,
               gain: float) -> np.ndarray:
    """``pi^keep ref^mix exp(gain payoff)``, normalised (the prox step in probability
    form)."""
    w = pi**keep * ref**mix * np.exp(gain * payoff)
    return w / w.sum()


def _policy_extragradient(game: PreferenceGame, checkpoints: np.ndarray, method: str,
                          eta: float) -> dict[str, np.ndarray]:
    keep, mix, gain = extragradient_coefficients(method, game.beta, eta)
    rec = _Recorder(game, checkpoints, EXTRAGRADIENT_MEASURES)
    ref = np.exp(game.log_ref)
    pi = softmax(game.theta0)
    total = np.zeros(game.n)
    for t in range(int(max(checkpoints)) + 1):
        total += pi
        rec(t, pi, total / (t + 1), 2 * t)
        half = _prox_step(pi, ref, game.P @ pi, keep, mix, gain)
        pi = _prox_step(pi, ref, game.P @ half, keep, mix, gain)
    return rec.result()


def nash_mp(instance: PreferenceGame, checkpoints: np.ndarray, seed: int,
            step_scale: float = 1.0) -> dict[str, np.ndarray]:
    return _policy_extragradient(instance, checkpoints, "nash_mp", nash_mp_step(step_scale))


def egpo(instance: PreferenceGame, checkpoints: np.ndarray, seed: int,
         step_scale: float = 1.0) -> dict[str, np.ndarray]:
    return _policy_extragradient(instance, checkpoints, "egpo",
                                 egpo_step(instance.beta, step_scale))


def mwu(instance: PreferenceGame, checkpoints: np.ndarray, seed: int,
        step_scale: float = 1.0) -> dict[str, np.ndarray]:
    game = instance
    rec = _Recorder(game, checkpoints, MWU_MEASURES)
    c = mwu_step(game.n, step_scale)
    pi0 = softmax(game.theta0)
    pi = pi0
    gains = np.zeros(game.n)
    total = np.zeros(game.n)
    for t in range(int(max(checkpoints)) + 1):
        total += pi
        rec(t, pi, total / (t + 1), t)
        gains = gains + game.P @ pi
        w = pi0 * np.exp(c / np.sqrt(t + 2) * gains)
        pi = w / w.sum()
    return rec.result()
