"""Bad inputs and faults (issue 17): one line on stderr, the documented exit status, no traceback.

The first half is a table of the cases the issue names, each with the behaviour it now has;
the second half generates cards, rates, CSVs and command lines with hypothesis. Every case
runs in an empty working folder and checks that nothing was written there except the output
folder it names, and that no run starts when the input is bad (``run_tasks`` is replaced by a
function that fails the test).
"""

from __future__ import annotations

import gzip
import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.cli.main import main

GOOD = """
[paper]
title = "A paper"
year = 2024

[[claim]]
id = "c1"
statement = "GD is linear."
problem = "logistic.l2"
problem_params = { n = 50, d = 5, lam = 1e-2 }
algorithm = "gd"
measure = "dist_sq"
rate = "O((1 - mu/L)**T)"
horizon = 300
seeds = 3
"""

SWEEP = """
[claim.sweep]
parameter = "lam"
values = {values}
quantity = "cost"
target = 1e-3
complexity = "O(1/lam)"
"""

FORBIDDEN = ("Traceback", "TokenError", "object is not callable", "SyntaxError",
             "KeyError", "Exception")


class RunStarted(BaseException):
    """Raised instead of running tasks: bad input must be caught before any run."""


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """``cli(*argv, run=False)``: the CLI in an empty working folder; returns (status, out,
    err) after checking the one-line and no-traceback rules and that nothing but ``--out``
    was written. With ``run=False`` starting a task fails the test."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)

    def run(*argv: str, run: bool = False, allowed: tuple[str, ...] = ()) -> tuple[int, str,
                                                                                      str]:
        if not run:
            def refuse(*args: Any, **kwargs: Any) -> None:
                raise RunStarted(" ".join(argv))

            monkeypatch.setattr("workbench.engine.pipeline.run_tasks", refuse)
        else:
            monkeypatch.undo()
            monkeypatch.chdir(work)
        status = main(list(argv))
        out, err = capsys.readouterr()
        for word in FORBIDDEN:
            assert word not in err, err
        if status != 0 or err:
            assert err.count("\n") == 1 and err.endswith("\n"), err
            assert all(c.isprintable() for c in err[:-1]), err
            assert err.startswith("workbench: "), err
        left = sorted(p.name for p in work.iterdir())
        assert set(left) <= set(allowed), left
        return status, out, err

    return run


def card(tmp_path: Path, text: str = GOOD, name: str = "card.toml", **replace: str) -> str:
    """A card file: ``GOOD`` with ``old=new`` replacements (keys are field names)."""
    for old, new in replace.items():
        line = next(ln for ln in text.splitlines() if ln.startswith(f"{old} ="))
        text = text.replace(line, new, 1)
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def csv(tmp_path: Path, content: str | bytes, name: str = "run.csv") -> str:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def power_csv(t: np.ndarray, seeds: list[str]) -> str:
    lines = ["t,value,seed"]
    for k, seed in enumerate(seeds):
        lines += [f"{ti},{float(1.0 / ti * (1 + 0.01 * k))!r},{seed}" for ti in t]
    return "\n".join(lines) + "\n"


RANDOM_BYTES = bytes(np.random.default_rng(17).integers(128, 256, 400, dtype=np.uint8))


# -- the named cases ------------------------------------------------------------------------
# (id, argv builder, exit status, text the one error line must contain)
Case = tuple[str, Callable[[Path], list[str]], int, str]
CASES: list[Case] = [
    # Tracebacks before
    ("card-random-bytes", lambda p: ["list", "--claims", csv(p, RANDOM_BYTES, "c.toml")], 2,
     "not UTF-8"),
    ("card-gzip", lambda p: ["verify", "--claims", csv(p, gzip.compress(GOOD.encode()),
                                                       "c.toml")], 2, "gzip"),
    ("card-latin1", lambda p: ["list", "--claims", csv(
        p, GOOD.replace("A paper", "Caf\xe9").encode("latin-1"), "c.toml")], 2, "not UTF-8"),
    ("csv-random-bytes", lambda p: ["fit", csv(p, RANDOM_BYTES), "--rate", "O(1/T)"], 2,
     "not UTF-8"),
    ("csv-gzip", lambda p: ["fit", csv(p, gzip.compress(b"t,value\n1,1\n2,0.5\n")), "--rate",
                            "O(1/T)"], 2, "gzip"),
    ("csv-latin1", lambda p: ["fit", csv(p, "t,value,seed\n1,1,caf\xe9\n".encode("latin-1")),
                              "--rate", "O(1/T)"], 2, "not UTF-8"),
    ("seeds-1e8", lambda p: ["verify", "--claims", card(p), "--seeds", "100000000"], 2,
     "exceeds the limit 1000"),
    ("lam-negative", lambda p: ["verify", "--claims", card(
        p, problem_params="problem_params = { lam = -1 }")], 2, "'lam' = -1 is outside"),
    ("n-1e9", lambda p: ["verify", "--claims", card(
        p, problem_params="problem_params = { n = 1e9 }")], 2, "instance size"),
    ("quick-params-oops", lambda p: ["verify", "--claims", card(
        p, GOOD + '[claim.quick]\nproblem_params = "oops"\n')], 2, "quick.problem_params"),
    ("tolerance-inf", lambda p: ["verify", "--claims", card(
        p, seeds='seeds = 3\ntolerances = { slope = inf, why = "x" }')], 2, "finite"),
    ("tol-bootstrap-0", lambda p: ["verify", "--claims", card(p), "--tol", "bootstrap=0"], 2,
     "tolerance 'bootstrap'"),
    ("tol-min-points-0", lambda p: ["verify", "--claims", card(p), "--tol", "min_points=0"],
     2, "outside"),
    ("figure-5", lambda p: ["verify", "--claims", card(p, seeds="seeds = 3\nfigure = 5")], 2,
     "field 'figure'"),
    ("broken-tex-title", lambda p: ["plot", "--all", "--claims", card(
        p, GOOD.replace('"A paper"', '"Rates $O(1/T^$"'))], 2, "TeX"),
    ("report-out-is-file", lambda p: ["report", "--out", csv(p, "x", "taken"), "--claims",
                                      card(p)], 2, "not a folder"),
    ("plot-out-under-file", lambda p: ["plot", "--all", "--out", csv(p, "x", "f") + "/sub",
                                       "--claims", card(p)], 2, "is a file"),
    ("plot-out-unwritable", lambda p: ["plot", "--all", "--out", "/proc/1/workbench-figures",
                                       "--claims", card(p)], 2, "cannot"),
    ("baseline-out-is-folder", lambda p: ["baseline", "save", "--out", str(p), "--claims",
                                          card(p)], 2, "is a folder"),
    ("report-figure-is-folder", lambda p: ["report", "--out", str(_with_folder(p, "c1.png")),
                                           "--claims", card(p)], 2, "c1.png"),
    # Accepted though wrong before
    ("rate-O(T)", lambda p: ["verify", "--claims", card(p, rate='rate = "O(T)"')], 2,
     "does not decay"),
    ("rate-exp-negative", lambda p: ["list", "--claims", card(
        p, rate='rate = "exp(-Omega(-T))"')], 2, "rate constant -1 is not positive"),
    ("rate-O(0)", lambda p: ["verify", "--claims", card(p, rate='rate = "O(0)"')], 2,
     "states no rate"),
    ("sweep-repeated-values", lambda p: ["verify", "--claims", card(
        p, GOOD + SWEEP.format(values="[0.1, 0.1, 0.1]"))], 2, "distinct"),
    ("sweep-not-monotone", lambda p: ["verify", "--claims", card(
        p, GOOD + SWEEP.format(values="[0.1, 0.3, 0.2]"))], 2, "strictly"),
    ("n-50.5", lambda p: ["verify", "--claims", card(
        p, problem_params="problem_params = { n = 50.5 }")], 2, "must be an integer"),
    ("min-points-0.5", lambda p: ["verify", "--claims", card(
        p, seeds='seeds = 3\ntolerances = { min_points = 0.5, why = "x" }')], 2,
     "must be an integer"),
    ("rate-params-T", lambda p: ["verify", "--claims", card(
        p, seeds="seeds = 3\nrate_params = { T = 5 }")], 2, "T is the horizon"),
    ("jobs-0", lambda p: ["verify", "--claims", card(p), "--jobs", "0"], 2, "--jobs"),
    ("jobs-minus-1", lambda p: ["verify", "--claims", card(p), "--jobs", "-1"], 2, "--jobs"),
    ("tol-slope-nan", lambda p: ["verify", "--claims", card(p), "--tol", "slope=nan"], 2,
     "finite"),
    ("fit-tol-slope-inf", lambda p: ["fit", _good_csv(p), "--rate", "O(1/T)", "--tol",
                                     "slope=inf"], 2, "finite"),
    ("fit-t-min-negative", lambda p: ["fit", _good_csv(p), "--rate", "O(1/T)", "--t-min",
                                      "-5"], 2, "--t-min"),
    ("fit-floor-negative", lambda p: ["fit", _good_csv(p), "--rate", "O(1/T)", "--floor",
                                      "-1"], 2, "--floor"),
    ("fit-floor-nan", lambda p: ["fit", _good_csv(p), "--rate", "O(1/T)", "--floor", "nan"],
     2, "--floor"),
    ("csv-all-negative", lambda p: ["fit", csv(p, "t,value\n1,-1\n2,-0.5\n3,-0.2\n"),
                                    "--rate", "O(1/T)"], 2, "negative"),
    ("claim-id-with-slash", lambda p: ["list", "--claims", card(p, id='id = "x/y"')], 2,
     "names files"),
    # Resources
    ("rate-huge-power", lambda p: ["list", "--claims", card(
        p, rate='rate = "O(1/T**(9**9**9))"')], 2, "out of range"),
    ("horizon-2**63-1", lambda p: ["verify", "--claims", card(
        p, horizon=f"horizon = {2**63 - 1}")], 2, "--limit-horizon"),
    ("seeds-1e9-integer", lambda p: ["verify", "--claims", card(
        p, seeds="seeds = 1000000000")], 2, "--limit-seeds"),
    ("seeds-1e9-float", lambda p: ["verify", "--claims", card(p, seeds="seeds = 1e9")], 2,
     "positive integer"),
    # Messages
    ("rate-token-error", lambda p: ["fit", _good_csv(p), "--rate", "O(1/T"], 2,
     "unbalanced parentheses"),
    ("rate-symbol-call", lambda p: ["fit", _good_csv(p), "--rate", "O(x(T))"], 2,
     "x(...) is not a function"),
    ("single-row-csv", lambda p: ["fit", csv(p, "t,value\n1,0.5\n"), "--rate", "O(1/T)"], 2,
     "at least 2"),
    ("n-0", lambda p: ["verify", "--claims", card(
        p, problem_params="problem_params = { n = 0 }")], 2, "'n' = 0 is outside"),
]


def _good_csv(tmp_path: Path) -> str:
    return csv(tmp_path, power_csv(np.unique(np.geomspace(1, 1e4, 60).astype(int)), ["0"]))


def _with_folder(tmp_path: Path, name: str) -> Path:
    out = tmp_path / "report"
    (out / name).mkdir(parents=True)
    return out


@pytest.mark.parametrize(("name", "argv", "status", "needle"), CASES, ids=[c[0] for c in CASES])
def test_named_case(cli, tmp_path, name, argv, status, needle):
    got, out, err = cli(*argv(tmp_path))
    assert got == status, err
    assert needle in err, err
    assert out == ""


def test_24kb_rate_is_not_echoed_in_full(cli, tmp_path):
    status, _, err = cli("fit", _good_csv(tmp_path), "--rate", "O(1/T)" * 4000)
    assert status == 2 and len(err) < 400 and "24000 characters" in err


def test_huge_power_card_loads_at_once(cli, tmp_path):
    start = time.perf_counter()
    status, _, err = cli("list", "--claims", card(tmp_path, rate='rate = "O(1/T**(9^9^9))"'))
    assert status == 2 and time.perf_counter() - start < 5, err


def test_seed_labels_1_and_1_0_are_one_seed(cli, tmp_path):
    t = np.unique(np.geomspace(1, 1e4, 60).astype(int))
    half = t.size // 2
    text = "t,value,seed\n" + "".join(f"{ti},{float(1.0 / ti)!r},{'1' if i < half else '1.0'}\n"
                                      for i, ti in enumerate(t))
    status, out, err = cli("fit", csv(tmp_path, text), "--rate", "O(1/T)", "--json")
    assert status == 0, err
    assert json.loads(out)["observed"]["seeds"] == 1


def test_round_off_negatives_within_the_floor_are_clipped_and_said(cli, tmp_path):
    t = np.unique(np.geomspace(1, 1e4, 60).astype(int))
    text = power_csv(t, ["0"]).replace(f"{t[-1]},{float(1.0 / t[-1])!r}", f"{t[-1]},-1e-13")
    path = csv(tmp_path, text)
    status, _, err = cli("fit", path, "--rate", "O(1/T)")
    assert status == 2 and "--floor" in err
    status, out, err = cli("fit", path, "--rate", "O(1/T)", "--floor", "1e-12")
    assert status in (0, 1), err
    assert "1 negative value(s) within the floor 1e-12" in out


def test_existing_output_folder_is_reused(cli, tmp_path):
    out = tmp_path / "work" / "figs"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    status, stdout, err = cli("plot", "c1", "--out", "figs", "--claims", card(tmp_path),
                              "--jobs", "1", "--no-progress", run=True, allowed=("figs",))
    assert status == 0, err
    assert (out / "c1.png").stat().st_size > 0 and (out / "keep.txt").read_text() == "x"


def test_internal_error_is_one_line_exit_3(cli, tmp_path, monkeypatch, capsys):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr("workbench.engine.pipeline.run_claims", broken)
    status, _, err = cli("verify", "--claims", card(tmp_path))
    assert status == 3 and "internal error" in err and "--debug" in err
    status = main(["verify", "--claims", card(tmp_path), "--debug"])
    err = capsys.readouterr().err
    assert status == 3 and "Traceback" in err and "simulated bug" in err


# -- generated inputs -----------------------------------------------------------------------
FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def toml_value(value: Any) -> str:
    """``value`` as TOML (floats keep nan and inf; strings JSON-escaped)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) \
        + " }"


