"""A self-contained static HTML report of claim results, with its figures and a JSON twin.

``report.html`` needs no network: CSS and JavaScript are inline (read from the package data
in ``assets/``: the page template, its style sheet and its script), each stated rate is a
small SVG rendered from the card's rate by matplotlib's mathtext (embedded as a ``data:`` URI, with
the plain rate text as ``alt`` and tooltip), and the figures are PNG files beside the page,
each with a PDF twin (vector, with its legend, verdict box and the settings as run in the
caption). The table sorts by clicking a header and filters by family and verdict; the filter
state lives in the URL hash (``report.html#verdict=mismatch&family=logistic``), so a filtered
view can be linked. Each row names the method with its citation (``Algorithm.reference``) in
its style, and expands to the claim's details: statement, source reference, the card's notes,
the verdict's notes (slack), the checks, the local rates per window, the figure with its
diagnostics panel, the exact command that reproduces the row and the environment it ran in
(``#claim=ID`` opens one claim, ``#details=all`` every one). ``report.json`` holds the same
rows (each claim's ``verify --json`` object plus ``family``, ``figure``, ``figure_pdf``,
``rate_latex``, ``method_reference``, ``source_ref``, ``command`` and, for sweeps,
``sweep_points``) and the run's provenance.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import html
import json
import math
import platform
import shlex
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from workbench import __version__
from workbench.cards.claims import Claim, builtin_cards_dir
from workbench.cards.settings import setting_name
from workbench.engine.pipeline import versions
from workbench.engine.result import ClaimResult
from workbench.outputs.captions import method_reference
from workbench.outputs.figures import RunDetail, figure_name, figures
from workbench.outputs.styles import VERDICT_COLORS, algorithm_style
from workbench.outputs.table import marks

PAGE = "report.html"
DATA = "report.json"
#: The page's template, style sheet and script: package data in ``workbench/outputs/assets``.
ASSETS = ("report.html", "report.css", "report.js")
COLUMNS = ("paper", "claim", "method", "stated rate", "observed", "CI", "verdict", "marks",
           "reason", "figure")


@functools.cache
def asset(name: str) -> str:
    """The text of one of :data:`ASSETS`, read from the installed package."""
    if name not in ASSETS:
        raise ValueError(f"unknown report asset {name!r}; known: {', '.join(ASSETS)}")
    return resources.files("workbench.outputs").joinpath("assets", name).read_text("utf-8")


def provenance(results: Sequence[ClaimResult], quick: bool,
               run_info: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the whole run was: date, code and library versions, mode, seeds per claim."""
    import matplotlib

    first = results[0].provenance if results else {}
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "code_version": f"{__version__} ({versions()['git']})",
        **versions(), "matplotlib": matplotlib.__version__,
        "platform": platform.platform(),
        "mode": "quick" if quick else "full",
        "wall_seconds_all_claims": first.get("wall_seconds_all_claims"),
        "seeds": {r.claim.id: r.provenance.get("seeds") for r in results},
        **(run_info or {}),
    }


