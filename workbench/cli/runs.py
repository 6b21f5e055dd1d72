"""``workbench runs`` (what the result store holds) and ``workbench export`` (its long table).

The long table has one row per run and checkpoint: the run's claim, problem, algorithm, role
(claim or comparison baseline), sweep point, seed, horizon, the problem and algorithm settings
(``logistic.l2[d=20,lam=0.001,n=200]``, ``gd[step_scale=1]``: the canonical spelling of
:mod:`workbench.cards.settings`), the code hash,
the iteration ``t`` and one column per measure or counter (empty where a run does not record
it). CSV needs nothing more; Parquet needs ``pyarrow`` (``pip install pyarrow``).
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path
from typing import Any

from workbench.cards.settings import setting_name
from workbench.cli.common import EXIT_OK
from workbench.engine.store import Store, default_path
from workbench.errors import BadInputError

FORMATS = ("csv", "parquet")
FIXED = ("claim", "problem", "algorithm", "role", "point", "seed", "horizon", "problem_setting",
         "algorithm_setting", "code", "t")


def _store(args: argparse.Namespace) -> Store:
    path = Path(args.store) if args.store else default_path()
    if not path.exists():
        raise BadInputError("no result store here (run 'workbench verify' first, or give "
                            "--store PATH)", source=str(path), field="--store")
    return Store(path)


def cmd_runs(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        rows = list(store.rows(args.claim))
    finally:
        store.close()
    print(f"{store.path}: {len(rows)} stored run(s)" + (f" of claim {args.claim}"
                                                        if args.claim else ""))
    head = ("claim", "problem", "algorithm", "role", "point", "seed", "horizon", "seconds",
            "stored")
    table = [(r["claim"], setting_name(r["problem"], r["problem_params"]),
              setting_name(r["algorithm"], r["hyper"]), r["role"], str(r["point"]),
              str(r["seed"]), str(r["horizon"]), f"{r['seconds']:.3g}",
              time.strftime("%Y-%m-%d %H:%M", time.localtime(r["created"])))
             for r in rows[: args.limit]]
    if table:
        widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(head)]
        print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
        for row in table:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    if len(rows) > args.limit:
        print(f"... {len(rows) - args.limit} more (--limit N)")
    return EXIT_OK


def long_rows(store: Store, claim: str | None) -> tuple[list[str], list[dict[str, Any]]]:
    """The long table's columns and rows."""
    rows: list[dict[str, Any]] = []
    names: set[str] = set()
    for info, result in store.traces(claim):
        task = result.task
        names.update(result.measures)
        base = {"claim": task.claim_id, "problem": task.problem, "algorithm": task.algorithm,
                "role": task.role, "point": task.point, "seed": task.seed,
                "horizon": task.horizon,
                "problem_setting": setting_name(task.problem, task.problem_params),
                "algorithm_setting": setting_name(task.algorithm, task.hyper),
                "code": info["code"]}
        for i, t in enumerate(result.t):
            rows.append({**base, "t": int(t),
                         **{name: float(v[i]) for name, v in result.measures.items()}})
    return [*FIXED, *sorted(names)], rows


def cmd_export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and out.is_dir():
        raise BadInputError("is a folder; give a file name", source=str(out), field="--out")
    if not out.parent.exists():
        raise BadInputError("its folder does not exist", source=str(out), field="--out")
    store = _store(args)
    try:
        columns, rows = long_rows(store, args.claim)
    finally:
        store.close()
    if args.format == "parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise BadInputError("Parquet needs pyarrow: pip install pyarrow (or use --format "
                                "csv)", source="--format") from None
        table = pa.table({c: [row.get(c) for row in rows] for c in columns})
        pq.write_table(table, out)
    else:
        try:
            with open(out, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns)
                writer.writeheader()
                writer.writerows(rows)
        except OSError as exc:
            raise BadInputError(f"cannot write: {exc.strerror}", source=str(out),
                                field="--out") from None
    runs = {(r["claim"], r["role"], r["point"], r["seed"]) for r in rows}
    print(f"{out}: {len(rows)} rows ({len(runs)} runs)")
    return EXIT_OK


def add_store_commands(sub: Any) -> None:
    p = sub.add_parser("runs", help="runs kept in the result store")
    p.add_argument("--store", metavar="PATH", help="result store (default as for verify)")
    p.add_argument("--claim", metavar="ID", help="only this claim's runs")
    p.add_argument("--limit", type=int, default=50, help="rows shown (default 50)")
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser("export", help="the result store as a long table (CSV or Parquet)")
    p.add_argument("--store", metavar="PATH", help="result store (default as for verify)")
    p.add_argument("--claim", metavar="ID", help="only this claim's runs")
    p.add_argument("--format", choices=FORMATS, default="csv")
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(func=cmd_export)