SCALARS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 2, -1, 0.5, 1e9, 1e-300, 2**63 - 1, 10**6]),
    st.text(max_size=30),
    st.sampled_from(["", "O(1/T)", "exp(-Omega(T))", "x/y", "$O(1/T^$", "mean", "cost",
                     "logistic.l2", "gd", "dist_sq", "iterations"]),
    st.booleans(),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(["n", "d", "lam", "slope", "why", "values", "T", "x"]),
                    inner, max_size=3)), max_leaves=6)
FIELDS = ["id", "statement", "problem", "problem_params", "algorithm", "hyper", "measure",
          "rate", "horizon", "seeds", "aggregate", "axis", "rate_params", "t_min", "notes",
          "tolerances", "figure", "source_ref", "sweep", "quick", "colour"]


@FUZZ
@given(field=st.sampled_from(FIELDS), value=VALUES)
def test_fuzz_card_fields(cli, tmp_path, field, value):
    text = GOOD.replace("seeds = 3", "seeds = 3\n# fuzz")
    lines = [ln for ln in text.splitlines() if not ln.startswith(f"{field} =")]
    text = "\n".join(lines).replace("# fuzz", f"{field} = {toml_value(value)}")
    status, _, err = cli("list", "--claims", card(tmp_path, text))
    assert status in (0, 2), err


