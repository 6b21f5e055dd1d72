"""The one spelling of a parameter setting, benchopt-style: ``gd[step_scale=0.5]``.

A setting is a name (an algorithm, a problem) and the parameters it ran with. Its canonical
name lists the parameters sorted by name (the order of options never matters), each value
written so that it reads back as the same number: integers and integral floats as integers
(``n=200``, ``step_scale=1``), other floats in Python's shortest round-trip form
(``lam=0.001``, ``target=1e-10``). Figures' captions, the report, ``workbench runs`` and
``export``, the baseline check's notes and the pytest plugin's failure messages all spell a
setting with :func:`setting_name`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["claim_setting", "setting_changes", "setting_name", "setting_value"]

# Beyond this an integral float is written as a float (1e+20), not a 21-digit integer.
_LARGEST_INTEGER = 2**53


def setting_value(value: Any) -> str:
    """One parameter value as the canonical name writes it."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if math.isfinite(value) and value.is_integer() and abs(value) <= _LARGEST_INTEGER:
        return str(int(value))
    return repr(float(value))


def setting_name(name: str, params: Mapping[str, Any] | None = None) -> str:
    """``name[key=value,...]`` with the keys sorted; ``name`` alone without parameters.

    >>> setting_name("gd", {"step_scale": 0.5})
    'gd[step_scale=0.5]'
    >>> setting_name("logistic.l2", {"n": 200, "lam": 1e-3, "d": 20.0})
    'logistic.l2[d=20,lam=0.001,n=200]'
    """
    if not params:
        return name
    inside = ",".join(f"{key}={setting_value(params[key])}" for key in sorted(params))
    return f"{name}[{inside}]"


def claim_setting(problem: str, problem_params: Mapping[str, Any], algorithm: str,
                  hyper: Mapping[str, Any]) -> str:
    """A run's problem and algorithm settings: ``logistic.l2[lam=0.01] gd[step_scale=1]``."""
    return f"{setting_name(problem, problem_params)} {setting_name(algorithm, hyper)}"


def setting_changes(old: Mapping[str, Any], new: Mapping[str, Any],
                    keys: tuple[str, ...]) -> list[str]:
    """One line per entry of ``keys`` that differs between two provenance records: a table of
    parameters as its whole setting, before and after (``hyper: [step_scale=1] ->
    [step_scale=0.5]``), anything else as its value (``horizon: 1500 -> 3000``)."""
    lines = []
    for key in keys:
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            lines.append(f"{key}: {setting_name('', a) or '[]'} -> "
                         f"{setting_name('', b) or '[]'}")
        else:
            lines.append(f"{key}: {a} -> {b}")
    return lines
