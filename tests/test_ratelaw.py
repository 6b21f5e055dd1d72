"""Rate-law parsing: forms, semantics, expected slopes, malformed input."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.cards.ratelaw import RateParseError, parse_rate
from workbench.errors import BadInputError


@pytest.mark.parametrize(
    ("text", "kind", "shape", "bound", "params"),
    [
        ("O(log(T)/T)", "O", "power", "upper", ()),
        ("Omega(1/T**2)", "Omega", "power", "lower", ()),
        ("Theta(T**(-1/2))", "Theta", "power", "tight", ()),
        ("exp(-Omega(T))", "Omega", "geometric", "upper", ()),
        ("exp(-O(T))", "O", "geometric", "lower", ()),
        ("exp(-Omega(alpha**2 * T))", "Omega", "geometric", "upper", ("alpha",)),
        ("O((1 + 2*beta)**(-T/2))", "O", "geometric", "upper", ("beta",)),
        ("O((1 - mu/L)^T)", "O", "geometric", "upper", ("L", "mu")),
    ],
)
def test_forms(text, kind, shape, bound, params):
    law = parse_rate(text)
    assert (law.kind, law.shape, law.error_bound, law.parameters) == (kind, shape, bound, params)


def test_explicit_factor_rate_constant():
    law = parse_rate("O((1 + 2*beta)**(-T/2))")
    assert law.has_factor
    assert law.rate_constant_value({"beta": 0.5}) == pytest.approx(np.log(2) / 2)
    assert not parse_rate("exp(-Omega(alpha**2*T))").has_factor
    assert parse_rate("exp(-Omega(alpha**2*T))").rate_constant == sp.Symbol(
        "alpha", positive=True) ** 2


@pytest.mark.parametrize(("text", "prefactor", "constant"), [
    ("O(T*rho**T)", "T", -np.log(0.9)),
    ("Theta(T**2*(1 - mu/L)**T)", "T**2", -np.log(0.9)),
    ("O(sqrt(T)*exp(-c*T))", "sqrt(T)", 0.1),
    ("O(rho**T)", None, -np.log(0.9)),
])
def test_explicit_factor_with_a_polynomial_prefactor(text, prefactor, constant):
    """``T rho^T`` is a geometric law whose rate is the factor's, not a power law."""
    law = parse_rate(text)
    assert law.shape == "geometric" and law.has_factor
    assert law.prefactor == prefactor
    values = {"rho": 0.9, "mu": 0.1, "L": 1.0, "c": 0.1}
    assert law.rate_constant_value(values) == pytest.approx(constant)


@pytest.mark.parametrize("text", ["O(log(T)/T)", "O(exp(-sqrt(T)))", "O(T**(-2/3))"])
def test_sub_exponential_laws_stay_power_laws(text):
    assert parse_rate(text).shape == "power"


def test_log_factor_changes_expected_slope():
    t = np.geomspace(1e2, 1e4, 40)
    with_log = parse_rate("O(log(T)/T)").log_slope(t, {})
    assert parse_rate("O(1/T)").log_slope(t, {}) == pytest.approx(-1.0)
    # d log(log T / T) / d log T = 1/log T - 1, averaged over the window
    assert with_log == pytest.approx(-1 + np.mean(1 / np.log(t)), abs=0.01)


def test_complexity_in_swept_variable():
    law = parse_rate("O(n + sqrt(n)*L/eps)", variable="n")
    small, large = np.array([2.0, 3, 4]), np.array([1e10, 2e10, 4e10])
    assert law.log_slope(small, {"L": 1, "eps": 1e-3}) == pytest.approx(0.5, abs=0.02)
    assert law.log_slope(large, {"L": 1, "eps": 1e-3}) == pytest.approx(1.0, abs=0.05)


def test_missing_symbol_value_is_bad_input():
    with pytest.raises(BadInputError, match="beta"):
        parse_rate("O((1 + 2*beta)**(-T/2))").evaluate(np.array([1.0, 2.0]), {})


@pytest.mark.parametrize(
    "text",
    ["", "O(", "T**2", "foo(T)", "O(T)+1", "exp(-T)", "O(O(T))", "__import__('os')",
     "O(1/T)[0]", "exp(-Omega(T**2))", "O(1/T, 2)", "lambda", "O(x y)", "Omega()"],
)
def test_malformed_rates_raise_one_clear_error(text):
    with pytest.raises(RateParseError) as info:
        parse_rate(text)
    assert "cannot parse rate" in str(info.value)
    assert "\n" not in str(info.value)


_exponents = st.fractions(min_value=-4, max_value=4, max_denominator=4).filter(lambda q: q != 0)


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(["O", "Omega", "Theta"]), p=_exponents,
       q=st.integers(min_value=0, max_value=2), exponential=st.booleans())
def test_round_trip(kind, p, q, exponential):
    inner = f"T**({p.numerator}/{p.denominator})*log(T)**{q}"
    text = f"exp(-{kind}(T))" if exponential else f"{kind}({inner})"
    law = parse_rate(text)
    again = parse_rate(str(law))
    assert (again.kind, again.exponential, again.shape) == (law.kind, law.exponential, law.shape)
    assert sp.simplify(again.inner - law.inner) == 0


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="OmegaThT()*/+-^.0123456789 logexpsqrtbn,", max_size=30))
def test_arbitrary_text_never_crashes(text):
    try:
        parse_rate(text)
    except RateParseError:
        pass