@FUZZ
@given(field=st.sampled_from(["title", "authors", "year", "doi", "venue", "nope"]),
       value=SCALARS)
def test_fuzz_paper_fields(cli, tmp_path, field, value):
    text = GOOD.replace("year = 2024", f"year = 2024\n{field} = {toml_value(value)}")
    if field == "year":
        text = GOOD.replace("year = 2024", f"year = {toml_value(value)}")
    status, _, err = cli("list", "--claims", card(tmp_path, text))
    assert status in (0, 2), err


RATE_WORDS = st.sampled_from(["O", "Omega", "Theta", "exp", "log", "sqrt", "T", "alpha",
                              "mu", "L", "x", "(", ")", "*", "**", "^", "/", "+", "-", "2",
                              "9", "0", "1e9", "0.5", ",", " ", "(-", "lambda", "_x", "."])


@st.composite
def rates(draw: Any) -> str:
    """Rate strings: token soup, plain text, and well-formed laws with random insides."""
    kind = draw(st.sampled_from(["soup", "text", "law"]))
    if kind == "soup":
        return "".join(draw(st.lists(RATE_WORDS, max_size=25)))
    if kind == "text":
        return draw(st.text(max_size=40))
    inner = "".join(draw(st.lists(RATE_WORDS, min_size=1, max_size=12)))
    bound = draw(st.sampled_from(["O", "Omega", "Theta"]))
    return draw(st.sampled_from([f"{bound}({inner})", f"exp(-{bound}({inner}))"]))


