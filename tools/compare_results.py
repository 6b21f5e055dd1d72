"""Compare two ``workbench verify --json`` outputs claim by claim, timings and paths aside.

    python tools/compare_results.py before.json after.json

Prints every claim whose verdict, numbers or text differ (the first differing field of
each) and exits 1 if any does, 0 if the two runs are identical verdict for verdict and number
for number. What is left out: the provenance fields that change from run to run without
changing a result (wall and compile times, the git commit, the card's path on disk).
"""

from __future__ import annotations

import json
import sys
from typing import Any

RUN_TO_RUN = {"git", "wall_seconds_all_claims", "seconds", "compile_seconds", "card"}


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in RUN_TO_RUN}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _first_difference(a: Any, b: Any, path: str = "") -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}.{key}: only in {'after' if key in b else 'before'}"
            found = _first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} entries before, {len(b)} after"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a!r} -> {b!r}"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    before, after = ({row["id"]: _strip(row) for row in json.load(open(p, encoding="utf-8"))}
                     for p in argv)
    changed = 0
    for claim in sorted(set(before) | set(after)):
        if claim not in before or claim not in after:
            print(f"{claim}: only in {'after' if claim in after else 'before'}")
            changed += 1
            continue
        found = _first_difference(before[claim], after[claim])
        if found:
            print(f"{claim}{found}")
            changed += 1
    print(f"{len(before)} claims before, {len(after)} after, {changed} differ")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