def _number(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _builtin(source: str) -> bool:
    try:
        return Path(source).resolve().parent == builtin_cards_dir().resolve()
    except OSError:
        return False


def reproduce_command(claim: Claim, info: dict[str, Any], quick: bool,
                      selection: dict[str, Any] | None = None) -> str:
    """The ``workbench verify`` command that reproduces a claim's row: its id, its card when
    not built in, the mode, and the seeds, seed start and limits the run used."""
    selection = selection or {}
    parts = ["workbench", "verify", claim.id]
    card = str(info.get("card") or claim.source or "")
    if card and not _builtin(card):
        parts += ["--claims", card]
    if info.get("mode", "quick" if quick else "full") == "quick":
        parts.append("--quick")
    if selection.get("seeds") is not None:
        parts += ["--seeds", str(selection["seeds"])]
    if info.get("seed_start"):
        parts += ["--seed-start", str(info["seed_start"])]
    for option in ("limit_horizon", "limit_seeds", "limit_size"):
        if selection.get(option) is not None:
            parts += ["--" + option.replace("_", "-"), str(selection[option])]
    return shlex.join(parts)


def _sweep_points(result: ClaimResult) -> list[dict[str, Any]]:
    sweep = result.claim.sweep
    if sweep is None:
        return []
    out = []
    for j, fit in enumerate(result.point_fits):
        value = sweep.values[j] if j < len(sweep.values) else None
        out.append({"value": value, "status": fit.status, "model": fit.model,
                    "quantity": fit.kind.quantity, "estimate": fit.estimate,
                    "ci": list(fit.ci) if fit.ci else None, "expected": fit.expected,
                    "window": list(fit.window) if fit.window else None, "reason": fit.reason,
                    "local": [w.to_dict() for w in fit.local]})
    return out


def rows(results: Sequence[ClaimResult], figure_ext: str = "png", quick: bool = False,
         selection: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """One JSON-ready row per claim: the ``verify --json`` object (with the card's
    ``source_ref``) plus family, figure (and its PDF), the rate as LaTeX, the method's
    citation (``Algorithm.reference``), the command that reproduces the row and, for
    sweeps, each point's fit."""
    out = []
    for result in results:
        claim = result.claim
        row = result.to_dict()
        row["family"] = claim.family
        row["figure"] = f"{figure_name(claim)}.{figure_ext}"
        row["figure_pdf"] = f"{figure_name(claim)}.pdf"
        row["rate_latex"] = claim.rate.latex()
        row["method_reference"] = method_reference(claim.problem, claim.algorithm)
        row["command"] = reproduce_command(claim, result.provenance, quick, selection)
        if claim.sweep is not None:
            row["sweep_points"] = _sweep_points(result)
        out.append(row)
    return out


def _sort_key(row: dict[str, Any]) -> str:
    observed = row.get("observed") or {}
    sweep = observed.get("sweep")
    value = (sweep or {}).get("exponent") if sweep else observed.get("estimate")
    return "" if value is None else f"{value:.6g}"


def _rate_cell(row: dict[str, Any], cache: dict[str, str]) -> str:
    from workbench.outputs.drawing import math_svg

    latex = row["rate_latex"]
    if latex not in cache:
        svg = math_svg(latex)
        cache[latex] = "" if svg is None else \
            "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    text = html.escape(row["rate"])
    if not cache[latex]:
        return f"<code>{text}</code>"
    return (f'<img class="rate" src="{cache[latex]}" alt="{text}" title="{text}">'
            f'<span class="rate-text">{text}</span>')


def _paragraphs(text: str) -> str:
    """Card text (hard-wrapped lines, blank lines between paragraphs) as HTML paragraphs."""
    parts = [" ".join(p.split()) for p in text.strip().split("\n\n")]
    return "".join(f"<p>{html.escape(p)}</p>" for p in parts if p)


def _fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return html.escape(str(value))


def _local_table(local: Sequence[dict[str, Any]], quantity: str) -> str:
    """The local sequence: one row per window, the final one (the verdict's) marked."""
    if not local:
        return '<p class="muted">no local windows</p>'
    head = (f"<tr><th>window t from</th><th>to</th><th>{html.escape(quantity)}</th>"
            "<th>claim over the window</th><th>deviation</th></tr>")
    body = []
    for k, w in enumerate(local):
        final = k == len(local) - 1
        cls = ' class="final"' if final else ""
        note = " (final: the verdict's)" if final else ""
        body.append(f"<tr{cls}><td>{_fmt(w.get('t_lo'))}</td><td>{_fmt(w.get('t_hi'))}"
                    f"{note}</td><td>{_fmt(w.get('estimate'))}</td>"
                    f"<td>{_fmt(w.get('expected'))}</td><td>{_fmt(w.get('deviation'), 3)}</td>"
                    "</tr>")
    return f'<table class="local">{head}{"".join(body)}</table>'


def _local_section(row: dict[str, Any]) -> str:
    observed = row.get("observed") or {}
    points = row.get("sweep_points")
    if points:
        parts = []
        sweep = observed.get("sweep") or {}
        name = sweep.get("parameter", "point")
        for point in points:
            head = (f"{html.escape(str(name))} = {_fmt(point['value'])}: "
                    f"{html.escape(point['status'])}, final {html.escape(point['quantity'])} "
                    f"{_fmt(point['estimate'])}")
            if point.get("reason"):
                head += f" ({html.escape(point['reason'])})"
            parts.append(f"<details class=\"point\"><summary>{head}</summary>"
                         f"{_local_table(point['local'], point['quantity'])}</details>")
        return "".join(parts)
    return _local_table(observed.get("local") or [], str(observed.get("quantity", "estimate")))


def _dl(info: dict[str, Any]) -> str:
    e = html.escape
    items = []
    for key, value in info.items():
        if key == "seeds" and isinstance(value, dict):
            value = "; ".join(f"{k}: {v[0]}..{v[-1]} ({len(v)})" if v else f"{k}: -"
                              for k, v in value.items())
        elif key == "seeds" and isinstance(value, list) and value:
            value = f"{value[0]}..{value[-1]} ({len(value)} seeds)"
        elif isinstance(value, (dict, list)):
            value = json.dumps(value, default=_number)
        items.append(f"<dt>{e(str(key))}</dt><dd>{e(str(value))}</dd>")
    return "<dl>" + "".join(items) + "</dl>"


def _checks(observed: dict[str, Any]) -> str:
    out = []
    regime = observed.get("regime")
    if regime:
        left = regime.get("left_out") or {}
        text = (f"Regime ({'; '.join(regime.get('conditions', []))}): {len(left)} of "
                f"{regime.get('seeds')} seeds left out")
        if left:
            text += ": " + "; ".join(f"seed {s}: {why}" for s, why in left.items())
        out.append(f"<li>{html.escape(text)}</li>")
    bound = observed.get("bound")
    if bound:
        state = "holds" if bound.get("holds") else "violated"
        out.append(f"<li>Explicit bound {html.escape(str(bound.get('expression')))} {state} "
                   f"({html.escape(str(bound.get('scope')))}); largest observed/bound "
                   f"{_fmt(bound.get('max_ratio'), 3)}</li>")
    return "<ul>" + "".join(out) + "</ul>" if out else ""


def _named_settings(row: dict[str, Any]) -> dict[str, Any]:
    """The row's provenance with the parameters as run spelled as settings
    (``logistic.l2[d=20,lam=0.001,n=200]``, ``gd[step_scale=1]``)."""
    info = dict(row.get("provenance") or {})
    for key, name in (("problem_params", row["problem"]), ("hyper", row["algorithm"])):
        if isinstance(info.get(key), dict):
            info[key] = setting_name(name, info[key])
    return info


def _detail_html(row: dict[str, Any]) -> str:
    e = html.escape
    ident = e(row["id"])
    stem = e(Path(row["figure"]).stem)
    source = row.get("source_ref") or ""
    notes = row.get("notes") or ""
    sections = [
        "<section><h4>Statement</h4>" + f'<p class="statement-full">{e(row["statement"])}</p>'
        + (f'<p class="source-ref">Source: {e(source)}; {e(row["paper"])}</p>' if source
           else f'<p class="source-ref">Source: {e(row["paper"])}</p>') + "</section>",
        '<section class="notes"><h4>Notes from the card: what is measured and why</h4>'
        + (_paragraphs(notes) or '<p class="muted">the card has no notes</p>') + "</section>",
    ]
    if row.get("tolerance_note"):
        sections.append("<section><h4>Tolerance override</h4>"
                        f"{_paragraphs(row['tolerance_note'])}</section>")
    verdict_notes = list(row.get("verdict_notes") or [])
    if _power_text(row):
        verdict_notes.append("power: " + _power_text(row))
    checks = _checks(row.get("observed") or {})
    if verdict_notes or checks:
        sections.append("<section><h4>Verdict notes (slack) and checks</h4><ul>"
                        + "".join(f"<li>{e(n)}</li>" for n in verdict_notes) + "</ul>"
                        + checks + "</section>")
    sections.append('<section><h4>Local rates per window</h4>' + _local_section(row)
                    + "</section>")
    sections.append(
        "<section><h4>Figure</h4>"
        f'<p><a href="#fig-{stem}">the figure, with its diagnostics panel (local rates '
        f'against t)</a> · <a href="{e(row["figure"])}">PNG</a> · '
        f'<a href="{e(row.get("figure_pdf", stem + ".pdf"))}">PDF</a></p></section>')
    sections.append("<section><h4>Reproduce this row</h4>"
                    f'<pre class="command"><code>{e(row.get("command", ""))}</code></pre>'
                    "</section>")
    sections.append("<section><h4>Environment</h4>"
                    + _dl(_named_settings(row)) + "</section>")
    summary = "Notes, source" + (f" ({e(source)})" if source else "") + \
        ", local rates, command and environment"
    return (f'<tr class="detail"><td colspan="{len(COLUMNS)}"><details id="details-{ident}">'
            f"<summary>{summary}</summary><div class=\"detail-body\">" + "".join(sections)
            + "</div></details></td></tr>")


def _power_text(row: dict[str, Any]) -> str:
    return ((row.get("observed") or {}).get("power") or {}).get("text", "")


def _row_html(row: dict[str, Any], cache: dict[str, str]) -> str:
    e = html.escape
    observed, ci = row["observed_text"], row["ci_text"]
    verdict = row["verdict"] + (f" ({row['direction']})" if row["direction"] else "")
    style = algorithm_style(row["algorithm"])
    stem = e(Path(row["figure"]).stem)
    cells = [
        f'<td data-sort="{e(row["paper"])}">{e(row["paper"])}</td>',
        f'<td data-sort="{e(row["id"])}"><b>{e(row["id"])}</b><br>'
        f'{e(row["problem"])} [{e(row["measure"])}]'
        f'<div class="statement">{e(row["statement"])}</div></td>',
        f'<td data-sort="{e(row["algorithm"])}"><span class="alg" style="border-color:'
        f'{style.color}"><span class="glyph" style="color:{style.color}">{style.glyph}</span> '
        f'{e(row["algorithm"])}</span>'
        f'<div class="method-ref">{e(row.get("method_reference", ""))}</div></td>',
        f'<td data-sort="{e(row["rate"])}">{_rate_cell(row, cache)}</td>',
        f'<td data-sort="{_sort_key(row)}">{e(observed)}</td>',
        f"<td>{e(ci)}</td>",
        f'<td data-sort="{e(verdict)}" class="verdict {e(row["verdict"])}">{e(verdict)}</td>',
        f'<td class="marks" title="{e(_power_text(row))}">{e(marks(row))}</td>',
        f'<td class="reason">{e(row["reason"])}</td>',
        f'<td><a href="#fig-{stem}">figure</a><br><a href="{e(row.get("figure_pdf", ""))}">'
        "PDF</a></td>",
    ]
    return (f'<tbody class="claim" data-family="{e(row["family"])}" '
            f'data-verdict="{e(row["verdict"])}" id="claim-{e(row["id"])}">'
            f'<tr class="main">{"".join(cells)}</tr>{_detail_html(row)}</tbody>')


def _options(values: Sequence[str]) -> str:
    return "".join(f'<option value="{html.escape(v)}">{html.escape(v)}</option>'
                   for v in values)


def render_html(table: Sequence[dict[str, Any]], info: dict[str, Any],
                figure_files: Sequence[tuple[str, list[str]]]) -> str:
    """The report page as a string (see the module docstring)."""
    cache: dict[str, str] = {}
    body_rows = "\n".join(_row_html(row, cache) for row in table)
    families = sorted({row["family"] for row in table})
    verdicts = list(VERDICT_COLORS)
    gallery = "\n".join(
        f'<figure id="fig-{html.escape(Path(name).stem)}"><img src="{html.escape(name)}" '
        f'alt="figure for {html.escape(", ".join(ids))}"><figcaption>'
        f'{html.escape(", ".join(ids))} · <a href="{html.escape(Path(name).stem)}.pdf">PDF'
        f'</a></figcaption></figure>' for name, ids in figure_files)
    colors = "".join(f".verdict.{v}{{color:{c};font-weight:bold}}"
                     for v, c in VERDICT_COLORS.items())
    header = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
    return asset("report.html").format(
        css=asset("report.css") + colors, js=asset("report.js"), rows=body_rows,
        count=len(table), header=header,
        families=_options(families), verdicts=_options(verdicts),
        provenance=_dl(info), gallery=gallery,
        mode=html.escape(str(info.get("mode", ""))), date=html.escape(str(info.get("date", ""))))


def write_report(results: Sequence[ClaimResult], details: Sequence[RunDetail | None] | None,
                 out_dir: Path | str, quick: bool = False,
                 run_info: dict[str, Any] | None = None, style: str = "paper",
                 pdf: bool = True) -> Path:
    """Write ``report.html``, ``report.json`` and each figure as PNG (and PDF) into
    ``out_dir``.

    ``details[i]`` belongs to ``results[i]`` (see :func:`workbench.outputs.figures.claim_figure`).
    ``run_info["selection"]`` (the command line's ids, seeds and limits) goes into each row's
    reproducing command. Returns the page's path.
    """
    from workbench.outputs import drawing as render

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    figure_files = []
    for data in figures(results, details):
        path = render.save(data, out, "png", style)
        if pdf:
            render.save(data, out, "pdf", style)
        figure_files.append((path.name, data.claim_ids))
    selection = (run_info or {}).get("selection")
    table = rows(results, quick=quick,
                 selection=selection if isinstance(selection, dict) else None)
    info = provenance(results, quick, run_info)
    (out / DATA).write_text(json.dumps({"provenance": info, "claims": table}, indent=2,
                                       default=_number), encoding="utf-8")
    page = out / PAGE
    page.write_text(render_html(table, info, figure_files), encoding="utf-8")
    return page
