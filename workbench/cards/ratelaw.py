"""Rate laws: parse a stated rate such as ``"O(log(T)/T)"`` into a sympy expression.

Accepted forms (``K`` is one of ``O``, ``Omega``, ``Theta``):

* ``K(expr)``: the error is bounded by ``expr`` up to a constant factor. ``expr`` is a power
  law with optional log factors (``T**(-1/2)``, ``log(T)/T``), or an explicit geometric
  factor (``(1 + 2*beta)**(-T/2)``, ``(1 - mu/L)**T``).
* ``exp(-K(g))``: geometric decay whose rate constant is ``g / T`` up to a constant factor
  (``exp(-Omega(T))``, ``exp(-Omega(alpha**2*T))``); ``g`` must be linear in ``T``.

The same form states complexities (``O(eps**(-3/2))``, ``O(n + sqrt(n)*L/eps)``), where the
variable is a swept parameter instead of the horizon.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp
from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

from workbench.errors import BadInputError

KINDS = ("O", "Omega", "Theta")
_BOUND_FUNCTIONS = {kind: sp.Function(kind) for kind in KINDS}
_MATH_FUNCTIONS = {"log": sp.log, "ln": sp.log, "exp": sp.exp, "sqrt": sp.sqrt}
_ALLOWED_CHARS = re.compile(r"^[A-Za-z0-9_+\-*/^().,\s]*$")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PARSER_GLOBALS = {
    "Integer": sp.Integer,
    "Float": sp.Float,
    "Rational": sp.Rational,
    "Symbol": sp.Symbol,
}


class RateParseError(BadInputError):
    """A rate string that is not one of the accepted forms."""


def _fail(text: str, why: str) -> RateParseError:
    return RateParseError(f"cannot parse rate {text!r}: {why}", field="rate")


def _symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, positive=True)


def _sympify(text: str) -> sp.Expr:
    if not text.strip():
        raise _fail(text, "it is empty")
    if not _ALLOWED_CHARS.match(text):
        raise _fail(text, "only letters, digits, _ + - * / ^ ( ) , . and spaces are allowed")
    local: dict[str, object] = {}
    for name in set(_IDENTIFIER.findall(text)):
        if name.startswith("_") or keyword.iskeyword(name):
            raise _fail(text, f"{name!r} is not a usable symbol name")
        local[name] = _BOUND_FUNCTIONS.get(name) or _MATH_FUNCTIONS.get(name) or _symbol(name)
    try:
        expr = parse_expr(
            text,
            local_dict=local,
            global_dict=dict(_PARSER_GLOBALS),
            transformations=standard_transformations + (convert_xor,),
        )
    except Exception as exc:  # sympy raises many types on malformed text  # noqa: BLE001
        raise _fail(text, f"{type(exc).__name__}: {exc}".splitlines()[0]) from None
    if not isinstance(expr, sp.Expr):
        raise _fail(text, "it is not a single expression")
    return expr


def _bound_call(expr: sp.Expr) -> tuple[str, sp.Expr] | None:
    for kind, function in _BOUND_FUNCTIONS.items():
        if expr.func == function:
            if len(expr.args) != 1:
                raise ValueError(f"{kind}(...) takes one argument")
            return kind, expr.args[0]
    return None


def _contains_bound(expr: sp.Expr) -> bool:
    return any(expr.has(function) for function in _BOUND_FUNCTIONS.values())


@dataclass(frozen=True)
class RateLaw:
    """A parsed rate.

    Attributes
    ----------
    text
        The string as written in the card.
    kind
        ``"O"`` (upper bound on the error), ``"Omega"`` (lower bound) or ``"Theta"`` (both).
    inner
        The expression inside the bound.
    exponential
        True for the ``exp(-K(g))`` form, where ``K`` applies to the exponent's rate constant.
    variable
        The name of the variable the law is stated in (``T`` for error-vs-iterations claims).
    """

    text: str
    kind: str
    inner: sp.Expr
    exponential: bool
    variable: str = "T"

    # -- structure -------------------------------------------------------------------------
    @cached_property
    def var(self) -> sp.Symbol:
        return _symbol(self.variable)

    @cached_property
    def parameters(self) -> tuple[str, ...]:
        """Names of the symbols other than the variable, sorted."""
        return tuple(sorted(s.name for s in self.inner.free_symbols if s != self.var))

    @cached_property
    def shape(self) -> str:
        """``"geometric"`` or ``"power"`` (power law with optional log factors)."""
        if self.exponential:
            return "geometric"
        if self.var not in self.inner.free_symbols:
            return "power"
        log_derivative = sp.simplify(sp.diff(sp.log(self.inner), self.var))
        if log_derivative != 0 and self.var not in log_derivative.free_symbols:
            return "geometric"
        return "power"

    @property
    def error_bound(self) -> str:
        """Which side of the error the law bounds: ``"upper"``, ``"lower"`` or ``"tight"``.

        ``O(r)`` bounds the error from above and ``Omega(r)`` from below. Inside an
        exponential the roles swap: ``exp(-Omega(T))`` says the error is *at most*
        ``exp(-c T)``, so it is an upper bound on the error.
        """
        side = {"O": "upper", "Omega": "lower", "Theta": "tight"}[self.kind]
        if self.exponential and side != "tight":
            side = "lower" if side == "upper" else "upper"
        return side

    @property
    def has_factor(self) -> bool:
        """True when the law states an explicit contraction factor, compared as a factor."""
        return self.shape == "geometric" and not self.exponential

    @cached_property
    def rate_constant(self) -> sp.Expr:
        """For geometric laws, ``c`` in ``exp(-c T)`` as an expression of the parameters.

        For ``exp(-K(g))`` this is ``g / T`` (known up to the constant hidden in ``K``); for
        an explicit factor it is ``-d log(expr) / dT`` (known exactly).
        """
        if self.shape != "geometric":
            raise ValueError(f"{self.text!r} is not a geometric rate")
        if self.exponential:
            return sp.simplify(self.inner / self.var)
        return sp.simplify(-sp.diff(sp.log(self.inner), self.var))

    def __str__(self) -> str:
        body = f"{self.kind}({sp.sstr(self.inner)})"
        return f"exp(-{body})" if self.exponential else body

    def latex(self) -> str:
        name = {"O": r"\mathcal{O}", "Omega": r"\Omega", "Theta": r"\Theta"}[self.kind]
        body = rf"{name}\left({sp.latex(self.inner)}\right)"
        return rf"\exp\left(-{body}\right)" if self.exponential else body

    # -- numbers ---------------------------------------------------------------------------
    def missing(self, values: dict[str, float]) -> list[str]:
        """Parameter names that have no value in ``values``."""
        return [name for name in self.parameters if name not in values]

    def _substituted(self, expr: sp.Expr, values: dict[str, float]) -> sp.Expr:
        missing = self.missing(values)
        if missing:
            raise BadInputError(f"rate symbol(s) {', '.join(missing)} have no value", field="rate")
        return expr.subs({_symbol(name): values[name] for name in self.parameters})

    def evaluate(self, points: np.ndarray, values: dict[str, float]) -> np.ndarray:
        """The inner expression at ``points`` of the variable (the other symbols fixed)."""
        expr = self._substituted(self.inner, values)
        function = sp.lambdify(self.var, expr, modules="numpy")
        with np.errstate(all="ignore"):
            out = np.asarray(function(np.asarray(points, dtype=float)), dtype=float)
        out = np.broadcast_to(out, np.shape(points)).astype(float)
        if not np.all(np.isfinite(out) & (out > 0)):
            raise BadInputError(f"rate {self.text!r} is not positive and finite at "
                           f"{self.variable} in [{np.min(points):g}, {np.max(points):g}] "
                           f"with {values}", field="rate")
        return out

    def log_slope(self, points: np.ndarray, values: dict[str, float]) -> float:
        """Least-squares slope of ``log(inner)`` against ``log(variable)`` over ``points``.

        This is the exponent a power-law fit over the same points would report for data that
        follow the law exactly, so log factors are honoured over the window actually used.
        """
        points = np.asarray(points, dtype=float)
        return float(np.polyfit(np.log(points), np.log(self.evaluate(points, values)), 1)[0])

    def rate_constant_value(self, values: dict[str, float]) -> float:
        """Numeric rate constant per unit of the variable (geometric laws only)."""
        return float(self._substituted(self.rate_constant, values))


def parse_rate(text: str, variable: str = "T") -> RateLaw:
    """Parse a rate string.

    Parameters
    ----------
    text
        For example ``"O(log(T)/T)"``, ``"exp(-Omega(alpha**2*T))"``,
        ``"O((1 + 2*beta)**(-T/2))"`` or ``"O(eps**(-3/2))"``.
    variable
        The symbol the law is a function of: the horizon ``T``, or a swept parameter.

    Raises
    ------
    RateParseError
        With a one-line reason, for anything that is not an accepted form.
    """
    if not isinstance(text, str):
        raise _fail(str(text), "the rate must be a string")
    expr = _sympify(text)
    try:
        law = _classify(text, expr, variable)
    except ValueError as exc:
        raise _fail(text, str(exc)) from None
    return law


def _classify(text: str, expr: sp.Expr, variable: str) -> RateLaw:
    var = _symbol(variable)
    call = _bound_call(expr)
    if call is not None:
        kind, inner = call
        if _contains_bound(inner):
            raise ValueError("bounds cannot be nested")
        return RateLaw(text, kind, inner, exponential=False, variable=variable)
    if expr.func == sp.exp:
        negated = -expr.args[0]
        call = _bound_call(negated)
        if call is None:
            raise ValueError("an exponential rate must read exp(-O(...)), exp(-Omega(...)) "
                             "or exp(-Theta(...))")
        kind, inner = call
        if _contains_bound(inner):
            raise ValueError("bounds cannot be nested")
        if var not in inner.free_symbols:
            raise ValueError(f"the exponent of exp(-{kind}(...)) must contain {variable}")
        if sp.simplify(sp.diff(inner, var, 2)) != 0 or sp.simplify(inner.subs(var, 0)) != 0:
            raise ValueError(f"the exponent of exp(-{kind}(...)) must be proportional to "
                             f"{variable}")
        return RateLaw(text, kind, inner, exponential=True, variable=variable)
    raise ValueError("expected O(...), Omega(...), Theta(...) or exp(-K(...)) "
                     "with K one of O, Omega, Theta")
