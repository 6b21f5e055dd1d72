"""A self-contained static HTML report of claim results, with its figures and a JSON twin.

``report.html`` needs no network: CSS and JavaScript are inline, each stated rate is a small
SVG rendered from the card's rate by matplotlib's mathtext (embedded as a ``data:`` URI, with
the plain rate text as ``alt`` and tooltip), and the figures are PNG files beside the page.
The table sorts by clicking a header and filters by family and verdict; the filter state
lives in the URL hash (``report.html#verdict=mismatch&family=logistic``), so a filtered view
can be linked. Each row names the method with its citation (``Algorithm.reference``) and its
color. ``report.json`` holds the same rows (each claim's ``verify --json`` object plus
``family``, ``figure``, ``rate_latex`` and ``method_reference``) and the run's provenance.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import math
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from workbench import __version__
from workbench.engine.pipeline import versions
from workbench.engine.result import ClaimResult
from workbench.outputs.figures import (
    VERDICT_COLORS,
    RunDetail,
    algorithm_color,
    figure_name,
    figures,
    method_reference,
)

PAGE = "report.html"
DATA = "report.json"


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


def rows(results: Sequence[ClaimResult], figure_ext: str = "png") -> list[dict[str, Any]]:
    """One JSON-ready row per claim: the ``verify --json`` object plus family, figure, the
    rate as LaTeX and the method's citation (``Algorithm.reference``)."""
    out = []
    for result in results:
        claim = result.claim
        row = result.to_dict()
        row["family"] = claim.family
        row["figure"] = f"{figure_name(claim)}.{figure_ext}"
        row["rate_latex"] = claim.rate.latex()
        row["method_reference"] = method_reference(claim.problem, claim.algorithm)
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


def _row_html(row: dict[str, Any], cache: dict[str, str]) -> str:
    e = html.escape
    observed, ci = row["observed_text"], row["ci_text"]
    verdict = row["verdict"] + (f" ({row['direction']})" if row["direction"] else "")
    color = algorithm_color(row["algorithm"])
    cells = [
        f'<td data-sort="{e(row["paper"])}">{e(row["paper"])}</td>',
        f'<td data-sort="{e(row["id"])}"><b>{e(row["id"])}</b><br>'
        f'{e(row["problem"])} [{e(row["measure"])}]'
        f'<div class="statement">{e(row["statement"])}</div></td>',
        f'<td data-sort="{e(row["algorithm"])}"><span class="alg" style="border-color:{color}">'
        f'{e(row["algorithm"])}</span>'
        f'<div class="method-ref">{e(row.get("method_reference", ""))}</div></td>',
        f'<td data-sort="{e(row["rate"])}">{_rate_cell(row, cache)}</td>',
        f'<td data-sort="{_sort_key(row)}">{e(observed)}</td>',
        f"<td>{e(ci)}</td>",
        f'<td data-sort="{e(verdict)}" class="verdict {e(row["verdict"])}">{e(verdict)}</td>',
        f'<td class="reason">{e(row["reason"])}</td>',
        f'<td><a href="{e(row["figure"])}">figure</a></td>',
    ]
    return (f'<tr data-family="{e(row["family"])}" data-verdict="{e(row["verdict"])}" '
            f'id="claim-{e(row["id"])}">' + "".join(cells) + "</tr>")


def _provenance_html(info: dict[str, Any]) -> str:
    e = html.escape
    items = []
    for key, value in info.items():
        if key == "seeds":
            value = "; ".join(f"{k}: {v[0]}..{v[-1]} ({len(v)})" if v else f"{k}: -"
                              for k, v in value.items())
        elif isinstance(value, dict):
            value = json.dumps(value, default=_number)
        items.append(f"<dt>{e(str(key))}</dt><dd>{e(str(value))}</dd>")
    return "<dl>" + "".join(items) + "</dl>"


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
        f'{html.escape(", ".join(ids))}</figcaption></figure>' for name, ids in figure_files)
    colors = "".join(f".verdict.{v}{{color:{c};font-weight:bold}}"
                     for v, c in VERDICT_COLORS.items())
    return _TEMPLATE.format(
        css=_CSS + colors, js=_JS, rows=body_rows, count=len(table),
        families=_options(families), verdicts=_options(verdicts),
        provenance=_provenance_html(info), gallery=gallery,
        mode=html.escape(str(info.get("mode", ""))), date=html.escape(str(info.get("date", ""))))


