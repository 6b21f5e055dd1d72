"""Trajectories given by the user: a CSV with columns ``t,value`` and an optional ``seed``.

The file is read with NumPy's C parser (ten million rows in seconds); anything wrong with it
(not UTF-8, compressed, a missing column, a value that is not a finite number, a seed whose
grid differs from the others, a negative error beyond the stated floor) is a
:class:`~workbench.errors.BadInputError` naming the file, the column and the line.
"""

from __future__ import annotations

import codecs
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workbench.engine.fit import Curve
from workbench.errors import BadInputError, excerpt

COLUMNS = ("t", "value", "seed")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Trajectory:
    """A CSV's traces and what reading it changed.

    Attributes
    ----------
    curve
        Every seed's trace on the shared grid, with the floor given.
    seeds
        The seed labels, normalised (``1`` and ``1.0`` are one seed), in sorted order.
    clipped
        How many negative values within the floor were set to 0 (round-off).
    """

    curve: Curve
    seeds: tuple[str, ...]
    clipped: int = 0

    def note(self) -> str:
        """One sentence on what reading changed, or ``""``."""
        if not self.clipped:
            return ""
        return (f"{self.clipped} negative value(s) within the floor {self.curve.floor:g} were "
                "taken as round-off and set to 0")


def _bad(path: str, message: str, field: str = "") -> BadInputError:
    return BadInputError(message, source=path, field=field)


def _header(path: str) -> str:
    """The first line (BOM removed); checks that the whole file is UTF-8 text without reading
    it into memory at once."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    first = b""
    line = 1
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below; errors must name the path)
    except OSError as exc:
        raise _bad(path, f"cannot read: {exc.strerror or exc}") from None
    with handle:
        head = handle.read(4)
        if head[:2] == b"\x1f\x8b":
            raise _bad(path, "gzip-compressed; decompress it first (the file must be CSV text)")
        handle.seek(0)
        while chunk := handle.read(_CHUNK):
            if not first:
                first = chunk
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                where = line + chunk[:exc.start].count(b"\n")
                raise _bad(path, f"not UTF-8 text (byte 0x{chunk[exc.start]:02x} on line "
                           f"{where}); save it as UTF-8 CSV") from None
            if b"\x00" in chunk:
                raise _bad(path, "contains NUL bytes; it is not a text file")
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise _bad(path, "not UTF-8 text (it ends inside a character)") from None
    if not first:
        raise _bad(path, "empty file; needs a header line t,value (and optionally seed)",
                   "header")
    header = first.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    return header.lstrip("\ufeff").rstrip("\r")


def _columns(path: str, header: str) -> dict[str, int]:
    names = [c.strip().strip('"').strip() for c in header.split(",")]
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in COLUMNS:
            if name in index:
                raise _bad(path, f"column {name!r} appears twice in the header", "header")
            index[name] = i
    if "t" not in index or "value" not in index:
        found = excerpt(",".join(names), 80) if any(names) else "nothing"
        raise _bad(path, f"needs columns t,value (and optionally seed); found {found}",
                   "header")
    return index


def _data_lines(path: str):
    """``(line number, fields)`` of every data line (the header and empty lines skipped)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        next(handle, None)
        for number, line in enumerate(handle, start=2):
            text = line.rstrip("\r\n")
            if text:
                yield number, [f.strip().strip('"').strip() for f in text.split(",")]


def _locate(path: str, columns: dict[str, int]) -> BadInputError:
    """The first line that NumPy's parser rejected, found by a plain scan."""
    for number, fields in _data_lines(path):
        for name, i in columns.items():
            if i >= len(fields):
                return _bad(path, f"line {number}: has {len(fields)} field(s), no {name!r}",
                            name)
            if name == "seed":
                if not fields[i]:
                    return _bad(path, f"line {number}: empty seed", name)
                continue
            try:
                float(fields[i])
            except ValueError:
                return _bad(path, f"line {number}: {excerpt(fields[i])} is not a number", name)
    return _bad(path, "cannot be read as CSV numbers")


def _line_of(path: str, row: int) -> int:
    """The file line of data row ``row`` (0-based)."""
    for k, (number, _) in enumerate(_data_lines(path)):
        if k == row:
            return number
    return row + 2


