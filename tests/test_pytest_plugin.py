"""The pytest plugin: assert_rate on synthetic traces, and claim cards as tests."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import CARDS

from workbench.errors import BadInputError
from workbench.pytest_plugin import assert_rate

pytest_plugins = ("pytester",)

T = np.unique(np.geomspace(1, 1e4, 120).round())


def _noisy(t: np.ndarray, power: float, seeds: int = 5) -> np.ndarray:
    rng = np.random.default_rng(1)
    return t**power * np.exp(0.02 * rng.standard_normal((seeds, t.size)))


def test_consistent_trace_passes_and_returns_the_fit():
    check = assert_rate((T, _noisy(T, -2.0)), "O(1/T**2)")
    assert check.verdict.verdict == "consistent"
    assert check.fit.estimate == pytest.approx(-2.0, abs=0.02)
    assert "window:" in check.summary and "verdict:  consistent" in check.summary


def test_mismatch_raises_with_verdict_observed_expected_and_window():
    with pytest.raises(AssertionError) as caught:
        assert_rate((T, _noisy(T, -1.0)), "O(1/T**2)")
    message = str(caught.value)
    assert "mismatch (slower)" in message
    assert re.search(r"observed: log-log slope -(0\.99|1\.00)", message)
    assert "expected: log-log slope -2 ± slope tolerance 0.1" in message
    assert "window:   t in [" in message and "5 seed(s)" in message


def test_callable_and_bare_array_forms():
    assert_rate(lambda t: 3.0 / t, "Theta(1/T)")  # default grid checkpoints(10_000)
    assert_rate(1.0 / np.arange(1, 2001), "O(1/T)")  # t = 1, 2, ...
    geometric = 0.9 ** np.arange(1, 201)
    check = assert_rate(geometric, "O((1 - mu/L)**T)", params={"mu": 0.1, "L": 1.0})
    assert check.fit.estimate == pytest.approx(-np.log(0.9), rel=1e-6)
    with pytest.raises(AssertionError, match="rate constant"):
        assert_rate(geometric, "O((1 - mu/L)**T)", params={"mu": 0.2, "L": 1.0})


def test_inconclusive_fails_only_when_asked():
    short = (np.arange(1.0, 6.0), 1.0 / np.arange(1.0, 6.0))  # too few points to decide
    check = assert_rate(short, "O(1/T)")
    assert check.verdict.verdict == "inconclusive"
    with pytest.raises(AssertionError, match="inconclusive"):
        assert_rate(short, "O(1/T)", fail_on_inconclusive=True)


def test_named_tolerances_and_bad_input():
    slope_12 = (T, T**-1.2)
    with pytest.raises(AssertionError):
        assert_rate(slope_12, "Theta(1/T)")
    assert_rate(slope_12, "Theta(1/T)", tol={"slope": 0.3})
    with pytest.raises(BadInputError, match="unknown tolerance"):
        assert_rate(slope_12, "Theta(1/T)", tol={"slop": 0.3})
    with pytest.raises(TypeError, match="named tolerances"):
        assert_rate(slope_12, "Theta(1/T)", tol=0.3)
    with pytest.raises(BadInputError, match="mu"):
        assert_rate(slope_12, "O((1 - mu)**T)")


def test_rate_claim_marker_and_fixtures(pytester):
    """Runs pytest in a subprocess: the plugin is found through its entry point."""
    good = CARDS / "baseline" / "small_gd.toml"
    pytester.makepyfile(f"""
        import numpy as np
        import pytest

        @pytest.mark.rate_claim({str(good)!r}, "test-gd-linear-factor", quick=True)
        def test_card(rate_claim_result):
            assert rate_claim_result.claim.id == "test-gd-linear-factor"

        @pytest.mark.rate_claim({str(good)!r}, "test-gd-linear-factor", seeds=2)
        def test_card_with_two_seeds():
            pass

        def test_fixture(assert_rate):
            t = np.arange(1.0, 6.0)
            assert_rate((t, 1 / t), "O(1/T)")
    """)
    # A wrong claim in a card beside the test file, referred to by a relative path.
    pytester.makefile(".toml", wrong=(CARDS / "baseline" / "small_gd.toml").read_text()
                      .replace('rate = "O((1 - mu/L)**T)"', 'rate = "O((1 - 10*mu/L)**T)"'))
    pytester.makepyfile(test_wrong="""
        import pytest

        @pytest.mark.rate_claim("wrong.toml", quick=True)
        def test_wrong():
            pass
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*claim test-gd-linear-factor*: mismatch (slower)*",
                                 "*claimed:  O((1 - 10*mu/L)**T)*", "*window:   iterations in*"])
    strict = pytester.runpytest("-p", "no:cacheprovider", "--rate-fail-inconclusive",
                                           "-k", "test_fixture")
    strict.assert_outcomes(failed=1)
    strict.stdout.fnmatch_lines(["*inconclusive*"])