@FUZZ
@given(rate=rates())
def test_fuzz_rates_in_cards(cli, tmp_path, rate):
    start = time.perf_counter()
    status, _, err = cli("list", "--claims", card(tmp_path, rate=f"rate = {json.dumps(rate)}"))
    assert status in (0, 2), err
    assert time.perf_counter() - start < 5, rate


CELLS = st.one_of(st.sampled_from(["1", "2", "0.5", "1e-3", "-1", "nan", "inf", "", "x",
                                   "1.0", " 3 ", '"4"', "0", "1e400", "-0"]),
                  st.floats(allow_nan=False, allow_infinity=False).map(repr),
                  st.text(alphabet="0123456789.e-+ ,\"", max_size=6))


@FUZZ
@given(header=st.sampled_from(["t,value", "t,value,seed", "seed,value,t", "value", "t,t,value",
                               "T,Value", ""]),
       rows=st.lists(st.lists(CELLS, min_size=1, max_size=4), max_size=12),
       raw=st.one_of(st.none(), st.binary(max_size=60)))
def test_fuzz_csv(cli, tmp_path, header, rows, raw):
    content: str | bytes = raw if raw is not None else \
        "\n".join([header, *(",".join(r) for r in rows)]) + "\n"
    status, _, err = cli("fit", csv(tmp_path, content), "--rate", "O(1/T)")
    assert status in (0, 1, 2), err


