"""Trajectories given by the user: a CSV with columns ``t,value`` and an optional ``seed``."""

from __future__ import annotations

import csv

import numpy as np

from workbench.engine.fit import Curve
from workbench.errors import BadInputError


def read_trajectory(path: str) -> Curve:
    """A CSV with columns ``t,value`` and optional ``seed``; every seed on the same ``t``."""
    try:
        handle = open(path, newline="", encoding="utf-8")
    except OSError as exc:
        raise BadInputError(f"cannot read: {exc.strerror}", source=path) from None
    with handle:
        reader = csv.DictReader(handle)
        columns = [c.strip() for c in (reader.fieldnames or [])]
        if "t" not in columns or "value" not in columns:
            raise BadInputError(f"needs columns t,value (and optionally seed); found "
                           f"{','.join(columns) or 'nothing'}", source=path, field="header")
        rows: dict[str, list[tuple[float, float]]] = {}
        for line, row in enumerate(reader, start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            parsed = []
            for column in ("t", "value"):
                try:
                    number = float(row[column])
                except ValueError:
                    raise BadInputError(f"line {line}: {row[column]!r} is not a number",
                                   source=path, field=column) from None
                if not np.isfinite(number):
                    raise BadInputError(f"line {line}: {row[column]} is not finite", source=path,
                                   field=column)
                parsed.append(number)
            rows.setdefault(row.get("seed", "0") or "0", []).append((parsed[0], parsed[1]))
    if not rows:
        raise BadInputError("no data rows", source=path)
    grids = {seed: sorted(points) for seed, points in rows.items()}
    t = np.array([p[0] for p in next(iter(grids.values()))])
    for seed, points in grids.items():
        if not np.array_equal(np.array([p[0] for p in points]), t):
            raise BadInputError(f"seed {seed} has other t values than the first seed; every seed "
                           "must share one grid", source=path, field="t")
    if t.size < 2 or np.any(t <= 0) or np.any(np.diff(t) <= 0):
        raise BadInputError("t must be positive and without repeats within a seed", source=path,
                       field="t")
    values = np.array([[p[1] for p in points] for points in grids.values()])
    return Curve(t, values)
