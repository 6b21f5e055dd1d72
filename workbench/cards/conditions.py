"""Regime conditions: inequalities a theorem needs of the instance or the initialization.

A card's ``regime`` lists conditions such as ``"imbalance_min > 0"`` or
``"alpha * (sqrt(n1) + sqrt(k)) < 1"``; each is checked per seed on the instance's constants,
the run's diagnostics and the parameters as run. A seed that fails one is reported and left
out of the fit, never silently fitted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

from workbench.cards.ratelaw import RateParseError, _sympify
from workbench.errors import BadInputError

_OPERATOR = re.compile(r"(<=|>=|<|>)")
_COMPARE = {"<": float.__lt__, "<=": float.__le__, ">": float.__gt__, ">=": float.__ge__}


@dataclass(frozen=True)
class Condition:
    """``left op right`` with ``op`` one of ``<``, ``<=``, ``>``, ``>=``."""

    text: str
    left: sp.Expr
    op: str
    right: sp.Expr

    @property
    def symbols(self) -> tuple[str, ...]:
        names = {s.name for s in (self.left.free_symbols | self.right.free_symbols)}
        return tuple(sorted(names))

    def evaluate(self, values: Mapping[str, float]) -> tuple[bool, float, float]:
        """Whether it holds, and the values of both sides."""
        subs = {sp.Symbol(name, positive=True): float(values[name]) for name in self.symbols}
        left, right = float(self.left.subs(subs)), float(self.right.subs(subs))
        return _COMPARE[self.op](left, right), left, right


def _side(text: str, whole: str) -> sp.Expr:
    """One side, read by the rate parser's bounded, character-checked reader."""
    try:
        return _sympify(text)
    except RateParseError as exc:
        raise BadInputError(f"cannot read condition {whole!r}: {exc.message}",
                            field="regime") from None


def parse_condition(text: object) -> Condition:
    """Parse ``"expression op expression"``; anything else is bad input (field ``regime``)."""
    if not isinstance(text, str):
        raise BadInputError(f"a condition must be a string, got {text!r}", field="regime")
    parts = _OPERATOR.split(text)
    if len(parts) != 3:
        raise BadInputError(f"a condition reads 'expression < expression' with one of <, <=, "
                            f">, >=; got {text!r}", field="regime")
    left, op, right = parts
    return Condition(text.strip(), _side(left, text), op, _side(right, text))