OPTIONS = {
    "verify": ["--seeds", "--seed-start", "--jobs", "--tol", "--task-timeout",
               "--limit-horizon", "--limit-seeds", "--limit-size", "--family", "--max-seeds",
               "--json", "--quick", "--no-progress"],
    "plot": ["--seeds", "--jobs", "--out", "--format", "--all", "--family", "--quick"],
    "report": ["--seeds", "--jobs", "--out", "--family", "--task-timeout"],
    "list": ["--family", "--limit-horizon"],
    "fit": ["--rate", "--param", "--tol", "--t-min", "--floor", "--aggregate", "--json"],
}
OPTION_VALUES = st.sampled_from(["0", "-1", "1", "2", "1e9", "nan", "inf", "-inf", "x", "",
                                 "slope=nan", "slope=0.2", "min_points=2.5", "beta=1",
                                 "logistic", "svg", "O(1/T)", "O(T)", "out", "taken",
                                 "/proc/1/x", "100000000", "9" * 30, "0.001", "mean"])


@FUZZ
@given(command=st.sampled_from(sorted(OPTIONS)), data=st.data())
def test_fuzz_cli_options(cli, tmp_path, command, data):
    (tmp_path / "work" / "taken").write_text("a file")
    words = [command]
    if command == "fit":
        words.append(_good_csv(tmp_path))
    else:
        words += ["--claims", card(tmp_path)] if command != "list" else []
    for _ in range(data.draw(st.integers(0, 4))):
        option = data.draw(st.sampled_from(OPTIONS[command]))
        words.append(option)
        if option not in ("--json", "--quick", "--no-progress", "--all"):
            words.append(data.draw(OPTION_VALUES))
    try:
        status, _, err = cli(*words, allowed=("taken", "out"))
    except RunStarted:
        return  # the command line was valid: a run would start
    assert status in (0, 1, 2), err


@pytest.mark.parametrize(("rate", "decays"), [
    ("O(1/T)", True), ("O(log(T)/T)", True), ("O(1/log(log(T)))", True),
    ("O((1+1/T)**(-T**2))", True), ("O(T**(-T))", True), ("exp(-Omega(alpha**2*T))", True),
    ("O((1 - mu/L)**T)", True), ("O(T)", False), ("O(1)", False), ("O(0)", False),
    ("O(1 + 1/T)", False), ("O(1 + 1/log(T))", False), ("O(2**T)", False),
    ("O((1 + mu)**T)", False), ("exp(-Omega(-T))", False), ("O(-1/T)", False),
    ("Omega(T**T)", False),
])
def test_error_laws_must_decay(rate, decays):
    from workbench.cards.ratelaw import parse_rate, require_decay
    from workbench.errors import BadInputError

    law = parse_rate(rate)
    if decays:
        require_decay(law)
    else:
        with pytest.raises(BadInputError):
            require_decay(law)


@pytest.mark.parametrize(("complexity", "quantity", "ok"), [
    ("O((R/gamma)**2)", "cost", True), ("O(gamma**0)", "cost", False),
    ("Theta(gamma**0)", "rate_constant", True), ("Omega(gamma**2)", "rate_constant", True),
    ("O(-gamma)", "cost", False), ("O(log(gamma))", "cost", False),
])
def test_scaling_laws_fit_their_sweep(complexity, quantity, ok):
    from workbench.cards.ratelaw import parse_rate, require_scaling
    from workbench.errors import BadInputError

    law = parse_rate(complexity, variable="gamma")
    check = lambda: require_scaling(law, [0.2, 0.1, 0.05], {"R": 1.0},  # noqa: E731
                                    changing=quantity == "cost")
    if ok:
        check()
    else:
        with pytest.raises(BadInputError):
            check()
