"""``njit``: :func:`numba.njit`, applied when a kernel module is first used, not imported.

Importing Numba and decorating every family's kernels costs about 0.2 CPU s, which commands
that never run a kernel (``workbench list``, ``--help``, reading cards) should not pay. A
function decorated with :func:`njit` is a :class:`LazyKernel`; its first call (or attribute
access) imports Numba, applies ``numba.njit(**options)`` to every lazy kernel of the same
module and binds the resulting dispatchers to their names in the module, so kernels that
call one another are compiled against real dispatchers. From then on the module holds
ordinary Numba dispatchers; the ``LazyKernel`` objects other modules imported forward to
them. The options and the Python functions are Numba's own, so ``cache=True`` finds the same
on-disk cache entries as a plain ``@numba.njit``.

A kernel module keeps every jitted callee in itself (the families' rule for Numba's cache),
which is also what lets one module be compiled on its own here.

Where the cache lives: ``$NUMBA_CACHE_DIR`` when the user sets it, else
:func:`default_cache_dir`, a per-user folder keyed by where this package is installed and its
version. Numba's own default writes into ``__pycache__`` beside the sources: inside a
non-editable install that leaves files pip does not remove, and the left-over folder (with no
``__init__.py``) is then imported as a namespace package that shadows a later editable
install of the same clone.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

_LOCK = threading.Lock()
_PENDING: dict[str, list[LazyKernel]] = {}


class LazyKernel:
    """A function to compile with ``numba.njit(**options)`` when its module is first used."""

    def __init__(self, function: Callable[..., Any], options: dict[str, Any]) -> None:
        self.function = function
        self.options = options
        self.dispatcher: Any = None
        self.__doc__ = function.__doc__
        self.__name__ = function.__name__
        self.__module__ = function.__module__
        self.__wrapped__ = function
        _PENDING.setdefault(function.__module__, []).append(self)

    def _compiled(self) -> Any:
        if self.dispatcher is None:
            _apply(self.function.__module__)
        return self.dispatcher

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._compiled()(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:  # py_func, signatures, ...
        if name.startswith("__") or name in ("function", "options", "dispatcher"):
            raise AttributeError(name)  # not set yet (copying, unpickling)
        return getattr(self._compiled(), name)

    def __repr__(self) -> str:
        state = "compiled" if self.dispatcher is not None else "not yet jitted"
        return f"<LazyKernel {self.__module__}.{self.__name__} ({state})>"


def default_cache_dir() -> str:
    """``<user cache>/workbench/numba/<key>``: ``$XDG_CACHE_HOME`` or ``~/.cache``, and a key
    hashed from this package's folder and version (one install never reads another's)."""
    from workbench import __version__

    package = os.path.dirname(os.path.abspath(__file__))
    key = hashlib.sha256(f"{package}|{__version__}".encode()).hexdigest()[:16]
    cache_home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"),
                                                                   ".cache")
    return os.path.join(cache_home, "workbench", "numba", key)


def cache_dir() -> str:
    """The folder of Numba's on-disk cache: ``$NUMBA_CACHE_DIR``, else
    :func:`default_cache_dir`."""
    return os.environ.get("NUMBA_CACHE_DIR") or default_cache_dir()


def _use_cache_dir(numba: Any) -> None:
    """Point Numba's cache at :func:`cache_dir`: in the environment, so worker processes
    inherit it, and in ``numba.config``, which Numba read when it was imported (perhaps
    before this package was)."""
    os.environ["NUMBA_CACHE_DIR"] = numba.config.CACHE_DIR = cache_dir()


def _apply(module_name: str) -> None:
    """``numba.njit`` every pending kernel of ``module_name``; bind them in the module."""
    import numba

    with _LOCK:
        _use_cache_dir(numba)
        module = sys.modules[module_name]
        for kernel in _PENDING.pop(module_name, []):
            kernel.dispatcher = numba.njit(**kernel.options)(kernel.function)
            setattr(module, kernel.function.__name__, kernel.dispatcher)


def njit(**options: Any) -> Callable[[Callable[..., Any]], LazyKernel]:
    """``@njit(cache=True, fastmath=..., inline=...)``: :func:`numba.njit` with the same
    options, applied on the module's first use (module docstring)."""

    def decorate(function: Callable[..., Any]) -> LazyKernel:
        return LazyKernel(function, options)

    return decorate
