"""``workbench.jit.njit``: Numba applied on a kernel module's first use, not on import."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap

from workbench.jit import LazyKernel

MODULE = textwrap.dedent('''
    import numpy as np

    from workbench.jit import njit


    @njit(cache=False, inline="always")
    def _square(x):
        return x * x


    @njit(cache=False)
    def total_of_squares(v):
        """Sum of squares through a jitted helper."""
        s = 0.0
        for i in range(v.size):
            s += _square(v[i])
        return s
''')


def test_a_kernel_module_is_jitted_on_first_call_and_callees_are_bound(tmp_path, monkeypatch):
    import numba
    import numpy as np

    (tmp_path / "lazy_kernels_example.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("lazy_kernels_example")
    held = module.total_of_squares  # what a methods module holds after "from .kernels import"
    assert isinstance(held, LazyKernel) and held.dispatcher is None
    assert held.__doc__ == "Sum of squares through a jitted helper."
    assert held(np.arange(4.0)) == 14.0
    # The module now holds Numba dispatchers (the helper was compiled as one, not called as a
    # Python object), and the object imported before forwards to the same dispatcher.
    dispatcher_type = type(numba.njit(lambda: 0))
    assert isinstance(module.total_of_squares, dispatcher_type)
    assert isinstance(module._square, dispatcher_type)
    assert held.dispatcher is module.total_of_squares
    assert held.py_func(np.arange(3.0)) == 5.0


def test_listing_the_catalogue_does_not_import_numba():
    code = ("import sys\n"
            "from workbench.catalogue import catalogue\n"
            "from workbench.cards.claims import load_claims\n"
            "catalogue(); load_claims(None)\n"
            "print('numba' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


def test_numba_cache_lives_in_the_user_cache_never_beside_the_sources(tmp_path):
    """A cached kernel compiled with ``$NUMBA_CACHE_DIR`` unset writes its index and object
    files under ``$XDG_CACHE_HOME/workbench/numba/<key>/``, and nothing beside its source
    (Numba's default, which left files in a non-editable install that shadowed a later
    editable one)."""
    import os

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "cached_kernels_example.py").write_text(
        MODULE.replace("cache=False", "cache=True"))
    code = ("import numpy as np, numba, cached_kernels_example as m\n"
            "from workbench import jit\n"
            "assert m.total_of_squares(np.arange(4.0)) == 14.0\n"
            "print(numba.config.CACHE_DIR); print(jit.default_cache_dir())")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env.update(XDG_CACHE_HOME=str(tmp_path / "cache"), PYTHONPATH=str(tmp_path / "src"))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=True)
    used, default = done.stdout.split()
    assert used == default
    assert default.startswith(str(tmp_path / "cache" / "workbench" / "numba"))
    written = [p.name for p in (tmp_path / "cache").rglob("cached_kernels_example*")]
    assert any(name.endswith(".nbi") for name in written), written
    assert not [p for p in (tmp_path / "src").rglob("*") if p.suffix in (".nbi", ".nbc")]
