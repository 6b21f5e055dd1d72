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

import ast
import keyword
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache, cached_property
from typing import Any

import numpy as np
import sympy as sp
from sympy.parsing.sympy_parser import convert_xor, parse_expr, standard_transformations

from workbench.cards.limits import MAX_RATE_CHARS
from workbench.errors import BadInputError, excerpt

KINDS = ("O", "Omega", "Theta")
_BOUND_FUNCTIONS = {kind: sp.Function(kind) for kind in KINDS}
_MATH_FUNCTIONS = {"log": sp.log, "ln": sp.log, "exp": sp.exp, "sqrt": sp.sqrt}
_FUNCTIONS = ", ".join([*_MATH_FUNCTIONS, *KINDS])
_ALLOWED_CHARS = re.compile(r"^[A-Za-z0-9_+\-*/^().,\s]*$")
_PARSER_GLOBALS = {
    "Integer": sp.Integer,
    "Float": sp.Float,
    "Rational": sp.Rational,
    "Symbol": sp.Symbol,
}
# Numbers in a rate stay within floating-point range: no exact evaluation of 9**9**9.
MAX_LOG10 = 300
# Largest |exponent| of a power of a symbol (T**1e9 has no sensible value anywhere).
MAX_EXPONENT = 100
MAX_NESTING = 20


class RateParseError(BadInputError):
    """A rate string that is not one of the accepted forms."""


def _fail(text: str, why: str) -> RateParseError:
    return RateParseError(f"cannot parse rate {excerpt(text)}: {why}")


def _symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, positive=True)


def _check_characters(text: str) -> None:
    if len(text) > MAX_RATE_CHARS:
        raise _fail(text, f"it has {len(text)} characters; a rate has at most {MAX_RATE_CHARS}")
    if not text.strip():
        raise _fail(text, "it is empty")
    if not _ALLOWED_CHARS.match(text):
        bad = next(c for c in text if not _ALLOWED_CHARS.match(c))
        raise _fail(text, f"the character {bad!r} is not allowed (only letters, digits, "
                    "_ + - * / ^ ( ) , . and spaces)")
    depth = deepest = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        deepest = max(deepest, depth)
        if depth < 0:
            raise _fail(text, "unbalanced parentheses: a ')' closes nothing")
    if depth:
        raise _fail(text, f"unbalanced parentheses: {depth} '(' not closed")
    if deepest > MAX_NESTING:
        raise _fail(text, f"parentheses nested {deepest} deep (at most {MAX_NESTING})")


