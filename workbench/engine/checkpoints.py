"""Checkpoint grids: the iterations at which kernels record the tracked measures."""

from __future__ import annotations

import numpy as np


def checkpoints(horizon: int, per_decade: int = 30, linear: int = 0) -> np.ndarray:
    """Log-spaced iterations in ``[1, horizon]``, always including ``horizon``.

    Parameters
    ----------
    horizon
        The last iteration.
    per_decade
        Points per decade of the log-spaced part.
    linear
        Extra evenly spaced points over the horizon, for geometric fits whose window is the
        last part of the run in linear ``t``.
    """
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1, got {horizon}")
    count = int(np.ceil(per_decade * np.log10(horizon))) + 1
    grid = np.geomspace(1, horizon, max(count, 2))
    if linear:
        grid = np.concatenate([grid, np.linspace(1, horizon, linear)])
    return np.unique(np.round(grid).astype(np.int64))