def _load(path: str, columns: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """``(numbers, seed labels)``: t and value as floats, seeds as canonical strings."""
    def read(usecols: tuple[int, ...], dtype: type) -> np.ndarray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "input contained no data"
            return np.loadtxt(path, delimiter=",", skiprows=1, usecols=usecols, dtype=dtype,
                              ndmin=2, comments=None, quotechar='"', encoding="utf-8-sig")

    numeric = (columns["t"], columns["value"])
    try:
        if "seed" not in columns:
            data = read(numeric, float)
            return data, np.full(data.shape[0], "0")
        try:
            data = read((*numeric, columns["seed"]), float)
            return data[:, :2], _number_labels(data[:, 2])
        except ValueError as exc:
            if f"column {columns['seed'] + 1}" not in str(exc):
                raise
        data = read(numeric, float)
        seeds = read((columns["seed"],), str)[:, 0]
        return data, _text_labels(seeds)
    except ValueError:
        raise _locate(path, columns) from None


def _canonical(number: float) -> str:
    whole = np.isfinite(number) and number == round(number) and abs(number) < 2**63
    return str(int(number)) if whole else repr(float(number))


def _number_labels(seeds: np.ndarray) -> np.ndarray:
    """Numeric seed labels with one spelling per seed: ``1`` and ``1.0`` are seed ``1``."""
    unique, inverse = np.unique(seeds, return_inverse=True)
    return np.array([_canonical(x) for x in unique])[inverse.ravel()]


def _text_labels(raw: np.ndarray) -> np.ndarray:
    """Seed labels as written; those that read as numbers are spelled as in
    :func:`_number_labels`, so ``1``, ``1.0`` and `` 1 `` are one seed."""
    unique, inverse = np.unique(np.char.strip(np.char.strip(raw), '"'), return_inverse=True)
    canonical = []
    for label in unique:
        try:
            canonical.append(_canonical(float(label)))
        except ValueError:
            canonical.append(str(label))
    return np.array(canonical)[inverse.ravel()]


def load_trajectory(path: str, floor: float = 0.0) -> Trajectory:
    """Read and validate a trajectory CSV.

    Parameters
    ----------
    path
        A CSV with columns ``t,value`` and optionally ``seed`` (every seed on the same ``t``).
    floor
        The absolute accuracy of the values: negative values down to ``-floor`` are round-off
        and set to 0 (the result says how many); below that they are bad input.
    """
    path = str(path)
    if Path(path).is_dir():
        raise _bad(path, "is a folder, not a CSV file")
    columns = _columns(path, _header(path))
    numbers, labels = _load(path, columns)
    if numbers.shape[0] == 0:
        raise _bad(path, "no data rows")
    t, values = numbers[:, 0], numbers[:, 1]
    for name, column in (("t", t), ("value", values)):
        bad = np.flatnonzero(~np.isfinite(column))
        if bad.size:
            raise _bad(path, f"line {_line_of(path, int(bad[0]))}: {column[bad[0]]} is not "
                       "finite", name)
    bad = np.flatnonzero(t <= 0)
    if bad.size:
        raise _bad(path, f"line {_line_of(path, int(bad[0]))}: t = {t[bad[0]]:g}; t must be "
                   "positive (iterations or oracle calls)", "t")
    bad = np.flatnonzero(values < -floor)
    if bad.size:
        hint = f"values within --floor {floor:g} of 0 are taken as round-off" if floor else \
            "give --floor F if the values carry round-off up to F"
        raise _bad(path, f"line {_line_of(path, int(bad[0]))}: value {values[bad[0]]:g} is "
                   f"negative; an error measure is at least 0 ({hint})", "value")
    clipped = int(np.count_nonzero(values < 0))
    values = np.maximum(values, 0.0)
    return Trajectory(*_grid(path, t, values, labels, floor), clipped=clipped)


def _grid(path: str, t: np.ndarray, values: np.ndarray, labels: np.ndarray,
          floor: float) -> tuple[Curve, tuple[str, ...]]:
    """Rows grouped by seed onto one shared, strictly increasing grid."""
    seeds, inverse = np.unique(labels, return_inverse=True)
    inverse = inverse.ravel()
    counts = np.bincount(inverse)
    if np.any(counts != counts[0]):
        low, high = int(np.argmin(counts)), int(np.argmax(counts))
        raise _bad(path, f"seed {seeds[low]} has {counts[low]} rows and seed {seeds[high]} "
                   f"{counts[high]}; every seed must share one grid of t", "t")
    order = np.lexsort((t, inverse))
    grid = t[order].reshape(seeds.size, -1)
    traces = values[order].reshape(seeds.size, -1)
    differs = np.flatnonzero(np.any(grid != grid[0], axis=1))
    if differs.size:
        raise _bad(path, f"seed {seeds[differs[0]]} has other t values than seed {seeds[0]}; "
                   "every seed must share one grid", "t")
    if grid.shape[1] < 2:
        raise _bad(path, f"has {grid.shape[1]} row per seed; a fit needs at least 2 points of "
                   "t (and more for a verdict)", "t")
    repeats = np.flatnonzero(np.diff(grid[0]) == 0)
    if repeats.size:
        raise _bad(path, f"t = {grid[0][repeats[0]]:g} appears more than once for seed "
                   f"{seeds[0]}; give each t once per seed", "t")
    return Curve(grid[0], traces, floor), tuple(str(s) for s in seeds)


def read_trajectory(path: str, floor: float = 0.0) -> Curve:
    """The traces of a trajectory CSV (see :func:`load_trajectory`)."""
    return load_trajectory(path, floor).curve