class _Checker:
    """Walks the Python syntax tree of a rate before sympy sees it.

    Allows numbers, names, + - * / ** and calls of the known functions only; keeps every
    number within floating-point range (so nothing like ``9**9**9`` is evaluated exactly) and
    rejects symbols in exponents of exponents (towers such as ``exp(exp(T))``).
    """

    def __init__(self, text: str) -> None:
        self.text = text

    def fail(self, why: str) -> RateParseError:
        return _fail(self.text, why)

    def check(self, node: ast.AST, depth: int = 0) -> float | None:
        """The node's value when it is a number, else None; raises on anything not allowed."""
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self.fail(f"{value!r} is not a number")
            return self.number(float(value) if abs(value) < 1e308 else math.inf)
        if isinstance(node, ast.Name):
            name = node.id
            if name.startswith("_") or keyword.iskeyword(name):
                raise self.fail(f"{name!r} is not a usable symbol name")
            if name in _MATH_FUNCTIONS or name in KINDS:
                raise self.fail(f"{name} is a function: write {name}(...)")
            if depth > 1:
                raise self.fail(f"{name} appears in an exponent of an exponent; towers such "
                                "as exp(exp(T)) or 2**(2**T) are not rates")
            return None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self.check(node.operand, depth)
            return None if value is None else (-value if isinstance(node.op, ast.USub)
                                               else value)
        if isinstance(node, ast.BinOp) and isinstance(
                node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
            return self.binary(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise self.fail("only numbers, symbols, + - * / ** ^ and the functions "
                        f"{_FUNCTIONS} are allowed")

    def number(self, value: float) -> float:
        if not math.isfinite(value) or (value != 0 and abs(math.log10(abs(value))) > MAX_LOG10):
            raise self.fail(f"a number in it is out of range (magnitude beyond 1e{MAX_LOG10})")
        return value

    def binary(self, node: ast.BinOp, depth: int) -> float | None:
        left = self.check(node.left, depth)
        right = self.check(node.right, depth + 1 if isinstance(node.op, ast.Pow) else depth)
        if isinstance(node.op, ast.Pow):
            if right is not None and abs(right) > MAX_EXPONENT and left is None:
                raise self.fail(f"the exponent {right:g} is out of range (at most "
                                f"{MAX_EXPONENT} in absolute value)")
            if left is None or right is None:
                return None
            if left == 0:
                if right <= 0:
                    raise self.fail("0 is raised to a power that is not positive")
                return 0.0
            if abs(right * math.log10(abs(left))) > MAX_LOG10:
                raise self.fail(f"a number in it is out of range (magnitude beyond "
                                f"1e{MAX_LOG10})")
            if left < 0 and right != int(right):
                return None  # complex; sympy keeps it small, the law's checks reject it
            return self.number(left ** right)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Div):
            if right == 0:
                raise self.fail("it divides by zero")
            return self.number(left / right)
        operation = {ast.Add: float.__add__, ast.Sub: float.__sub__, ast.Mult: float.__mul__}
        return self.number(operation[type(node.op)](float(left), float(right)))

    def call(self, node: ast.Call, depth: int) -> float | None:
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        if not name:
            raise self.fail("only a function name can be called: write (...)*(...) for a "
                            "product")
        if name not in _MATH_FUNCTIONS and name not in KINDS:
            raise self.fail(f"{name}(...) is not a function; write {name}*(...) for a "
                            f"product (functions: {_FUNCTIONS})")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.fail(f"{name}(...) takes plain arguments")
        most = 2 if name == "log" else 1
        if not 1 <= len(node.args) <= most:
            allowed = "one or two arguments" if most == 2 else "one argument"
            raise self.fail(f"{name}(...) takes {allowed}, got {len(node.args)}")
        inner = depth + 1 if name == "exp" else depth
        values = [self.check(arg, inner) for arg in node.args]
        if name in KINDS or any(v is None for v in values):
            return None
        x = values[0]
        if name == "exp":
            if x / math.log(10) > MAX_LOG10:
                raise self.fail(f"exp({x:g}) is out of range")
            return self.number(math.exp(x))
        if name == "sqrt":
            return None if x < 0 else self.number(math.sqrt(x))
        if x <= 0 or (len(values) == 2 and (values[1] <= 0 or values[1] == 1)):
            raise self.fail(f"{name} of a number that is not positive (or a base 1)")
        return self.number(math.log(x) / (math.log(values[1]) if len(values) == 2 else 1.0))


def _sympify(text: str) -> sp.Expr:
    _check_characters(text)
    python = text.replace("^", "**")
    try:
        tree = ast.parse(python.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise _fail(text, "it is not a valid expression (write products with *, powers "
                    "with ** or ^, and call functions with parentheses)") from None
    _Checker(text).check(tree.body)
    local: dict[str, object] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            name = node.id
            local[name] = _BOUND_FUNCTIONS.get(name) or _MATH_FUNCTIONS.get(name) or \
                _symbol(name)
    try:
        expr = parse_expr(
            text,
            local_dict=local,
            global_dict=dict(_PARSER_GLOBALS),
            transformations=standard_transformations + (convert_xor,),
        )
    except Exception:  # sympy raises many types on malformed text  # noqa: BLE001
        raise _fail(text, "it is not a valid expression") from None
    if not isinstance(expr, sp.Expr):
        raise _fail(text, "it is not a single expression")
    if expr.has(sp.zoo, sp.oo, sp.nan, -sp.oo):
        raise _fail(text, "it contains an infinite or undefined value")
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
    polylog
        True for ``O~``, ``Omega~``, ``Theta~``: up to polylogarithmic factors, so a
        log-like deviation (a ratio ``error / r(T)`` growing like a power of ``log T``) is
        allowed and only a different power of ``T`` contradicts the law.
    """

    text: str
    kind: str
    inner: sp.Expr
    exponential: bool
    variable: str = "T"
    polylog: bool = False

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
        return "power" if self._log_rate is None else "geometric"

    @cached_property
    def _log_rate(self) -> sp.Expr | None:
        """``lim d log(inner) / d var`` as the variable grows, when it is a nonzero constant:
        an explicit factor (``rho**T``), possibly times a sub-exponential prefactor
        (``T*rho**T``); None for power laws, whose limit is 0."""
        rate = self._log_derivative
        if self.var in rate.free_symbols:
            try:
                rate = sp.limit(rate, self.var, sp.oo)
            except (NotImplementedError, ValueError, TypeError, RecursionError):
                return None
        if rate == 0 or self.var in rate.free_symbols or rate.is_finite is False \
                or rate.has(sp.oo, sp.S.NegativeInfinity, sp.zoo, sp.nan, sp.AccumBounds):
            return None
        return rate

    @cached_property
    def _log_derivative(self) -> sp.Expr:
        """``d log(inner) / d var``, simplified only as far as needed to see whether it still
        depends on the variable: expanding the logarithm first settles explicit factors such
        as ``(1 + 2*beta)**(-T/2)`` without :func:`sympy.simplify`, which costs a large
        share of loading the catalogue's cards on long factor polynomials."""
        expanded = sp.diff(sp.expand_log(sp.log(self.inner), force=True), self.var)
        if self.var not in expanded.free_symbols:
            return expanded
        return sp.simplify(sp.diff(sp.log(self.inner), self.var))

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
        return -self._log_rate

    @cached_property
    def log_prefactor(self) -> sp.Expr | None:
        """``log P`` of an explicit factor's sub-exponential prefactor ``P``: for
        ``T*rho**T``, ``log(T)`` (``log(inner) + c T`` with ``c`` the rate constant); None
        for a pure factor (``rho**T``), an ``exp(-K(...))`` law or a power law. The geometric
        fit divides the error by ``P`` so that it measures the factor alone."""
        if self.exponential or self.shape != "geometric" \
                or self.var not in self._log_derivative.free_symbols:
            return None
        return sp.expand_log(sp.log(self.inner), force=True) + self.rate_constant * self.var

    @property
    def prefactor(self) -> str | None:
        """The prefactor ``P`` of :attr:`log_prefactor` as text (``"T"``), or None."""
        return None if self.log_prefactor is None else sp.sstr(sp.exp(self.log_prefactor))

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
        # xreplace, not subs: the same substitution without subs's assumption queries, 40x
        # faster on a long factor polynomial.
        return expr.xreplace({_symbol(name): sp.sympify(values[name]) for name in self.parameters})

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


_TILDE = re.compile(r"\b(O|Omega|Theta)\s*~\s*\(")


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
    return _parse(text, variable)


@cache
def _parse(text: str, variable: str) -> RateLaw:
    """:func:`parse_rate` of a string, once per text (laws are immutable; the catalogue's
    cards repeat a few dozen rates)."""
    # O~(...), Omega~(...), Theta~(...): up to polylog factors.
    plain, tildes = _TILDE.subn(r"\1(", text)
    if "~" in plain or tildes > 1:
        raise _fail(text, "a tilde goes right after one O, Omega or Theta, as in O~(n/eps)")
    expr = _sympify(plain)
    try:
        law = _classify(text, expr, variable)
    except ValueError as exc:
        raise _fail(text, str(exc)) from None
    return replace(law, polylog=True) if tildes else law


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


# -- what a law must say for its kind of claim ---------------------------------------------
# Far-end points for the decay test: an error law must still be falling, in log, between
# these two values of the variable (1 + 1/T levels off at 1; 1/log(log(T)) keeps falling).
_FAR = (10.0**100, 10.0**200)
_MIN_FALL = 0.01
# Digits of the arithmetic: enough to resolve 1 + 1/T at T = 1e200 ((1 + 1/T)**(-T**2) decays).
_DIGITS = 260
_PROBES = (0.5, 2.0, (0.3, 3.0), (3.0, 0.3))


def _probes(law: RateLaw, values: Mapping[str, float]) -> list[dict[str, float]]:
    """Symbol values to test a law with: the known ones, and a few positive guesses for the
    rest (instance constants such as ``L`` and ``mu`` are only known once a run has been
    made)."""
    unknown = [name for name in law.parameters if name not in values]
    known = {name: float(values[name]) for name in law.parameters if name in values}
    if not unknown:
        return [known]
    out = []
    for probe in _PROBES:
        pair = probe if isinstance(probe, tuple) else (probe, probe)
        out.append({**known, **{name: pair[i % 2] for i, name in enumerate(unknown)}})
    return out


@cache
def _mpmath_log(expr: sp.Expr, var: sp.Symbol, parameters: tuple[sp.Symbol, ...]
                ) -> Callable[..., Any]:
    """``log(expr)`` as an mpmath function of ``(var, *parameters)``, built once per law (a
    law is probed at several points and symbol values)."""
    return sp.lambdify([var, *parameters], sp.log(expr), modules="mpmath")


def _log_values(law: RateLaw, expr: sp.Expr, points: Sequence[float],
                values: Mapping[str, float]) -> list[float] | None:
    """``log(expr)`` at ``points`` of the variable in 260-digit arithmetic; None where it is
    not a finite real number (the expression is not positive there)."""
    import mpmath

    try:
        function = _mpmath_log(expr, law.var, tuple(_symbol(n) for n in law.parameters))
        with mpmath.workdps(_DIGITS):
            args = [mpmath.mpf(values[name]) for name in law.parameters]
            out = [function(mpmath.mpf(p), *args) for p in points]
    except (ArithmeticError, ValueError, TypeError, NameError, RecursionError):
        return None
    try:
        out = [mpmath.mpmathify(v) for v in out]
    except (TypeError, ValueError):
        return None
    if not all(isinstance(v, mpmath.mpf) and mpmath.isfinite(v) for v in out):
        return None
    return [float(v) for v in out]


def _law_error(law: RateLaw, why: str) -> RateParseError:
    return RateParseError(f"{excerpt(law.text)} {why}")


def require_decay(law: RateLaw, values: Mapping[str, float] | None = None) -> None:
    """Raise unless ``law`` can bound an error that falls to 0 as its variable grows.

    Parameters
    ----------
    law
        An error law (``O(1/T)``, ``exp(-Omega(alpha**2*T))``, ``O((1 - mu/L)**T)``).
    values
        Known values of its symbols; symbols without a value are tried at a few positive
        values, and the law passes when any of them makes it decay.
    """
    values = {k: v for k, v in (values or {}).items() if k in law.parameters}
    var = law.variable
    if law.inner.is_zero:
        raise _law_error(law, "bounds the error by 0, which states no rate")
    if law.var not in law.inner.free_symbols:
        raise _law_error(law, f"does not depend on {var}: an error rate must fall to 0 as "
                         f"{var} grows (a constant bound states no rate)")
    probes = _probes(law, values)
    if law.exponential:
        constant = law.inner / law.var
        if constant.is_positive is False or constant.is_zero:
            raise _law_error(law, f"does not decay: its rate constant {sp.sstr(constant)} is "
                             "not positive")
        if not any(_log_values(law, constant, [1.0], p) is not None for p in probes):
            raise _law_error(law, f"does not decay: its rate constant {sp.sstr(constant)} is "
                             f"not positive for {_shown(values)}")
        return
    seen_positive = False
    for probe in probes:
        logs = _log_values(law, law.inner, _FAR, probe)
        if logs is None:
            continue
        seen_positive = True
        if logs[1] < logs[0] - _MIN_FALL:
            return
    if not seen_positive:
        raise _law_error(law, f"is not a positive number for large {var}"
                         + (f" with {_shown(values)}" if values else ""))
    raise _law_error(law, f"does not decay: an error rate must fall to 0 as {var} grows"
                     + (f" (checked with {_shown(values)})" if values else ""))


def require_scaling(law: RateLaw, points: Sequence[float], values: Mapping[str, float] | None
                    = None, *, changing: bool = False) -> None:
    """Raise unless ``law`` (a law in a swept parameter) is positive and finite at every swept
    value; with ``changing``, also unless it changes with the parameter (a cost law: the cost
    grows toward one end of the sweep)."""
    values = dict(values or {})
    var = law.variable
    if law.inner.is_zero:
        raise _law_error(law, "is 0, which states no scaling")
    points = [float(p) for p in points]
    positive = False
    for probe in _probes(law, values):
        logs = _log_values(law, law.inner, points, probe)
        if logs is None:
            continue
        positive = True
        if not changing:
            return
        if law.var in law.inner.free_symbols and len(points) >= 2 and \
                abs(float(np.polyfit(np.log(points), logs, 1)[0])) > 1e-9:
            return
    if not positive:
        raise _law_error(law, f"is not a positive finite number at every value of {var} swept")
    raise _law_error(law, f"does not change with {var}: a cost law must grow as {var} moves "
                     "toward one end of the sweep (as a cost grows when eps falls)")


def _shown(values: Mapping[str, float]) -> str:
    return ", ".join(f"{k} = {v:g}" for k, v in sorted(values.items())) or "no values"