def write_report(results: Sequence[ClaimResult], details: Sequence[RunDetail | None] | None,
                 out_dir: Path | str, quick: bool = False,
                 run_info: dict[str, Any] | None = None) -> Path:
    """Write ``report.html``, ``report.json`` and one PNG per figure into ``out_dir``.

    ``details[i]`` belongs to ``results[i]`` (see :func:`workbench.outputs.figures.claim_figure`).
    Returns the page's path.
    """
    from workbench.outputs import drawing as render

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    figure_files = []
    for data in figures(results, details):
        path = render.save(data, out, "png")
        figure_files.append((path.name, data.claim_ids))
    table = rows(results)
    info = provenance(results, quick, run_info)
    (out / DATA).write_text(json.dumps({"provenance": info, "claims": table}, indent=2,
                                       default=_number), encoding="utf-8")
    page = out / PAGE
    page.write_text(render_html(table, info, figure_files), encoding="utf-8")
    return page


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em}
table{border-collapse:collapse;width:100%;font-size:0.85em}
th,td{border-bottom:1px solid #ddd;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f3f3f3;cursor:pointer;user-select:none;position:sticky;top:0}
th.sorted-asc::after{content:" \\25B2"}th.sorted-desc::after{content:" \\25BC"}
tr[hidden]{display:none}
.statement{color:#555;font-size:0.9em;max-width:32em}
.reason{max-width:28em;color:#444}
.alg{border-left:4px solid;padding-left:3px;font-weight:bold}
.method-ref{color:#555;font-size:0.9em;max-width:14em}
img.rate{vertical-align:middle;max-height:3.2em}
.rate-text{display:block;font-family:monospace;font-size:0.8em;color:#777}
.filters{margin:1em 0}.filters label{margin-right:1.5em}
figure{display:inline-block;margin:0.5em;vertical-align:top}
figure img{max-width:100%;border:1px solid #ddd}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 1em;font-size:0.85em}
dt{font-weight:bold}dd{margin:0;font-family:monospace;word-break:break-all}
"""

_JS = r"""
(function () {
  var table = document.getElementById("claims");
  var body = table.tBodies[0];
  var selects = {family: document.getElementById("filter-family"),
                 verdict: document.getElementById("filter-verdict")};
  function readHash() {
    var state = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var kv = part.split("=");
      if (kv.length === 2) state[decodeURIComponent(kv[0])] = decodeURIComponent(kv[1]);
    });
    return state;
  }
  function apply() {
    var shown = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var ok = Object.keys(selects).every(function (key) {
        var want = selects[key].value;
        return !want || row.getAttribute("data-" + key) === want;
      });
      if (ok) { row.removeAttribute("hidden"); shown += 1; }
      else { row.setAttribute("hidden", ""); }
    });
    document.getElementById("shown").textContent = shown;
    document.body.setAttribute("data-shown", String(shown));
  }
  function writeHash() {
    var parts = [];
    Object.keys(selects).forEach(function (key) {
      if (selects[key].value) parts.push(key + "=" + encodeURIComponent(selects[key].value));
    });
    history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname);
    apply();
  }
  function fromHash() {
    var state = readHash();
    Object.keys(selects).forEach(function (key) {
      var want = state[key] || "";
      var known = Array.prototype.some.call(selects[key].options, function (o) {
        return o.value === want;
      });
      selects[key].value = known ? want : "";
    });
    apply();
  }
  Object.keys(selects).forEach(function (key) {
    selects[key].addEventListener("change", writeHash);
  });
  window.addEventListener("hashchange", fromHash);
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
    th.addEventListener("click", function () {
      var asc = !th.classList.contains("sorted-asc");
      Array.prototype.forEach.call(th.parentNode.cells, function (c) {
        c.classList.remove("sorted-asc", "sorted-desc");
      });
      th.classList.add(asc ? "sorted-asc" : "sorted-desc");
      var rows = Array.prototype.slice.call(body.rows);
      function key(row) {
        var cell = row.cells[index];
        return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort")
                                              : cell.textContent;
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
        var cmp = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return asc ? cmp : -cmp;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  fromHash();
  window.addEventListener("load", function () {
    var images = document.images, ok = 0, failed = [];
    Array.prototype.forEach.call(images, function (img) {
      if (img.complete && img.naturalWidth > 0) ok += 1;
      else failed.push(img.getAttribute("alt"));
    });
    document.body.setAttribute("data-images", ok + "/" + images.length);
    document.body.setAttribute("data-images-failed", failed.join("; "));
  });
})();
"""

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rate workbench report</title>
<style>{css}</style>
</head>
<body>
<h1>Convergence claims: observed against stated rates</h1>
<p>Mode: <b>{mode}</b>; generated {date}. <span id="shown">{count}</span> of {count} claims
shown. Click a column header to sort.</p>
<div class="filters">
<label>Family <select id="filter-family"><option value="">all</option>{families}</select></label>
<label>Verdict <select id="filter-verdict"><option value="">all</option>{verdicts}</select>
</label>
</div>
<table id="claims">
<thead><tr><th>paper</th><th>claim</th><th>method</th><th>stated rate</th><th>observed</th>
<th>CI</th><th>verdict</th><th>reason</th><th>figure</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<h2>Figures</h2>
{gallery}
<h2>Provenance</h2>
{provenance}
<p>The same data: <a href="report.json">report.json</a>.</p>
<script>{js}</script>
</body>
</html>
"""
